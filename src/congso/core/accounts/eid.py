"""Relying-party client for the citizen national e-ID (VNeID-style OpenID Connect).

The flow is the authorization code flow with PKCE (S256), ``state`` and ``nonce``:

1. ``authorization_request`` builds the provider's authorization URL; the view keeps ``state``,
   ``nonce`` and ``code_verifier`` in the session.
2. The provider sends the citizen back with ``code`` and ``state``; ``exchange_code`` trades the code
   for tokens at the token endpoint (client_secret_basic), ``verify_id_token`` checks the ID token
   (RS256 signature against the provider's JWKS, ``iss``, ``aud``, ``exp``, ``iat``, ``nonce``) and
   ``citizen_claims`` maps the claims to ``services.citizen_from_eid``.

The provider is found through discovery (``{issuer}/.well-known/openid-configuration``). With
``EID_ISSUER`` empty and ``EID_FAKE_PROVIDER`` on, the issuer is this server's own fake provider
(``/dev/eid``, see ``fake_eid.py``). Secrets, codes and tokens are never logged.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import Any, cast

import requests
from authlib.common.security import is_secure_transport
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    ExpiredTokenError,
    InvalidKeyIdError,
    JoseError,
)
from joserfc.jwk import KeySet, KeySetSerialization

from congso.core.errors import DomainError, InvalidInput

logger = logging.getLogger("congso.eid")

SCOPE = "openid profile email phone"
ID_TOKEN_ALGORITHMS = ["RS256"]
HTTP_TIMEOUT = 10  # seconds, for every call to the provider
METADATA_TTL = 3600  # discovery document and JWKS are cached this long
CLOCK_LEEWAY = 60  # seconds of clock skew tolerated on exp / iat
NATIONAL_ID_CLAIM = "national_id"  # VNeID: "số định danh cá nhân" (to confirm at registration)

_RETRY = "Vui lòng đăng nhập lại bằng VNeID."


class EidProviderUnavailable(DomainError):
    """The provider could not be reached or answered something unusable (HTTP 502)."""

    status = 502
    slug = "eid-provider-unavailable"
    title = "Không kết nối được với VNeID"


class EidProviderError(DomainError):
    """The provider refused a request of ours (token exchange, userinfo) (HTTP 502)."""

    status = 502
    slug = "eid-provider-error"
    title = "VNeID từ chối yêu cầu"


class EidLoginDenied(DomainError):
    """The citizen declined, or the provider would not authenticate them."""

    status = 400
    slug = "eid-access-denied"
    title = "Đăng nhập VNeID không thành công"


class EidTokenRejected(DomainError):
    """The ID token (or the claims in it) failed verification."""

    status = 400
    slug = "eid-token-rejected"
    title = "Thông tin định danh không hợp lệ"


@dataclass(frozen=True)
class AuthorizationRequest:
    url: str
    state: str
    nonce: str
    code_verifier: str


# --- The provider ------------------------------------------------------------------------------


def issuer_url(request: HttpRequest) -> str:
    """The configured issuer, or this server's own fake provider when that is on."""
    configured = (settings.EID_ISSUER or "").rstrip("/")
    if configured:
        if not settings.EID_FAKE_PROVIDER and not is_secure_transport(configured):
            raise EidProviderUnavailable("Địa chỉ nhà cung cấp định danh (EID_ISSUER) phải dùng HTTPS.")
        return configured
    if settings.EID_FAKE_PROVIDER:
        return request.build_absolute_uri("/dev/eid")
    raise EidProviderUnavailable(
        "Đăng nhập bằng VNeID chưa được cấu hình trên hệ thống này. Vui lòng liên hệ quản trị."
    )


def _get_json(url: str, what: str) -> dict[str, Any]:
    try:
        response = requests.get(url, timeout=HTTP_TIMEOUT, headers={"Accept": "application/json"})
        response.raise_for_status()
        data = response.json()
    except (requests.RequestException, ValueError) as exc:
        logger.warning("eid: cannot fetch %s from %s: %s", what, url, type(exc).__name__)
        raise EidProviderUnavailable(
            "Không kết nối được với hệ thống định danh điện tử VNeID. Vui lòng thử lại sau ít phút."
        ) from None
    if not isinstance(data, dict):
        logger.warning("eid: %s from %s is not a JSON object", what, url)
        raise EidProviderUnavailable("Hệ thống định danh điện tử VNeID trả về dữ liệu không đọc được.")
    return data


def provider_metadata(issuer: str, *, refresh: bool = False) -> dict[str, Any]:
    """The provider's discovery document (cached), checked against the issuer we expect."""
    key = f"eid:metadata:{issuer}"
    metadata = None if refresh else cache.get(key)
    if metadata is None:
        metadata = _get_json(f"{issuer}/.well-known/openid-configuration", "discovery document")
        missing = [
            name
            for name in ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
            if not isinstance(metadata.get(name), str)
        ]
        if missing or metadata["issuer"].rstrip("/") != issuer:
            logger.warning("eid: discovery document of %s is unusable (missing %s)", issuer, missing)
            raise EidProviderUnavailable("Cấu hình của hệ thống định danh điện tử VNeID không hợp lệ.")
        cache.set(key, metadata, METADATA_TTL)
    return metadata


