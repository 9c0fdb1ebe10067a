"""HTTP API of executive tasks (nhiệm vụ điều hành), mounted at /api/v1/documents/tasks.

``GET ""`` lists the tasks the caller may see (filters ``status``, ``overdue=true``, ``mine=true``:
given to the caller or the caller's agency), paginated; ``POST ""`` gives a task (JSON, a deadline
date or a number of working days); ``GET /{id}`` is a task with its progress history; each action
is a POST: ``/{id}/progress``, ``/complete``, ``/cancel``, ``/extend``. A task the caller may not
see is 404, an action without the right 403; errors are problem+json (the services' messages).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja import Status as HttpStatus

from congso.core.api.auth import AUTH
from congso.core.api.params import paginate
from congso.core.errors import InvalidInput, NotFound
from congso.core.org.models import Agency
from congso.core.org.selectors import agency_get
from congso.modules.documents import executive, selectors
from congso.modules.documents.models import Task, TaskStatus

router = Router(tags=["documents: tasks"], auth=AUTH)


# --- Schemas -------------------------------------------------------------------------------------


class TaskUpdateOut(Schema):
    at: dt.datetime
    actor: str
    progress: int
    note: str


class TaskOut(Schema):
    id: int
    title: str
    description: str
    status: str
    status_label: str
    progress: int
    deadline: dt.date
    overdue: bool
    agency_code: str
    agency_name: str
    assignee_agency_code: str
    assignee_agency_name: str
    assignee: str | None
    assignee_name: str
    document: int | None
    created_by: str | None
    created_at: dt.datetime
    completed_at: dt.datetime | None


class TaskDetailOut(TaskOut):
    updates: list[TaskUpdateOut]


class TaskPageOut(Schema):
    count: int
    page: int
    page_size: int
    items: list[TaskOut]


class TaskIn(Schema):
    agency: str | None = None  # the assigning agency's code; the caller's agency when omitted
    title: str
    description: str = ""
    assignee_agency: str
    assignee: str | None = None  # an official's username
    deadline: dt.date | None = None
    working_days: int | None = None
    document: int | None = None


class ProgressIn(Schema):
    progress: int
    note: str = ""


class NoteIn(Schema):
    note: str = ""


class ReasonIn(Schema):
    reason: str = ""


class ExtendIn(Schema):
    new_deadline: dt.date
    reason: str = ""


# --- Rendering -----------------------------------------------------------------------------------


def _tasks(actor: Any) -> QuerySet[Task]:
    return selectors.visible_tasks(actor).select_related(
        "agency", "assignee_agency", "assignee", "created_by"
    )


def _get(request: HttpRequest, pk: int) -> Task:
    task = _tasks(request.user).filter(pk=pk).first()
    if task is None:
        # The same answer whether it does not exist or may not be seen.
        raise NotFound(_("Không tìm thấy nhiệm vụ số {pk}.").format(pk=pk))
    return task


def _out(task: Task, today: dt.date) -> dict[str, Any]:
    return {
        "id": task.pk,
        "title": task.title,
        "description": task.description,
        "status": task.status,
        "status_label": task.get_status_display(),
        "progress": task.progress,
        "deadline": task.deadline,
        "overdue": task.status == TaskStatus.OPEN and task.deadline < today,
        "agency_code": task.agency.code,
        "agency_name": task.agency.name,
        "assignee_agency_code": task.assignee_agency.code,
        "assignee_agency_name": task.assignee_agency.name,
        "assignee": task.assignee.get_username() if task.assignee else None,
        "assignee_name": task.assignee.display_name if task.assignee else "",
        "document": task.document_id,
        "created_by": task.created_by.get_username() if task.created_by else None,
        "created_at": task.created_at,
        "completed_at": task.completed_at,
    }


def _detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    task = _get(request, pk)
    out = _out(task, executive.today())
    out["updates"] = [
        {
            "at": u.at,
            "actor": u.actor.display_name if u.actor else "",
            "progress": u.progress,
            "note": u.note,
        }
        for u in task.updates.select_related("actor")
    ]
    return out


def _agency(request: HttpRequest, code: str | None) -> Agency:
    if code:
        return agency_get(code=code)
    agency = getattr(request.user, "agency", None)
    if agency is None:
        raise InvalidInput(
            _("Cần nêu cơ quan giao nhiệm vụ (agency)."),
            errors=[{"field": "agency", "message": _("bắt buộc")}],
        )
    return agency


def _official(username: str) -> Any:
    user = (
        get_user_model()
        .objects.filter(username=username, kind="official", is_active=True)
        .select_related("agency")
        .first()
    )
    if user is None:
        raise InvalidInput(
            _("Không có cán bộ có tên đăng nhập {u}.").format(u=username),
            errors=[{"field": "assignee", "message": _("không tồn tại")}],
        )
    return user


# --- Endpoints -----------------------------------------------------------------------------------


@router.get("", response=TaskPageOut, summary="Danh sách nhiệm vụ (trong phạm vi được xem), theo hạn")
def task_list(
    request: HttpRequest,
    status: str | None = None,
    overdue: bool | None = None,
    mine: bool | None = None,
    page: int = 1,
    page_size: int = 20,
) -> Any:
    today = executive.today()
    qs = _tasks(request.user)
    if status:
        if status not in TaskStatus.values:
            message = _("Trạng thái '{s}' không hợp lệ: dùng {all}.").format(
                s=status, all=", ".join(TaskStatus.values)
            )
            raise InvalidInput(message, errors=[{"field": "status", "message": message}])
        qs = qs.filter(status=status)
    if overdue is True:
        qs = qs.filter(status=TaskStatus.OPEN, deadline__lt=today)
    elif overdue is False:
        qs = qs.exclude(status=TaskStatus.OPEN, deadline__lt=today)
    if mine:
        q = Q(assignee_id=request.user.pk)
        agency_id = getattr(request.user, "agency_id", None)
        if agency_id:
            q |= Q(assignee_agency_id=agency_id)
        qs = qs.filter(q)
    items, meta = paginate(qs.order_by("deadline", "id"), page, page_size)
    return {**meta, "items": [_out(t, today) for t in items]}


@router.post("", response={201: TaskDetailOut}, summary="Giao nhiệm vụ (hạn: ngày hoặc số ngày làm việc)")
def task_create(request: HttpRequest, body: TaskIn) -> Any:
    agency = _agency(request, body.agency)
    document = selectors.document_get(actor=request.user, pk=body.document) if body.document else None
    task = executive.task_create(
        actor=request.user,
        agency=agency,
        title=body.title,
        description=body.description,
        assignee_agency=agency_get(code=body.assignee_agency),
        assignee=_official(body.assignee) if body.assignee else None,
        deadline=body.deadline,
        working_days=body.working_days,
        document=document,
    )
    return HttpStatus(201, _detail(request, task.pk))


@router.get("/{int:pk}", response=TaskDetailOut, summary="Chi tiết nhiệm vụ và quá trình cập nhật tiến độ")
def task_detail(request: HttpRequest, pk: int) -> Any:
    return _detail(request, pk)


@router.post("/{int:pk}/progress", response=TaskDetailOut, summary="Báo cáo tiến độ (0–100, không giảm)")
def task_progress(request: HttpRequest, pk: int, body: ProgressIn) -> Any:
    executive.task_update_progress(
        actor=request.user, task=_get(request, pk), progress=body.progress, note=body.note
    )
    return _detail(request, pk)


@router.post("/{int:pk}/complete", response=TaskDetailOut, summary="Hoàn thành nhiệm vụ")
def task_complete(request: HttpRequest, pk: int, body: NoteIn) -> Any:
    executive.task_complete(actor=request.user, task=_get(request, pk), note=body.note)
    return _detail(request, pk)


@router.post("/{int:pk}/cancel", response=TaskDetailOut, summary="Hủy nhiệm vụ, nêu lý do")
def task_cancel(request: HttpRequest, pk: int, body: ReasonIn) -> Any:
    executive.task_cancel(actor=request.user, task=_get(request, pk), reason=body.reason)
    return _detail(request, pk)


@router.post("/{int:pk}/extend", response=TaskDetailOut, summary="Gia hạn nhiệm vụ, nêu lý do")
def task_extend(request: HttpRequest, pk: int, body: ExtendIn) -> Any:
    executive.task_deadline_extend(
        actor=request.user, task=_get(request, pk), new_deadline=body.new_deadline, reason=body.reason
    )
    return _detail(request, pk)
