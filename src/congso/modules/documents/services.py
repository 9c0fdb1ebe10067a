"""Every write of the document module: ``document_<verb>(*, actor, …)``.

Each runs in one transaction, checks the policy layer first, writes the visible trail and the audit
event inside that transaction, and leaves side effects (text extraction and OCR, notifications) to
after the commit. Files are stored by digest before the transaction (core.files): a rolled-back
transaction leaves at most an unreferenced blob, never a row pointing at nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from congso.core.audit.services import audit_record
from congso.core.errors import Conflict, Forbidden, InvalidInput
from congso.core.files import blob_put, blob_read
from congso.core.org.models import Agency
from congso.core.org.selectors import agency_get
from congso.core.policy import authorize, can
from congso.core.search.text import fold
from congso.modules.documents import doctypes, signatures
from congso.modules.documents.models import (
    Assignment,
    AssignmentRole,
    Direction,
    Document,
    DocumentFile,
    FileRole,
    Recipient,
    RecipientStatus,
    Register,
    Relation,
    Secrecy,
    Status,
    TrailEntry,
    Urgency,
)
from congso.modules.documents.numbering import next_number
from congso.modules.documents.rendering import StampPlace

MAX_FILE_BYTES = 50 * 1024 * 1024
PDF = "application/pdf"


# --- Helpers -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    name: str
    content: bytes
    content_type: str = PDF


def _check_upload(upload: Upload) -> None:
    if not upload.content:
        raise InvalidInput(_("Tệp '{name}' rỗng.").format(name=upload.name))
    if len(upload.content) > MAX_FILE_BYTES:
        raise InvalidInput(
            _("Tệp '{name}' vượt quá {mb} MB.").format(name=upload.name, mb=MAX_FILE_BYTES // 1024 // 1024)
        )


def _store(
    document: Document, upload: Upload, role: FileRole, actor: Any, report: Any = None
) -> DocumentFile:
    blob = blob_put(upload.content)
    return DocumentFile.objects.create(
        document=document,
        role=role,
        name=upload.name[:255],
        content_type=upload.content_type,
        size=blob.size,
        sha256=blob.sha256,
        signature_report=report,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


def _named(document: Document, suffix: str) -> str:
    return f"{document.doc_type.lower()}-{document.pk}-{suffix}.pdf"


def _trail(document: Document, actor: Any, action: str, note: str = "") -> None:
    TrailEntry.objects.create(
        document=document,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_name=getattr(actor, "display_name", "") or "Hệ thống",
        action=action,
        note=note,
    )


def _audit(actor: Any, action: str, document: Document, before: Any = None, after: Any = None) -> None:
    audit_record(
        actor=actor,
        action=action,
        target=document,
        before=before,
        after=after,
        agency_code=document.agency.code,
    )


def _locked(document: Document, allowed: set[str], to_label: str) -> Document:
    locked = Document.objects.select_for_update().select_related("agency").get(pk=document.pk)
    if locked.status not in allowed:
        raise Conflict(
            _("Văn bản đang ở trạng thái '{status}', không thể {action}.").format(
                status=locked.get_status_display(), action=to_label
            )
        )
    return locked


def _move(locked: Document, actor: Any, to: str, action: str, note: str = "", **after: Any) -> Document:
    """The common end of a status change: the new status saved, a trail entry and the audit event
    ("documents.document.<action>", before and after), in the caller's transaction."""
    before = locked.status
    locked.status = to
    locked.save(update_fields=["status", "updated_at"])
    _trail(locked, actor, action, note)
    _audit(actor, f"documents.document.{action}", locked, {"status": before}, {"status": to, **after})
    return locked


def _search_text(document: Document, extra: str = "") -> str:
    kind = doctypes.BY_CODE.get(document.doc_type)
    parts = [
        kind.name if kind else "",
        document.number_notation,
        document.summary,
        document.issuer_name,
        document.signer_name,
        extra,
    ]
    return fold(" ".join(p for p in parts if p))


def _after_commit_extract(document_id: int) -> None:
    from congso.modules.documents.tasks import extract_text_later

    transaction.on_commit(lambda: extract_text_later(document_id), robust=True)


