"""Every read of the services module.

The catalogue is public (the city publishes its procedures). A dossier is seen by its applicant
and by the officials holding "services.view" on the agency that received it or the agency
competent for it; to anyone else it does not exist. Public tracking needs the code and its token
and answers the same "not found" whether the code is unknown or the token wrong.
"""

from __future__ import annotations

import datetime as dt
import hmac
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from congso.core.accounts.models import AccountKind
from congso.core.errors import NotFound
from congso.core.policy import agency_scope
from congso.core.search.text import fold
from congso.modules.services.models import Dossier, Procedure, ProcedureVersion
from congso.modules.services.services import tracking_digest

# A digest no token has, compared against when the code is unknown: both paths do the same work.
_NO_DIGEST = "0" * 64


def procedure_list(
    *, q: str | None = None, level: str | None = None, field: str | None = None
) -> QuerySet[Procedure]:
    qs = Procedure.objects.filter(is_active=True)
    if q and q.strip():
        qs = qs.filter(Q(search_name__contains=fold(q)) | Q(code=q.strip()))
    if level:
        qs = qs.filter(level=level)
    if field:
        qs = qs.filter(field=field)
    return qs.order_by("code")


def procedure_get(*, code: str) -> Procedure:
    procedure = Procedure.objects.filter(code=code, is_active=True).first()
    if procedure is None:
        raise NotFound(_("Không có thủ tục mã {code} trong danh mục.").format(code=code))
    return procedure


def version_on(procedure: Procedure, day: dt.date | None = None) -> ProcedureVersion | None:
    """The version in force on ``day`` (today by default)."""
    on = day or timezone.localdate()
    return procedure.versions.filter(valid_from__lte=on).order_by("-valid_from").first()


def visible_dossiers(actor: Any) -> QuerySet[Dossier]:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return Dossier.objects.none()
    if actor.kind == AccountKind.CITIZEN:
        return Dossier.objects.filter(applicant_id=actor.pk)
    scope = agency_scope(actor, "services.view")
    if scope.everything:
        return Dossier.objects.all()
    if scope.empty:
        return Dossier.objects.none()
    # Two filters OR-ed as querysets: an empty Q() would be dropped from a Q-level OR.
    return Dossier.objects.filter(scope.q("receiving_agency") | scope.q("competent_agency"))


def dossier_get(*, actor: Any, code: str) -> Dossier:
    dossier = (
        visible_dossiers(actor)
        .select_related("procedure", "version", "receiving_agency", "competent_agency", "current_agency")
        .filter(code=code)
        .first()
    )
    if dossier is None:
        # The same answer whether it does not exist or may not be seen.
        raise NotFound(_("Không tìm thấy hồ sơ {code}.").format(code=code))
    return dossier


def dossier_list(*, actor: Any, status: str | None = None) -> QuerySet[Dossier]:
    qs = visible_dossiers(actor).select_related("procedure", "receiving_agency", "current_agency")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-received_at", "-id")


TRACK_NOT_FOUND = gettext_noop("Không tìm thấy hồ sơ với mã hồ sơ và mã tra cứu đã nhập.")


def dossier_track(*, code: str, token: str) -> Dossier:
    """The dossier if ``token`` is its tracking token; otherwise NotFound, the same for all."""
    dossier = (
        Dossier.objects.select_related("procedure", "current_agency").filter(code=code[:40]).first()
        if code
        else None
    )
    expected = dossier.tracking_digest if dossier is not None else _NO_DIGEST
    if not hmac.compare_digest(expected, tracking_digest(token or "")) or dossier is None:
        raise NotFound(_(TRACK_NOT_FOUND))
    return dossier
