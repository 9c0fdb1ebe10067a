"""edXML packages (QCVN 102:2016/BTTTT): round trips, the bytes written, status messages, and the
refusals (missing fields, tampered attachments, XXE and entity bombs, wrong namespace). Pure
functions: nothing here touches the database."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from congso.core.errors import InvalidInput
from congso.modules.documents import edxml
from congso.modules.documents.edxml import (
    Attachment,
    Business,
    BusinessDocType,
    Code,
    DocumentId,
    DocumentType,
    Envelope,
    MessageHeader,
    Organization,
    OtherInfo,
    Priority,
    PromulgationInfo,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    StatusCode,
    StatusMessage,
    SteeringType,
    TraceHeader,
)

ICT = timezone(timedelta(hours=7))
NS = {"e": edxml.NAMESPACE, "ds": edxml.XMLDSIG_NAMESPACE, "xlink": edxml.XLINK_NAMESPACE}
HEADER = "/e:edXML/e:edXMLEnvelope/e:edXMLHeader"
MH = f"{HEADER}/e:MessageHeader"

# An XML-DSig Signature in exclusive canonical form (what Envelope keeps).
SIGNATURE = (
    '<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo>'
    '<CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"></CanonicalizationMethod>'
    '<SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"></SignatureMethod>'
    '<Reference URI=""><DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"></DigestMethod>'
    "<DigestValue>q1w2e3r4t5y6u7i8o9p0AaSsDdFfGgHhJjKkLlZzXxC=</DigestValue></Reference></SignedInfo>"
    "<SignatureValue>c2lnbmF0dXJl</SignatureValue>"
    "<KeyInfo><X509Data><X509SubjectName>CN=Văn thư UBND</X509SubjectName></X509Data></KeyInfo>"
    "</Signature>"
).encode()
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + bytes(range(256)) + b"\n%%EOF\n"
XLSX = b"PK\x03\x04\x14\x00\xff\xfe\x00\x80\x81\xc3\x28 binary, not UTF-8 \xa0\xa1"


def full_envelope() -> Envelope:
    code = Code("05", "QĐ-UBND")
    return Envelope(
        header=MessageHeader(
            from_=Organization(
                organ_id="000.00.15.H26",
                organ_name="Ủy ban nhân dân thành phố Hà Nội",
                organization_in_charge="Văn phòng Ủy ban nhân dân thành phố",
                organ_add="Số 12 Lê Lai, phường Hoàn Kiếm, Hà Nội",
                email="vanthu@hanoi.gov.vn",
                telephone="024 3825 3536",
                fax="024 3825 3537",
                website="https://hanoi.gov.vn",
            ),
            to=[
                Organization("000.01.15.H26", "Sở Khoa học và Công nghệ"),
                Organization("000.02.15.H26", "Sở Tư pháp", email="stp@hanoi.gov.vn"),
            ],
            code=code,
            promulgation_info=PromulgationInfo("Hà Nội", date(2025, 3, 5)),
            document_type=DocumentType(2, "Quyết định", type_detail=0),
            subject="Về việc phê duyệt Kế hoạch chuyển đổi số năm 2025 — “thí điểm” & <đặc biệt>",
            signer_info=SignerInfo("Trần Thị Bích Ngọc", position="Phó Chủ tịch", competence="KT. CHỦ TỊCH"),
            content="Dòng một.\nDòng hai có dấu: ắ ằ ẳ ẵ ặ ơ ư đ Đ\r\n  thụt lề và khoảng trắng cuối  ",
            due_date=date(2025, 3, 20),
            to_places=["Như Điều 3", "Lưu: VT, KGVX."],
            other_info=OtherInfo(
                priority=Priority.VERY_URGENT,
                sphere_of_promulgation="Toàn thành phố",
                typer_notation="NVA",
                promulgation_amount=12,
                page_amount=4,
                appendixes=["Phụ lục I: Danh mục nhiệm vụ", "Phụ lục II: Kinh phí thực hiện"],
            ),
            response_for=[
                ResponseFor(
                    "000.00.00.G22",
                    "7816/VPCP-TTĐT",
                    date(2025, 2, 28),
                    DocumentId("000.00.00.G22,2025/02/28,7816/VPCP-TTĐT"),
                )
            ],
            steering_type=SteeringType.STEERING,
            document_id=DocumentId.compose("000.00.15.H26", date(2025, 3, 5), code),
        ),
        trace_headers=[
            TraceHeader("000.00.15.H26", datetime(2025, 3, 5, 8, 30, tzinfo=ICT)),
            TraceHeader("000.00.00.G22", datetime(2025, 3, 5, 8, 31, 15, 250000, tzinfo=ICT)),
            TraceHeader("000.01.15.H26", datetime(2025, 3, 5, 9, 0, tzinfo=ICT)),
        ],
        business=Business(
            doc_type=BusinessDocType.NEW,
            reason="Văn bản điện tử mới",
            paper=0,
            staff_info=StaffInfo("Văn thư", "Lê Văn Cường", "0912345678", "cuong@hanoi.gov.vn"),
        ),
        attachments=[
            Attachment("qd-05", "qd.pdf", "application/pdf", PDF, "Quyết định số 05/QĐ-UBND (bản ký số)"),
            Attachment(
                "phu-luc-1",
                "Phụ lục I.xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                XLSX,
                "Phụ lục kèm theo",
            ),
        ],
        signature=SIGNATURE,
    )


def minimal_envelope() -> Envelope:
    return Envelope(
        header=MessageHeader(
            from_=Organization("000.00.15.H26", "UBND thành phố Hà Nội"),
            to=[Organization("000.01.15.H26", "Sở Khoa học và Công nghệ")],
            code=Code("123", "UBND-KGVX"),
            promulgation_info=PromulgationInfo("Hà Nội", date(2025, 1, 2)),
            document_type=DocumentType(18, "Công văn"),
            subject="Về việc báo cáo tình hình",
            signer_info=SignerInfo("Nguyễn Văn An"),
        )
    )


def status_message(code: StatusCode = StatusCode.ACCEPTED) -> StatusMessage:
    return StatusMessage(
        from_=Organization("000.01.15.H26", "Sở Khoa học và Công nghệ", email="vanthu.skhcn@hanoi.gov.vn"),
        response_for=ResponseFor(
            "000.00.15.H26",
            "05/QĐ-UBND",
            date(2025, 3, 5),
            DocumentId("000.00.15.H26,2025/03/05,05/QĐ-UBND"),
        ),
        status_code=code,
        timestamp=datetime(2025, 3, 5, 14, 5, 9, tzinfo=ICT),
        description="Văn thư - Phòng Hành chính: đã vào sổ văn bản đến số 317",
        staff_info=StaffInfo("Phòng Hành chính", "Phạm Thị Dung", "0987654321", "dung@hanoi.gov.vn"),
    )


def xpath(data: bytes, path: str) -> list[Any]:
    return list(etree.fromstring(data).xpath(path, namespaces=NS))


def mutate(data: bytes, change: Callable[[Any], None]) -> bytes:
    root = etree.fromstring(data)
    change(root)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def remove(*paths: str) -> Callable[[Any], None]:
    def change(root: Any) -> None:
        for path in paths:
            for el in root.xpath(path, namespaces=NS):
                el.getparent().remove(el)

    return change


def set_text(path: str, text: str) -> Callable[[Any], None]:
    def change(root: Any) -> None:
        for el in root.xpath(path, namespaces=NS):
            el.text = text

    return change


def changes(*steps: Callable[[Any], None]) -> Callable[[Any], None]:
    def change(root: Any) -> None:
        for step in steps:
            step(root)

    return change


def refusal(call: Callable[[], object]) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        call()
    return caught.value


# --------------------------------------------------------------------------- round trips


def test_full_envelope_round_trips_exactly() -> None:
    env = full_envelope()
    parsed = edxml.parse_envelope(edxml.build_envelope(env))
    assert parsed == env
    assert parsed.attachments[0].content == PDF
    assert parsed.attachments[1].content == XLSX
    assert (
        parsed.header.content
        == "Dòng một.\nDòng hai có dấu: ắ ằ ẳ ẵ ặ ơ ư đ Đ\r\n  thụt lề và khoảng trắng cuối  "
    )
    assert parsed.trace_headers[1].timestamp == datetime(2025, 3, 5, 8, 31, 15, 250000, tzinfo=ICT)
    assert parsed.trace_headers[1].timestamp.utcoffset() == timedelta(hours=7)
    assert parsed.header.other_info is not None
    assert parsed.header.other_info.priority is Priority.VERY_URGENT
    assert parsed.header.steering_type is SteeringType.STEERING
    assert parsed.signature == SIGNATURE


def test_minimal_envelope_round_trips_and_writes_only_what_is_given() -> None:
    env = minimal_envelope()
    data = edxml.build_envelope(env)
    assert edxml.parse_envelope(data) == env
    assert xpath(data, f"{MH}/*") != []
    for absent in (
        f"{MH}/e:OtherInfo",
        f"{MH}/e:DocumentId",
        f"{MH}/e:ResponseFor",
        f"{MH}/e:ToPlaces",
        f"{HEADER}/e:TraceHeaderList",
        f"{HEADER}/ds:Signature",
        "/e:edXML/e:AttachmentEncoded",
        "//e:Reference",
    ):
        assert xpath(data, absent) == [], absent


def test_build_is_deterministic_and_stable_through_a_round_trip() -> None:
    first = edxml.build_envelope(full_envelope())
    assert edxml.build_envelope(full_envelope()) == first
    assert edxml.build_envelope(edxml.parse_envelope(first)) == first
    assert edxml.envelope_digest(first) == hashlib.sha256(first).hexdigest()


def test_the_bytes_follow_the_standard_layout() -> None:
    data = edxml.build_envelope(full_envelope())
    assert data.startswith(
        b'<?xml version="1.0" encoding="UTF-8"?>\n<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">'
    )
    root = etree.fromstring(data)
    assert root.tag == "{http://www.mic.gov.vn/TBT/QCVN_102_2016}edXML"
    assert xpath(data, f"{MH}/e:Code/e:CodeNumber/text()") == ["05"]
    assert xpath(data, f"{MH}/e:Code/e:CodeNotation/text()") == ["QĐ-UBND"]
    assert xpath(data, f"{MH}/e:From/e:OrganId/text()") == ["000.00.15.H26"]
    assert xpath(data, f"{MH}/e:To/e:OrganId/text()") == ["000.01.15.H26", "000.02.15.H26"]
    assert xpath(data, f"{MH}/e:PromulgationInfo/e:PromulgationDate/text()") == ["2025-03-05"]
    assert xpath(data, f"{MH}/e:DueDate/text()") == ["2025-03-20"]
    assert xpath(data, f"{MH}/e:OtherInfo/e:Priority/text()") == ["2"]
    assert xpath(data, f"{MH}/e:OtherInfo/e:Appendixes/e:Appendix/text()") == [
        "Phụ lục I: Danh mục nhiệm vụ",
        "Phụ lục II: Kinh phí thực hiện",
    ]
    assert xpath(data, f"{MH}/e:DocumentId/text()") == ["000.00.15.H26,2025/03/05,05/QĐ-UBND"]
    assert xpath(data, f"{MH}/e:ResponseFor/e:Code/text()") == ["7816/VPCP-TTĐT"]
    assert [el.tag.split("}")[1] for el in xpath(data, f"{MH}/*")] == [
        "From",
        "To",
        "To",
        "Code",
        "PromulgationInfo",
        "DocumentType",
        "Subject",
        "Content",
        "SignerInfo",
        "DueDate",
        "ToPlaces",
        "OtherInfo",
        "ResponseFor",
        "SteeringType",
        "DocumentId",
    ]
    assert xpath(data, f"{HEADER}/e:TraceHeaderList/e:TraceHeader/e:Timestamp/text()") == [
        "2025-03-05T08:30:00+07:00",
        "2025-03-05T08:31:15.250000+07:00",
        "2025-03-05T09:00:00+07:00",
    ]
    assert xpath(data, f"{HEADER}/e:TraceHeaderList/e:Bussiness/e:BussinessDocType/text()") == ["0"]
    assert xpath(data, f"{HEADER}/ds:Signature/ds:SignatureValue/text()") == ["c2lnbmF0dXJl"]

    manifest = "/e:edXML/e:edXMLEnvelope/e:edXMLBody/e:edXMLManifest"
    assert xpath(data, f"{manifest}/@version") == ["1.0"]
    assert xpath(data, f"{manifest}/e:Reference/@xlink:href") == ["cid:qd-05", "cid:phu-luc-1"]
    assert xpath(data, f"{manifest}/e:Reference/e:AttachmentName/text()") == ["qd.pdf", "Phụ lục I.xlsx"]
    assert xpath(data, f"{manifest}/e:Reference/ds:DigestMethod/@Algorithm") == [edxml.SHA256_ALGORITHM] * 2
    assert xpath(data, f"{manifest}/e:Reference/ds:DigestValue/text()") == [
        base64.b64encode(hashlib.sha256(PDF).digest()).decode(),
        base64.b64encode(hashlib.sha256(XLSX).digest()).decode(),
    ]
    assert xpath(data, "/e:edXML/e:AttachmentEncoded/e:Attachment/e:ContentTransferEncoded/text()") == [
        base64.b64encode(PDF).decode(),
        base64.b64encode(XLSX).decode(),
    ]


def test_manifest_is_computed_from_the_attachments() -> None:
    manifest = full_envelope().manifest
    assert [(r.content_id, r.attachment_name, r.content_type, r.description) for r in manifest] == [
        ("qd-05", "qd.pdf", "application/pdf", "Quyết định số 05/QĐ-UBND (bản ký số)"),
        (
            "phu-luc-1",
            "Phụ lục I.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "Phụ lục kèm theo",
        ),
    ]
    assert manifest[0].digest == edxml.attachment_digest(PDF)
    assert edxml.attachment_digest(b"") == "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="


def test_lists_are_kept_as_tuples_so_equality_holds_whatever_was_passed() -> None:
    env = minimal_envelope()
    assert env.header.to == (Organization("000.01.15.H26", "Sở Khoa học và Công nghệ"),)
    with pytest.raises(TypeError):
        OtherInfo(appendixes="Phụ lục I")


def test_document_id_compose_and_parts() -> None:
    doc_id = DocumentId.compose("000.00.15.H26", date(2025, 3, 5), Code("05", "QĐ-UBND"))
    assert str(doc_id) == "000.00.15.H26,2025/03/05,05/QĐ-UBND"
    assert doc_id.parts == ("000.00.15.H26", date(2025, 3, 5), "05/QĐ-UBND")
    assert DocumentId("4711").parts is None
    assert DocumentId("000.00.15.H26,2025/02/30,05/QĐ").parts is None


def test_code_lists_have_vietnamese_labels() -> None:
    assert [(p.value, p.label) for p in Priority] == [
        (0, "Thường"),
        (1, "Khẩn"),
        (2, "Thượng khẩn"),
        (3, "Hỏa tốc"),
        (4, "Hỏa tốc hẹn giờ"),
    ]
    assert [(b.value, b.label) for b in BusinessDocType] == [
        (0, "Văn bản mới"),
        (1, "Thu hồi văn bản"),
        (2, "Cập nhật văn bản"),
        (3, "Thay thế văn bản"),
    ]


# --------------------------------------------------------------------------- status messages


STATUS_LABELS = {
    "01": "Đã đến",
    "02": "Từ chối tiếp nhận",
    "03": "Đã tiếp nhận",
    "04": "Đã phân công xử lý",
    "05": "Đang xử lý",
    "06": "Đã hoàn thành",
    "13": "Yêu cầu thu hồi",
    "15": "Đồng ý thu hồi",
    "16": "Từ chối thu hồi",
}


@pytest.mark.parametrize("code", list(StatusCode), ids=lambda c: c.value)
def test_every_status_code_round_trips(code: StatusCode) -> None:
    msg = status_message(code)
    data = edxml.build_status(msg)
    assert edxml.parse_status(data) == msg
    assert xpath(data, f"{HEADER}/e:Status/e:StatusCode/text()") == [code.value]
    assert code.label == STATUS_LABELS[code.value]
    assert edxml.message_kind(data) == "status"


def test_status_codes_are_exactly_those_of_the_standard() -> None:
    assert [c.value for c in StatusCode] == list(STATUS_LABELS)


def test_status_layout_and_minimal_status() -> None:
    msg = StatusMessage(
        from_=Organization("000.01.15.H26", "Sở Khoa học và Công nghệ"),
        response_for=ResponseFor("000.00.15.H26", "05/QĐ-UBND", date(2025, 3, 5), DocumentId("x")),
        status_code=StatusCode.ARRIVED,
        timestamp=datetime(2025, 3, 5, 9, 0, tzinfo=ICT),
    )
    data = edxml.build_status(msg)
    assert edxml.parse_status(data) == msg
    assert [el.tag.split("}")[1] for el in xpath(data, f"{HEADER}/e:Status/*")] == [
        "ResponseFor",
        "From",
        "StatusCode",
        "Timestamp",
    ]
    assert xpath(data, f"{HEADER}/e:Status/e:Timestamp/text()") == ["2025-03-05T09:00:00+07:00"]
    with_to = StatusMessage(**{**msg.__dict__, "to": Organization("000.00.15.H26", "UBND thành phố Hà Nội")})
    assert edxml.parse_status(edxml.build_status(with_to)) == with_to


def test_status_code_without_leading_zero_is_read_and_unknown_code_refused() -> None:
    data = edxml.build_status(status_message())
    one = mutate(data, set_text(f"{HEADER}/e:Status/e:StatusCode", "1"))
    assert edxml.parse_status(one).status_code is StatusCode.ARRIVED
    seven = mutate(data, set_text(f"{HEADER}/e:Status/e:StatusCode", "07"))
    error = refusal(lambda: edxml.parse_status(seven))
    assert error.detail == "Mã trạng thái không hợp lệ trong Status/StatusCode: '07'."
    assert error.errors == [{"field": "Status/StatusCode", "message": error.detail}]


def test_status_missing_fields_are_listed_together() -> None:
    data = mutate(
        edxml.build_status(status_message()),
        remove(f"{HEADER}/e:Status/e:From/e:OrganId", f"{HEADER}/e:Status/e:Timestamp"),
    )
    error = refusal(lambda: edxml.parse_status(data))
    assert error.detail == "Gói edXML thiếu 2 trường bắt buộc: Status/From/OrganId, Status/Timestamp."
    assert error.errors == [
        {"field": "Status/From/OrganId", "message": "Gói edXML thiếu trường bắt buộc: Status/From/OrganId."},
        {"field": "Status/Timestamp", "message": "Gói edXML thiếu trường bắt buộc: Status/Timestamp."},
    ]


def test_envelope_and_status_are_told_apart() -> None:
    data = edxml.build_envelope(minimal_envelope())
    assert edxml.message_kind(data) == "envelope"
    error = refusal(lambda: edxml.parse_status(data))
    assert error.detail == "Gói edXML thiếu trường bắt buộc: edXMLHeader/Status."
    error = refusal(lambda: edxml.parse_envelope(edxml.build_status(status_message())))
    assert error.detail == "Gói edXML thiếu trường bắt buộc: edXMLHeader/MessageHeader."


# --------------------------------------------------------------------------- missing and invalid fields


def test_missing_required_fields_are_reported_together() -> None:
    data = mutate(
        edxml.build_envelope(full_envelope()),
        remove(
            f"{MH}/e:Subject",
            f"{MH}/e:Code/e:CodeNumber",
            f"{MH}/e:From/e:OrganId",
            f"{MH}/e:To[2]/e:OrganName",
            f"{MH}/e:PromulgationInfo/e:PromulgationDate",
            f"{MH}/e:SignerInfo",
        ),
    )
    error = refusal(lambda: edxml.parse_envelope(data))
    fields = [
        "MessageHeader/From/OrganId",
        "MessageHeader/To[2]/OrganName",
        "MessageHeader/Code/CodeNumber",
        "MessageHeader/PromulgationInfo/PromulgationDate",
        "MessageHeader/Subject",
        "MessageHeader/SignerInfo",
    ]
    assert error.detail == "Gói edXML thiếu 6 trường bắt buộc: " + ", ".join(fields) + "."
    assert error.errors == [{"field": f, "message": f"Gói edXML thiếu trường bắt buộc: {f}."} for f in fields]


def test_one_missing_field_reads_as_one_sentence() -> None:
    data = mutate(edxml.build_envelope(minimal_envelope()), remove(f"{MH}/e:Subject"))
    error = refusal(lambda: edxml.parse_envelope(data))
    assert error.detail == "Gói edXML thiếu trường bắt buộc: MessageHeader/Subject."
    assert error.errors == [{"field": "MessageHeader/Subject", "message": error.detail}]


def test_blank_required_field_counts_as_missing_and_no_recipient_is_missing() -> None:
    data = mutate(
        edxml.build_envelope(minimal_envelope()),
        changes(set_text(f"{MH}/e:Subject", "   \n "), remove(f"{MH}/e:To")),
    )
    error = refusal(lambda: edxml.parse_envelope(data))
    assert error.detail == "Gói edXML thiếu 2 trường bắt buộc: MessageHeader/To, MessageHeader/Subject."


def test_invalid_date_names_the_element() -> None:
    data = mutate(
        edxml.build_envelope(minimal_envelope()),
        set_text(f"{MH}/e:PromulgationInfo/e:PromulgationDate", "2025-13-01"),
    )
    error = refusal(lambda: edxml.parse_envelope(data))
    assert error.detail == (
        "Ngày ban hành không hợp lệ trong MessageHeader/PromulgationInfo/PromulgationDate: '2025-13-01'."
    )
    assert error.errors == [
        {"field": "MessageHeader/PromulgationInfo/PromulgationDate", "message": error.detail}
    ]


def test_missing_and_invalid_fields_together() -> None:
    data = mutate(
        edxml.build_envelope(full_envelope()),
        changes(
            remove(f"{MH}/e:Subject"),
            set_text(f"{MH}/e:DueDate", "mai"),
            set_text(f"{MH}/e:OtherInfo/e:Priority", "7"),
            set_text(f"{MH}/e:OtherInfo/e:PageAmount", "bốn"),
            set_text(f"{HEADER}/e:TraceHeaderList/e:TraceHeader[2]/e:Timestamp", "25/12/2025 25:00:00"),
        ),
    )
    error = refusal(lambda: edxml.parse_envelope(data))
    assert error.errors == [
        {
            "field": "MessageHeader/Subject",
            "message": "Gói edXML thiếu trường bắt buộc: MessageHeader/Subject.",
        },
        {
            "field": "MessageHeader/DueDate",
            "message": "Hạn xử lý không hợp lệ trong MessageHeader/DueDate: 'mai'.",
        },
        {
            "field": "MessageHeader/OtherInfo/Priority",
            "message": "Độ khẩn không hợp lệ trong MessageHeader/OtherInfo/Priority: '7' (chỉ nhận 0 đến 4).",
        },
        {
            "field": "MessageHeader/OtherInfo/PageAmount",
            "message": "Giá trị số không hợp lệ trong MessageHeader/OtherInfo/PageAmount: 'bốn'.",
        },
        {
            "field": "TraceHeaderList/TraceHeader[2]/Timestamp",
            "message": "Thời điểm không hợp lệ trong TraceHeaderList/TraceHeader[2]/Timestamp: "
            "'25/12/2025 25:00:00'.",
        },
    ]
    assert error.detail.startswith(
        "Gói edXML có 5 lỗi: Gói edXML thiếu trường bắt buộc: MessageHeader/Subject; Hạn xử lý không hợp lệ"
    )


def test_build_refuses_missing_and_invalid_fields_together() -> None:
    base = minimal_envelope()
    header = MessageHeader(
        **{
            **base.header.__dict__,
            "to": [],
            "code": Code("", "QĐ-UBND"),
            "subject": "Trích yếu có ký tự điều khiển \x00",
            "signer_info": SignerInfo("  "),
        }
    )
    env = Envelope(header, trace_headers=[TraceHeader("000.00.15.H26", datetime(2025, 3, 5, 8, 30))])
    error = refusal(lambda: edxml.build_envelope(env))
    assert error.errors == [
        {"field": "MessageHeader/To", "message": "Gói edXML thiếu trường bắt buộc: MessageHeader/To."},
        {
            "field": "MessageHeader/Code/CodeNumber",
            "message": "Gói edXML thiếu trường bắt buộc: MessageHeader/Code/CodeNumber.",
        },
        {
            "field": "MessageHeader/Subject",
            "message": "Trường MessageHeader/Subject chứa ký tự không được phép trong XML.",
        },
        {
            "field": "MessageHeader/SignerInfo/FullName",
            "message": "Gói edXML thiếu trường bắt buộc: MessageHeader/SignerInfo/FullName.",
        },
        {
            "field": "TraceHeaderList/TraceHeader[1]/Timestamp",
            "message": "Thời điểm trong TraceHeaderList/TraceHeader[1]/Timestamp phải kèm múi giờ "
            "(ví dụ +07:00).",
        },
    ]


def test_build_refuses_an_unknown_status_code_and_priority() -> None:
    bad_status = StatusMessage(**{**status_message().__dict__, "status_code": "07"})
    error = refusal(lambda: edxml.build_status(bad_status))
    assert error.detail == "Mã trạng thái không hợp lệ trong Status/StatusCode: '07'."
    env = full_envelope()
    bad_priority = Envelope(
        MessageHeader(**{**env.header.__dict__, "other_info": OtherInfo(priority=9)}),
    )
    error = refusal(lambda: edxml.build_envelope(bad_priority))
    assert (
        error.detail == "Độ khẩn không hợp lệ trong MessageHeader/OtherInfo/Priority: '9' (chỉ nhận 0 đến 4)."
    )


# --------------------------------------------------------------------------- attachments and manifest


def test_tampered_attachment_is_refused() -> None:
    data = edxml.build_envelope(full_envelope())
    tampered = data.replace(base64.b64encode(PDF), base64.b64encode(PDF.replace(b"%%EOF", b"%%EOX")))
    assert tampered != data
    error = refusal(lambda: edxml.parse_envelope(tampered))
    assert error.detail == "Tệp đính kèm 'qd.pdf' không khớp mã băm trong danh mục (manifest)."
    assert error.errors == [{"field": "AttachmentEncoded/Attachment[1]", "message": error.detail}]


def test_tampered_digest_is_refused_too() -> None:
    other = base64.b64encode(hashlib.sha256(b"something else").digest()).decode()
    data = mutate(
        edxml.build_envelope(full_envelope()),
        set_text("//e:Reference[2]/ds:DigestValue", other),
    )
    error = refusal(lambda: edxml.parse_envelope(data))
    assert error.detail == "Tệp đính kèm 'Phụ lục I.xlsx' không khớp mã băm trong danh mục (manifest)."
    assert error.errors == [{"field": "AttachmentEncoded/Attachment[2]", "message": error.detail}]


def test_attachment_and_manifest_must_list_the_same_files() -> None:
    data = edxml.build_envelope(full_envelope())
    no_reference = mutate(data, remove("//e:Reference[1]"))
    error = refusal(lambda: edxml.parse_envelope(no_reference))
    assert error.detail == "Tệp đính kèm 'qd.pdf' không có trong danh mục (manifest)."

    no_content = mutate(data, remove("/e:edXML/e:AttachmentEncoded/e:Attachment[2]"))
    error = refusal(lambda: edxml.parse_envelope(no_content))
    assert error.detail == (
        "Danh mục (manifest) có tệp 'Phụ lục I.xlsx' nhưng gói edXML không kèm nội dung tệp đó."
    )
    assert error.errors == [{"field": "edXMLManifest/Reference[2]", "message": error.detail}]


def test_reference_without_digest_is_refused_unless_allowed() -> None:
    data = mutate(edxml.build_envelope(full_envelope()), remove("//e:Reference[1]/ds:DigestValue"))
    error = refusal(lambda: edxml.parse_envelope(data))
    assert error.detail == "Gói edXML thiếu trường bắt buộc: edXMLManifest/Reference[1]/DigestValue."
    assert edxml.parse_envelope(data, require_digests=False) == full_envelope()


def test_bad_base64_and_duplicate_content_ids_are_refused() -> None:
    data = edxml.build_envelope(full_envelope())
    bad = mutate(data, set_text("//e:Attachment[1]/e:ContentTransferEncoded", "không phải base64!"))
    error = refusal(lambda: edxml.parse_envelope(bad))
    assert error.detail == (
        "Nội dung tệp đính kèm 'qd.pdf' không phải base64 hợp lệ "
        "(AttachmentEncoded/Attachment[1]/ContentTransferEncoded)."
    )
    env = full_envelope()
    twice = Envelope(env.header, attachments=[env.attachments[0], env.attachments[0]])
    error = refusal(lambda: edxml.build_envelope(twice))
    assert error.detail == "Mã nội dung (ContentId) 'qd-05' bị trùng trong gói edXML."
    assert error.errors == [{"field": "AttachmentEncoded/Attachment[2]/ContentId", "message": error.detail}]


def test_attachment_size_limit_of_a_safe_parser() -> None:
    header = minimal_envelope().header
    at_limit = Envelope(
        header, attachments=[Attachment("a", "lon.pdf", "application/pdf", b"\x00" * 7_500_000)]
    )
    assert edxml.parse_envelope(edxml.build_envelope(at_limit)) == at_limit

    too_big = Envelope(
        header, attachments=[Attachment("a", "lon.pdf", "application/pdf", b"\x00" * 7_500_001)]
    )
    error = refusal(lambda: edxml.build_envelope(too_big))
    assert error.detail == (
        "Tệp đính kèm 'lon.pdf' quá lớn để gửi qua edXML: 7.500.001 byte, tối đa 7.500.000 byte."
    )

    end = b"</ContentTransferEncoded>"
    from_elsewhere = edxml.build_envelope(at_limit).replace(b"AAAA" + end, b"AAAAAAAA" + end)
    error = refusal(lambda: edxml.parse_envelope(from_elsewhere))
    assert error.detail.startswith("Gói edXML có phần tử quá lớn (một tệp đính kèm vượt 7.500.000 byte): ")


# --------------------------------------------------------------------------- hostile and foreign input


def test_xxe_is_refused_and_the_file_is_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("BÍ-MẬT-7f3a", encoding="utf-8")
    template = edxml.build_envelope(minimal_envelope()).decode()
    payload = template.replace(
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<!DOCTYPE edXML [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>',
    ).replace("Về việc báo cáo tình hình", "&xxe;")
    for parse in (edxml.parse_envelope, edxml.parse_status, edxml.message_kind):
        error = refusal(lambda parse=parse: parse(payload.encode()))
        assert error.detail == "Gói edXML không được chứa khai báo DOCTYPE hay thực thể (entity)."
        assert "BÍ-MẬT" not in repr(error.detail) + repr(error.errors)


def test_external_dtd_is_refused() -> None:
    payload = (
        b'<?xml version="1.0"?><!DOCTYPE edXML SYSTEM "http://127.0.0.1:9/edxml.dtd">'
        b'<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"/>'
    )
    error = refusal(lambda: edxml.parse_envelope(payload))
    assert error.detail == "Gói edXML không được chứa khai báo DOCTYPE hay thực thể (entity)."


def test_billion_laughs_is_refused() -> None:
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "' + f"&lol{i - 1};" * 10 + '">' for i in range(1, 10)
    )
    payload = (
        f'<?xml version="1.0"?><!DOCTYPE edXML [{entities}]>'
        f'<edXML xmlns="{edxml.NAMESPACE}"><edXMLEnvelope>&lol9;</edXMLEnvelope></edXML>'
    ).encode()
    error = refusal(lambda: edxml.parse_envelope(payload))
    assert error.detail == "Gói edXML không được chứa khai báo DOCTYPE hay thực thể (entity)."


def test_wrong_namespace_is_refused() -> None:
    data = edxml.build_envelope(minimal_envelope()).replace(
        b"http://www.mic.gov.vn/TBT/QCVN_102_2016", b"http://www.mic.gov.vn/TBT/QCVN_102_2010"
    )
    error = refusal(lambda: edxml.parse_envelope(data))
    assert error.detail == (
        "Gói edXML sai không gian tên (namespace): cần 'http://www.mic.gov.vn/TBT/QCVN_102_2016', "
        "nhận được 'http://www.mic.gov.vn/TBT/QCVN_102_2010'."
    )
    error = refusal(lambda: edxml.parse_envelope(b"<edXML><edXMLEnvelope/></edXML>"))
    assert error.detail == (
        "Gói edXML sai không gian tên (namespace): cần 'http://www.mic.gov.vn/TBT/QCVN_102_2016', "
        "nhận được '(không có)'."
    )


def test_not_xml_and_not_edxml_are_refused() -> None:
    error = refusal(lambda: edxml.parse_envelope(b"%PDF-1.7 not xml"))
    assert error.detail.startswith("Tệp không phải XML hợp lệ: ")
    assert error.detail.endswith(".")
    error = refusal(
        lambda: edxml.parse_envelope(b"<edXML xmlns='http://www.mic.gov.vn/TBT/QCVN_102_2016'><a></b>")
    )
    assert error.detail.startswith("Tệp không phải XML hợp lệ: ")
    error = refusal(lambda: edxml.parse_envelope(b"<html><body/></html>"))
    assert error.detail == "Tệp không phải gói edXML: phần tử gốc là 'html'."
    error = refusal(lambda: edxml.parse_envelope(f'<edXML xmlns="{edxml.NAMESPACE}"/>'.encode()))
    assert error.detail == "Gói edXML thiếu trường bắt buộc: edXML/edXMLEnvelope."


def test_signature_is_carried_in_canonical_form_and_must_be_xmldsig() -> None:
    loose = SIGNATURE.replace(b"></CanonicalizationMethod>", b"/>").replace(b"<SignedInfo>", b"<SignedInfo >")
    assert Envelope(minimal_envelope().header, signature=loose).signature == SIGNATURE
    error = refusal(lambda: Envelope(minimal_envelope().header, signature=b"<Signature>x</Signature>"))
    assert error.detail == (
        "Chữ ký số của gói edXML phải là phần tử Signature của XML-DSig (http://www.w3.org/2000/09/xmldsig#)."
    )
    error = refusal(lambda: Envelope(minimal_envelope().header, signature=b"<Signature"))
    assert error.detail.startswith(
        "Chữ ký số (Signature) của gói edXML không hợp lệ: Tệp không phải XML hợp lệ: "
    )


def test_package_as_other_systems_write_it_is_read() -> None:
    """Prefixes as in the vendors' SDK samples, yyyy/mm/dd dates, a dd/mm/yyyy time without
    offset (Vietnam time), unqualified AttachmentEncoded, a Manifest without digests, elements
    of other namespaces and unknown elements ignored."""
    content = "Nội dung tệp".encode()
    data = f"""<?xml version="1.0" encoding="utf-8"?>
