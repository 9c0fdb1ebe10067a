"""Web views for the citizen e-ID login: start the OpenID Connect flow, and finish it."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.contrib.auth import login as auth_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from congso.core.accounts import eid
from congso.core.accounts.services import citizen_from_eid
from congso.core.errors import DomainError, Forbidden, InvalidInput

logger = logging.getLogger("congso.eid")

FLOW_SESSION_KEY = "eid_flows"
FLOW_TTL = 600  # seconds a citizen has to finish on the provider's side
MAX_FLOWS = 5  # pending logins kept per session (several tabs)
AUTH_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _safe_next(request: HttpRequest, url: str) -> str:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


def _error_page(request: HttpRequest, exc: DomainError) -> HttpResponse:
    logger.info("eid login failed: %s", exc.slug)
    response = render(
        request,
        "accounts/eid_error.html",
        {"title": exc.title, "detail": str(exc.detail), "status": exc.status},
        status=exc.status,
    )
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@require_GET
def login(request: HttpRequest) -> HttpResponse:
    """Send the citizen to the e-ID provider; ``?next=`` is where to land afterwards."""
    next_url = _safe_next(request, request.GET.get("next", ""))
    redirect_uri = request.build_absolute_uri(reverse("eid:callback"))
    try:
        issuer = eid.issuer_url(request)
        auth = eid.authorization_request(issuer=issuer, redirect_uri=redirect_uri)
    except DomainError as exc:
        return _error_page(request, exc)
    now = int(time.time())
    flows: dict[str, dict[str, Any]] = {
        state: flow
        for state, flow in request.session.get(FLOW_SESSION_KEY, {}).items()
        if now - int(flow.get("created", 0)) < FLOW_TTL
    }
    while len(flows) >= MAX_FLOWS:
        flows.pop(next(iter(flows)))
    flows[auth.state] = {
        "nonce": auth.nonce,
        "code_verifier": auth.code_verifier,
        "next": next_url,
        "issuer": issuer,
        "redirect_uri": redirect_uri,
        "created": now,
    }
    request.session[FLOW_SESSION_KEY] = flows
    return HttpResponseRedirect(auth.url)


def _finish(request: HttpRequest) -> tuple[Any, str]:
    state = request.GET.get("state", "")
    flows: dict[str, dict[str, Any]] = request.session.get(FLOW_SESSION_KEY, {})
    flow = flows.pop(state, None) if state else None
    request.session[FLOW_SESSION_KEY] = flows  # a state is good for one answer only
    if flow is None or int(time.time()) - int(flow.get("created", 0)) >= FLOW_TTL:
        raise InvalidInput(
            "Phiên đăng nhập VNeID không hợp lệ hoặc đã hết hạn (mã state không khớp). "
            "Vui lòng đăng nhập lại bằng VNeID."
        )
    error = request.GET.get("error", "")
    if error:
        raise eid.callback_error(error)
    returned_issuer = request.GET.get("iss")
    if returned_issuer is not None and returned_issuer.rstrip("/") != flow["issuer"]:
        # RFC 9207: the answer must come from the provider we sent the citizen to.
        raise InvalidInput("Phản hồi đăng nhập không đến từ hệ thống VNeID đã chọn. Vui lòng đăng nhập lại.")
    code = request.GET.get("code", "")
    if not code:
        raise InvalidInput("Phản hồi từ VNeID thiếu mã xác thực. Vui lòng đăng nhập lại bằng VNeID.")
    metadata = eid.provider_metadata(flow["issuer"])
    tokens = eid.exchange_code(
        metadata=metadata, code=code, code_verifier=flow["code_verifier"], redirect_uri=flow["redirect_uri"]
    )
    claims = eid.verify_id_token(tokens["id_token"], metadata=metadata, nonce=flow["nonce"])
    claims = eid.complete_claims(metadata=metadata, tokens=tokens, claims=claims)
    user = citizen_from_eid(**eid.citizen_claims(claims))
    if not user.is_active:
        raise Forbidden("Tài khoản công dân này đang bị khoá. Vui lòng liên hệ bộ phận một cửa.")
    return user, _safe_next(request, flow.get("next", ""))


@never_cache
@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    """The provider sends the citizen back here with ``code`` and ``state`` (or ``error``)."""
    try:
        user, next_url = _finish(request)
    except DomainError as exc:
        return _error_page(request, exc)
    auth_login(request, user, backend=AUTH_BACKEND)
    return HttpResponseRedirect(next_url or reverse("web:home"))
