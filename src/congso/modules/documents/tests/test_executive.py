"""Executive tasks: creation on the working-day calendar, progress, completion, cancellation and
extension with their rights (a denial changes nothing); the daily reminders and escalation (once a
day, to the right people); the leader's dashboard counts for a constructed scenario."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from tests.conftest import BA_DINH, BA_DINH_CENTRE, SO_TU_PHAP

from congso.core.audit.models import AuditEvent
from congso.core.errors import Conflict, Forbidden, InvalidInput
from congso.modules.documents import executive, reminders
from congso.modules.documents.dashboard import HandlerCounts, leader_dashboard, overdue_by_handler
from congso.modules.documents.models import (
    Assignment,
    AssignmentRole,
    Direction,
    Document,
    Status,
    Task,
    TaskStatus,
    TaskUpdate,
    TrailEntry,
)

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")
LEADER = ("leader", "subtree")
SPECIALIST = ("specialist", "agency")
CENTRE_NAME = "Trung tâm Phục vụ hành chính công Phường Ba Đình"
FRIDAY = dt.date(2026, 8, 28)  # before Mon 31/8 (day off in lieu of Sat 22/8) and 1–2/9 (Quốc khánh)


@pytest.fixture
def people(make_official: Any) -> dict[str, Any]:
    made = {
        "leader": make_official("ld.bd", BA_DINH, LEADER),
        "bd_specialist": make_official("cv.bd", BA_DINH, SPECIALIST),
        "centre_specialist": make_official("cv.centre", BA_DINH_CENTRE, SPECIALIST),
        "centre_other": make_official("cv.centre2", BA_DINH_CENTRE, SPECIALIST),
        "tp_specialist": make_official("cv.tp", SO_TU_PHAP, SPECIALIST),
        "tp_leader": make_official("ld.tp", SO_TU_PHAP, LEADER),
    }
    for user in made.values():
        user.email = f"{user.username}@hanoi.gov.vn"
        user.save(update_fields=["email"])
    return made


@pytest.fixture
def on_friday(monkeypatch: pytest.MonkeyPatch) -> dt.date:
    monkeypatch.setattr(executive, "today", lambda: FRIDAY)
    return FRIDAY


def _state() -> tuple[Any, ...]:
    return (
        Task.objects.count(),
        TaskUpdate.objects.count(),
        AuditEvent.objects.count(),
        list(Task.objects.order_by("id").values_list("status", "progress", "deadline", "completed_at")),
    )


def _task(people: dict[str, Any], agency: Any, **kwargs: Any) -> Task:
    defaults: dict[str, Any] = {
        "actor": people["leader"],
        "agency": agency(BA_DINH),
        "title": "Báo cáo kết quả chuyển đổi số quý III",
        "assignee_agency": agency(BA_DINH_CENTRE),
        "assignee": people["centre_specialist"],
        "working_days": 2,
    }
    defaults.update(kwargs)
    return executive.task_create(**defaults)


# --- Creating ------------------------------------------------------------------------------------


def test_deadline_counts_working_days_past_the_weekend_and_the_national_day(
    people: dict[str, Any], agency: Any, on_friday: dt.date
) -> None:
    task = _task(people, agency, description="Tổng hợp số liệu của các bộ phận")
    # Fri 28/8 + 2 working days: Sat, Sun, Mon 31/8 (nghỉ bù), Tue 1/9 and Wed 2/9 (Quốc khánh)
    # are days off; Thu 3/9 is the first working day, Fri 4/9 the second.
    assert task.deadline == dt.date(2026, 9, 4)
    task.refresh_from_db()
    assert (task.status, task.progress, task.agency.code, task.assignee_agency.code) == (
        TaskStatus.OPEN,
        0,
        BA_DINH,
        BA_DINH_CENTRE,
    )
    assert (task.assignee, task.created_by) == (people["centre_specialist"], people["leader"])
    event = AuditEvent.objects.get(action="documents.task.create")
    assert (event.target_id, event.actor_id, event.agency_code) == (
        str(task.pk),
        people["leader"].pk,
        BA_DINH,
    )
    assert event.after["deadline"] == "2026-09-04"
    assert event.after["working_days"] == 2


def test_deadline_as_a_date(people: dict[str, Any], agency: Any, on_friday: dt.date) -> None:
    assert _task(people, agency, working_days=None, deadline=FRIDAY).deadline == FRIDAY  # today is allowed
    task = _task(people, agency, working_days=None, deadline=dt.date(2026, 9, 3), assignee=None)
    assert (task.deadline, task.assignee) == (dt.date(2026, 9, 3), None)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"working_days": None, "deadline": dt.date(2026, 8, 27)},
            "Hạn hoàn thành 27/08/2026 đã qua (hôm nay là 28/08/2026).",
        ),
        (
            {"working_days": None, "deadline": dt.date(2026, 9, 2)},
            "Hạn hoàn thành 02/09/2026 không phải là ngày làm việc.",
        ),
        (
            {"working_days": None},
            "Cần cho đúng một trong hai: hạn hoàn thành (ngày) hoặc số ngày làm việc.",
        ),
        ({"working_days": 0}, "Số ngày làm việc phải từ 1 đến 365."),
        ({"title": "  "}, "Tên nhiệm vụ không được để trống."),
    ],
)
def test_bad_input_is_refused_in_vietnamese_and_nothing_is_created(
    people: dict[str, Any], agency: Any, on_friday: dt.date, kwargs: dict[str, Any], message: str
) -> None:
    before = _state()
    with pytest.raises(InvalidInput) as raised:
        _task(people, agency, **kwargs)
    assert str(raised.value) == message
    assert _state() == before


def test_assignee_agency_outside_the_subtree_and_foreign_official_are_refused(
    people: dict[str, Any], agency: Any, on_friday: dt.date
) -> None:
    before = _state()
    with pytest.raises(InvalidInput) as raised:
        _task(people, agency, assignee_agency=agency(SO_TU_PHAP), assignee=None)
    assert str(raised.value) == "Sở Tư pháp không thuộc Ủy ban nhân dân Phường Ba Đình."
    with pytest.raises(InvalidInput) as raised:
        _task(people, agency, assignee=people["bd_specialist"])
    assert str(raised.value) == f"Cán bộ Cv.Bd không phải là cán bộ của {CENTRE_NAME}."
    assert _state() == before


def test_a_specialist_cannot_create_a_task_and_nothing_changes(
    people: dict[str, Any], agency: Any, on_friday: dt.date
) -> None:
    before = _state()
    with pytest.raises(Forbidden) as raised:
        _task(people, agency, actor=people["bd_specialist"])
    assert str(raised.value) == "Bạn không có quyền thực hiện thao tác này đối với cơ quan, đơn vị này."
    # Nor may another agency's leader give tasks in Ba Đình.
    with pytest.raises(Forbidden):
        _task(people, agency, actor=people["tp_leader"])
    assert _state() == before


def test_a_task_from_a_document_leaves_a_trail_entry(
    people: dict[str, Any], agency: Any, on_friday: dt.date
) -> None:
    document = _incoming(agency(BA_DINH), "Về việc rà soát thủ tục hành chính", deadline=None)
    task = _task(people, agency, document=document)
    assert task.document == document
    trail = TrailEntry.objects.get(document=document)
    assert (trail.action, trail.note) == (
        "task",
        f"Giao nhiệm vụ 'Báo cáo kết quả chuyển đổi số quý III' cho {CENTRE_NAME}, hạn 04/09/2026",
    )


# --- Progress, completion, cancellation, extension -----------------------------------------------


def test_progress_by_the_assignee_then_done_at_100(
    people: dict[str, Any], agency: Any, on_friday: dt.date
) -> None:
    task = _task(people, agency)
    who = people["centre_specialist"]
    executive.task_update_progress(actor=who, task=task, progress=40, note="Đã tổng hợp 4/10 bộ phận")
    # A colleague of the assignee agency (tasks.update there) may report too.
    executive.task_update_progress(
        actor=people["centre_other"], task=task, progress=40, note="Đang chờ số liệu"
    )
    with pytest.raises(InvalidInput) as raised:
        executive.task_update_progress(actor=who, task=task, progress=30, note="")
    assert str(raised.value) == (
        "Tiến độ không được giảm: hiện là 40%, báo cáo 30%. Hãy giải trình trong ghi chú."
    )
    done = executive.task_update_progress(actor=who, task=task, progress=100, note="Đã gửi báo cáo")
    done.refresh_from_db()
    assert (done.status, done.progress, done.completed_at is not None) == (TaskStatus.DONE, 100, True)
    assert list(done.updates.values_list("progress", "note", "actor__username")) == [
        (40, "Đã tổng hợp 4/10 bộ phận", "cv.centre"),
        (40, "Đang chờ số liệu", "cv.centre2"),
        (100, "Đã gửi báo cáo", "cv.centre"),
    ]
    assert list(
        AuditEvent.objects.filter(action="documents.task.update_progress").values_list(
            "after__progress", flat=True
        )
    ) == [40, 40, 100]
    with pytest.raises(Conflict):
        executive.task_update_progress(actor=who, task=task, progress=100, note="lần nữa")


def test_progress_by_an_official_of_another_agency_is_forbidden_and_changes_nothing(
    people: dict[str, Any], agency: Any, on_friday: dt.date
) -> None:
    task = _task(people, agency)
    executive.task_update_progress(actor=people["centre_specialist"], task=task, progress=20, note="Bắt đầu")
    before = _state()
    for outsider in (people["tp_specialist"], people["bd_specialist"]):
        with pytest.raises(Forbidden) as raised:
            executive.task_update_progress(actor=outsider, task=task, progress=90, note="?")
        assert str(raised.value) == "Bạn không có quyền cập nhật tiến độ nhiệm vụ này."
        with pytest.raises(Forbidden):
            executive.task_complete(actor=outsider, task=task)
    assert _state() == before


def test_complete_cancel_and_extend_by_the_manager(
    people: dict[str, Any], agency: Any, on_friday: dt.date
) -> None:
    leader = people["leader"]
    first = _task(people, agency)
    done = executive.task_complete(actor=leader, task=first, note="Chấp nhận kết quả")
    assert (done.status, done.progress) == (TaskStatus.DONE, 100)

    second = _task(people, agency, title="Rà soát quy trình nội bộ")
    Task.objects.filter(pk=second.pk).update(reminded_on=FRIDAY, escalated_on=FRIDAY)
    with pytest.raises(InvalidInput) as raised:
        executive.task_deadline_extend(
            actor=leader, task=second, new_deadline=dt.date(2026, 9, 3), reason="x"
        )
    assert str(raised.value) == "Hạn mới 03/09/2026 phải sau hạn hiện tại 04/09/2026."
    extended = executive.task_deadline_extend(
        actor=leader, task=second, new_deadline=dt.date(2026, 9, 11), reason="Chờ số liệu của Sở"
    )
    extended.refresh_from_db()
    assert (extended.deadline, extended.reminded_on, extended.escalated_on) == (
        dt.date(2026, 9, 11),
        None,
        None,
    )
    event = AuditEvent.objects.get(action="documents.task.deadline_extend")
    assert (event.before, event.after) == (
        {"deadline": "2026-09-04"},
        {"deadline": "2026-09-11", "reason": "Chờ số liệu của Sở"},
    )

    # The assignee may not cancel or extend; nothing changes.
    before = _state()
    with pytest.raises(Forbidden):
        executive.task_cancel(actor=people["centre_specialist"], task=second, reason="Không cần nữa")
    with pytest.raises(Forbidden):
        executive.task_deadline_extend(
            actor=people["centre_specialist"], task=second, new_deadline=dt.date(2026, 9, 18), reason="x"
        )
    assert _state() == before

    with pytest.raises(InvalidInput) as raised:
        executive.task_cancel(actor=leader, task=second, reason=" ")
    assert str(raised.value) == "Cần ghi lý do hủy nhiệm vụ."
    cancelled = executive.task_cancel(actor=leader, task=second, reason="Đã có văn bản khác thay thế")
    assert cancelled.status == TaskStatus.CANCELLED
    assert AuditEvent.objects.get(action="documents.task.cancel").after == {
        "status": "cancelled",
        "reason": "Đã có văn bản khác thay thế",
    }
    with pytest.raises(Conflict) as raised:
        executive.task_complete(actor=leader, task=second)
    assert str(raised.value) == "Nhiệm vụ đang ở trạng thái 'Đã hủy', không thể thay đổi."


# --- Reminders and escalation --------------------------------------------------------------------


def test_task_reminders_go_once_a_day_to_the_assignee(
    people: dict[str, Any], agency: Any, on_friday: dt.date, django_capture_on_commit_callbacks: Any
) -> None:
    task = _task(people, agency)  # due Fri 4/9
    with django_capture_on_commit_callbacks(execute=True):
        too_early = reminders.send_task_reminders(today=dt.date(2026, 8, 27))  # horizon: Thu 3/9
        first = reminders.send_task_reminders(today=dt.date(2026, 9, 3))
        again = reminders.send_task_reminders(today=dt.date(2026, 9, 3))
    assert (too_early.items, first.items, first.mails, again.items) == (0, 1, 1, 0)
    assert [m.to for m in mail.outbox] == [["cv.centre@hanoi.gov.vn"]]
    assert mail.outbox[0].subject == (
        "[congso] Nhắc hạn nhiệm vụ: Báo cáo kết quả chuyển đổi số quý III — hạn 04/09/2026"
    )
    assert "còn 1 ngày làm việc" in mail.outbox[0].body
    task.refresh_from_db()
    assert task.reminded_on == dt.date(2026, 9, 3)
    # The next day it is reminded again, once.
    with django_capture_on_commit_callbacks(execute=True):
        reminders.send_task_reminders(today=dt.date(2026, 9, 4))
        reminders.send_task_reminders(today=dt.date(2026, 9, 4))
    assert len(mail.outbox) == 2
    assert "hạn là hôm nay" in mail.outbox[1].body
    assert AuditEvent.objects.filter(action="documents.task.remind").count() == 2


def test_without_an_assignee_the_agency_officials_who_report_are_reminded(
    people: dict[str, Any],
    agency: Any,
    on_friday: dt.date,
    django_capture_on_commit_callbacks: Any,
    settings: Any,
) -> None:
    settings.DOCUMENTS_TASK_REMIND_DAYS = 5
    _task(people, agency, assignee=None)
    with django_capture_on_commit_callbacks(execute=True):
        report = reminders.send_task_reminders(today=FRIDAY)
    assert (report.items, report.mails) == (1, 2)
    assert [m.to for m in mail.outbox] == [["cv.centre2@hanoi.gov.vn", "cv.centre@hanoi.gov.vn"]]


def test_overdue_task_is_escalated_once_to_the_assigning_leaders(
    people: dict[str, Any], agency: Any, on_friday: dt.date, django_capture_on_commit_callbacks: Any
) -> None:
    task = _task(people, agency)  # due Fri 4/9
    done = _task(people, agency, title="Đã xong")
    executive.task_complete(actor=people["leader"], task=done)
    with django_capture_on_commit_callbacks(execute=True):
        on_deadline = reminders.escalate_overdue(today=dt.date(2026, 9, 4))
        first = reminders.escalate_overdue(today=dt.date(2026, 9, 7))
        again = reminders.escalate_overdue(today=dt.date(2026, 9, 7))
        next_day = reminders.escalate_overdue(today=dt.date(2026, 9, 8))
    assert (on_deadline.items, first.items, again.items, next_day.items) == (0, 1, 0, 0)
    assert [m.to for m in mail.outbox] == [["ld.bd@hanoi.gov.vn"]]
    assert mail.outbox[0].subject == (
        "[congso] Nhiệm vụ quá hạn: Báo cáo kết quả chuyển đổi số quý III — hạn 04/09/2026"
    )
    assert f"giao cho {CENTRE_NAME} (Cv.Centre) đã quá hạn 1 ngày làm việc" in mail.outbox[0].body
    task.refresh_from_db()
    assert task.escalated_on == dt.date(2026, 9, 7)
    # A new deadline, missed again, escalates again.
    executive.task_deadline_extend(
        actor=people["leader"], task=task, new_deadline=dt.date(2026, 9, 9), reason="Bổ sung số liệu"
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.escalate_overdue(today=dt.date(2026, 9, 10)).items == 1
    assert len(mail.outbox) == 2


def _incoming(
    agency: Any, summary: str, *, deadline: dt.date | None, status: str = Status.ASSIGNED, **kw: Any
) -> Document:
    return Document.objects.create(
        agency=agency,
        agency_path=agency.path,
        direction=Direction.INCOMING,
        status=status,
        doc_type=kw.pop("doc_type", "CV"),
        summary=summary,
        deadline=deadline,
        **kw,
    )


def test_overdue_incoming_documents_remind_their_handlers_once_a_day(
    people: dict[str, Any], agency: Any, django_capture_on_commit_callbacks: Any
) -> None:
    ba_dinh, centre = agency(BA_DINH), agency(BA_DINH_CENTRE)
    delegated = _incoming(
        ba_dinh,
        "V/v báo cáo tình hình giải quyết hồ sơ",
        deadline=dt.date(2026, 9, 3),
        number_notation="12/UBND-VP",
    )
    Assignment.objects.create(document=delegated, role=AssignmentRole.LEAD, unit=centre)
    Assignment.objects.create(
        document=delegated, role=AssignmentRole.HANDLER, handler=people["bd_specialist"]
    )
    unit_only = _incoming(
        ba_dinh, "V/v cử cán bộ dự tập huấn", deadline=dt.date(2026, 9, 4), number_notation="7/SNV"
    )
    Assignment.objects.create(document=unit_only, role=AssignmentRole.LEAD, unit=centre)
    Assignment.objects.create(document=unit_only, role=AssignmentRole.INFO, handler=people["tp_specialist"])
    completed = _incoming(ba_dinh, "Đã xong", deadline=dt.date(2026, 9, 3), status=Status.COMPLETED)
    Assignment.objects.create(
        document=completed, role=AssignmentRole.HANDLER, handler=people["bd_specialist"]
    )
    not_due = _incoming(ba_dinh, "Chưa đến hạn", deadline=dt.date(2026, 9, 7))
    Assignment.objects.create(document=not_due, role=AssignmentRole.HANDLER, handler=people["bd_specialist"])

    with django_capture_on_commit_callbacks(execute=True):
        first = reminders.remind_overdue_documents(today=dt.date(2026, 9, 7))
        again = reminders.remind_overdue_documents(today=dt.date(2026, 9, 7))
    assert (first.items, first.mails, again.items) == (2, 3, 0)
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["cv.bd@hanoi.gov.vn"], "[congso] Văn bản đến quá hạn xử lý: 12/UBND-VP — hạn 03/09/2026"),
        (
            ["cv.centre2@hanoi.gov.vn", "cv.centre@hanoi.gov.vn"],
            "[congso] Văn bản đến quá hạn xử lý: 7/SNV — hạn 04/09/2026",
        ),
    ]
    assert "đã quá hạn xử lý 2 ngày làm việc" in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        # The next day: the same two again, and the one due on 7/9 joins them.
        assert reminders.remind_overdue_documents(today=dt.date(2026, 9, 8)).items == 3
    assert len(mail.outbox) == 5


def test_a_secret_documents_summary_stays_out_of_the_mail(
    people: dict[str, Any], agency: Any, django_capture_on_commit_callbacks: Any
) -> None:
    secret = _incoming(
        agency(BA_DINH),
        "Kế hoạch bảo vệ mục tiêu",
        deadline=dt.date(2026, 9, 3),
        secrecy="mat",
        number_notation="3/CAP",
    )
    Assignment.objects.create(document=secret, role=AssignmentRole.HANDLER, handler=people["bd_specialist"])
    with django_capture_on_commit_callbacks(execute=True):
        reminders.remind_overdue_documents(today=dt.date(2026, 9, 7))
    [message] = mail.outbox
    assert "Văn bản mật số 3/CAP" in message.body
    assert "Kế hoạch bảo vệ" not in message.body + message.subject


def test_daily_task_is_scheduled_at_seven_and_registered(
    people: dict[str, Any], agency: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from congso.config.celery import app
    from congso.modules.documents import tasks_executive

    entry = settings.CELERY_BEAT_SCHEDULE["documents-daily-reminders"]
    assert entry["task"] == "documents.daily_reminders" == tasks_executive.daily_reminders.name
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({7}, {0})
    assert settings.CELERY_TIMEZONE == "Asia/Ho_Chi_Minh"
    assert app.tasks["documents.daily_reminders"].name == tasks_executive.daily_reminders.name
    assert tasks_executive.daily_reminders.apply().get() == {
        "task_reminders": 0,
        "task_escalations": 0,
        "document_reminders": 0,
        "mails": 0,
    }


# --- Dashboard -----------------------------------------------------------------------------------


MONDAY = dt.date(2026, 9, 7)


@pytest.fixture
def scenario(people: dict[str, Any], agency: Any) -> dict[str, Any]:
    """Tasks and incoming documents of Ba Đình (and one of Sở Tư pháp), seen on Monday 7/9/2026."""
    ba_dinh, centre, tu_phap = agency(BA_DINH), agency(BA_DINH_CENTRE), agency(SO_TU_PHAP)

    def task(title: str, to: Any, deadline: dt.date, **kw: Any) -> Task:
        return Task.objects.create(
            agency=kw.pop("by", ba_dinh), title=title, assignee_agency=to, deadline=deadline, **kw
        )

    def at(y: int, m: int, d: int, h: int, mi: int) -> dt.datetime:
        return dt.datetime(y, m, d, h, mi, tzinfo=VN)

    s: dict[str, Any] = {}
    s["t1"] = task("T1 quá hạn", centre, dt.date(2026, 9, 4), assignee=people["centre_specialist"])
    s["t2"] = task("T2 còn hạn", centre, dt.date(2026, 9, 10))
    s["t3"] = task(
        "T3 đúng hạn",
        ba_dinh,
        dt.date(2026, 9, 4),
        status=TaskStatus.DONE,
        progress=100,
        completed_at=at(2026, 9, 4, 23, 30),
    )
    # 00:30 on 5/9 in Hà Nội is still 4/9 in UTC: late all the same.
    s["t4"] = task(
        "T4 trễ hạn",
        centre,
        dt.date(2026, 9, 4),
        status=TaskStatus.DONE,
        progress=100,
        completed_at=at(2026, 9, 5, 0, 30),
    )
    s["t5"] = task("T5 đã hủy", centre, dt.date(2026, 9, 1), status=TaskStatus.CANCELLED)
    s["t6"] = task("T6 Sở Tư pháp", tu_phap, dt.date(2026, 9, 3), by=tu_phap)
    s["t7"] = task("T7 quá hạn, chưa giao người", centre, dt.date(2026, 9, 3))
    s["d1"] = _incoming(ba_dinh, "D1 quá hạn", deadline=dt.date(2026, 9, 3), number_notation="1/A")
    Assignment.objects.create(document=s["d1"], role=AssignmentRole.LEAD, unit=centre)
    Assignment.objects.create(document=s["d1"], role=AssignmentRole.HANDLER, handler=people["bd_specialist"])
    s["d2"] = _incoming(ba_dinh, "D2 chưa giao", deadline=None, status=Status.RECEIVED)
    s["d3"] = _incoming(ba_dinh, "D3 xong", deadline=dt.date(2026, 9, 3), status=Status.COMPLETED)
    s["d4"] = _incoming(centre, "D4 đang xử lý", deadline=dt.date(2026, 9, 10), status=Status.IN_PROGRESS)
    s["d5"] = _incoming(tu_phap, "D5 Sở Tư pháp", deadline=dt.date(2026, 9, 3))
    s["d6"] = Document.objects.create(
        agency=ba_dinh,
        agency_path=ba_dinh.path,
        direction=Direction.OUTGOING,
        status=Status.ISSUED,
        doc_type="QD",
        summary="D6 đi",
    )
    s["d7"] = _incoming(ba_dinh, "D7 quá hạn nhất", deadline=dt.date(2026, 8, 31), number_notation="2/B")
    Assignment.objects.create(document=s["d7"], role=AssignmentRole.LEAD, unit=centre)
    return s


def _counts(row: Any) -> tuple[Any, ...]:
    return (
        row.code,
        row.open_tasks,
        row.overdue_tasks,
        row.done_on_time,
        row.done_late,
        row.documents_open,
        row.documents_overdue,
    )


def test_leader_dashboard_counts(people: dict[str, Any], scenario: dict[str, Any]) -> None:
    board = leader_dashboard(actor=people["leader"], today=MONDAY)
    assert [_counts(r) for r in board.agencies] == [
        (BA_DINH, 0, 0, 1, 0, 3, 2),
        (BA_DINH_CENTRE, 3, 2, 0, 1, 1, 0),
    ]
    assert _counts(board.totals) == ("", 3, 2, 1, 1, 4, 2)
    assert [(i.kind, i.id, i.deadline, i.days_overdue, i.handler) for i in board.most_overdue] == [
        ("document", scenario["d7"].pk, dt.date(2026, 8, 31), 3, CENTRE_NAME),
        ("document", scenario["d1"].pk, dt.date(2026, 9, 3), 2, "Cv.Bd"),
        ("task", scenario["t7"].pk, dt.date(2026, 9, 3), 2, CENTRE_NAME),
        ("task", scenario["t1"].pk, dt.date(2026, 9, 4), 1, "Cv.Centre"),
    ]
    assert board.most_overdue[0].title == "2/B — D7 quá hạn nhất"


def test_city_leader_sees_every_agency_and_a_specialist_only_theirs(
    people: dict[str, Any], scenario: dict[str, Any], make_official: Any
) -> None:
    city = make_official("ld.city", "000.00.00.H26", LEADER)
    board = leader_dashboard(actor=city, today=MONDAY)
    assert [_counts(r) for r in board.agencies] == [
        (SO_TU_PHAP, 1, 1, 0, 0, 1, 1),
        (BA_DINH, 0, 0, 1, 0, 3, 2),
        (BA_DINH_CENTRE, 3, 2, 0, 1, 1, 0),
    ]
    mine = leader_dashboard(actor=people["tp_specialist"], today=MONDAY)
    assert [_counts(r) for r in mine.agencies] == [(SO_TU_PHAP, 1, 1, 0, 0, 1, 1)]


def test_overdue_by_handler(people: dict[str, Any], scenario: dict[str, Any], agency: Any) -> None:
    centre = agency(BA_DINH_CENTRE)
    rows = overdue_by_handler(actor=people["leader"], today=MONDAY)
    assert rows == [
        HandlerCounts(None, centre.pk, CENTRE_NAME, "Ủy ban nhân dân Phường Ba Đình", 1, 1),
        HandlerCounts(
            people["bd_specialist"].pk, agency(BA_DINH).pk, "Cv.Bd", "Ủy ban nhân dân Phường Ba Đình", 1, 0
        ),
        HandlerCounts(people["centre_specialist"].pk, centre.pk, "Cv.Centre", CENTRE_NAME, 0, 1),
    ]
    assert overdue_by_handler(actor=people["tp_leader"], today=MONDAY) == [
        HandlerCounts(None, agency(SO_TU_PHAP).pk, "Sở Tư pháp", "Ủy ban nhân dân thành phố Hà Nội", 0, 1)
    ]
