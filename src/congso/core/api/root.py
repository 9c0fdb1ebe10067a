"""The API root: mounts each module's router and turns every error into problem+json."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from congso.core.api import problems
from congso.core.errors import DomainError, Forbidden, NotFound, Unauthenticated

api = NinjaAPI(
    title="congso API",
    version="1",
    description=(
        "API của nền tảng chính quyền số congso. Lỗi trả về dạng application/problem+json (RFC 9457)."
    ),
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return problems.from_domain_error(request, exc)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return problems.from_validation_errors(request, list(exc.errors))


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problems.from_domain_error(
        request, Unauthenticated(_("Cần đăng nhập hoặc gửi token hợp lệ (Authorization: Bearer …)."))
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problems.from_domain_error(request, NotFound(_("Không tìm thấy tài nguyên được yêu cầu.")))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:
        return problems.problem(
            request,
            status=400,
            slug="invalid-input",
            title=_("Dữ liệu không hợp lệ"),
            detail=_("Không đọc được nội dung yêu cầu: JSON không hợp lệ hoặc sai Content-Type."),
            errors=[{"field": "body", "message": _("nội dung JSON không hợp lệ")}],
        )
    if exc.status_code == 403:
        return problems.from_domain_error(
            request, Forbidden(_("Yêu cầu bị từ chối (thiếu CSRF token hoặc không có quyền)."))
        )
    return problems.problem(request, status=exc.status_code, slug="http-error", title="Lỗi", detail=str(exc))


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problems.server_error(request, exc)


def _mount() -> None:
    from congso.core.accounts.api import router as accounts_router
    from congso.core.audit.api import router as audit_router
    from congso.core.calendar.api import router as calendar_router
    from congso.core.org.api import router as org_router

    api.add_router("/org", org_router)
    api.add_router("/accounts", accounts_router)
    api.add_router("/audit", audit_router)
    api.add_router("/calendar", calendar_router)

    from congso.modules.reporting.api import router as reporting_router

    api.add_router("/reporting", reporting_router)

    from congso.modules.documents.api import router as documents_router

    api.add_router("/documents", documents_router)

    from congso.modules.services.api import router as services_router

    api.add_router("/services", services_router)


_mount()
