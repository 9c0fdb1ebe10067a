"""Every write in reporting: the repositories, data entry from any source, and the submission
workflow. One transaction each, audited inside it, authorised by the policy layer."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from django.db import transaction
from django.utils import timezone

from congso.core.audit.services import audit_record
from congso.core.calendar.services import next_working_day
from congso.core.errors import Conflict, InvalidInput
from congso.core.org.models import Agency, valid_on
from congso.core.policy import agency_scope, authorize
from congso.core.search.text import fold
from congso.modules.reporting import store
from congso.modules.reporting.formula import parse_formula
from congso.modules.reporting.models import (
    Aggregation,
    CategoryCombo,
    CategoryOptionCombo,
    DataValue,
    Form,
    FormAssignment,
    FormItem,
    FormSection,
    Indicator,
    IndicatorFormula,
    PeriodType,
    Regime,
    Submission,
    SubmissionStatus,
    ValueType,
    Window,
)
from congso.modules.reporting.periods import Period, period_parse

DEFAULT_COMBO = "DEFAULT"
DEFAULT_OPTION = "TONG"  # "tổng số": the single cell of an indicator without disaggregation


# --- Repositories ------------------------------------------------------------------------------


def combo_ensure(*, actor: Any, code: str, name: str, options: Sequence[tuple[str, str]]) -> CategoryCombo:
    """Create or complete a category combination with its option combos (idempotent)."""
    if actor is not None:
        authorize(actor, "reporting.catalogue.manage", globally=True)
    if not options:
        raise InvalidInput(f"Tổ hợp phân tổ {code} cần ít nhất một phương án.")
    with transaction.atomic():
        combo, created = CategoryCombo.objects.get_or_create(code=code, defaults={"name": name})
        existing = set(combo.option_combos.values_list("code", flat=True))
        fresh = [
            CategoryOptionCombo(combo=combo, code=c, name=n, order=i)
            for i, (c, n) in enumerate(options)
            if c not in existing
        ]
        CategoryOptionCombo.objects.bulk_create(fresh)
        if created or fresh:
            audit_record(
                actor=actor,
                action="reporting.combo.save",
                target=combo,
                after={"code": code, "options": [c for c, _ in options]},
            )
    return combo


def default_combo() -> CategoryCombo:
    return combo_ensure(
        actor=None, code=DEFAULT_COMBO, name="Không phân tổ", options=[(DEFAULT_OPTION, "Tổng số")]
    )


def indicator_create(
    *,
    actor: Any,
    code: str,
    name: str,
    unit_of_measure: str,
    value_type: str = ValueType.NUMBER,
    agg_units: str = Aggregation.SUM,
    agg_time: str = Aggregation.SUM,
    combo_code: str = DEFAULT_COMBO,
    formula: str | None = None,
    formula_valid_from: dt.date | None = None,
    min_value: Decimal | None = None,
    max_value: Decimal | None = None,
    national_code: str = "",
    description: str = "",
) -> Indicator:
    if actor is not None:
        authorize(actor, "reporting.catalogue.manage", globally=True)
    problems = []
    if not code or not all(ch.isalnum() or ch in "_.-" for ch in code):
        problems.append({"field": "code", "message": f"Mã chỉ tiêu '{code}' chỉ gồm chữ, số, '_', '.', '-'."})
    if not name.strip():
        problems.append({"field": "name", "message": "Tên chỉ tiêu không được để trống."})
    for key, value, choices in (
        ("value_type", value_type, ValueType.values),
        ("agg_units", agg_units, Aggregation.values),
        ("agg_time", agg_time, Aggregation.values),
    ):
        if value not in choices:
            problems.append({"field": key, "message": f"Giá trị '{value}' không hợp lệ cho {key}."})
    if problems:
        raise InvalidInput(" ".join(p["message"] for p in problems), errors=problems)
    parsed = parse_formula(formula) if formula else None
    if combo_code == DEFAULT_COMBO:
        combo = default_combo()
    else:
        found = CategoryCombo.objects.filter(code=combo_code).first()
        if found is None:
            raise InvalidInput(f"Không có tổ hợp phân tổ '{combo_code}'.")
        combo = found
    with transaction.atomic():
        if Indicator.objects.filter(code=code).exists():
            raise Conflict(f"Mã chỉ tiêu {code} đã có trong kho chỉ tiêu.")
        if parsed:
            known = set(Indicator.objects.filter(code__in=parsed.references).values_list("code", flat=True))
            missing = [c for c in parsed.references if c not in known]
            if missing:
                raise InvalidInput(f"Công thức tham chiếu chỉ tiêu chưa có: {', '.join(missing)}.")
        indicator = Indicator.objects.create(
            code=code,
            name=name.strip(),
            search_name=fold(name),
            unit_of_measure=unit_of_measure,
            value_type=value_type,
            agg_units=agg_units,
            agg_time=agg_time,
            combo=combo,
            computed=parsed is not None,
            min_value=min_value,
            max_value=max_value,
            national_code=national_code,
            description=description,
        )
        if parsed:
            IndicatorFormula.objects.create(
                indicator=indicator,
                expression=parsed.text,
                valid_from=formula_valid_from or dt.date(1990, 1, 1),
            )
        audit_record(
            actor=actor,
            action="reporting.indicator.create",
            target=indicator,
            after={"code": code, "name": indicator.name, "formula": formula},
        )
    return indicator


def indicator_formula_set(
    *, actor: Any, indicator: Indicator, expression: str, valid_from: dt.date
) -> IndicatorFormula:
    """A new version of a computed indicator's formula; earlier periods keep the old one."""
    authorize(actor, "reporting.catalogue.manage", globally=True)
    if not indicator.computed:
        raise InvalidInput(f"Chỉ tiêu {indicator.code} là chỉ tiêu nhập liệu, không có công thức.")
    parsed = parse_formula(expression)
    if indicator.code in parsed.references:
        raise InvalidInput(f"Công thức của {indicator.code} không được tham chiếu chính nó.")
    with transaction.atomic():
        version, created = IndicatorFormula.objects.update_or_create(
            indicator=indicator, valid_from=valid_from, defaults={"expression": parsed.text}
        )
        audit_record(
            actor=actor,
            action="reporting.indicator.formula",
            target=indicator,
            after={"expression": parsed.text, "valid_from": valid_from, "new": created},
        )
    return version


