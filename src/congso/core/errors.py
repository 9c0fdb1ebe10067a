"""Domain errors: raised by services and selectors, rendered by the API as problem+json and by
the web as a message. Messages are Vietnamese first; English comes from the translation catalogue."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_noop


class DomainError(Exception):
    status = 400
    slug = "bad-request"
    title = gettext_noop("Yêu cầu không hợp lệ")

    def __init__(self, detail: str | Promise, *, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(str(detail))
        self.detail = detail
        self.errors = errors or []


class InvalidInput(DomainError):
    status = 400
    slug = "invalid-input"
    title = gettext_noop("Dữ liệu không hợp lệ")


class Unauthenticated(DomainError):
    status = 401
    slug = "unauthenticated"
    title = gettext_noop("Chưa đăng nhập")


class Forbidden(DomainError):
    status = 403
    slug = "forbidden"
    title = gettext_noop("Không có quyền")


class NotFound(DomainError):
    status = 404
    slug = "not-found"
    title = gettext_noop("Không tìm thấy")


class Conflict(DomainError):
    status = 409
    slug = "conflict"
    title = gettext_noop("Xung đột dữ liệu")


class TooManyRequests(DomainError):
    status = 429
    slug = "too-many-requests"
    title = gettext_noop("Quá nhiều yêu cầu")


class PayloadTooLarge(DomainError):
    status = 413
    slug = "payload-too-large"
    title = gettext_noop("Tệp quá lớn")


class UnsupportedMediaType(DomainError):
    status = 415
    slug = "unsupported-media-type"
    title = gettext_noop("Định dạng không được hỗ trợ")