def _choice(value: str, choices: Any, label: str) -> str:
    if value not in choices.values:
        raise InvalidInput(
            _("{label} '{value}' không hợp lệ; chọn một trong: {options}.").format(
                label=label, value=value, options=", ".join(choices.values)
            )
        )
    return value


# --- Outgoing: draft, review, sign, issue, dispatch ----------------------------------------------


@dataclass
class DraftSpec:
    doc_type: str
    summary: str
    body: str = ""
    file: Upload | None = None
    attachments: Sequence[Upload] = ()
    recipient_codes: Sequence[str] = ()
    external_recipients: Sequence[tuple[str, str]] = ()  # (agency code, name) outside the platform
    urgency: str = Urgency.NORMAL
    secrecy: str = Secrecy.NORMAL
    deadline: dt.date | None = None
    signer_name: str = ""
    signer_position: str = ""
    relates_to: Document | None = None
    relation: str = ""
    pages: int = 1
    extra: dict[str, Any] = field(default_factory=dict)


def document_draft_create(*, actor: Any, agency: Agency, spec: DraftSpec) -> Document:
    """A draft outgoing document: an uploaded PDF, or a PDF rendered from the composed text."""
    authorize(actor, "documents.draft", agency)
    errors = []
    if spec.doc_type not in doctypes.BY_CODE:
        errors.append(
            {
                "field": "doc_type",
                "message": _("Loại văn bản '{t}' không có trong danh mục Nghị định 30.").format(
                    t=spec.doc_type
                ),
            }
        )
    if not spec.summary.strip():
        errors.append({"field": "summary", "message": _("Trích yếu không được để trống.")})
    if spec.file is None and not spec.body.strip():
        errors.append(
            {"field": "body", "message": _("Cần tải lên tệp PDF dự thảo hoặc nhập nội dung văn bản.")}
        )
    if spec.relation and spec.relates_to is None:
        errors.append(
            {
                "field": "relates_to",
                "message": _("Văn bản thu hồi, thay thế, sửa đổi phải nêu văn bản liên quan."),
            }
        )
    if spec.relates_to is not None and (
        spec.relates_to.agency_id != agency.pk or spec.relates_to.status != Status.ISSUED
    ):
        errors.append(
            {
                "field": "relates_to",
                "message": _("Chỉ thu hồi, thay thế, sửa đổi được văn bản đã ban hành của chính cơ quan."),
            }
        )
    recipients = []
    for code in spec.recipient_codes:
        try:
            recipients.append(agency_get(code=code))
        except Exception:
            errors.append(
                {"field": "recipients", "message": _("Không có cơ quan nhận mã {code}.").format(code=code)}
            )
    if errors:
        raise InvalidInput("; ".join(e["message"] for e in errors), errors=errors)
    _choice(spec.urgency, Urgency, _("Độ khẩn"))
    _choice(spec.secrecy, Secrecy, _("Độ mật"))
    if spec.relation:
        _choice(spec.relation, Relation, _("Quan hệ"))
    for upload in (*([spec.file] if spec.file else []), *spec.attachments):
        _check_upload(upload)
    place = None
    if spec.file is not None:
        signatures.ensure_pdf(spec.file.content)
        content, pages = spec.file.content, signatures.page_count(spec.file.content)
        upload = spec.file
    else:
        content, pages, place = _compose(agency, spec)
        upload = Upload(name=f"du-thao-{spec.doc_type.lower()}.pdf", content=content)
    kind = doctypes.BY_CODE[spec.doc_type]
    abbr = doctypes.agency_abbreviation(agency.name, agency.short_name)
    notation, _unused = doctypes.format_number_notation(1, spec.doc_type, abbr)
    with transaction.atomic():
        document = Document.objects.create(
            agency=agency,
            agency_path=agency.path,
            direction=Direction.OUTGOING,
            status=Status.DRAFT,
            doc_type=kind.code,
            notation=notation,
            issuer_code=agency.code,
            issuer_name=agency.name,
            summary=spec.summary.strip(),
            signer_name=spec.signer_name,
            signer_position=spec.signer_position,
            pages=pages,
            urgency=spec.urgency,
            secrecy=spec.secrecy,
            deadline=spec.deadline,
            relates_to=spec.relates_to,
            relation=spec.relation,
            stamp_place={"page": place.page, "box": list(place.box)} if place else None,
            recipients_text="\n".join(a.name for a in recipients)
            + "".join(f"\n{n}" for _c, n in spec.external_recipients),
            created_by=actor,
        )
        document.current_file = _store(document, upload, FileRole.DRAFT, actor)
        for attachment in spec.attachments:
            _store(document, attachment, FileRole.ATTACHMENT, actor)
        for recipient in recipients:
            Recipient.objects.create(document=document, agency=recipient, channel="platform")
        for code, name in spec.external_recipients:
            Recipient.objects.create(
                document=document, external_code=code, external_name=name, channel="edxml"
            )
        document.search_text = _search_text(document, spec.body)
        document.save(update_fields=["current_file", "search_text"])
        _trail(document, actor, "draft", spec.summary)
        _audit(
            actor,
            "documents.document.draft",
            document,
            after={"doc_type": kind.code, "summary": document.summary},
        )
    return document


