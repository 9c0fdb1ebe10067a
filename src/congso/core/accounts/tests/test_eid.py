"""Citizen login with the national e-ID over real HTTP: the relying party (/eid/) against the fake
VNeID provider (/dev/eid/) on pytest-django's live server, with ``requests`` as the browser."""

from __future__ import annotations

import re
import stat
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit, urlunsplit

import pytest
import requests
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey

from congso.core.accounts import eid, fake_eid
from congso.core.accounts.models import User
from congso.core.audit.models import AuditEvent

AN = fake_eid.DEMO_CITIZENS[0]  # Nguyễn Văn An, 001090012345
NGOC = fake_eid.DEMO_CITIZENS[1]  # Trần Thị Bích Ngọc, 001185004321
VERIFIER = "v" * 43 + "-erifier._~0123456789"


class _FormParser(HTMLParser):
    """The first form of a page: its action, hidden inputs and submit buttons."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.hidden: dict[str, str] = {}
        self.buttons: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and self.action is None:
            self.action = a.get("action", "")
        elif tag == "input" and a.get("type") == "hidden":
            self.hidden[a["name"]] = a.get("value", "")
        elif tag == "button" and a.get("type", "submit") == "submit":
            self.buttons.append((a.get("name", ""), a.get("value", "")))


def submit(
    browser: requests.Session, page: requests.Response, button: tuple[str, str], **kwargs: Any
) -> requests.Response:
    """Press ``button`` (name, value) on the page's form, as a browser would (CSRF token included)."""
    form = _FormParser()
    form.feed(page.text)
    assert form.action is not None and button in form.buttons
    assert "csrfmiddlewaretoken" in form.hidden
    return browser.post(urljoin(page.url, form.action), data={**form.hidden, button[0]: button[1]}, **kwargs)


def choose(citizen: fake_eid.DemoCitizen) -> tuple[str, str]:
    return ("national_id", citizen.national_id)


DENY = ("decision", "deny")


def replace_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


@pytest.fixture
def provider(live_server: Any, settings: Any, tmp_path: Path, transactional_db: Any) -> Iterator[str]:
    """The live server, acting as both the portal and the fake provider; yields its base URL."""
    from tests.conftest import clear_cache

    settings.EID_FAKE_PROVIDER = True
    settings.EID_ISSUER = live_server.url + "/dev/eid"
    settings.DATA_DIR = tmp_path  # a fresh provider key for each test
    clear_cache()  # discovery, JWKS, codes (this process's keys only)
    yield live_server.url


def login_through_provider(
    base: str,
    citizen: fake_eid.DemoCitizen,
    next_url: str | None = None,
    browser: requests.Session | None = None,
) -> tuple[requests.Session, requests.Response]:
    """Run the whole flow in a browser; returns the browser and the callback's response."""
    browser = browser or requests.Session()
    start = base + "/eid/login/" + (f"?{urlencode({'next': next_url})}" if next_url else "")
    page = browser.get(start)  # follows the redirect to the provider's page
    assert page.status_code == 200
    assert page.url.startswith(base + "/dev/eid/authorize?")
    back = submit(browser, page, choose(citizen), allow_redirects=False)
    assert back.status_code == 302
    assert back.headers["Location"].startswith(base + "/eid/callback/?")
    done = browser.get(back.headers["Location"], allow_redirects=False)
    return browser, done


def me(browser: requests.Session, base: str) -> requests.Response:
    return browser.get(base + "/api/v1/accounts/me")


# --- The provider on its own -------------------------------------------------------------------


def test_discovery_jwks_and_key_file(provider: str, tmp_path: Path) -> None:
    doc = requests.get(provider + "/dev/eid/.well-known/openid-configuration", timeout=10).json()
    assert doc["issuer"] == provider + "/dev/eid"
    assert doc["authorization_endpoint"] == provider + "/dev/eid/authorize"
    assert doc["token_endpoint"] == provider + "/dev/eid/token"
    assert doc["userinfo_endpoint"] == provider + "/dev/eid/userinfo"
    assert doc["jwks_uri"] == provider + "/dev/eid/jwks"
    assert doc["id_token_signing_alg_values_supported"] == ["RS256"]
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert doc["token_endpoint_auth_methods_supported"] == ["client_secret_basic", "client_secret_post"]

    keys = requests.get(doc["jwks_uri"], timeout=10).json()["keys"]
    key_file = tmp_path / "eid-fake-key.pem"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    on_disk = RSAKey.import_key(key_file.read_bytes())
    assert len(keys) == 1
    assert keys[0]["kid"] == on_disk.thumbprint()
    assert (keys[0]["kty"], keys[0]["alg"], keys[0]["use"]) == ("RSA", "RS256", "sig")
    assert "d" not in keys[0]  # never the private part


