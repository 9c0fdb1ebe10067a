"""Fees paid by bank transfer to a VietQR code, confirmed by the gateway's signed callback (ADR 0017).

- ``payment_create(*, actor, dossier)``: the applicant or a desk officer of the receiving one-stop
  unit asks to pay; the amount is the fee of the dossier's procedure version. A dossier has at
  most one open (pending) payment: asking again returns it until it expires, then a new one is
  made. The answer carries the VietQR payload the payer's banking app reads.
- ``payment_confirm(*, provider, payload, signature)``: the webhook. The raw body must carry the
  HMAC-SHA256 of the provider's secret (``settings.PAYMENT_WEBHOOK_SECRETS``); it names the payment
  by ``reference`` and must pay exactly its amount. The same callback twice changes the payment
  once and answers the same; an unknown reference, another amount or a transaction already used
  is refused with a Vietnamese message and nothing changes.
- ``PaymentGateway`` is what a provider adapter implements; ``LocalFakeGateway`` (the default,
  ``settings.PAYMENT_GATEWAY = "fake"``) pays by POSTing a signed callback to our own webhook.

Every change is audited in its transaction; the "payment received" message leaves after commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from congso.core.accounts.models import AccountKind
from congso.core.audit.services import audit_record
from congso.core.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from congso.core.policy import authorize
from congso.modules.services import notifications, vietqr
from congso.modules.services.models import Dossier, DossierStatus, Payment, PaymentStatus
from congso.modules.services.selectors import visible_dossiers

REFERENCE_LENGTH = 25  # the longest value VietQR's bill number and purpose fields take
_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud at a desk
_NOT_PAYABLE = {DossierStatus.DRAFT, DossierStatus.REFUSED, DossierStatus.WITHDRAWN}
_SIGNATURE = re.compile(r"^(?:sha256=)?([0-9a-fA-F]{64})$")


def _now() -> dt.datetime:
    return timezone.now()


# --- Gateways ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Callback:
    """What a provider tells us about one transfer."""

    reference: str
    amount: int
    transaction_id: str
    status: str  # "paid" or "failed"
    paid_at: dt.datetime | None
    raw: dict[str, Any]


# A transport posts (url, body, headers) and answers (status code, JSON body).
Transport = Callable[[str, bytes, dict[str, str]], tuple[int, Any]]


class PaymentGateway:
    """A payment provider's adapter: the QR the payer scans, and how its callbacks read and sign.

    The default reads the callback shape of ``LocalFakeGateway`` and signs the raw body with
    HMAC-SHA256; a real provider overrides ``parse`` (and ``signature`` if it signs otherwise)."""

    name: ClassVar[str]

    def secret(self) -> str:
        return str(getattr(settings, "PAYMENT_WEBHOOK_SECRETS", {}).get(self.name) or "")

    def signature(self, body: bytes) -> str:
        secret = self.secret()
        if not secret:
            raise ImproperlyConfigured(f"CONGSO_PAYMENT_WEBHOOK_SECRET is not set for provider {self.name!r}")
        return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()

    def verify(self, body: bytes, signature: str) -> bool:
        match = _SIGNATURE.match((signature or "").strip())
        if not self.secret() or match is None:
            return False
        return hmac.compare_digest(self.signature(body), match.group(1).lower())

    def qr_payload(self, *, amount: int, reference: str, bill_number: str) -> str:
        """A dynamic VietQR to the collection account, the reference as the transfer description."""
        return vietqr.build(
            vietqr.VietQR(
                bank_bin=settings.PAYMENT_BANK_BIN,
                account=settings.PAYMENT_ACCOUNT_NUMBER,
                amount=amount,
                bill_number=bill_number if len(bill_number) <= REFERENCE_LENGTH else "",
                purpose=reference,
                merchant_name=settings.PAYMENT_ACCOUNT_NAME,
            )
        )

    def parse(self, body: bytes) -> Callback:
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise _bad_callback(_("nội dung không phải JSON")) from None
        if not isinstance(data, dict):
            raise _bad_callback(_("nội dung phải là một đối tượng JSON"))
        reference, amount, txn = data.get("reference"), data.get("amount"), data.get("transaction_id")
        status = data.get("status", "paid")
        if not isinstance(reference, str) or not reference.strip():
            raise _bad_callback(_("thiếu mã thanh toán (reference)"))
        if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
            raise _bad_callback(_("số tiền (amount) phải là số nguyên đồng dương"))
        if not isinstance(txn, str) or not txn.strip() or len(txn) > 100:
            raise _bad_callback(_("thiếu mã giao dịch (transaction_id)"))
        if status not in ("paid", "failed"):
            raise _bad_callback(_("trạng thái (status) phải là paid hoặc failed"))
        paid_at = parse_datetime(data["paid_at"]) if isinstance(data.get("paid_at"), str) else None
        if paid_at is not None and timezone.is_naive(paid_at):
            paid_at = timezone.make_aware(paid_at)
        return Callback(
            reference=reference.strip(),
            amount=amount,
            transaction_id=txn.strip(),
            status=status,
            paid_at=paid_at,
            raw=data,
        )


class LocalFakeGateway(PaymentGateway):
    """Development and tests: nobody's money moves. ``pay`` does what the provider would: it POSTs
    a signed callback to our webhook (``settings.PAYMENT_WEBHOOK_URL``, or through ``transport``,
    e.g. the Django test client)."""

    name = "fake"

    def callback_body(
        self,
        *,
        reference: str,
        amount: int,
        transaction_id: str | None = None,
        status: str = "paid",
        paid_at: dt.datetime | None = None,
    ) -> bytes:
        body = {
            "provider": self.name,
            "reference": reference,
            "amount": amount,
            "transaction_id": transaction_id or f"FAKE-{secrets.token_hex(8).upper()}",
            "status": status,
            "paid_at": (paid_at or _now()).isoformat(),
        }
        return json.dumps(body, separators=(",", ":")).encode("utf-8")

    def pay(
        self,
        *,
        reference: str,
        amount: int,
        transaction_id: str | None = None,
        status: str = "paid",
        transport: Transport | None = None,
    ) -> tuple[int, Any]:
        body = self.callback_body(
            reference=reference, amount=amount, transaction_id=transaction_id, status=status
        )
        headers = {
            "Content-Type": "application/json",
            "X-Payment-Provider": self.name,
            "X-Signature": self.signature(body),
        }
        return (transport or http_transport)(settings.PAYMENT_WEBHOOK_URL, body, headers)


def http_transport(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
    if not url.startswith(("http://", "https://")):
        raise ImproperlyConfigured(f"PAYMENT_WEBHOOK_URL must be http(s): {url!r}")
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


GATEWAYS: dict[str, type[PaymentGateway]] = {LocalFakeGateway.name: LocalFakeGateway}


def gateway(name: str | None = None) -> PaymentGateway:
    """The adapter of ``name`` (the configured ``settings.PAYMENT_GATEWAY`` by default)."""
    key = name or settings.PAYMENT_GATEWAY
    cls = GATEWAYS.get(key)
    if cls is None:
        raise ImproperlyConfigured(f"Unknown payment gateway {key!r}; known: {sorted(GATEWAYS)}")
    return cls()


def _bad_callback(message: str) -> InvalidInput:
    return InvalidInput(
        _("Dữ liệu thông báo thanh toán không hợp lệ: {message}.").format(message=message),
        errors=[{"field": "body", "message": message}],
    )


# --- Creating a payment --------------------------------------------------------------------------


def new_reference(code: str) -> str:
    """The dossier code without punctuation and 4 random characters: "0010190H262604290001K7QM".
    Letters and digits only, so it survives banks that strip punctuation from transfer notes."""
    compact = re.sub(r"[^0-9A-Za-z]", "", code).upper()
    return compact[-(REFERENCE_LENGTH - 4) :] + _suffix()


def _suffix() -> str:
    return "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(4))


def _may_pay(actor: Any, dossier: Dossier) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise Unauthenticated(_("Bạn cần đăng nhập để nộp phí, lệ phí."))
    if actor.kind == AccountKind.CITIZEN:
        if dossier.applicant_id != actor.pk:
            raise Forbidden(_("Chỉ người nộp hồ sơ mới nộp được phí, lệ phí của hồ sơ này."))
        return
    # Officials: the desk that received the dossier collects its fee.
    authorize(actor, "services.receive", dossier.receiving_agency)


def payment_create(*, actor: Any, dossier: Dossier) -> tuple[Payment, bool]:
    """The open payment of ``dossier`` and whether it was made now. See the module docstring."""
    _may_pay(actor, dossier)
    version = dossier.version
    if dossier.status in _NOT_PAYABLE:
        raise InvalidInput(
            _("Hồ sơ {code} ở trạng thái “{status}”, không nộp phí được.").format(
                code=dossier.code, status=dossier.get_status_display()
            )
        )
    if version.fee <= 0:
        raise InvalidInput(
            _("Thủ tục “{name}” không thu phí, lệ phí; không cần thanh toán.").format(
                name=dossier.procedure.name
            )
        )
    if version.fee_unit:
        raise InvalidInput(
            _(
                "Phí, lệ phí của thủ tục “{name}” tính theo {unit}: số tiền do bộ phận một cửa "
                "xác định, chưa thanh toán trực tuyến được."
            ).format(name=dossier.procedure.name, unit=version.fee_unit)
        )
    provider = gateway()
    now = _now()
    with transaction.atomic():
        # One payer at a time per dossier: the row lock serialises concurrent requests.
        list(Dossier.objects.select_for_update().filter(pk=dossier.pk).values_list("pk", flat=True))
        paid = dossier.payments.filter(status=PaymentStatus.PAID).first()
        if paid is not None:
            raise Conflict(
                _("Hồ sơ {code} đã nộp phí, lệ phí lúc {when} (mã thanh toán {reference}).").format(
                    code=dossier.code, when=notifications.when(paid.paid_at or now), reference=paid.reference
                )
            )
        open_payment = dossier.payments.filter(status=PaymentStatus.PENDING).first()
        if open_payment is not None:
            if open_payment.expires_at > now:
                return open_payment, False
            _expire(open_payment, agency_code=dossier.receiving_agency.code)
        reference = new_reference(dossier.code)
        while Payment.objects.filter(reference=reference).exists():
            reference = new_reference(dossier.code)
        payment = Payment.objects.create(
            dossier=dossier,
            amount=version.fee,
            reference=reference,
            provider=provider.name,
            qr_payload=provider.qr_payload(amount=version.fee, reference=reference, bill_number=dossier.code),
            created_by=actor,
            created_at=now,
            expires_at=now + dt.timedelta(hours=settings.PAYMENT_TTL_HOURS),
        )
        audit_record(
            actor=actor,
            action="services.payment.create",
            target=payment,
            after={
                "dossier": dossier.code,
                "reference": reference,
                "amount": payment.amount,
                "provider": payment.provider,
                "expires_at": payment.expires_at,
            },
            agency_code=dossier.receiving_agency.code,
        )
    return payment, True


def _expire(payment: Payment, *, agency_code: str) -> None:
    payment.status = PaymentStatus.EXPIRED
    payment.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=None,
        action="services.payment.expire",
        target=payment,
        before={"status": PaymentStatus.PENDING},
        after={"status": PaymentStatus.EXPIRED, "reference": payment.reference},
        agency_code=agency_code,
    )


# --- The webhook ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Confirmation:
    payment: Payment
    changed: bool  # False: the callback had been applied already (or was a no-op); nothing changed


def payment_confirm(*, provider: str, payload: bytes, signature: str) -> Confirmation:
    """Apply a provider's callback (the raw request body) once. See the module docstring."""
    adapter = GATEWAYS.get(provider)
    if adapter is None or not adapter().verify(payload, signature):
        # An unknown provider, no secret configured, a missing or a wrong signature: the same answer.
        raise Unauthenticated(_("Chữ ký của thông báo thanh toán không hợp lệ."))
    callback = adapter().parse(payload)
    with transaction.atomic():
        payment = Payment.objects.select_for_update().filter(reference=callback.reference).first()
        if payment is None:
            raise InvalidInput(
                _("Không có khoản thanh toán mã {reference}.").format(reference=callback.reference),
                errors=[{"field": "reference", "message": _("mã thanh toán không tồn tại")}],
            )
        if payment.provider != provider:
            raise InvalidInput(
                _("Khoản thanh toán {reference} không thuộc nhà cung cấp {provider}.").format(
                    reference=payment.reference, provider=provider
                ),
                errors=[{"field": "provider", "message": _("không khớp nhà cung cấp")}],
            )
        if callback.amount != payment.amount:
            raise InvalidInput(
                _("Số tiền không khớp với khoản thanh toán {reference}: cần {expected}, nhận {got}.").format(
                    reference=payment.reference,
                    expected=notifications.money(payment.amount),
                    got=notifications.money(callback.amount),
                ),
                errors=[{"field": "amount", "message": _("số tiền không khớp")}],
            )
        if payment.provider_transaction_id == callback.transaction_id and payment.status == callback.status:
            return Confirmation(payment=payment, changed=False)  # the same callback again
        if callback.status == "failed" and payment.status != PaymentStatus.PENDING:
            return Confirmation(payment=payment, changed=False)  # a failed attempt changes nothing now
        if payment.status == PaymentStatus.PAID:
            raise Conflict(
                _(
                    "Khoản thanh toán {reference} đã được ghi nhận với giao dịch khác ({transaction}); "
                    "giao dịch {other} cần được đối soát và hoàn trả."
                ).format(
                    reference=payment.reference,
                    transaction=payment.provider_transaction_id,
                    other=callback.transaction_id,
                )
            )
        used = Payment.objects.filter(
            provider=provider, provider_transaction_id=callback.transaction_id
        ).exclude(pk=payment.pk)
        if used.exists():
            raise Conflict(
                _("Giao dịch {transaction} đã được ghi nhận cho một khoản thanh toán khác.").format(
                    transaction=callback.transaction_id
                )
            )
        dossier = Dossier.objects.select_related("procedure", "receiving_agency").get(pk=payment.dossier_id)
        before = {"status": payment.status}
        if callback.status == "paid":
            _mark_paid(payment, callback, dossier)
        else:
            payment.status = PaymentStatus.FAILED
            payment.provider_transaction_id = callback.transaction_id
            payment.callback = callback.raw
            payment.save(update_fields=["status", "provider_transaction_id", "callback", "updated_at"])
        audit_record(
            actor=None,
            action=f"services.payment.{callback.status}",
            target=payment,
            before=before,
            after={
                "status": payment.status,
                "reference": payment.reference,
                "dossier": dossier.code,
                "amount": payment.amount,
                "provider": provider,
                "transaction_id": callback.transaction_id,
                "paid_at": payment.paid_at,
            },
            agency_code=dossier.receiving_agency.code,
        )
    return Confirmation(payment=payment, changed=True)


