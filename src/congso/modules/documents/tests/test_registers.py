"""The incoming and outgoing registers of Decree 30 (Appendix IV): rows in order with their exact
values, scoped to the agency's readers (a secret document's contents withheld from those who may not
see it), and the printable .xlsx and PDF."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from tests.conftest import BA_DINH, BA_DINH_CENTRE, SO_TU_PHAP

from congso.core.audit.models import AuditEvent
from congso.core.errors import Forbidden
from congso.modules.documents import registers
from congso.modules.documents.models import (
    Assignment,
    AssignmentRole,
    Direction,
    Document,
    Recipient,
    Status,
)

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CLERK = ("clerk", "agency")
SPECIALIST = ("specialist", "agency")
CENTRE_NAME = "Trung tâm Phục vụ hành chính công Phường Ba Đình"
BA_DINH_NAME = "Ủy ban nhân dân Phường Ba Đình"


@pytest.fixture
def people(make_official: Any) -> dict[str, Any]:
    return {
        "clerk": make_official("vt.bd", BA_DINH, CLERK),
        "specialist": make_official("cv.bd", BA_DINH, SPECIALIST),
        "centre_specialist": make_official("cv.centre", BA_DINH_CENTRE, SPECIALIST),
        "outsider": make_official("cv.tp", SO_TU_PHAP, SPECIALIST),
    }


def _in(agency: Any, number: int | None, received: dt.datetime | None, **kw: Any) -> Document:
    return Document.objects.create(
        agency=agency,
        agency_path=agency.path,
        direction=Direction.INCOMING,
        status=kw.pop("status", Status.ASSIGNED),
        arrival_number=number,
        arrival_year=kw.pop("arrival_year", received.year if received else None),
        received_at=received,
        **kw,
    )


@pytest.fixture
def incoming(people: dict[str, Any], agency: Any) -> dict[str, Document]:
    ba_dinh, centre = agency(BA_DINH), agency(BA_DINH_CENTRE)
    second = _in(
        ba_dinh,
        2,
        dt.datetime(2026, 9, 4, 9, 0, tzinfo=VN),
        doc_type="CV",
        number_notation="125/STP-VP",
        issuer_name="Sở Tư pháp",
        issued_on=dt.date(2026, 9, 1),
        summary="V/v hướng dẫn rà soát văn bản quy phạm pháp luật",
        urgency="khan",
    )
    Assignment.objects.create(document=second, role=AssignmentRole.LEAD, handler=people["specialist"])
    first = _in(
        ba_dinh,
        1,
        # 00:15 on 3/9 in Hà Nội (2/9 in UTC): the register shows the local day.
        dt.datetime(2026, 9, 3, 0, 15, tzinfo=VN),
        doc_type="QD",
        number_notation="15/QĐ-UBND",
        issuer_name="Ủy ban nhân dân thành phố Hà Nội",
        issued_on=dt.date(2026, 8, 28),
        summary="Về việc tổ chức Ngày Chuyển đổi số",
        channel="paper",
    )
    Assignment.objects.create(document=first, role=AssignmentRole.LEAD, unit=centre)
    Assignment.objects.create(document=first, role=AssignmentRole.COORDINATE, handler=people["specialist"])
    secret = _in(
        ba_dinh,
        3,
        dt.datetime(2026, 9, 7, 14, 0, tzinfo=VN),
        doc_type="KH",
        number_notation="8/KH-CAQ",
        issuer_name="Công an quận",
        issued_on=dt.date(2026, 9, 4),
        summary="Kế hoạch bảo vệ mục tiêu",
        secrecy="mat",
    )
    # Not in the register of Ba Đình for 2026:
    _in(ba_dinh, 1, dt.datetime(2025, 12, 30, 9, 0, tzinfo=VN), doc_type="CV", summary="Năm trước")
    _in(ba_dinh, None, None, status=Status.PENDING, doc_type="CV", summary="Chưa vào sổ")
    _in(centre, 1, dt.datetime(2026, 9, 3, 9, 0, tzinfo=VN), doc_type="CV", summary="Của Trung tâm")
    return {"first": first, "second": second, "secret": secret}


FIRST_ROW = (
    "03/09/2026",
    "1",
    "Ủy ban nhân dân thành phố Hà Nội",
    "15/QĐ-UBND",
    "28/08/2026",
    "Quyết định về việc tổ chức Ngày Chuyển đổi số",
    CENTRE_NAME,
    "",
    "Bản giấy",
)
SECOND_ROW = (
    "04/09/2026",
    "2",
    "Sở Tư pháp",
    "125/STP-VP",
    "01/09/2026",
    "V/v hướng dẫn rà soát văn bản quy phạm pháp luật",
    "Cv.Bd",
    "",
    "Khẩn",
)


def test_incoming_register_rows_in_arrival_order(
    people: dict[str, Any], agency: Any, incoming: dict[str, Document]
) -> None:
    rows = registers.incoming_register(actor=people["clerk"], agency=agency(BA_DINH), year=2026)
    assert [r.cells() for r in rows] == [
        FIRST_ROW,
        SECOND_ROW,
        (
            "07/09/2026",
            "3",
            "Công an quận",
            "8/KH-CAQ",
            "04/09/2026",
            "Kế hoạch bảo vệ mục tiêu",
            "",
            "",
            "Mật",
        ),
    ]
    assert [r.document_id for r in rows] == [incoming[k].pk for k in ("first", "second", "secret")]
    assert (rows[0].arrival_date, rows[0].arrival_number) == (dt.date(2026, 9, 3), 1)


def test_a_reader_without_secret_rights_sees_the_row_but_not_its_contents(
    people: dict[str, Any], agency: Any, incoming: dict[str, Document]
) -> None:
    rows = registers.incoming_register(actor=people["specialist"], agency=agency(BA_DINH), year=2026)
    assert [r.cells() for r in rows] == [
        FIRST_ROW,
        SECOND_ROW,
        ("07/09/2026", "3", "", "", "", "Văn bản mật — không hiển thị nội dung", "", "", "Mật"),
    ]


def test_date_range_and_rights(people: dict[str, Any], agency: Any, incoming: dict[str, Document]) -> None:
    ba_dinh = agency(BA_DINH)
    rows = registers.incoming_register(
        actor=people["clerk"],
        agency=ba_dinh,
        year=2026,
        date_from=dt.date(2026, 9, 4),
        date_to=dt.date(2026, 9, 4),
    )
    assert [r.arrival_number for r in rows] == [2]
    before = AuditEvent.objects.count()
    for reader in (people["outsider"], people["centre_specialist"]):
        with pytest.raises(Forbidden):
            registers.incoming_register(actor=reader, agency=ba_dinh, year=2026)
        with pytest.raises(Forbidden):
            registers.outgoing_register(actor=reader, agency=ba_dinh, year=2026)
    assert AuditEvent.objects.count() == before


@pytest.fixture
def outgoing(people: dict[str, Any], agency: Any) -> list[Document]:
    ba_dinh = agency(BA_DINH)

    def out(number: int | None, **kw: Any) -> Document:
        return Document.objects.create(
            agency=ba_dinh,
            agency_path=ba_dinh.path,
            direction=Direction.OUTGOING,
            status=kw.pop("status", Status.ISSUED),
            number=number,
            year=2026,
            **kw,
        )

    second = out(
        2,
        doc_type="CV",
        number_notation="02/UBND-VP",
        issued_on=dt.date(2026, 9, 4),
        summary="V/v đôn đốc báo cáo chuyển đổi số",
        signer_name="Trần Thị Bình",
        created_by=people["centre_specialist"],
        status=Status.RECALLED,
    )
    Recipient.objects.create(document=second, agency=agency(SO_TU_PHAP), channel="platform")
    Recipient.objects.create(
        document=second, external_code="000.00.00.G12", external_name="Bộ Tư pháp", channel="edxml"
    )
    first = out(
        1,
        doc_type="QD",
        number_notation="01/QĐ-UBND",
        issued_on=dt.date(2026, 9, 3),
        summary="Về việc thành lập Tổ công tác chuyển đổi số",
        signer_name="Nguyễn Văn An",
        recipients_text="- Như Điều 3;\n- Lưu: VT.",
        created_by=people["specialist"],
    )
    out(None, doc_type="CV", summary="Dự thảo chưa có số", status=Status.DRAFT)
    return [first, second]


def test_outgoing_register_rows_in_number_order(
    people: dict[str, Any], agency: Any, outgoing: list[Document]
) -> None:
    rows = registers.outgoing_register(actor=people["clerk"], agency=agency(BA_DINH), year=2026)
    assert [r.cells() for r in rows] == [
        (
            "01/QĐ-UBND",
            "03/09/2026",
            "Quyết định về việc thành lập Tổ công tác chuyển đổi số",
            "Nguyễn Văn An",
            "Như Điều 3; Lưu: VT.",
            "Cv.Bd",
            "2",
            "",
        ),
        (
            "02/UBND-VP",
            "04/09/2026",
            "V/v đôn đốc báo cáo chuyển đổi số",
            "Trần Thị Bình",
            "Sở Tư pháp; Bộ Tư pháp",
            f"{CENTRE_NAME}, Cv.Centre",
            "2",
            "Đã thu hồi",
        ),
    ]
    assert [r.document_id for r in rows] == [d.pk for d in outgoing]
    assert registers.outgoing_register(actor=people["clerk"], agency=agency(BA_DINH), year=2025) == []


def test_incoming_register_xlsx(people: dict[str, Any], agency: Any, incoming: dict[str, Document]) -> None:
    ba_dinh = agency(BA_DINH)
    rows = registers.incoming_register(actor=people["clerk"], agency=ba_dinh, year=2026)
    content = registers.register_xlsx(rows, "in", ba_dinh, 2026)
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet["A1"].value == "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN — NĂM 2026"
    assert sheet["A2"].value == BA_DINH_NAME
    assert [c.value for c in sheet[4]] == [
        "Ngày đến",
        "Số đến",
        "Tác giả",
        "Số, ký hiệu",
        "Ngày tháng",
        "Tên loại và trích yếu nội dung",
        "Đơn vị hoặc người nhận",
        "Ký nhận",
        "Ghi chú",
    ]
    assert all(c.font.bold and c.border.left.style == "thin" for c in sheet[4])
    assert [c.value for c in sheet[5]] == [
        dt.datetime(2026, 9, 3),
        1,
        "Ủy ban nhân dân thành phố Hà Nội",
        "15/QĐ-UBND",
        dt.datetime(2026, 8, 28),
        "Quyết định về việc tổ chức Ngày Chuyển đổi số",
        CENTRE_NAME,
        None,
        "Bản giấy",
    ]
    assert sheet["A5"].number_format == "DD/MM/YYYY"
    assert sheet.max_row == 7
    assert sheet.freeze_panes == "A5"
    assert (sheet.page_setup.orientation, sheet.page_setup.paperSize) == ("landscape", 9)
    assert sheet.column_dimensions["F"].width == 46


def test_outgoing_register_xlsx(people: dict[str, Any], agency: Any, outgoing: list[Document]) -> None:
    ba_dinh = agency(BA_DINH)
    rows = registers.outgoing_register(actor=people["clerk"], agency=ba_dinh, year=2026)
    sheet = load_workbook(io.BytesIO(registers.register_xlsx(rows, "out", ba_dinh, 2026))).active
    assert sheet["A1"].value == "SỔ ĐĂNG KÝ VĂN BẢN ĐI — NĂM 2026"
    assert [c.value for c in sheet[4]] == list(registers.OUTGOING_COLUMNS)
    assert [c.value for c in sheet[6]][:3] == [
        "02/UBND-VP",
        dt.datetime(2026, 9, 4),
        "V/v đôn đốc báo cáo chuyển đổi số",
    ]
    assert sheet["G6"].value == 2


def _pdf_text(content: bytes) -> str:
    return " ".join(
        " ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(content)).pages
    )


def test_incoming_register_pdf(people: dict[str, Any], agency: Any, incoming: dict[str, Document]) -> None:
    ba_dinh = agency(BA_DINH)
    rows = registers.incoming_register(actor=people["clerk"], agency=ba_dinh, year=2026)
    content = registers.register_pdf(rows, "in", ba_dinh, 2026)
    assert content.startswith(b"%PDF")
    text = _pdf_text(content)
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN" in text
    assert BA_DINH_NAME in text
    assert "Ngày Chuyển đổi số" in text
    assert "15/QĐ-UBND" in text
    assert "Tên loại và trích yếu" in text


def test_empty_outgoing_register_pdf(people: dict[str, Any], agency: Any) -> None:
    ba_dinh = agency(BA_DINH)
    rows = registers.outgoing_register(actor=people["clerk"], agency=ba_dinh, year=2026)
    text = _pdf_text(registers.register_pdf(rows, "out", ba_dinh, 2026))
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐI" in text
    assert "Không có văn bản nào trong sổ." in text
