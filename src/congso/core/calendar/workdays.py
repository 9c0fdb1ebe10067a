"""Working days, public holidays and one-stop deadlines (pure functions, cached per year).

A day is a *working day* unless it is a non-working day under these rules, in this order:

1. a stored :class:`~congso.core.calendar.models.CalendarOverride` for the day wins:
   ``day_off`` makes it a day off, ``working_day`` makes it a working day;
2. otherwise a public holiday or substituted day off known to the ``holidays`` package
   (``holidays.VN``: Labour Code 2019 art. 112 with the Vietnamese lunar calendar, the
   compensatory days when a holiday falls on a weekend, the extra day beside 2/9 and the swaps
   the package lists) is a day off;
3. otherwise a Saturday the package lists as a swapped working day is a working day;
4. otherwise Saturday and Sunday are days off, Monday to Friday are working days.

The set of non-working days is computed once per year and kept in memory. The override
services clear it after their transaction commits and bump its version row (core/localcache.py)
so that other processes drop theirs too (within 30 s).

All dates are calendar days in Vietnam (Asia/Ho_Chi_Minh, UTC+7 all year).
"""

from __future__ import annotations

import functools
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

from congso.core.calendar.models import OverrideKind
from congso.core.calendar.selectors import overrides_in_year
from congso.core.localcache import SharedVersionCache

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# One-stop defaults: a dossier received after 16:00 counts as received on the next working day;
# deadlines fall at the end of office hours.
DEFAULT_CUTOFF_HOUR = 16
OFFICE_CLOSE = time(17, 0)

# The years ``holidays`` has Vietnamese lunar dates for; outside them Tết would silently vanish.
FIRST_YEAR, LAST_YEAR = 1901, 2100


@dataclass(frozen=True, slots=True)
class _Year:
    off: frozenset[date]  # every non-working day of the year, weekends included
    working: tuple[int, ...]  # proleptic ordinals of the working days, ascending
    named: tuple[tuple[date, str], ...]  # holidays and override days off, by day


# --- the base rules (the ``holidays`` package), never change at run time ---------------------


@functools.lru_cache(maxsize=256)
def _base_year(year: int) -> tuple[dict[date, str], frozenset[date]]:
    """Holidays (Vietnamese names) and swapped working Saturdays of ``year`` per ``holidays``.

    The neighbouring years are generated too: a swap can cross the new year (e.g. 31/12/2018
    off, worked on 5/1/2019, is listed under 2018).
    """
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"the working-day calendar covers {FIRST_YEAR}–{LAST_YEAR}, not {year}")
    vn = holidays.country_holidays("VN", years=(year - 1, year, year + 1), language="vi")
    named = {day: str(name) for day, name in vn.items() if day.year == year}
    worked_weekends = frozenset(day for day in vn.weekend_workdays if day.year == year)
    return named, worked_weekends


def _build_year(year: int) -> _Year:
    base_named, worked_weekends = _base_year(year)
    named = dict(base_named)
    working_weekend_days = set(worked_weekends)
    for override in overrides_in_year(year):
        if override.kind == OverrideKind.DAY_OFF:
            named[override.day] = override.name
            working_weekend_days.discard(override.day)
        else:
            named.pop(override.day, None)
            working_weekend_days.add(override.day)
    off: set[date] = set()
    working: list[int] = []
    day = date(year, 1, 1)
    one = timedelta(days=1)
    while day.year == year:
        if day in named or (day.weekday() >= 5 and day not in working_weekend_days):
            off.add(day)
        else:
            working.append(day.toordinal())
        day += one
    return _Year(off=frozenset(off), working=tuple(working), named=tuple(sorted(named.items())))


# --- the per-year cache -----------------------------------------------------------------------


# Every process keeps the years it computed (core/localcache.py); the override services drop
# them after their transaction commits, here at once and in the other processes within 30 s.
YEARS = SharedVersionCache[_Year]("workcal.years", check_seconds=30.0)


def _year(year: int) -> _Year:
    data = YEARS.get(year, lambda: _build_year(year))
    assert data is not None  # a year is always built
    return data


def clear_cache() -> None:
    """Drop this process's cached years (tests, or after loading overrides by hand)."""
    YEARS.reset()


def invalidate_cache() -> None:
    """Drop the cached years here and, through the version row, in every other process.

    The override services call this from ``transaction.on_commit``: it acts at once.
    """
    YEARS.invalidate_now()


