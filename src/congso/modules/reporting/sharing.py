"""Sharing upward: the nationally shared indicators pushed to the Government reporting system.

An indicator with a non-empty ``national_code`` is shared nationally (seed 002: 8 of them).
``publish_national`` rolls them up for the city, writes the SDMX-CSV 2.0 payload (INDICATOR is the
national code), records a ``NationalDelivery`` keyed by the payload's SHA-256 and, after commit,
enqueues the delivery task; the task calls ``national_deliver``, which sends through the adapter
and retries with backoff (Celery autoretry; eager in the embedded default). Once a payload is sent,
publishing or delivering it again sends nothing.

The adapter is chosen by ``settings.REPORTING_NATIONAL_RECEIVER`` (or the environment variable
``CONGSO_NATIONAL_RECEIVER``): ``fake`` (default: files under DATA_DIR/national-outbox/), ``http``
(POST to ``REPORTING_NATIONAL_URL`` with ``REPORTING_NATIONAL_TOKEN``) or a dotted class path.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, ClassVar, Protocol

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string

from congso.core.audit.services import audit_record
from congso.core.errors import InvalidInput, NotFound
from congso.core.policy import authorize
from congso.modules.reporting import exports
from congso.modules.reporting.models import DeliveryStatus, Indicator, NationalDelivery
from congso.modules.reporting.periods import period_parse

NATIONAL_STRUCTURE_ID = "VN_HANOI:DF_CONGSO_QG(1.0)"
CONTENT_TYPE = exports.CONTENT_TYPES["sdmx-csv"]
LEASE = dt.timedelta(minutes=5)


class DeliveryFailed(Exception):
    """The national system did not take the payload this time; worth retrying."""


class NationalReceiver(Protocol):
    def send(self, payload: bytes, content_type: str) -> str:
        """Deliver ``payload``; return the receiver's receipt id, or raise ``DeliveryFailed``."""
        ...


def outbox_dir() -> Path:
    return Path(settings.DATA_DIR) / "national-outbox"


class FakeNationalReceiver:
    """The local stand-in for the national system: writes each payload it accepts to
    DATA_DIR/national-outbox/<receipt>.csv. ``fail_next(n)`` makes the next n sends fail."""

    _failures_left: ClassVar[int] = 0
    _lock: ClassVar[threading.Lock] = threading.Lock()

    @classmethod
    def fail_next(cls, times: int) -> None:
        with cls._lock:
            cls._failures_left = max(0, times)

    def send(self, payload: bytes, content_type: str) -> str:
        with self._lock:
            if FakeNationalReceiver._failures_left > 0:
                FakeNationalReceiver._failures_left -= 1
                raise DeliveryFailed("Hệ thống báo cáo Chính phủ (giả lập) tạm thời không phản hồi (503).")
        folder = outbox_dir()
        folder.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256(payload).hexdigest()
        receipt = f"QG-{timezone.now():%Y%m%d%H%M%S%f}-{digest[:12]}"
        extension = "json" if "json" in content_type else "csv"
        temporary = folder / f".{receipt}.tmp"
        temporary.write_bytes(payload)
        temporary.replace(folder / f"{receipt}.{extension}")
        return receipt


class HttpNationalReceiver:
    """POSTs the payload to ``REPORTING_NATIONAL_URL``; the receipt is the response's ``receipt``
    (or ``id``) field or its ``X-Receipt-Id`` header. 5xx and network errors are retried."""

    def __init__(self) -> None:
        self.url = getattr(settings, "REPORTING_NATIONAL_URL", "") or os.environ.get(
            "CONGSO_NATIONAL_URL", ""
        )
        self.token = getattr(settings, "REPORTING_NATIONAL_TOKEN", "") or os.environ.get(
            "CONGSO_NATIONAL_TOKEN", ""
        )
        if not self.url:
            raise InvalidInput("Chưa cấu hình địa chỉ Hệ thống báo cáo Chính phủ (REPORTING_NATIONAL_URL).")

    def send(self, payload: bytes, content_type: str) -> str:
        if not self.url.startswith(("https://", "http://")):
            raise InvalidInput("REPORTING_NATIONAL_URL phải là địa chỉ http(s).")
        request = urllib.request.Request(  # noqa: S310 (scheme checked above)
            self.url,
            data=payload,
            method="POST",
            headers={"Content-Type": content_type, "Accept": "application/json"},
        )
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (configured URL)
                body = response.read()
                header = response.headers.get("X-Receipt-Id", "")
        except urllib.error.HTTPError as exc:
            if exc.code >= 500 or exc.code == 429:
                raise DeliveryFailed(f"Hệ thống báo cáo Chính phủ trả lỗi {exc.code}.") from exc
            raise InvalidInput(f"Hệ thống báo cáo Chính phủ từ chối dữ liệu (HTTP {exc.code}).") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise DeliveryFailed(f"Không kết nối được Hệ thống báo cáo Chính phủ: {exc}.") from exc
        try:
            parsed = json.loads(body or b"{}")
        except ValueError:
            parsed = {}
        receipt = (
            str(parsed.get("receipt") or parsed.get("id") or header) if isinstance(parsed, dict) else header
        )
        return receipt or hashlib.sha256(payload).hexdigest()[:16]


def receiver() -> NationalReceiver:
    choice = (
        getattr(settings, "REPORTING_NATIONAL_RECEIVER", "")
        or os.environ.get("CONGSO_NATIONAL_RECEIVER", "")
        or "fake"
    )
    if choice == "fake":
        return FakeNationalReceiver()
    if choice == "http":
        return HttpNationalReceiver()
    return import_string(choice)()


# --- Services ------------------------------------------------------------------------------------


