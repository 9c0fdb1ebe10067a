"""HTTP API of the document module, mounted at /api/v1/documents/.

Incoming documents arrive as a multipart upload (the PDF in ``file``, metadata in form fields) or
as an edXML package (``Content-Type: application/xml`` body, or a ``.xml`` file in ``file``).
Outgoing documents are drafted from JSON (the text is rendered to PDF) or from a multipart upload
of the PDF; then each step of the flow is an action: ``/{id}/submit``, ``/approve``, ``/return``,
``/sign``, ``/issue``, ``/dispatch`` for outgoing; ``/register``, ``/refuse``, ``/present``,
``/assign``, ``/delegate``, ``/comment``, ``/complete`` for incoming.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja import Status as HttpStatus

from congso.core.api.auth import AUTH
from congso.core.api.params import paginate, parse_date
from congso.core.errors import InvalidInput, NotFound, PayloadTooLarge
from congso.core.files import blob_read
from congso.core.org.models import Agency
from congso.core.org.selectors import agency_get
from congso.modules.documents import selectors, services
from congso.modules.documents.models import Document

router = Router(tags=["documents"], auth=AUTH)


# --- Schemas -------------------------------------------------------------------------------------


class FileOut(Schema):
    id: int
    role: str
    name: str
    content_type: str
    size: int
    sha256: str


class TrailOut(Schema):
    at: dt.datetime
    actor: str
    action: str
    note: str


class RecipientOut(Schema):
    agency_code: str
    name: str
    channel: str
    status: str
    status_label: str


class DocumentOut(Schema):
    id: int
    direction: str
    status: str
    status_label: str
    agency_code: str
    agency_name: str
    doc_type: str
    number: int | None
    notation: str
    number_notation: str
    year: int | None
    issued_on: dt.date | None
    issuer_code: str
    issuer_name: str
    summary: str
    signer_name: str
    signer_position: str
    pages: int
    urgency: str
    secrecy: str
    deadline: dt.date | None
    arrival_number: int | None
    arrival_year: int | None
    received_at: dt.datetime | None
    channel: str
    relates_to: int | None
    relation: str
    file: FileOut | None
    signature_report: dict[str, Any] | None


class DocumentDetailOut(DocumentOut):
    recipients: list[RecipientOut]
    trail: list[TrailOut]
    files: list[FileOut]


class PageOut(Schema):
    count: int
    page: int
    page_size: int
    items: list[DocumentOut]


class ExternalIn(Schema):
    code: str
    name: str


class OutgoingIn(Schema):
    agency: str | None = None
    doc_type: str
    summary: str
    body: str = ""
    recipients: list[str] = []
    external_recipients: list[ExternalIn] = []
    urgency: str = "normal"
    secrecy: str = "normal"
    deadline: dt.date | None = None
    signer_name: str = ""
    signer_position: str = ""
    relates_to: int | None = None
    relation: str = ""


class NoteIn(Schema):
    note: str = ""


class AssignIn(Schema):
    lead_unit: str | None = None
    lead_official: str | None = None
    coordinating_units: list[str] = []
    coordinating_officials: list[str] = []
    deadline: dt.date | None = None
    note: str = ""


class DelegateIn(Schema):
    handler: str
    note: str = ""


class RecallAnswerIn(Schema):
    accept: bool
    note: str = ""


# --- Rendering -----------------------------------------------------------------------------------


def _file_out(file: Any) -> dict[str, Any] | None:
    if file is None:
        return None
    return {
        "id": file.pk,
        "role": file.role,
        "name": file.name,
        "content_type": file.content_type,
        "size": file.size,
        "sha256": file.sha256,
    }


def _out(d: Document) -> dict[str, Any]:
    return {
        "id": d.pk,
        "direction": d.direction,
        "status": d.status,
        "status_label": d.get_status_display(),
        "agency_code": d.agency.code,
        "agency_name": d.agency.name,
        "doc_type": d.doc_type,
        "number": d.number,
        "notation": d.notation,
        "number_notation": d.number_notation,
        "year": d.year,
        "issued_on": d.issued_on,
        "issuer_code": d.issuer_code,
        "issuer_name": d.issuer_name,
        "summary": d.summary,
        "signer_name": d.signer_name,
        "signer_position": d.signer_position,
        "pages": d.pages,
        "urgency": d.urgency,
        "secrecy": d.secrecy,
        "deadline": d.deadline,
        "arrival_number": d.arrival_number,
        "arrival_year": d.arrival_year,
        "received_at": d.received_at,
        "channel": d.channel,
        "relates_to": d.relates_to_id,
        "relation": d.relation,
        "file": _file_out(d.current_file),
        "signature_report": d.current_file.signature_report if d.current_file else None,
    }


def _detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    d = selectors.document_get(actor=request.user, pk=pk)
    out = _out(d)
    out["recipients"] = [
        {
            "agency_code": r.agency.code if r.agency else r.external_code,
            "name": r.agency.name if r.agency else r.external_name,
            "channel": r.channel,
            "status": r.status,
            "status_label": r.get_status_display(),
        }
        for r in d.recipients.select_related("agency")
    ]
    out["trail"] = [
        {"at": t.at, "actor": t.actor_name, "action": t.action, "note": t.note}
        for t in selectors.document_trail(actor=request.user, document=d)
    ]
    out["files"] = [_file_out(f) for f in d.files.all()]
    return out


def _agency(request: HttpRequest, code: str | None) -> Agency:
    if code:
        return agency_get(code=code)
    agency = getattr(request.user, "agency", None)
    if agency is None:
        raise InvalidInput(
            _("Cần nêu cơ quan (agency)."), errors=[{"field": "agency", "message": _("bắt buộc")}]
        )
    return agency


def _official(username: str) -> Any:
    user = get_user_model().objects.filter(username=username, is_active=True).select_related("agency").first()
    if user is None:
        raise InvalidInput(
            _("Không có cán bộ có tên đăng nhập {u}.").format(u=username),
            errors=[{"field": "handler", "message": _("không tồn tại")}],
        )
    return user


def _upload(request: HttpRequest, field: str = "file", required: bool = True) -> services.Upload | None:
    upload = request.FILES.get(field)
    if upload is None:
        if required:
            raise InvalidInput(
                _("Thiếu tệp: gửi tệp trong trường '{f}' của biểu mẫu multipart.").format(f=field),
                errors=[{"field": field, "message": _("bắt buộc phải có")}],
            )
        return None
    if upload.size and upload.size > services.MAX_FILE_BYTES:
        raise PayloadTooLarge(_("Tệp '{name}' vượt quá 50 MB.").format(name=upload.name))
    return services.Upload(
        name=upload.name or "van-ban.pdf",
        content=upload.read(),
        content_type=(upload.content_type or services.PDF).split(";")[0],
    )


def _date_field(value: str | None, field: str) -> dt.date | None:
    return parse_date(value, field=field) if value else None


# --- Lists, search, files ------------------------------------------------------------------------


@router.get("", response=PageOut, summary="Danh sách văn bản (trong phạm vi được xem)")
def document_list(
    request: HttpRequest,
    direction: str | None = None,
    status: str | None = None,
    queue: str | None = None,
    page: int = 1,
    page_size: int = 20,
) -> Any:
    if queue == "incoming":
        qs = selectors.incoming_queue(actor=request.user)
    elif queue == "mine":
        qs = selectors.my_work(actor=request.user)
    elif queue == "overdue":
        qs = selectors.overdue_documents(actor=request.user)
    else:
        qs = selectors.document_list(actor=request.user, direction=direction, status=status)
    items, meta = paginate(qs.select_related("current_file"), page, page_size)
    return {**meta, "items": [_out(d) for d in items]}


class FacetOut(Schema):
    value: str
    label: str
    count: int


class SearchOut(PageOut):
    mode: str
    # True when more than ``count`` documents match (count = search.COUNT_CAP, no facet counts).
    total_capped: bool = False
    facets: dict[str, list[FacetOut]]


@router.get("/search", response=SearchOut, summary="Tìm văn bản: không dấu hoặc có dấu, số ký hiệu chính xác")
def document_search(
    request: HttpRequest,
    q: str = "",
    doc_type: str | None = None,
    direction: str | None = None,
    year: int | None = None,
    status: str | None = None,
    urgency: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    page: int = 1,
    page_size: int = 20,
) -> Any:
    from congso.modules.documents.search import document_search as search

    result = search(
        actor=request.user,
        q=q,
        doc_type=doc_type,
        direction=direction,
        year=year,
        status=status,
        urgency=urgency,
        date_from=_date_field(date_from, "date_from"),
        date_to=_date_field(date_to, "date_to"),
        page=page,
        page_size=page_size,
    )
    return {
        "count": result.total,
        "page": result.page,
        "page_size": result.page_size,
        "mode": result.mode,
        "total_capped": result.total_capped,
        "items": [_out(d) for d in result.items],
        "facets": {
            name: [{"value": str(v), "label": label, "count": n} for v, label, n in values]
            for name, values in result.facets.items()
        },
    }


@router.get("/{int:pk}", response=DocumentDetailOut, summary="Chi tiết văn bản, nơi nhận và luồng xử lý")
def document_detail(request: HttpRequest, pk: int) -> Any:
    return _detail(request, pk)


@router.get("/{int:pk}/file", summary="Tệp văn bản (bản hiện hành: đã ký nếu đã ký)")
def document_file(request: HttpRequest, pk: int, file_id: int | None = None) -> HttpResponse:
    d = selectors.document_get(actor=request.user, pk=pk)
    file = d.files.filter(pk=file_id).first() if file_id else d.current_file
    if file is None:
        raise NotFound(_("Văn bản chưa có tệp."))
    response = HttpResponse(blob_read(file.sha256), content_type=file.content_type)
    response["Content-Disposition"] = f'inline; filename="{file.name}"'
    response["X-Content-SHA256"] = file.sha256
    return response


@router.get("/{int:pk}/edxml", summary="Gói edXML (QCVN 102:2016) của văn bản")
def document_edxml(request: HttpRequest, pk: int) -> HttpResponse:
    from congso.modules.documents import exchange

    d = selectors.document_get(actor=request.user, pk=pk)
    response = HttpResponse(exchange.envelope_for(d), content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="van-ban-{d.pk}.edxml.xml"'
    return response


# --- Outgoing ------------------------------------------------------------------------------------


@router.post(
    "/outgoing",
    response={201: DocumentDetailOut},
    summary="Tạo dự thảo văn bản đi (JSON: soạn nội dung; multipart: tải PDF dự thảo)",
)
def outgoing_create(request: HttpRequest) -> Any:
    import json

    if (request.content_type or "") == "multipart/form-data":
        data: dict[str, Any] = {k: v for k, v in request.POST.items()}
        data["recipients"] = request.POST.getlist("recipients")
        file = _upload(request)
        attachments = [
            services.Upload(u.name or "phu-luc", u.read(), (u.content_type or "application/octet-stream"))
            for u in request.FILES.getlist("attachments")
        ]
    else:
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            raise InvalidInput(_("Nội dung JSON không hợp lệ.")) from None
        file, attachments = None, []
    payload = OutgoingIn(**data)
    relates = (
        selectors.document_get(actor=request.user, pk=payload.relates_to) if payload.relates_to else None
    )
    document = services.document_draft_create(
        actor=request.user,
        agency=_agency(request, payload.agency),
        spec=services.DraftSpec(
            doc_type=payload.doc_type,
            summary=payload.summary,
            body=payload.body,
            file=file,
            attachments=attachments,
            recipient_codes=payload.recipients,
            external_recipients=[(e.code, e.name) for e in payload.external_recipients],
            urgency=payload.urgency,
            secrecy=payload.secrecy,
            deadline=payload.deadline,
            signer_name=payload.signer_name,
            signer_position=payload.signer_position,
            relates_to=relates,
            relation=payload.relation,
        ),
    )
    return HttpStatus(201, _detail(request, document.pk))


def _action(request: HttpRequest, pk: int, fn: Any, **kwargs: Any) -> Any:
    document = selectors.document_get(actor=request.user, pk=pk)
    fn(actor=request.user, document=document, **kwargs)
    return _detail(request, pk)


@router.post("/{int:pk}/submit", response=DocumentDetailOut, summary="Trình duyệt dự thảo")
def outgoing_submit(request: HttpRequest, pk: int, body: NoteIn) -> Any:
    return _action(request, pk, services.document_submit_review, note=body.note)


@router.post("/{int:pk}/approve", response=DocumentDetailOut, summary="Lãnh đạo duyệt dự thảo")
def outgoing_approve(request: HttpRequest, pk: int, body: NoteIn) -> Any:
    return _action(request, pk, services.document_approve, note=body.note)


@router.post("/{int:pk}/return", response=DocumentDetailOut, summary="Trả lại dự thảo kèm ý kiến")
def outgoing_return(request: HttpRequest, pk: int, body: NoteIn) -> Any:
    return _action(request, pk, services.document_return, comment=body.note)


@router.post(
    "/{int:pk}/sign", response=DocumentDetailOut, summary="Lãnh đạo ký số (PAdES, chữ ký hiện trên văn bản)"
)
def outgoing_sign(request: HttpRequest, pk: int) -> Any:
    return _action(request, pk, services.document_sign)


@router.post(
    "/{int:pk}/issue", response=DocumentDetailOut, summary="Văn thư cấp số, ký hiệu và ký số của cơ quan"
)
def outgoing_issue(request: HttpRequest, pk: int) -> Any:
    return _action(request, pk, services.document_issue)


@router.post("/{int:pk}/dispatch", response=DocumentDetailOut, summary="Phát hành cho nơi nhận")
def outgoing_dispatch(request: HttpRequest, pk: int) -> Any:
    return _action(request, pk, services.document_dispatch)


# --- Incoming ------------------------------------------------------------------------------------


@router.post(
    "/incoming",
    response={201: DocumentDetailOut},
    summary="Tiếp nhận văn bản đến: tệp PDF (multipart) hoặc gói edXML",
)
def incoming_create(request: HttpRequest, agency: str | None = None, auto_register: bool = True) -> Any:
    content_type = (request.content_type or "").lower()
    target = _agency(request, agency or request.POST.get("agency"))
    if content_type in {"application/xml", "text/xml", "application/edxml+xml"}:
        document = services.document_receive_edxml(
            actor=request.user, agency=target, package=request.body, register=auto_register
        )
        return HttpStatus(201, _detail(request, document.pk))
    if content_type != "multipart/form-data":
        raise InvalidInput(
            _(
                "Gửi tệp PDF bằng multipart/form-data (trường 'file') "
                "hoặc gói edXML với Content-Type application/xml."
            )
        )
    upload = _upload(request)
    assert upload is not None
    if upload.name.lower().endswith(".xml"):
        document = services.document_receive_edxml(
            actor=request.user, agency=target, package=upload.content, register=auto_register
        )
        return HttpStatus(201, _detail(request, document.pk))
    post = request.POST
    document = services.document_receive(
        actor=request.user,
        agency=target,
        spec=services.IncomingSpec(
            doc_type=post.get("doc_type", ""),
            number_notation=post.get("number_notation", ""),
            issuer_name=post.get("issuer_name", ""),
            issuer_code=post.get("issuer_code", ""),
            summary=post.get("summary", ""),
            issued_on=_date_field(post.get("issued_on"), "issued_on"),
            signer_name=post.get("signer_name", ""),
            signer_position=post.get("signer_position", ""),
            pages=int(post.get("pages") or 1),
            urgency=post.get("urgency", "normal"),
            secrecy=post.get("secrecy", "normal"),
            deadline=_date_field(post.get("deadline"), "deadline"),
        ),
        file=upload,
        paper=post.get("paper", "").lower() in {"1", "true", "on", "yes"},
        register=auto_register,
    )
    return HttpStatus(201, _detail(request, document.pk))


@router.post("/{int:pk}/register", response=DocumentDetailOut, summary="Vào sổ văn bản đến (cấp số đến)")
def incoming_register(request: HttpRequest, pk: int) -> Any:
    return _action(request, pk, services.document_register)


@router.post("/{int:pk}/refuse", response=DocumentDetailOut, summary="Từ chối văn bản đến, nêu lý do")
def incoming_refuse(request: HttpRequest, pk: int, body: NoteIn) -> Any:
    return _action(request, pk, services.document_refuse, reason=body.note)


@router.post("/{int:pk}/present", response=DocumentDetailOut, summary="Trình lãnh đạo")
def incoming_present(request: HttpRequest, pk: int, body: NoteIn) -> Any:
    return _action(request, pk, services.document_present, note=body.note)


@router.post(
    "/{int:pk}/assign", response=DocumentDetailOut, summary="Lãnh đạo giao chủ trì, phối hợp, hạn xử lý"
)
def incoming_assign(request: HttpRequest, pk: int, body: AssignIn) -> Any:
    if bool(body.lead_unit) == bool(body.lead_official):
        raise InvalidInput(
            _("Cần nêu đúng một đơn vị chủ trì (lead_unit) hoặc một cán bộ chủ trì (lead_official)."),
            errors=[{"field": "lead_unit", "message": _("bắt buộc, chỉ một")}],
        )
    lead: Any = agency_get(code=body.lead_unit) if body.lead_unit else _official(body.lead_official or "")
    coordinating: list[Any] = [agency_get(code=c) for c in body.coordinating_units]
    coordinating += [_official(u) for u in body.coordinating_officials]
    return _action(
        request,
        pk,
        services.document_assign,
        lead=lead,
        coordinating=coordinating,
        deadline=body.deadline,
        note=body.note,
    )


@router.post("/{int:pk}/delegate", response=DocumentDetailOut, summary="Chuyển cán bộ xử lý")
def incoming_delegate(request: HttpRequest, pk: int, body: DelegateIn) -> Any:
    return _action(request, pk, services.document_delegate, handler=_official(body.handler), note=body.note)


@router.post("/{int:pk}/comment", response=DocumentDetailOut, summary="Ghi ý kiến xử lý")
def incoming_comment(request: HttpRequest, pk: int, body: NoteIn) -> Any:
    return _action(request, pk, services.document_comment, note=body.note)


@router.post("/{int:pk}/complete", response=DocumentDetailOut, summary="Hoàn thành xử lý")
def incoming_complete(request: HttpRequest, pk: int, body: NoteIn) -> Any:
    return _action(request, pk, services.document_complete, note=body.note)


@router.post("/{int:pk}/recall-answer", response=DocumentDetailOut, summary="Trả lời đề nghị thu hồi")
def incoming_recall_answer(request: HttpRequest, pk: int, body: RecallAnswerIn) -> Any:
    return _action(request, pk, services.document_recall_answer, accept=body.accept, note=body.note)


router.add_router("/tasks", "congso.modules.documents.api_tasks.router")  # executive tasks