# --- the public API -----------------------------------------------------------------------------


def _check_date(day: date) -> None:
    if type(day) is not date:
        # A datetime is a date subclass but never equal to one: it would always look "working".
        raise TypeError(f"expected a date, got {type(day).__name__}")


def is_working_day(day: date) -> bool:
    """Whether officials work on ``day`` (see the module docstring for the rules)."""
    _check_date(day)
    return day not in _year(day.year).off


def next_working_day(day: date) -> date:
    """The first working day strictly after ``day``."""
    _check_date(day)
    return add_working_days(day + timedelta(days=1), 0)


def add_working_days(start: date, n: int) -> date:
    """Move ``n`` working days from ``start``.

    ``n >= 0``: ``start`` is first moved forward to a working day (itself if it is one), then
    ``n`` working days are counted forward: ``n = 0`` gives ``start`` or the next working day.
    ``n < 0`` mirrors it: ``start`` is first moved back to a working day (itself if it is one),
    then ``|n|`` working days are counted backward. For a working day ``d``,
    ``add_working_days(add_working_days(d, n), -n) == d``.
    """
    _check_date(start)
    year = start.year
    days = _year(year).working
    if n >= 0:
        i = bisect_left(days, start.toordinal())  # the first working day >= start
        while i + n >= len(days):
            n -= len(days) - i
            year += 1
            days = _year(year).working
            i = 0
        return date.fromordinal(days[i + n])
    k = -n
    i = bisect_right(days, start.toordinal()) - 1  # the last working day <= start (-1: none)
    while i - k < 0:
        k -= i + 1
        year -= 1
        days = _year(year).working
        i = len(days) - 1
    return date.fromordinal(days[i - k])


def working_days_between(start: date, end: date) -> int:
    """How many working days lie in ``(start, end]``: ``start`` excluded, ``end`` included.

    0 when ``end <= start``. For a working day ``d`` and ``n >= 0``,
    ``working_days_between(d, add_working_days(d, n)) == n``.
    """
    _check_date(start)
    _check_date(end)
    if end <= start:
        return 0
    first, last = start.toordinal(), end.toordinal()
    total = 0
    for year in range(start.year, end.year + 1):
        days = _year(year).working
        total += bisect_right(days, last) - bisect_right(days, first)
    return total


def _local(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("an aware datetime is required (USE_TZ is on)")
    return moment.astimezone(VN_TZ)


def receipt_day(received_at: datetime, *, cutoff_hour: int = DEFAULT_CUTOFF_HOUR) -> date:
    """The working day a dossier counts as received on (one-stop rule).

    Received on a working day up to ``cutoff_hour``:00:00 local time: that day. Received later
    that day, or on a day off: the next working day.
    """
    if not 0 <= cutoff_hour <= 23:
        raise ValueError("cutoff_hour must be between 0 and 23")
    local = _local(received_at)
    day = local.date()
    if is_working_day(day) and local.time().replace(tzinfo=None) <= time(cutoff_hour):
        return day
    return next_working_day(day)


def deadline(
    received_at: datetime,
    working_days: int,
    *,
    cutoff_hour: int = DEFAULT_CUTOFF_HOUR,
    close_at: time = OFFICE_CLOSE,
) -> datetime:
    """When a dossier received at ``received_at`` with ``working_days`` to process is due.

    The dossier counts as received on :func:`receipt_day`; it is due at ``close_at`` (local
    time, 17:00 by default) on the working day ``working_days`` working days after that
    (the receipt day itself for 0). Returns an aware datetime in Asia/Ho_Chi_Minh.
    """
    if working_days < 0:
        raise ValueError("working_days must be >= 0")
    start = receipt_day(received_at, cutoff_hour=cutoff_hour)
    due = add_working_days(start, working_days)
    return datetime.combine(due, close_at.replace(tzinfo=None), tzinfo=VN_TZ)


def holidays_in(year: int) -> list[tuple[date, str]]:
    """The named days off of ``year`` with Vietnamese names, overrides applied, by day.

    Public holidays (also those falling on a weekend), compensatory and substituted days off,
    and ``day_off`` overrides; a ``working_day`` override removes a day. Plain weekends and
    swapped working Saturdays are not listed.
    """
    return list(_year(year).named)
