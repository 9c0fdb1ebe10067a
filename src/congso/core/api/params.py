"""Parsing query parameters with Vietnamese error messages, and pagination."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from congso.core.errors import InvalidInput

MAX_PAGE_SIZE = 500


def parse_date(value: str | None, *, field: str = "as_of", default: dt.date | None = None) -> dt.date:
    if value is None or value == "":
        if default is None:
            raise InvalidInput(
                _("Thiếu tham số %(field)s.") % {"field": field},
                errors=[{"field": field, "message": _("bắt buộc phải có")}],
            )
        return default
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        message = _("Ngày '%(value)s' không hợp lệ: cần dạng YYYY-MM-DD, ví dụ 2025-07-01.") % {
            "value": value
        }
        raise InvalidInput(message, errors=[{"field": field, "message": message}]) from None


def paginate(qs: QuerySet[Any], page: int, page_size: int) -> tuple[list[Any], dict[str, int]]:
    if page < 1 or page_size < 1 or page_size > MAX_PAGE_SIZE:
        message = _("page phải từ 1, page_size từ 1 đến %(max)d.") % {"max": MAX_PAGE_SIZE}
        raise InvalidInput(message, errors=[{"field": "page_size", "message": message}])
    start = (page - 1) * page_size
    items = list(qs[start : start + page_size])
    # A short first page already tells the count: skip the COUNT query (most lists fit one page).
    count = len(items) if page == 1 and len(items) < page_size else qs.count()
    return items, {"count": count, "page": page, "page_size": page_size}
