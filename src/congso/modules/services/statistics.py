"""Statistics of administrative procedures (thống kê tình hình giải quyết thủ tục hành chính) and
their publication to the reporting module.

``dossier_statistics(*, actor, period, by="competent", agency=None, procedure=None, now=None)``
gives, per competent agency, receiving agency or procedure (``by``) and for one period (a
reporting period code: month "2026M11", quarter "2026Q4", half year "2026S2" or year "2026"):

- ``received``: dossiers received in the period (``received_at``, local dates), ``received_online``
  and ``received_desk`` by channel, and the ``online_rate`` (% of received).
- ``resolved``: results handed to the applicant in the period (``returned_at``, status RETURNED),
  ``resolved_on_time`` / ``resolved_late`` as recorded on return (processing.dossier_return_result,
  judged against the legal due date), and the ``on_time_rate`` (% of resolved).
- ``in_progress`` and ``overdue``: a snapshot at ``now`` of the dossiers received by the end of the
  period still open (submitted, accepted, waiting for a supplement or being settled); overdue are
  those whose clock runs (not waiting for a supplement) and whose due date has passed.
- ``fees``: fees collected (payments PAID, ``paid_at`` in the period), VND.
- ``ratings`` and ``satisfaction``: ratings given in the period and their average score (1–5).

Rates are percentages rounded half up to two decimals, None when there is nothing to divide by.
Every figure comes from grouped queries (three, whatever the number of dossiers: dossiers,
payments, ratings), the same on SQLite and PostgreSQL; only the groups are handled in Python.

An official sees the dossiers received by, or competent at, the agencies where they hold
"services.view"; ``agency`` narrows to the dossiers an agency, or one under it, received or was
competent for; ``procedure`` to one procedure code.

``statistics_publish(*, period)`` pushes the figures of each competent agency to the reporting
module as indicators ("DVC.*", created if missing) through its own services
(``indicator_create``, ``datavalues_import``), so they roll up over units and time with no lag like
any other value. Counts are published; the rates are computed indicators over them (a rate of
the city is the ratio of the city's sums, never an average of rates). Publishing a period again
overwrites the same cells. ``statistics_publish_previous_month`` is what the monthly task runs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from congso.core.audit.services import audit_record
from congso.core.calendar.workdays import VN_TZ
from congso.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from congso.core.org.models import Agency, valid_on
from congso.core.policy import agency_scope
from congso.core.policy.system import SystemActor
from congso.modules.reporting import selectors as reporting_selectors
from congso.modules.reporting import services as reporting
from congso.modules.reporting.models import Aggregation, ValueType
from congso.modules.reporting.periods import Period, period_parse
from congso.modules.services import services
from congso.modules.services.models import (
    Channel,
    Dossier,
    DossierRating,
    DossierStatus,
    Payment,
    PaymentStatus,
    Procedure,
)

S = DossierStatus
# Open: not yet settled. Running: the clock runs (a supplement request stops it).
OPEN = (S.SUBMITTED, S.ACCEPTED, S.SUPPLEMENT_REQUESTED, S.IN_PROGRESS)
RUNNING = (S.SUBMITTED, S.ACCEPTED, S.IN_PROGRESS)
# The rows' dimension: the dossier's field it groups by.
BY = {"competent": "competent_agency", "receiving": "receiving_agency", "procedure": "procedure"}
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def _now() -> dt.datetime:
    # The module's one clock (tests fix it by patching ``services._now``).
    return services._now()


def _ratio(part: int, whole: int, scale: Decimal = HUNDRED) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * scale / Decimal(whole)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class Counts:
    """The additive figures of one group; the rates are derived, so groups add up exactly."""

    received: int = 0
    received_online: int = 0
    resolved: int = 0
    resolved_on_time: int = 0
    resolved_late: int = 0
    in_progress: int = 0
    overdue: int = 0
    fees: int = 0  # VND
    ratings: int = 0
    score_sum: int = 0

    @property
    def received_desk(self) -> int:
        return self.received - self.received_online

    @property
    def online_rate(self) -> Decimal | None:
        return _ratio(self.received_online, self.received)

    @property
    def on_time_rate(self) -> Decimal | None:
        return _ratio(self.resolved_on_time, self.resolved)

    @property
    def satisfaction(self) -> Decimal | None:
        """The average score, 1–5."""
        return _ratio(self.score_sum, self.ratings, Decimal(1))

    def add(self, other: Counts) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def as_dict(self) -> dict[str, Any]:
        return {
            "received": self.received,
            "received_online": self.received_online,
            "received_desk": self.received_desk,
            "online_rate": self.online_rate,
            "resolved": self.resolved,
            "resolved_on_time": self.resolved_on_time,
            "resolved_late": self.resolved_late,
            "on_time_rate": self.on_time_rate,
            "in_progress": self.in_progress,
            "overdue": self.overdue,
            "fees": self.fees,
            "ratings": self.ratings,
            "satisfaction": self.satisfaction,
        }


@dataclass(frozen=True)
class StatRow:
    key: str  # the agency's or the procedure's code
    name: str
    counts: Counts


@dataclass(frozen=True)
class Statistics:
    period: Period
    by: str
    agency: str | None
    procedure: str | None
    as_of: dt.datetime  # the moment of the in-progress and overdue snapshot
    rows: list[StatRow]
    total: Counts


# --- Computing ------------------------------------------------------------------------------------


def dossier_statistics(
    *,
    actor: Any,
    period: str,
    by: str = "competent",
    agency: str | None = None,
    procedure: str | None = None,
    now: dt.datetime | None = None,
) -> Statistics:
    """The figures of the dossiers ``actor`` may see (see the module docstring)."""
    scope = agency_scope(actor, "services.view")
    if scope.empty:
        raise Forbidden(_("Bạn không có quyền xem số liệu thống kê hồ sơ thủ tục hành chính."))
    visible: Callable[[str], Q] = (
        (lambda prefix: Q())
        if scope.everything
        else (lambda prefix: scope.q(f"{prefix}receiving_agency") | scope.q(f"{prefix}competent_agency"))
    )
    return _compute(visible, period=period, by=by, agency=agency, procedure=procedure, now=now)


def _compute(
    visible: Callable[[str], Q],
    *,
    period: str,
    by: str,
    agency: str | None,
    procedure: str | None,
    now: dt.datetime | None,
) -> Statistics:
    if by not in BY:
        raise InvalidInput(
            _("Tham số by phải là một trong: {choices}.").format(choices=", ".join(BY)),
            errors=[{"field": "by", "message": _("không hợp lệ")}],
        )
    the_period = period_parse(period)
    moment = now or _now()
    start = dt.datetime.combine(the_period.start, dt.time.min, tzinfo=VN_TZ)
    end = dt.datetime.combine(the_period.end + dt.timedelta(days=1), dt.time.min, tzinfo=VN_TZ)
    agency_paths = _agency_paths(agency) if agency else None
    procedure_id = _procedure_id(procedure) if procedure else None

    def where(prefix: str) -> Q:
        """Which dossiers count, for a query on dossiers ("") or on rows of a dossier ("dossier__")."""
        q = visible(prefix) & ~Q(**{f"{prefix}status": S.DRAFT})
        if agency_paths is not None:
            involved = Q(pk__in=[])
            for path in agency_paths:
                involved |= Q(**{f"{prefix}receiving_agency__path__startswith": path})
                involved |= Q(**{f"{prefix}competent_agency__path__startswith": path})
            q &= involved
        if procedure_id is not None:
            q &= Q(**{f"{prefix}procedure_id": procedure_id})
        return q

    def within(name: str) -> Q:
        return Q(**{f"{name}__gte": start, f"{name}__lt": end})

    dim = BY[by]
    groups: dict[int, Counts] = {}

    def group(key: int) -> Counts:
        return groups.setdefault(key, Counts())

    received = within("received_at")
    resolved = Q(status=S.RETURNED) & within("returned_at")
    still_open = Q(status__in=OPEN, received_at__lt=end)
    overdue = Q(status__in=RUNNING, received_at__lt=end, due_at__lt=moment)
    dossiers = (
        Dossier.objects.filter(where(""))
        .filter(received | resolved | still_open)
        .values(dim)
        .order_by()
        .annotate(
            n_received=Count("pk", filter=received),
            n_online=Count("pk", filter=received & Q(channel=Channel.ONLINE)),
            n_resolved=Count("pk", filter=resolved),
            n_on_time=Count("pk", filter=resolved & Q(on_time=True)),
            n_late=Count("pk", filter=resolved & Q(on_time=False)),
            n_open=Count("pk", filter=still_open),
            n_overdue=Count("pk", filter=overdue),
        )
    )
    for row in dossiers:
        c = group(row[dim])
        c.received, c.received_online = row["n_received"], row["n_online"]
        c.resolved, c.resolved_on_time, c.resolved_late = row["n_resolved"], row["n_on_time"], row["n_late"]
        c.in_progress, c.overdue = row["n_open"], row["n_overdue"]
    key = f"dossier__{dim}"
    fees = (
        Payment.objects.filter(where("dossier__"), within("paid_at"), status=PaymentStatus.PAID)
        .values(key)
        .order_by()
        .annotate(total=Sum("amount"))
    )
    for row in fees:
        group(row[key]).fees = int(row["total"] or 0)
    ratings = (
        DossierRating.objects.filter(where("dossier__"), within("created_at"))
        .values(key)
        .order_by()
        .annotate(n=Count("pk"), points=Sum("score"))
    )
    for row in ratings:
        c = group(row[key])
        c.ratings, c.score_sum = row["n"], int(row["points"] or 0)
    rows = _label(by, groups, the_period.end)
    total = Counts()
    for r in rows:
        total.add(r.counts)
    return Statistics(
        period=the_period,
        by=by,
        agency=agency,
        procedure=procedure,
        as_of=moment,
        rows=rows,
        total=total,
    )


def _agency_paths(code: str) -> list[str]:
    paths = [p for p in Agency.objects.filter(code=code).values_list("path", flat=True) if p]
    if not paths:
        raise NotFound(_("Không có cơ quan, đơn vị mã {code}.").format(code=code))
    return paths


def _procedure_id(code: str) -> int:
    found = Procedure.objects.filter(code=code).values_list("pk", flat=True).first()
    if found is None:
        raise NotFound(_("Không có thủ tục mã {code} trong danh mục.").format(code=code))
    return found


def _label(by: str, groups: dict[int, Counts], day: dt.date) -> list[StatRow]:
    """One row per agency code (the versions of an agency add up; the name is the version valid at
    the end of the period, else the latest) or per procedure, by code."""
    merged: dict[str, StatRow] = {}
    if by == "procedure":
        for pk, code, name in Procedure.objects.filter(pk__in=list(groups)).values_list("pk", "code", "name"):
            merged[code] = StatRow(code, name, groups[pk])
    else:
        versions = Agency.objects.filter(pk__in=list(groups)).values_list(
            "pk", "code", "name", "valid_from", "valid_to"
        )
        names: dict[str, tuple[bool, dt.date, str]] = {}
        for pk, code, name, valid_from, valid_to in versions:
            current = (valid_from is None or valid_from <= day) and (valid_to is None or day < valid_to)
            rank = (current, valid_from or dt.date.min, name)
            if code not in names or rank > names[code]:
                names[code] = rank
            row = merged.setdefault(code, StatRow(code, name, Counts()))
            row.counts.add(groups[pk])
        merged = {code: StatRow(code, names[code][2], row.counts) for code, row in merged.items()}
    return [merged[code] for code in sorted(merged)]


# --- Publishing to the reporting module ------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    name: str
    unit: str
    figure: str = ""  # the Counts attribute published; "" for a computed indicator
    agg_time: str = Aggregation.SUM
    value_type: str = ValueType.INTEGER
    formula: str = ""


SOURCE = "Nguồn: hệ thống một cửa điện tử (congso, mô-đun thủ tục hành chính), theo cơ quan có thẩm quyền."
INDICATORS: tuple[IndicatorSpec, ...] = (
    IndicatorSpec("DVC.TIEP_NHAN", "Số hồ sơ thủ tục hành chính tiếp nhận", "hồ sơ", "received"),
    IndicatorSpec(
        "DVC.TRUC_TUYEN", "Số hồ sơ thủ tục hành chính tiếp nhận trực tuyến", "hồ sơ", "received_online"
    ),
    IndicatorSpec(
        "DVC.TRUC_TIEP",
        "Số hồ sơ thủ tục hành chính tiếp nhận trực tiếp tại bộ phận một cửa",
        "hồ sơ",
        "received_desk",
    ),
    IndicatorSpec(
        "DVC.DA_GIAI_QUYET", "Số hồ sơ thủ tục hành chính đã giải quyết, trả kết quả", "hồ sơ", "resolved"
    ),
    IndicatorSpec(
        "DVC.DUNG_HAN", "Số hồ sơ thủ tục hành chính giải quyết đúng hạn", "hồ sơ", "resolved_on_time"
    ),
    IndicatorSpec("DVC.TRE_HAN", "Số hồ sơ thủ tục hành chính giải quyết quá hạn", "hồ sơ", "resolved_late"),
    IndicatorSpec(
        "DVC.DANG_GIAI_QUYET",
        "Số hồ sơ thủ tục hành chính đang giải quyết (cuối kỳ)",
        "hồ sơ",
        "in_progress",
        agg_time=Aggregation.LAST,
    ),
    IndicatorSpec(
        "DVC.QUA_HAN",
        "Số hồ sơ thủ tục hành chính đang giải quyết đã quá hạn (cuối kỳ)",
        "hồ sơ",
        "overdue",
        agg_time=Aggregation.LAST,
    ),
    IndicatorSpec("DVC.PHI", "Số phí, lệ phí thủ tục hành chính đã thu", "đồng", "fees"),
    IndicatorSpec("DVC.DANH_GIA", "Số lượt đánh giá mức độ hài lòng", "lượt", "ratings"),
    IndicatorSpec("DVC.DIEM_DANH_GIA", "Tổng điểm đánh giá mức độ hài lòng (thang 1–5)", "điểm", "score_sum"),
    # Computed: ratios of the sums, at every level and over any run of periods.
    IndicatorSpec(
        "DVC.TL_TRUC_TUYEN",
        "Tỷ lệ hồ sơ thủ tục hành chính tiếp nhận trực tuyến",
        "%",
        formula="{DVC.TRUC_TUYEN} * 100 / {DVC.TIEP_NHAN}",
    ),
    IndicatorSpec(
        "DVC.TL_DUNG_HAN",
        "Tỷ lệ hồ sơ thủ tục hành chính giải quyết đúng hạn",
        "%",
        formula="{DVC.DUNG_HAN} * 100 / {DVC.DA_GIAI_QUYET}",
    ),
    IndicatorSpec(
        "DVC.HAI_LONG",
        "Mức độ hài lòng bình quân của người dân, doanh nghiệp (thang 1–5)",
        "điểm",
        formula="{DVC.DIEM_DANH_GIA} / {DVC.DANH_GIA}",
    ),
)


@dataclass
class PublishReport:
    period: str
    values: int = 0  # data values saved
    agencies: list[str] = field(default_factory=list)  # the competent agencies published
    skipped: list[str] = field(default_factory=list)  # not valid in the period, or with no unit
    indicators_created: list[str] = field(default_factory=list)


def indicators_ensure() -> list[str]:
    """Create the "DVC.*" indicators that are missing (idempotent); the codes created."""
    created = []
    for spec in INDICATORS:
        try:
            reporting_selectors.indicator_get(spec.code)
            continue
        except NotFound:
            pass
        try:
            reporting.indicator_create(
                actor=None,
                code=spec.code,
                name=spec.name,
                unit_of_measure=spec.unit,
                value_type=ValueType.NUMBER if spec.formula else spec.value_type,
                agg_units=Aggregation.SUM,
                agg_time=spec.agg_time,
                formula=spec.formula or None,
                formula_valid_from=dt.date(2025, 1, 1) if spec.formula else None,
                min_value=Decimal(0) if not spec.formula else None,
                description=SOURCE,
            )
        except Conflict:  # another publisher created it meanwhile
            continue
        created.append(spec.code)
    return created


def statistics_publish(*, period: str, now: dt.datetime | None = None) -> PublishReport:
    """Push the period's figures of every competent agency to the reporting module, as the system.
    Every agency competent for a dossier received by the end of the period gets every figure (zeros
    included), so publishing again after a change overwrites each cell it wrote before."""
    the_period = period_parse(period)
    report = PublishReport(period=the_period.code, indicators_created=indicators_ensure())
    stats = _compute(
        lambda prefix: Q(), period=the_period.code, by="competent", agency=None, procedure=None, now=now
    )
    end = dt.datetime.combine(the_period.end + dt.timedelta(days=1), dt.time.min, tzinfo=VN_TZ)
    figures = {row.key: row.counts for row in stats.rows}
    ever = Dossier.objects.exclude(status=S.DRAFT).filter(received_at__lt=end)
    codes = set(ever.values_list("competent_agency__code", flat=True).distinct()) | set(figures)
    # The agency must exist in the period (its version at the end or the start) and serve a unit.
    publishable = set(
        Agency.objects.filter(code__in=codes, unit__isnull=False)
        .filter(valid_on(the_period.end) | valid_on(the_period.start))
        .values_list("code", flat=True)
    )
    report.agencies = sorted(publishable)
    report.skipped = sorted(codes - publishable)
    rows = [
        reporting.ValueRow(
            spec.code, code, the_period.code, str(getattr(figures.get(code, Counts()), spec.figure))
        )
        for code in report.agencies
        for spec in INDICATORS
        if spec.figure
    ]
    with transaction.atomic():
        if rows:
            report.values = reporting.datavalues_import(
                actor=SystemActor("system"), rows=rows, source="services.statistics"
            ).saved
        audit_record(
            actor=None,
            action="services.statistics.publish",
            target=("services.statistics", the_period.code),
            after={
                "period": the_period.code,
                "as_of": stats.as_of,
                "values": report.values,
                "agencies": len(report.agencies),
                "skipped": report.skipped[:50],
                "total": {k: v for k, v in stats.total.as_dict().items() if isinstance(v, int)},
            },
        )
    return report


def previous_month(today: dt.date) -> str:
    """The code of the month before ``today``'s: 2026-12-01 -> "2026M11"."""
    last = today.replace(day=1) - dt.timedelta(days=1)
    return f"{last.year}M{last.month:02d}"


def statistics_publish_previous_month(today: dt.date | None = None) -> PublishReport:
    """What the monthly task runs (on the 1st): last month's figures."""
    return statistics_publish(period=previous_month(today or timezone.localdate()))
