"""HTTP API for the working-day calendar: every module's deadlines come from here."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema

from congso.core.api.params import parse_date
from congso.core.calendar import services
from congso.core.errors import InvalidInput

router = Router(tags=["calendar"])


def _check_year(day: dt.date) -> None:
    # The lunar holidays are known for 1901–2100; keep a margin for the ±3650 working days.
    if not 1990 <= day.year <= 2080:
        raise InvalidInput(f"Ngày {day:%d/%m/%Y} nằm ngoài khoảng lịch hỗ trợ (1990–2080).")


class HolidayOut(Schema):
    date: dt.date
    name: str


class YearOut(Schema):
    year: int
    days_off: list[HolidayOut]


@router.get("/holidays/{year}", response=YearOut, summary="Ngày nghỉ lễ, Tết và ngày nghỉ bù trong năm")
def holidays(request: HttpRequest, year: int):
    if not 1990 <= year <= 2100:
        raise InvalidInput(f"Năm {year} nằm ngoài khoảng 1990–2100.")
    return {"year": year, "days_off": [{"date": d, "name": n} for d, n in services.holidays_in(year)]}


class AddOut(Schema):
    start: dt.date
    working_days: int
    result: dt.date


@router.get("/add", response=AddOut, summary="Cộng số ngày làm việc")
def add(request: HttpRequest, start: str, days: int):
    day = parse_date(start, field="start")
    if not -3650 <= days <= 3650:
        raise InvalidInput("Số ngày làm việc phải trong khoảng ±3650.")
    _check_year(day)
    return {"start": day, "working_days": days, "result": services.add_working_days(day, days)}


class BetweenOut(Schema):
    start: dt.date
    end: dt.date
    working_days: int


@router.get("/between", response=BetweenOut, summary="Số ngày làm việc giữa hai ngày")
def between(request: HttpRequest, start: str, end: str):
    a, b = parse_date(start, field="start"), parse_date(end, field="end")
    _check_year(a)
    _check_year(b)
    return {"start": a, "end": b, "working_days": services.working_days_between(a, b)}
