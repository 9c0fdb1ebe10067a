"""Documents ⇄ edXML packages (edxml.py does the XML; this maps the document module onto it).

An issued document leaves as an envelope whose MessageHeader carries its Decree 30 metadata and
whose attachments are its signed PDF and appendices (the PDF keeps its PAdES signatures: the
package moves bytes, it never re-encodes them). A received envelope becomes an ``IncomingSpec``
and uploads, then goes through ``services.document_receive`` like any e-document, so its
signatures are checked there.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from congso.core.errors import Conflict, InvalidInput
from congso.core.files import blob_read
from congso.modules.documents import doctypes, edxml
from congso.modules.documents.models import Direction, Document, FileRole, Status, Urgency
from congso.modules.documents.services import IncomingSpec, Upload

_PRIORITY = {
    Urgency.NORMAL: edxml.Priority.NORMAL,
    Urgency.URGENT: edxml.Priority.URGENT,
    Urgency.VERY_URGENT: edxml.Priority.VERY_URGENT,
    Urgency.FLASH: edxml.Priority.FLASH,
}
_URGENCY = {v: k for k, v in _PRIORITY.items()} | {edxml.Priority.FLASH_SCHEDULED: Urgency.FLASH}


def _issued_at(document: Document) -> dt.datetime:
    entry = document.trail.filter(action__in=["issue", "receive", "arrive"]).order_by("at").first()
    return entry.at if entry else document.created_at


def envelope_for(document: Document) -> bytes:
    """The edXML package of an issued outgoing document (or of a received one, to forward it)."""
    if document.direction == Direction.OUTGOING and document.status not in {Status.ISSUED, Status.RECALLED}:
        raise Conflict(_("Văn bản chưa được cấp số, ban hành nên chưa có gói edXML."))
    if document.issued_on is None or document.number is None:
        raise Conflict(_("Văn bản thiếu số hoặc ngày ban hành nên không lập được gói edXML."))
    kind = doctypes.BY_CODE.get(document.doc_type)
    type_number = doctypes.EDXML_TYPE.get(document.doc_type, 0)
    code = edxml.Code(code_number=f"{document.number:02d}", code_notation=document.notation)
    sender = edxml.Organization(
        organ_id=document.issuer_code or document.agency.code,
        organ_name=document.issuer_name or document.agency.name,
        email=document.agency.email or None,
        telephone=document.agency.phone or None,
    )
    to = [
        edxml.Organization(
            organ_id=r.agency.code if r.agency else r.external_code,
            organ_name=r.agency.name if r.agency else r.external_name,
        )
        for r in document.recipients.select_related("agency")
    ]
    files = [document.current_file] if document.current_file else []
    files += list(document.files.filter(role=FileRole.ATTACHMENT))
    attachments = [
        edxml.Attachment(
            content_id=f"file{i}",
            attachment_name=f.name,
            content_type=f.content_type,
            content=blob_read(f.sha256),
            description=_("Văn bản chính") if i == 1 else _("Phụ lục"),
        )
        for i, f in enumerate(files, start=1)
    ]
    header = edxml.MessageHeader(
        from_=sender,
        to=to or [sender],
        code=code,
        promulgation_info=edxml.PromulgationInfo(place="Hà Nội", promulgation_date=document.issued_on),
        document_type=edxml.DocumentType(
            type=type_number, type_name=kind.name if kind else document.doc_type
        ),
        subject=document.summary,
        signer_info=edxml.SignerInfo(
            full_name=document.signer_name or "—", position=document.signer_position or None
        ),
        due_date=document.deadline,
        other_info=edxml.OtherInfo(
            priority=_PRIORITY.get(Urgency(document.urgency), edxml.Priority.NORMAL),
            page_amount=document.pages,
            promulgation_amount=len(to) or None,
        ),
        document_id=edxml.DocumentId.compose(sender.organ_id, document.issued_on, code),
    )
    trace = [edxml.TraceHeader(organ_id=document.agency.code, timestamp=_issued_at(document))]
    return edxml.build_envelope(edxml.Envelope(header=header, trace_headers=trace, attachments=attachments))


def incoming_from_edxml(package: bytes) -> tuple[IncomingSpec, list[Upload]]:
    """What a received package says about the document, and its files (main document first)."""
    envelope = edxml.parse_envelope(package, require_digests=False)
    h = envelope.header
    kind = doctypes.BY_EDXML_TYPE.get(h.document_type.type)
    if kind is None:
        kind = next(
            (t for t in doctypes.DOCUMENT_TYPES if t.name.lower() == h.document_type.type_name.lower()), None
        )
    if kind is None:
        raise InvalidInput(
            _("Loại văn bản trong gói edXML không nhận ra: {t} ({n}).").format(
                t=h.document_type.type, n=h.document_type.type_name
            ),
            errors=[
                {"field": "MessageHeader/DocumentType", "message": _("không có trong danh mục Nghị định 30")}
            ],
        )
    priority = h.other_info.priority if h.other_info else edxml.Priority.NORMAL
    spec = IncomingSpec(
        doc_type=kind.code,
        number_notation=f"{h.code.code_number}/{h.code.code_notation}",
        issuer_name=h.from_.organ_name,
        issuer_code=h.from_.organ_id,
        summary=h.subject,
        issued_on=h.promulgation_info.promulgation_date,
        signer_name=h.signer_info.full_name,
        signer_position=h.signer_info.position or "",
        pages=(h.other_info.page_amount if h.other_info and h.other_info.page_amount else 1),
        urgency=_URGENCY.get(edxml.Priority(priority), Urgency.NORMAL),
        deadline=h.due_date,
    )
    uploads = [Upload(a.attachment_name, a.content, a.content_type) for a in envelope.attachments]
    # The main document is the first PDF.
    uploads.sort(key=lambda u: u.content_type != "application/pdf")
    return spec, uploads