<edXML xmlns="{edxml.NAMESPACE}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <edXML:edXMLEnvelope xmlns:edXML="{edxml.NAMESPACE}">
    <edXML:edXMLHeader>
      <edXML:MessageHeader>
        <edXML:From><edXML:OrganId> 000.00.00.G22 </edXML:OrganId>
          <edXML:OrganName>Văn phòng Chính phủ</edXML:OrganName></edXML:From>
        <edXML:To><edXML:OrganId>000.00.15.H26</edXML:OrganId>
          <edXML:OrganName>UBND thành phố Hà Nội</edXML:OrganName>
          <edXML:DueDate>2025/03/20</edXML:DueDate></edXML:To>
        <edXML:DocumentId>000.00.00.G22,2025/03/05,7816/VPCP-TTĐT</edXML:DocumentId>
        <edXML:Code><edXML:CodeNumber>7816</edXML:CodeNumber>
          <edXML:CodeNotation>VPCP-TTĐT</edXML:CodeNotation></edXML:Code>
        <edXML:PromulgationInfo><edXML:Place>Hà Nội</edXML:Place>
          <edXML:PromulgationDate>2025/03/05</edXML:PromulgationDate></edXML:PromulgationInfo>
        <edXML:DocumentType><edXML:Type>1</edXML:Type><edXML:TypeDetail>0</edXML:TypeDetail>
          <edXML:TypeName>Công văn</edXML:TypeName></edXML:DocumentType>
        <edXML:Subject>V/v triển khai</edXML:Subject>
        <edXML:SignerInfo><edXML:FullName>Nguyễn Văn B</edXML:FullName></edXML:SignerInfo>
        <edXML:OtherInfo><edXML:Priority>1</edXML:Priority>
          <edXML:Direction>false</edXML:Direction></edXML:OtherInfo>
        <edXML:SteeringType>5</edXML:SteeringType>
        <x:Extra xmlns:x="urn:example:other"><edXML:Subject>not this one</edXML:Subject></x:Extra>
      </edXML:MessageHeader>
      <edXML:TraceHeaderList>
        <edXML:TraceHeader><edXML:OrganId>000.00.00.G22</edXML:OrganId>
          <edXML:Timestamp>05/03/2025 08:30:00</edXML:Timestamp></edXML:TraceHeader>
      </edXML:TraceHeaderList>
    </edXML:edXMLHeader>
    <edXML:edXMLBody>
      <edXML:edXMLManifest version="1.0">
        <edXML:Reference xmlns:xlink="{edxml.XLINK_NAMESPACE}" xlink:href="cid:abc-1" xlink:type="simple">
          <edXML:AttachmentName>cv.pdf</edXML:AttachmentName>
        </edXML:Reference>
      </edXML:edXMLManifest>
    </edXML:edXMLBody>
  </edXML:edXMLEnvelope>
  <AttachmentEncoded>
    <Attachment>
      <ContentType>application/pdf</ContentType><ContentId>abc-1</ContentId>
      <ContentTransferEncoded>
        {base64.encodebytes(content).decode()}
      </ContentTransferEncoded>
      <AttachmentName>cv.pdf</AttachmentName>
    </Attachment>
  </AttachmentEncoded>
