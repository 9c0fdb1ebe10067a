"""The embedded default's mail sink: one JSON line per message in ``DATA_DIR/mail.jsonl``.

A Django e-mail backend (``settings.MAILERS`` / ``EMAIL_BACKEND``), the counterpart of the SMS file
sink (sms.py). Django's own file backend writes whole MIME messages, with Vietnamese bodies in
base64 that nobody can read in the file, and building them (header parsing and folding in the
standard library's ``email`` package) cost ≈ 1 ms a message — the largest single item of a one-stop
filing's CPU. This sink keeps what a developer or a tester reads: time, sender, recipients,
subject, body and attachment names, in UTF-8. A deployment sends mail through SMTP (or a gateway's
backend), which builds the real message.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone


class EmailBackend(BaseEmailBackend):
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

    @staticmethod
    def path() -> Path:
        return Path(settings.DATA_DIR) / "mail.jsonl"

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        lines = [json.dumps(_record(m), ensure_ascii=False) + "\n" for m in email_messages if m.recipients()]
        if not lines:
            return 0
        path = self.path()
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, path.open("a", encoding="utf-8") as sink:
            sink.write("".join(lines))
        return len(lines)


def _record(message: EmailMessage) -> dict[str, Any]:
    headers = [str(message.subject), str(message.from_email), *message.to, *message.cc, *message.reply_to]
    if any("\n" in h or "\r" in h for h in headers):
        # What Django's message() refuses too: a newline would let a header be injected over SMTP.
        raise ValueError("Tiêu đề và địa chỉ thư không được chứa ký tự xuống dòng.")
    return {
        "at": timezone.now().isoformat(),
        "from": str(message.from_email or settings.DEFAULT_FROM_EMAIL),
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "subject": str(message.subject),
        "body": str(message.body),
        "attachments": [_attachment_name(a) for a in message.attachments],
    }


def _attachment_name(attachment: Any) -> str:
    filename = getattr(attachment, "filename", None)
    if filename is None and isinstance(attachment, tuple):
        filename = attachment[0]
    return str(filename or "(không tên)")
