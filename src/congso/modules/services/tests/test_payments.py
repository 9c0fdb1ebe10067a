"""Fee payments: one open payment per dossier with its VietQR, and a signed, idempotent webhook
driven by the local fake gateway through the test client. Every refusal changes nothing."""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import Client
from tests.conftest import BA_DINH_CENTRE, SO_TU_PHAP

from congso.core.accounts.services import api_token_create
from congso.core.audit.models import AuditEvent
from congso.core.errors import Conflict, Forbidden, InvalidInput, Unauthenticated
from congso.core.notify.sms import MemorySmsBackend
from congso.modules.services import payments, services, vietqr
from congso.modules.services.demo import seed_procedures
from congso.modules.services.models import Dossier, Payment, ProcedureVersion
from congso.modules.services.tests.conftest import make_citizen
from congso.modules.services.tests.test_concurrency import _race
from congso.modules.services.tests.test_dossiers import household
from congso.modules.services.tests.test_vietqr import HAND, REFERENCE

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")
SECRET = "test-webhook-secret"
FILED = dt.datetime(2026, 4, 29, 10, 0, tzinfo=VN)
WEBHOOK = "/api/v1/services/payments/webhook"


@pytest.fixture(autouse=True)
def gateway_settings(settings: Any, monkeypatch: Any) -> Any:
    settings.PAYMENT_GATEWAY = "fake"
    settings.PAYMENT_WEBHOOK_SECRETS = {"fake": SECRET}
    settings.PAYMENT_WEBHOOK_URL = "http://testserver" + WEBHOOK
    settings.PAYMENT_BANK_BIN = "970415"
    settings.PAYMENT_ACCOUNT_NUMBER = "113366668888"
    settings.PAYMENT_ACCOUNT_NAME = ""
    settings.PAYMENT_TTL_HOURS = 24
    settings.PUBLIC_URL = "https://dichvucong.hanoi.example"
    settings.SMS_BACKEND = "memory"
    MemorySmsBackend.outbox.clear()
    monkeypatch.setattr(payments, "_suffix", lambda: "K7QM")
    now(monkeypatch, FILED + dt.timedelta(minutes=5))
    yield
    MemorySmsBackend.outbox.clear()


def now(monkeypatch: Any, moment: dt.datetime) -> dt.datetime:
    monkeypatch.setattr(payments, "_now", lambda: moment)
    return moment


@pytest.fixture
def dossier(catalogue: None, citizen: Any, monkeypatch: Any) -> Dossier:
    """Hộ kinh doanh filed online at Ba Đình on 29/4/2026 10:00: fee 100.000 đồng."""
    monkeypatch.setattr(services, "_now", lambda: FILED)
    return services.dossier_submit(actor=citizen, spec=household(agency_code=BA_DINH_CENTRE)).dossier


def _client(user: Any = None) -> Client:
    if user is None:
        return Client()
    return Client(HTTP_AUTHORIZATION=f"Bearer {api_token_create(actor=user, user=user, name='t').secret}")


def client_transport(client: Client) -> payments.Transport:
    """The fake gateway's POST, served in-process by the test client."""

    def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items() if k != "Content-Type"}
        r = client.post(urlsplit(url).path, data=body, content_type=headers["Content-Type"], **extra)
        return r.status_code, r.json()

    return post


def pay(reference: str = REFERENCE, amount: int = 100_000, txn: str = "FT26119ABCDE", **kw: Any) -> Any:
    gateway = payments.LocalFakeGateway()
    return gateway.pay(
        reference=reference, amount=amount, transaction_id=txn, transport=client_transport(Client()), **kw
    )


def post_webhook(body: bytes, signature: str | None, **headers: str) -> Any:
    extra = {"HTTP_X_SIGNATURE": signature} if signature is not None else {}
    extra.update({f"HTTP_{k}": v for k, v in headers.items()})
    return Client().post(WEBHOOK, data=body, content_type="application/json", **extra)


