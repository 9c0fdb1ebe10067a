"""The override services: effect on the calendar, audit, validation, cache invalidation."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from congso.core.audit.models import AuditEvent
from congso.core.calendar import workdays
from congso.core.calendar.models import CalendarOverride
from congso.core.calendar.official import OFFICIAL_OVERRIDES
from congso.core.calendar.services import (
    calendar_override_delete,
    calendar_override_set,
    holidays_in,
    is_working_day,
)
from congso.core.errors import InvalidInput, NotFound
from congso.core.localcache import SharedVersionCache

pytestmark = pytest.mark.django_db

SATURDAY = date(2025, 3, 15)
WEDNESDAY = date(2025, 3, 12)


def calendar_events():
    """The calendar's audit events (the session's seed wrote others before these tests)."""
    return AuditEvent.objects.filter(action__startswith="calendar.")


@pytest.fixture
def admin() -> Any:
    return get_user_model().objects.create_user(username="quantri.lich", full_name="Quản trị lịch")


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks: Callable[..., Any]) -> Callable[..., Any]:
    """Run the service's on-commit callbacks, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_official_overrides_are_loaded_by_the_migration() -> None:
    rows = {o.day: (o.kind, o.legal_basis) for o in CalendarOverride.objects.all()}
    assert rows == {e.day: (e.kind, e.legal_basis) for e in OFFICIAL_OVERRIDES}
    assert rows[date(2026, 1, 2)][0] == "day_off"
    assert rows[date(2026, 1, 10)][0] == "working_day"


def test_saturday_made_a_working_day(admin: Any, on_commit: Callable[..., Any]) -> None:
    assert not is_working_day(SATURDAY)
    with on_commit():
        override = calendar_override_set(
            actor=admin,
            day=SATURDAY,
            kind="working_day",
            name="Làm bù cho ngày nghỉ 17/03/2025",
            legal_basis="Thông báo thử nghiệm",
        )
    assert is_working_day(SATURDAY)
    assert SATURDAY not in dict(holidays_in(2025))
    events = list(calendar_events())
    assert len(events) == 1
    event = events[0]
    assert event.action == "calendar.override.set"
    assert event.actor_id == admin.pk
    assert (event.target_type, event.target_id) == ("workcal.calendaroverride", str(override.pk))
    assert event.before is None
    assert event.after == {
        "day": "2025-03-15",
        "kind": "working_day",
        "name": "Làm bù cho ngày nghỉ 17/03/2025",
        "legal_basis": "Thông báo thử nghiệm",
    }


def test_extra_day_off(admin: Any, on_commit: Callable[..., Any]) -> None:
    assert is_working_day(WEDNESDAY)
    with on_commit():
        calendar_override_set(actor=admin, day=WEDNESDAY, kind="day_off", name="Nghỉ đột xuất")
    assert not is_working_day(WEDNESDAY)
    assert dict(holidays_in(2025))[WEDNESDAY] == "Nghỉ đột xuất"
    assert calendar_events().count() == 1


def test_override_wins_over_a_public_holiday(admin: Any, on_commit: Callable[..., Any]) -> None:
    holiday = date(2026, 11, 24)
    assert not is_working_day(holiday)
    with on_commit():
        calendar_override_set(actor=admin, day=holiday, kind="working_day", name="Ngày làm việc bình thường")
    assert is_working_day(holiday)
    assert holiday not in dict(holidays_in(2026))


def test_set_replaces_the_existing_override(admin: Any, on_commit: Callable[..., Any]) -> None:
    with on_commit():
        first = calendar_override_set(actor=admin, day=WEDNESDAY, kind="day_off", name="Nghỉ A")
    with on_commit():
        second = calendar_override_set(
            actor=admin, day=WEDNESDAY, kind="working_day", name="Làm việc B", legal_basis="QĐ 1"
        )
    assert second.pk == first.pk
    assert CalendarOverride.objects.filter(day=WEDNESDAY).count() == 1
    assert is_working_day(WEDNESDAY)
    last = calendar_events().order_by("seq").last()
    assert last is not None
    assert calendar_events().count() == 2
    assert last.before == {"day": "2025-03-12", "kind": "day_off", "name": "Nghỉ A", "legal_basis": ""}
    assert last.after == {
        "day": "2025-03-12",
        "kind": "working_day",
        "name": "Làm việc B",
        "legal_basis": "QĐ 1",
    }


