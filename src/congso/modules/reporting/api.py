"""HTTP API of the reporting module, mounted at /api/v1/reporting/.

Data entry by file (JSON, CSV, ADX, Excel) lives in ``api_imports``; exports and sharing upward
(SDMX, ADX, Excel, CSV, PDF, the national system) in ``api_exports``; roll-ups here."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema, Status

from congso.core.api.auth import AUTH
from congso.core.api.params import paginate, parse_date
from congso.core.errors import InvalidInput
from congso.modules.reporting import selectors, services
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
    result = selectors.rollup(
        actor=request.user,
        indicator_code=indicator,
        period_codes=codes,
        hierarchy_as_of=day,
        level=target_level,
        unit_codes=unit_codes,
        option=option,
    )
    rows = []
    for unit_id in sorted(result.total.keys() | result.by_period.keys(), key=lambda k: result.units[k].code):
        u = result.units[unit_id]
        if by_period:
            for code, value in sorted(result.by_period.get(unit_id, {}).items()):
                rows.append({"unit_code": u.code, "unit_name": u.name, "period": code, "value": float(value)})
        if unit_id in result.total:
            rows.append(
                {
                    "unit_code": u.code,
                    "unit_name": u.name,
                    "period": None,
                    "value": float(result.total[unit_id]),
                }
            )
    return {
        "indicator": result.indicator.code,
        "name": result.indicator.name,
        "unit_of_measure": result.indicator.unit_of_measure,
        "hierarchy_as_of": day,
        "level": target_level,
        "periods": [p.code for p in result.periods],
        "rows": rows,
    }


class IndicatorOut(Schema):
    code: str
    name: str
    unit_of_measure: str
    value_type: str
    agg_units: str
    agg_time: str
    combo: str
    options: list[str]
    computed: bool
    formula: str | None
    national_code: str


class IndicatorPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[IndicatorOut]


@router.get("/indicators", response=IndicatorPage, summary="Kho chỉ tiêu")
def indicators(request: HttpRequest, q: str | None = None, page: int = 1, page_size: int = 100):
    qs = selectors.indicators_search(q=q)
    items, meta = paginate(qs, page, page_size)
    return {**meta, "items": [selectors.indicator_summary(i) for i in items]}


class IndicatorIn(Schema):
    code: str
    name: str
    unit_of_measure: str
    value_type: str = "number"
    agg_units: str = "sum"
    agg_time: str = "sum"
    combo_code: str = "DEFAULT"
    formula: str | None = None
    national_code: str = ""


@router.post("/indicators", response={201: IndicatorOut}, summary="Thêm chỉ tiêu vào kho")
def indicator_add(request: HttpRequest, payload: IndicatorIn):
    indicator = services.indicator_create(actor=request.user, **payload.dict())
    return Status(201, selectors.indicator_summary(indicator))


class FormOut(Schema):
    code: str
    name: str
    regime: str
    period_type: str
    window: str
    deadline_days: int
    sections: list[dict]


@router.get("/forms", response=list[FormOut], summary="Kho biểu mẫu")
def forms(request: HttpRequest, q: str | None = None):
    return [selectors.form_summary(f) for f in selectors.forms_search(q=q)[:500]]


@router.get("/forms/{code}", response=FormOut, summary="Một biểu mẫu")
def form_detail(request: HttpRequest, code: str):
    return selectors.form_summary(selectors.form_get(code))


class SubmissionOut(Schema):
    id: int
    form: str
    agency: str
    period: str
    deadline: dt.date
    status: str
    comment: str


def _submission_out(sub) -> dict:
    return {
        "id": sub.pk,
        "form": sub.form.code,
        "agency": sub.agency.code,
        "period": sub.period,
        "deadline": sub.deadline,
        "status": sub.status,
        "comment": sub.comment,
    }


@router.get("/inbox", response=list[SubmissionOut], summary="Báo cáo phải gửi (đang nhập, bị trả lại)")
def inbox(request: HttpRequest):
    return [_submission_out(s) for s in selectors.inbox(actor=request.user, today=dt.date.today())[:500]]


class OpenIn(Schema):
    form: str
    agency: str
    period: str


@router.post(
    "/submissions", response=SubmissionOut, summary="Mở (hoặc lấy) báo cáo của một cơ quan cho một kỳ"
)
def submission_open(request: HttpRequest, payload: OpenIn):
    from congso.core.org.selectors import agency_get
    from congso.modules.reporting.periods import period_parse

    period = period_parse(payload.period)
    agency = agency_get(code=payload.agency, as_of=period.end)
    sub = services.submission_open(
        actor=request.user, form=selectors.form_get(payload.form), agency=agency, period_code=period.code
    )
    return _submission_out(sub)


class ActionIn(Schema):
    comment: str = ""
    narrative: str | None = None


@router.post(
    "/submissions/{submission_id}/{action}",
    response=SubmissionOut,
    summary="Gửi, duyệt, trả lại hoặc mở lại một báo cáo",
)
def submission_action(request: HttpRequest, submission_id: int, action: str, payload: ActionIn):
    sub = selectors.submission_get(actor=request.user, submission_id=submission_id)
    if action == "submit":
        sub = services.submission_submit(actor=request.user, submission=sub, narrative=payload.narrative)
    elif action == "approve":
        sub = services.submission_approve(actor=request.user, submission=sub, comment=payload.comment)
    elif action == "return":
        sub = services.submission_return(actor=request.user, submission=sub, comment=payload.comment)
    elif action == "reopen":
        sub = services.submission_reopen(actor=request.user, submission=sub, reason=payload.comment)
    else:
        raise InvalidInput(f"Thao tác '{action}' không có: dùng submit, approve, return hoặc reopen.")
    return _submission_out(sub)


def _mount_subrouters() -> None:
    from congso.modules.reporting.api_exports import router as exports_router
    from congso.modules.reporting.api_imports import router as imports_router

    router.add_router("", imports_router)
    router.add_router("", exports_router)


_mount_subrouters()