def provider_keys(metadata: dict[str, Any], *, refresh: bool = False) -> KeySet:
    """The provider's signing keys (cached; ``refresh`` after a key rotation)."""
    jwks_uri = metadata["jwks_uri"]
    key = f"eid:jwks:{jwks_uri}"
    jwks = None if refresh else cache.get(key)
    if jwks is None:
        jwks = _get_json(jwks_uri, "JWKS")
        cache.set(key, jwks, METADATA_TTL)
    try:
        return KeySet.import_key_set(cast(KeySetSerialization, jwks))
    except (JoseError, ValueError, TypeError, KeyError):
        logger.warning("eid: JWKS at %s is unusable", jwks_uri)
        raise EidProviderUnavailable("Khoá ký của hệ thống định danh điện tử VNeID không đọc được.") from None


def client_id() -> str:
    return str(settings.EID_CLIENT_ID or "")


def _client(redirect_uri: str) -> OAuth2Session:
    return OAuth2Session(
        client_id=client_id(),
        client_secret=str(settings.EID_CLIENT_SECRET or ""),
        token_endpoint_auth_method="client_secret_basic",
        scope=SCOPE,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        default_timeout=HTTP_TIMEOUT,
    )


# --- The flow ----------------------------------------------------------------------------------


def authorization_request(*, issuer: str, redirect_uri: str) -> AuthorizationRequest:
    """Where to send the citizen, with fresh ``state``, ``nonce`` and PKCE ``code_verifier``."""
    metadata = provider_metadata(issuer)
    state = secrets.token_urlsafe(32)
    nonce = secrets.token_urlsafe(32)
    code_verifier = secrets.token_urlsafe(48)  # 64 characters, within RFC 7636's 43..128
    with _client(redirect_uri) as client:
        url, _ = client.create_authorization_url(
            metadata["authorization_endpoint"], state=state, nonce=nonce, code_verifier=code_verifier
        )
    return AuthorizationRequest(url=url, state=state, nonce=nonce, code_verifier=code_verifier)


def callback_error(error: str) -> DomainError:
    """The exception for an ``error=…`` the provider sent back instead of a code."""
    if error in ("access_denied", "login_required", "consent_required", "interaction_required"):
        return EidLoginDenied(
            "Bạn đã từ chối hoặc chưa hoàn tất xác thực trên VNeID nên chưa đăng nhập được. "
            "Bạn có thể thử lại bất cứ lúc nào."
        )
    code = error if error.replace("_", "").isalnum() and len(error) <= 40 else "không rõ"
    return EidProviderError(f"Hệ thống định danh điện tử VNeID báo lỗi ({code}). {_RETRY}")


def exchange_code(
    *, metadata: dict[str, Any], code: str, code_verifier: str, redirect_uri: str
) -> dict[str, Any]:
    """Trade the authorization code for tokens at the token endpoint."""
    try:
        with _client(redirect_uri) as client:
            token = client.fetch_token(
                metadata["token_endpoint"],
                grant_type="authorization_code",
                code=code,
                code_verifier=code_verifier,
            )
    except OAuthError as exc:
        logger.warning("eid: token endpoint refused the code: %s", exc.error)
        raise EidProviderError(
            f"VNeID không chấp nhận mã xác thực ({exc.error}). "
            f"Mã có thể đã hết hạn hoặc đã được dùng. {_RETRY}"
        ) from None
    except (requests.RequestException, ValueError) as exc:
        logger.warning("eid: token endpoint unreachable: %s", type(exc).__name__)
        raise EidProviderUnavailable(
            "Không kết nối được với hệ thống định danh điện tử VNeID. Vui lòng thử lại sau ít phút."
        ) from None
    if not isinstance(token.get("id_token"), str):
        logger.warning("eid: token response has no id_token")
        raise EidProviderError(f"VNeID không trả về thông tin định danh (ID token). {_RETRY}")
    return dict(token)


_CLAIM_MESSAGES = {
    "nonce": "Mã chống phát lại (nonce) của thông tin định danh không khớp với phiên đăng nhập.",
    "iss": "Thông tin định danh không do hệ thống VNeID đã cấu hình cấp.",
    "aud": "Thông tin định danh không được cấp cho cổng dịch vụ công này.",
    "azp": "Thông tin định danh không được cấp cho cổng dịch vụ công này.",
    "iat": "Thời điểm cấp thông tin định danh không hợp lệ.",
    "nbf": "Thông tin định danh chưa đến thời điểm có hiệu lực.",
    "sub": "Thông tin định danh thiếu mã định danh người dùng.",
    "exp": "Thông tin định danh thiếu thời hạn hiệu lực.",
}