@dataclass(frozen=True)
class SectionSpec:
    code: str
    name: str
    indicators: Sequence[str]


def form_create(
    *,
    actor: Any,
    code: str,
    name: str,
    sections: Sequence[SectionSpec],
    agency_codes: Sequence[str] = (),
    period_type: str = PeriodType.MONTHLY,
    window: str = Window.CALENDAR,
    regime: str = Regime.PERIODIC,
    deadline_days: int = 5,
    legal_basis: str = "",
    narrative_required: bool = False,
) -> Form:
    if actor is not None:
        authorize(actor, "reporting.catalogue.manage", globally=True)
    if period_type not in PeriodType.values or window not in Window.values or regime not in Regime.values:
        raise InvalidInput("Loại kỳ, cách tính kỳ hoặc chế độ báo cáo không hợp lệ.")
    wanted = {c for s in sections for c in s.indicators}
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=wanted)}
    missing = sorted(wanted - set(indicators))
    if missing:
        raise InvalidInput(f"Biểu mẫu {code} dùng chỉ tiêu chưa có trong kho: {', '.join(missing[:10])}.")
    today = timezone.localdate()
    agencies = list(Agency.objects.filter(code__in=agency_codes).filter(valid_on(today)))
    if len(agencies) != len(set(agency_codes)):
        found = {a.code for a in agencies}
        raise InvalidInput(f"Không có cơ quan: {', '.join(sorted(set(agency_codes) - found))}.")
    with transaction.atomic():
        if Form.objects.filter(code=code).exists():
            raise Conflict(f"Mã biểu mẫu {code} đã có trong kho biểu mẫu.")
        form = Form.objects.create(
            code=code,
            name=name,
            search_name=fold(name),
            regime=regime,
            period_type=period_type,
            window=window,
            deadline_days=deadline_days,
            legal_basis=legal_basis,
            narrative_required=narrative_required,
        )
        for s_order, spec in enumerate(sections):
            section = FormSection.objects.create(form=form, code=spec.code, name=spec.name, order=s_order)
            FormItem.objects.bulk_create(
                [
                    FormItem(section=section, indicator=indicators[c], order=i)
                    for i, c in enumerate(spec.indicators)
                ]
            )
        FormAssignment.objects.bulk_create([FormAssignment(form=form, agency=a) for a in agencies])
        audit_record(
            actor=actor,
            action="reporting.form.create",
            target=form,
            after={"code": code, "indicators": sorted(wanted), "agencies": sorted(agency_codes)},
        )
    return form