def _compose(agency: Agency, spec: DraftSpec) -> tuple[bytes, int, StampPlace]:
    from pypdf import PdfReader

    from congso.modules.documents.rendering import Composition, render

    kind = doctypes.BY_CODE[spec.doc_type]
    abbr = doctypes.agency_abbreviation(agency.name, agency.short_name)
    notation, _unused = doctypes.format_number_notation(1, spec.doc_type, abbr)
    parent = agency.parent.name if agency.parent_id and agency.parent else ""
    content, place = render(
        Composition(
            parent_agency_name=parent,
            agency_name=agency.name,
            doc_type_name=kind.name,
            notation=notation,
            place="Hà Nội",
            summary=spec.summary.strip(),
            body=spec.body,
            signer_position=spec.signer_position or "Thủ trưởng cơ quan",
            signer_name=spec.signer_name,
            recipients=tuple(spec.extra.get("recipient_names", ())),
        )
    )
    import io

    return content, len(PdfReader(io.BytesIO(content)).pages), place


def document_submit_review(*, actor: Any, document: Document, note: str = "") -> Document:
    authorize(actor, "documents.draft", document.agency)
    with transaction.atomic():
        locked = _locked(document, {Status.DRAFT}, _("trình duyệt"))
        return _move(locked, actor, Status.IN_REVIEW, "submit_review", note)


def document_return(*, actor: Any, document: Document, comment: str) -> Document:
    """The leader sends a draft back with a comment."""
    authorize(actor, "documents.approve", document.agency)
    if not comment.strip():
        raise InvalidInput(_("Cần ghi ý kiến khi trả lại dự thảo."))
    with transaction.atomic():
        locked = _locked(document, {Status.IN_REVIEW, Status.APPROVED}, _("trả lại"))
        return _move(locked, actor, Status.DRAFT, "return", comment, comment=comment)


def document_approve(*, actor: Any, document: Document, note: str = "") -> Document:
    authorize(actor, "documents.approve", document.agency)
    with transaction.atomic():
        locked = _locked(document, {Status.IN_REVIEW}, _("duyệt"))
        return _move(locked, actor, Status.APPROVED, "approve", note)


def document_sign(*, actor: Any, document: Document) -> Document:
    """The leader's PAdES signature, visible in the signature area (Decree 30, art. 13)."""
    authorize(actor, "documents.sign", document.agency)
    document = Document.objects.select_related("agency", "current_file").get(pk=document.pk)
    if document.status not in {Status.IN_REVIEW, Status.APPROVED}:
        raise Conflict(
            _("Văn bản đang ở trạng thái '{status}', không thể ký.").format(
                status=document.get_status_display()
            )
        )
    current = document.current_file
    assert current is not None
    signed = signatures.sign_as_official(
        blob_read(current.sha256), actor, position=actor.position, place=document.stamp_place
    )
    report = signatures.check(signed)
    with transaction.atomic():
        locked = _locked(document, {Status.IN_REVIEW, Status.APPROVED}, _("ký"))
        if locked.current_file_id != current.pk:
            raise Conflict(_("Tệp văn bản đã thay đổi trong lúc ký; hãy ký lại."))
        before = locked.status
        locked.current_file = _store(
            locked, Upload(_named(locked, "da-ky"), signed), FileRole.SIGNED, actor, report
        )
        locked.status = Status.SIGNED
        locked.signer_name = actor.display_name
        locked.signer_position = actor.position or locked.signer_position
        locked.search_text = _search_text(locked)
        locked.save()
        _trail(locked, actor, "sign")
        _audit(
            actor,
            "documents.document.sign",
            locked,
            {"status": before},
            {"status": locked.status, "sha256": locked.current_file.sha256},
        )
    return locked


