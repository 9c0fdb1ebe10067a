"""The HTTP API: as-of queries, problem+json errors, tokens, and agency scoping with nothing changed."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from congso.core.accounts.models import User
from congso.core.accounts.services import api_token_create
from congso.core.audit.models import AuditEvent
from tests.conftest import BA_DINH, BA_DINH_CENTRE, CITY, SO_KHCN, SO_TU_PHAP

pytestmark = pytest.mark.django_db


def bearer(user: User) -> dict[str, str]:
    issued = api_token_create(actor=user, user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {issued.secret}"}


def problem(resp) -> dict:
    assert resp["Content-Type"].startswith("application/problem+json"), resp.content
    body = json.loads(resp.content)
    assert body["status"] == resp.status_code
    return body


def test_units_as_of_2024_gives_30_districts(client: Client) -> None:
    resp = client.get("/api/v1/org/units", {"as_of": "2024-06-30", "parent": "01"})
    assert resp.status_code == 200
    body = resp.json()
    assert (body["as_of"], body["count"], len(body["items"])) == ("2024-06-30", 30, 30)
    assert body["items"][0] == {
        "code": "001",
        "name": "Quận Ba Đình",
        "short_name": "Ba Đình",
        "kind": "quan",
        "level": 2,
        "parent_code": "01",
        "valid_from": None,
        "valid_to": "2025-07-01",
        "latitude": 21.035852,
        "longitude": 105.826094,
    }


def test_units_as_of_2025_gives_126_wards_paginated(client: Client) -> None:
    resp = client.get(
        "/api/v1/org/units", {"as_of": "2025-07-01", "parent": "01", "page_size": 50, "page": 3}
    )
    body = resp.json()
    assert (body["count"], body["page"], len(body["items"])) == (126, 3, 26)


def test_unit_detail_has_predecessors_and_successors(client: Client) -> None:
    body = client.get("/api/v1/org/units/00004", {"as_of": "2025-07-01"}).json()
    assert body["name"] == "Phường Ba Đình"
    preds = {p["name"]: p["share"] for p in body["predecessors"]}
    assert preds["Phường Trúc Bạch"] == 1.0 and preds["Phường Điện Biên"] == 0.25
    old = client.get("/api/v1/org/units/00019", {"as_of": "2024-06-30"}).json()
    assert sorted(s["code"] for s in old["successors"]) == ["00004", "00070", "00190", "00226"]
    assert {s["share_basis"] for s in old["successors"]} == {"equal"}


def test_bad_date_is_a_400_in_vietnamese(client: Client) -> None:
    resp = client.get("/api/v1/org/units", {"as_of": "2024-13-45"})
    body = problem(resp)
    assert resp.status_code == 400
    assert body["detail"] == "Ngày '2024-13-45' không hợp lệ: cần dạng YYYY-MM-DD, ví dụ 2025-07-01."
    assert body["errors"] == [{"field": "as_of", "message": body["detail"]}]
    assert "Traceback" not in resp.content.decode()


def test_bad_date_in_english_when_asked(client: Client) -> None:
    resp = client.get("/api/v1/org/units", {"as_of": "yesterday"}, HTTP_ACCEPT_LANGUAGE="en")
    body = problem(resp)
    assert body["title"] == "Invalid input"
    assert body["detail"] == "Invalid date 'yesterday': use YYYY-MM-DD, for example 2025-07-01."


def test_unknown_unit_code_is_a_404(client: Client) -> None:
    resp = client.get("/api/v1/org/units/77777")
    assert resp.status_code == 404
    assert problem(resp)["detail"] == "Không có đơn vị hành chính mã 77777."


def test_unit_not_existing_on_the_date(client: Client) -> None:
    resp = client.get("/api/v1/org/units/001", {"as_of": "2025-07-01"})
    assert resp.status_code == 404
    assert problem(resp)["detail"] == "Không có đơn vị hành chính mã 001 vào ngày 01/07/2025."


def test_agencies_need_authentication(client: Client) -> None:
    resp = client.get("/api/v1/org/agencies")
    assert resp.status_code == 401
    assert problem(resp)["title"] == "Chưa đăng nhập"


def test_agencies_as_of_with_a_token(client: Client, make_official) -> None:
    user = make_official("cv.api", SO_KHCN, ("specialist", "agency"))
    resp = client.get("/api/v1/org/agencies", {"as_of": "2024-06-30", "page_size": 1}, **bearer(user))
    assert resp.status_code == 200
    assert resp.json()["count"] == 633
    assert resp.json()["items"][0]["code"] == CITY


def test_a_revoked_or_wrong_token_is_refused(client: Client, make_official) -> None:
    from congso.core.accounts.services import api_token_revoke

    user = make_official("cv.revoked", SO_KHCN, ("specialist", "agency"))
    issued = api_token_create(actor=user, user=user, name="x")
    api_token_revoke(actor=user, token=issued.token)
    for header in (f"Bearer {issued.secret}", "Bearer cs_000000000000_nope", "Bearer garbage"):
        assert client.get("/api/v1/accounts/me", HTTP_AUTHORIZATION=header).status_code == 401


def test_an_expired_token_or_a_disabled_account_is_refused_and_use_is_noted_coarsely(
    client: Client, make_official
) -> None:
    import datetime as dt

    from django.utils import timezone

    from congso.core.accounts.models import ApiToken

    user = make_official("cv.expiry", SO_KHCN, ("specialist", "agency"))
    issued = api_token_create(actor=user, user=user, name="x")
    header = f"Bearer {issued.secret}"
    me = client.get("/api/v1/accounts/me", HTTP_AUTHORIZATION=header)
    assert (me.status_code, me.json()["username"]) == (200, "cv.expiry")
    first_use = ApiToken.objects.get(pk=issued.token.pk).last_used_at
    assert first_use is not None
    # Used again within five minutes: the row is not written again.
    assert client.get("/api/v1/accounts/me", HTTP_AUTHORIZATION=header).status_code == 200
    assert ApiToken.objects.get(pk=issued.token.pk).last_used_at == first_use
    # Five minutes later it is.
    ApiToken.objects.filter(pk=issued.token.pk).update(last_used_at=first_use - dt.timedelta(minutes=6))
    assert client.get("/api/v1/accounts/me", HTTP_AUTHORIZATION=header).status_code == 200
    assert ApiToken.objects.get(pk=issued.token.pk).last_used_at > first_use

    ApiToken.objects.filter(pk=issued.token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.get("/api/v1/accounts/me", HTTP_AUTHORIZATION=header).status_code == 401
    ApiToken.objects.filter(pk=issued.token.pk).update(expires_at=timezone.now() + dt.timedelta(days=1))
    assert client.get("/api/v1/accounts/me", HTTP_AUTHORIZATION=header).status_code == 200
    type(user).objects.filter(pk=user.pk).update(is_active=False)
    assert client.get("/api/v1/accounts/me", HTTP_AUTHORIZATION=header).status_code == 401


def test_malformed_body_is_a_400_that_names_the_problem(client: Client, make_official) -> None:
    admin = make_official("qt.body", CITY, ("admin", "subtree"))
    resp = client.post(
        "/api/v1/org/agencies", data="{not json", content_type="application/json", **bearer(admin)
    )
    body = problem(resp)
    assert resp.status_code == 400
    assert "JSON" in body["detail"]
    resp = client.post(
        "/api/v1/org/agencies",
        data={"code": "001.00.00.H26"},
        content_type="application/json",
        **bearer(admin),
    )
    body = problem(resp)
    assert resp.status_code == 422
    assert {e["field"] for e in body["errors"]} == {"name", "kind", "level"}
    assert all(e["message"] == "bắt buộc phải có" for e in body["errors"])


def test_invalid_agency_code_is_explained(client: Client, make_official) -> None:
    admin = make_official("qt.code", CITY, ("admin", "subtree"))
    payload = {"code": "H26-12", "name": "Sở Mới", "kind": "so", "level": 1, "parent_code": CITY}
    resp = client.post("/api/v1/org/agencies", data=payload, content_type="application/json", **bearer(admin))
    assert resp.status_code == 400
    assert problem(resp)["errors"] == [
        {"field": "code", "message": "Mã cơ quan 'H26-12' không đúng dạng 000.00.00.H26."}
    ]


def test_admin_creates_an_agency_with_audit(client: Client, make_official) -> None:
    admin = make_official("qt.create", CITY, ("admin", "subtree"))
    start = AuditEvent.objects.count()
    payload = {
        "code": "000.00.49.H26",
        "name": "Sở Thử nghiệm",
        "kind": "so",
        "level": 1,
        "parent_code": CITY,
    }
    resp = client.post("/api/v1/org/agencies", data=payload, content_type="application/json", **bearer(admin))
    assert resp.status_code == 201, resp.content
    assert resp.json()["parent_code"] == CITY
    actions = list(AuditEvent.objects.order_by("seq")[start:].values_list("action", flat=True))
    assert actions == ["accounts.token.create", "org.agency.create"]
    resp = client.post("/api/v1/org/agencies", data=payload, content_type="application/json", **bearer(admin))
    assert resp.status_code == 409


def test_official_cannot_change_another_agencys_data(client: Client, make_official, agency) -> None:
    """An administrator of phường Ba Đình cannot edit Sở Tư pháp or create accounts there; nothing changes."""
    admin_bd = make_official("qt.bd", BA_DINH, ("admin", "subtree"))
    headers = bearer(admin_bd)
    before_agency = agency(SO_TU_PHAP)
    users_before = User.objects.count()
    events_before = AuditEvent.objects.count()

    resp = client.patch(
        f"/api/v1/org/agencies/{SO_TU_PHAP}",
        data={"name": "Bị sửa"},
        content_type="application/json",
        **headers,
    )
    assert resp.status_code == 403
    assert problem(resp)["detail"] == "Bạn không có quyền thực hiện thao tác này đối với cơ quan, đơn vị này."
    resp = client.post(
        "/api/v1/accounts/officials",
        content_type="application/json",
        **headers,
        data={
            "username": "ke.la",
            "full_name": "Kẻ Lạ",
            "agency_code": SO_TU_PHAP,
            "roles": [{"role": "admin"}],
        },
    )
    assert resp.status_code == 403

    after_agency = agency(SO_TU_PHAP)
    assert (after_agency.name, after_agency.phone) == (before_agency.name, before_agency.phone)
    assert User.objects.count() == users_before
    assert AuditEvent.objects.count() == events_before

    # Within its own subtree the same administrator may act.
    resp = client.patch(
        f"/api/v1/org/agencies/{BA_DINH_CENTRE}",
        data={"phone": "024 3823 4567"},
        content_type="application/json",
        **headers,
    )
    assert resp.status_code == 200
    assert agency(BA_DINH_CENTRE).phone == "024 3823 4567"


def test_official_cannot_read_another_agencys_officials(client: Client, make_official) -> None:
    make_official("cv.tuphap", SO_TU_PHAP, ("specialist", "agency"))
    reader = make_official("cv.bd", BA_DINH, ("specialist", "agency"))
    headers = bearer(reader)
    listed = client.get("/api/v1/accounts/officials", **headers).json()
    assert [u["username"] for u in listed["items"]] == ["cv.bd"]
    resp = client.get("/api/v1/accounts/officials/cv.tuphap", **headers)
    assert resp.status_code == 404
    assert problem(resp)["detail"] == "Không tìm thấy cán bộ 'cv.tuphap' trong phạm vi bạn được xem."
    resp = client.patch(
        "/api/v1/accounts/officials/cv.tuphap",
        data={"full_name": "X"},
        content_type="application/json",
        **headers,
    )
    assert resp.status_code == 404
    assert User.objects.get(username="cv.tuphap").full_name == "Cv.Tuphap"


def test_city_admin_sees_every_agency_and_its_audit(client: Client, make_official, agency) -> None:
    from congso.core.org.services import agency_update

    city_admin = make_official("qt.city", CITY, ("admin", "subtree"))
    local_admin = make_official("qt.local", BA_DINH, ("admin", "agency"))
    agency_update(actor=city_admin, agency=agency(SO_TU_PHAP), phone="024 1")
    seen_by_city = client.get(
        "/api/v1/audit/events", {"action": "org.agency.update"}, **bearer(city_admin)
    ).json()
    seen_by_local = client.get(
        "/api/v1/audit/events", {"action": "org.agency.update"}, **bearer(local_admin)
    ).json()
    assert seen_by_city["count"] == 1 and seen_by_city["items"][0]["after"]["phone"] == "024 1"
    assert seen_by_local["count"] == 0


def test_session_auth_needs_csrf_for_writes(make_official) -> None:
    admin = make_official("qt.csrf", CITY, ("admin", "subtree"))
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin)
    assert browser.get("/api/v1/accounts/me").json()["username"] == "qt.csrf"
    resp = browser.patch(
        f"/api/v1/org/agencies/{BA_DINH}", data={"phone": "1"}, content_type="application/json"
    )
    assert resp.status_code == 403


def test_openapi_and_docs_and_health(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/org/units" in schema["paths"] and "/api/v1/org/units/{code}" in schema["paths"]
    assert client.get("/api/v1/docs").status_code == 200
    health = client.get("/healthz").json()
    assert health["status"] == "ok" and health["checks"]["database"] == "ok"


def test_calendar_api(client: Client) -> None:
    body = client.get("/api/v1/calendar/add", {"start": "2025-01-24", "days": 1}).json()
    assert body["result"] == "2025-02-03"  # Tết 2025: 25/1–2/2 off
    resp = client.get("/api/v1/calendar/add", {"start": "2099-12-01", "days": 5})
    assert resp.status_code == 400


def test_children_of_an_unknown_parent_is_a_404(client: Client) -> None:
    resp = client.get("/api/v1/org/units", {"as_of": "2025-07-01", "parent": "001"})
    assert resp.status_code == 404
    assert problem(resp)["detail"] == "Không có đơn vị hành chính mã 001 vào ngày 01/07/2025."
    # A ward has no children: an empty list, not an error.
    body = client.get("/api/v1/org/units", {"as_of": "2025-07-01", "parent": "00004"}).json()
    assert (body["count"], body["items"]) == (0, [])
