"""Who is calling: an API token (systems, scripts) or the browser session (the web UI)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from congso.core.accounts.services import api_token_authenticate


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class BrowserSessionAuth(SessionAuth):
    """The session cookie, with Django's CSRF check on unsafe methods."""


AUTH = [TokenAuth(), BrowserSessionAuth()]