def shared_indicators() -> QuerySet[Indicator]:
    return Indicator.objects.exclude(national_code="").order_by("national_code", "code")


def national_payload(
    *, actor: Any, period_codes: list[str], hierarchy_as_of: dt.date
) -> tuple[bytes, list[str]]:
    indicators = list(shared_indicators())
    if not indicators:
        raise InvalidInput("Chưa có chỉ tiêu nào được đánh dấu chia sẻ với Hệ thống báo cáo Chính phủ.")
    data = exports.export_data(
        actor=actor,
        indicator_codes=[i.code for i in indicators],
        period_codes=period_codes,
        hierarchy_as_of=hierarchy_as_of,
        level=1,
    )
    payload = exports.to_sdmx_csv(
        data, indicator_id=lambda i: i.national_code, structure_id=NATIONAL_STRUCTURE_ID
    )
    return payload, [i.national_code for i in indicators]


def publish_national(
    *, actor: Any, year: int, period_codes: list[str] | None = None, hierarchy_as_of: dt.date | None = None
) -> tuple[NationalDelivery, bool]:
    """Publish the shared indicators of ``year`` (its yearly period unless ``period_codes`` are
    given) to the national system. Returns the delivery and whether it is new or re-queued; a
    payload already sent is returned as it is and nothing is sent again."""
    authorize(actor, "reporting.publish", globally=True)
    codes = [c.strip().upper() for c in (period_codes or [str(year)]) if c.strip()]
    for code in codes:
        if period_parse(code).code[:4] != str(year):
            raise InvalidInput(f"Kỳ {code} không thuộc năm {year}.")
    payload, national_codes = national_payload(
        actor=actor, period_codes=codes, hierarchy_as_of=hierarchy_as_of or timezone.localdate()
    )
    digest = hashlib.sha256(payload).hexdigest()
    queued = False
    with transaction.atomic():
        delivery = NationalDelivery.objects.select_for_update().filter(payload_hash=digest).first()
        if delivery is None:
            delivery = NationalDelivery.objects.create(
                payload_hash=digest,
                payload=payload.decode("utf-8"),
                content_type=CONTENT_TYPE,
                year=year,
                indicators=national_codes,
                periods=codes,
                requested_by=actor,
            )
            audit_record(
                actor=actor,
                action="reporting.national.publish",
                target=delivery,
                after={
                    "sha256": digest,
                    "indicators": national_codes,
                    "periods": codes,
                    "bytes": len(payload),
                },
            )
            queued = True
        elif delivery.status == DeliveryStatus.FAILED:
            before = {"status": delivery.status, "attempts": delivery.attempts}
            delivery.status = DeliveryStatus.PENDING
            delivery.save(update_fields=["status", "updated_at"])
            audit_record(
                actor=actor,
                action="reporting.national.republish",
                target=delivery,
                before=before,
                after={"status": delivery.status},
            )
            queued = True
        if queued:
            delivery_id = delivery.pk
            transaction.on_commit(lambda: _enqueue(delivery_id), robust=True)
    return delivery, queued


def _enqueue(delivery_id: int) -> None:
    from congso.modules.reporting.tasks import enqueue_national_delivery

    enqueue_national_delivery(delivery_id)


def national_deliver(*, delivery_id: int, final_attempt: bool = False) -> NationalDelivery:
    """One attempt at sending a delivery (called by the task). Sends nothing if it is already
    sent or another worker holds its lease; on failure records the error (``failed`` on the last
    attempt) and raises ``DeliveryFailed`` so that the task retries."""
    now = timezone.now()
    with transaction.atomic():
        delivery = NationalDelivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None:
            raise NotFound(f"Không có lần gửi số {delivery_id}.")
        if delivery.status == DeliveryStatus.SENT:
            return delivery
        if delivery.lease_until is not None and delivery.lease_until > now:
            return delivery
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.lease_until = now + LEASE
        delivery.save(update_fields=["attempts", "last_attempt_at", "lease_until", "updated_at"])
    try:
        receipt = receiver().send(delivery.payload.encode("utf-8"), delivery.content_type)
    except (DeliveryFailed, OSError) as exc:
        with transaction.atomic():
            delivery = NationalDelivery.objects.select_for_update().get(pk=delivery_id)
            delivery.last_error = str(exc)[:2000]
            delivery.lease_until = None
            delivery.status = DeliveryStatus.FAILED if final_attempt else DeliveryStatus.PENDING
            delivery.save(update_fields=["last_error", "lease_until", "status", "updated_at"])
            audit_record(
                actor=None,
                action="reporting.national.attempt_failed",
                target=delivery,
                after={"attempt": delivery.attempts, "status": delivery.status, "error": delivery.last_error},
            )
        raise DeliveryFailed(str(exc)) from exc
    with transaction.atomic():
        delivery = NationalDelivery.objects.select_for_update().get(pk=delivery_id)
        before = {"status": delivery.status}
        delivery.status = DeliveryStatus.SENT
        delivery.receipt = receipt[:200]
        delivery.sent_at = timezone.now()
        delivery.lease_until = None
        delivery.save(update_fields=["status", "receipt", "sent_at", "lease_until", "updated_at"])
        audit_record(
            actor=None,
            action="reporting.national.sent",
            target=delivery,
            before=before,
            after={"status": delivery.status, "receipt": delivery.receipt, "attempts": delivery.attempts},
        )
    return delivery


def deliveries(*, actor: Any) -> QuerySet[NationalDelivery]:
    """The delivery log, newest first: for those who may publish (the DoIC administrators)."""
    authorize(actor, "reporting.publish", globally=True)
    return NationalDelivery.objects.order_by("-created_at", "-id")
