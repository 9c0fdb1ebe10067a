"""Executive task pages (nhiệm vụ điều hành), mounted at /van-ban/nhiem-vu/: the lists (given to me or
my agency, given by me, overdue, done), the form a leader gives a task with (directly or from a
document), and a task's page with its progress history and the actions its reader may take now.
Views parse input, call the services in ``executive`` and the selectors, and render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from congso.core.audit.selectors import audit_events_for_target
from congso.core.errors import DomainError, Forbidden, InvalidInput, NotFound
from congso.core.org import selectors as org_selectors
from congso.core.policy import can
from congso.modules.documents import executive, selectors
from congso.modules.documents.models import Document, Task, TaskStatus
from congso.modules.documents.views import (
    DATE_WIDGET,
    PER_PAGE,
    _home_agency,
    _officials_in,
    _officials_only,
    _tabs,
)
from congso.web.errors import friendly_errors
from congso.web.labels import translate_detail

TASK_STATUS_LABELS: dict[str, Any] = {
    TaskStatus.OPEN: gettext_lazy("Đang thực hiện"),
    TaskStatus.DONE: gettext_lazy("Đã hoàn thành"),
    TaskStatus.CANCELLED: gettext_lazy("Đã hủy"),
}

# (code, label, url name)
TASK_TABS: list[tuple[str, Any, str]] = [
    ("assigned", gettext_lazy("Được giao cho tôi, đơn vị tôi"), "documents:tasks"),
    ("given", gettext_lazy("Tôi đã giao"), "documents:tasks_given"),
    ("overdue", gettext_lazy("Quá hạn"), "documents:tasks_overdue"),
    ("done", gettext_lazy("Đã hoàn thành"), "documents:tasks_done"),
]

ACTION_SLUGS = {
    "tien-do": "progress",
    "hoan-thanh": "complete",
    "huy": "cancel",
    "gia-han": "extend",
}


# --- helpers -------------------------------------------------------------------------------------


def _today() -> dt.date:
    # The services' seam: what the pages call overdue agrees with what the services check.
    return executive.today()


def _tasks(actor: Any) -> QuerySet[Task]:
    return selectors.visible_tasks(actor).select_related(
        "agency", "assignee_agency", "assignee", "created_by", "document"
    )


def _task_get(actor: Any, pk: int) -> Task:
    task = _tasks(actor).filter(pk=pk).first()
    if task is None:
        # The same answer whether it does not exist or may not be seen.
        raise NotFound(_("Không tìm thấy nhiệm vụ số {pk}.").format(pk=pk))
    return task


def _late(task: Task, today: dt.date) -> bool:
    return task.status == TaskStatus.OPEN and task.deadline < today


def _row(task: Task, today: dt.date) -> dict[str, Any]:
    return {
        "obj": task,
        "status": TASK_STATUS_LABELS.get(task.status, task.status),
        "late": _late(task, today),
        "who": task.assignee.display_name if task.assignee else "",
    }


def _mine_q(actor: Any) -> Q:
    """Given to the actor, or to the actor's agency."""
    q = Q(assignee_id=actor.pk)
    agency_id = getattr(actor, "agency_id", None)
    if agency_id:
        q |= Q(assignee_agency_id=agency_id)
    return q


def _tab_items(actor: Any, tab: str, today: dt.date) -> QuerySet[Task]:
    tasks = _tasks(actor)
    if tab == "assigned":
        return tasks.filter(_mine_q(actor), status=TaskStatus.OPEN).order_by("deadline", "id")
    if tab == "given":
        return tasks.filter(created_by=actor).order_by("deadline", "id")
    if tab == "overdue":
        return tasks.filter(status=TaskStatus.OPEN, deadline__lt=today).order_by("deadline", "id")
    return tasks.filter(status=TaskStatus.DONE).order_by("-completed_at", "-id")


def _task_tabs(actor: Any, today: dt.date) -> list[dict[str, Any]]:
    tasks = selectors.visible_tasks(actor)
    counts = {
        "assigned": tasks.filter(_mine_q(actor), status=TaskStatus.OPEN).count(),
        "overdue": tasks.filter(status=TaskStatus.OPEN, deadline__lt=today).count(),
    }
    return [{"code": c, "label": label, "url": url, "count": counts.get(c)} for c, label, url in TASK_TABS]


