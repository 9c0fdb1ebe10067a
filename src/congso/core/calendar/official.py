"""Days off and swapped working days the state announced that the ``holidays`` package lacks.

Loaded by migration ``0002_official_overrides``; see docs/decisions/0004-working-day-calendar.md
for what ``holidays`` already covers and why each entry is here. Add a year's entries here (and
a migration calling :func:`load_official_overrides`) when the state announces them, or set them
at run time with ``calendar_override_set``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True)
class OfficialOverride:
    day: date
    kind: str  # "day_off" | "working_day"
    name: str
    legal_basis: str


_NEW_YEAR_2026 = (
    "Văn bản số 12729/VPCP-KGVX ngày 25/12/2025 của Văn phòng Chính phủ "
    "(ý kiến Phó Thủ tướng về việc nghỉ Tết Dương lịch năm 2026)"
)

OFFICIAL_OVERRIDES: tuple[OfficialOverride, ...] = (
    # Tết Dương lịch 2026: off Thursday 1/1 to Sunday 4/1; Friday 2/1 is swapped with
    # Saturday 10/1, which becomes a working day.
    OfficialOverride(
        day=date(2026, 1, 2),
        kind="day_off",
        name="Nghỉ Tết Dương lịch (hoán đổi, làm bù thứ Bảy 10/01/2026)",
        legal_basis=_NEW_YEAR_2026,
    ),
    OfficialOverride(
        day=date(2026, 1, 10),
        kind="working_day",
        name="Làm bù cho ngày nghỉ 02/01/2026 (Tết Dương lịch)",
        legal_basis=_NEW_YEAR_2026,
    ),
)


def load_official_overrides(model: Any = None) -> int:
    """Create or update the official overrides; returns how many rows were written.

    ``model`` is the historical ``CalendarOverride`` when called from a migration. No audit
    event is written: this is reference data shipped with the code, reviewed like code.
    """
    if model is None:
        from congso.core.calendar.models import CalendarOverride

        model = CalendarOverride
    for entry in OFFICIAL_OVERRIDES:
        model.objects.update_or_create(
            day=entry.day,
            defaults={"kind": entry.kind, "name": entry.name, "legal_basis": entry.legal_basis},
        )
    return len(OFFICIAL_OVERRIDES)


def unload_official_overrides(model: Any = None) -> None:
    if model is None:
        from congso.core.calendar.models import CalendarOverride

        model = CalendarOverride
    model.objects.filter(day__in=[entry.day for entry in OFFICIAL_OVERRIDES]).delete()
