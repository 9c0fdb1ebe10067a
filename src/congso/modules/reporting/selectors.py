"""Reading reporting data: roll-ups over the hierarchy of any date and over time, with no lag —
computed from the saved values at the moment of the question — and what each agency has due."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, Max, Min, QuerySet, Sum

from congso.core.errors import InvalidInput, NotFound
from congso.core.org.models import AdministrativeUnit, valid_on
from congso.core.policy import agency_scope
from congso.modules.reporting.formula import parse_formula
from congso.modules.reporting.hierarchy import unit_mapper
from congso.modules.reporting.models import (
    Aggregation,
    DataValue,
    Form,
    Indicator,
    IndicatorFormula,
    Submission,
    SubmissionStatus,
)
from congso.modules.reporting.periods import Period, period_parse

Q4 = Decimal("0.0001")


def _dec(value: Any) -> Decimal:
    """SQLite hands back floats or strings for sums; PostgreSQL hands back Decimals."""
    return value if isinstance(value, Decimal) else Decimal(str(value))


@dataclass(frozen=True)
class Rollup:
    indicator: Indicator
    hierarchy_as_of: dt.date
    periods: tuple[Period, ...]
    # unit id -> period code -> value; and unit id -> the value over all the periods
    by_period: dict[int, dict[str, Decimal]]
    total: dict[int, Decimal]
    units: dict[int, AdministrativeUnit]


def indicator_get(code: str) -> Indicator:
    indicator = Indicator.objects.select_related("combo").filter(code=code).first()
    if indicator is None:
        raise NotFound(f"Không có chỉ tiêu mã {code}.")
    return indicator


def formula_for(indicator: Indicator, day: dt.date) -> str:
    version = (
        IndicatorFormula.objects.filter(indicator=indicator, valid_from__lte=day)
        .order_by("-valid_from")
        .first()
    )
    if version is None:
        raise InvalidInput(f"Chỉ tiêu {indicator.code} chưa có công thức áp dụng cho ngày {day:%d/%m/%Y}.")
    return version.expression


def _combine_time(values: list[tuple[Period, Decimal]], how: str) -> Decimal | None:
    if not values:
        return None
    numbers = [v for _, v in values]
    if how == Aggregation.SUM:
        return sum(numbers, Decimal(0))
    if how == Aggregation.AVERAGE:
        return sum(numbers, Decimal(0)) / len(numbers)
    if how == Aggregation.LAST:
        return max(values, key=lambda pv: pv[0].end)[1]
    if how == Aggregation.MIN:
        return min(numbers)
    return max(numbers)


def _grouped_by_unit(rows: QuerySet[DataValue]) -> tuple[str, list[Any]]:
    grouped = (
        rows.values_list("unit_id", "period")
        .annotate(s=Sum("value"), n=Count("*"), lo=Min("value"), hi=Max("value"))
        .order_by()
    )
    sql, params = grouped.query.sql_with_params()
    return sql, list(params)


class _Identity:
    @staticmethod
    def targets(unit_id: int) -> tuple[tuple[int, Decimal], ...]:
        return ((unit_id, Decimal(1)),)


_ARRAY_TEXTS: dict[int, tuple[dict[int, int], str, str]] = {}


def _array_texts(plain: dict[int, int]) -> tuple[str, str]:
    """The unit -> target mapping as two PostgreSQL array literals, cached per mapping (the unit
    mapper keeps one per hierarchy date and level)."""
    cached = _ARRAY_TEXTS.get(id(plain))
    if cached is None or cached[0] is not plain:  # the same id, another (collected) mapping
        if len(_ARRAY_TEXTS) > 64:
            _ARRAY_TEXTS.clear()
        units = "{" + ",".join(map(str, plain.keys())) + "}"
        targets = "{" + ",".join(map(str, plain.values())) + "}"
        cached = _ARRAY_TEXTS[id(plain)] = (plain, units, targets)
    return cached[1], cached[2]


def _raw(
    actor: Any,
    indicator: Indicator,
    periods: Sequence[Period],
    as_of: dt.date,
    level: int,
    option: str | None,
) -> dict[int, dict[str, Decimal]]:
    """unit id (at ``level`` on ``as_of``) -> period -> value over units, from the saved values."""
    scope = agency_scope(actor, "reporting.data.view")
    # The primary key leads with (indicator, period): one short range of it per asked period
    # (decision 0014).
    rows = DataValue.objects.filter(
        scope.q("agency"), indicator=indicator, period__in=[p.code for p in periods]
    )
    if option:
        rows = rows.filter(option_combo__code=option)
    mapper = unit_mapper(as_of, level)
    # PostgreSQL joins the mapping (an unnest of two arrays) with a hash join; SQLite would loop
    # over it for every row, so the embedded default groups by unit and maps here.
    plain = (mapper.plain_targets() or None) if connection.vendor == "postgresql" else None
    if plain is not None:
        # Every reporting unit maps to one target with weight 1 (the usual case: same era, or up to
        # the province): let the database group by target, so only target × period rows come back.
        base_sql, base_params = rows.values_list("unit_id", "period", "value").query.sql_with_params()
        # The mapping travels as two array parameters, not thousands of placeholders; as text made
        # once per mapping (psycopg would spend ~2 ms adapting two lists of ~700 ints each time).
        mapping_sql = "SELECT * FROM unnest(%s::bigint[], %s::bigint[]) AS m(u, t)"
        mapping_params: list[Any] = list(_array_texts(plain))
        sql = (
            f"WITH m AS ({mapping_sql}) "  # noqa: S608 - placeholders and ORM-compiled SQL only
            "SELECT m.t, b.period, SUM(b.value), COUNT(*), MIN(b.value), MAX(b.value) "
            f"FROM ({base_sql}) b LEFT JOIN m ON m.u = b.unit_id GROUP BY m.t, b.period"
        )
        params = mapping_params + list(base_params)
    else:
        sql, params = _grouped_by_unit(rows)
    # Read the groups with a plain cursor: the ORM's per-row conversions would cost more than the
    # query itself.
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
        if plain is not None and any(row[0] is None for row in fetched):
            # A unit outside the cached mapping (an agency created since): group by unit instead.
            plain = None
            sql, params = _grouped_by_unit(rows)
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
    grouped = [
        {"unit_id": u, "period": p, "s": _dec(s_), "n": n, "lo": _dec(lo), "hi": _dec(hi)}
        for u, p, s_, n, lo, hi in fetched
    ]
    if plain is not None:
        # Already grouped by target: map each target to itself.
        mapper = _Identity()  # type: ignore[assignment]
    sums: dict[int, dict[str, Decimal]] = defaultdict(dict)
    counts: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for row in grouped:
        for target, weight in mapper.targets(row["unit_id"]):
            cell = sums[target]
            period = row["period"]
            if indicator.agg_units == Aggregation.MIN:
                cell[period] = min(cell.get(period, row["lo"]), row["lo"])
            elif indicator.agg_units == Aggregation.MAX:
                cell[period] = max(cell.get(period, row["hi"]), row["hi"])
            else:
                cell[period] = cell.get(period, Decimal(0)) + row["s"] * weight
                counts[target][period] = counts[target].get(period, Decimal(0)) + row["n"] * weight
    if indicator.agg_units == Aggregation.AVERAGE:
        for target, cells in sums.items():
            for period in cells:
                cells[period] = cells[period] / counts[target][period]
    return sums


def rollup(
    *,
    actor: Any,
    indicator_code: str,
    period_codes: Sequence[str],
    hierarchy_as_of: dt.date,
    level: int = 1,
    unit_codes: Sequence[str] | None = None,
    option: str | None = None,
    _depth: int = 0,
) -> Rollup:
    """The indicator over the units of ``hierarchy_as_of`` at ``level`` (1 province, 2 district,
    3 commune), per period and over all the periods, restricted to what the actor may see."""
    if _depth > 5:
        raise InvalidInput("Công thức lồng nhau quá sâu (vòng tham chiếu?).")
    indicator = indicator_get(indicator_code)
    periods = tuple(sorted({period_parse(c) for c in period_codes}))
    if not periods:
        raise InvalidInput("Cần ít nhất một kỳ báo cáo.")
    if level not in (1, 2, 3):
        raise InvalidInput("Cấp tổng hợp phải là 1 (tỉnh), 2 (huyện) hoặc 3 (xã).")
    by_period: dict[int, dict[str, Decimal]]
    total: dict[int, Decimal] = {}
    if indicator.computed:
        by_period = defaultdict(dict)
        last_formula = parse_formula(formula_for(indicator, periods[-1].end))
        parts = {
            code: rollup(
                actor=actor,
                indicator_code=code,
                period_codes=period_codes,
                hierarchy_as_of=hierarchy_as_of,
                level=level,
                unit_codes=unit_codes,
                _depth=_depth + 1,
            )
            for code in last_formula.references
        }
        targets = set().union(*(set(p.by_period) for p in parts.values())) if parts else set()
        for period in periods:
            formula = parse_formula(formula_for(indicator, period.end))
            for missing in set(formula.references) - set(parts):
                parts[missing] = rollup(
                    actor=actor,
                    indicator_code=missing,
                    period_codes=period_codes,
                    hierarchy_as_of=hierarchy_as_of,
                    level=level,
                    unit_codes=unit_codes,
                    _depth=_depth + 1,
                )
            for target in targets:
                value = formula.evaluate(
                    {c: p.by_period.get(target, {}).get(period.code) for c, p in parts.items()}
                )
                if value is not None:
                    by_period[target][period.code] = value
        for target in targets:
            value = last_formula.evaluate({c: p.total.get(target) for c, p in parts.items()})
            if value is not None:
                total[target] = value
    else:
        by_period = _raw(actor, indicator, periods, hierarchy_as_of, level, option)
        index = {p.code: p for p in periods}
        for target, cells in by_period.items():
            combined = _combine_time([(index[c], v) for c, v in cells.items()], indicator.agg_time)
            if combined is not None:
                total[target] = combined
    units = {u.pk: u for u in AdministrativeUnit.objects.filter(pk__in=set(by_period) | set(total))}
    if unit_codes is not None:
        wanted = set(
            AdministrativeUnit.objects.filter(
                valid_on(hierarchy_as_of), code__in=list(unit_codes)
            ).values_list("pk", flat=True)
        )
        by_period = {k: v for k, v in by_period.items() if k in wanted}
        total = {k: v for k, v in total.items() if k in wanted}
    return Rollup(
        indicator=indicator,
        hierarchy_as_of=hierarchy_as_of,
        periods=periods,
        by_period={k: {p: v.quantize(Q4) for p, v in cells.items()} for k, cells in by_period.items()},
        total={k: v.quantize(Q4) for k, v in total.items()},
        units=units,
    )


def inbox(*, actor: Any, today: dt.date) -> QuerySet[Submission]:
    """What the actor's agencies have to report: drafts and returned reports, by deadline."""
    scope = agency_scope(actor, "reporting.submit")
    return (
        Submission.objects.filter(scope.q("agency"))
        .filter(status__in=[SubmissionStatus.DRAFT, SubmissionStatus.RETURNED])
        .select_related("form", "agency")
        .order_by("deadline", "form__code")
    )