def document_issue(*, actor: Any, document: Document, issued_on: dt.date | None = None) -> Document:
    """The clerk issues the number and notation and applies the agency's seal signature.

    The number is taken inside the transaction (numbering.next_number) and the seal signature is
    made inside it too, so a failure while sealing gives the number back. Signing is fast (tens of
    milliseconds), so holding the counter lock that long keeps numbers dense without hurting
    throughput."""
    authorize(actor, "documents.issue", document.agency)
    day = issued_on or timezone.localdate()
    with transaction.atomic():
        locked = _locked(document, {Status.SIGNED}, _("cấp số, ban hành"))
        number = next_number(agency=locked.agency, year=day.year, register=Register.OUTGOING)
        abbr = doctypes.agency_abbreviation(locked.agency.name, locked.agency.short_name)
        notation, full = doctypes.format_number_notation(number, locked.doc_type, abbr)
        current = locked.current_file
        assert current is not None
        sealed = signatures.seal(blob_read(current.sha256), locked.agency, number_notation=full, day=day)
        report = signatures.check(sealed)
        name = f"{full.replace('/', '-')}.pdf"
        locked.current_file = _store(locked, Upload(name, sealed), FileRole.SIGNED, actor, report)
        locked.number, locked.notation, locked.number_notation = number, notation, full
        locked.notation_key = doctypes.notation_key(full)
        locked.year, locked.issued_on, locked.status = day.year, day, Status.ISSUED
        locked.search_text = _search_text(locked)
        locked.save()
        if locked.relates_to_id and locked.relation == Relation.RECALL:
            _recall_request(locked)
        _trail(locked, actor, "issue", full)
        _audit(
            actor,
            "documents.document.issue",
            locked,
            {"status": Status.SIGNED},
            {"status": locked.status, "number_notation": full},
        )
    return locked


def _recall_request(recall: Document) -> None:
    assert recall.relates_to_id is not None
    original = Document.objects.select_for_update().get(pk=recall.relates_to_id)
    original.status = Status.RECALLED
    original.save(update_fields=["status", "updated_at"])
    Recipient.objects.filter(document=original).update(status=RecipientStatus.RECALL_REQUESTED)


def document_dispatch(*, actor: Any, document: Document) -> list[Document]:
    """Send an issued document: each recipient agency of the platform finds it in its incoming
    queue (checked on arrival like any e-document); outside recipients get an edXML package."""
    authorize(actor, "documents.issue", document.agency)
    with transaction.atomic():
        locked = _locked(document, {Status.ISSUED}, _("phát hành"))
        if locked.trail.filter(action="dispatch").exists():
            raise Conflict(_("Văn bản đã được phát hành cho nơi nhận."))
        current = locked.current_file
        assert current is not None
        content = blob_read(current.sha256)
        delivered = []
        for recipient in locked.recipients.select_related("agency").filter(channel="platform"):
            assert recipient.agency is not None  # platform recipients always name an agency
            incoming = _incoming_from(locked, recipient.agency, content, current)
            recipient.incoming = incoming
            recipient.status = RecipientStatus.ARRIVED
            recipient.save(update_fields=["incoming", "status", "updated_at"])
            delivered.append(incoming)
        _trail(locked, actor, "dispatch", ", ".join(d.agency.name for d in delivered))
        _audit(actor, "documents.document.dispatch", locked, after={"to": [d.agency.code for d in delivered]})
    return delivered


