"""The processing API (api_actions.py): actions by POST with a JSON body each, the slip to
download, the control log, the queue; 404 for a dossier one may not see, 403 without the right,
409 for an action that does not fit the status, and nothing changed by any of them."""

from __future__ import annotations

import base64
import datetime as dt
import io
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from tests.conftest import BA_DINH, BA_DINH_CENTRE, SO_TU_PHAP

from congso.core import signing
from congso.core.accounts.services import api_token_create
from congso.core.audit.models import AuditEvent
from congso.modules.services import payments, services, vietqr
from congso.modules.services.models import Dossier, DossierEvent, DossierSlip, DossierStep, Payment
from congso.modules.services.services import Attachment, SubmissionSpec
from congso.modules.services.tests.test_payments import client_transport
from congso.modules.services.tests.test_processing import LINKED, linked  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")
PDF = b"%PDF-1.4 demo"
API = "/api/v1/services"


def _client(user: Any) -> Client:
    token = api_token_create(actor=user, user=user, name="t").secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def at(monkeypatch: Any, *args: int) -> None:
    moment = dt.datetime(*args, tzinfo=VN)
    monkeypatch.setattr(services, "_now", lambda: moment)


def act(client: Client, code: str, action: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(f"{API}/dossiers/{code}/actions/{action}", body or {}, content_type="application/json")


def counts() -> tuple[int, ...]:
    return (
        DossierStep.objects.count(),
        DossierEvent.objects.count(),
        DossierSlip.objects.count(),
        AuditEvent.objects.count(),
    )


def snapshot(code: str) -> tuple[Any, ...]:
    d = Dossier.objects.get(code=code)
    return (d.status, d.due_at, d.current_agency_id, d.paused_at, *counts())


@pytest.fixture
def actors(make_official: Any, desk: Any, citizen: Any) -> dict[str, Client]:
    leader = make_official("ld.stp", SO_TU_PHAP, ("leader", "agency"))
    leader.full_name, leader.position = "Lê Văn Sở", "Giám đốc"
    leader.save(update_fields=["full_name", "position"])
    return {
        "citizen": _client(citizen),
        "desk": _client(desk),
        "ward": _client(make_official("cv.badinh", BA_DINH, ("specialist", "agency"))),
        "dept": _client(make_official("cv.stp", SO_TU_PHAP, ("specialist", "agency"))),
        "leader": _client(leader),
        "outsider": _client(make_official("cv.khac", "002.00.90.H26", ("specialist", "agency"))),
    }


@pytest.fixture
def code(linked: None, citizen: Any, monkeypatch: Any) -> str:  # noqa: F811 - the fixture above
    at(monkeypatch, 2026, 4, 23, 9, 0)
    spec = SubmissionSpec(
        procedure_code=LINKED,
        agency_code=BA_DINH_CENTRE,
        form={"noi_dung": "Xác nhận thông tin cư trú", "dia_chi": "12 Phan Đình Phùng"},
        attachments=[Attachment("Tờ khai đề nghị", "to-khai.pdf", PDF)],
    )
    return services.dossier_submit(actor=citizen, spec=spec).dossier.code


def test_the_whole_path_over_http(code: str, actors: dict[str, Client], monkeypatch: Any) -> None:
    c = actors
    at(monkeypatch, 2026, 4, 23, 10, 0)
    r = act(c["desk"], code, "accept")
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["dossier"]["status"], body["dossier"]["due_at"]) == ("in_progress", "2026-05-07T10:00:00Z")
    assert [(s["order"], s["agency_code"], s["due_at"]) for s in body["dossier"]["steps"]] == [
        (1, BA_DINH_CENTRE, "2026-04-24T10:00:00Z"),
        (2, BA_DINH, "2026-04-29T10:00:00Z"),
        (3, SO_TU_PHAP, "2026-05-06T10:00:00Z"),
        (4, SO_TU_PHAP, "2026-05-07T10:00:00Z"),
    ]
    slip = body["slip"]
    assert (slip["kind"], slip["signed"]) == ("receipt", False)
    assert slip["url"] == f"{API}/dossiers/{code}/slips/receipt?sha256={slip['sha256']}"
    pdf = c["citizen"].get(slip["url"])
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    assert pdf["Content-Disposition"] == f'attachment; filename="{code}-receipt.pdf"'
    assert code in _text(pdf.content)

    # Accepting again is 409, a problem document, and changes nothing.
    before = snapshot(code)
    again = act(c["desk"], code, "accept")
    assert (again.status_code, again["Content-Type"]) == (409, "application/problem+json; charset=utf-8")
    assert again.json()["detail"] == f"Hồ sơ {code} đang ở trạng thái 'Đang giải quyết', không thể tiếp nhận."
    assert snapshot(code) == before

    # The applicant pays the fee by VietQR; the gateway confirms through the webhook, twice.
    r = c["citizen"].post(f"{API}/dossiers/{code}/payments")
    assert r.status_code == 201, r.content
    payment = r.json()
    assert (payment["amount"], payment["status"]) == (50_000, "pending")
    parsed = vietqr.parse(payment["qr_payload"])
    assert (parsed.amount, parsed.bill_number, parsed.purpose) == (50_000, code, payment["reference"])
    gateway = payments.LocalFakeGateway()
    for _ in range(2):
        confirmed = gateway.pay(
            reference=payment["reference"],
            amount=50_000,
            transaction_id="FT26113PAID01",
            transport=client_transport(Client()),
        )
        assert confirmed == (200, {"ok": True})
    paid = c["citizen"].get(f"{API}/payments/{payment['reference']}").json()
    assert paid["status"] == "paid"
    assert Payment.objects.filter(dossier__code=code, status="paid").count() == 1

    at(monkeypatch, 2026, 4, 24, 15, 0)
    r = act(
        c["desk"], code, "request_supplement", {"items": ["Bản sao giấy tờ liên quan"], "reason": "Thiếu"}
    )
    assert (r.status_code, r.json()["dossier"]["status"], r.json()["slip"]["kind"]) == (
        200,
        "supplement_requested",
        "supplement_request",
    )
    at(monkeypatch, 2026, 4, 28, 9, 0)
    r = act(
        c["citizen"],
        code,
        "supplement",
        {
            "attachments": [
                {
                    "document": "Bản sao giấy tờ liên quan",
                    "name": "giay-to.pdf",
                    "content_base64": base64.b64encode(PDF + b"2").decode(),
                }
            ]
        },
    )
    assert r.status_code == 200, r.content
    assert (r.json()["dossier"]["paused_days"], r.json()["dossier"]["due_at"], r.json()["slip"]) == (
        1,
        "2026-05-08T10:00:00Z",
        None,
    )

    at(monkeypatch, 2026, 4, 28, 10, 0)
    assert act(c["desk"], code, "hand_over", {"to_official": "cv.badinh"}).status_code == 200
    queue = c["ward"].get(f"{API}/queue").json()
    assert (queue["count"], [(i["code"], i["step"], i["overdue"]) for i in queue["items"]]) == (
        1,
        [(code, 2, False)],
    )
    at(monkeypatch, 2026, 4, 29, 14, 0)
    r = act(c["ward"], code, "hand_over", {"note": "Đã xác minh"})
    assert r.json()["dossier"]["current_agency_code"] == SO_TU_PHAP
    assert r.json()["slip"]["kind"] == "control"
    at(monkeypatch, 2026, 5, 6, 10, 0)
    assert act(c["dept"], code, "hand_over", {"to_official": "ld.stp"}).status_code == 200
    at(monkeypatch, 2026, 5, 7, 15, 0)
    r = act(c["leader"], code, "decide", {"title": "Giấy xác nhận", "body": "Xác nhận thông tin là đúng."})
    assert r.status_code == 200, r.content
    assert (r.json()["dossier"]["status"], r.json()["slip"]["kind"], r.json()["slip"]["signed"]) == (
        "done",
        "result",
        True,
    )
    result = c["citizen"].get(f"{API}/dossiers/{code}/slips/result")
    report = signing.validate_pdf(result.content)
    assert report.ok and [(s.signer, s.intact) for s in report.signatures] == [
        ("Lê Văn Sở", True),
        ("Sở Tư pháp", True),
    ]
    at(monkeypatch, 2026, 5, 8, 9, 0)
    r = act(c["desk"], code, "return_result")
    assert (r.json()["dossier"]["status"], r.json()["dossier"]["on_time"]) == ("returned", True)

    events = c["citizen"].get(f"{API}/dossiers/{code}/events").json()
    assert events["count"] == 8
    assert [(e["action"], e["step"], e["to_agency_code"]) for e in events["items"]] == [
        ("accept", 1, BA_DINH_CENTRE),
        ("supplement_request", 1, None),
        ("supplement", 1, BA_DINH_CENTRE),
        ("hand_over", 1, BA_DINH),
        ("hand_over", 2, SO_TU_PHAP),
        ("hand_over", 3, SO_TU_PHAP),
        ("decide", 4, BA_DINH_CENTRE),
        ("return", None, None),
    ]
    assert events["items"][4]["note"] == "Đã xác minh"


