"""Text messages through an adapter chosen by ``settings.SMS_BACKEND``.

- ``file`` (default): one JSON line per message appended to ``DATA_DIR/sms.jsonl``;
- ``console``: printed to standard output;
- ``memory``: kept in ``MemorySmsBackend.outbox`` (tests);
- a dotted path: a class whose instances have ``send(phone: str, text: str) -> None``, the adapter
  of a real SMS gateway.
"""

from __future__ import annotations

import json
import re
import sys
import threading
import unicodedata
from pathlib import Path
from typing import Any, ClassVar, Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

_SEPARATORS = re.compile(r"[\s.\-()]")
_VN_MOBILE = re.compile(r"^\+84\d{9}$")


class SmsBackend(Protocol):
    def send(self, phone: str, text: str) -> None: ...


def normalise_phone(phone: str) -> str:
    """A Vietnamese mobile number in E.164 ("0912 345 678" → "+84912345678"); ValueError otherwise."""
    digits = _SEPARATORS.sub("", phone or "")
    if digits.startswith("0"):
        digits = "+84" + digits[1:]
    elif digits.startswith("84"):
        digits = "+" + digits
    if not _VN_MOBILE.match(digits):
        raise ValueError(f"Số điện thoại không hợp lệ: {phone!r}")
    return digits


def unaccent(text: str) -> str:
    """Vietnamese without diacritics, case kept ("Hồ sơ Đã" → "Ho so Da")."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn"))


def _record(phone: str, text: str) -> dict[str, Any]:
    return {"at": timezone.now().isoformat(), "to": phone, "text": text}


class FileSmsBackend:
    """Appends each message as a JSON line to DATA_DIR/sms.jsonl (one write per line)."""

    _lock: ClassVar[threading.Lock] = threading.Lock()

    @staticmethod
    def path() -> Path:
        return Path(settings.DATA_DIR) / "sms.jsonl"

    def send(self, phone: str, text: str) -> None:
        line = json.dumps(_record(phone, text), ensure_ascii=False) + "\n"
        path = self.path()
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, path.open("a", encoding="utf-8") as sink:
            sink.write(line)


class ConsoleSmsBackend:
    def send(self, phone: str, text: str) -> None:
        sys.stdout.write(f"[SMS → {phone}] {text}\n")
        sys.stdout.flush()


class MemorySmsBackend:
    outbox: ClassVar[list[dict[str, Any]]] = []

    def send(self, phone: str, text: str) -> None:
        self.outbox.append(_record(phone, text))


BACKENDS: dict[str, type] = {
    "file": FileSmsBackend,
    "console": ConsoleSmsBackend,
    "memory": MemorySmsBackend,
}


def backend() -> SmsBackend:
    name = getattr(settings, "SMS_BACKEND", "file") or "file"
    cls = BACKENDS.get(name) or import_string(name)
    instance: SmsBackend = cls()
    return instance