# --- Data entry ----------------------------------------------------------------------------------


class ValueRow(NamedTuple):
    """One value from any source (web form, Excel, CSV, JSON, ADX). ``ref`` locates it in the
    source for error messages: "dòng 7", "ô D12 (trang 'Biểu 01')". A named tuple: a file of a
    million values makes a million of these, at a third of the cost of a frozen dataclass."""

    indicator: str
    agency: str
    period: str
    value: Any
    option: str = ""
    ref: str = ""


@dataclass
class ImportReport:
    saved: int = 0
    dry_run: bool = False
    agencies: list[str] = field(default_factory=list)
    periods: list[str] = field(default_factory=list)


def _locate(row: ValueRow, index: int) -> str:
    return row.ref or f"dòng {index + 1}"


def _plain(value: Decimal) -> str:
    """120, 12.5 — never 1.2E+2."""
    return format(value.normalize(), "f")


_HUGE = Decimal(10) ** 16
_ZERO, _HUNDRED = Decimal(0), Decimal(100)
_CHUNK = 10_000  # values handed to the database at a time: it writes one while the next is checked


def _parse_value(raw: Any, indicator: Indicator) -> Decimal:
    if isinstance(raw, int | Decimal) and not isinstance(raw, bool):
        value = Decimal(raw)
    else:
        text = str(raw).strip().replace(" ", "") if raw is not None else ""
        if text == "":
            raise ValueError("để trống")
        if "," in text and "." not in text:
            text = text.replace(",", ".")  # Vietnamese decimal comma: 12,5
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"'{raw}' không phải là số") from None
        if not value.is_finite():
            raise ValueError(f"'{raw}' không phải là số")
    kind = indicator.value_type
    if kind == ValueType.INTEGER and value != value.to_integral_value():
        raise ValueError(f"{indicator.code} nhận số nguyên, không nhận {raw}")
    if kind == ValueType.PERCENT and not _ZERO <= value <= _HUNDRED:
        raise ValueError(f"tỷ lệ phải từ 0 đến 100, không phải {raw}")
    if indicator.min_value is not None and value < indicator.min_value:
        raise ValueError(f"nhỏ hơn mức tối thiểu {_plain(indicator.min_value)} của {indicator.code}")
    if indicator.max_value is not None and value > indicator.max_value:
        raise ValueError(f"lớn hơn mức tối đa {_plain(indicator.max_value)} của {indicator.code}")
    if not -_HUGE < value < _HUGE:
        raise ValueError(f"{raw} quá lớn")
    return value  # the database keeps 4 decimal places


# What a (indicator code, option code) pair of a file resolves to: its series, a number that
# identifies the series within the import (two spellings of one option share it), the indicator,
# and whether any run of up to 16 ASCII digits is valid for it as it is ("plain": no percentage,
# no minimum, no maximum) — the common case, checked without making a Decimal.
_SeriesOf = tuple[store.Series, int, Indicator, bool]
# What an (agency code, period code) pair resolves to: its place, its number, the agency's code.
_PlaceOf = tuple[store.Place, int, str]
_Failure = tuple[str, str]  # (field, message)


def _resolve_series(
    keys: set[tuple[str, str]],
) -> tuple[dict[tuple[str, str], _SeriesOf], dict[tuple[str, str], _Failure]]:
    indicators = {i.code: i for i in Indicator.objects.filter(code__in={c for c, _ in keys})}
    options: dict[tuple[int, str], int] = {
        (combo_id, code): pk
        for pk, combo_id, code in CategoryOptionCombo.objects.filter(
            combo_id__in={i.combo_id for i in indicators.values()}
        ).values_list("pk", "combo_id", "code")
    }
    found: dict[tuple[str, str], _SeriesOf] = {}
    failed: dict[tuple[str, str], _Failure] = {}
    numbers: dict[tuple[int, int], int] = {}
    for key in keys:
        code, option = key
        indicator = indicators.get(code)
        if indicator is None:
            failed[key] = ("indicator", f"Mã chỉ tiêu '{code}' không có trong kho chỉ tiêu.")
            continue
        if indicator.computed:
            failed[key] = ("indicator", f"Chỉ tiêu {code} được tính theo công thức, không nhập trực tiếp.")
            continue
        option_id = options.get((indicator.combo_id, option or DEFAULT_OPTION))
        if option_id is None:
            failed[key] = ("option", f"Phân tổ '{option}' không thuộc chỉ tiêu {code}.")
            continue
        number = numbers.setdefault((indicator.id, option_id), len(numbers))
        plain = (
            indicator.value_type != ValueType.PERCENT
            and indicator.min_value is None
            and indicator.max_value is None
        )
        found[key] = (store.Series.of(indicator.id, option_id), number, indicator, plain)
    return found, failed


