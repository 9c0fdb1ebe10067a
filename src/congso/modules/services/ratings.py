"""The applicant rates how their dossier was settled (đánh giá mức độ hài lòng), Decree 118/2025.

``dossier_rate(*, actor, dossier, score, comment="")``: only the applicant (the citizen account that
filed it), only once the result has been handed over (RETURNED), once per dossier. A score from 1
to 5 and a comment of up to 1,000 characters. Anyone else is refused (``Forbidden``), a dossier not
yet returned or already rated is a ``Conflict``; in each case nothing changes. The rating and its
audit event are written in one transaction, under the dossier's row lock, so two concurrent
ratings of one dossier leave one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from congso.core.accounts.models import AccountKind
from congso.core.audit.services import audit_record
from congso.core.calendar.workdays import VN_TZ
from congso.core.errors import Conflict, Forbidden, InvalidInput, Unauthenticated
from congso.modules.services import services
from congso.modules.services.models import Dossier, DossierRating, DossierStatus

MIN_SCORE, MAX_SCORE = 1, 5
MAX_COMMENT = 1000
SCORE_LABELS = {
    1: "Rất không hài lòng",
    2: "Không hài lòng",
    3: "Bình thường",
    4: "Hài lòng",
    5: "Rất hài lòng",
}


def _now() -> dt.datetime:
    # The module's one clock (tests fix it by patching ``services._now``).
    return services._now()


def dossier_rate(*, actor: Any, dossier: Dossier, score: int, comment: str = "") -> DossierRating:
    """Record the applicant's satisfaction with ``dossier``. See the module docstring."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise Unauthenticated(_("Bạn cần đăng nhập để đánh giá mức độ hài lòng."))
    if not (
        actor.kind == AccountKind.CITIZEN
        and dossier.applicant_id is not None
        and actor.pk == dossier.applicant_id
    ):
        raise Forbidden(
            _("Chỉ người nộp hồ sơ {code} mới được đánh giá việc giải quyết hồ sơ.").format(code=dossier.code)
        )
    if not isinstance(score, int) or isinstance(score, bool) or not MIN_SCORE <= score <= MAX_SCORE:
        raise InvalidInput(
            _("Mức độ hài lòng phải là một số nguyên từ {lo} đến {hi}.").format(lo=MIN_SCORE, hi=MAX_SCORE),
            errors=[
                {"field": "score", "message": _("phải từ {lo} đến {hi}").format(lo=MIN_SCORE, hi=MAX_SCORE)}
            ],
        )
    text = (comment or "").strip()
    if len(text) > MAX_COMMENT:
        raise InvalidInput(
            _("Ý kiến góp ý quá dài (tối đa {n} ký tự).").format(n=MAX_COMMENT),
            errors=[{"field": "comment", "message": _("quá dài")}],
        )
    with transaction.atomic():
        d = (
            Dossier.objects.select_for_update(of=("self",))
            .select_related("receiving_agency", "competent_agency")
            .get(pk=dossier.pk)
        )
        if d.status != DossierStatus.RETURNED:
            raise Conflict(
                _(
                    "Hồ sơ {code} đang ở trạng thái '{status}': chỉ đánh giá được sau khi đã nhận kết quả."
                ).format(code=d.code, status=d.get_status_display())
            )
        earlier = DossierRating.objects.filter(dossier=d).first()
        if earlier is not None:
            raise _already_rated(d, earlier)
        now = _now()
        try:
            with transaction.atomic():
                rating = DossierRating.objects.create(dossier=d, score=score, comment=text, created_at=now)
        except IntegrityError:  # a concurrent rating won the unique index (no row lock on SQLite)
            raise _already_rated(d, DossierRating.objects.get(dossier=d)) from None
        audit_record(
            actor=actor,
            action="services.dossier.rate",
            target=d,
            after={
                "score": score,
                "comment": text,
                "rating": rating.pk,
                "competent_agency": d.competent_agency.code,
            },
            agency_code=d.receiving_agency.code,
        )
    return rating


def _already_rated(d: Dossier, earlier: DossierRating) -> Conflict:
    when = timezone.localtime(earlier.created_at, VN_TZ)
    return Conflict(
        _("Hồ sơ {code} đã được đánh giá lúc {when}; mỗi hồ sơ chỉ được đánh giá một lần.").format(
            code=d.code, when=f"{when:%H:%M ngày %d/%m/%Y}"
        )
    )


def rating_of(dossier: Dossier) -> DossierRating | None:
    """The dossier's rating, if any (the caller has already been allowed to see the dossier)."""
    return DossierRating.objects.filter(dossier=dossier).first()
