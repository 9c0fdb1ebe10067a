"""The base rules (weekends, holidays from ``holidays.VN``) plus the shipped official overrides."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from congso.core.calendar.services import (
    VN_TZ,
    add_working_days,
    deadline,
    holidays_in,
    is_working_day,
    next_working_day,
    receipt_day,
    working_days_between,
)

pytestmark = pytest.mark.django_db


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def off_days(start: date, end: date) -> list[date]:
    return [d for d in days(start, end) if not is_working_day(d)]


# --- weekends and holidays, year by year ------------------------------------------------------


def test_ordinary_week() -> None:
    week = days(date(2025, 3, 10), date(2025, 3, 16))  # Monday to Sunday
    assert [is_working_day(d) for d in week] == [True, True, True, True, True, False, False]


def test_tet_2024_off_8_to_14_february() -> None:
    assert off_days(date(2024, 2, 5), date(2024, 2, 18)) == [
        *days(date(2024, 2, 8), date(2024, 2, 14)),
        date(2024, 2, 17),
        date(2024, 2, 18),
    ]
    assert is_working_day(date(2024, 2, 7))
    assert is_working_day(date(2024, 2, 15))


def test_tet_2025_nine_days_off_25_january_to_2_february() -> None:
    assert off_days(date(2025, 1, 20), date(2025, 2, 7)) == [
        date(2025, 1, 25),
        date(2025, 1, 26),
        *days(date(2025, 1, 27), date(2025, 1, 31)),  # the five weekdays of Tết
        date(2025, 2, 1),
        date(2025, 2, 2),
    ]
    assert is_working_day(date(2025, 1, 24))
    assert is_working_day(date(2025, 2, 3))


def test_tet_2026_nine_days_off_14_to_22_february() -> None:
    assert off_days(date(2026, 2, 9), date(2026, 2, 27)) == days(date(2026, 2, 14), date(2026, 2, 22))
    assert is_working_day(date(2026, 2, 13))
    assert is_working_day(date(2026, 2, 23))


def test_tet_lunar_dates_follow_the_vietnamese_calendar() -> None:
    # UTC+7 vs China's UTC+8: Vietnam's Tết fell on 21/1/1985 (China: 20/2) and 17/2/2007 (China: 18/2).
    assert (date(1985, 1, 21), "Tết Nguyên Đán") in holidays_in(1985)
    assert (date(2007, 2, 17), "Tết Nguyên Đán") in holidays_in(2007)
    assert date(2007, 2, 18) in dict(holidays_in(2007))  # mùng 2 in Vietnam


def test_hung_kings_day() -> None:
    named_2024, named_2025, named_2026 = (
        dict(holidays_in(2024)),
        dict(holidays_in(2025)),
        dict(holidays_in(2026)),
    )
    assert named_2024[date(2024, 4, 18)] == "Ngày Giỗ Tổ Hùng Vương"
    assert named_2025[date(2025, 4, 7)] == "Ngày Giỗ Tổ Hùng Vương"  # 10/3 Ất Tỵ, a Monday
    assert not is_working_day(date(2025, 4, 7))
    assert is_working_day(date(2025, 4, 8))
    # 2026: 10/3 Bính Ngọ is Sunday 26/4, compensated on Monday 27/4 (Labour Code art. 112(3)).
    assert named_2026[date(2026, 4, 26)] == "Ngày Giỗ Tổ Hùng Vương"
    assert named_2026[date(2026, 4, 27)] == "Ngày Giỗ Tổ Hùng Vương (nghỉ bù)"
    assert off_days(date(2026, 4, 24), date(2026, 4, 28)) == days(date(2026, 4, 25), date(2026, 4, 27))


def test_reunification_and_labour_day_with_swaps() -> None:
    # 2024: Monday 29/4 off, worked on Saturday 4/5 (Công văn 2450/VPCP-KGVX).
    assert off_days(date(2024, 4, 26), date(2024, 5, 5)) == [
        *days(date(2024, 4, 27), date(2024, 5, 1)),
        date(2024, 5, 5),
    ]
    assert is_working_day(date(2024, 5, 4))
    # 2025: Friday 2/5 off, worked on Saturday 26/4.
    assert is_working_day(date(2025, 4, 26))
    assert off_days(date(2025, 4, 28), date(2025, 5, 5)) == days(date(2025, 4, 30), date(2025, 5, 4))
    # 2026: Thursday 30/4 and Friday 1/5, no swap.
    assert off_days(date(2026, 4, 28), date(2026, 5, 4)) == days(date(2026, 4, 30), date(2026, 5, 3))


def test_national_day_with_its_extra_day() -> None:
    assert off_days(date(2024, 8, 30), date(2024, 9, 4)) == days(date(2024, 8, 31), date(2024, 9, 3))
    assert off_days(date(2025, 8, 29), date(2025, 9, 3)) == days(date(2025, 8, 30), date(2025, 9, 2))
    # 2026: 29/8–2/9, Monday 31/8 swapped with Saturday 22/8.
    assert off_days(date(2026, 8, 28), date(2026, 9, 3)) == days(date(2026, 8, 29), date(2026, 9, 2))
    assert is_working_day(date(2026, 8, 22))


def test_new_year_2026_swap_from_the_official_overrides() -> None:
    # Văn bản 12729/VPCP-KGVX: off 1/1–4/1/2026, Friday 2/1 worked on Saturday 10/1.
    assert off_days(date(2025, 12, 31), date(2026, 1, 5)) == days(date(2026, 1, 1), date(2026, 1, 4))
    assert is_working_day(date(2026, 1, 10))
    assert not is_working_day(date(2026, 1, 11))
    named = dict(holidays_in(2026))
    assert named[date(2026, 1, 2)] == "Nghỉ Tết Dương lịch (hoán đổi, làm bù thứ Bảy 10/01/2026)"
    assert date(2026, 1, 10) not in named


def test_holidays_in_2025_exact() -> None:
    assert [d for d, _ in holidays_in(2025)] == [
        date(2025, 1, 1),
        *days(date(2025, 1, 27), date(2025, 2, 1)),
        date(2025, 4, 7),
        date(2025, 4, 30),
        date(2025, 5, 1),
        date(2025, 5, 2),
        date(2025, 9, 1),
        date(2025, 9, 2),
    ]
    named = dict(holidays_in(2025))
    assert named[date(2025, 1, 1)] == "Tết Dương lịch"
    assert named[date(2025, 1, 29)] == "Tết Nguyên Đán"
    assert named[date(2025, 4, 30)] == "Ngày Chiến thắng"
    assert named[date(2025, 5, 1)] == "Ngày Quốc tế Lao động"
    assert named[date(2025, 5, 2)] == "Ngày nghỉ (thay cho ngày 26/04/2025)"
    assert named[date(2025, 9, 2)] == "Quốc khánh"


def test_holidays_in_2026_exact() -> None:
    assert [d for d, _ in holidays_in(2026)] == [
        date(2026, 1, 1),
        date(2026, 1, 2),
        *days(date(2026, 2, 16), date(2026, 2, 20)),
        date(2026, 4, 26),
        date(2026, 4, 27),
        date(2026, 4, 30),
        date(2026, 5, 1),
        date(2026, 8, 31),
        date(2026, 9, 1),
        date(2026, 9, 2),
        date(2026, 11, 24),  # Ngày Văn hóa Việt Nam, as ``holidays`` has it (see decision 0004)
    ]


def test_working_days_per_year() -> None:
    # 2024: 366 days - 104 weekend days - 12 weekday holidays + Saturday 4/5.
    assert working_days_between(date(2023, 12, 31), date(2024, 12, 31)) == 251
    # 2025: 365 - 104 - 12 + Saturday 26/4.
    assert working_days_between(date(2024, 12, 31), date(2025, 12, 31)) == 250
    # 2026: 365 - 104 - 14 (incl. 2/1 override and 24/11) + Saturdays 10/1 and 22/8.
    assert working_days_between(date(2025, 12, 31), date(2026, 12, 31)) == 249


def test_a_datetime_is_refused_where_a_date_is_expected() -> None:
    with pytest.raises(TypeError):
        is_working_day(datetime(2025, 1, 1, 9, tzinfo=VN_TZ))


# --- arithmetic ---------------------------------------------------------------------------------


def test_add_working_days_zero_snaps_forward() -> None:
    assert add_working_days(date(2025, 2, 3), 0) == date(2025, 2, 3)
    assert add_working_days(date(2025, 1, 25), 0) == date(2025, 2, 3)  # Saturday before Tết
    assert add_working_days(date(2025, 1, 29), 0) == date(2025, 2, 3)  # mùng 1


def test_add_working_days_across_tet() -> None:
    assert add_working_days(date(2025, 1, 24), 1) == date(2025, 2, 3)
    assert add_working_days(date(2025, 1, 23), 2) == date(2025, 2, 3)
    assert add_working_days(date(2025, 1, 22), 10) == date(2025, 2, 12)
    assert add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 23)
    assert add_working_days(date(2026, 2, 13), 5) == date(2026, 2, 27)
    # Received on a day off: counted from the next working day.
    assert add_working_days(date(2026, 2, 17), 1) == date(2026, 2, 24)


def test_add_working_days_across_the_new_year_and_a_swapped_saturday() -> None:
    assert add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 5)
    assert add_working_days(date(2026, 1, 9), 1) == date(2026, 1, 10)  # the worked Saturday
    assert add_working_days(date(2026, 1, 9), 2) == date(2026, 1, 12)


def test_add_working_days_backward() -> None:
    assert add_working_days(date(2025, 2, 3), -1) == date(2025, 1, 24)
    assert add_working_days(date(2025, 2, 2), -1) == date(2025, 1, 23)  # Sunday: from Friday 24/1
    assert add_working_days(date(2025, 2, 2), 0) == date(2025, 2, 3)
    assert add_working_days(date(2026, 1, 5), -1) == date(2025, 12, 31)
    assert add_working_days(date(2026, 1, 1), -1) == date(2025, 12, 30)  # from 31/12/2025
    for start in (date(2024, 12, 20), date(2025, 1, 24), date(2026, 2, 13)):
        for n in (1, 5, 30, 300):
            assert add_working_days(add_working_days(start, n), -n) == start


def test_working_days_between_is_exclusive_start_inclusive_end() -> None:
    assert working_days_between(date(2025, 3, 10), date(2025, 3, 10)) == 0
    assert working_days_between(date(2025, 3, 11), date(2025, 3, 10)) == 0
    assert working_days_between(date(2025, 3, 10), date(2025, 3, 11)) == 1
    assert working_days_between(date(2025, 3, 10), date(2025, 3, 17)) == 5
    assert working_days_between(date(2025, 1, 24), date(2025, 2, 3)) == 1
    assert working_days_between(date(2025, 1, 24), date(2025, 2, 2)) == 0
    assert working_days_between(date(2025, 12, 31), date(2026, 1, 10)) == 6  # 5,6,7,8,9 + Sat 10
    for n in (0, 1, 7, 60, 400):
        start = date(2024, 4, 26)
        assert working_days_between(start, add_working_days(start, n)) == n


def test_next_working_day() -> None:
    assert next_working_day(date(2025, 1, 24)) == date(2025, 2, 3)
    assert next_working_day(date(2025, 3, 10)) == date(2025, 3, 11)


# --- one-stop deadlines -----------------------------------------------------------------------


def local(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VN_TZ)


def test_deadline_cutoff_1559_vs_1601() -> None:
    # Thursday 13/3/2025, 3 working days.
    assert deadline(local(2025, 3, 13, 15, 59), 3) == local(2025, 3, 18, 17, 0)
    assert deadline(local(2025, 3, 13, 16, 0), 3) == local(2025, 3, 18, 17, 0)
    assert deadline(local(2025, 3, 13, 16, 1), 3) == local(2025, 3, 19, 17, 0)


def test_deadline_cutoff_before_tet() -> None:
    assert deadline(local(2025, 1, 24, 15, 59), 1) == local(2025, 2, 3, 17, 0)
    assert deadline(local(2025, 1, 24, 16, 1), 1) == local(2025, 2, 4, 17, 0)


def test_deadline_takes_any_timezone_and_returns_vietnam_time() -> None:
    received = datetime(2025, 3, 13, 8, 59, tzinfo=UTC)  # 15:59 in Hà Nội
    due = deadline(received, 3)
    assert due == local(2025, 3, 18, 17, 0)
    assert due.tzinfo is VN_TZ
    assert due.utcoffset() == timedelta(hours=7)
    assert due.astimezone(UTC) == datetime(2025, 3, 18, 10, 0, tzinfo=UTC)
    # 09:01 UTC is 16:01 in Hà Nội: the next working day.
    assert deadline(datetime(2025, 3, 13, 9, 1, tzinfo=UTC), 3) == local(2025, 3, 19, 17, 0)
    # 23:00 UTC on Sunday 16/3 is already Monday 06:00 in Hà Nội.
    assert receipt_day(datetime(2025, 3, 16, 23, 0, tzinfo=UTC)) == date(2025, 3, 17)


def test_deadline_received_on_a_day_off_or_a_worked_saturday() -> None:
    assert deadline(local(2025, 3, 15, 9, 0), 1) == local(2025, 3, 18, 17, 0)  # Saturday
    assert deadline(local(2026, 1, 10, 9, 0), 1) == local(2026, 1, 12, 17, 0)  # worked Saturday
    assert deadline(local(2026, 1, 11, 9, 0), 1) == local(2026, 1, 13, 17, 0)  # Sunday


def test_deadline_zero_days_and_options() -> None:
    assert deadline(local(2025, 3, 13, 10, 0), 0) == local(2025, 3, 13, 17, 0)
    assert deadline(local(2025, 3, 13, 15, 30), 1, cutoff_hour=15) == local(2025, 3, 17, 17, 0)
    assert deadline(local(2025, 3, 13, 10, 0), 1, close_at=time(16, 30)) == local(2025, 3, 14, 16, 30)


def test_deadline_refuses_naive_and_negative() -> None:
    with pytest.raises(ValueError):
        deadline(datetime(2025, 3, 13, 10, 0), 1)
    with pytest.raises(ValueError):
        deadline(local(2025, 3, 13, 10, 0), -1)
    with pytest.raises(ValueError):
        deadline(local(2025, 3, 13, 10, 0), 1, cutoff_hour=24)


def test_years_without_lunar_data_are_refused() -> None:
    with pytest.raises(ValueError):
        is_working_day(date(2101, 1, 3))
    with pytest.raises(ValueError):
        holidays_in(1900)
