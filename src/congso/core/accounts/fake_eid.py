"""A stand-in national e-ID provider (VNeID-style OpenID Connect) for development and tests.

It is a small but real OpenID Provider: discovery, an authorization endpoint where one picks a
demo citizen (or refuses), a token endpoint (client_secret_basic or client_secret_post, one-time
codes valid 60 seconds, PKCE S256 required), RS256-signed ID tokens, JWKS and userinfo. It knows
one client (``EID_CLIENT_ID`` / ``EID_CLIENT_SECRET``) whose only redirect URI is this server's own
``eid:callback``. It is mounted at ``/dev/eid/`` only while ``EID_FAKE_PROVIDER`` is on.

It is not VNeID: no real identities, no authentication of the person, no consent records, no
refresh tokens, no logout. See docs/decisions/0005-citizen-eid-oidc.md.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import os
import re
import secrets
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlencode

from authlib.oauth2.rfc7636 import create_s256_code_challenge
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from joserfc import jwt
from joserfc.jwk import RSAKey

CODE_TTL = 60  # seconds an authorization code is valid
TOKEN_TTL = 300  # seconds an ID token / access token is valid
KEY_FILE = "eid-fake-key.pem"
SCOPES = ("openid", "profile", "email", "phone")
_PKCE = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")
_CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43}$")
_SUBJECT_NAMESPACE = uuid.UUID("6f1c2a7e-5d3b-4c8e-9a41-0b7d2e9f3c15")


@dataclass(frozen=True)
class DemoCitizen:
    """A made-up citizen. The 12-digit number follows the CCCD layout: 001 = Hà Nội, then a
    century-and-sex digit (0 man / 1 woman born 1900–1999, 2 / 3 born 2000–2099), the last two
    digits of the birth year and six more digits."""

    national_id: str
    name: str
    birthdate: str  # ISO date
    gender: str  # OIDC "male" / "female"
    email: str = ""
    phone_number: str = ""

    @property
    def subject(self) -> str:
        """A stable, opaque subject identifier (like a real provider's ``sub``)."""
        return str(uuid.uuid5(_SUBJECT_NAMESPACE, self.national_id))

    @property
    def birthdate_display(self) -> str:
        year, month, day = self.birthdate.split("-")
        return f"{day}/{month}/{year}"

    def claims(self, scopes: set[str]) -> dict[str, Any]:
        claims: dict[str, Any] = {
            "sub": self.subject,
            "name": self.name,
            "national_id": self.national_id,
            "birthdate": self.birthdate,
            "gender": self.gender,
        }
        if "email" in scopes and self.email:
            claims.update(email=self.email, email_verified=True)
        if "phone" in scopes and self.phone_number:
            claims.update(phone_number=self.phone_number, phone_number_verified=True)
        return claims


DEMO_CITIZENS: tuple[DemoCitizen, ...] = (
    DemoCitizen(
        "001090012345", "Nguyễn Văn An", "1990-03-15", "male", "nguyenvanan@example.com", "+84912000001"
    ),
    DemoCitizen(
        "001185004321",
        "Trần Thị Bích Ngọc",
        "1985-11-02",
        "female",
        "bichngoc.tran@example.com",
        "+84912000002",
    ),
    DemoCitizen("001201007788", "Lê Hoàng Minh", "2001-07-20", "male", "", "+84912000003"),
    DemoCitizen("001172009911", "Phạm Thu Hà", "1972-05-09", "female", "phamthuha@example.com", ""),
    DemoCitizen("001068003456", "Đỗ Quang Huy", "1968-12-24", "male"),
)
_BY_NATIONAL_ID = {c.national_id: c for c in DEMO_CITIZENS}


# --- Signing key -------------------------------------------------------------------------------


def _load_or_create_pem(path: Path) -> bytes:
    if path.exists():
        return path.read_bytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    # Written under a temporary name (mkstemp makes it 0600), then linked into place atomically, so a
    # second process starting at the same moment reads either nothing or the whole key.
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".eid-fake-key-")
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(pem)
        try:
            os.link(tmp_name, path)
        except FileExistsError:
            return path.read_bytes()
    finally:
        os.unlink(tmp_name)
    path.chmod(0o600)
    return pem


@functools.lru_cache(maxsize=4)
def _key_at(path: str) -> RSAKey:
    key = RSAKey.import_key(_load_or_create_pem(Path(path)))
    key.ensure_kid()  # RFC 7638 thumbprint
    return key


def signing_key() -> RSAKey:
    """The provider's RSA key, generated once at DATA_DIR/eid-fake-key.pem."""
    return _key_at(str(Path(settings.DATA_DIR) / KEY_FILE))


def public_jwks() -> dict[str, Any]:
    key = signing_key()
    return {"keys": [key.as_dict(private=False, use="sig", alg="RS256")]}


