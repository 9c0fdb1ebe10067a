"""RFC 9457 problem details for every error the API returns: a clear Vietnamese message (English
when the client asks with Accept-Language: en), never a stack trace."""

from __future__ import annotations

import json
import logging
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from congso.core.errors import DomainError

logger = logging.getLogger("congso.api")

PROBLEM_TYPE = "urn:congso:problem:{}"


def problem(
    request: HttpRequest | None,
    *,
    status: int,
    slug: str,
    title: str,
    detail: str,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE.format(slug),
        "title": title,
        "status": status,
        "detail": detail,
    }
    if request is not None:
        body["instance"] = request.get_full_path()
    if errors:
        body["errors"] = errors
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False),
        status=status,
        content_type="application/problem+json; charset=utf-8",
    )
    for key, value in (headers or {}).items():
        response[key] = value
    return response


def from_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return problem(
        request,
        status=exc.status,
        slug=exc.slug,
        title=_(exc.title),
        detail=str(exc.detail),
        errors=exc.errors,
    )


_PYDANTIC_MESSAGES = {
    "missing": "bắt buộc phải có",
    "string_type": "phải là chuỗi ký tự",
    "int_parsing": "phải là số nguyên",
    "int_type": "phải là số nguyên",
    "date_from_datetime_parsing": "phải là ngày dạng YYYY-MM-DD",
    "date_parsing": "phải là ngày dạng YYYY-MM-DD",
    "bool_parsing": "phải là true hoặc false",
    "string_too_short": "quá ngắn",
    "string_too_long": "quá dài",
    "extra_forbidden": "không được phép có trường này",
    "json_invalid": "nội dung JSON không hợp lệ",
    "model_attributes_type": "phải là một đối tượng JSON",
    "dict_type": "phải là một đối tượng JSON",
    "list_type": "phải là một danh sách",
    "value_error": "giá trị không hợp lệ",
    "enum": "không nằm trong các giá trị cho phép",
    "literal_error": "không nằm trong các giá trị cho phép",
}
_PYDANTIC_MESSAGES_EN = {
    "missing": "is required",
    "json_invalid": "the body is not valid JSON",
}


def from_validation_errors(request: HttpRequest, errors: list[dict[str, Any]]) -> HttpResponse:
    from django.utils.translation import get_language

    english = (get_language() or "vi").startswith("en")
    items = []
    for err in errors:
        loc = [str(part) for part in err.get("loc", []) if part not in ("body", "payload", "query", "path")]
        field = ".".join(loc) or "body"
        kind = err.get("type", "value_error")
        if english:
            message = _PYDANTIC_MESSAGES_EN.get(kind, err.get("msg", "is invalid"))
        else:
            message = _PYDANTIC_MESSAGES.get(kind, "giá trị không hợp lệ")
        items.append({"field": field, "message": message})
    summary = "; ".join(f"{i['field']}: {i['message']}" for i in items)
    detail = f"The request is invalid — {summary}." if english else f"Yêu cầu không hợp lệ — {summary}."
    return problem(
        request,
        status=400 if any(i["field"] == "body" for i in items) else 422,
        slug="invalid-input",
        title=_("Dữ liệu không hợp lệ"),
        detail=detail,
        errors=items,
    )


def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("Unhandled error on %s", request.path, exc_info=exc)
    return problem(
        request,
        status=500,
        slug="server-error",
        title=_("Lỗi hệ thống"),
        detail=_("Hệ thống gặp lỗi khi xử lý yêu cầu. Lỗi đã được ghi lại; vui lòng thử lại sau."),
    )
