"""Reporting periods: calendar periods and Decree 09/2019's data windows.

Codes: ``2024M01`` (month), ``2024Q1`` (quarter), ``2024S1`` (half year), ``2024`` (year); the
same with ``-ND09`` for Decree 09/2019/NĐ-CP's windows, which run from the 15th of the month
before the period to the 14th of its last month: ``2024M01-ND09`` is 15/12/2023–14/01/2024,
``2024Q1-ND09`` 15/12/2023–14/03/2024, ``2024S1-ND09`` 15/12/2023–14/06/2024 and
``2024-ND09`` 15/12/2023–14/12/2024.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from congso.core.errors import InvalidInput

_CODE = re.compile(r"^(?P<year>\d{4})(?:(?P<kind>[MQS])(?P<num>\d{1,2}))?(?P<nd09>-ND09)?$")
_MONTHS = {"M": 1, "Q": 3, "S": 6, "Y": 12}
_COUNT = {"M": 12, "Q": 4, "S": 2, "Y": 1}


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, day.day)


@dataclass(frozen=True, order=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive
    code: str
    type: str  # M, Q, S, Y
    nd09: bool

    @property
    def sdmx(self) -> str:
        """SDMX reporting-period notation: 2024-M01, 2024-Q1, 2024-S1, 2024-A1."""
        year = self.code[:4]
        if self.type == "Y":
            return f"{year}-A1"
        number = int(self.code[5:].split("-")[0])
        return f"{year}-{self.type}{number:02d}" if self.type == "M" else f"{year}-{self.type}{number}"


def period_of(year: int, type_: str, number: int = 1, *, nd09: bool = False) -> Period:
    if type_ not in _MONTHS:
        raise InvalidInput(f"Loại kỳ '{type_}' không hợp lệ (M, Q, S hoặc Y).")
    if not 1 <= number <= _COUNT[type_]:
        raise InvalidInput(f"Kỳ số {number} không có trong loại kỳ {type_}.")
    months = _MONTHS[type_]
    first = dt.date(year, (number - 1) * months + 1, 1)
    last_month_start = _add_months(first, months - 1)
    if nd09:
        start = _add_months(first, -1).replace(day=15)
        end = last_month_start.replace(day=14)
    else:
        start = first
        end = _add_months(first, months) - dt.timedelta(days=1)
    body = (
        str(year)
        if type_ == "Y"
        else f"{year}{type_}{number:02d}"
        if type_ == "M"
        else f"{year}{type_}{number}"
    )
    return Period(start=start, end=end, code=body + ("-ND09" if nd09 else ""), type=type_, nd09=nd09)


def period_parse(code: str) -> Period:
    match = _CODE.match((code or "").strip().upper())
    if not match:
        raise InvalidInput(
            f"Kỳ báo cáo '{code}' không đúng dạng: dùng 2024M01, 2024Q1, 2024S1, 2024 "
            "(thêm -ND09 cho kỳ theo Nghị định 09/2019)."
        )
    year = int(match["year"])
    kind = match["kind"] or "Y"
    number = int(match["num"]) if match["num"] else 1
    if not 1990 <= year <= 2100:
        raise InvalidInput(f"Năm {year} của kỳ báo cáo '{code}' nằm ngoài khoảng 1990–2100.")
    return period_of(year, kind, number, nd09=bool(match["nd09"]))


def periods_of_year(year: int, type_: str, *, nd09: bool = False) -> list[Period]:
    return [period_of(year, type_, n, nd09=nd09) for n in range(1, _COUNT[type_] + 1)]


def period_containing(day: dt.date, type_: str, *, nd09: bool = False) -> Period:
    """The period of this type whose window contains ``day``."""
    for year in (day.year, day.year + 1):
        for period in periods_of_year(year, type_, nd09=nd09):
            if period.start <= day <= period.end:
                return period
    raise InvalidInput(f"Không có kỳ {type_} nào chứa ngày {day:%d/%m/%Y}.")