def test_demo_citizens_are_hanoi_numbers() -> None:
    assert [c.name for c in fake_eid.DEMO_CITIZENS][:2] == ["Nguyễn Văn An", "Trần Thị Bích Ngọc"]
    assert AN.national_id == "001090012345"
    for citizen in fake_eid.DEMO_CITIZENS:
        assert len(citizen.national_id) == 12 and citizen.national_id.isdigit()
        assert citizen.national_id.startswith("001")
        # The century-and-sex digit and the birth year agree with the birth date.
        century_sex, year = int(citizen.national_id[3]), citizen.national_id[4:6]
        assert citizen.birthdate[2:4] == year
        assert century_sex % 2 == (1 if citizen.gender == "female" else 0)
        assert citizen.birthdate.startswith("19" if century_sex < 2 else "20")


# --- The whole login ---------------------------------------------------------------------------


def test_login_creates_the_citizen_and_logs_in(provider: str) -> None:
    assert me(requests.Session(), provider).status_code == 401

    browser, done = login_through_provider(provider, AN)

    assert done.status_code == 302
    assert done.headers["Location"] == "/"  # reverse("web:home")
    user = User.objects.get()
    assert (user.username, user.kind, user.national_id, user.full_name) == (
        "cd001090012345",
        "citizen",
        "001090012345",
        "Nguyễn Văn An",
    )
    assert user.eid_subject == AN.subject
    assert (user.email, user.phone) == ("nguyenvanan@example.com", "+84912000001")
    assert user.agency_id is None
    assert not user.has_usable_password()
    events = list(AuditEvent.objects.filter(action="accounts.citizen.create"))
    assert len(events) == 1
    assert (events[0].target_id, events[0].actor_id) == (str(user.pk), user.pk)
    after = events[0].after or {}
    assert (after["username"], after["kind"], after["full_name"]) == (
        "cd001090012345",
        "citizen",
        "Nguyễn Văn An",
    )

    who = me(browser, provider)
    assert who.status_code == 200
    assert who.json()["username"] == "cd001090012345"
    assert who.json()["kind"] == "citizen"
    assert who.json()["full_name"] == "Nguyễn Văn An"
    assert who.json()["roles"] == []


def test_second_login_reuses_the_account(provider: str) -> None:
    login_through_provider(provider, AN)
    first = User.objects.get()

    browser, done = login_through_provider(provider, AN)  # another browser, another day

    assert done.status_code == 302
    assert User.objects.count() == 1
    assert User.objects.get().pk == first.pk
    assert AuditEvent.objects.filter(action="accounts.citizen.create").count() == 1
    assert AuditEvent.objects.filter(action="accounts.citizen.update").count() == 0
    assert me(browser, provider).json()["username"] == "cd001090012345"


def test_two_citizens_two_accounts(provider: str) -> None:
    login_through_provider(provider, AN)
    browser, _ = login_through_provider(provider, NGOC)

    assert sorted(User.objects.values_list("username", "full_name")) == [
        ("cd001090012345", "Nguyễn Văn An"),
        ("cd001185004321", "Trần Thị Bích Ngọc"),
    ]
    assert me(browser, provider).json()["username"] == "cd001185004321"
    assert AuditEvent.objects.filter(action="accounts.citizen.create").count() == 2


def test_next_is_followed_only_when_local(provider: str) -> None:
    _, done = login_through_provider(provider, AN, next_url="/co-quan/?trang=2")
    assert done.headers["Location"] == "/co-quan/?trang=2"

    _, done = login_through_provider(provider, AN, next_url="https://lua-dao.example/dang-nhap")
    assert done.headers["Location"] == "/"

    _, done = login_through_provider(provider, AN, next_url="//lua-dao.example/")
    assert done.headers["Location"] == "/"


# --- Failures ----------------------------------------------------------------------------------