def _may_give(actor: Any) -> bool:
    agency = getattr(actor, "agency", None)
    return agency is not None and can(actor, "tasks.manage", agency)


def _allowed(actor: Any, task: Task) -> dict[str, bool]:
    """The actions the actor may take on the task now: the policy and the status agree (the same
    rules as the services, which check them again)."""
    if task.status != TaskStatus.OPEN:
        return {"progress": False, "complete": False, "cancel": False, "extend": False}
    update = executive._may_update(actor, task)
    manage = can(actor, "tasks.manage", task.agency)
    return {"progress": update, "complete": update or manage, "cancel": manage, "extend": manage}


# --- lists ---------------------------------------------------------------------------------------


def _list(request: HttpRequest, tab: str) -> HttpResponse:
    _officials_only(request)
    actor = request.user
    if not can(actor, "documents.view"):
        raise Forbidden(_("Bạn không có quyền xem nhiệm vụ."))
    today = _today()
    page = Paginator(_tab_items(actor, tab, today), PER_PAGE).get_page(request.GET.get("trang"))
    return render(
        request,
        "documents/task_list.html",
        {
            "tab": "tasks",
            "tabs": _tabs(actor),
            "task_tab": tab,
            "task_tabs": _task_tabs(actor, today),
            "title": next(label for c, label, _u in TASK_TABS if c == tab),
            "page": page,
            "query": "",
            "rows": [_row(t, today) for t in page],
            "today": today,
            "may_give": _may_give(actor),
        },
    )


@login_required
@friendly_errors
def task_list(request: HttpRequest) -> HttpResponse:
    return _list(request, "assigned")


@login_required
@friendly_errors
def task_list_given(request: HttpRequest) -> HttpResponse:
    return _list(request, "given")


@login_required
@friendly_errors
def task_list_overdue(request: HttpRequest) -> HttpResponse:
    return _list(request, "overdue")


@login_required
@friendly_errors
def task_list_done(request: HttpRequest) -> HttpResponse:
    return _list(request, "done")


# --- giving a task -------------------------------------------------------------------------------


