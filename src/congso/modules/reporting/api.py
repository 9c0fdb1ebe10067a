"""HTTP API of the reporting module, mounted at /api/v1/reporting/.

Data entry by file (JSON, CSV, ADX, Excel) lives in ``api_imports``; exports and sharing upward
(SDMX, ADX, Excel, CSV, PDF, the national system) in ``api_exports``; roll-ups here."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema

from congso.core.api.auth import AUTH
from congso.core.api.params import parse_date
from congso.core.errors import InvalidInput
from congso.modules.reporting import selectors
from congso.modules.reporting.periods import periods_of_year

router = Router(tags=["reporting"], auth=AUTH)


class CellOut(Schema):
    unit_code: str
    unit_name: str
    period: str | None
    value: float


class AnalyticsOut(Schema):
    indicator: str
    name: str
    unit_of_measure: str
    hierarchy_as_of: dt.date
    level: int
    periods: list[str]
    rows: list[CellOut]


def _period_codes(period: str | None, year: int | None, period_type: str) -> list[str]:
    if period:
        return [p.strip() for p in period.split(",") if p.strip()]
    if year:
        nd09 = period_type.endswith("-ND09")
        return [p.code for p in periods_of_year(year, period_type.split("-")[0], nd09=nd09)]
    raise InvalidInput("Cần tham số period (ví dụ 2024M01,2024M02) hoặc year (ví dụ 2024).")


@router.get("/analytics", response=AnalyticsOut, summary="Tổng hợp chỉ tiêu theo đơn vị và kỳ, không độ trễ")
def analytics(
    request: HttpRequest,
    indicator: str,
    period: str | None = None,
    year: int | None = None,
    period_type: str = "M",
    unit: str | None = None,
    level: int | None = None,
    hierarchy_as_of: str | None = None,
    by_period: bool = False,
    option: str | None = None,
):
    day = parse_date(hierarchy_as_of, field="hierarchy_as_of", default=dt.date.today())
    codes = _period_codes(period, year, period_type)
    unit_codes = [u.strip() for u in unit.split(",")] if unit else None
    target_level = level or (1 if unit is None else len(unit_codes[0]) // 2 if unit_codes else 1)
    if unit_codes and level is None:
        target_level = {2: 1, 3: 2, 5: 3}.get(len(unit_codes[0]), 1)
    result = selectors.rollup(actor=request.user, indicator_code=indicator, period_codes=codes,
                              hierarchy_as_of=day, level=target_level, unit_codes=unit_codes, option=option)
    rows = []
    for unit_id in sorted(result.total.keys() | result.by_period.keys(), key=lambda k: result.units[k].code):
        u = result.units[unit_id]
        if by_period:
            for code, value in sorted(result.by_period.get(unit_id, {}).items()):
                rows.append({"unit_code": u.code, "unit_name": u.name, "period": code, "value": float(value)})
        if unit_id in result.total:
            rows.append({"unit_code": u.code, "unit_name": u.name, "period": None, "value": float(result.total[unit_id])})
    return {
        "indicator": result.indicator.code, "name": result.indicator.name,
        "unit_of_measure": result.indicator.unit_of_measure, "hierarchy_as_of": day, "level": target_level,
        "periods": [p.code for p in result.periods], "rows": rows,
    }


def _mount_subrouters() -> None:
    from congso.modules.reporting.api_exports import router as exports_router
    from congso.modules.reporting.api_imports import router as imports_router

    router.add_router("", imports_router)
    router.add_router("", exports_router)


_mount_subrouters()