def _resolve_places(
    keys: set[tuple[str, str]], actor: Any
) -> tuple[dict[tuple[str, str], _PlaceOf], dict[tuple[str, str], _Failure]]:
    periods: dict[str, Period] = {}
    for code in {p for _, p in keys}:
        with contextlib.suppress(InvalidInput):  # a bad period is reported on its rows
            periods[code] = period_parse(code)
    agency_versions: dict[str, list[Agency]] = {}
    for version in Agency.objects.filter(code__in={a for a, _ in keys}):
        agency_versions.setdefault(version.code, []).append(version)
    scope = agency_scope(actor, "reporting.data.enter")
    in_scope: dict[int, bool] = {}
    found: dict[tuple[str, str], _PlaceOf] = {}
    failed: dict[tuple[str, str], _Failure] = {}
    numbers: dict[tuple[int, str], int] = {}
    for key in keys:
        agency_code, period_code = key
        period = periods.get(period_code)
        if period is None:
            failed[key] = (
                "period",
                f"Kỳ báo cáo '{period_code}' không đúng dạng (ví dụ 2024M01, 2024Q1, 2024).",
            )
            continue
        versions = agency_versions.get(agency_code, [])
        agency: Agency | None = next((a for a in versions if a.is_valid_on(period.end)), None)
        agency = agency or next((a for a in versions if a.is_valid_on(period.start)), None)
        if agency is None:
            failed[key] = ("agency", f"Không có cơ quan mã '{agency_code}' trong kỳ {period_code}.")
            continue
        if agency.unit_id is None:
            failed[key] = (
                "agency",
                f"Cơ quan {agency_code} chưa gắn đơn vị hành chính nên chưa tổng hợp được.",
            )
            continue
        allowed = in_scope.get(agency.id)
        if allowed is None:
            allowed = in_scope[agency.id] = scope.contains(agency)
        if not allowed:
            failed[key] = ("agency", f"Bạn không được nhập số liệu cho cơ quan {agency_code}.")
            continue
        number = numbers.setdefault((agency.id, period.code), len(numbers))
        place = store.Place.of(agency.id, agency.unit_id, period.code, period.start, period.end)
        found[key] = (place, number, agency.code)
    return found, failed


@dataclass
class _Checked:
    saved: int
    agencies: list[str]
    periods: list[str]
    sha256: str