def _incoming_from(source: Document, agency: Agency, content: bytes, file: DocumentFile) -> Document:
    report = signatures.check(content)
    incoming = Document.objects.create(
        agency=agency,
        agency_path=agency.path,
        direction=Direction.INCOMING,
        status=Status.PENDING,
        doc_type=source.doc_type,
        number=source.number,
        notation=source.notation,
        number_notation=source.number_notation,
        notation_key=source.notation_key,
        year=source.year,
        issued_on=source.issued_on,
        issuer_code=source.agency.code,
        issuer_name=source.agency.name,
        summary=source.summary,
        signer_name=source.signer_name,
        signer_position=source.signer_position,
        pages=source.pages,
        urgency=source.urgency,
        secrecy=source.secrecy,
        deadline=source.deadline,
        received_at=timezone.now(),
        channel="platform",
        source=source,
        search_text=source.search_text,
    )
    incoming.current_file = DocumentFile.objects.create(
        document=incoming,
        role=FileRole.RECEIVED,
        name=file.name,
        content_type=file.content_type,
        size=file.size,
        sha256=file.sha256,
        signature_report=report,
    )
    incoming.save(update_fields=["current_file"])
    _trail(incoming, None, "arrive", _("Từ {agency}").format(agency=source.agency.name))
    audit_record(
        actor=None,
        action="documents.document.arrive",
        target=incoming,
        after={"source": source.pk, "number_notation": source.number_notation},
        agency_code=agency.code,
    )
    return incoming


# --- Incoming: receive, register, present, assign, handle ----------------------------------------


@dataclass
class IncomingSpec:
    doc_type: str
    number_notation: str
    issuer_name: str
    summary: str
    issued_on: dt.date | None = None
    issuer_code: str = ""
    signer_name: str = ""
    signer_position: str = ""
    pages: int = 1
    urgency: str = Urgency.NORMAL
    secrecy: str = Secrecy.NORMAL
    deadline: dt.date | None = None


def _parse_number_notation(text: str) -> tuple[int | None, str]:
    head, sep, tail = text.strip().partition("/")
    if sep and head.strip().isdigit():
        return int(head), tail.strip()
    return None, text.strip()


def document_receive(
    *,
    actor: Any,
    agency: Agency,
    spec: IncomingSpec,
    file: Upload,
    paper: bool = False,
    register: bool = True,
) -> Document:
    """Receive a document by upload: an e-document (its signatures are checked, and a document that
    fails the check is refused with the reason) or a paper document's scan (OCR runs later on a
    copy). Registered at once with the next arrival number unless ``register`` is False."""
    authorize(actor, "documents.register", agency)
    errors = []
    if spec.doc_type not in doctypes.BY_CODE:
        errors.append(
            {
                "field": "doc_type",
                "message": _("Loại văn bản '{t}' không có trong danh mục Nghị định 30.").format(
                    t=spec.doc_type
                ),
            }
        )
    for name, value, label in (
        ("number_notation", spec.number_notation, _("Số, ký hiệu")),
        ("issuer_name", spec.issuer_name, _("Cơ quan ban hành")),
        ("summary", spec.summary, _("Trích yếu")),
    ):
        if not value.strip():
            errors.append({"field": name, "message": _("{label} không được để trống.").format(label=label)})
    if errors:
        raise InvalidInput("; ".join(e["message"] for e in errors), errors=errors)
    _choice(spec.urgency, Urgency, _("Độ khẩn"))
    _choice(spec.secrecy, Secrecy, _("Độ mật"))
    _check_upload(file)
    report = None
    if not paper:
        signatures.ensure_pdf(file.content)
        checked = signatures.check(file.content)
        if not checked["ok"]:
            raise InvalidInput(
                _("Văn bản điện tử bị từ chối: {reason}").format(reason=" ".join(checked["problems"])),
                errors=[{"field": "file", "message": p} for p in checked["problems"]],
            )
        report = checked
    number, notation = _parse_number_notation(spec.number_notation)
    with transaction.atomic():
        document = Document.objects.create(
            agency=agency,
            agency_path=agency.path,
            direction=Direction.INCOMING,
            status=Status.PENDING,
            doc_type=spec.doc_type,
            number=number,
            notation=notation,
            number_notation=spec.number_notation.strip(),
            notation_key=doctypes.notation_key(spec.number_notation),
            year=spec.issued_on.year if spec.issued_on else None,
            issued_on=spec.issued_on,
            issuer_code=spec.issuer_code,
            issuer_name=spec.issuer_name.strip(),
            summary=spec.summary.strip(),
            signer_name=spec.signer_name,
            signer_position=spec.signer_position,
            pages=spec.pages,
            urgency=spec.urgency,
            secrecy=spec.secrecy,
            deadline=spec.deadline,
            received_at=timezone.now(),
            channel="paper" if paper else "upload",
            created_by=actor,
        )
        document.current_file = _store(
            document, file, FileRole.SCAN if paper else FileRole.RECEIVED, actor, report
        )
        document.search_text = _search_text(document)
        document.save(update_fields=["current_file", "search_text"])
        _trail(document, actor, "receive", _("Bản giấy (quét)") if paper else _("Văn bản điện tử"))
        _audit(
            actor,
            "documents.document.receive",
            document,
            after={"number_notation": document.number_notation, "paper": paper},
        )
        if register:
            _register(document, actor)
        _after_commit_extract(document.pk)
    return document