def sign_id_token(claims: dict[str, Any]) -> str:
    key = signing_key()
    return jwt.encode({"alg": "RS256", "typ": "JWT", "kid": key.kid}, claims, key, algorithms=["RS256"])


# --- Helpers -----------------------------------------------------------------------------------


def issuer(request: HttpRequest) -> str:
    """This provider's issuer identifier: the absolute URL of /dev/eid on the host asked."""
    return request.build_absolute_uri(reverse("fake_eid:discovery")).removesuffix(
        "/.well-known/openid-configuration"
    )


def _redirect_uri(request: HttpRequest) -> str:
    """The one redirect URI registered for the client: this server's own e-ID callback."""
    return request.build_absolute_uri(reverse("eid:callback"))


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _oauth_error(error: str, description: str, status: int = 400, **headers: str) -> JsonResponse:
    response = JsonResponse({"error": error, "error_description": description}, status=status)
    response["Cache-Control"] = "no-store"
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _with_query(uri: str, params: dict[str, str]) -> str:
    return f"{uri}{'&' if '?' in uri else '?'}{urlencode({k: v for k, v in params.items() if v})}"


class _FatalAuthorizeError(Exception):
    """Unknown client or redirect URI: shown to the person, never redirected (RFC 6749 4.1.2.1)."""


class _RedirectAuthorizeError(Exception):
    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description


def _authorize_params(request: HttpRequest, source: QueryDict) -> dict[str, str]:
    params = {
        name: source.get(name, "")
        for name in (
            "client_id",
            "redirect_uri",
            "response_type",
            "scope",
            "state",
            "nonce",
            "code_challenge",
            "code_challenge_method",
        )
    }
    if not params["client_id"] or params["client_id"] != settings.EID_CLIENT_ID:
        raise _FatalAuthorizeError("Ứng dụng yêu cầu đăng nhập (client_id) chưa được đăng ký.")
    if params["redirect_uri"] != _redirect_uri(request):
        raise _FatalAuthorizeError("Địa chỉ chuyển hướng (redirect_uri) không khớp với địa chỉ đã đăng ký.")
    if params["response_type"] != "code":
        raise _RedirectAuthorizeError("unsupported_response_type", "Only response_type=code is supported.")
    if "openid" not in params["scope"].split():
        raise _RedirectAuthorizeError("invalid_scope", "The openid scope is required.")
    if params["code_challenge_method"] != "S256" or not _CHALLENGE.match(params["code_challenge"]):
        raise _RedirectAuthorizeError("invalid_request", "PKCE with code_challenge_method=S256 is required.")
    if not params["nonce"]:
        raise _RedirectAuthorizeError("invalid_request", "A nonce is required.")
    return params


def _page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    response = render(request, template, context, status=status)
    response["Cache-Control"] = "no-store"
    return response


# --- Endpoints ---------------------------------------------------------------------------------


@require_GET
def discovery(request: HttpRequest) -> JsonResponse:
    base = issuer(request)
    return JsonResponse(
        {
            "issuer": base,
            "authorization_endpoint": request.build_absolute_uri(reverse("fake_eid:authorize")),
            "token_endpoint": request.build_absolute_uri(reverse("fake_eid:token")),
            "userinfo_endpoint": request.build_absolute_uri(reverse("fake_eid:userinfo")),
            "jwks_uri": request.build_absolute_uri(reverse("fake_eid:jwks")),
            "scopes_supported": list(SCOPES),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": [
                "sub",
                "iss",
                "aud",
                "exp",
                "iat",
                "auth_time",
                "nonce",
                "name",
                "national_id",
                "birthdate",
                "gender",
                "email",
                "email_verified",
                "phone_number",
                "phone_number_verified",
            ],
            "authorization_response_iss_parameter_supported": True,
            "ui_locales_supported": ["vi"],
        }
    )


@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    return JsonResponse(public_jwks())