class TaskForm(forms.Form):
    """The shape of a task; what is missing or wrong (the deadline above all) is for the service."""

    title = forms.CharField(
        label=gettext_lazy("Tên nhiệm vụ"),
        required=False,
        max_length=300,
        help_text=gettext_lazy("Ví dụ: Báo cáo kết quả chuyển đổi số quý III."),
    )
    description = forms.CharField(
        label=gettext_lazy("Nội dung, yêu cầu"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    assignee_agency = forms.ChoiceField(label=gettext_lazy("Đơn vị được giao"))
    assignee = forms.ChoiceField(
        label=gettext_lazy("Cán bộ được giao"),
        required=False,
        help_text=gettext_lazy("Cán bộ của đơn vị được giao; để trống nếu giao cho cả đơn vị."),
    )
    deadline = forms.DateField(
        label=gettext_lazy("Hạn hoàn thành (ngày)"),
        required=False,
        widget=DATE_WIDGET,
        help_text=gettext_lazy("Một ngày làm việc, từ hôm nay trở đi."),
    )
    working_days = forms.IntegerField(
        label=gettext_lazy("Hoặc số ngày làm việc"),
        required=False,
        widget=forms.NumberInput(attrs={"min": 1, "max": executive.MAX_WORKING_DAYS, "inputmode": "numeric"}),
        help_text=gettext_lazy(
            "Tính từ ngày làm việc kế tiếp, không kể thứ Bảy, Chủ nhật và ngày nghỉ lễ, Tết."
        ),
    )
    document = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, agency: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = (
            org_selectors.agencies_as_of(as_of=_today())
            .filter(path__startswith=agency.path)
            .select_related(None)
            .only("pk", "code", "name", "path")
            .order_by("path")
        )
        self.units: dict[str, Any] = {str(a.pk): a for a in units}
        self.fields["assignee_agency"].choices = [  # type: ignore[attr-defined]
            ("", _("— Chọn đơn vị —")),
            *((pk, a.name) for pk, a in self.units.items()),
        ]
        self.officials: dict[str, Any] = {str(u.pk): u for u in _officials_in(agency)[:500]}
        # Grouped by their unit (the service checks the official belongs to the unit chosen).
        groups: dict[str, list[tuple[str, str]]] = {}
        for pk, user in self.officials.items():
            label = user.display_name + (f", {user.position}" if user.position else "")
            groups.setdefault(user.agency.name, []).append((pk, label))
        self.fields["assignee"].choices = [  # type: ignore[attr-defined]
            ("", _("— Không chỉ định cán bộ —")),
            *groups.items(),
        ]


def _place_errors(form: forms.Form, exc: DomainError) -> None:
    """A service's errors on the form's fields (by name); its whole message above the form when the
    field's own is short, or when no field matches."""
    placed = []
    for problem in exc.errors:
        field = problem.get("field", "")
        if field in form.fields and field != "document":
            form.add_error(field, translate_detail(problem.get("message", "")))
            placed.append(problem.get("message", ""))
    if not placed or (exc.detail not in placed and "; ".join(placed) != exc.detail):
        form.add_error(None, translate_detail(exc.detail))


def _source_document(actor: Any, value: Any) -> Document | None:
    if value in (None, ""):
        return None
    if not str(value).isdigit():
        raise NotFound(_("Không tìm thấy văn bản số {pk}.").format(pk=value))
    return selectors.document_get(actor=actor, pk=int(value))


@login_required
@friendly_errors
def task_new(request: HttpRequest) -> HttpResponse:
    """A leader gives a task to their agency or a unit under it (?van_ban=<id>: from a document)."""
    _officials_only(request)
    actor = request.user
    agency = _home_agency(request)
    if not can(actor, "tasks.manage", agency):
        raise Forbidden(_("Chỉ lãnh đạo cơ quan mới giao nhiệm vụ."))
    if request.method == "POST":
        form = TaskForm(request.POST, agency=agency)
        document = _source_document(actor, request.POST.get("document"))
    else:
        document = _source_document(actor, request.GET.get("van_ban"))
        form = TaskForm(agency=agency, initial={"document": document.pk if document else None})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                task = executive.task_create(
                    actor=actor,
                    agency=agency,
                    title=data["title"],
                    description=data["description"],
                    assignee_agency=form.units[data["assignee_agency"]],
                    assignee=form.officials.get(data["assignee"] or ""),
                    deadline=data["deadline"],
                    working_days=data["working_days"],
                    document=document,
                )
            except DomainError as exc:
                if isinstance(exc, NotFound):
                    raise
                _place_errors(form, exc)
                status = exc.status
            else:
                messages.success(
                    request,
                    _("Đã giao nhiệm vụ cho %(unit)s, hạn hoàn thành %(day)s.")
                    % {"unit": task.assignee_agency.name, "day": task.deadline.strftime("%d/%m/%Y")},
                )
                return redirect("documents:task_detail", pk=task.pk)
    return render(
        request,
        "documents/task_form.html",
        {
            "form": form,
            "agency": agency,
            "document": document,
            "today": _today(),
            "tab": "tasks",
            "tabs": _tabs(actor),
        },
        status=status,
    )


# --- a task --------------------------------------------------------------------------------------


UPDATE_LABELS: dict[str, Any] = {
    "documents.task.update_progress": gettext_lazy("Cập nhật tiến độ"),
    "documents.task.complete": gettext_lazy("Hoàn thành"),
    "documents.task.deadline_extend": gettext_lazy("Gia hạn"),
}


def _history(task: Task) -> list[dict[str, Any]]:
    """What happened to the task, oldest first: given, each report (completion, extension: a
    ``TaskUpdate`` each, named by the audit event written with it), cancelled (with its reason)."""
    events = audit_events_for_target(target_type="documents.task", target_id=str(task.pk))
    kinds = [e.action for e in events if e.action in UPDATE_LABELS]
    updates = list(task.updates.select_related("actor").order_by("at", "id"))
    if len(kinds) != len(updates):  # rows written outside the services: name them plainly
        kinds = ["documents.task.update_progress"] * len(updates)
    entries: list[dict[str, Any]] = [
        {
            "at": task.created_at,
            "who": task.created_by.display_name if task.created_by else _("Hệ thống"),
            "action": _("Giao nhiệm vụ"),
            "progress": None,
            "note": "",
        }
    ]
    for update, kind in zip(updates, kinds, strict=True):
        entries.append(
            {
                "at": update.at,
                "who": update.actor.display_name if update.actor else _("Hệ thống"),
                "action": UPDATE_LABELS[kind],
                "progress": update.progress if kind != "documents.task.deadline_extend" else None,
                "note": update.note,
            }
        )
    for event in events:
        if event.action == "documents.task.cancel":
            entries.append(
                {
                    "at": event.occurred_at,
                    "who": event.actor.display_name if event.actor else event.actor_label,
                    "action": _("Hủy nhiệm vụ"),
                    "progress": None,
                    "note": (event.after or {}).get("reason", ""),
                }
            )
    entries.sort(key=lambda e: e["at"])
    return entries


def _detail(
    request: HttpRequest, task: Task, *, error: str = "", failed: str = "", status: int = 200
) -> HttpResponse:
    actor = request.user
    today = _today()
    allowed = _allowed(actor, task)
    return render(
        request,
        "documents/task_detail.html",
        {
            "task": task,
            "row": _row(task, today),
            "history": _history(task),
            "allowed": allowed,
            "any_action": any(allowed.values()),
            "error": error,
            "failed": failed,
            "posted": request.POST if failed else {},
            "today": today,
            "document_visible": task.document_id is not None
            and selectors.visible_documents(actor).filter(pk=task.document_id).exists(),
            "tab": "tasks",
            "tabs": _tabs(actor),
        },
        status=status,
    )


@login_required
@friendly_errors
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _officials_only(request)
    return _detail(request, _task_get(request.user, pk))


def _int_field(request: HttpRequest, name: str, message: str) -> int:
    value = (request.POST.get(name) or "").strip()
    try:
        return int(value)
    except ValueError:
        raise InvalidInput(message, errors=[{"field": name, "message": message}]) from None


def _date_field(request: HttpRequest, name: str) -> dt.date:
    value = (request.POST.get(name) or "").strip()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        message = _("Chọn hạn mới (một ngày, ví dụ 15/09/2026).")
        raise InvalidInput(message, errors=[{"field": name, "message": message}]) from None


def _do(request: HttpRequest, task: Task, action: str) -> str:
    """Run one action; returns the success message, or raises a DomainError."""
    actor = request.user
    note = (request.POST.get("note") or "").strip()
    if action == "progress":
        progress = _int_field(request, "progress", _("Tiến độ phải là số nguyên từ 0 đến 100."))
        done = executive.task_update_progress(actor=actor, task=task, progress=progress, note=note)
        if done.status == TaskStatus.DONE:
            return _("Đã cập nhật tiến độ 100%: nhiệm vụ đã hoàn thành.")
        return _("Đã cập nhật tiến độ %(p)s%%.") % {"p": done.progress}
    if action == "complete":
        executive.task_complete(actor=actor, task=task, note=note)
        return _("Đã hoàn thành nhiệm vụ.")
    if action == "cancel":
        executive.task_cancel(actor=actor, task=task, reason=request.POST.get("reason") or "")
        return _("Đã hủy nhiệm vụ.")
    if action == "extend":
        new_deadline = _date_field(request, "new_deadline")
        extended = executive.task_deadline_extend(
            actor=actor, task=task, new_deadline=new_deadline, reason=request.POST.get("reason") or ""
        )
        return _("Đã gia hạn nhiệm vụ đến %(day)s.") % {"day": extended.deadline.strftime("%d/%m/%Y")}
    raise NotFound(_("Không có thao tác này."))


@login_required
@require_POST
@friendly_errors
def task_act(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    _officials_only(request)
    action = ACTION_SLUGS.get(slug)
    if action is None:
        raise NotFound(_("Không có thao tác này."))
    task = _task_get(request.user, pk)
    try:
        message = _do(request, task, action)
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        # The page again, with the message and what was typed; nothing has changed.
        return _detail(
            request,
            _task_get(request.user, pk),
            error=translate_detail(exc.detail),
            failed=action,
            status=exc.status,
        )
    messages.success(request, message)
    return redirect(reverse("documents:task_detail", kwargs={"pk": pk}))


# --- on a document's page ------------------------------------------------------------------------


def tasks_of_document(actor: Any, document: Document) -> dict[str, Any]:
    """The tasks given from ``document`` that the actor may see, and whether the actor may give one
    (shown on the document's page)."""
    today = _today()
    tasks = _tasks(actor).filter(document=document).order_by("deadline", "id")
    return {"rows": [_row(t, today) for t in tasks[:50]], "may_give": _may_give(actor)}
