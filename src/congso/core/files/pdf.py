"""PDFs the platform writes (reports, documents, slips): fpdf2 with a Unicode font for Vietnamese."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from congso.core.search.text import fold

log = logging.getLogger(__name__)

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
)


def unicode_font() -> Path | None:
    for candidate in FONT_CANDIDATES:
        path = Path(candidate)
        if path.is_file():
            return path
    return None


def new_pdf(*, title: str, orientation: str = "P") -> tuple[Any, str, Callable[[str], str]]:
    """An A4 ``FPDF`` with the family "Body" (regular and bold) registered when a Unicode font is
    on the machine, and ``text()`` to pass strings through. Without such a font it falls back to
    Helvetica with accents folded away, so a report is still produced (and a warning logged)."""
    from fpdf import FPDF

    pdf = FPDF(orientation=orientation, unit="mm", format="A4")
    pdf.set_title(title)
    pdf.set_creator("congso")
    font = unicode_font()
    if font is not None:
        pdf.add_font("Body", "", str(font))
        bold = font.with_name(font.name.replace(".ttf", "-Bold.ttf").replace("-Regular-Bold", "-Bold"))
        pdf.add_font("Body", "B", str(bold if bold.is_file() else font))
        return pdf, "Body", lambda value: value
    log.warning("Không tìm thấy phông Unicode (DejaVuSans) — PDF dùng Helvetica, bỏ dấu tiếng Việt.")
    return pdf, "Helvetica", lambda value: fold(value).encode("latin-1", "replace").decode("latin-1")
