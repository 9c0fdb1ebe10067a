"""Domain errors: raised by services and selectors, rendered by the API as problem+json and by
the web as a message. Messages are Vietnamese first; English comes from the translation catalogue."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise


class DomainError(Exception):
    status = 400
    slug = "bad-request"
    title = "Yêu cầu không hợp lệ"

    def __init__(self, detail: str | Promise, *, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(str(detail))
        self.detail = detail
        self.errors = errors or []


class InvalidInput(DomainError):
    status = 400
    slug = "invalid-input"
    title = "Dữ liệu không hợp lệ"


class Unauthenticated(DomainError):
    status = 401
    slug = "unauthenticated"
    title = "Chưa đăng nhập"


class Forbidden(DomainError):
    status = 403
    slug = "forbidden"
    title = "Không có quyền"


class NotFound(DomainError):
    status = 404
    slug = "not-found"
    title = "Không tìm thấy"


class Conflict(DomainError):
    status = 409
    slug = "conflict"
    title = "Xung đột dữ liệu"


class TooManyRequests(DomainError):
    status = 429
    slug = "too-many-requests"
    title = "Quá nhiều yêu cầu"
