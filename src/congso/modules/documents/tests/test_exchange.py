"""An issued document leaves as edXML and comes back in as the same document, signature intact."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from tests.conftest import BA_DINH, SO_KHCN

from congso.core.errors import Conflict, InvalidInput
from congso.core.files import blob_read
from congso.modules.documents import edxml, exchange, services
from congso.modules.documents.models import Document, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(make_official: Any, agency: Any) -> tuple[Document, dict[str, Any]]:
    people = {
        "drafter": make_official("cv.khcn", SO_KHCN, ("specialist", "agency")),
        "leader": make_official("ld.khcn", SO_KHCN, ("leader", "subtree")),
        "clerk": make_official("vt.khcn", SO_KHCN, ("clerk", "agency")),
        "bd_clerk": make_official("vt.bd", BA_DINH, ("clerk", "agency")),
    }
    doc = services.document_draft_create(
        actor=people["drafter"],
        agency=agency(SO_KHCN),
        spec=services.DraftSpec(
            doc_type="KH",
            summary="Kế hoạch triển khai nền tảng số năm 2027",
            body="I. MỤC ĐÍCH, YÊU CẦU\nII. NHIỆM VỤ",
            external_recipients=[("000.00.00.G22", "Bộ Khoa học và Công nghệ")],
            urgency="khan",
            deadline=dt.date(2026, 12, 31),
        ),
    )
    services.document_submit_review(actor=people["drafter"], document=doc)
    services.document_sign(actor=people["leader"], document=doc)
    doc = services.document_issue(actor=people["clerk"], document=doc, issued_on=dt.date(2026, 11, 24))
    return doc, people


def test_round_trip_keeps_every_field_and_the_signed_bytes(issued: Any, agency: Any) -> None:
    doc, people = issued
    package = exchange.envelope_for(doc)
    envelope = edxml.parse_envelope(package)
    h = envelope.header
    assert (h.code.code_number, h.code.code_notation) == ("01", "KH-SKHCN")
    assert (h.from_.organ_id, h.from_.organ_name) == (SO_KHCN, "Sở Khoa học và Công nghệ")
    assert [o.organ_id for o in h.to] == ["000.00.00.G22"]
    assert h.document_type.type_name == "Kế hoạch"
    assert h.other_info is not None and h.other_info.priority == edxml.Priority.URGENT
    assert h.due_date == dt.date(2026, 12, 31)
    assert h.document_id is not None and h.document_id.value == f"{SO_KHCN},2026/11/24,01/KH-SKHCN"
    [attachment] = envelope.attachments
    assert attachment.content == blob_read(doc.current_file.sha256)

    received = services.document_receive_edxml(
        actor=people["bd_clerk"], agency=agency(BA_DINH), package=package
    )
    assert (
        received.doc_type,
        received.number,
        received.notation,
        received.number_notation,
        received.issued_on,
        received.issuer_code,
        received.issuer_name,
        received.summary,
        received.urgency,
        received.deadline,
        received.channel,
        received.status,
        received.arrival_number,
    ) == (
        "KH",
        1,
        "KH-SKHCN",
        "01/KH-SKHCN",
        dt.date(2026, 11, 24),
        SO_KHCN,
        "Sở Khoa học và Công nghệ",
        "Kế hoạch triển khai nền tảng số năm 2027",
        "khan",
        dt.date(2026, 12, 31),
        "edxml",
        Status.RECEIVED,
        1,
    )
    assert received.current_file.sha256 == doc.current_file.sha256
    assert received.current_file.signature_report["ok"] is True
    # And back out again: the same header.
    again = edxml.parse_envelope(exchange.envelope_for(received)).header
    assert (again.code, again.subject, again.document_type, again.due_date) == (
        h.code,
        h.subject,
        h.document_type,
        h.due_date,
    )


def test_draft_has_no_package(make_official: Any, agency: Any) -> None:
    drafter = make_official("cv.khcn", SO_KHCN, ("specialist", "agency"))
    doc = services.document_draft_create(
        actor=drafter,
        agency=agency(SO_KHCN),
        spec=services.DraftSpec(doc_type="CV", summary="V/v thử", body="x"),
    )
    with pytest.raises(Conflict) as err:
        exchange.envelope_for(doc)
    assert str(err.value) == "Văn bản chưa được cấp số, ban hành nên chưa có gói edXML."


def test_package_with_tampered_pdf_is_refused_whole(issued: Any, agency: Any) -> None:
    doc, people = issued
    envelope = edxml.parse_envelope(exchange.envelope_for(doc))
    [attachment] = envelope.attachments
    content = attachment.content
    i = content.index(b"/Type /Page") + 2
    tampered = content[:i] + b"Z" + content[i + 1 :]
    forged = edxml.Envelope(
        header=envelope.header,
        trace_headers=envelope.trace_headers,
        attachments=[
            edxml.Attachment(
                content_id=attachment.content_id,
                attachment_name=attachment.attachment_name,
                content_type=attachment.content_type,
                content=tampered,
            )
        ],
    )
    before = Document.objects.count()
    with pytest.raises(InvalidInput) as err:
        services.document_receive_edxml(
            actor=people["bd_clerk"], agency=agency(BA_DINH), package=edxml.build_envelope(forged)
        )
    assert str(err.value).startswith("Văn bản điện tử bị từ chối:")
    assert Document.objects.count() == before
