"""The statutory forms of the one-stop procedure, rendered as A4 PDFs (fpdf2, DejaVu font).

The forms follow the annex of Decree 118/2025/NĐ-CP on the one-stop mechanism, whose numbering and
wording carry on those of Circular 01/2018/TT-VPCP (guiding Decree 61/2018/NĐ-CP):

- Mẫu số 01 ``receipt_slip``: Giấy tiếp nhận hồ sơ và hẹn trả kết quả (with a QR code of the
  public tracking address);
- Mẫu số 02 ``supplement_request``: Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ;
- Mẫu số 03 ``refusal_slip``: Phiếu từ chối tiếp nhận giải quyết hồ sơ;
- Mẫu số 04 ``apology_letter``: Phiếu xin lỗi và hẹn lại ngày trả kết quả (signed by the head of
  the agency that is late);
- Mẫu số 05 ``control_slip``: Phiếu kiểm soát quá trình giải quyết hồ sơ (a table that breaks
  across pages, headings repeated);
- ``result_document``: the decision or certificate returned to the citizen, in the layout of
  Decree 30/2020/NĐ-CP, with the area ``RESULT_SIGNATURE_BOX`` on the last page left empty for the
  visible PAdES signature added afterwards.

The module takes plain frozen dataclasses and imports no model, so it can be used and tested on its
own. Dates are written in Vietnamese in Asia/Ho_Chi_Minh time ("16 giờ 30 phút, ngày 24 tháng 11 năm
2026"; a day below 10 and the months 1 and 2 take a leading zero, as Decree 30 asks), amounts as
"50.000 đồng". Bad input raises ``InvalidInput`` with a Vietnamese message.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import segno
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from congso.core.errors import InvalidInput
from congso.core.files.pdf import new_pdf, unicode_font

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# Where an agency name's locality starts, for breaking headings ("ỦY BAN NHÂN DÂN / PHƯỜNG BA ĐÌNH").
LOCALITY = re.compile(r"\b(?:PHƯỜNG|XÃ|THỊ TRẤN|ĐẶC KHU|QUẬN|HUYỆN|THỊ XÃ|THÀNH PHỐ|TỈNH)\b")

# Page geometry in millimetres (A4 portrait). Decree 30 asks for 20-25 mm at the top and bottom,
# 30-35 mm on the left and 15-20 mm on the right.
PAGE_W, PAGE_H = 210.0, 297.0
MARGIN_L, MARGIN_R, MARGIN_T, MARGIN_B = 30.0, 15.0, 20.0, 20.0
CONTENT_W = PAGE_W - MARGIN_L - MARGIN_R
HEAD_LEFT_W = 75.0  # the agency's column of the heading; the national motto takes the rest
BODY_SIZE = 11.5
LINE = 1.4  # line height as a multiple of the font size
PT_PER_MM = 72 / 25.4
PAGE_H_PT = PAGE_H * PT_PER_MM
HEADING_TOP = 15.0

# The result document's signature block sits at a fixed place on its last page, so the area for the
# visible signature is known before the PDF exists. In millimetres from the top-left:
_SIGN_X1, _SIGN_X2 = 110.0, PAGE_W - MARGIN_R
_SIGN_TITLE_Y = 165.0  # the signer's title (up to two lines)
_SIGN_BOX_TOP, _SIGN_BOX_BOTTOM = 179.0, 209.0  # left empty for the signature stamp
_SIGN_NAME_Y = 211.0


def _box_points() -> tuple[int, int, int, int]:
    """The empty signature area in PDF points from the bottom-left, rounded inwards."""
    return (
        math.ceil(_SIGN_X1 * PT_PER_MM),
        math.ceil(PAGE_H_PT - _SIGN_BOX_BOTTOM * PT_PER_MM),
        math.floor(_SIGN_X2 * PT_PER_MM),
        math.floor(PAGE_H_PT - _SIGN_BOX_TOP * PT_PER_MM),
    )


# (x1, y1, x2, y2) in PDF points from the bottom-left of the last page (page index -1) of a
# ``result_document``: where the visible PAdES signature goes. Nothing is drawn inside it.
RESULT_SIGNATURE_BOX: tuple[int, int, int, int] = _box_points()
RESULT_SIGNATURE_PAGE = -1


# --- Input ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlipDocument:
    name: str
    copies: int = 1
    original: bool = False  # bản chính (True) / bản sao (False)


@dataclass(frozen=True)
class SlipDossier:
    code: str  # "001.01.90.H26-261124-0001"
    procedure_code: str
    procedure_name: str
    applicant_name: str
    applicant_id_number: str  # may be ""
    applicant_phone: str  # may be ""
    applicant_address: str  # may be ""
    receiving_agency: str  # name of the one-stop desk's agency
    competent_agency: str  # name of the agency that decides
    received_at: dt.datetime  # aware
    due_at: dt.datetime  # aware
    documents: tuple[SlipDocument, ...]
    fee: int = 0  # VND
    tracking_url: str = ""  # goes into the QR code on the receipt slip
    # Additions (optional): the line above the agency in the heading (its managing body, e.g.
    # "Ủy ban nhân dân phường Ba Đình"), the place in "Hà Nội, ngày …", and the legal processing
    # time in working days (item 3 of Mẫu 01, left out when 0).
    receiving_parent: str = ""
    place: str = "Hà Nội"
    processing_days: int = 0


@dataclass(frozen=True)
class Handover:  # one row of the process control slip
    step: str  # "Tiếp nhận hồ sơ", "Thẩm định", "Phê duyệt", "Trả kết quả"…
    from_party: str  # "Nguyễn Văn A — Bộ phận Một cửa phường Ba Đình"
    to_party: str
    handed_at: dt.datetime
    due_at: dt.datetime | None
    done_at: dt.datetime | None
    note: str = ""  # "Đúng hạn" / "Quá hạn 1 ngày" etc.


# --- Words ---------------------------------------------------------------------------------------


def _local(value: dt.datetime, what: str) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(
            _("Thời điểm {what} phải kèm múi giờ.").format(what=what),
            errors=[{"field": what, "message": _("thiếu múi giờ")}],
        )
    return value.astimezone(VN_TZ)


def _day_month_year(day: dt.date) -> str:
    # Decree 30/2020: a day below 10 and the months 1 and 2 are written with a leading zero.
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def vietnamese_date(value: dt.date) -> str:
    """``ngày 24 tháng 11 năm 2026``; ``ngày 05 tháng 02 năm 2026``. An aware datetime is read in
    Hà Nội time."""
    if isinstance(value, dt.datetime):
        value = _local(value, "date").date()
    return _day_month_year(value)


def vietnamese_datetime(value: dt.datetime) -> str:
    """``16 giờ 30 phút, ngày 24 tháng 11 năm 2026`` in Hà Nội time (the value must be aware)."""
    local = _local(value, "datetime")
    return f"{local.hour:02d} giờ {local.minute:02d} phút, {_day_month_year(local.date())}"


def vietnamese_amount(vnd: int) -> str:
    """``50.000 đồng``."""
    return f"{vnd:,}".replace(",", ".") + " đồng"


def _nb(value: str) -> str:
    """Keep a date's or a number's words on one line: spaces become no-break spaces, except after a
    comma ("16 giờ 30 phút, | ngày 24 tháng 11 năm 2026")."""
    return ", ".join(part.replace(" ", "\u00a0") for part in value.split(", "))


def _copies(n: int) -> str:
    return f"{n:02d}"


def tracking_qr(url: str) -> segno.QRCode:
    """The QR code printed on the receipt slip: the public tracking address, error level M."""
    if not url.strip():
        raise InvalidInput(
            _("Thiếu địa chỉ tra cứu hồ sơ để in mã QR."),
            errors=[{"field": "tracking_url", "message": _("bắt buộc")}],
        )
    return segno.make_qr(url.strip(), error="m", boost_error=False)


# --- Checks --------------------------------------------------------------------------------------


def _require(value: str, field: str, message: str, errors: list[dict[str, Any]]) -> None:
    if not value.strip():
        errors.append({"field": field, "message": message})


_WHAT = {  # translated when the message is made (gettext_lazy)
    "officer": gettext_lazy("họ tên người tiếp nhận hồ sơ"),
    "head": gettext_lazy("họ tên thủ trưởng cơ quan"),
    "reason": gettext_lazy("lý do"),
    "title": gettext_lazy("tên văn bản"),
    "body": gettext_lazy("nội dung văn bản"),
    "signer_title": gettext_lazy("chức danh người ký"),
    "signer": gettext_lazy("họ tên người ký"),
}


def _check(d: SlipDossier, **texts: str) -> None:
    errors: list[dict[str, Any]] = []
    _require(d.code, "code", _("Thiếu mã hồ sơ."), errors)
    _require(d.procedure_name, "procedure_name", _("Thiếu tên thủ tục hành chính."), errors)
    _require(d.applicant_name, "applicant_name", _("Thiếu họ tên người nộp hồ sơ."), errors)
    _require(d.receiving_agency, "receiving_agency", _("Thiếu tên cơ quan tiếp nhận hồ sơ."), errors)
    _require(d.competent_agency, "competent_agency", _("Thiếu tên cơ quan giải quyết hồ sơ."), errors)
    for field, value in texts.items():
        _require(value, field, _("Thiếu {what}.").format(what=str(_WHAT.get(field, field))), errors)
    for field in ("received_at", "due_at"):
        value = getattr(d, field)
        if not isinstance(value, dt.datetime) or value.utcoffset() is None:
            errors.append({"field": field, "message": _("Thời điểm phải kèm múi giờ.")})
    if not errors and d.due_at < d.received_at:
        errors.append(
            {"field": "due_at", "message": _("Ngày hẹn trả kết quả không được trước ngày tiếp nhận.")}
        )
    if d.fee < 0:
        errors.append({"field": "fee", "message": _("Phí, lệ phí không được âm.")})
    for i, doc in enumerate(d.documents):
        if not doc.name.strip() or doc.copies < 1:
            errors.append(
                {"field": f"documents[{i}]", "message": _("Giấy tờ phải có tên và ít nhất 01 bản.")}
            )
    if errors:
        if errors[0]["field"] == "code":
            raise InvalidInput(_("Thiếu mã hồ sơ: không lập được phiếu."), errors=errors)
        raise InvalidInput(
            _("Thông tin hồ sơ {code} chưa đủ để lập phiếu: {problem}").format(
                code=d.code, problem=errors[0]["message"]
            ),
            errors=errors,
        )


def _check_items(values: Sequence[str], field: str, message: str) -> list[str]:
    if isinstance(values, str):
        values = [values]
    items = [v.strip() for v in values if v and v.strip()]
    if not items:
        raise InvalidInput(message, errors=[{"field": field, "message": _("cần ít nhất một nội dung")}])
    return items


# --- Drawing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Signer:
    title: str  # "NGƯỜI TIẾP NHẬN HỒ SƠ"
    hint: str  # "(Ký và ghi rõ họ tên)"
    name: str


class _Form:
    """An A4 page with the two-column heading of an administrative document and helpers for the
    lines of a form. ``t()`` passes every string through the font fallback of ``new_pdf``."""

    def __init__(self, *, title: str, form_no: str, code: str) -> None:
        pdf, family, text = new_pdf(title=title)
        self.pdf: Any = pdf
        self.family: str = family
        self._text: Callable[[str], str] = text
        self.form_no = form_no
        self.code = code
        # A column kept free on the right of the text (the QR code): (page, bottom y, width).
        self.reserved: tuple[int, float, float] | None = None
        if family == "Body":  # DejaVu: register the oblique faces too
            font = unicode_font()
            if font is not None:
                for style, suffix in (("I", "-Oblique"), ("BI", "-BoldOblique")):
                    face = font.with_name(font.stem + suffix + font.suffix)
                    pdf.add_font(family, style, str(face if face.is_file() else font))
        pdf.set_lang("vi")
        pdf.set_author("congso")
        pdf.set_subject(f"{form_no} — {code}".strip(" —"))
        pdf.set_margins(MARGIN_L, MARGIN_T, MARGIN_R)
        pdf.set_auto_page_break(auto=True, margin=MARGIN_B)
        pdf.add_page()

    def t(self, value: str) -> str:
        return self._text(unicodedata.normalize("NFC", value))

    def font(self, style: str = "", size: float = BODY_SIZE) -> None:
        self.pdf.set_font(self.family, style, size)

    # The heading ------------------------------------------------------------------------------

    def heading(
        self, *, parent: str, agency: str, place: str, when: dt.date | None, left_line: str = ""
    ) -> None:
        """The managing body and the agency on the left, the national name and motto on the right,
        then the place and date under the motto and ``left_line`` (where "Số: …" goes) beside it."""
        pdf = self.pdf
        if self.form_no:
            self.font("B", 9.5)
            pdf.set_xy(MARGIN_L, 8)
            pdf.cell(CONTENT_W, 5, self.t(self.form_no), align="R")
        top = HEADING_TOP
        # Left: the managing body (regular), the agency (bold), a short rule under it.
        pdf.set_xy(MARGIN_L, top)
        if parent.strip():
            self.font("", 10)
            lines = self._heading_lines(parent.upper())
            pdf.multi_cell(HEAD_LEFT_W - 3, 5, self.t(lines), align="C", new_x="LMARGIN", new_y="NEXT")
        self.font("B", 10.5)
        lines = self._heading_lines(agency.upper())
        pdf.multi_cell(HEAD_LEFT_W - 3, 5, self.t(lines), align="C", new_x="LMARGIN", new_y="NEXT")
        left_bottom = pdf.get_y() + 1.2
        pdf.set_line_width(0.3)
        mid = MARGIN_L + (HEAD_LEFT_W - 3) / 2
        pdf.line(mid - 12, left_bottom, mid + 12, left_bottom)
        # Right: the national name and motto, the motto underlined as long as itself.
        right_x, right_w = MARGIN_L + HEAD_LEFT_W, CONTENT_W - HEAD_LEFT_W
        pdf.set_xy(right_x, top)
        nation = self.t("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
        size = 11.0
        self.font("B", size)
        while pdf.get_string_width(nation) > right_w - 1 and size > 8:
            size -= 0.5
            self.font("B", size)
        pdf.cell(right_w, 5, nation, align="C", new_x="LEFT", new_y="NEXT")
        motto = self.t("Độc lập - Tự do - Hạnh phúc")
        self.font("B", 11.5)
        pdf.cell(right_w, 5.5, motto, align="C", new_x="LEFT", new_y="NEXT")
        width = pdf.get_string_width(motto)
        rule_y = pdf.get_y() + 0.8
        pdf.line(right_x + (right_w - width) / 2, rule_y, right_x + (right_w + width) / 2, rule_y)
        # "Số: …" (here the dossier code) and the place and date share the row under both columns;
        # without the former, the date goes right under the motto.
        row_y = max(left_bottom, rule_y) + 3 if left_line else rule_y + 3
        bottom = max(left_bottom, rule_y)
        if left_line:
            pdf.set_xy(MARGIN_L, row_y)
            self.font("", 10.5)
            pdf.multi_cell(HEAD_LEFT_W, 5.5, self.t(left_line), align="C", new_x="LMARGIN", new_y="NEXT")
            bottom = max(bottom, pdf.get_y())
        if when is not None:
            pdf.set_xy(right_x, row_y)
            self.font("I", 11.5)
            pdf.multi_cell(right_w, 5.5, self.t(f"{place}, {_day_month_year(when)}"), align="C")
            bottom = max(bottom, pdf.get_y())
        pdf.set_xy(MARGIN_L, bottom + 2)

    def _heading_lines(self, name: str) -> str:
        """An agency name broken the way headings are: before the locality ("ỦY BAN NHÂN DÂN /
        PHƯỜNG BA ĐÌNH"), and a part still too long split where its two lines are most even."""
        pdf = self.pdf
        width = HEAD_LEFT_W - 6
        name = " ".join(name.split())
        if pdf.get_string_width(self.t(name)) <= width:
            return name
        parts = [name]
        found = list(LOCALITY.finditer(name))
        if found and found[-1].start() > 0:
            cut = found[-1].start()
            parts = [name[:cut].strip(), name[cut:].strip()]
        lines: list[str] = []
        for part in parts:
            words = part.split(" ")
            if pdf.get_string_width(self.t(part)) <= width or len(words) < 2:
                lines.append(part)
                continue
            splits = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
            best = min(splits, key=lambda ab: max(pdf.get_string_width(self.t(x)) for x in ab))
            if max(pdf.get_string_width(self.t(x)) for x in best) <= width:
                lines.extend(best)
            else:
                lines.append(part)  # longer still: multi_cell wraps it
        return "\n".join(lines)

    def title(self, title: str, *, sub: str = "") -> None:
        pdf = self.pdf
        pdf.ln(4)
        self.font("B", 14)
        pdf.multi_cell(CONTENT_W, 7, self.t(title.upper()), align="C", new_x="LMARGIN", new_y="NEXT")
        if sub:
            self.font("B", 12)
            pdf.multi_cell(CONTENT_W, 6.5, self.t(sub), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)

    def centred(self, value: str, style: str = "I", size: float = 11.5) -> None:
        self.font(style, size)
        self.pdf.multi_cell(CONTENT_W, 6, self.t(value), align="C", new_x="LMARGIN", new_y="NEXT")

    # Text -------------------------------------------------------------------------------------

    def para(
        self,
        *parts: tuple[str, str],
        align: str = "J",
        first_indent: float = 0,
        indent: float = 0,
        bullet: str = "",
        size: float = BODY_SIZE,
        gap: float = 0.8,
        right: float = 0,
    ) -> None:
        """One paragraph made of (style, text) runs, wrapped and broken across pages."""
        pdf = self.pdf
        if self.reserved is not None:
            page, bottom, width = self.reserved
            if pdf.page == page and pdf.get_y() < bottom:
                right += width
        self.font("", size)
        with (
            pdf.text_columns(
                text_align=align,
                line_height=LINE,
                l_margin=MARGIN_L,
                r_margin=MARGIN_R + right,
                skip_leading_spaces=True,
            ) as cols,
            cols.paragraph(
                first_line_indent=first_indent,
                indent=indent,
                bullet_string=self.t(bullet),
                bullet_r_margin=1.5 if bullet else None,
                bottom_margin=gap,
            ) as par,
        ):
            for style, value in parts:
                self.font(style, size)
                par.write(self.t(value))
        pdf.set_x(MARGIN_L)

    def field(self, label: str, value: str, *, right: float = 0) -> None:
        """``Label: value`` with the value in bold, wrapping under the label."""
        self.para(("", f"{label}: "), ("B", value), align="L", right=right)

    def numbered(self, items: Sequence[str], *, indent: float = 8) -> None:
        for i, item in enumerate(items, start=1):
            self.para(("", item), bullet=f"{i}.", indent=indent, gap=2.5 if i == len(items) else 0.8)

    # Tables -----------------------------------------------------------------------------------

    def table(
        self,
        headings: Sequence[str],
        rows: Sequence[Sequence[str]],
        *,
        widths: Sequence[float],
        align: Sequence[str],
        size: float = 10,
    ) -> None:
        from fpdf.fonts import FontFace

        pdf = self.pdf
        self.font("", size)
        with pdf.table(
            col_widths=tuple(widths),
            width=CONTENT_W,
            align="L",
            text_align=tuple(align),
            headings_style=FontFace(emphasis="BOLD", fill_color=(235, 235, 235)),
            line_height=size * 0.5,
            padding=(1.2, 1.5),
            v_align="M",
            repeat_headings=1,
        ) as table:
            head = table.row()
            for h in headings:
                head.cell(self.t(h), align="C")
            for values in rows:
                row = table.row()
                for value in values:
                    row.cell(self.t(value))
        pdf.set_x(MARGIN_L)
        pdf.ln(2)

    # Signatures -------------------------------------------------------------------------------

    def signatures(self, left: _Signer | None, right: _Signer, *, space: float = 22) -> None:
        """The signers' blocks side by side (or one on the right). Near the foot of the page the room
        for the signatures shrinks to 12 mm before the blocks move to a new page."""
        pdf = self.pdf
        col = 80.0
        fixed = 2 + 6 + 5.5 + 6
        room = PAGE_H - MARGIN_B - pdf.get_y() - fixed
        if room < 12:
            pdf.add_page()
        else:
            space = min(space, room)
            pdf.ln(2)
        y = pdf.get_y()
        for signer, x in ((left, MARGIN_L), (right, PAGE_W - MARGIN_R - col)):
            if signer is None:
                continue
            pdf.set_xy(x, y)
            self.font("B", 12)
            pdf.multi_cell(col, 6, self.t(signer.title.upper()), align="C", new_x="LEFT", new_y="NEXT")
            self.font("I", 11)
            pdf.multi_cell(col, 5.5, self.t(signer.hint), align="C", new_x="LEFT", new_y="NEXT")
            pdf.set_xy(x, pdf.get_y() + space)
            self.font("B", 12)
            pdf.multi_cell(col, 6, self.t(signer.name), align="C", new_x="LEFT", new_y="NEXT")

    # Output -----------------------------------------------------------------------------------

    def output(self) -> bytes:
        """The PDF, with "Mã hồ sơ … — Trang i/n" at the foot of every page when there are several."""
        pdf = self.pdf
        pages = pdf.page
        if pages > 1:
            pdf.set_auto_page_break(auto=False)
            for number in range(1, pages + 1):
                pdf.page = number
                # The font must be selected again in this page's content stream.
                self.font("I", 8)
                self.font("I", 8.5)
                pdf.set_xy(MARGIN_L, PAGE_H - MARGIN_B + 6)
                pdf.cell(CONTENT_W, 5, self.t(f"Mã hồ sơ {self.code} — Trang {number}/{pages}"), align="C")
            pdf.page = pages
        return bytes(pdf.output())


def _applicant_lines(f: _Form, d: SlipDossier, *, label: str) -> None:
    f.field(label, d.applicant_name)
    contact: list[tuple[str, str]] = []
    if d.applicant_id_number.strip():
        contact += [("", "Số định danh cá nhân: "), ("B", d.applicant_id_number.strip())]
    if d.applicant_phone.strip():
        contact += [
            ("", "    Số điện thoại: " if contact else "Số điện thoại: "),
            ("B", _nb(d.applicant_phone.strip())),
        ]
    if contact:
        f.para(*contact, align="L")
    if d.applicant_address.strip():
        f.field("Địa chỉ", d.applicant_address)


def _request_line(f: _Form, d: SlipDossier) -> None:
    code = " " + _nb(f"(mã thủ tục {d.procedure_code.strip()})") if d.procedure_code.strip() else ""
    f.para(("", "Nội dung yêu cầu giải quyết: "), ("B", d.procedure_name), ("", code), align="L")


@contextmanager
def _form(
    d: SlipDossier,
    *,
    title: str,
    form_no: str,
    agency: str,
    parent: str,
    when: dt.date | None,
    left_line: str = "",
) -> Iterator[_Form]:
    f = _Form(title=f"{title} — {d.code}", form_no=form_no, code=d.code)
    f.heading(parent=parent, agency=agency, place=d.place, when=when, left_line=left_line)
    yield f


def _today(issued_at: dt.datetime | None) -> dt.date:
    return _local(issued_at or dt.datetime.now(VN_TZ), "issued_at").date()


# --- The forms -----------------------------------------------------------------------------------

QR_SIZE = 28.0  # mm


def receipt_slip(d: SlipDossier, *, officer: str, issued_at: dt.datetime | None = None) -> bytes:
    """Mẫu số 01 — Giấy tiếp nhận hồ sơ và hẹn trả kết quả, with the QR code of ``tracking_url``
    (when there is one) beside the applicant's details. Dated the day of receipt unless
    ``issued_at`` says otherwise."""
    _check(d, officer=officer)
    qr = tracking_qr(d.tracking_url) if d.tracking_url.strip() else None
    when = _today(issued_at) if issued_at else _local(d.received_at, "received_at").date()
    title = "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"
    with _form(
        d, title=title, form_no="Mẫu số 01", agency=d.receiving_agency, parent=d.receiving_parent, when=when
    ) as f:
        f.title(title, sub=f"Mã hồ sơ: {d.code}")
        if qr is not None:
            _qr(f, qr)
        f.para(("B", d.receiving_agency), align="L")
        _applicant_lines(f, d, label="Tiếp nhận hồ sơ của")
        _request_line(f, d)
        f.field("Cơ quan giải quyết", d.competent_agency)
        if f.reserved is not None:  # the list starts under the QR code
            f.pdf.set_y(max(f.pdf.get_y(), f.reserved[1]))
            f.reserved = None
        f.para(("", "1. Thành phần hồ sơ nộp gồm:"), align="L")
        if d.documents:
            f.table(
                ("TT", "Tên giấy tờ", "Hình thức", "Số lượng"),
                [
                    (str(i), doc.name, "Bản chính" if doc.original else "Bản sao", _copies(doc.copies))
                    for i, doc in enumerate(d.documents, start=1)
                ],
                widths=(10, 99, 30, 26),
                align=("C", "L", "C", "C"),
            )
        else:
            f.para(("I", "Không có giấy tờ kèm theo."), indent=8, align="L")
        f.para(("", "2. Số lượng hồ sơ: "), ("B", "01"), ("", " (bộ)"), align="L")
        n = 3
        if d.processing_days > 0:
            f.para(
                ("", f"{n}. Thời gian giải quyết hồ sơ theo quy định là: "),
                ("B", f"{d.processing_days:02d} ngày làm việc"),
                align="L",
            )
            n += 1
        f.para(
            ("", f"{n}. Thời gian nhận hồ sơ: "), ("B", _nb(vietnamese_datetime(d.received_at))), align="L"
        )
        f.para(
            ("", f"{n + 1}. Thời gian trả kết quả giải quyết hồ sơ: "),
            ("B", _nb(vietnamese_datetime(d.due_at))),
            align="L",
        )
        fee = vietnamese_amount(d.fee) if d.fee else "Không thu"
        f.para(("", f"{n + 2}. Phí, lệ phí: "), ("B", fee), align="L")
        f.para(("", f"{n + 3}. Đăng ký nhận kết quả tại: "), ("B", d.receiving_agency), align="L")
        if qr is not None:
            f.para(("I", "Tra cứu tình trạng hồ sơ tại: "), ("", d.tracking_url.strip()), align="L", size=9)
        f.signatures(
            _Signer("Người nộp hồ sơ", "(Ký và ghi rõ họ tên)", d.applicant_name),
            _Signer("Người tiếp nhận hồ sơ", "(Ký và ghi rõ họ tên)", officer),
        )
        return f.output()


def _qr(f: _Form, qr: segno.QRCode) -> None:
    """The QR code at the right edge from the current line down, captioned; the text beside it
    keeps clear of it (``_Form.reserved``)."""
    pdf = f.pdf
    top = pdf.get_y()
    png = io.BytesIO()
    qr.save(png, kind="png", scale=8, border=2)
    png.seek(0)
    x = PAGE_W - MARGIN_R - QR_SIZE
    pdf.image(png, x=x, y=top, w=QR_SIZE, h=QR_SIZE)
    f.font("I", 7.5)
    pdf.set_xy(x - 2, top + QR_SIZE)
    pdf.cell(QR_SIZE + 4, 4, f.t("Quét mã để tra cứu hồ sơ"), align="C")
    pdf.set_xy(MARGIN_L, top)
    f.reserved = (pdf.page, top + QR_SIZE + 5, QR_SIZE + 6)


def supplement_request(
    d: SlipDossier,
    *,
    officer: str,
    items: Sequence[str],
    reason: str,
    issued_at: dt.datetime | None = None,
) -> bytes:
    """Mẫu số 02 — Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ: what is missing, why, and who to ask."""
    _check(d, officer=officer)
    wanted = _check_items(
        items, "items", _("Phiếu yêu cầu bổ sung phải nêu ít nhất một nội dung cần bổ sung.")
    )
    title = "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"
    with _form(
        d,
        title=title,
        form_no="Mẫu số 02",
        agency=d.receiving_agency,
        parent=d.receiving_parent,
        when=_today(issued_at),
    ) as f:
        f.title(title, sub=f"Mã hồ sơ: {d.code}")
        _applicant_lines(f, d, label="Hồ sơ của")
        _request_line(f, d)
        f.field("Thời gian nhận hồ sơ", _nb(vietnamese_datetime(d.received_at)))
        f.para(("B", "Yêu cầu hoàn thiện hồ sơ gồm những nội dung sau:"), align="L")
        f.numbered(wanted)
        if reason.strip():
            f.para(("", "Lý do: "), ("", reason.strip()))
        f.para(
            ("", "Trong quá trình hoàn thiện hồ sơ nếu có vướng mắc, Ông/Bà liên hệ với "),
            ("B", officer),
            ("", f", {d.receiving_agency} để được hướng dẫn."),
        )
        f.signatures(None, _Signer("Người hướng dẫn", "(Ký và ghi rõ họ tên)", officer))
        return f.output()


def refusal_slip(
    d: SlipDossier, *, officer: str, reasons: Sequence[str], issued_at: dt.datetime | None = None
) -> bytes:
    """Mẫu số 03 — Phiếu từ chối tiếp nhận giải quyết hồ sơ, with the reasons one by one."""
    _check(d, officer=officer)
    why = _check_items(reasons, "reasons", _("Phiếu từ chối phải nêu rõ lý do từ chối."))
    title = "Phiếu từ chối tiếp nhận giải quyết hồ sơ"
    with _form(
        d,
        title=title,
        form_no="Mẫu số 03",
        agency=d.receiving_agency,
        parent=d.receiving_parent,
        when=_today(issued_at),
    ) as f:
        f.title(title, sub=f"Mã hồ sơ: {d.code}")
        _applicant_lines(f, d, label=f"{d.receiving_agency} tiếp nhận hồ sơ của")
        _request_line(f, d)
        f.field("Thời gian nhận hồ sơ", _nb(vietnamese_datetime(d.received_at)))
        f.para(
            (
                "",
                "Qua nghiên cứu, xem xét, đối chiếu hồ sơ với quy định hiện hành, "
                f"{d.receiving_agency} thông báo không tiếp nhận, giải quyết hồ sơ này "
                "với lý do cụ thể như sau:",
            ),
            first_indent=10,
        )
        f.numbered(why)
        f.para(("", "Xin thông báo cho Ông/Bà được biết và thực hiện./."), first_indent=10)
        f.signatures(None, _Signer("Người tiếp nhận hồ sơ", "(Ký và ghi rõ họ tên)", officer))
        return f.output()


def apology_letter(
    d: SlipDossier, *, head: str, reason: str, new_due: dt.datetime, issued_at: dt.datetime | None = None
) -> bytes:
    """Mẫu số 04 — Phiếu xin lỗi và hẹn lại ngày trả kết quả, from the competent agency, to be
    signed by its head (``head``)."""
    _check(d, head=head, reason=reason)
    if _local(new_due, "new_due") <= d.due_at:
        raise InvalidInput(
            _("Ngày hẹn trả kết quả mới phải sau ngày hẹn cũ ({due}).").format(
                due=vietnamese_datetime(d.due_at)
            ),
            errors=[{"field": "new_due", "message": _("phải sau ngày hẹn cũ")}],
        )
    title = "Phiếu xin lỗi và hẹn lại ngày trả kết quả"
    agency = d.competent_agency
    with _form(d, title=title, form_no="Mẫu số 04", agency=agency, parent="", when=_today(issued_at)) as f:
        f.title(title, sub=f"Mã hồ sơ: {d.code}")
        f.para(("", "Kính gửi: "), ("B", f"Ông/Bà {d.applicant_name}"), align="C", gap=3)
        received = vietnamese_date(d.received_at)
        f.para(
            ("", f"{received[0].upper()}{received[1:]}, {d.receiving_agency} tiếp nhận hồ sơ của Ông/Bà "),
            ("B", d.applicant_name),
            ("", ", mã hồ sơ "),
            ("B", d.code),
            ("", ", nội dung yêu cầu giải quyết: "),
            ("B", d.procedure_name),
            ("", "."),
            first_indent=10,
        )
        f.para(
            ("", "Thời gian hẹn trả kết quả giải quyết hồ sơ: "),
            ("B", _nb(vietnamese_datetime(d.due_at))),
            ("", "."),
            first_indent=10,
        )
        f.para(
            ("", f"Tuy nhiên đến nay, {agency} chưa trả kết quả giải quyết hồ sơ của Ông/Bà "),
            ("", "đúng thời hạn như đã hẹn."),
            first_indent=10,
        )
        f.para(("", "Lý do: "), ("", reason.strip()), first_indent=10)
        f.para(
            ("", "Sự chậm trễ này đã gây phiền hà, tốn kém chi phí, công sức của Ông/Bà."), first_indent=10
        )
        f.para(
            ("", f"{agency} xin lỗi Ông/Bà và sẽ trả kết quả giải quyết hồ sơ cho Ông/Bà vào "),
            ("B", _nb(vietnamese_datetime(new_due))),
            ("", "."),
            first_indent=10,
        )
        f.para(("", "Xin trân trọng cảm ơn sự hợp tác của Ông/Bà./."), first_indent=10)
        f.signatures(None, _Signer("Thủ trưởng cơ quan", "(Ký, ghi rõ họ tên và đóng dấu)", head), space=28)
        return f.output()


def _handover_result(h: Handover) -> str:
    """The note, or else "Trước hạn" / "Đúng hạn" / "Quá hạn" from the dates; "" while not done."""
    if h.note.strip():
        return h.note.strip()
    if h.done_at is None or h.due_at is None:
        return ""
    done, due = _local(h.done_at, "done_at"), _local(h.due_at, "due_at")
    if done > due:
        return "Quá hạn"
    return "Trước hạn" if done.date() < due.date() else "Đúng hạn"


def _cell_datetime(value: dt.datetime | None) -> str:
    """``16 giờ 30`` over ``24/11/2026``: the time in a table cell."""
    if value is None:
        return ""
    local = _local(value, "datetime")
    return f"{local.hour:02d} giờ {local.minute:02d}\n{local:%d/%m/%Y}"


def control_slip(
    d: SlipDossier, *, handovers: Sequence[Handover], issued_at: dt.datetime | None = None
) -> bytes:
    """Mẫu số 05 — Phiếu kiểm soát quá trình giải quyết hồ sơ: one row per handover; the table
    breaks across pages with its headings repeated."""
    _check(d)
    for i, h in enumerate(handovers):
        for field in ("handed_at", "due_at", "done_at"):
            value = getattr(h, field)
            if value is not None:
                _local(value, f"handovers[{i}].{field}")
    title = "Phiếu kiểm soát quá trình giải quyết hồ sơ"
    when = _today(issued_at) if issued_at else None
    with _form(
        d, title=title, form_no="Mẫu số 05", agency=d.receiving_agency, parent=d.receiving_parent, when=when
    ) as f:
        f.title(title, sub=f"Mã hồ sơ: {d.code}")
        f.centred(f"(Kèm theo hồ sơ của: {d.applicant_name})")
        f.pdf.ln(2)
        _request_line(f, d)
        f.field("Cơ quan (bộ phận) giải quyết hồ sơ", d.competent_agency)
        f.field("Cơ quan tiếp nhận hồ sơ", d.receiving_agency)
        f.field("Thời gian nhận hồ sơ", _nb(vietnamese_datetime(d.received_at)))
        f.field("Thời gian hẹn trả kết quả", _nb(vietnamese_datetime(d.due_at)))
        f.table(
            (
                "TT",
                "Bước xử lý, bên giao - bên nhận",
                "Thời gian giao, nhận hồ sơ",
                "Hạn xử lý",
                "Hoàn thành",
                "Kết quả (trước hạn/ đúng hạn/ quá hạn)",
            ),
            [
                (
                    str(i),
                    f"{h.step}\nGiao: {h.from_party}\nNhận: {h.to_party}",
                    _cell_datetime(h.handed_at),
                    _cell_datetime(h.due_at),
                    _cell_datetime(h.done_at),
                    _handover_result(h),
                )
                for i, h in enumerate(handovers, start=1)
            ],
            widths=(8, 62, 24, 24, 24, 23),
            align=("C", "L", "C", "C", "C", "C"),
            size=9,
        )
        return f.output()


def result_document(
    d: SlipDossier,
    *,
    title: str,
    body: str,
    signer_title: str,
    signer: str,
    issued_at: dt.datetime | None = None,
) -> bytes:
    """The decision or certificate returned to the citizen, in the layout of Decree 30/2020, from
    the competent agency. The signer's block is at a fixed place on the last page and the area
    ``RESULT_SIGNATURE_BOX`` (PDF points, page -1) between the title and the name is left empty for
    the visible PAdES signature added afterwards."""
    _check(d, title=title, body=body, signer_title=signer_title, signer=signer)
    with _form(
        d,
        title=title,
        form_no="",
        agency=d.competent_agency,
        parent="",
        when=_today(issued_at),
        # Under the agency, where a document's number goes: the dossier it answers.
        left_line=f"Hồ sơ số: {d.code}",
    ) as f:
        pdf = f.pdf
        f.title(title)
        for paragraph in body.strip().splitlines():
            if paragraph.strip():
                f.para(("", paragraph.strip()), first_indent=10, size=12.5, gap=2)
        # The block with the signer and "Nơi nhận" starts at a fixed height on the last page.
        if pdf.get_y() > _SIGN_TITLE_Y - 4:
            pdf.add_page()
        pdf.set_auto_page_break(auto=False)
        pdf.set_xy(MARGIN_L, _SIGN_TITLE_Y + 1)
        f.font("BI", 11)
        pdf.cell(70, 5, f.t("Nơi nhận:"), new_x="LMARGIN", new_y="NEXT")
        f.font("", 10)
        for line in (f"Ông/Bà {d.applicant_name};", f"Lưu: VT, hồ sơ {d.code}."):
            pdf.set_x(MARGIN_L)
            pdf.multi_cell(70, 4.8, f.t(f"- {line}"), align="L", new_x="LMARGIN", new_y="NEXT")
        col = _SIGN_X2 - _SIGN_X1
        pdf.set_xy(_SIGN_X1, _SIGN_TITLE_Y)
        # Two lines at most above the box: a long title is set smaller first.
        position = f.t(signer_title.strip().upper())
        for size in (12.5, 11.5, 10.5):
            f.font("B", size)
            if len(pdf.multi_cell(col, 6, position, dry_run=True, output="LINES")) <= 2:
                break
        else:
            raise InvalidInput(
                _("Chức danh người ký quá dài (tối đa hai dòng)."),
                errors=[{"field": "signer_title", "message": _("quá dài")}],
            )
        pdf.multi_cell(col, 6, position, align="C", new_x="LEFT", new_y="NEXT")
        pdf.set_xy(_SIGN_X1, _SIGN_NAME_Y)
        f.font("B", 12.5)
        pdf.multi_cell(col, 6, f.t(signer), align="C", new_x="LEFT", new_y="NEXT")
        pdf.set_auto_page_break(auto=True, margin=MARGIN_B)
        return f.output()