def test_delete_restores_the_base_rules(admin: Any, on_commit: Callable[..., Any]) -> None:
    with on_commit():
        override = calendar_override_set(actor=admin, day=SATURDAY, kind="working_day", name="Làm bù")
    pk = override.pk
    assert is_working_day(SATURDAY)
    with on_commit():
        calendar_override_delete(actor=admin, day=SATURDAY)
    assert not is_working_day(SATURDAY)
    assert not CalendarOverride.objects.filter(day=SATURDAY).exists()
    events = list(calendar_events().order_by("seq"))
    assert [e.action for e in events] == ["calendar.override.set", "calendar.override.delete"]
    deleted = events[1]
    assert (deleted.target_type, deleted.target_id) == ("workcal.calendaroverride", str(pk))
    assert deleted.before == {"day": "2025-03-15", "kind": "working_day", "name": "Làm bù", "legal_basis": ""}
    assert deleted.after is None


def test_delete_an_official_override(admin: Any, on_commit: Callable[..., Any]) -> None:
    assert not is_working_day(date(2026, 1, 2))
    with on_commit():
        calendar_override_delete(actor=admin, day=date(2026, 1, 2))
    assert is_working_day(date(2026, 1, 2))
    assert calendar_events().count() == 1


def test_delete_missing_override_is_not_found_and_writes_nothing(admin: Any) -> None:
    with pytest.raises(NotFound) as caught:
        calendar_override_delete(actor=admin, day=WEDNESDAY)
    assert str(caught.value) == "Không có ngày ngoại lệ nào cho ngày 12/03/2025."
    assert calendar_events().count() == 0


def test_invalid_kind_is_refused_and_nothing_is_written(admin: Any) -> None:
    rows_before = list(CalendarOverride.objects.values_list("day", "kind", "name"))
    with pytest.raises(InvalidInput) as caught:
        calendar_override_set(actor=admin, day=WEDNESDAY, kind="holiday", name="Nghỉ")
    assert str(caught.value) == (
        "Loại ngày ngoại lệ không hợp lệ: “holiday”. Chỉ chấp nhận “day_off” (ngày nghỉ) "
        "hoặc “working_day” (ngày làm việc)."
    )
    assert caught.value.errors == [{"field": "kind", "message": "Loại ngày ngoại lệ không hợp lệ."}]
    assert list(CalendarOverride.objects.values_list("day", "kind", "name")) == rows_before
    assert calendar_events().count() == 0
    assert is_working_day(WEDNESDAY)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "   "}, "Tên ngày ngoại lệ không được để trống."),
        ({"name": "x" * 201}, "Tên ngày ngoại lệ dài quá 200 ký tự."),
        ({"legal_basis": "x" * 301}, "Căn cứ pháp lý dài quá 300 ký tự."),
        ({"day": datetime(2025, 3, 12, 9, 0)}, "Ngày không hợp lệ: cần một ngày (không kèm giờ)."),
    ],
)
def test_other_invalid_input_writes_nothing(admin: Any, kwargs: dict[str, Any], message: str) -> None:
    arguments: dict[str, Any] = {"day": WEDNESDAY, "kind": "day_off", "name": "Nghỉ", **kwargs}
    with pytest.raises(InvalidInput) as caught:
        calendar_override_set(actor=admin, **arguments)
    assert str(caught.value) == message
    assert not CalendarOverride.objects.filter(day=WEDNESDAY).exists()
    assert calendar_events().count() == 0


def test_cache_is_cleared_only_after_commit(admin: Any, django_capture_on_commit_callbacks: Any) -> None:
    assert not is_working_day(SATURDAY)  # 2025 is now cached
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        calendar_override_set(actor=admin, day=SATURDAY, kind="working_day", name="Làm bù")
    assert len(callbacks) == 1
    assert not is_working_day(SATURDAY)  # not committed yet: the cached year stands
    callbacks[0]()
    assert is_working_day(SATURDAY)


def test_other_processes_drop_their_cache_when_the_version_changes() -> None:
    assert is_working_day(WEDNESDAY)
    # Another process changes the overrides behind this one's back, then bumps the version.
    CalendarOverride.objects.create(day=WEDNESDAY, kind="day_off", name="Nghỉ")
    assert is_working_day(WEDNESDAY)  # still cached here
    SharedVersionCache[object]("workcal.years").invalidate_now()  # that process's own instance
    workdays.YEARS._checked_at = -math.inf  # as if 30 s had passed since this one last looked
    assert not is_working_day(WEDNESDAY)
