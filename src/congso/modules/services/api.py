"""HTTP API of the services module, mounted at /api/v1/services/.

- ``GET /procedures`` (search by folded name or exact code, paginated) and ``GET /procedures/{code}``:
  the public catalogue, no login.
- ``POST /dossiers``: a citizen files online, a desk officer enters a paper dossier. Honours the
  ``Idempotency-Key`` header: a retry returns the first dossier (200, ``Idempotent-Replayed: true``)
  with the same body, tracking token included; the same key with another body is 409.
- ``GET /dossiers/{code}``: the applicant, or officials of the agencies involved; others get 404.
- ``GET /track/{code}?token=…``: public tracking, no login; reveals only the code, the procedure,
  the status, the dates and the office now handling it. A wrong token and an unknown code give
  byte-identical 404s.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja import Status as HttpStatus

from congso.core.api import problems
from congso.core.api.auth import AUTH
from congso.core.api.params import paginate
from congso.core.errors import NotFound
from congso.core.files import blob_read
from congso.modules.services import selectors, services
from congso.modules.services.models import Dossier, DossierFile, DossierStatus, Procedure

router = Router(tags=["services"], auth=AUTH)


# --- Schemas -------------------------------------------------------------------------------------


class ProcedureOut(Schema):
    code: str
    name: str
    field: str
    level: str
    level_label: str
    online_level: str
    online_level_label: str
    processing_days: int | None
    fee: int | None
    fee_unit: str


class ProcedurePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ProcedureOut]


class DocumentOut(Schema):
    name: str
    copies: int
    original: bool
    required: bool
    state_held: str


class FieldOut(Schema):
    name: str
    label: str
    type: str
    required: bool
    choices: list[str]


class StepOut(Schema):
    name: str
    role: str
    agency_level: str
    days: int


class ProcedureDetail(ProcedureOut):
    competent_kind: str
    competent_agency_code: str
    version: int | None
    valid_from: dt.date | None
    legal_basis: str
    fee_note: str
    documents: list[DocumentOut]
    form_fields: list[FieldOut]
    steps: list[StepOut]


class AttachmentIn(Schema):
    document: str
    name: str
    content_type: str = "application/pdf"
    content_base64: str


class DossierIn(Schema):
    procedure: str
    form: dict[str, Any] = {}
    attachments: list[AttachmentIn] = []
    agency: str = ""
    competent_agency: str = ""
    applicant_name: str = ""
    applicant_id_number: str = ""
    applicant_phone: str = ""
    applicant_email: str = ""


class FileOut(Schema):
    document: str
    name: str
    content_type: str
    size: int
    sha256: str


class DossierOut(Schema):
    code: str
    procedure_code: str
    procedure_name: str
    version: int
    channel: str
    status: str
    status_label: str
    applicant_name: str
    applicant_id_number: str
    receiving_agency_code: str
    receiving_agency_name: str
    competent_agency_code: str
    competent_agency_name: str
    current_agency_name: str
    form: dict[str, Any]
    files: list[FileOut]
    fee: int
    received_at: dt.datetime
    due_at: dt.datetime
    paused_days: int


class SubmittedOut(DossierOut):
    tracking_token: str | None


class TrackOut(Schema):
    code: str
    procedure_name: str
    status: str
    status_label: str
    received_on: dt.date
    due_on: dt.date
    handled_by: str


# --- Rendering -----------------------------------------------------------------------------------


def _procedure_out(p: Procedure, version: Any) -> dict[str, Any]:
    return {
        "code": p.code,
        "name": p.name,
        "field": p.field,
        "level": p.level,
        "level_label": p.get_level_display(),
        "online_level": p.online_level,
        "online_level_label": p.get_online_level_display(),
        "processing_days": version.processing_days if version else None,
        "fee": version.fee if version else None,
        "fee_unit": version.fee_unit if version else "",
    }


def _dossier_out(d: Dossier, files: list[DossierFile] | None = None) -> dict[str, Any]:
    return {
        "code": d.code,
        "procedure_code": d.procedure.code,
        "procedure_name": d.procedure.name,
        "version": d.version.number,
        "channel": d.channel,
        "status": d.status,
        "status_label": d.get_status_display(),
        "applicant_name": d.applicant_name,
        "applicant_id_number": d.applicant_id_number,
        "receiving_agency_code": d.receiving_agency.code,
        "receiving_agency_name": d.receiving_agency.name,
        "competent_agency_code": d.competent_agency.code,
        "competent_agency_name": d.competent_agency.name,
        "current_agency_name": d.current_agency.name,
        "form": d.form_data,
        "files": [
            {
                "document": f.document,
                "name": f.name,
                "content_type": f.content_type,
                "size": f.size,
                "sha256": f.sha256,
            }
            for f in (d.files.all() if files is None else files)
        ],
        "fee": d.version.fee,
        # Always in UTC, as read back from the database (a dossier just filed holds local times).
        "received_at": d.received_at.astimezone(dt.UTC),
        "due_at": d.due_at.astimezone(dt.UTC),
        "paused_days": d.paused_days,
    }


# --- Catalogue -----------------------------------------------------------------------------------


@router.get("/procedures", response=ProcedurePage, auth=None)
def procedures(
    request: HttpRequest,
    q: str | None = None,
    level: str | None = None,
    field: str | None = None,
    page: int = 1,
    page_size: int = 20,
) -> dict[str, Any]:
    items, meta = paginate(selectors.procedure_list(q=q, level=level, field=field), page, page_size)
    return {**meta, "items": [_procedure_out(p, selectors.version_on(p)) for p in items]}


@router.get("/procedures/{code}", response=ProcedureDetail, auth=None)
def procedure(request: HttpRequest, code: str) -> dict[str, Any]:
    p = selectors.procedure_get(code=code)
    v = selectors.version_on(p)
    return {
        **_procedure_out(p, v),
        "competent_kind": p.competent_kind,
        "competent_agency_code": p.competent_agency_code,
        "version": v.number if v else None,
        "valid_from": v.valid_from if v else None,
        "legal_basis": v.legal_basis if v else "",
        "fee_note": v.fee_note if v else "",
        "documents": v.documents if v else [],
        "form_fields": v.form_fields if v else [],
        "steps": v.steps if v else [],
    }


# --- Dossiers ------------------------------------------------------------------------------------


@router.post("/dossiers", response={200: SubmittedOut, 201: SubmittedOut})
def dossier_submit(request: HttpRequest, body: DossierIn, response: HttpResponse) -> Any:
    spec = services.SubmissionSpec(
        procedure_code=body.procedure,
        form=body.form,
        attachments=[
            services.Attachment.from_base64(
                document=a.document, name=a.name, content_base64=a.content_base64, content_type=a.content_type
            )
            for a in body.attachments
        ],
        agency_code=body.agency,
        competent_agency_code=body.competent_agency,
        applicant_name=body.applicant_name,
        applicant_id_number=body.applicant_id_number,
        applicant_phone=body.applicant_phone,
        applicant_email=body.applicant_email,
    )
    result = services.dossier_submit(
        actor=request.user, spec=spec, idempotency_key=request.headers.get("Idempotency-Key")
    )
    # The dossier as filed, with its procedure, version and agencies already attached: reading it
    # again through the selector cost ~3 ms a submission (the filer always may see it).
    out = {**_dossier_out(result.dossier, result.files), "tracking_token": result.tracking_token}
    if result.replayed:
        response["Idempotent-Replayed"] = "true"
        return HttpStatus(200, out)
    return HttpStatus(201, out)


@router.get("/dossiers/{code}", response=DossierOut)
def dossier(request: HttpRequest, code: str) -> dict[str, Any]:
    return _dossier_out(selectors.dossier_get(actor=request.user, code=code))


@router.get("/dossiers/{code}/files/{sha256}")
def dossier_file(request: HttpRequest, code: str, sha256: str) -> HttpResponse:
    d = selectors.dossier_get(actor=request.user, code=code)
    f = d.files.filter(sha256=sha256).first()
    if f is None:
        raise NotFound(_("Hồ sơ {code} không có tệp này.").format(code=code))
    response = HttpResponse(blob_read(f.sha256), content_type=f.content_type)
    response["Content-Disposition"] = f'attachment; filename="{f.sha256[:16]}"'
    return response


# --- Public tracking -----------------------------------------------------------------------------


def _handled_by(d: Dossier) -> str:
    return d.current_agency.name


@router.get("/track/{code}", response=TrackOut, auth=None)
def track(request: HttpRequest, code: str, token: str = "") -> Any:
    try:
        d = selectors.dossier_track(code=code, token=token)
    except NotFound as exc:
        # No "instance": the same bytes whatever the code or token asked about.
        return problems.problem(None, status=404, slug=exc.slug, title=_(exc.title), detail=str(exc.detail))
    return {
        "code": d.code,
        "procedure_name": d.procedure.name,
        "status": d.status,
        "status_label": DossierStatus(d.status).label,
        "received_on": timezone.localtime(d.received_at).date(),
        "due_on": timezone.localtime(d.due_at).date(),
        "handled_by": _handled_by(d),
    }


router.add_router("", "congso.modules.services.api_payments.router")  # fee payments (ADR 0017)
router.add_router("", "congso.modules.services.api_actions.router")  # dossier processing (ADR 0016)
router.add_router("", "congso.modules.services.api_stats.router")  # ratings and statistics (issue 5)
