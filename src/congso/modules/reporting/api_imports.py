"""Data entry by file over the API: JSON, CSV, ADX and the Excel template.

``POST /api/v1/reporting/datavalues`` takes the file as the raw body (its Content-Type says which
format) or as the field ``file`` of a multipart form (the extension says which); ``dry_run=true``
checks everything and saves nothing. A file with any problem is rejected whole (400,
problem+json with every problem by row or cell). ``GET /forms/{code}/template.xlsx`` gives the
Excel template of a form for one agency and period.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema

from congso.core.errors import Forbidden, InvalidInput, NotFound, PayloadTooLarge, UnsupportedMediaType
from congso.core.org.selectors import agency_get
from congso.core.policy import can
from congso.modules.reporting import excel, parsers
from congso.modules.reporting.models import Form
from congso.modules.reporting.periods import period_parse
from congso.modules.reporting.services import ValueRow, datavalues_import

router = Router(tags=["reporting"])

MAX_BODY_BYTES = 50 * 1024 * 1024
_LIMIT_TEXT = "50 MB"


class ImportOut(Schema):
    saved: int
    dry_run: bool
    agencies: list[str]
    periods: list[str]


_KINDS = {
    "application/json": "json",
    "text/json": "json",
    "text/csv": "csv",
    "application/csv": "csv",
    "application/adx+xml": "adx",
    "application/xml": "adx",
    "text/xml": "adx",
    excel.XLSX_CONTENT_TYPE: "xlsx",
}
_EXTENSIONS = {".json": "json", ".csv": "csv", ".xml": "adx", ".adx": "adx", ".xlsx": "xlsx"}
_SUPPORTED = (
    "application/json, text/csv, application/adx+xml (application/xml), "
    f"{excel.XLSX_CONTENT_TYPE} hoặc multipart/form-data với trường 'file' (.json, .csv, .xml, .xlsx)"
)


def _too_large(size: int) -> PayloadTooLarge:
    mb = size / 1024 / 1024
    return PayloadTooLarge(
        f"Tệp quá lớn ({mb:.1f} MB): mỗi lần nhập tối đa {_LIMIT_TEXT}; hãy chia tệp theo cơ quan hoặc kỳ.",
        errors=[{"field": "body", "message": f"vượt quá {_LIMIT_TEXT}"}],
    )


def _read_body(request: HttpRequest) -> bytes:
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY_BYTES:
        raise _too_large(declared)
    # request.read() streams past Django's DATA_UPLOAD_MAX_MEMORY_SIZE (meant for form fields).
    data = request.read(MAX_BODY_BYTES + 1)
    if len(data) > MAX_BODY_BYTES:
        raise _too_large(len(data))
    return data


def _payload(request: HttpRequest) -> tuple[str, bytes, str]:
    """(format, bytes, name) of the uploaded file."""
    content_type = (request.content_type or "").lower()
    if content_type == "multipart/form-data":
        upload = request.FILES.get("file")
        if upload is None:
            raise InvalidInput(
                "Thiếu tệp: gửi tệp trong trường 'file' của biểu mẫu multipart.",
                errors=[{"field": "file", "message": "bắt buộc phải có"}],
            )
        if upload.size and upload.size > MAX_BODY_BYTES:
            raise _too_large(upload.size)
        name = upload.name or ""
        extension = name[name.rfind(".") :].lower() if "." in name else ""
        kind = _EXTENSIONS.get(extension) or _KINDS.get((upload.content_type or "").split(";")[0].lower())
        if kind is None:
            raise UnsupportedMediaType(
                f"Không nhận dạng được định dạng tệp '{name}': dùng .json, .csv, .xml (ADX) hoặc .xlsx.",
                errors=[{"field": "file", "message": "định dạng không được hỗ trợ"}],
            )
        return kind, upload.read(), name
    kind = _KINDS.get(content_type)
    if kind is None:
        raise UnsupportedMediaType(
            f"Content-Type '{content_type or '(trống)'}' không được hỗ trợ: dùng {_SUPPORTED}.",
            errors=[{"field": "Content-Type", "message": "định dạng không được hỗ trợ"}],
        )
    return kind, _read_body(request), ""


def _rows(kind: str, data: bytes, form: str | None) -> list[ValueRow]:
    if not data.strip():
        raise InvalidInput("Nội dung gửi lên trống.", errors=[{"field": "body", "message": "trống"}])
    if kind == "json":
        return parsers.rows_from_json(data)
    if kind == "csv":
        return parsers.rows_from_csv(data)
    if kind == "adx":
        return parsers.rows_from_adx(data)
    return excel.rows_from_xlsx(data, form_code=form)


@router.post(
    "/datavalues",
    response=ImportOut,
    summary="Nhập số liệu từ tệp JSON, CSV, ADX hoặc mẫu Excel (cả tệp hoặc không gì cả)",
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "text/csv": {"schema": {"type": "string"}},
                "application/adx+xml": {"schema": {"type": "string"}},
                excel.XLSX_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                    }
                },
            }
        }
    },
)
def datavalues_post(request: HttpRequest, dry_run: bool = False, form: str | None = None) -> Any:
    kind, data, _name = _payload(request)
    rows = _rows(kind, data, form)
    source = {"json": "api-json", "csv": "api-csv", "adx": "api-adx", "xlsx": "excel"}[kind]
    report = datavalues_import(actor=request.user, rows=rows, source=source, dry_run=dry_run)
    return {
        "saved": report.saved,
        "dry_run": report.dry_run,
        "agencies": report.agencies,
        "periods": report.periods,
    }


@router.get(
    "/forms/{code}/template.xlsx",
    summary="Tải mẫu Excel của biểu cho một cơ quan và kỳ (mã ẩn trong tệp, số liệu đã nhập điền sẵn)",
)
def form_template(request: HttpRequest, code: str, agency: str, period: str) -> HttpResponse:
    the_period = period_parse(period)
    form = Form.objects.filter(code=code).first()
    if form is None:
        raise NotFound(f"Không có biểu mẫu mã {code}.")
    the_agency = agency_get(code=agency, as_of=the_period.end)
    if not can(request.user, "reporting.data.enter", the_agency):
        raise Forbidden(
            f"Bạn không được nhập số liệu cho cơ quan {the_agency.code}, "
            "nên không tải được mẫu của cơ quan này."
        )
    content = excel.template_for(form, the_agency, the_period)
    response = HttpResponse(content, content_type=excel.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="{excel.template_filename(form, the_agency, the_period)}"'
    )
    return response