def not_reported(*, actor: Any, form: Form, period_code: str) -> list[Any]:
    """Agencies assigned ``form`` under the actor's approval scope that have not submitted."""
    scope = agency_scope(actor, "reporting.approve")
    assigned = form.assignments.filter(scope.q("agency__parent")).select_related("agency")
    done = set(
        Submission.objects.filter(
            form=form,
            period=period_code.upper(),
            status__in=[SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED],
        ).values_list("agency_id", flat=True)
    )
    return [a.agency for a in assigned if a.agency_id not in done]


@dataclass(frozen=True)
class Outlier:
    indicator_code: str
    option_code: str
    period: str
    value: Decimal
    mean: Decimal
    stdev: Decimal
    z: Decimal


def outliers(
    *,
    actor: Any,
    agency_id: int,
    period_code: str,
    history: int = 12,
    threshold: Decimal = Decimal(3),
    min_points: int = 4,
) -> list[Outlier]:
    """Values of one agency and period that stand out against the same agency's own history: more
    than ``threshold`` standard deviations from the mean of its previous ``history`` values."""
    from statistics import mean, pstdev

    scope = agency_scope(actor, "reporting.data.view")
    current = list(
        DataValue.objects.filter(scope.q("agency"), agency_id=agency_id, period=period_code).values_list(
            "indicator_id",
            "option_combo_id",
            "indicator__code",
            "option_combo__code",
            "value",
            "period_start",
        )
    )
    # The agency's whole history for these indicators in one query (the (agency, period) index),
    # newest first; each cell keeps its last ``history`` values before the period asked.
    histories: dict[tuple[int, int], list[tuple[Any, Decimal]]] = defaultdict(list)
    if current:
        latest = max(row[5] for row in current)
        for ind, opt, start_, v in (
            DataValue.objects.filter(
                agency_id=agency_id,
                indicator_id__in={row[0] for row in current},
                period_start__lt=latest,
            )
            .order_by("-period_start")
            .values_list("indicator_id", "option_combo_id", "period_start", "value")
        ):
            histories[(ind, opt)].append((start_, v))
    found: list[Outlier] = []
    for indicator_id, option_id, ind_code, opt_code, value, start in current:
        cell = histories.get((indicator_id, option_id), [])
        past = [float(v) for when, v in cell if when < start][:history]
        if len(past) < min_points:
            continue
        m, sd = mean(past), pstdev(past)
        if sd == 0:
            if float(value) != m:
                found.append(
                    Outlier(ind_code, opt_code, period_code, value, Decimal(str(m)), Decimal(0), Decimal(99))
                )
            continue
        z = (float(value) - m) / sd
        if abs(z) > float(threshold):
            found.append(
                Outlier(
                    ind_code,
                    opt_code,
                    period_code,
                    value,
                    Decimal(str(round(m, 4))),
                    Decimal(str(round(sd, 4))),
                    Decimal(str(round(z, 2))),
                )
            )
    return found