def document_receive_edxml(*, actor: Any, agency: Agency, package: bytes, register: bool = True) -> Document:
    """Receive an edXML package: parse it (a malformed package is refused whole), check every
    attached PDF's signatures, then register it like any incoming document."""
    from congso.modules.documents import exchange

    spec, attachments = exchange.incoming_from_edxml(package)
    if not attachments:
        raise InvalidInput(_("Gói edXML không có tệp văn bản đính kèm."))
    main, *others = attachments
    document = document_receive(actor=actor, agency=agency, spec=spec, file=main, register=register)
    with transaction.atomic():
        Document.objects.filter(pk=document.pk).update(channel="edxml")
        for other in others:
            _store(document, other, FileRole.ATTACHMENT, actor)
    document.channel = "edxml"
    return document


def _register(document: Document, actor: Any) -> None:
    day = timezone.localdate()
    document.arrival_number = next_number(agency=document.agency, year=day.year, register=Register.INCOMING)
    document.arrival_year = day.year
    document.status = Status.RECEIVED
    document.save(update_fields=["arrival_number", "arrival_year", "status", "updated_at"])
    _trail(document, actor, "register", _("Số đến {n}").format(n=document.arrival_number))
    _audit(
        actor,
        "documents.document.register",
        document,
        {"status": Status.PENDING},
        {"status": Status.RECEIVED, "arrival_number": document.arrival_number},
    )


def document_register(*, actor: Any, document: Document) -> Document:
    """The clerk registers a document waiting in the incoming queue (arrival number)."""
    authorize(actor, "documents.register", document.agency)
    with transaction.atomic():
        locked = _locked(document, {Status.PENDING}, _("vào sổ"))
        report = locked.current_file.signature_report if locked.current_file else None
        if locked.channel != "paper" and report is not None and not report.get("ok"):
            raise InvalidInput(
                _("Văn bản điện tử không vượt qua kiểm tra chữ ký, phải từ chối: {reason}").format(
                    reason=" ".join(report.get("problems", []))
                )
            )
        _register(locked, actor)
        _source_status(locked, RecipientStatus.ACCEPTED)
    return locked


def document_refuse(*, actor: Any, document: Document, reason: str) -> Document:
    """Refuse a document in the incoming queue (wrong addressee, failed signature …)."""
    authorize(actor, "documents.register", document.agency)
    if not reason.strip():
        raise InvalidInput(_("Cần ghi lý do từ chối."))
    with transaction.atomic():
        locked = _locked(document, {Status.PENDING}, _("từ chối"))
        _move(locked, actor, Status.REJECTED, "refuse", reason, reason=reason)
        _source_status(locked, RecipientStatus.REJECTED)
    return locked


