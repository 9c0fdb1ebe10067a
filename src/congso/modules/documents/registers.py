"""The incoming and outgoing registers (sổ đăng ký văn bản đến / đi, Decree 30/2020/NĐ-CP,
Appendix IV): rows for the screen or the API, and the printable .xlsx and PDF.

- Incoming: the documents the agency registered in ``year`` (arrival year), by arrival number;
  ``date_from``/``date_to`` narrow to the days of arrival (Vietnam time).
- Outgoing: the documents the agency issued with a number in ``year``, by number; the dates narrow
  on the date of issue.

The register is the agency's register: reading it takes ``documents.view`` on the agency. A secret
document the reader may not see keeps its row (the numbers run without gaps) but its contents are
withheld; the Ghi chú column shows the secrecy and urgency marks of every document.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any, Literal

from django.db.models import Count, Prefetch
from django.utils import timezone

from congso.core.org.models import Agency
from congso.core.policy import authorize
from congso.modules.documents import doctypes
from congso.modules.documents.models import (
    Assignment,
    AssignmentRole,
    Direction,
    Document,
    Recipient,
    Secrecy,
    Status,
    Urgency,
)
from congso.modules.documents.selectors import visible_documents

Kind = Literal["in", "out"]
WITHHELD = "Văn bản mật — không hiển thị nội dung"

INCOMING_COLUMNS: tuple[str, ...] = (
    "Ngày đến",
    "Số đến",
    "Tác giả",
    "Số, ký hiệu",
    "Ngày tháng",
    "Tên loại và trích yếu nội dung",
    "Đơn vị hoặc người nhận",
    "Ký nhận",
    "Ghi chú",
)
OUTGOING_COLUMNS: tuple[str, ...] = (
    "Số, ký hiệu",
    "Ngày tháng",
    "Tên loại và trích yếu nội dung",
    "Người ký",
    "Nơi nhận văn bản",
    "Đơn vị, người nhận bản lưu",
    "Số lượng bản",
    "Ghi chú",
)
TITLES = {"in": "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN", "out": "SỔ ĐĂNG KÝ VĂN BẢN ĐI"}
# Relative column widths (Excel characters), shared by the PDF (scaled to the page).
WIDTHS = {
    "in": (11, 7, 24, 16, 11, 46, 24, 11, 16),
    "out": (16, 11, 46, 20, 34, 24, 8, 16),
}


def _date(day: dt.date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


@dataclass(frozen=True)
class IncomingRegisterRow:
    document_id: int
    arrival_date: dt.date | None  # Ngày đến
    arrival_number: int  # Số đến
    issuer: str  # Tác giả (cơ quan ban hành)
    number_notation: str  # Số, ký hiệu
    issued_on: dt.date | None  # Ngày tháng
    type_and_summary: str  # Tên loại và trích yếu nội dung
    recipient: str  # Đơn vị hoặc người nhận (the lead of the assignment)
    signed_for: str  # Ký nhận (signed on the paper register)
    note: str  # Ghi chú

    def cells(self) -> tuple[str, ...]:
        return (
            _date(self.arrival_date),
            str(self.arrival_number),
            self.issuer,
            self.number_notation,
            _date(self.issued_on),
            self.type_and_summary,
            self.recipient,
            self.signed_for,
            self.note,
        )


@dataclass(frozen=True)
class OutgoingRegisterRow:
    document_id: int
    number: int
    number_notation: str  # Số, ký hiệu
    issued_on: dt.date | None  # Ngày tháng
    type_and_summary: str  # Tên loại và trích yếu nội dung
    signer: str  # Người ký
    recipients: str  # Nơi nhận văn bản
    archive_keeper: str  # Đơn vị, người nhận bản lưu
    copies: int  # Số lượng bản
    note: str  # Ghi chú

    def cells(self) -> tuple[str, ...]:
        return (
            self.number_notation,
            _date(self.issued_on),
            self.type_and_summary,
            self.signer,
            self.recipients,
            self.archive_keeper,
            str(self.copies),
            self.note,
        )


RegisterRow = IncomingRegisterRow | OutgoingRegisterRow


def type_and_summary(document: Document) -> str:
    """ "Quyết định về việc …"; a công văn or thư công shows its summary alone ("V/v …")."""
    summary = " ".join(document.summary.split())
    kind = doctypes.BY_CODE.get(document.doc_type)
    if kind is None or not kind.abbreviation or summary.lower().startswith(kind.name.lower()):
        return summary  # no type, or the summary already starts with it ("Kế hoạch bảo vệ …")
    if summary[:7].lower() == "về việc":
        summary = "v" + summary[1:]
    return f"{kind.name} {summary}".strip()


def _note(document: Document, *extra: str) -> str:
    parts = list(extra)
    if document.secrecy != Secrecy.NORMAL:
        parts.append(Secrecy(document.secrecy).label)
    if document.urgency != Urgency.NORMAL:
        parts.append(Urgency(document.urgency).label)
    return "; ".join(p for p in parts if p)


def _in_year(qs: Any, field: str, date_from: dt.date | None, date_to: dt.date | None) -> Any:
    if date_from is not None:
        qs = qs.filter(**{f"{field}__gte": date_from})
    if date_to is not None:
        qs = qs.filter(**{f"{field}__lte": date_to})
    return qs


def incoming_register(
    *,
    actor: Any,
    agency: Agency,
    year: int,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> list[IncomingRegisterRow]:
    authorize(actor, "documents.view", agency)
    visible = set(
        visible_documents(actor)
        .filter(agency=agency, direction=Direction.INCOMING, arrival_year=year)
        .values_list("pk", flat=True)
    )
    lead_items = Prefetch(
        "assignments",
        queryset=Assignment.objects.filter(role=AssignmentRole.LEAD).select_related("unit", "handler"),
        to_attr="lead_items",
    )
    documents = _in_year(
        Document.objects.filter(
            agency=agency, direction=Direction.INCOMING, arrival_year=year, arrival_number__isnull=False
        ),
        "received_at__date",
        date_from,
        date_to,
    )
    rows = []
    for document in documents.prefetch_related(lead_items).order_by("arrival_number"):
        arrived = timezone.localdate(document.received_at) if document.received_at else None
        assert document.arrival_number is not None
        if document.pk not in visible:
            rows.append(
                IncomingRegisterRow(
                    document_id=document.pk,
                    arrival_date=arrived,
                    arrival_number=document.arrival_number,
                    issuer="",
                    number_notation="",
                    issued_on=None,
                    type_and_summary=WITHHELD,
                    recipient="",
                    signed_for="",
                    note=_note(document),
                )
            )
            continue
        leads = getattr(document, "lead_items", [])
        lead = leads[-1] if leads else None
        recipient = ""
        if lead is not None:
            recipient = lead.handler.display_name if lead.handler else (lead.unit.name if lead.unit else "")
        rows.append(
            IncomingRegisterRow(
                document_id=document.pk,
                arrival_date=arrived,
                arrival_number=document.arrival_number,
                issuer=document.issuer_name,
                number_notation=document.number_notation,
                issued_on=document.issued_on,
                type_and_summary=type_and_summary(document),
                recipient=recipient,
                signed_for="",
                note=_note(document, "Bản giấy" if document.channel == "paper" else ""),
            )
        )
    return rows


def _recipient_names(document: Document) -> str:
    if document.recipients_text.strip():
        return "; ".join(
            line.strip(" -–•;") for line in document.recipients_text.splitlines() if line.strip()
        )
    names = []
    for r in document.recipients.all():
        names.append(r.agency.name if r.agency else (r.external_name or r.external_code))
    return "; ".join(n for n in names if n)


def outgoing_register(
    *,
    actor: Any,
    agency: Agency,
    year: int,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> list[OutgoingRegisterRow]:
    authorize(actor, "documents.view", agency)
    visible = set(
        visible_documents(actor)
        .filter(agency=agency, direction=Direction.OUTGOING, year=year)
        .values_list("pk", flat=True)
    )
    documents = _in_year(
        Document.objects.filter(agency=agency, direction=Direction.OUTGOING, year=year, number__isnull=False),
        "issued_on",
        date_from,
        date_to,
    )
    rows = []
    for document in (
        documents.select_related("created_by", "created_by__agency")
        .prefetch_related(
            Prefetch("recipients", queryset=Recipient.objects.select_related("agency").order_by("id"))
        )
        .annotate(recipient_count=Count("recipients"))
        .order_by("number")
    ):
        assert document.number is not None
        recalled = "Đã thu hồi" if document.status == Status.RECALLED else ""
        if document.pk not in visible:
            rows.append(
                OutgoingRegisterRow(
                    document_id=document.pk,
                    number=document.number,
                    number_notation=document.number_notation,
                    issued_on=document.issued_on,
                    type_and_summary=WITHHELD,
                    signer="",
                    recipients="",
                    archive_keeper="",
                    copies=0,
                    note=_note(document, recalled),
                )
            )
            continue
        keeper = document.created_by
        keeper_text = ""
        if keeper is not None:
            unit = keeper.agency.name if keeper.agency and keeper.agency_id != agency.pk else ""
            keeper_text = ", ".join(p for p in (unit, keeper.display_name) if p)
        recipients = _recipient_names(document)
        copies = getattr(document, "recipient_count", 0) or len([p for p in recipients.split("; ") if p])
        rows.append(
            OutgoingRegisterRow(
                document_id=document.pk,
                number=document.number,
                number_notation=document.number_notation,
                issued_on=document.issued_on,
                type_and_summary=type_and_summary(document),
                signer=document.signer_name,
                recipients=recipients,
                archive_keeper=keeper_text,
                copies=copies,
                note=_note(document, recalled),
            )
        )
    return rows


def _columns(kind: Kind) -> tuple[str, ...]:
    return INCOMING_COLUMNS if kind == "in" else OUTGOING_COLUMNS


def register_title(kind: Kind, year: int) -> str:
    return f"{TITLES[kind]} — NĂM {year}"


def register_filename(kind: Kind, agency: Agency, year: int, ext: str) -> str:
    return f"so-van-ban-{'den' if kind == 'in' else 'di'}_{agency.code}_{year}.{ext}"


HEADER_ROW = 4  # title, agency, blank, header


def register_xlsx(rows: list[Any], kind: Kind, agency: Agency, year: int) -> bytes:
    """The register as an .xlsx laid out for printing on A4 landscape."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    columns = _columns(kind)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Sổ văn bản đến" if kind == "in" else "Sổ văn bản đi"
    last = get_column_letter(len(columns))
    sheet["A1"] = register_title(kind, year)
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.merge_cells(f"A1:{last}1")
    sheet["A2"] = agency.name
    sheet["A2"].font = Font(bold=True, size=12)
    sheet["A2"].alignment = Alignment(horizontal="center")
    sheet.merge_cells(f"A2:{last}2")
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    wrap = Alignment(vertical="top", wrap_text=True)
    fill = PatternFill("solid", fgColor="D9E1F2")
    for col, title in enumerate(columns, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=col, value=title)
        cell.font, cell.border, cell.alignment, cell.fill = Font(bold=True), border, center, fill
        sheet.column_dimensions[get_column_letter(col)].width = WIDTHS[kind][col - 1]
    for r, row in enumerate(rows, start=HEADER_ROW + 1):
        if kind == "in":
            values: list[Any] = [
                row.arrival_date,
                row.arrival_number,
                *row.cells()[2:4],
                row.issued_on,
                *row.cells()[5:],
            ]
        else:
            values = [row.number_notation, row.issued_on, *row.cells()[2:6], row.copies, row.note]
        for col, value in enumerate(values, start=1):
            cell = sheet.cell(row=r, column=col, value=value if value != "" else None)
            cell.border, cell.alignment = border, wrap
            if isinstance(value, dt.date):
                cell.number_format = "DD/MM/YYYY"
                cell.alignment = Alignment(horizontal="center", vertical="top")
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.oddFooter.center.text = "Trang &P / &N"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def register_pdf(rows: list[Any], kind: Kind, agency: Agency, year: int) -> bytes:
    """The register as a landscape A4 PDF, in a Unicode font (DejaVu) for Vietnamese."""
    from fpdf.fonts import FontFace

    from congso.core.files.pdf import new_pdf

    columns = _columns(kind)
    title = register_title(kind, year)
    pdf, family, text = new_pdf(title=title, orientation="L")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.set_font(family, "B", 14)
    pdf.cell(0, 8, text(title), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "B", 11)
    pdf.cell(0, 7, text(agency.name), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 8)
    pdf.cell(
        0,
        5,
        text(f"Lập lúc {timezone.localtime():%H:%M ngày %d/%m/%Y}. Số dòng: {len(rows)}."),
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)
    total = sum(WIDTHS[kind])
    widths = tuple(w * pdf.epw / total for w in WIDTHS[kind])
    pdf.set_font(family, "", 7.5)
    with pdf.table(
        col_widths=widths,
        headings_style=FontFace(emphasis="BOLD", fill_color=(217, 225, 242)),
        line_height=4,
        padding=1,
        text_align="LEFT",
        v_align="TOP",
        width=pdf.epw,
        repeat_headings=1,
    ) as table:
        table.row([text(c) for c in columns])
        for row in rows:
            table.row([text(v) for v in row.cells()])
    if not rows:
        pdf.ln(3)
        pdf.cell(0, 6, text("Không có văn bản nào trong sổ."), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
