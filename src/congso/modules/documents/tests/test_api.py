"""The document flow over the HTTP API, end to end, with API tokens: draft → signed → numbered →
dispatched → received → assigned → completed; the signed file, edXML, search and scoping."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from tests.conftest import BA_DINH, SO_KHCN, SO_TU_PHAP

from congso.core.accounts.services import api_token_create
from congso.modules.documents.models import Document, Status

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    token = api_token_create(actor=user, user=user, name="t").secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.fixture
def clients(make_official: Any) -> dict[str, Client]:
    people = {
        "drafter": make_official("cv.khcn", SO_KHCN, ("specialist", "agency")),
        "leader": make_official("ld.khcn", SO_KHCN, ("leader", "subtree")),
        "clerk": make_official("vt.khcn", SO_KHCN, ("clerk", "agency")),
        "bd_clerk": make_official("vt.bd", BA_DINH, ("clerk", "agency")),
        "bd_leader": make_official("ld.bd", BA_DINH, ("leader", "subtree")),
        "bd_handler": make_official("cv.bd", BA_DINH, ("specialist", "agency")),
        "outsider": make_official("cv.tp", SO_TU_PHAP, ("specialist", "agency")),
    }
    return {name: _client(user) for name, user in people.items()}


def _post(client: Client, url: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(url, body or {}, content_type="application/json")


def test_flow_over_the_api(clients: dict[str, Client]) -> None:
    r = _post(
        clients["drafter"],
        "/api/v1/documents/outgoing",
        {
            "doc_type": "QD",
            "summary": "Về việc ban hành Quy chế quản lý văn bản điện tử",
            "body": "Điều 1. Ban hành kèm theo Quyết định này Quy chế quản lý văn bản điện tử.",
            "recipients": [BA_DINH],
            "signer_position": "Phó Giám đốc",
        },
    )
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert (r.json()["status"], r.json()["notation"]) == ("draft", "QĐ-SKHCN")
    assert _post(clients["drafter"], f"/api/v1/documents/{pk}/submit").json()["status"] == "in_review"
    assert _post(clients["leader"], f"/api/v1/documents/{pk}/approve").json()["status"] == "approved"
    signed = _post(clients["leader"], f"/api/v1/documents/{pk}/sign").json()
    assert signed["status"] == "signed"
    assert signed["signature_report"]["ok"] is True
    issued = _post(clients["clerk"], f"/api/v1/documents/{pk}/issue").json()
    assert (issued["status"], issued["number_notation"]) == ("issued", "01/QĐ-SKHCN")
    assert len(issued["signature_report"]["signatures"]) == 2
    f = clients["clerk"].get(f"/api/v1/documents/{pk}/file")
    assert (f.status_code, f["Content-Type"], f.content[:5]) == (200, "application/pdf", b"%PDF-")
    assert f["X-Content-SHA256"] == issued["file"]["sha256"]
    package = clients["clerk"].get(f"/api/v1/documents/{pk}/edxml")
    assert package.status_code == 200 and b"QCVN_102_2016" in package.content
    dispatched = _post(clients["clerk"], f"/api/v1/documents/{pk}/dispatch").json()
    assert [(x["agency_code"], x["status"]) for x in dispatched["recipients"]] == [(BA_DINH, "01")]

    queue = clients["bd_clerk"].get("/api/v1/documents?queue=incoming").json()
    assert [i["summary"] for i in queue["items"]] == ["Về việc ban hành Quy chế quản lý văn bản điện tử"]
    inc = queue["items"][0]["id"]
    registered = _post(clients["bd_clerk"], f"/api/v1/documents/{inc}/register").json()
    assert (registered["status"], registered["arrival_number"]) == ("received", 1)
    _post(clients["bd_clerk"], f"/api/v1/documents/{inc}/present")
    assigned = _post(
        clients["bd_leader"],
        f"/api/v1/documents/{inc}/assign",
        {"lead_official": "cv.bd", "deadline": "2099-12-31"},
    )
    assert assigned.json()["status"] == "assigned", assigned.content
    mine = clients["bd_handler"].get("/api/v1/documents?queue=mine").json()
    assert [i["id"] for i in mine["items"]] == [inc]
    done = _post(clients["bd_handler"], f"/api/v1/documents/{inc}/complete", {"note": "Đã triển khai."})
    assert done.json()["status"] == "completed"
    sender_view = clients["clerk"].get(f"/api/v1/documents/{pk}").json()
    assert [(x["status"], x["status_label"]) for x in sender_view["recipients"]] == [("06", "Hoàn thành")]

    found = (
        clients["bd_clerk"].get("/api/v1/documents/search", {"q": "quy che quan ly van ban dien tu"}).json()
    )
    assert [i["id"] for i in found["items"]] == [inc]
    exact = clients["clerk"].get("/api/v1/documents/search", {"q": "01/qđ-skhcn"}).json()
    assert [i["id"] for i in exact["items"]] == [pk]


def test_outsider_sees_nothing_and_changes_nothing(clients: dict[str, Client]) -> None:
    r = _post(
        clients["drafter"],
        "/api/v1/documents/outgoing",
        {"doc_type": "CV", "summary": "V/v nội bộ Sở", "body": "Nội dung"},
    )
    pk = r.json()["id"]
    for url in (f"/api/v1/documents/{pk}", f"/api/v1/documents/{pk}/file"):
        denied = clients["outsider"].get(url)
        assert denied.status_code == 404
        assert denied["Content-Type"].startswith("application/problem+json")
    assert _post(clients["outsider"], f"/api/v1/documents/{pk}/submit").status_code == 404
    assert clients["outsider"].get("/api/v1/documents/search", {"q": "noi bo so"}).json()["count"] == 0
    assert Document.objects.get(pk=pk).status == Status.DRAFT


def test_incoming_upload_validates_input(clients: dict[str, Client]) -> None:
    bad = clients["bd_clerk"].post(
        "/api/v1/documents/incoming",
        {
            "doc_type": "QD",
            "number_notation": "",
            "issuer_name": "",
            "summary": "x",
            "file": io.BytesIO(b"not a pdf"),
        },
    )
    assert bad.status_code == 400
    body = bad.json()
    assert [e["field"] for e in body["errors"]] == ["number_notation", "issuer_name"]
    assert body["errors"][0]["message"] == "Số, ký hiệu không được để trống."
    not_pdf = clients["bd_clerk"].post(
        "/api/v1/documents/incoming",
        {
            "doc_type": "QD",
            "number_notation": "1/QĐ-X",
            "issuer_name": "X",
            "summary": "x",
            "file": io.BytesIO(b"GIF89a"),
        },
    )
    assert (not_pdf.status_code, not_pdf.json()["detail"]) == (400, "Tệp không phải PDF hợp lệ.")
    assert Document.objects.count() == 0