def indicators_search(*, q: str | None = None) -> QuerySet[Indicator]:
    qs = Indicator.objects.select_related("combo").prefetch_related("combo__option_combos", "formulas")
    if q:
        from congso.core.search.text import fold

        qs = qs.filter(search_name__contains=fold(q)) | qs.filter(code__iexact=q.strip())
    return qs.order_by("code")


def indicator_summary(indicator: Indicator) -> dict[str, Any]:
    formulas = list(indicator.formulas.all())
    return {
        "code": indicator.code,
        "name": indicator.name,
        "unit_of_measure": indicator.unit_of_measure,
        "value_type": indicator.value_type,
        "agg_units": indicator.agg_units,
        "agg_time": indicator.agg_time,
        "combo": indicator.combo.code,
        "options": [o.code for o in indicator.combo.option_combos.all()],
        "computed": indicator.computed,
        "formula": formulas[-1].expression if formulas else None,
        "national_code": indicator.national_code,
    }


def forms_search(*, q: str | None = None) -> QuerySet[Form]:
    qs = Form.objects.all()
    if q:
        from congso.core.search.text import fold

        qs = qs.filter(search_name__contains=fold(q)) | qs.filter(code__iexact=q.strip())
    return qs.order_by("code")


def form_get(code: str) -> Form:
    form = Form.objects.filter(code=code).first()
    if form is None:
        raise NotFound(f"Không có biểu mẫu mã {code}.")
    return form


def form_summary(form: Form) -> dict[str, Any]:
    return {
        "code": form.code,
        "name": form.name,
        "regime": form.regime,
        "period_type": form.period_type,
        "window": form.window,
        "deadline_days": form.deadline_days,
        "sections": [
            {
                "code": s.code,
                "name": s.name,
                "indicators": [i.indicator.code for i in s.items.select_related("indicator")],
            }
            for s in form.sections.all()
        ],
    }


def submission_get(*, actor: Any, submission_id: int) -> Submission:
    """A submission of an agency the actor may see (its own, or below it for approvers)."""
    scope = agency_scope(actor, "reporting.data.view")
    sub = (
        Submission.objects.filter(
            scope.q("agency") | agency_scope(actor, "reporting.approve").q("agency__parent")
        )
        .select_related("form", "agency", "agency__parent")
        .filter(pk=submission_id)
        .first()
    )
    if sub is None:
        raise NotFound(f"Không tìm thấy báo cáo số {submission_id} trong phạm vi bạn được xem.")
    return sub
