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

from django.db.models import Case, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from congso.core.accounts.models import AccountKind, Role
from congso.core.errors import NotFound
from congso.core.policy import agency_scope
from congso.core.search.text import fold
from congso.modules.services import services as _services
from congso.modules.services.models import (
    Dossier,
    DossierEvent,
    DossierSlip,
    DossierStatus,
    DossierStep,
    Procedure,
    ProcedureVersion,
    SlipKind,
)
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
    # Also the agencies a step of it is at (a ward checking a department's dossier, processing.py).
    at_a_step = DossierStep.objects.filter(scope.q("agency")).values("dossier_id")
    return Dossier.objects.filter(
        scope.q("receiving_agency") | scope.q("competent_agency") | Q(pk__in=at_a_step)
    )


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


# --- Processing (processing.py) -------------------------------------------------------------------


def dossier_queue(*, actor: Any, now: dt.datetime | None = None) -> QuerySet[DossierStep]:
    """An official's queue: the open steps (started, not done) of dossiers being settled, at the
    agencies where they hold "services.receive" (the desk's steps) or "services.process" (the
    others), given to them or to no one in particular; soonest due first. Each row carries
    ``overdue`` (due before ``now`` and the clock running) and ``paused`` (waiting for a
    supplement)."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return DossierStep.objects.none()
    if actor.kind != AccountKind.OFFICIAL:
        return DossierStep.objects.none()
    receive, process = agency_scope(actor, "services.receive"), agency_scope(actor, "services.process")
    if receive.empty and process.empty:
        return DossierStep.objects.none()
    moment = now or _services._now()
    desk = Q(role=Role.DESK_OFFICER)
    running = Q(dossier__status=DossierStatus.IN_PROGRESS)
    return (
        DossierStep.objects.filter(
            started_at__isnull=False,
            done_at__isnull=True,
            dossier__status__in=(DossierStatus.IN_PROGRESS, DossierStatus.SUPPLEMENT_REQUESTED),
        )
        # A scope over everything is an empty Q(), which "&" keeps harmless (it is never OR-ed alone).
        .filter((desk & receive.q("agency")) | (~desk & process.q("agency")))
        .filter(Q(official__isnull=True) | Q(official_id=actor.pk))
        .select_related("dossier__procedure", "agency", "official")
        .annotate(
            overdue=Case(When(running & Q(due_at__lt=moment), then=Value(True)), default=Value(False)),
            paused=Case(
                When(dossier__status=DossierStatus.SUPPLEMENT_REQUESTED, then=Value(True)),
                default=Value(False),
            ),
        )
        .order_by("due_at", "id")
    )


def dossier_events(dossier: Dossier) -> QuerySet[DossierEvent]:
    """The process control log of a dossier (the caller has already been allowed to see it)."""
    return dossier.events.select_related("step", "from_user", "from_agency", "to_user", "to_agency").order_by(
        "at", "id"
    )


def dossier_steps(dossier: Dossier) -> QuerySet[DossierStep]:
    return dossier.steps.select_related("agency", "official").order_by("order")


def dossier_slip(dossier: Dossier, kind: str, *, sha256: str | None = None) -> DossierSlip:
    """The latest paper of ``kind`` filed for the dossier (or the one with ``sha256``)."""
    qs = dossier.slips.filter(kind=kind)
    if sha256:
        qs = qs.filter(sha256=sha256)
    slip = qs.order_by("-created_at", "-id").first()
    if slip is None:
        raise NotFound(
            _("Hồ sơ {code} chưa có {kind}.").format(
                code=dossier.code, kind=SlipKind(kind).label if kind in SlipKind.values else kind
            )
        )
    return slip