</edXML>""".encode()

    error = refusal(lambda: edxml.parse_envelope(data))
    assert error.detail == "Gói edXML thiếu trường bắt buộc: edXMLManifest/Reference[1]/DigestValue."

    env = edxml.parse_envelope(data, require_digests=False)
    assert env.header.from_ == Organization("000.00.00.G22", "Văn phòng Chính phủ")
    assert env.header.to == (Organization("000.00.15.H26", "UBND thành phố Hà Nội"),)
    assert env.header.code == Code("7816", "VPCP-TTĐT")
    assert env.header.promulgation_info == PromulgationInfo("Hà Nội", date(2025, 3, 5))
    assert env.header.document_type == DocumentType(1, "Công văn", type_detail=0)
    assert env.header.subject == "V/v triển khai"
    assert env.header.other_info == OtherInfo(priority=Priority.URGENT)
    assert env.header.steering_type == 5
    assert env.header.document_id == DocumentId("000.00.00.G22,2025/03/05,7816/VPCP-TTĐT")
    assert env.trace_headers == (TraceHeader("000.00.00.G22", datetime(2025, 3, 5, 8, 30, tzinfo=ICT)),)
    assert env.attachments == (Attachment("abc-1", "cv.pdf", "application/pdf", content),)
    assert env.signature is None