def test_who_may_act_over_http(code: str, actors: dict[str, Client], monkeypatch: Any) -> None:
    c = actors
    before = snapshot(code)
    # Another ward's specialist does not see the dossier at all: 404, as for GET.
    r = act(c["outsider"], code, "accept")
    assert (r.status_code, r.json()["detail"]) == (404, f"Không tìm thấy hồ sơ {code}.")
    assert c["outsider"].get(f"{API}/dossiers/{code}/slips/receipt").status_code == 404
    assert c["outsider"].get(f"{API}/dossiers/{code}/events").status_code == 404
    # The department sees it (it is competent) but may not accept it at the ward's desk: 403.
    r = act(c["dept"], code, "accept")
    assert (r.status_code, r.json()["title"]) == (403, "Không có quyền")
    # Nobody logged in: 401.
    assert Client().post(f"{API}/dossiers/{code}/actions/accept").status_code == 401
    assert snapshot(code) == before

    at(monkeypatch, 2026, 4, 23, 10, 0)
    act(c["desk"], code, "accept")
    before = snapshot(code)
    # The step is at the desk; the department and the citizen may not pass it on.
    assert act(c["dept"], code, "hand_over").status_code == 403
    assert act(c["citizen"], code, "hand_over").status_code == 403
    assert act(c["dept"], code, "decide", {"title": "x", "body": "y"}).status_code == 403
    assert snapshot(code) == before