def _mark_paid(payment: Payment, callback: Callback, dossier: Dossier) -> None:
    """Paid, also after it expired or failed (the money arrived). Any other open payment of the
    dossier is closed: a dossier has one fee."""
    for other in Payment.objects.select_for_update().filter(
        dossier_id=dossier.pk, status=PaymentStatus.PENDING
    ):
        if other.pk != payment.pk:
            _expire(other, agency_code=dossier.receiving_agency.code)
    payment.status = PaymentStatus.PAID
    payment.provider_transaction_id = callback.transaction_id
    payment.paid_at = callback.paid_at or _now()
    payment.callback = callback.raw
    payment.save(update_fields=["status", "provider_transaction_id", "paid_at", "callback", "updated_at"])
    notifications.notify_payment_received(
        dossier, amount=payment.amount, reference=payment.reference, paid_at=payment.paid_at
    )


# --- Reads ---------------------------------------------------------------------------------------


def payments_visible(actor: Any) -> QuerySet[Payment]:
    """Payments of the dossiers ``actor`` may see (selectors.visible_dossiers)."""
    return Payment.objects.filter(dossier__in=visible_dossiers(actor))


def payment_get(*, actor: Any, reference: str) -> Payment:
    payment = (
        payments_visible(actor)
        .select_related("dossier", "dossier__procedure", "dossier__receiving_agency")
        .filter(reference=reference[:REFERENCE_LENGTH])
        .first()
    )
    if payment is None:
        raise NotFound(_("Không tìm thấy khoản thanh toán {reference}.").format(reference=reference))
    return payment