def verify_id_token(id_token: str, *, metadata: dict[str, Any], nonce: str) -> dict[str, Any]:
    """The verified claims of an ID token; raises ``EidTokenRejected`` on any failure."""
    try:
        try:
            token = jwt.decode(id_token, provider_keys(metadata), algorithms=ID_TOKEN_ALGORITHMS)
        except InvalidKeyIdError:
            # The provider may have rotated its keys since we cached them.
            token = jwt.decode(
                id_token, provider_keys(metadata, refresh=True), algorithms=ID_TOKEN_ALGORITHMS
            )
        registry = jwt.JWTClaimsRegistry(
            leeway=CLOCK_LEEWAY,
            iss={"essential": True, "value": metadata["issuer"]},
            aud={"essential": True, "value": client_id()},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        claims = dict(token.claims)
        registry.validate(claims)
    except ExpiredTokenError:
        raise EidTokenRejected(f"Thông tin định danh từ VNeID đã hết hạn. {_RETRY}") from None
    except ClaimError as exc:
        logger.warning("eid: ID token claim rejected: %s", exc.claim)
        message = _CLAIM_MESSAGES.get(exc.claim, "Thông tin định danh từ VNeID không hợp lệ.")
        raise EidTokenRejected(f"{message} {_RETRY}") from None
    except BadSignatureError:
        logger.warning("eid: ID token signature rejected")
        raise EidTokenRejected(f"Chữ ký của thông tin định danh từ VNeID không hợp lệ. {_RETRY}") from None
    except (JoseError, ValueError, TypeError) as exc:
        logger.warning("eid: ID token unreadable: %s", type(exc).__name__)
        raise EidTokenRejected(f"Không đọc được thông tin định danh từ VNeID. {_RETRY}") from None
    audience = claims["aud"]
    if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != client_id():
        raise EidTokenRejected(f"{_CLAIM_MESSAGES['azp']} {_RETRY}")
    return claims


def fetch_userinfo(*, metadata: dict[str, Any], access_token: str, subject: str) -> dict[str, Any]:
    """Claims from the userinfo endpoint, for providers that keep them out of the ID token."""
    endpoint = metadata.get("userinfo_endpoint")
    if not isinstance(endpoint, str) or not access_token:
        return {}
    try:
        response = requests.get(
            endpoint,
            timeout=HTTP_TIMEOUT,
            headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
        )
        data = response.json() if response.ok else None
    except (requests.RequestException, ValueError) as exc:
        logger.warning("eid: userinfo unreachable: %s", type(exc).__name__)
        raise EidProviderUnavailable(
            "Không kết nối được với hệ thống định danh điện tử VNeID. Vui lòng thử lại sau ít phút."
        ) from None
    if not isinstance(data, dict):
        raise EidProviderError(f"VNeID không trả về thông tin công dân. {_RETRY}")
    if data.get("sub") != subject:
        # OIDC Core 5.3.2: userinfo for another subject must not be used.
        raise EidTokenRejected(f"Thông tin công dân từ VNeID không khớp với người đăng nhập. {_RETRY}")
    return data


def complete_claims(
    *, metadata: dict[str, Any], tokens: dict[str, Any], claims: dict[str, Any]
) -> dict[str, Any]:
    """The ID token's claims, completed from userinfo when the personal number is not in it."""
    if claims.get(NATIONAL_ID_CLAIM) and claims.get("name"):
        return claims
    extra = fetch_userinfo(
        metadata=metadata, access_token=str(tokens.get("access_token") or ""), subject=claims["sub"]
    )
    return {**extra, **claims}


def citizen_claims(claims: dict[str, Any]) -> dict[str, str]:
    """Keyword arguments for ``services.citizen_from_eid`` from verified claims."""
    national_id = str(claims.get(NATIONAL_ID_CLAIM) or "").strip()
    full_name = " ".join(str(claims.get("name") or "").split())
    if not national_id:
        raise EidTokenRejected(
            "VNeID không cung cấp số định danh cá nhân nên không thể đăng nhập. "
            "Vui lòng đồng ý chia sẻ số định danh cá nhân khi xác thực."
        )
    if not full_name:
        raise EidTokenRejected("VNeID không cung cấp họ và tên của công dân nên không thể đăng nhập.")
    if len(full_name) > 150:
        raise InvalidInput("Họ và tên từ VNeID dài quá 150 ký tự.")
    email = str(claims.get("email") or "").strip()
    if claims.get("email_verified") is False or len(email) > 254:
        email = ""
    phone = str(claims.get("phone_number") or "").strip()
    if len(phone) > 20:
        phone = ""
    return {
        "subject": str(claims["sub"]),
        "national_id": national_id,
        "full_name": full_name,
        "email": email,
        "phone": phone,
    }
