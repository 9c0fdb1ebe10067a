"""HTTP API of fee payments, mounted with the services router at /api/v1/services/ (ADR 0017).

- ``POST /dossiers/{code}/payments``: the applicant or a desk officer of the receiving one-stop unit
  asks to pay the dossier's fee. 201 with a new payment, 200 with the open one (one per dossier).
  The answer carries the VietQR payload and the QR code as a PNG data URL.
- ``GET /payments/{reference}`` and ``GET /payments/{reference}/qr.png``: for those who may see the
  dossier; others get 404.
- ``POST /payments/webhook``: the provider's callback, no login. The raw body is signed with
  HMAC-SHA256 in ``X-Signature`` (hex, optionally ``sha256=``); ``X-Payment-Provider`` names the
  provider (the configured gateway by default). A valid callback, also a repeated one, answers
  200 ``{"ok": true}``; a bad signature 401; an unknown reference or another amount 400; a
  transaction already used for another payment 409.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Router, Schema
from ninja import Status as HttpStatus

from congso.core.api.auth import AUTH
from congso.modules.services import payments, selectors, vietqr
from congso.modules.services.models import Payment

router = Router(tags=["services: payments"], auth=AUTH)


class PaymentOut(Schema):
    reference: str
    dossier_code: str
    amount: int
    status: str
    status_label: str
    provider: str
    bank_bin: str
    account_number: str
    qr_payload: str
    qr_png: str  # data:image/png;base64,…
    qr_png_url: str  # the same image, as a path
    created_at: dt.datetime
    expires_at: dt.datetime
    paid_at: dt.datetime | None


class WebhookOut(Schema):
    ok: bool


def _payment_out(p: Payment) -> dict[str, Any]:
    qr = vietqr.parse(p.qr_payload)
    return {
        "reference": p.reference,
        "dossier_code": p.dossier.code,
        "amount": p.amount,
        "status": p.status,
        "status_label": p.get_status_display(),
        "provider": p.provider,
        "bank_bin": qr.bank_bin,
        "account_number": qr.account,
        "qr_payload": p.qr_payload,
        "qr_png": vietqr.png_data_url(p.qr_payload),
        "qr_png_url": reverse("api-v1:services_payment_qr", kwargs={"reference": p.reference}),
        "created_at": p.created_at,
        "expires_at": p.expires_at,
        "paid_at": p.paid_at,
    }


# The webhook comes first: "/payments/webhook" must not be taken for a reference.
@router.post("/payments/webhook", response=WebhookOut, auth=None)
def payment_webhook(request: HttpRequest) -> dict[str, Any]:
    payments.payment_confirm(
        provider=request.headers.get("X-Payment-Provider") or settings.PAYMENT_GATEWAY,
        payload=request.body,
        signature=request.headers.get("X-Signature", ""),
    )
    return {"ok": True}


@router.post("/dossiers/{code}/payments", response={200: PaymentOut, 201: PaymentOut})
def payment_create(request: HttpRequest, code: str) -> Any:
    dossier = selectors.dossier_get(actor=request.user, code=code)
    payment, created = payments.payment_create(actor=request.user, dossier=dossier)
    payment = payments.payment_get(actor=request.user, reference=payment.reference)  # as GET shows it
    return HttpStatus(201 if created else 200, _payment_out(payment))


@router.get("/payments/{reference}", response=PaymentOut)
def payment(request: HttpRequest, reference: str) -> dict[str, Any]:
    return _payment_out(payments.payment_get(actor=request.user, reference=reference))


@router.get("/payments/{reference}/qr.png", url_name="services_payment_qr")
def payment_qr(request: HttpRequest, reference: str) -> HttpResponse:
    p = payments.payment_get(actor=request.user, reference=reference)
    response = HttpResponse(vietqr.qr_png(p.qr_payload), content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    return response
