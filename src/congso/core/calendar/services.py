"""The working-day calendar's public API: the pure functions every module uses, and the writes
of the yearly overrides the state announces.

Permission checks are the caller's (the policy layer); these services only validate and write.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from congso.core.audit.services import audit_record
from congso.core.calendar.models import CalendarOverride, OverrideKind
from congso.core.calendar.workdays import (
    DEFAULT_CUTOFF_HOUR,
    OFFICE_CLOSE,
    VN_TZ,
    add_working_days,
    deadline,
    holidays_in,
    invalidate_cache,
    is_working_day,
    next_working_day,
    receipt_day,
    working_days_between,
)
from congso.core.errors import InvalidInput, NotFound

__all__ = [
    "DEFAULT_CUTOFF_HOUR",
    "OFFICE_CLOSE",
    "VN_TZ",
    "add_working_days",
    "calendar_override_delete",
    "calendar_override_set",
    "deadline",
    "holidays_in",
    "is_working_day",
    "next_working_day",
    "receipt_day",
    "working_days_between",
]

_NAME_MAX = CalendarOverride._meta.get_field("name").max_length or 200
_BASIS_MAX = CalendarOverride._meta.get_field("legal_basis").max_length or 300


def _validated_day(day: Any) -> date:
    if type(day) is not date:
        raise InvalidInput(
            "Ngày không hợp lệ: cần một ngày (không kèm giờ).",
            errors=[{"field": "day", "message": "Ngày không hợp lệ."}],
        )
    return day


def calendar_override_set(
    *, actor: Any, day: date, kind: str, name: str, legal_basis: str = ""
) -> CalendarOverride:
    """Make ``day`` a day off (``kind="day_off"``) or a working day (``kind="working_day"``).

    Creates the override or replaces the one already set for that day. Audited as
    ``calendar.override.set``; the calendar cache is cleared after commit.
    """
    day = _validated_day(day)
    if kind not in OverrideKind.values:
        raise InvalidInput(
            f"Loại ngày ngoại lệ không hợp lệ: “{kind}”. Chỉ chấp nhận “day_off” (ngày nghỉ) "
            "hoặc “working_day” (ngày làm việc).",
            errors=[{"field": "kind", "message": "Loại ngày ngoại lệ không hợp lệ."}],
        )
    name = (name or "").strip()
    legal_basis = (legal_basis or "").strip()
    if not name:
        raise InvalidInput(
            "Tên ngày ngoại lệ không được để trống.",
            errors=[{"field": "name", "message": "Bắt buộc nhập tên."}],
        )
    if len(name) > _NAME_MAX:
        raise InvalidInput(
            f"Tên ngày ngoại lệ dài quá {_NAME_MAX} ký tự.",
            errors=[{"field": "name", "message": f"Tối đa {_NAME_MAX} ký tự."}],
        )
    if len(legal_basis) > _BASIS_MAX:
        raise InvalidInput(
            f"Căn cứ pháp lý dài quá {_BASIS_MAX} ký tự.",
            errors=[{"field": "legal_basis", "message": f"Tối đa {_BASIS_MAX} ký tự."}],
        )
    with transaction.atomic():
        override = CalendarOverride.objects.select_for_update().filter(day=day).first()
        before = override.as_dict() if override is not None else None
        if override is None:
            override = CalendarOverride(day=day)
        override.kind, override.name, override.legal_basis = kind, name, legal_basis
        override.save()
        audit_record(
            actor=actor,
            action="calendar.override.set",
            target=override,
            before=before,
            after=override.as_dict(),
        )
        transaction.on_commit(invalidate_cache)
    return override


def calendar_override_delete(*, actor: Any, day: date) -> None:
    """Remove the override of ``day``: the base rules apply to it again.

    Audited as ``calendar.override.delete``; the calendar cache is cleared after commit.
    """
    day = _validated_day(day)
    with transaction.atomic():
        override = CalendarOverride.objects.select_for_update().filter(day=day).first()
        if override is None:
            raise NotFound(f"Không có ngày ngoại lệ nào cho ngày {day:%d/%m/%Y}.")
        # Recorded before the delete, while the row still has its id.
        audit_record(
            actor=actor,
            action="calendar.override.delete",
            target=override,
            before=override.as_dict(),
            after=None,
        )
        override.delete()
        transaction.on_commit(invalidate_cache)