def _check_and_write(
    rows: list[ValueRow],
    series: dict[tuple[str, str], _SeriesOf],
    series_failed: dict[tuple[str, str], _Failure],
    places: dict[tuple[str, str], _PlaceOf],
    places_failed: dict[tuple[str, str], _Failure],
    locked: dict[tuple[int, str, int], str],
    sink: store.Writer | None,
) -> _Checked:
    """Check every row in the order of the file; while no row has failed, hand the checked values
    to ``sink`` chunk by chunk (the database writes them while the next ones are checked). Raises
    ``InvalidInput`` with every problem if any row fails: the caller's transaction is rolled back."""
    failures: list[tuple[int, dict[str, Any]]] = []

    def fail(row: ValueRow, index: int, field_name: str, message: str) -> None:
        failures.append((index, {"row": _locate(row, index), "field": field_name, "message": message}))

    seen: dict[int, int] = {}  # the value's key -> the index of the row that gave it first
    chunk: list[store.Value] = []
    hasher = hashlib.sha256()  # identifies the content in the audit log, in file order

    def flush() -> None:
        if sink is not None:
            sink.write(chunk)
        hasher.update("".join([f"{s.hash_text}{p.hash_text}{v}\n" for s, p, v in chunk]).encode())
        chunk.clear()

    # The hot loop (a million rows a file): the row unpacked once, the look-ups bound to names.
    series_of, place_of, first_of, add = series.get, places.get, seen.setdefault, chunk.append
    for index, (indicator_code, agency_given, period_given, raw, option_code, _) in enumerate(rows):
        found_series = series_of((indicator_code, option_code))
        if found_series is None:
            fail(rows[index], index, *series_failed[(indicator_code, option_code)])
            continue
        found_place = place_of((agency_given, period_given))
        if found_place is None:
            fail(rows[index], index, *places_failed[(agency_given, period_given)])
            continue
        the_series, series_no, indicator, plain = found_series
        place, place_no, agency_code = found_place
        if plain and type(raw) is str and raw.isdigit() and raw.isascii() and len(raw) <= 16:
            text = raw.lstrip("0") or "0"  # == str(Decimal(raw)), below 10^16, whole
        else:
            try:
                text = str(_parse_value(raw, indicator))
            except ValueError as exc:
                fail(rows[index], index, "value", f"Giá trị {exc}.")
                continue
        first = first_of(series_no << 32 | place_no, index)
        if first != index:
            fail(
                rows[index],
                index,
                "value",
                f"Trùng với {_locate(rows[first], first)}: cùng chỉ tiêu, phân tổ, cơ quan và kỳ.",
            )
            continue
        if locked:
            status = locked.get((place.agency_id, place.period, the_series.indicator_id))
            if status == SubmissionStatus.APPROVED:
                fail(
                    rows[index],
                    index,
                    "period",
                    f"Báo cáo kỳ {place.period} của {agency_code} đã được duyệt và khoá.",
                )
            elif status == SubmissionStatus.SUBMITTED:
                fail(
                    rows[index],
                    index,
                    "period",
                    f"Báo cáo kỳ {place.period} của {agency_code} đã gửi, đang chờ duyệt: "
                    "cần được trả lại mới sửa được.",
                )
        if failures:
            continue  # the file will be rejected: check the rest, write nothing more
        add((the_series, place, text))
        if len(chunk) >= _CHUNK:
            flush()
    if failures:
        # In the order of the file: "dòng 9" before "dòng 10".
        errors = [e for _, e in sorted(failures, key=lambda f: f[0])]
        shown = "; ".join(f"{e['row']}: {e['message']}" for e in errors[:5])
        more = f" (và {len(errors) - 5} lỗi khác)" if len(errors) > 5 else ""
        raise InvalidInput(f"Tệp có {len(errors)} lỗi, chưa nhập giá trị nào. {shown}{more}", errors=errors)
    flush()
    # No row failed, so every place of the file was used.
    return _Checked(
        saved=len(seen),
        agencies=sorted({code for _, _, code in places.values()}),
        periods=sorted({p.period for p, _, _ in places.values()}),
        sha256=hasher.hexdigest(),
    )


def datavalues_import(
    *, actor: Any, rows: Iterable[ValueRow], source: str = "api", dry_run: bool = False
) -> ImportReport:
    """Check every row, then save all of them in one transaction — or none: a file with any
    problem is rejected whole, with every problem listed by its row or cell. Saving the same
    values again changes nothing (rows are keyed by indicator, option, agency and period).

    Codes repeat: a file names a few thousand indicators, agencies and periods over up to millions
    of rows, so each (indicator, option) and (agency, period) pair is resolved once, and a row's
    checks are two dictionary look-ups and its number. The checked values reach the database while
    the rest of the file is being checked (``store``); a problem found later rolls them back."""
    with store.gc_paused():
        return _datavalues_import(actor, rows, source, dry_run)