def _source_status(incoming: Document, status: str) -> None:
    """Tell the sending agency's document where its copy stands (edXML status codes 01–06)."""
    if incoming.source_id:
        Recipient.objects.filter(document_id=incoming.source_id, incoming=incoming).update(
            status=status, updated_at=timezone.now()
        )


def document_present(*, actor: Any, document: Document, note: str = "") -> Document:
    authorize(actor, "documents.register", document.agency)
    with transaction.atomic():
        locked = _locked(document, {Status.RECEIVED}, _("trình lãnh đạo"))
        return _move(locked, actor, Status.PRESENTED, "present", note)


def document_assign(
    *,
    actor: Any,
    document: Document,
    lead: Agency | Any,
    coordinating: Sequence[Agency | Any] = (),
    deadline: dt.date | None = None,
    note: str = "",
) -> Document:
    """The leader assigns a lead (a unit of the agency or an official), co-ordinating units or
    officials and a deadline. Units and officials must belong to the document's agency's subtree."""
    authorize(actor, "documents.assign", document.agency)
    today = timezone.localdate()
    if deadline is not None and deadline < today:
        raise InvalidInput(_("Hạn xử lý {d:%d/%m/%Y} đã qua.").format(d=deadline))
    for target in (lead, *coordinating):
        _check_assignee(document.agency, target)
    with transaction.atomic():
        locked = _locked(document, {Status.RECEIVED, Status.PRESENTED, Status.ASSIGNED}, _("giao xử lý"))
        before = locked.status
        Assignment.objects.filter(document=locked, completed_at__isnull=True).delete()
        for role, target in (
            (AssignmentRole.LEAD, lead),
            *((AssignmentRole.COORDINATE, t) for t in coordinating),
        ):
            Assignment.objects.create(
                document=locked,
                role=role,
                unit=target if isinstance(target, Agency) else None,
                handler=None if isinstance(target, Agency) else target,
                deadline=deadline,
                assigned_by=actor,
                note=note,
            )
        locked.status = Status.ASSIGNED
        locked.deadline = deadline or locked.deadline
        locked.save(update_fields=["status", "deadline", "updated_at"])
        _source_status(locked, RecipientStatus.ASSIGNED)
        names = [getattr(t, "display_name", None) or t.name for t in (lead, *coordinating)]
        _trail(
            locked,
            actor,
            "assign",
            _("Chủ trì: {lead}").format(lead=names[0])
            + (_("; phối hợp: {c}").format(c=", ".join(names[1:])) if names[1:] else "")
            + (f". {note}" if note else ""),
        )
        _audit(
            actor,
            "documents.document.assign",
            locked,
            {"status": before},
            {"status": locked.status, "lead": names[0], "deadline": deadline},
        )
    return locked


def _check_assignee(agency: Agency, target: Any) -> None:
    if isinstance(target, Agency):
        if not target.path.startswith(agency.path):
            raise InvalidInput(
                _("Đơn vị {name} không thuộc {agency}.").format(name=target.name, agency=agency.name)
            )
        return
    home = getattr(target, "agency", None)
    if home is None or not home.path.startswith(agency.path):
        raise InvalidInput(
            _("Cán bộ {name} không thuộc {agency}.").format(
                name=getattr(target, "display_name", target), agency=agency.name
            )
        )


def document_delegate(*, actor: Any, document: Document, handler: Any, note: str = "") -> Document:
    """A unit's head passes the document down to an official who will handle it."""
    authorize(actor, "documents.handle", document.agency)
    _check_assignee(document.agency, handler)
    with transaction.atomic():
        locked = _locked(document, {Status.ASSIGNED, Status.IN_PROGRESS}, _("chuyển xử lý"))
        deadline = locked.deadline
        Assignment.objects.create(
            document=locked,
            role=AssignmentRole.HANDLER,
            handler=handler,
            deadline=deadline,
            assigned_by=actor,
            note=note,
        )
        locked.status = Status.IN_PROGRESS
        locked.save(update_fields=["status", "updated_at"])
        _source_status(locked, RecipientStatus.IN_PROGRESS)
        _trail(
            locked,
            actor,
            "delegate",
            _("Chuyển {name} xử lý").format(name=handler.display_name) + (f". {note}" if note else ""),
        )
        _audit(actor, "documents.document.delegate", locked, after={"handler": handler.get_username()})
    return locked


