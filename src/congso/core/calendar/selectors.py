"""Reads of the working-day calendar's stored overrides. The calendar is public: no scoping."""

from __future__ import annotations

from datetime import date

from congso.core.calendar.models import CalendarOverride


def overrides_in_year(year: int) -> list[CalendarOverride]:
    """The overrides of one calendar year, by day."""
    return list(CalendarOverride.objects.filter(day__year=year).order_by("day"))


def override_get(day: date) -> CalendarOverride | None:
    return CalendarOverride.objects.filter(day=day).first()
