"""The services API: the public catalogue, filing with an Idempotency-Key, reading a dossier,
and public tracking that leaks nothing without its token."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.test import Client
from tests.conftest import BA_DINH_CENTRE, SO_TU_PHAP

from congso.core.accounts.services import api_token_create
from congso.modules.services.models import Dossier, IdempotencyKey
from congso.modules.services.tests.conftest import make_citizen

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4 demo"


def _client(user: Any, **headers: str) -> Client:
    token = api_token_create(actor=user, user=user, name="t").secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}", **headers)


def _body(**overrides: Any) -> dict[str, Any]:
    body = {
        "procedure": "2.000720",
        "agency": BA_DINH_CENTRE,
        "form": {
            "ten_ho_kinh_doanh": "Hộ kinh doanh Phở Bình",
            "dia_chi_kinh_doanh": "12 Phan Đình Phùng, phường Ba Đình, Hà Nội",
            "nganh_nghe": "Dịch vụ ăn uống",
            "von_kinh_doanh": 200_000_000,
        },
        "attachments": [
            {
                "document": "Giấy đề nghị đăng ký hộ kinh doanh",
                "name": "de-nghi.pdf",
                "content_base64": base64.b64encode(PDF).decode(),
            }
        ],
    }
    body.update(overrides)
    return body


def _post(client: Client, body: dict[str, Any], key: str | None = None) -> Any:
    extra = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post("/api/v1/services/dossiers", body, content_type="application/json", **extra)


def test_catalogue_is_public_searchable_and_paginated(catalogue: None) -> None:
    anonymous = Client()
    r = anonymous.get("/api/v1/services/procedures", {"q": "KHAI SINH"})
    assert r.status_code == 200
    assert [(p["code"], p["processing_days"], p["fee"]) for p in r.json()["items"]] == [
        ("1.001193", 1, 0),
        ("1.004884", 5, 5_000),
        ("2.002622", 5, 0),
    ]
    page = anonymous.get("/api/v1/services/procedures", {"page": 4, "page_size": 10}).json()
    assert page["count"] == 35
    assert [p["code"] for p in page["items"]] == ["2.001019", "2.001035", "2.001610", "2.001914", "2.002622"]
    assert [p["code"] for p in anonymous.get("/api/v1/services/procedures?q=1.009994").json()["items"]] == [
        "1.009994"
    ]
    assert anonymous.get("/api/v1/services/procedures", {"level": "tinh"}).json()["count"] == 8

    detail = anonymous.get("/api/v1/services/procedures/2.000720").json()
    assert (detail["name"], detail["level_label"], detail["online_level_label"]) == (
        "Đăng ký thành lập hộ kinh doanh",
        "Cấp xã",
        "Toàn trình",
    )
    assert (detail["version"], detail["valid_from"], detail["processing_days"], detail["fee"]) == (
        1,
        "2025-07-01",
        3,
        100_000,
    )
    assert detail["form_fields"][3] == {
        "name": "von_kinh_doanh",
        "label": "Vốn kinh doanh (đồng)",
        "type": "number",
        "required": True,
        "choices": [],
    }
    missing = anonymous.get("/api/v1/services/procedures/9.999999")
    assert (missing.status_code, missing.json()["detail"]) == (
        404,
        "Không có thủ tục mã 9.999999 trong danh mục.",
    )


def test_submit_retry_conflict_read_and_track(catalogue: None, citizen: Any, make_official: Any) -> None:
    client = _client(citizen)
    first = _post(client, _body(), key="3f1c9a0e-retry")
    assert first.status_code == 201, first.content
    out = first.json()
    code, token = out["code"], out["tracking_token"]
    assert code.startswith(f"{BA_DINH_CENTRE}-") and code.endswith("-0001")
    assert (out["status"], out["status_label"], out["channel"], out["fee"]) == (
        "submitted",
        "Đã nộp, chờ tiếp nhận",
        "online",
        100_000,
    )
    assert (out["applicant_name"], out["competent_agency_name"]) == (
        "Nguyễn Văn An",
        "Ủy ban nhân dân Phường Ba Đình",
    )

    # A retry (the first response was lost) gets the same dossier and body, token included.
    retry = _post(client, _body(), key="3f1c9a0e-retry")
    assert (retry.status_code, retry["Idempotent-Replayed"]) == (200, "true")
    assert retry.json() == out
    assert (Dossier.objects.count(), IdempotencyKey.objects.count()) == (1, 1)

    # The same key with another body: 409 and nothing new.
    conflict = _post(client, _body(form={**_body()["form"], "nganh_nghe": "Bán lẻ"}), key="3f1c9a0e-retry")
    assert conflict.status_code == 409
    assert conflict["Content-Type"].startswith("application/problem+json")
    assert conflict.json()["detail"].startswith("Khóa Idempotency-Key '3f1c9a0e-retry' đã được dùng")
    assert Dossier.objects.count() == 1

    # Reading: the applicant yes; another citizen or an unrelated official: 404, like a missing code.
    got = client.get(f"/api/v1/services/dossiers/{code}")
    assert got.status_code == 200
    assert got.json() == {k: v for k, v in out.items() if k != "tracking_token"}
    stranger = _client(make_citizen("001199001111", "Hoàng Thị Mai"))
    outsider = _client(make_official("cv.tp", SO_TU_PHAP, ("specialist", "agency")))
    for other in (stranger, outsider):
        r = other.get(f"/api/v1/services/dossiers/{code}")
        assert (r.status_code, r.json()["detail"]) == (404, f"Không tìm thấy hồ sơ {code}.")

    digest = out["files"][0]["sha256"]
    f = client.get(f"/api/v1/services/dossiers/{code}/files/{digest}")
    assert (f.status_code, f["Content-Type"], f.content) == (200, "application/pdf", PDF)
    assert stranger.get(f"/api/v1/services/dossiers/{code}/files/{digest}").status_code == 404

    # Tracking with the token: only the public facts.
    anonymous = Client()
    tracked = anonymous.get(f"/api/v1/services/track/{code}", {"token": token})
    assert tracked.status_code == 200
    assert tracked.json() == {
        "code": code,
        "procedure_name": "Đăng ký thành lập hộ kinh doanh",
        "status": "submitted",
        "status_label": "Đã nộp, chờ tiếp nhận",
        "received_on": out["received_at"][:10],
        "due_on": out["due_at"][:10],
        "handled_by": "Trung tâm Phục vụ hành chính công Phường Ba Đình",
    }
    assert "Nguyễn" not in tracked.content.decode() and "001090012345" not in tracked.content.decode()
    # A wrong token, no token, an unknown code: the very same bytes.
    wrong = anonymous.get(
        f"/api/v1/services/track/{code}", {"token": token[:-1] + ("y" if token.endswith("x") else "x")}
    )
    no_token = anonymous.get(f"/api/v1/services/track/{code}")
    unknown = anonymous.get("/api/v1/services/track/001.01.90.H26-260101-9999", {"token": token})
    assert wrong.status_code == no_token.status_code == unknown.status_code == 404
    assert wrong.content == no_token.content == unknown.content
    assert json.loads(wrong.content) == {
        "type": "urn:congso:problem:not-found",
        "title": "Không tìm thấy",
        "status": 404,
        "detail": "Không tìm thấy hồ sơ với mã hồ sơ và mã tra cứu đã nhập.",
    }


def test_submit_errors(catalogue: None, citizen: Any, make_official: Any) -> None:
    client = _client(citizen)
    r = _post(client, _body(form={"ten_ho_kinh_doanh": "Phở Bình"}, attachments=[]))
    assert r.status_code == 400
    assert r.json()["detail"] == "Hồ sơ có 4 lỗi, vui lòng kiểm tra lại."
    assert [e["field"] for e in r.json()["errors"]] == [
        "form.dia_chi_kinh_doanh",
        "form.nganh_nghe",
        "form.von_kinh_doanh",
        "attachments",
    ]
    bad_file = _body()
    bad_file["attachments"][0]["content_base64"] = "không phải base64"
    r = _post(client, bad_file)
    assert (r.status_code, r.json()["detail"]) == (
        400,
        "Tệp 'de-nghi.pdf' không đọc được: nội dung phải mã hóa base64.",
    )
    assert _post(Client(), _body()).status_code == 401
    # An official without the one-stop role: 403 and nothing filed.
    outsider = _client(make_official("cv.tp", SO_TU_PHAP, ("specialist", "agency")))
    r = _post(outsider, _body(applicant_name="Trần Văn Bình", applicant_id_number="001085004321"))
    assert r.status_code == 403
    assert Dossier.objects.count() == 0
