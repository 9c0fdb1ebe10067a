"""Executive tasks (nhiệm vụ điều hành): every write, ``task_<verb>(*, actor, …)``.

A leader (``tasks.manage`` on the assigning agency) gives a task to an agency of their subtree —
the agency itself or a unit under it — and optionally to one official of that agency, with a
deadline on the working-day calendar: a date (a working day, today or later) or a number of working
days counted from today. The assignee's side (``tasks.update`` on the assignee agency, or the
assigned official) reports progress; the leader completes, cancels or extends it.

Decisions:
- Progress never goes down (0 → 100, non-decreasing). A progress report is a record the leader
  reads for follow-up; a setback is explained in the note, with the figure kept. Reporting the same
  figure again is allowed only with a note (a status note without a change).
- Progress 100 completes the task (status done, ``completed_at`` set). ``task_complete`` does the
  same in one step and may be used by the assignee's side or by the manager (who may accept a task
  as done whatever its figure).
- Extending the deadline clears ``reminded_on`` and ``escalated_on``: the reminders and the
  escalation run again against the new deadline.
- Only open tasks change; a done or cancelled task is a Conflict.

Each service runs in one transaction, checks the policy first (so a denial changes nothing) and
writes its audit event ``documents.task.<verb>`` inside that transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from congso.core.audit.services import audit_record
from congso.core.calendar.workdays import add_working_days, is_working_day
from congso.core.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from congso.core.org.models import Agency
from congso.core.policy import authorize, can
from congso.modules.documents.models import Document, Task, TaskStatus, TaskUpdate, TrailEntry
from congso.modules.documents.selectors import visible_documents

MAX_WORKING_DAYS = 365


def today() -> dt.date:
    """Today in Vietnam (a seam for tests)."""
    return timezone.localdate()


def _is_official_of(user: Any, agency: Agency) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_active", False)
        and getattr(user, "kind", "official") == "official"
        and user.agency_id == agency.pk
    )


def _check_deadline(day: dt.date, on: dt.date, field: str = "deadline") -> None:
    if type(day) is not dt.date:
        raise InvalidInput(
            _("Hạn hoàn thành phải là một ngày."),
            errors=[{"field": field, "message": _("phải là một ngày")}],
        )
    if day < on:
        message = _("Hạn hoàn thành {d:%d/%m/%Y} đã qua (hôm nay là {t:%d/%m/%Y}).").format(d=day, t=on)
        raise InvalidInput(message, errors=[{"field": field, "message": message}])
    if not is_working_day(day):
        message = _("Hạn hoàn thành {d:%d/%m/%Y} không phải là ngày làm việc.").format(d=day)
        raise InvalidInput(message, errors=[{"field": field, "message": message}])


def deadline_from_working_days(start: dt.date, working_days: int) -> dt.date:
    """The ``working_days``-th working day strictly after ``start`` (a task given on a Friday with
    2 working days is due on the second working day of the next week; on a day off, the next
    working day counts as the first)."""
    return add_working_days(start + dt.timedelta(days=1), working_days - 1)


def _locked(task: Task) -> Task:
    locked = Task.objects.select_for_update().select_related("agency", "assignee_agency").get(pk=task.pk)
    if locked.status != TaskStatus.OPEN:
        raise Conflict(
            _("Nhiệm vụ đang ở trạng thái '{status}', không thể thay đổi.").format(
                status=locked.get_status_display()
            )
        )
    return locked


def _audit(actor: Any, verb: str, task: Task, before: Any = None, after: Any = None) -> None:
    audit_record(
        actor=actor,
        action=f"documents.task.{verb}",
        target=task,
        before=before,
        after=after,
        agency_code=task.agency.code,
    )


def _may_update(actor: Any, task: Task) -> bool:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    return (task.assignee_id is not None and task.assignee_id == actor.pk) or can(
        actor, "tasks.update", task.assignee_agency
    )


def _deny(actor: Any, message: str) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise Unauthenticated(_("Bạn cần đăng nhập để thực hiện thao tác này."))
    raise Forbidden(message)


def _actor_user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def task_create(
    *,
    actor: Any,
    agency: Agency,
    title: str,
    assignee_agency: Agency,
    deadline: dt.date | None = None,
    working_days: int | None = None,
    assignee: Any = None,
    description: str = "",
    document: Document | None = None,
) -> Task:
    """Give a task from ``agency`` to ``assignee_agency`` (``agency`` or a unit under it)."""
    authorize(actor, "tasks.manage", agency)
    on = today()
    title = (title or "").strip()
    errors: list[dict[str, str]] = []
    if not title:
        errors.append({"field": "title", "message": _("Tên nhiệm vụ không được để trống.")})
    elif len(title) > 300:
        errors.append({"field": "title", "message": _("Tên nhiệm vụ dài quá 300 ký tự.")})
    if not assignee_agency.path.startswith(agency.path):
        errors.append(
            {
                "field": "assignee_agency",
                "message": _("{name} không thuộc {agency}.").format(
                    name=assignee_agency.name, agency=agency.name
                ),
            }
        )
    if assignee is not None and not _is_official_of(assignee, assignee_agency):
        errors.append(
            {
                "field": "assignee",
                "message": _("Cán bộ {name} không phải là cán bộ của {agency}.").format(
                    name=getattr(assignee, "display_name", assignee), agency=assignee_agency.name
                ),
            }
        )
    if errors:
        raise InvalidInput("; ".join(e["message"] for e in errors), errors=errors)
    if (deadline is None) == (working_days is None):
        raise InvalidInput(
            _("Cần cho đúng một trong hai: hạn hoàn thành (ngày) hoặc số ngày làm việc."),
            errors=[{"field": "deadline", "message": _("chọn ngày hoặc số ngày làm việc")}],
        )
    if working_days is not None:
        if isinstance(working_days, bool) or not isinstance(working_days, int):
            raise InvalidInput(_("Số ngày làm việc phải là số nguyên."))
        if not 1 <= working_days <= MAX_WORKING_DAYS:
            raise InvalidInput(
                _("Số ngày làm việc phải từ 1 đến {n}.").format(n=MAX_WORKING_DAYS),
                errors=[{"field": "working_days", "message": _("ngoài khoảng cho phép")}],
            )
        deadline = deadline_from_working_days(on, working_days)
    assert deadline is not None
    _check_deadline(deadline, on)
    if document is not None and not visible_documents(actor).filter(pk=document.pk).exists():
        raise NotFound(_("Không tìm thấy văn bản số {pk}.").format(pk=document.pk))
    with transaction.atomic():
        task = Task.objects.create(
            agency=agency,
            title=title,
            description=(description or "").strip(),
            document=document,
            assignee_agency=assignee_agency,
            assignee=assignee,
            deadline=deadline,
            created_by=_actor_user(actor),
        )
        if document is not None:
            TrailEntry.objects.create(
                document=document,
                actor=_actor_user(actor),
                actor_name=getattr(actor, "display_name", "") or "Hệ thống",
                action="task",
                note=_("Giao nhiệm vụ '{title}' cho {unit}, hạn {d:%d/%m/%Y}").format(
                    title=title, unit=assignee_agency.name, d=deadline
                ),
            )
        _audit(
            actor,
            "create",
            task,
            after={
                "title": title,
                "assignee_agency": assignee_agency.code,
                "assignee": assignee.get_username() if assignee is not None else None,
                "deadline": deadline,
                "working_days": working_days,
                "document": document.pk if document is not None else None,
            },
        )
    return task


def _finish(task: Task, actor: Any, progress: int, note: str) -> None:
    task.progress = progress
    task.status = TaskStatus.DONE
    task.completed_at = timezone.now()
    task.save(update_fields=["progress", "status", "completed_at"])
    TaskUpdate.objects.create(task=task, actor=_actor_user(actor), progress=progress, note=note)


def task_update_progress(*, actor: Any, task: Task, progress: int, note: str = "") -> Task:
    """The assignee's side reports progress (0–100, never lower than before); 100 completes it."""
    if not _may_update(actor, task):
        _deny(actor, _("Bạn không có quyền cập nhật tiến độ nhiệm vụ này."))
    if isinstance(progress, bool) or not isinstance(progress, int) or not 0 <= progress <= 100:
        raise InvalidInput(
            _("Tiến độ phải là số nguyên từ 0 đến 100."),
            errors=[{"field": "progress", "message": _("từ 0 đến 100")}],
        )
    note = (note or "").strip()
    with transaction.atomic():
        locked = _locked(task)
        if progress < locked.progress:
            raise InvalidInput(
                _(
                    "Tiến độ không được giảm: hiện là {old}%, báo cáo {new}%. Hãy giải trình trong ghi chú."
                ).format(old=locked.progress, new=progress),
                errors=[{"field": "progress", "message": _("không được nhỏ hơn tiến độ hiện tại")}],
            )
        if progress == locked.progress and not note:
            raise InvalidInput(
                _("Tiến độ không đổi ({p}%): cần ghi nội dung cập nhật.").format(p=progress),
                errors=[{"field": "note", "message": _("cần ghi nội dung")}],
            )
        before = {"progress": locked.progress, "status": locked.status}
        if progress == 100:
            _finish(locked, actor, progress, note)
        else:
            locked.progress = progress
            locked.save(update_fields=["progress"])
            TaskUpdate.objects.create(task=locked, actor=_actor_user(actor), progress=progress, note=note)
        _audit(
            actor,
            "update_progress",
            locked,
            before,
            {"progress": locked.progress, "status": locked.status, "note": note},
        )
    return locked


