"""Domain errors raised while serving a page become a friendly page with the right status."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from congso.core.errors import DomainError
from congso.web.labels import ERROR_TITLES, translate_detail


def error_page(request: HttpRequest, status: int, detail: Any = "") -> HttpResponse:
    title = ERROR_TITLES.get(status, ERROR_TITLES[400])
    return render(
        request,
        "web/error.html",
        {"status": status, "title": title, "detail": translate_detail(detail)},
        status=status,
    )


def friendly_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Render a ``DomainError`` (Forbidden, NotFound, …) as the error page with its status."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except DomainError as exc:
            return error_page(request, exc.status, exc.detail)

    return wrapper


class DomainErrorMiddleware:
    """The same, for every view, if the project adds ``congso.web.errors.DomainErrorMiddleware``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DomainError) and not request.path.startswith("/api/"):
            return error_page(request, exception.status, exception.detail)
        return None