def snapshot() -> list[tuple[Any, ...]]:
    rows = Payment.objects.order_by("pk").values_list(
        "pk", "reference", "status", "amount", "provider_transaction_id", "paid_at", "callback"
    )
    return [*rows, ("audit", AuditEvent.objects.count())]


def _problem(r: Any, status: int) -> dict[str, Any]:
    assert (r.status_code, r["Content-Type"]) == (status, "application/problem+json; charset=utf-8")
    body: dict[str, Any] = r.json()
    return body


# --- Creating ------------------------------------------------------------------------------------


def test_the_applicant_gets_one_open_payment_with_its_vietqr(dossier: Dossier, citizen: Any) -> None:
    events = AuditEvent.objects.count()
    payment, created = payments.payment_create(actor=citizen, dossier=dossier)
    assert created is True
    assert dossier.code == "001.01.90.H26-260429-0001"
    assert (payment.reference, payment.amount, payment.status, payment.provider) == (
        REFERENCE,
        100_000,
        "pending",
        "fake",
    )
    assert (payment.created_at, payment.expires_at, payment.paid_at, payment.created_by) == (
        FILED + dt.timedelta(minutes=5),
        FILED + dt.timedelta(hours=24, minutes=5),
        None,
        citizen,
    )
    # The payload test_vietqr.py spells out field by field.
    assert payment.qr_payload == HAND
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None
    assert (event.action, event.actor_id, event.agency_code, event.target_id) == (
        "services.payment.create",
        citizen.pk,
        BA_DINH_CENTRE,
        str(payment.pk),
    )
    assert event.after == {
        "dossier": "001.01.90.H26-260429-0001",
        "reference": REFERENCE,
        "amount": 100_000,
        "provider": "fake",
        "expires_at": "2026-04-30T10:05:00+07:00",
    }
    # Asking again returns the same open payment and records nothing.
    again, created = payments.payment_create(actor=citizen, dossier=dossier)
    assert (again.pk, created) == (payment.pk, False)
    assert AuditEvent.objects.count() == events + 1


def test_a_desk_officer_of_the_receiving_unit_may_create_it(dossier: Dossier, desk: Any) -> None:
    payment, created = payments.payment_create(actor=desk, dossier=dossier)
    assert (created, payment.created_by, payment.reference) == (True, desk, REFERENCE)


def test_others_may_not_and_nothing_changes(dossier: Dossier, make_official: Any) -> None:
    before = snapshot()
    stranger = make_citizen("001199001111", "Hoàng Thị Mai")
    with pytest.raises(
        Forbidden, match=re.escape("Chỉ người nộp hồ sơ mới nộp được phí, lệ phí của hồ sơ này.")
    ):
        payments.payment_create(actor=stranger, dossier=dossier)
    elsewhere = make_official("mc.tuphap", SO_TU_PHAP, ("desk_officer", "agency"))
    with pytest.raises(Forbidden):
        payments.payment_create(actor=elsewhere, dossier=dossier)
    with pytest.raises(Unauthenticated, match=re.escape("Bạn cần đăng nhập để nộp phí, lệ phí.")):
        payments.payment_create(actor=AnonymousUser(), dossier=dossier)
    assert snapshot() == before


def test_free_and_unit_priced_fees_are_not_paid_online(dossier: Dossier, citizen: Any) -> None:
    before = snapshot()
    ProcedureVersion.objects.filter(pk=dossier.version_id).update(fee=0)
    dossier.refresh_from_db()
    dossier.version.refresh_from_db()
    with pytest.raises(InvalidInput) as caught:
        payments.payment_create(actor=citizen, dossier=dossier)
    assert str(caught.value) == (
        "Thủ tục \u201cĐăng ký thành lập hộ kinh doanh\u201d không thu phí, lệ phí; không cần thanh toán."
    )
    ProcedureVersion.objects.filter(pk=dossier.version_id).update(fee=2_000, fee_unit="trang")
    dossier.version.refresh_from_db()
    with pytest.raises(InvalidInput) as caught:
        payments.payment_create(actor=citizen, dossier=dossier)
    assert str(caught.value) == (
        "Phí, lệ phí của thủ tục \u201cĐăng ký thành lập hộ kinh doanh\u201d tính theo trang: số tiền do bộ "
        "phận một cửa xác định, chưa thanh toán trực tuyến được."
    )
    Dossier.objects.filter(pk=dossier.pk).update(status="withdrawn")
    dossier.refresh_from_db()
    with pytest.raises(
        InvalidInput, match=re.escape("ở trạng thái \u201cĐã rút hồ sơ\u201d, không nộp phí được.")
    ):
        payments.payment_create(actor=citizen, dossier=dossier)
    assert snapshot() == before


