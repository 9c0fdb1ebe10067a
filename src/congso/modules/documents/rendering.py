"""A document composed in the platform, rendered as a PDF in the layout of Decree 30 (Appendix I):
the issuing agency and the national motto at the top, "Số: …/…" and the place and date, the type
and summary, the body, then "Nơi nhận" on the left and the signer on the right.

The number is left blank ("Số:      /QĐ-UBND") because it is issued only after the leader signs;
the clerk's seal signature carries the number and date in its visible stamp over that area.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from congso.core.files.pdf import new_pdf

# Where the stamps go, in PDF points from the bottom-left of page 1 (A4 = 595 × 842 pt). They
# match the areas the layout below leaves free.
NUMBER_PLACE_BOX = (57, 690, 298, 730)
SIGNATURE_BOX_HEIGHT = 70


@dataclass(frozen=True)
class Composition:
    parent_agency_name: str
    agency_name: str
    doc_type_name: str
    notation: str  # "QĐ-UBND"; the number is added at issue
    place: str
    summary: str
    body: str
    signer_position: str
    signer_name: str
    recipients: tuple[str, ...]


@dataclass(frozen=True)
class StampPlace:
    page: int  # 0-based
    box: tuple[int, int, int, int]  # x1, y1, x2, y2 in points from the bottom-left


def render(c: Composition) -> tuple[bytes, StampPlace]:
    """The PDF and where the signer's stamp goes (between the position and the name)."""
    pdf, family, text = new_pdf(title=f"{c.doc_type_name} {c.summary}"[:120])
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.set_margins(20, 15, 15)
    pdf.add_page()
    top = pdf.get_y()
    # Left column: the managing agency, the issuing agency (bold), then "Số: …/…".
    if c.parent_agency_name:
        pdf.set_font(family, "", 11)
        pdf.multi_cell(85, 5, text(c.parent_agency_name.upper()), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "B", 11)
    pdf.multi_cell(85, 5, text(c.agency_name.upper()), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 12)
    pdf.ln(4)
    pdf.cell(85, 6, text(f"Số:        /{c.notation}"), align="C")
    pdf.set_xy(105, top)
    pdf.set_font(family, "B", 11)
    pdf.cell(90, 5, text("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), align="C", new_x="LEFT", new_y="NEXT")
    pdf.cell(90, 5, text("Độc lập - Tự do - Hạnh phúc"), align="C", new_x="LEFT", new_y="NEXT")
    # Right column: the national motto, then the place and date under it.
    pdf.set_xy(105, top + 20)
    pdf.set_font(family, "", 11)
    today = dt.date.today()
    pdf.cell(
        90, 6, text(f"{c.place}, ngày {today.day:02d} tháng {today.month:02d} năm {today.year}"), align="C"
    )
    pdf.set_xy(20, top + 45)
    pdf.set_font(family, "B", 14)
    pdf.cell(0, 7, text(c.doc_type_name.upper()), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "B", 12)
    pdf.multi_cell(0, 6, text(c.summary), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font(family, "", 12)
    for paragraph in c.body.splitlines() or [""]:
        pdf.multi_cell(0, 6.5, text(paragraph), align="J", new_x="LMARGIN", new_y="NEXT")
    if pdf.get_y() > 297 - 20 - 60:
        pdf.add_page()
    pdf.ln(8)
    y = pdf.get_y()
    pdf.set_font(family, "B", 10)
    pdf.cell(80, 5, text("Nơi nhận:"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 10)
    for name in (*c.recipients, "Lưu: VT."):
        pdf.cell(80, 5, text(f"- {name};"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_xy(110, y)
    pdf.set_font(family, "B", 12)
    pdf.multi_cell(85, 6, text(c.signer_position.upper()), align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_xy(110, y + 6 + SIGNATURE_BOX_HEIGHT * 25.4 / 72 + 4)
    pdf.cell(85, 6, text(c.signer_name), align="C")
    # mm from the top -> points from the bottom for the signer's stamp between position and name.
    x1 = 110 * 72 / 25.4
    y_top = 842 - (y + 8) * 72 / 25.4
    box = (round(x1), round(y_top - SIGNATURE_BOX_HEIGHT), round(x1 + 85 * 72 / 25.4), round(y_top))
    return bytes(pdf.output()), StampPlace(page=pdf.page - 1, box=box)
