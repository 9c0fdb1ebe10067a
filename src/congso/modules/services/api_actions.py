"""HTTP API of dossier processing (processing.py), mounted beside api.py at /api/v1/services/.

- ``POST /dossiers/{code}/actions/{action}``: ``accept``, ``request_supplement``, ``supplement``,
  ``refuse``, ``hand_over``, ``apologise``, ``decide``, ``return_result``, ``withdraw``; a JSON
  body per action. Answers the dossier as it now stands and the paper the action produced (with
  the address to download it), or ``slip: null``. An action that does not fit the dossier's status
  is 409 and changes nothing, so a repeated request never acts twice.
- ``GET /dossiers/{code}/slips/{kind}``: the latest paper of that kind as a PDF (``?sha256=`` for
  an earlier one).
- ``GET /dossiers/{code}/events``: the process control log, paginated.
- ``GET /queue``: the caller's queue of open steps, soonest due first, overdue ones flagged.

A dossier the caller may not see is 404 (as in api.py); an action without the right is 403.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router, Schema

from congso.core.accounts.models import AccountKind
from congso.core.accounts.selectors import user_by_username
from congso.core.api.auth import AUTH
from congso.core.api.params import paginate
from congso.core.errors import InvalidInput, NotFound
from congso.core.files import blob_read
from congso.modules.services import processing, selectors
from congso.modules.services.models import Dossier, DossierEvent, DossierSlip, DossierStep, SlipKind
from congso.modules.services.services import Attachment

router = Router(tags=["services: processing"], auth=AUTH)


# --- Schemas -------------------------------------------------------------------------------------


class StepOut(Schema):
    order: int
    name: str
    role: str
    agency_code: str
    agency_name: str
    official: str | None
    days: int
    started_at: dt.datetime | None
    due_at: dt.datetime
    done_at: dt.datetime | None


class ProcessedDossierOut(Schema):
    code: str
    procedure_code: str
    procedure_name: str
    status: str
    status_label: str
    applicant_name: str
    receiving_agency_code: str
    competent_agency_code: str
    current_agency_code: str
    current_agency_name: str
    received_at: dt.datetime
    due_at: dt.datetime
    paused_days: int
    paused_at: dt.datetime | None
    decided_at: dt.datetime | None
    returned_at: dt.datetime | None
    on_time: bool | None
    steps: list[StepOut]


class SlipOut(Schema):
    kind: str
    kind_label: str
    sha256: str
    size: int
    signed: bool
    created_at: dt.datetime
    url: str


class ActionOut(Schema):
    dossier: ProcessedDossierOut
    slip: SlipOut | None


class AttachmentIn(Schema):
    document: str
    name: str
    content_type: str = "application/pdf"
    content_base64: str


class SupplementRequestIn(Schema):
    items: list[str]
    reason: str


class SupplementIn(Schema):
    attachments: list[AttachmentIn] = []
    form: dict[str, Any] = {}
    note: str = ""


class RefuseIn(Schema):
    reasons: list[str]


class HandOverIn(Schema):
    to_official: str = ""  # username; empty: the next step's agency, no one in particular
    note: str = ""


class ApologiseIn(Schema):
    reason: str
    new_due: dt.date


class DecideIn(Schema):
    title: str
    body: str


class NoteIn(Schema):
    note: str = ""


class WithdrawIn(Schema):
    reason: str = ""


class EventOut(Schema):
    action: str
    action_label: str
    step: int | None
    from_party: str
    from_agency_code: str | None
    to_party: str
    to_agency_code: str | None
    at: dt.datetime
    note: str


class EventPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[EventOut]


class QueueItemOut(Schema):
    code: str
    procedure_name: str
    applicant_name: str
    step: int
    step_name: str
    role: str
    agency_code: str
    agency_name: str
    official: str | None
    started_at: dt.datetime | None
    due_at: dt.datetime
    overdue: bool
    paused: bool


class QueuePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[QueueItemOut]


# --- Rendering -----------------------------------------------------------------------------------


def _step_out(s: DossierStep) -> dict[str, Any]:
    return {
        "order": s.order,
        "name": s.name,
        "role": s.role,
        "agency_code": s.agency.code,
        "agency_name": s.agency.name,
        "official": s.official.username if s.official is not None else None,
        "days": s.days,
        "started_at": s.started_at,
        "due_at": s.due_at,
        "done_at": s.done_at,
    }


def _dossier_out(d: Dossier) -> dict[str, Any]:
    return {
        "code": d.code,
        "procedure_code": d.procedure.code,
        "procedure_name": d.procedure.name,
        "status": d.status,
        "status_label": d.get_status_display(),
        "applicant_name": d.applicant_name,
        "receiving_agency_code": d.receiving_agency.code,
        "competent_agency_code": d.competent_agency.code,
        "current_agency_code": d.current_agency.code,
        "current_agency_name": d.current_agency.name,
        "received_at": d.received_at,
        "due_at": d.due_at,
        "paused_days": d.paused_days,
        "paused_at": d.paused_at,
        "decided_at": d.decided_at,
        "returned_at": d.returned_at,
        "on_time": d.on_time,
        "steps": [_step_out(s) for s in selectors.dossier_steps(d)],
    }


def slip_url(d: Dossier, slip: DossierSlip) -> str:
    path = reverse("api-v1:services_dossier_slip", kwargs={"code": d.code, "kind": slip.kind})
    return f"{path}?sha256={slip.sha256}"


def _slip_out(d: Dossier, slip: DossierSlip | None) -> dict[str, Any] | None:
    if slip is None:
        return None
    return {
        "kind": slip.kind,
        "kind_label": slip.get_kind_display(),
        "sha256": slip.sha256,
        "size": slip.size,
        "signed": slip.signed,
        "created_at": slip.created_at,
        "url": slip_url(d, slip),
    }


def _act(
    request: HttpRequest, code: str, action: Callable[..., processing.ActionResult], **kwargs: Any
) -> dict[str, Any]:
    # Only a dossier the caller may see can be acted on; any other is 404, like GET.
    dossier = selectors.dossier_get(actor=request.user, code=code)
    result = action(actor=request.user, dossier=dossier, **kwargs)
    result.dossier.refresh_from_db()  # every date as stored (UTC), like the other endpoints
    return {"dossier": _dossier_out(result.dossier), "slip": _slip_out(result.dossier, result.slip)}


# --- Actions -------------------------------------------------------------------------------------


@router.post("/dossiers/{code}/actions/accept", response=ActionOut, summary="Tiếp nhận hồ sơ")
def accept(request: HttpRequest, code: str) -> dict[str, Any]:
    return _act(request, code, processing.dossier_accept)


@router.post("/dossiers/{code}/actions/request_supplement", response=ActionOut, summary="Yêu cầu bổ sung")
def request_supplement(request: HttpRequest, code: str, body: SupplementRequestIn) -> dict[str, Any]:
    return _act(request, code, processing.dossier_request_supplement, items=body.items, reason=body.reason)


@router.post("/dossiers/{code}/actions/supplement", response=ActionOut, summary="Nộp bổ sung hồ sơ")
def supplement(request: HttpRequest, code: str, body: SupplementIn) -> dict[str, Any]:
    attachments = [
        Attachment.from_base64(
            document=a.document, name=a.name, content_base64=a.content_base64, content_type=a.content_type
        )
        for a in body.attachments
    ]
    return _act(
        request, code, processing.dossier_supplement, attachments=attachments, form=body.form, note=body.note
    )


@router.post("/dossiers/{code}/actions/refuse", response=ActionOut, summary="Từ chối giải quyết")
def refuse(request: HttpRequest, code: str, body: RefuseIn) -> dict[str, Any]:
    return _act(request, code, processing.dossier_refuse, reasons=body.reasons)


@router.post("/dossiers/{code}/actions/hand_over", response=ActionOut, summary="Chuyển bước xử lý")
def hand_over(request: HttpRequest, code: str, body: HandOverIn) -> dict[str, Any]:
    to_official = None
    username = body.to_official.strip()
    if username:
        to_official = user_by_username(username)
        if to_official is None or to_official.kind != AccountKind.OFFICIAL:
            raise InvalidInput(
                _("Không có cán bộ '{username}'.").format(username=username),
                errors=[{"field": "to_official", "message": _("cán bộ không tồn tại")}],
            )
    return _act(request, code, processing.dossier_hand_over, to_official=to_official, note=body.note)


@router.post("/dossiers/{code}/actions/apologise", response=ActionOut, summary="Xin lỗi, hẹn lại ngày trả")
def apologise(request: HttpRequest, code: str, body: ApologiseIn) -> dict[str, Any]:
    return _act(request, code, processing.dossier_apologise, reason=body.reason, new_due=body.new_due)


@router.post("/dossiers/{code}/actions/decide", response=ActionOut, summary="Ký kết quả giải quyết")
def decide(request: HttpRequest, code: str, body: DecideIn) -> dict[str, Any]:
    return _act(request, code, processing.dossier_decide, title=body.title, body=body.body)


@router.post("/dossiers/{code}/actions/return_result", response=ActionOut, summary="Trả kết quả")
def return_result(request: HttpRequest, code: str, body: NoteIn | None = None) -> dict[str, Any]:
    return _act(request, code, processing.dossier_return_result, note=body.note if body else "")


@router.post("/dossiers/{code}/actions/withdraw", response=ActionOut, summary="Rút hồ sơ")
def withdraw(request: HttpRequest, code: str, body: WithdrawIn | None = None) -> dict[str, Any]:
    return _act(request, code, processing.dossier_withdraw, reason=body.reason if body else "")


# --- Reading ---------------------------------------------------------------------------------------


@router.get("/dossiers/{code}/slips/{kind}", url_name="services_dossier_slip", summary="Tải phiếu (PDF)")
def slip(request: HttpRequest, code: str, kind: str, sha256: str = "") -> HttpResponse:
    d = selectors.dossier_get(actor=request.user, code=code)
    if kind not in SlipKind.values:
        raise NotFound(_("Không có loại phiếu '{kind}'.").format(kind=kind))
    s = selectors.dossier_slip(d, kind, sha256=sha256 or None)
    response = HttpResponse(blob_read(s.sha256), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{d.code}-{s.kind}.pdf"'
    return response


def _event_out(e: DossierEvent) -> dict[str, Any]:
    return {
        "action": e.action,
        "action_label": e.get_action_display(),
        "step": e.step.order if e.step is not None else None,
        "from_party": e.from_label,
        "from_agency_code": e.from_agency.code if e.from_agency is not None else None,
        "to_party": e.to_label,
        "to_agency_code": e.to_agency.code if e.to_agency is not None else None,
        "at": e.at,
        "note": e.note,
    }


@router.get("/dossiers/{code}/events", response=EventPage, summary="Phiếu kiểm soát quá trình")
def events(request: HttpRequest, code: str, page: int = 1, page_size: int = 50) -> dict[str, Any]:
    d = selectors.dossier_get(actor=request.user, code=code)
    items, meta = paginate(selectors.dossier_events(d), page, page_size)
    return {**meta, "items": [_event_out(e) for e in items]}


@router.get("/queue", response=QueuePage, summary="Hồ sơ cần xử lý")
def queue(request: HttpRequest, page: int = 1, page_size: int = 20) -> dict[str, Any]:
    items, meta = paginate(selectors.dossier_queue(actor=request.user), page, page_size)
    return {
        **meta,
        "items": [
            {
                "code": s.dossier.code,
                "procedure_name": s.dossier.procedure.name,
                "applicant_name": s.dossier.applicant_name,
                "step": s.order,
                "step_name": s.name,
                "role": s.role,
                "agency_code": s.agency.code,
                "agency_name": s.agency.name,
                "official": s.official.username if s.official is not None else None,
                "started_at": s.started_at,
                "due_at": s.due_at,
                "overdue": s.overdue,
                "paused": s.paused,
            }
            for s in items
        ],
    }