def _is_assigned(actor: Any, document: Document) -> bool:
    return (
        Assignment.objects.filter(document=document, handler_id=actor.pk).exists()
        or Assignment.objects.filter(document=document, unit_id=getattr(actor, "agency_id", None)).exists()
    )


def document_comment(*, actor: Any, document: Document, note: str) -> Document:
    if not (
        can(actor, "documents.handle", document.agency) or can(actor, "documents.assign", document.agency)
    ):
        authorize(actor, "documents.handle", document.agency)
    if not note.strip():
        raise InvalidInput(_("Ý kiến không được để trống."))
    with transaction.atomic():
        locked = _locked(
            document,
            {Status.ASSIGNED, Status.IN_PROGRESS, Status.PRESENTED, Status.RECEIVED},
            _("ghi ý kiến"),
        )
        _trail(locked, actor, "comment", note.strip())
        _audit(actor, "documents.document.comment", locked, after={"note": note.strip()})
    return locked


def document_complete(*, actor: Any, document: Document, note: str = "") -> Document:
    """The lead handler completes the document; co-ordinators' open items close with it."""
    authorize(actor, "documents.handle", document.agency)
    if not _is_assigned(actor, document) and not can(actor, "documents.assign", document.agency):
        raise Forbidden(_("Chỉ người được giao xử lý hoặc lãnh đạo mới hoàn thành được văn bản này."))
    with transaction.atomic():
        locked = _locked(document, {Status.ASSIGNED, Status.IN_PROGRESS}, _("hoàn thành"))
        before = locked.status
        now = timezone.now()
        Assignment.objects.filter(document=locked, completed_at__isnull=True).update(completed_at=now)
        locked.status = Status.COMPLETED
        locked.save(update_fields=["status", "updated_at"])
        _source_status(locked, RecipientStatus.COMPLETED)
        _trail(locked, actor, "complete", note)
        _audit(actor, "documents.document.complete", locked, {"status": before}, {"status": locked.status})
    return locked


def document_recall_answer(*, actor: Any, document: Document, accept: bool, note: str = "") -> Document:
    """The recipient of a recalled document accepts (15) or refuses (16) the recall."""
    authorize(actor, "documents.register", document.agency)
    if not document.source_id:
        raise Conflict(_("Văn bản này không nhận qua nền tảng nên không trả lời thu hồi được."))
    with transaction.atomic():
        locked = _locked(document, {s for s in Status.values if s != Status.RECALLED}, _("thu hồi"))
        assert locked.source_id is not None
        row = (
            Recipient.objects.select_for_update()
            .filter(document_id=locked.source_id, incoming=locked)
            .first()
        )
        if row is None or row.status != RecipientStatus.RECALL_REQUESTED:
            raise Conflict(_("Không có đề nghị thu hồi nào đang chờ trả lời cho văn bản này."))
        row.status = RecipientStatus.RECALL_ACCEPTED if accept else RecipientStatus.RECALL_REFUSED
        row.save(update_fields=["status", "updated_at"])
        before = locked.status
        if accept:
            locked.status = Status.RECALLED
            locked.save(update_fields=["status", "updated_at"])
        _trail(locked, actor, "recall_accept" if accept else "recall_refuse", note)
        _audit(
            actor,
            "documents.document.recall_answer",
            locked,
            {"status": before},
            {"status": locked.status, "accept": accept},
        )
    return locked


def document_text_set(*, document_id: int, text: str, ocr_copy: bytes | None = None) -> None:
    """Store the text found in a document's file (text layer or OCR) for search. OCR worked on a
    copy (``ocr_copy``), filed as its own file; the signed original is never touched."""
    with transaction.atomic():
        document = Document.objects.select_for_update().select_related("agency").get(pk=document_id)
        if ocr_copy is not None:
            _store(document, Upload("ocr-copy.pdf", ocr_copy), FileRole.OCR_COPY, None)
        document.search_text = _search_text(document, text)
        document.save(update_fields=["search_text"])
