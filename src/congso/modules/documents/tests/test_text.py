"""Text for search: the PDF's text layer after registration, and OCR (Tesseract, Vietnamese) of a
paper scan — on a copy, the stored original left byte for byte as it was."""

from __future__ import annotations

import hashlib
import io
import os
from typing import Any

import pytest
from tests.conftest import BA_DINH

from congso.core.errors import InvalidInput
from congso.core.files import blob_read
from congso.core.files.pdf import unicode_font
from congso.modules.documents import services, textlayer
from congso.modules.documents.models import FileRole

pytestmark = pytest.mark.django_db

# CI sets CONGSO_REQUIRE_OCR=1: there, a missing Tesseract fails the test instead of skipping it.
needs_ocr = pytest.mark.skipif(
    not textlayer.ocr_available() and not os.environ.get("CONGSO_REQUIRE_OCR"),
    reason="tesseract is not installed",
)


def _scan_pdf(lines: list[str]) -> bytes:
    """A 'scanned' page: the text drawn into an image (no text layer), wrapped in a PDF."""
    from fpdf import FPDF
    from PIL import Image, ImageDraw, ImageFont

    font_path = unicode_font()
    assert font_path is not None
    image = Image.new("L", (1700, 900), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(font_path), 44)
    for i, line in enumerate(lines):
        draw.text((80, 80 + i * 90), line, font=font, fill=0)
    png = io.BytesIO()
    image.save(png, format="PNG")
    pdf = FPDF(unit="mm", format="A4")
    pdf.add_page()
    pdf.image(io.BytesIO(png.getvalue()), x=10, y=10, w=190)
    return bytes(pdf.output())


def _receive(make_official: Any, agency: Any, content: bytes, *, paper: bool) -> Any:
    clerk = make_official("vt.bd", BA_DINH, ("clerk", "agency"))
    return services.document_receive(
        actor=clerk,
        agency=agency(BA_DINH),
        spec=services.IncomingSpec(
            doc_type="CV",
            number_notation="125/UBND-VP",
            issuer_name="Ủy ban nhân dân phường Hoàn Kiếm",
            summary="V/v phối hợp tổ chức sự kiện",
        ),
        file=services.Upload("scan.pdf", content),
        paper=paper,
    )


@needs_ocr
def test_scan_is_ocred_on_a_copy(
    make_official: Any, agency: Any, django_capture_on_commit_callbacks: Any
) -> None:
    scan = _scan_pdf(["QUYẾT ĐỊNH", "Về việc thành lập Tổ công tác", "chuyển đổi số phường Ba Đình"])
    assert textlayer.pdf_text(scan).strip() == ""  # no text layer: only OCR can read it
    with django_capture_on_commit_callbacks(execute=True):
        doc = _receive(make_official, agency, scan, paper=True)
    doc.refresh_from_db()
    assert "to cong tac" in doc.search_text
    assert "chuyen doi so" in doc.search_text
    # The original is untouched; the OCR worked on a copy, filed as its own version.
    assert doc.current_file.sha256 == hashlib.sha256(scan).hexdigest()
    assert blob_read(doc.current_file.sha256) == scan
    assert doc.files.filter(role=FileRole.OCR_COPY).count() == 1


def test_text_layer_feeds_search(
    make_official: Any, agency: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from congso.modules.documents.rendering import Composition, render

    pdf, _place = render(
        Composition(
            parent_agency_name="",
            agency_name="Ủy ban nhân dân phường Hoàn Kiếm",
            doc_type_name="Công văn",
            notation="UBND-VP",
            place="Hà Nội",
            summary="V/v phối hợp tổ chức sự kiện",
            body="Đề nghị phối hợp tổ chức Ngày hội Đổi mới sáng tạo tại phố đi bộ Hồ Gươm.",
            signer_position="Chủ tịch",
            signer_name="Nguyễn Văn A",
            recipients=(),
        )
    )
    with django_capture_on_commit_callbacks(execute=True):
        doc = _receive(make_official, agency, pdf, paper=True)
    doc.refresh_from_db()
    assert "ngay hoi doi moi sang tao" in doc.search_text
    assert doc.files.filter(role=FileRole.OCR_COPY).count() == 0


def test_not_a_pdf_is_a_clear_error() -> None:
    with pytest.raises(InvalidInput) as err:
        textlayer.pdf_text(b"hello")
    assert str(err.value).startswith("Tệp không phải PDF hợp lệ")
