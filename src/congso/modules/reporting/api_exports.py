"""Exports and sharing upward, mounted under /api/v1/reporting/ (authentication from the parent).

- ``GET /export?format=sdmx-csv|sdmx-json|adx|xlsx|csv|pdf&indicator=A[,B]&year=2024[&period_type=M]
  [&period=2024M01,…][&hierarchy_as_of=2025-07-01][&level=1][&unit=01]``
- ``POST /publish/national`` (DoIC administrators) and ``GET /deliveries``.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status

from congso.core.api.params import paginate, parse_date
from congso.modules.reporting import exports, sharing

router = Router(tags=["reporting"])


@router.get("/export", summary="Xuất số liệu tổng hợp: SDMX-CSV, SDMX-JSON, ADX, Excel, CSV, PDF")
def export(
    request: HttpRequest,
    indicator: str,
    fmt: str = Query("sdmx-csv", alias="format"),
    year: int | None = None,
    period_type: str = "M",
    period: str | None = None,
    hierarchy_as_of: str | None = None,
    level: int = 1,
    unit: str | None = None,
) -> HttpResponse:
    day = parse_date(hierarchy_as_of, field="hierarchy_as_of", default=dt.date.today())
    codes = exports.period_codes_for(year=year, period_type=period_type, period=period)
    rendered = exports.export(
        actor=request.user,
        fmt=fmt,
        indicator_codes=indicator.split(","),
        period_codes=codes,
        hierarchy_as_of=day,
        level=level,
        unit_codes=[u.strip() for u in unit.split(",")] if unit else None,
    )
    response = HttpResponse(rendered.content, content_type=rendered.content_type)
    response["Content-Disposition"] = (
        f"attachment; filename=\"{rendered.filename}\"; filename*=UTF-8''{quote(rendered.filename)}"
    )
    response["Cache-Control"] = "no-store"
    return response


class PublishIn(Schema):
    year: int
    periods: list[str] | None = None
    hierarchy_as_of: dt.date | None = None


class DeliveryOut(Schema):
    id: int
    payload_hash: str
    year: int
    indicators: list[str]
    periods: list[str]
    status: str
    attempts: int
    receipt: str
    last_error: str
    created_at: dt.datetime
    last_attempt_at: dt.datetime | None
    sent_at: dt.datetime | None


class PublishOut(Schema):
    queued: bool
    delivery: DeliveryOut


class DeliveryPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[DeliveryOut]


@router.post(
    "/publish/national",
    response={200: PublishOut, 202: PublishOut},
    summary="Gửi các chỉ tiêu chia sẻ lên Hệ thống thông tin báo cáo Chính phủ (SDMX-CSV)",
)
def publish_national(request: HttpRequest, body: PublishIn):
    delivery, queued = sharing.publish_national(
        actor=request.user, year=body.year, period_codes=body.periods, hierarchy_as_of=body.hierarchy_as_of
    )
    delivery.refresh_from_db()
    return Status(202 if queued else 200, {"queued": queued, "delivery": delivery})


@router.get(
    "/deliveries", response=DeliveryPage, summary="Nhật ký gửi số liệu lên Hệ thống báo cáo Chính phủ"
)
def deliveries(request: HttpRequest, page: int = 1, page_size: int = 50):
    items, meta = paginate(sharing.deliveries(actor=request.user).defer("payload"), page, page_size)
    return {**meta, "items": items}