@never_cache
@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest) -> HttpResponse:
    """GET: the page to pick a demo citizen. POST (CSRF-protected): issue a code, or refuse."""
    source = request.POST if request.method == "POST" else request.GET
    try:
        params = _authorize_params(request, source)
    except _FatalAuthorizeError as exc:
        return _page(
            request,
            "accounts/eid_error.html",
            {"title": "Yêu cầu đăng nhập không hợp lệ", "detail": str(exc), "status": 400},
            status=400,
        )
    except _RedirectAuthorizeError as exc:
        return HttpResponseRedirect(
            _with_query(
                source.get("redirect_uri", ""),
                {
                    "error": exc.error,
                    "error_description": exc.description,
                    "state": source.get("state", ""),
                    "iss": issuer(request),
                },
            )
        )
    answer = {"state": params["state"], "iss": issuer(request)}
    if request.method == "GET":
        scopes = set(params["scope"].split())
        return _page(
            request,
            "accounts/fake_eid_authorize.html",
            {
                "params": sorted(params.items()),
                "citizens": DEMO_CITIZENS,
                "client_id": params["client_id"],
                "asks_email": "email" in scopes,
                "asks_phone": "phone" in scopes,
            },
        )
    if request.POST.get("decision") == "deny":
        return HttpResponseRedirect(
            _with_query(
                params["redirect_uri"],
                {
                    "error": "access_denied",
                    "error_description": "The citizen declined.",
                    **answer,
                },
            )
        )
    citizen = _BY_NATIONAL_ID.get(request.POST.get("national_id", ""))
    if citizen is None:
        return _page(
            request,
            "accounts/eid_error.html",
            {
                "title": "Yêu cầu đăng nhập không hợp lệ",
                "detail": "Không có công dân mẫu này.",
                "status": 400,
            },
            status=400,
        )
    code = secrets.token_urlsafe(32)
    cache.set(
        f"fake-eid:code:{_digest(code)}",
        {
            "national_id": citizen.national_id,
            "scope": params["scope"],
            "nonce": params["nonce"],
            "redirect_uri": params["redirect_uri"],
            "client_id": params["client_id"],
            "code_challenge": params["code_challenge"],
            "auth_time": int(time.time()),
        },
        CODE_TTL,
    )
    return HttpResponseRedirect(_with_query(params["redirect_uri"], {"code": code, **answer}))


def _client_credentials(request: HttpRequest) -> tuple[str, str, bool]:
    """(client_id, client_secret, ok) from HTTP Basic or the form body, exactly one of them."""
    header = request.headers.get("Authorization", "")
    in_body = "client_secret" in request.POST
    if header.lower().startswith("basic "):
        if in_body:
            return "", "", False
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return "", "", False
        client_id, sep, secret = decoded.partition(":")
        return unquote(client_id), unquote(secret), bool(sep)
    if in_body:
        return request.POST.get("client_id", ""), request.POST.get("client_secret", ""), True
    return "", "", False


@csrf_exempt  # a back-channel endpoint called by the client's server, authenticated by its secret
@require_POST
def token(request: HttpRequest) -> JsonResponse:
    client_id, client_secret, ok = _client_credentials(request)
    if not (
        ok
        and hmac.compare_digest(client_id.encode(), str(settings.EID_CLIENT_ID or "").encode())
        and hmac.compare_digest(client_secret.encode(), str(settings.EID_CLIENT_SECRET or "").encode())
    ):
        return _oauth_error(
            "invalid_client", "Client authentication failed.", 401, WWW_Authenticate='Basic realm="fake-eid"'
        )
    if request.POST.get("grant_type") != "authorization_code":
        return _oauth_error("unsupported_grant_type", "Only authorization_code is supported.")
    code = request.POST.get("code", "")
    key = f"fake-eid:code:{_digest(code)}"
    grant = cache.get(key) if code else None
    # One use only, even when the rest of the request is wrong: whoever deletes the entry owns it.
    if grant is None or not cache.delete(key):
        return _oauth_error("invalid_grant", "The authorization code is invalid, expired or already used.")
    if grant["client_id"] != client_id or grant["redirect_uri"] != request.POST.get("redirect_uri", ""):
        return _oauth_error("invalid_grant", "The code was issued to another client or redirect_uri.")
    verifier = request.POST.get("code_verifier", "")
    if not _PKCE.match(verifier) or not hmac.compare_digest(
        create_s256_code_challenge(verifier), grant["code_challenge"]
    ):
        return _oauth_error("invalid_grant", "PKCE verification failed.")
    citizen = _BY_NATIONAL_ID[grant["national_id"]]
    scopes = set(grant["scope"].split())
    claims = citizen.claims(scopes)
    now = int(time.time())
    id_token = sign_id_token(
        {
            "iss": issuer(request),
            "aud": client_id,
            "iat": now,
            "exp": now + TOKEN_TTL,
            "auth_time": grant["auth_time"],
            "nonce": grant["nonce"],
            **claims,
        }
    )
    access_token = secrets.token_urlsafe(32)
    cache.set(f"fake-eid:access:{_digest(access_token)}", claims, TOKEN_TTL)
    response = JsonResponse(
        {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": TOKEN_TTL,
            "id_token": id_token,
            "scope": grant["scope"],
        }
    )
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response


@require_GET
def userinfo(request: HttpRequest) -> JsonResponse:
    header = request.headers.get("Authorization", "")
    claims = None
    if header.lower().startswith("bearer "):
        claims = cache.get(f"fake-eid:access:{_digest(header[7:].strip())}")
    if claims is None:
        return _oauth_error(
            "invalid_token",
            "The access token is invalid or expired.",
            401,
            WWW_Authenticate='Bearer error="invalid_token"',
        )
    response = JsonResponse(claims)
    response["Cache-Control"] = "no-store"
    return response
