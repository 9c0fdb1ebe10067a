"""The text of a document's file, for search: the PDF's text layer, or OCR for a scan.

OCR (Tesseract with its Vietnamese model, through pytesseract) reads the images of a *copy* of
the file; the stored original — which may carry signatures — is only ever read, never rewritten.
Without the tesseract binary on the machine the scan is simply not OCR'd (logged), so the embedded
default works with nothing installed.
"""

from __future__ import annotations

import io
import logging
import shutil

from congso.core.errors import InvalidInput

log = logging.getLogger(__name__)

OCR_LANG = "vie"


def pdf_text(pdf: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(pdf))
        return "\n".join((page.extract_text() or "") for page in reader.pages)
    except (PdfReadError, ValueError) as exc:
        raise InvalidInput(f"Tệp không phải PDF hợp lệ: {exc}") from exc


def ocr_available() -> bool:
    return shutil.which("tesseract") is not None


def ocr_images(images: list[bytes]) -> str:
    """OCR each image (PNG/JPEG/TIFF bytes) with the Vietnamese model."""
    if not ocr_available():
        log.warning("Không có Tesseract trên máy: bỏ qua nhận dạng chữ (OCR).")
        return ""
    import pytesseract
    from PIL import Image

    texts = []
    for data in images:
        with Image.open(io.BytesIO(data)) as image:
            texts.append(pytesseract.image_to_string(image, lang=OCR_LANG))
    return "\n".join(texts)


def pdf_images(pdf: bytes) -> list[bytes]:
    """The images embedded in a scanned PDF, as the copy OCR reads."""
    from pypdf import PdfReader

    out = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for image in page.images:
            out.append(image.data)
    return out


def document_text(content: bytes, content_type: str) -> tuple[str, bool]:
    """(text, ocr_used): the text layer when the PDF has one, else OCR of its images."""
    if content_type.startswith("image/"):
        return ocr_images([content]), True
    text = pdf_text(content)
    if len(text.strip()) >= 20:
        return text, False
    return ocr_images(pdf_images(content)), True
