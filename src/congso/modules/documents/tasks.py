"""Background work of the document module. Thin: load by id, call a service."""

from __future__ import annotations

import logging

from celery import shared_task

log = logging.getLogger(__name__)


@shared_task(name="documents.extract_text", autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def extract_text_task(document_id: int) -> int:
    from congso.core.files import blob_read
    from congso.modules.documents import textlayer
    from congso.modules.documents.models import Document
    from congso.modules.documents.services import document_text_set

    document = Document.objects.select_related("current_file").get(pk=document_id)
    file = document.current_file
    if file is None:
        return 0
    # The bytes are read into memory: OCR and text extraction work on this copy, never on the file.
    copy = blob_read(file.sha256)
    text, ocr_used = textlayer.document_text(copy, file.content_type)
    document_text_set(document_id=document_id, text=text, ocr_copy=copy if ocr_used and text else None)
    return len(text)


def extract_text_later(document_id: int) -> None:
    try:
        extract_text_task.delay(document_id)
    except Exception:  # a broker outage must not undo a registered document; log and move on
        log.exception("Không xếp được việc trích xuất văn bản %s vào hàng đợi", document_id)


# The daily reminders and escalations live in their own module; importing it here registers them
# with Celery's autodiscovery (which imports only ``tasks``).
from congso.modules.documents import tasks_executive  # noqa: E402, F401