def _datavalues_import(actor: Any, rows: Iterable[ValueRow], source: str, dry_run: bool) -> ImportReport:
    rows = rows if isinstance(rows, list) else list(rows)
    if not rows:
        raise InvalidInput("Không có số liệu nào để nhập.")
    if len(rows) > 2_000_000:
        raise InvalidInput("Một lần nhập tối đa 2.000.000 giá trị; hãy chia tệp.")
    series, series_failed = _resolve_series({(r.indicator, r.option) for r in rows})
    places, places_failed = _resolve_places({(r.agency, r.period) for r in rows}, actor)
    resolved = [p for p, _, _ in places.values()]
    locked = _locked_cells({p.agency_id for p in resolved}, {p.period for p in resolved})

    def check(sink: store.Writer | None) -> _Checked:
        return _check_and_write(rows, series, series_failed, places, places_failed, locked, sink)

    if dry_run:
        checked = check(None)
        return ImportReport(
            saved=checked.saved, dry_run=True, agencies=checked.agencies, periods=checked.periods
        )
    indicator_ids = sorted({s.indicator_id for s, _, _, _ in series.values()})

    def cells(pairs: set[tuple[int, str]]) -> list[tuple[int, int, int, str]]:
        """The exact cells of the rows whose (indicator, period) is one of ``pairs`` (for the
        writer's check of what exists already)."""
        wanted = {indicator_id for indicator_id, _ in pairs}
        found = []
        for row in rows:
            the_series = series.get((row.indicator, row.option))
            if the_series is None or the_series[0].indicator_id not in wanted:
                continue
            place = places.get((row.agency, row.period))
            if place is not None and (the_series[0].indicator_id, place[0].period) in pairs:
                s, p = the_series[0], place[0]
                found.append((s.indicator_id, s.option_id, p.agency_id, p.period))
        return found

    def save(merge: bool | None) -> ImportReport:
        now = timezone.now()
        with transaction.atomic():
            with store.value_writer(
                now=now, indicator_ids=indicator_ids, places=resolved, cells=cells, merge=merge
            ) as sink:
                checked = check(sink)
            audit_record(
                actor=actor,
                action="reporting.datavalues.import",
                target=("reporting.datavalue", checked.sha256[:16]),
                after={
                    "source": source,
                    "values": checked.saved,
                    "agencies": checked.agencies[:50],
                    "periods": checked.periods,
                    "sha256": checked.sha256,
                },
            )
        return ImportReport(saved=checked.saved, agencies=checked.agencies, periods=checked.periods)

    try:
        return save(None)
    except store.Collision:  # another import saved one of these cells meanwhile: merge instead
        return save(True)


def _locked_cells(agency_ids: set[int], periods: set[str]) -> dict[tuple[int, str, int], str]:
    """(agency, period, indicator) cells covered by a submitted or approved submission, with its
    status: values under review or approved change only after a return or a re-opening."""
    if not agency_ids or not periods:
        return {}
    closed = Submission.objects.filter(
        agency_id__in=agency_ids,
        period__in=periods,
        status__in=[SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED],
    )
    locked: dict[tuple[int, str, int], str] = {}
    for agency_id, period, indicator_id, status in FormItem.objects.filter(
        section__form__submissions__in=closed
    ).values_list(
        "section__form__submissions__agency_id",
        "section__form__submissions__period",
        "indicator_id",
        "section__form__submissions__status",
    ):
        key = (agency_id, period, indicator_id)
        if locked.get(key) != SubmissionStatus.APPROVED:
            locked[key] = status
    return locked


# --- Submissions ---------------------------------------------------------------------------------


def report_deadline(period_end: dt.date, working_days: int) -> dt.date:
    """The n-th working day after the period ends (a period ending on a Saturday starts counting
    on Monday: 31/10/2026 + 5 -> 06/11/2026)."""
    day = period_end
    for _ in range(working_days):
        day = next_working_day(day)
    return day


def submission_open(*, actor: Any, form: Form, agency: Agency, period_code: str) -> Submission:
    """The submission of ``form`` by ``agency`` for the period, created as a draft if needed,
    with its deadline on the working-day calendar."""
    authorize(actor, "reporting.data.view", agency)
    period = period_parse(period_code)
    if period.type != form.period_type or period.nd09 != (form.window == Window.DECREE_09):
        raise InvalidInput(f"Kỳ {period.code} không phải loại kỳ của biểu {form.code}.")
    with transaction.atomic():
        submission, created = Submission.objects.get_or_create(
            form=form,
            agency=agency,
            period=period.code,
            defaults={
                "period_start": period.start,
                "period_end": period.end,
                "deadline": report_deadline(period.end, form.deadline_days),
            },
        )
        if created:
            audit_record(
                actor=actor,
                action="reporting.submission.open",
                target=submission,
                after={"form": form.code, "period": period.code},
                agency_code=agency.code,
            )
    return submission