def test_an_expired_payment_is_replaced(dossier: Dossier, citizen: Any, monkeypatch: Any) -> None:
    first, _ = payments.payment_create(actor=citizen, dossier=dossier)
    now(monkeypatch, FILED + dt.timedelta(hours=25))
    monkeypatch.setattr(payments, "_suffix", lambda: "P2XR")
    second, created = payments.payment_create(actor=citizen, dossier=dossier)
    first.refresh_from_db()
    assert (created, first.status, second.status, second.reference) == (
        True,
        "expired",
        "pending",
        "0010190H262604290001P2XR",
    )
    assert vietqr.parse(second.qr_payload).purpose == "0010190H262604290001P2XR"
    assert list(AuditEvent.objects.order_by("-seq").values_list("action", flat=True)[:2]) == [
        "services.payment.create",
        "services.payment.expire",
    ]


# --- The webhook ---------------------------------------------------------------------------------


def test_the_same_callback_twice_pays_once(
    dossier: Dossier, citizen: Any, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    payment, _ = payments.payment_create(actor=citizen, dossier=dossier)
    last = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    with django_capture_on_commit_callbacks(execute=True):
        assert pay() == (200, {"ok": True})
        assert pay() == (200, {"ok": True})
    payment.refresh_from_db()
    assert (payment.status, payment.provider_transaction_id, payment.paid_at) == (
        "paid",
        "FT26119ABCDE",
        FILED + dt.timedelta(minutes=5),
    )
    assert payment.callback == {
        "provider": "fake",
        "reference": REFERENCE,
        "amount": 100_000,
        "transaction_id": "FT26119ABCDE",
        "status": "paid",
        "paid_at": "2026-04-29T10:05:00+07:00",
    }
    assert Payment.objects.filter(status="paid").count() == 1
    paid = AuditEvent.objects.filter(seq__gt=last).order_by("seq")
    assert [(e.action, e.actor_id, e.actor_label, e.agency_code) for e in paid] == [
        ("services.payment.paid", None, "system", BA_DINH_CENTRE)
    ]
    # The applicant hears of it once, after commit.
    assert [(m.to, m.subject) for m in mailoutbox] == [
        (["001090012345@example.vn"], "Đã nhận phí, lệ phí hồ sơ 001.01.90.H26-260429-0001")
    ]
    assert [(m["to"], m["text"]) for m in MemorySmsBackend.outbox] == [
        (
            "+84912345678",
            "Da nhan 100.000 dong phi, le phi ho so 001.01.90.H26-260429-0001 "
            "(ma thanh toan 0010190H262604290001K7QM).",
        )
    ]
    # The service says so too: the replay changed nothing.
    body = payments.LocalFakeGateway().callback_body(
        reference=REFERENCE,
        amount=100_000,
        transaction_id="FT26119ABCDE",
        paid_at=FILED + dt.timedelta(minutes=5),
    )
    replay = payments.payment_confirm(
        provider="fake", payload=body, signature=payments.LocalFakeGateway().signature(body)
    )
    assert (replay.payment.pk, replay.changed) == (payment.pk, False)
    # Paid: no second payment.
    with pytest.raises(
        Conflict,
        match=re.escape("Hồ sơ 001.01.90.H26-260429-0001 đã nộp phí, lệ phí lúc 10:05 ngày 29/04/2026"),
    ):
        payments.payment_create(actor=citizen, dossier=dossier)


def test_a_bad_signature_is_401_and_changes_nothing(dossier: Dossier, citizen: Any, settings: Any) -> None:
    payments.payment_create(actor=citizen, dossier=dossier)
    before = snapshot()
    gateway = payments.LocalFakeGateway()
    body = gateway.callback_body(reference=REFERENCE, amount=100_000, transaction_id="FT1")
    good = gateway.signature(body)
    tampered = body.replace(b"100000", b"100001")
    for r in (
        post_webhook(body, "0" * 64),
        post_webhook(body, good[:-1]),
        post_webhook(body, None),
        post_webhook(tampered, good),
        post_webhook(body, good, X_PAYMENT_PROVIDER="vnpay"),  # a provider we have no secret for
    ):
        problem = _problem(r, 401)
        assert (problem["title"], problem["detail"]) == (
            "Chưa đăng nhập",
            "Chữ ký của thông báo thanh toán không hợp lệ.",
        )
    # Without a configured secret every callback is refused, even one signed with the old secret.
    settings.PAYMENT_WEBHOOK_SECRETS = {"fake": ""}
    _problem(post_webhook(body, good), 401)
    assert snapshot() == before
    # The "sha256=" prefix is accepted.
    settings.PAYMENT_WEBHOOK_SECRETS = {"fake": SECRET}
    assert post_webhook(body, "sha256=" + good.upper()).json() == {"ok": True}


def test_a_wrong_amount_is_400_and_changes_nothing(dossier: Dossier, citizen: Any) -> None:
    payments.payment_create(actor=citizen, dossier=dossier)
    before = snapshot()
    status, problem = pay(amount=10_000)
    assert status == 400
    assert problem["detail"] == (
        "Số tiền không khớp với khoản thanh toán 0010190H262604290001K7QM: "
        "cần 100.000 đồng, nhận 10.000 đồng."
    )
    assert problem["errors"] == [{"field": "amount", "message": "số tiền không khớp"}]
    assert snapshot() == before


def test_an_unknown_reference_or_a_bad_body_is_400_and_changes_nothing(
    dossier: Dossier, citizen: Any
) -> None:
    payments.payment_create(actor=citizen, dossier=dossier)
    before = snapshot()
    status, problem = pay(reference="0010190H262604290001ZZZZ")
    assert (status, problem["detail"]) == (400, "Không có khoản thanh toán mã 0010190H262604290001ZZZZ.")
    gateway = payments.LocalFakeGateway()
    for body, message in (
        (b"not json", "nội dung không phải JSON"),
        (b"[1]", "nội dung phải là một đối tượng JSON"),
        (json.dumps({"reference": REFERENCE, "amount": "100000", "transaction_id": "x"}).encode(), "số tiền"),
        (json.dumps({"reference": REFERENCE, "amount": 100000}).encode(), "thiếu mã giao dịch"),
        (
            json.dumps(
                {"reference": REFERENCE, "amount": 100000, "transaction_id": "x", "status": "ok"}
            ).encode(),
            "trạng thái (status) phải là paid hoặc failed",
        ),
    ):
        problem = _problem(post_webhook(body, gateway.signature(body)), 400)
        assert problem["detail"].startswith("Dữ liệu thông báo thanh toán không hợp lệ: ")
        assert message in problem["detail"]
    assert snapshot() == before


def test_a_transaction_is_used_once(dossier: Dossier, citizen: Any, desk: Any, monkeypatch: Any) -> None:
    payments.payment_create(actor=citizen, dossier=dossier)
    assert pay(txn="FT-ONE") == (200, {"ok": True})
    # Another dossier, another payment: the same bank transaction cannot pay it too.
    monkeypatch.setattr(services, "_now", lambda: FILED + dt.timedelta(minutes=1))
    other = services.dossier_submit(actor=desk, spec=household()).dossier
    monkeypatch.setattr(payments, "_suffix", lambda: "AAAA")
    second, _ = payments.payment_create(actor=desk, dossier=other)
    before = snapshot()
    status, problem = pay(reference=second.reference, txn="FT-ONE")
    assert (status, problem["detail"]) == (
        409,
        "Giao dịch FT-ONE đã được ghi nhận cho một khoản thanh toán khác.",
    )
    # And a paid payment is not paid again by another transaction.
    status, problem = pay(txn="FT-TWO")
    assert (status, problem["detail"]) == (
        409,
        "Khoản thanh toán 0010190H262604290001K7QM đã được ghi nhận với giao dịch khác (FT-ONE); "
        "giao dịch FT-TWO cần được đối soát và hoàn trả.",
    )
    assert snapshot() == before


def test_a_failed_transfer_frees_the_dossier_for_a_new_payment(
    dossier: Dossier, citizen: Any, monkeypatch: Any
) -> None:
    first, _ = payments.payment_create(actor=citizen, dossier=dossier)
    assert pay(txn="FT-FAIL", status="failed") == (200, {"ok": True})
    assert pay(txn="FT-FAIL", status="failed") == (200, {"ok": True})
    first.refresh_from_db()
    assert (first.status, first.provider_transaction_id, first.paid_at) == ("failed", "FT-FAIL", None)
    monkeypatch.setattr(payments, "_suffix", lambda: "B3CD")
    second, created = payments.payment_create(actor=citizen, dossier=dossier)
    assert (created, second.reference) == (True, "0010190H262604290001B3CD")


def test_money_that_arrives_after_expiry_is_taken(dossier: Dossier, citizen: Any, monkeypatch: Any) -> None:
    first, _ = payments.payment_create(actor=citizen, dossier=dossier)
    now(monkeypatch, FILED + dt.timedelta(hours=30))
    monkeypatch.setattr(payments, "_suffix", lambda: "B3CD")
    second, _ = payments.payment_create(actor=citizen, dossier=dossier)
    assert pay(reference=first.reference, txn="FT-LATE") == (200, {"ok": True})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("paid", "expired")


# --- HTTP ----------------------------------------------------------------------------------------


def test_api_create_read_and_qr(dossier: Dossier, citizen: Any, desk: Any) -> None:
    client = _client(citizen)
    url = f"/api/v1/services/dossiers/{dossier.code}/payments"
    r = client.post(url)
    assert r.status_code == 201
    body = r.json()
    png = body.pop("qr_png")
    assert body == {
        "reference": REFERENCE,
        "dossier_code": "001.01.90.H26-260429-0001",
        "amount": 100_000,
        "status": "pending",
        "status_label": "Chờ thanh toán",
        "provider": "fake",
        "bank_bin": "970415",
        "account_number": "113366668888",
        "qr_payload": HAND,
        "qr_png_url": f"/api/v1/services/payments/{REFERENCE}/qr.png",
        "created_at": "2026-04-29T03:05:00Z",
        "expires_at": "2026-04-30T03:05:00Z",
        "paid_at": None,
    }
    assert png == vietqr.png_data_url(HAND)
    again = _client(desk).post(url)
    assert (again.status_code, again.json()["reference"]) == (200, REFERENCE)

    got = client.get(f"/api/v1/services/payments/{REFERENCE}")
    assert (got.status_code, got.json()["qr_payload"]) == (200, HAND)
    image = client.get(f"/api/v1/services/payments/{REFERENCE}/qr.png")
    assert (image.status_code, image["Content-Type"], image.content) == (
        200,
        "image/png",
        vietqr.qr_png(HAND),
    )

    assert pay() == (200, {"ok": True})
    assert client.get(f"/api/v1/services/payments/{REFERENCE}").json()["status"] == "paid"


def test_api_others_see_nothing(dossier: Dossier, citizen: Any) -> None:
    payments.payment_create(actor=citizen, dossier=dossier)
    stranger = _client(make_citizen("001199001111", "Hoàng Thị Mai"))
    before = snapshot()
    for r in (
        stranger.post(f"/api/v1/services/dossiers/{dossier.code}/payments"),
        stranger.get(f"/api/v1/services/payments/{REFERENCE}"),
        stranger.get(f"/api/v1/services/payments/{REFERENCE}/qr.png"),
    ):
        assert _problem(r, 404)["title"] == "Không tìm thấy"
    assert _problem(Client().get(f"/api/v1/services/payments/{REFERENCE}"), 401)["title"] == "Chưa đăng nhập"
    assert snapshot() == before


# --- Concurrency (PostgreSQL: real row locks; SQLite serialises writers) ---------------------------

on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_callback_at_once_pays_once(hanoi: None, monkeypatch: Any) -> None:
    seed_procedures()
    citizen = make_citizen("001090012345", "Nguyễn Văn An")
    monkeypatch.setattr(services, "_now", lambda: FILED)
    dossier = services.dossier_submit(actor=citizen, spec=household(agency_code=BA_DINH_CENTRE)).dossier
    payment, _ = payments.payment_create(actor=citizen, dossier=dossier)
    gateway = payments.LocalFakeGateway()
    body = gateway.callback_body(reference=REFERENCE, amount=100_000, transaction_id="FT-RACE")
    signature = gateway.signature(body)
    results, errors = _race(
        4, lambda _i: payments.payment_confirm(provider="fake", payload=body, signature=signature)
    )
    assert errors == []
    assert {r.payment.pk for r in results} == {payment.pk}
    assert sorted(r.changed for r in results) == [False, False, False, True]
    payment.refresh_from_db()
    assert (payment.status, payment.provider_transaction_id) == ("paid", "FT-RACE")
    assert AuditEvent.objects.filter(action="services.payment.paid").count() == 1


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_asking_to_pay_at_once_makes_one_payment(hanoi: None, monkeypatch: Any) -> None:
    seed_procedures()
    citizen = make_citizen("001090012345", "Nguyễn Văn An")
    monkeypatch.setattr(services, "_now", lambda: FILED)
    dossier = services.dossier_submit(actor=citizen, spec=household(agency_code=BA_DINH_CENTRE)).dossier
    results, errors = _race(4, lambda _i: payments.payment_create(actor=citizen, dossier=dossier))
    assert errors == []
    assert len({p.pk for p, _created in results}) == 1
    assert sorted(created for _p, created in results) == [False, False, False, True]
    assert Payment.objects.count() == 1


def test_the_fake_gateway_posts_over_http(settings: Any) -> None:
    """Outside tests ``pay`` POSTs to PAYMENT_WEBHOOK_URL; here a stand-in server records it."""
    received: list[tuple[bytes, dict[str, str]]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append((self.rfile.read(int(self.headers["Content-Length"])), dict(self.headers)))
            status = 200 if len(received) == 1 else 400
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"ok": true}' if status == 200 else b'{"detail": "sai"}')

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        settings.PAYMENT_WEBHOOK_URL = f"http://127.0.0.1:{server.server_port}{WEBHOOK}"
        gateway = payments.LocalFakeGateway()
        assert gateway.pay(reference=REFERENCE, amount=100_000, transaction_id="FT-HTTP") == (
            200,
            {"ok": True},
        )
        assert gateway.pay(reference=REFERENCE, amount=1, transaction_id="FT-HTTP") == (
            400,
            {"detail": "sai"},
        )
    finally:
        server.shutdown()
        server.server_close()
    body, headers = received[0]
    assert json.loads(body)["transaction_id"] == "FT-HTTP"
    assert (headers["Content-Type"], headers["X-Payment-Provider"]) == ("application/json", "fake")
    assert gateway.verify(body, headers["X-Signature"])
    settings.PAYMENT_WEBHOOK_URL = "file:///etc/passwd"
    with pytest.raises(ImproperlyConfigured, match="PAYMENT_WEBHOOK_URL must be http"):
        gateway.pay(reference=REFERENCE, amount=100_000)