def test_bad_bodies_and_missing_papers(code: str, actors: dict[str, Client], monkeypatch: Any) -> None:
    c = actors
    at(monkeypatch, 2026, 4, 23, 10, 0)
    act(c["desk"], code, "accept")
    before = snapshot(code)
    r = act(c["desk"], code, "refuse", {})
    assert r.status_code == 422 and r.json()["errors"][0]["field"].endswith("reasons")
    r = act(c["desk"], code, "hand_over", {"to_official": "khong.co"})
    assert (r.status_code, r.json()["detail"]) == (400, "Không có cán bộ 'khong.co'.")
    r = act(c["leader"], code, "apologise", {"reason": "Chậm", "new_due": "2026-05-09"})
    assert (r.status_code, r.json()["errors"]) == (
        400,
        [{"field": "new_due", "message": "không phải ngày làm việc sau ngày hẹn hiện tại"}],
    )
    r = act(c["desk"], code, "request_supplement", {"items": [], "reason": "Thiếu"})
    assert (r.status_code, r.json()["detail"]) == (400, "Hãy nêu ít nhất một thành phần hồ sơ cần bổ sung.")
    assert snapshot(code) == before
    assert c["desk"].get(f"{API}/dossiers/{code}/slips/result").status_code == 404
    assert c["desk"].get(f"{API}/dossiers/{code}/slips/khac").status_code == 404
    assert c["desk"].post(
        f"{API}/dossiers/{code}/actions/khac", {}, content_type="application/json"
    ).status_code in (
        404,
        405,
    )


def test_apology_and_withdrawal_over_http(code: str, actors: dict[str, Client], monkeypatch: Any) -> None:
    c = actors
    at(monkeypatch, 2026, 4, 23, 10, 0)
    act(c["desk"], code, "accept")
    r = act(c["leader"], code, "apologise", {"reason": "Cần xác minh thêm", "new_due": "2026-05-12"})
    assert r.status_code == 200, r.content
    assert (r.json()["dossier"]["due_at"], r.json()["slip"]["kind"], r.json()["slip"]["signed"]) == (
        "2026-05-12T10:00:00Z",
        "apology",
        True,
    )
    r = act(c["citizen"], code, "withdraw", {"reason": "Không còn nhu cầu"})
    assert (r.status_code, r.json()["dossier"]["status"], r.json()["slip"]) == (200, "withdrawn", None)
    before = snapshot(code)
    assert act(c["citizen"], code, "withdraw").status_code == 409
    assert snapshot(code) == before


def _text(content: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)