def _transition(
    submission: Submission, actor: Any, allowed_from: set[str], to: str, action: str, **changes: Any
) -> Submission:
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        if locked.status not in allowed_from:
            raise Conflict(
                f"Báo cáo đang ở trạng thái '{locked.get_status_display()}', không thể chuyển sang "
                f"'{SubmissionStatus(to).label}'."
            )
        before = {"status": locked.status, "comment": locked.comment}
        locked.status = to
        for key, value in changes.items():
            setattr(locked, key, value)
        locked.save()
        audit_record(
            actor=actor,
            action=action,
            target=locked,
            before=before,
            after={"status": to, "comment": locked.comment},
            agency_code=locked.agency.code,
        )
    return locked


def submission_submit(*, actor: Any, submission: Submission, narrative: str | None = None) -> Submission:
    authorize(actor, "reporting.submit", submission.agency)
    form = submission.form
    text = narrative if narrative is not None else submission.narrative
    if form.narrative_required and not text.strip():
        raise InvalidInput("Biểu mẫu này cần phần báo cáo bằng lời (thuyết minh) trước khi gửi.")
    required = FormItem.objects.filter(section__form=form, required=True).values_list(
        "indicator_id", flat=True
    )
    entered = set(
        DataValue.objects.filter(
            agency=submission.agency, period=submission.period, indicator_id__in=list(required)
        ).values_list("indicator_id", flat=True)
    )
    missing = [i for i in required if i not in entered]
    if missing:
        codes = Indicator.objects.filter(pk__in=missing).values_list("code", flat=True)
        raise InvalidInput(f"Còn thiếu số liệu bắt buộc: {', '.join(sorted(codes))}.")
    from congso.modules.reporting.rules import validation_check

    broken = validation_check(submission=submission)
    if broken:
        raise InvalidInput(
            "Số liệu chưa qua quy tắc kiểm tra: " + "; ".join(f"{v.rule}: {v.message}" for v in broken) + ".",
            errors=[
                {
                    "field": v.rule,
                    "message": f"{v.message} ({_plain(v.left)} {v.operator} {_plain(v.right)} không đúng)",
                }
                for v in broken
            ],
        )
    return _transition(
        submission,
        actor,
        {SubmissionStatus.DRAFT, SubmissionStatus.RETURNED},
        SubmissionStatus.SUBMITTED,
        "reporting.submission.submit",
        narrative=text,
        submitted_at=timezone.now(),
        submitted_by=actor,
    )


def _authorize_parent(actor: Any, submission: Submission, action: str) -> None:
    # Approval belongs to the agency above the reporting one (or above that, for a subtree leader).
    parent = submission.agency.parent
    if parent is None:
        authorize(actor, action, submission.agency)
        return
    authorize(actor, action, parent)


def submission_approve(*, actor: Any, submission: Submission, comment: str = "") -> Submission:
    _authorize_parent(actor, submission, "reporting.approve")
    return _transition(
        submission,
        actor,
        {SubmissionStatus.SUBMITTED},
        SubmissionStatus.APPROVED,
        "reporting.submission.approve",
        comment=comment,
        decided_at=timezone.now(),
        decided_by=actor,
    )


def submission_return(*, actor: Any, submission: Submission, comment: str) -> Submission:
    _authorize_parent(actor, submission, "reporting.approve")
    if not comment.strip():
        raise InvalidInput("Trả lại báo cáo cần ghi rõ lý do.")
    return _transition(
        submission,
        actor,
        {SubmissionStatus.SUBMITTED},
        SubmissionStatus.RETURNED,
        "reporting.submission.return",
        comment=comment,
        decided_at=timezone.now(),
        decided_by=actor,
    )


def submission_reopen(*, actor: Any, submission: Submission, reason: str) -> Submission:
    """Corrections after approval only through a re-opening, audited with its reason."""
    _authorize_parent(actor, submission, "reporting.reopen")
    if not reason.strip():
        raise InvalidInput("Mở lại báo cáo đã duyệt cần ghi rõ lý do.")
    return _transition(
        submission,
        actor,
        {SubmissionStatus.APPROVED},
        SubmissionStatus.DRAFT,
        "reporting.submission.reopen",
        comment=reason,
    )


__all__ = [
    "DEFAULT_COMBO",
    "DEFAULT_OPTION",
    "ImportReport",
    "SectionSpec",
    "ValueRow",
    "combo_ensure",
    "datavalues_import",
    "default_combo",
    "form_create",
    "indicator_create",
    "indicator_formula_set",
    "submission_approve",
    "submission_open",
    "submission_reopen",
    "submission_return",
    "submission_submit",
]