def test_tampered_state_is_refused(provider: str) -> None:
    browser = requests.Session()
    page = browser.get(provider + "/eid/login/")
    back = submit(browser, page, choose(AN), allow_redirects=False)
    tampered = replace_query(back.headers["Location"], state="ke-gian-" + "x" * 30)

    answer = browser.get(tampered, allow_redirects=False)

    assert answer.status_code == 400
    assert "Phiên đăng nhập VNeID không hợp lệ hoặc đã hết hạn (mã state không khớp)." in answer.text
    assert answer.headers["Content-Type"].startswith("text/html")
    assert User.objects.count() == 0
    assert AuditEvent.objects.filter(action__startswith="accounts.").count() == 0
    assert me(browser, provider).status_code == 401


def test_callback_without_a_login_in_progress(provider: str) -> None:
    answer = requests.get(provider + "/eid/callback/?code=abc&state=def", allow_redirects=False, timeout=10)
    assert answer.status_code == 400
    assert "mã state không khớp" in answer.text
    assert User.objects.count() == 0


def test_state_is_good_for_one_answer(provider: str) -> None:
    browser = requests.Session()
    page = browser.get(provider + "/eid/login/")
    back = submit(browser, page, choose(AN), allow_redirects=False)
    assert browser.get(back.headers["Location"], allow_redirects=False).status_code == 302

    again = browser.get(back.headers["Location"], allow_redirects=False)

    assert again.status_code == 400
    assert "mã state không khớp" in again.text
    assert User.objects.count() == 1


def test_provider_denial_creates_nothing(provider: str) -> None:
    browser = requests.Session()
    page = browser.get(provider + "/eid/login/")
    back = submit(browser, page, DENY, allow_redirects=False)
    assert query_of(back.headers["Location"])["error"] == "access_denied"

    answer = browser.get(back.headers["Location"], allow_redirects=False)

    assert answer.status_code == 400
    assert "Đăng nhập VNeID không thành công" in answer.text
    assert "Bạn đã từ chối hoặc chưa hoàn tất xác thực trên VNeID nên chưa đăng nhập được." in answer.text
    assert User.objects.count() == 0
    assert AuditEvent.objects.filter(action__startswith="accounts.").count() == 0
    assert me(browser, provider).status_code == 401


def test_id_token_with_a_wrong_nonce_is_refused(provider: str) -> None:
    browser = requests.Session()
    start = browser.get(provider + "/eid/login/", allow_redirects=False)
    assert start.status_code == 302
    # Someone swaps the nonce on the way to the provider: the ID token then carries theirs.
    page = browser.get(replace_query(start.headers["Location"], nonce="nonce-cua-ke-gian"))
    back = submit(browser, page, choose(AN), allow_redirects=False)

    answer = browser.get(back.headers["Location"], allow_redirects=False)

    assert answer.status_code == 400
    assert "Mã chống phát lại (nonce) của thông tin định danh không khớp với phiên đăng nhập." in answer.text
    assert User.objects.count() == 0
    assert AuditEvent.objects.filter(action__startswith="accounts.").count() == 0
    assert me(browser, provider).status_code == 401


def test_provider_unreachable(provider: str, settings: Any) -> None:
    settings.EID_ISSUER = "http://127.0.0.1:9/dev/eid"  # nothing listens on the discard port

    answer = requests.get(provider + "/eid/login/", allow_redirects=False, timeout=20)

    assert answer.status_code == 502
    assert (
        "Không kết nối được với hệ thống định danh điện tử VNeID. Vui lòng thử lại sau ít phút."
        in answer.text
    )
    assert User.objects.count() == 0


# --- The token endpoint, driven directly as a client would ----------------------------------------


def authorization_code(
    base: str, *, verifier: str = VERIFIER, nonce: str = "nonce-1", scope: str = "openid profile email phone"
) -> str:
    browser = requests.Session()
    page = browser.get(
        base + "/dev/eid/authorize",
        params={
            "client_id": "congso",
            "redirect_uri": base + "/eid/callback/",
            "response_type": "code",
            "scope": scope,
            "state": "state-1",
            "nonce": nonce,
            "code_challenge": create_s256_code_challenge(verifier),
            "code_challenge_method": "S256",
        },
    )
    assert page.status_code == 200
    back = submit(browser, page, choose(AN), allow_redirects=False)
    answer = query_of(back.headers["Location"])
    assert answer["state"] == "state-1"
    assert answer["iss"] == base + "/dev/eid"
    return answer["code"]