def task_complete(*, actor: Any, task: Task, note: str = "") -> Task:
    """Mark the task done (progress 100): by the assignee's side or by the manager."""
    if not (_may_update(actor, task) or can(actor, "tasks.manage", task.agency)):
        _deny(actor, _("Bạn không có quyền hoàn thành nhiệm vụ này."))
    note = (note or "").strip()
    with transaction.atomic():
        locked = _locked(task)
        before = {"progress": locked.progress, "status": locked.status}
        _finish(locked, actor, 100, note)
        _audit(actor, "complete", locked, before, {"progress": 100, "status": locked.status, "note": note})
    return locked


def task_cancel(*, actor: Any, task: Task, reason: str) -> Task:
    """The assigning agency's leader cancels an open task, with the reason."""
    authorize(actor, "tasks.manage", task.agency)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(
            _("Cần ghi lý do hủy nhiệm vụ."), errors=[{"field": "reason", "message": _("bắt buộc")}]
        )
    with transaction.atomic():
        locked = _locked(task)
        before = {"status": locked.status}
        locked.status = TaskStatus.CANCELLED
        locked.save(update_fields=["status"])
        _audit(actor, "cancel", locked, before, {"status": locked.status, "reason": reason})
    return locked


def task_deadline_extend(*, actor: Any, task: Task, new_deadline: dt.date, reason: str) -> Task:
    """The assigning agency's leader moves the deadline later (a working day), with the reason."""
    authorize(actor, "tasks.manage", task.agency)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(
            _("Cần ghi lý do gia hạn nhiệm vụ."), errors=[{"field": "reason", "message": _("bắt buộc")}]
        )
    _check_deadline(new_deadline, today(), "new_deadline")
    with transaction.atomic():
        locked = _locked(task)
        if new_deadline <= locked.deadline:
            raise InvalidInput(
                _("Hạn mới {new:%d/%m/%Y} phải sau hạn hiện tại {old:%d/%m/%Y}.").format(
                    new=new_deadline, old=locked.deadline
                ),
                errors=[{"field": "new_deadline", "message": _("phải sau hạn hiện tại")}],
            )
        before = {"deadline": locked.deadline}
        locked.deadline = new_deadline
        locked.reminded_on = None
        locked.escalated_on = None
        locked.save(update_fields=["deadline", "reminded_on", "escalated_on"])
        TaskUpdate.objects.create(
            task=locked,
            actor=_actor_user(actor),
            progress=locked.progress,
            note=_("Gia hạn đến {d:%d/%m/%Y}: {reason}").format(d=new_deadline, reason=reason),
        )
        _audit(actor, "deadline_extend", locked, before, {"deadline": new_deadline, "reason": reason})
    return locked