def redeem(base: str, code: str, verifier: str = VERIFIER, **extra: Any) -> requests.Response:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": base + "/eid/callback/",
        "code_verifier": verifier,
    }
    auth = extra.pop("auth", ("congso", "congso-dev-secret"))
    return requests.post(base + "/dev/eid/token", data={**data, **extra}, auth=auth, timeout=10)


def test_token_issues_a_signed_id_token(provider: str) -> None:
    code = authorization_code(provider)

    answer = redeem(provider, code)

    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    body = answer.json()
    assert (body["token_type"], body["expires_in"]) == ("Bearer", 300)
    metadata = eid.provider_metadata(provider + "/dev/eid")
    claims = eid.verify_id_token(body["id_token"], metadata=metadata, nonce="nonce-1")
    assert claims["iss"] == provider + "/dev/eid"
    assert claims["aud"] == "congso"
    assert claims["sub"] == AN.subject
    assert (claims["name"], claims["national_id"], claims["birthdate"]) == (
        "Nguyễn Văn An",
        "001090012345",
        "1990-03-15",
    )
    assert claims["exp"] - claims["iat"] == 300
    assert eid.citizen_claims(claims) == {
        "subject": AN.subject,
        "national_id": "001090012345",
        "full_name": "Nguyễn Văn An",
        "email": "nguyenvanan@example.com",
        "phone": "+84912000001",
    }

    info = requests.get(
        provider + "/dev/eid/userinfo",
        timeout=10,
        headers={"Authorization": f"Bearer {body['access_token']}"},
    )
    assert info.status_code == 200
    assert info.json()["sub"] == AN.subject
    assert info.json()["national_id"] == "001090012345"
    refused = requests.get(
        provider + "/dev/eid/userinfo", timeout=10, headers={"Authorization": "Bearer sai"}
    )
    assert refused.status_code == 401
    assert refused.json()["error"] == "invalid_token"


def test_code_replayed_is_invalid_grant(provider: str) -> None:
    code = authorization_code(provider)
    assert redeem(provider, code).status_code == 200

    replay = redeem(provider, code)

    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"


def test_wrong_pkce_verifier_is_invalid_grant_and_burns_the_code(provider: str) -> None:
    code = authorization_code(provider)

    wrong = redeem(provider, code, verifier="w" * 64)

    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"
    # The code was spent on the failed attempt: the right verifier cannot use it afterwards.
    assert redeem(provider, code).json()["error"] == "invalid_grant"


def test_token_checks_redirect_uri_and_client(provider: str) -> None:
    code = authorization_code(provider)
    other = redeem(provider, code, redirect_uri=provider + "/khac/")
    assert other.status_code == 400
    assert other.json()["error"] == "invalid_grant"

    bad_secret = redeem(provider, authorization_code(provider), auth=("congso", "sai-mat-khau"))
    assert bad_secret.status_code == 401
    assert bad_secret.json()["error"] == "invalid_client"

    # client_secret_post works as well as client_secret_basic.
    posted = redeem(
        provider,
        authorization_code(provider),
        auth=None,
        client_id="congso",
        client_secret="congso-dev-secret",
    )
    assert posted.status_code == 200
    assert posted.json()["id_token"].count(".") == 2


def test_authorize_refuses_foreign_redirect_uri_without_redirecting(provider: str) -> None:
    answer = requests.get(
        provider + "/dev/eid/authorize",
        allow_redirects=False,
        timeout=10,
        params={
            "client_id": "congso",
            "redirect_uri": "https://lua-dao.example/cb",
            "response_type": "code",
            "scope": "openid",
            "state": "s",
            "nonce": "n",
            "code_challenge": create_s256_code_challenge(VERIFIER),
            "code_challenge_method": "S256",
        },
    )
    assert answer.status_code == 400
    assert "Địa chỉ chuyển hướng (redirect_uri) không khớp với địa chỉ đã đăng ký." in answer.text


def test_authorize_requires_pkce(provider: str) -> None:
    answer = requests.get(
        provider + "/dev/eid/authorize",
        allow_redirects=False,
        timeout=10,
        params={
            "client_id": "congso",
            "redirect_uri": provider + "/eid/callback/",
            "response_type": "code",
            "scope": "openid",
            "state": "s",
            "nonce": "n",
        },
    )
    assert answer.status_code == 302
    assert query_of(answer.headers["Location"])["error"] == "invalid_request"
    assert query_of(answer.headers["Location"])["state"] == "s"


def test_authorize_post_keeps_csrf(provider: str) -> None:
    browser = requests.Session()
    page = browser.get(provider + "/eid/login/")
    form = _FormParser()
    form.feed(page.text)
    data = {k: v for k, v in form.hidden.items() if k != "csrfmiddlewaretoken"}

    answer = browser.post(
        provider + "/dev/eid/authorize", data={**data, "national_id": AN.national_id}, allow_redirects=False
    )

    assert answer.status_code == 403
    assert User.objects.count() == 0


# --- ID token verification ---------------------------------------------------------------------


def _claims(base: str, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": base + "/dev/eid",
        "aud": "congso",
        "sub": AN.subject,
        "iat": now,
        "exp": now + 300,
        "nonce": "n-1",
        "name": AN.name,
        "national_id": AN.national_id,
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"nonce": "n-2"},
            "Mã chống phát lại (nonce) của thông tin định danh không khớp với phiên đăng nhập.",
        ),
        ({"aud": "ung-dung-khac"}, "Thông tin định danh không được cấp cho cổng dịch vụ công này."),
        ({"iss": "https://gia-mao.example"}, "Thông tin định danh không do hệ thống VNeID đã cấu hình cấp."),
        (
            {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 4000},
            "Thông tin định danh từ VNeID đã hết hạn.",
        ),
        (
            {"nonce": None},
            "Mã chống phát lại (nonce) của thông tin định danh không khớp với phiên đăng nhập.",
        ),
        ({"sub": None}, "Thông tin định danh thiếu mã định danh người dùng."),
    ],
)
def test_verify_id_token_refuses(provider: str, changes: dict[str, Any], message: str) -> None:
    metadata = eid.provider_metadata(provider + "/dev/eid")
    token = fake_eid.sign_id_token(_claims(provider, **changes))

    with pytest.raises(eid.EidTokenRejected) as caught:
        eid.verify_id_token(token, metadata=metadata, nonce="n-1")

    assert str(caught.value).startswith(message)
    assert caught.value.status == 400


def test_verify_id_token_refuses_a_foreign_key_and_other_algorithms(provider: str) -> None:
    metadata = eid.provider_metadata(provider + "/dev/eid")
    assert eid.verify_id_token(fake_eid.sign_id_token(_claims(provider)), metadata=metadata, nonce="n-1")

    stranger = RSAKey.generate_key(2048)
    same_kid = {"alg": "RS256", "kid": fake_eid.signing_key().kid}
    forged = jwt.encode(same_kid, _claims(provider), stranger, algorithms=["RS256"])
    with pytest.raises(
        eid.EidTokenRejected, match=re.escape("Chữ ký của thông tin định danh từ VNeID không hợp lệ.")
    ):
        eid.verify_id_token(forged, metadata=metadata, nonce="n-1")

    # A token MACed with a shared secret instead of signed with the provider's RSA key.
    shared = OctKey.import_key("bi-mat-dung-chung-dai-hon-32-ky-tu!")
    symmetric = jwt.encode({"alg": "HS256"}, _claims(provider), shared, algorithms=["HS256"])
    with pytest.raises(eid.EidTokenRejected, match=re.escape("Không đọc được thông tin định danh từ VNeID.")):
        eid.verify_id_token(symmetric, metadata=metadata, nonce="n-1")


def test_citizen_claims_need_the_personal_number() -> None:
    with pytest.raises(eid.EidTokenRejected, match="VNeID không cung cấp số định danh cá nhân"):
        eid.citizen_claims({"sub": "x", "name": "Nguyễn Văn An"})
    assert eid.citizen_claims(
        {
            "sub": "x",
            "name": "  Nguyễn   Văn An ",
            "national_id": "001090012345",
            "email": "a@example.com",
            "email_verified": False,
        }
    ) == {
        "subject": "x",
        "national_id": "001090012345",
        "full_name": "Nguyễn Văn An",
        "email": "",
        "phone": "",
    }
