"""The leader's dashboard of the executive system: reads only, scoped by the policy layer.

``leader_dashboard`` counts, per agency in the actor's scope, the tasks given to it (open, overdue,
done on time, done late) and its incoming documents (open, overdue), with a few grouped queries —
never a loop over rows per agency — and lists the most overdue items. ``overdue_by_handler`` groups
the overdue items by the official (or, where no official is named yet, the unit) who must act.

Scope: tasks given by or to an agency where the actor holds ``documents.view`` or
``tasks.manage``, or given to them (cancelled tasks left out); documents seen by the actor
(``visible_documents``: secret ones narrowed).
A task counts under its assignee agency; a document under the agency that received it.
"Done on time" compares the local (Vietnam) day of completion with the deadline.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from congso.core.accounts.models import User
from congso.core.calendar.workdays import working_days_between
from congso.core.org.models import Agency
from congso.core.policy import agency_scope
from congso.modules.documents.models import (
    Assignment,
    AssignmentRole,
    Direction,
    Document,
    Secrecy,
    Status,
    Task,
    TaskStatus,
)
from congso.modules.documents.selectors import visible_documents

DOCUMENT_CLOSED = (Status.COMPLETED, Status.REJECTED, Status.RECALLED)
SECRET_LABEL = "Văn bản mật"


@dataclass
class AgencyCounts:
    agency_id: int
    code: str
    name: str
    open_tasks: int = 0
    overdue_tasks: int = 0
    done_on_time: int = 0
    done_late: int = 0
    documents_open: int = 0
    documents_overdue: int = 0


@dataclass(frozen=True)
class OverdueItem:
    kind: str  # "task" | "document"
    id: int
    title: str
    agency_name: str  # the assignee agency of a task, the receiving agency of a document
    deadline: dt.date
    days_overdue: int  # working days past the deadline
    handler: str  # the official or unit who must act ("" when not assigned)


@dataclass
class Dashboard:
    today: dt.date
    agencies: list[AgencyCounts]
    totals: AgencyCounts
    most_overdue: list[OverdueItem] = field(default_factory=list)


def _tasks_in_scope(actor: Any) -> QuerySet[Task]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return Task.objects.none()
    view = agency_scope(actor, "documents.view")
    manage = agency_scope(actor, "tasks.manage")
    live = Task.objects.exclude(status=TaskStatus.CANCELLED)
    if view.everything or manage.everything:
        return live  # (an empty Q() would vanish from an OR below and narrow the scope instead)
    cond = Q(assignee_id=actor.pk)
    for scope in (view, manage):
        if not scope.empty:
            cond |= scope.q("agency") | scope.q("assignee_agency")
    return live.filter(cond)


def _open_incoming(actor: Any) -> QuerySet[Document]:
    return visible_documents(actor).filter(direction=Direction.INCOMING).exclude(status__in=DOCUMENT_CLOSED)


def _document_title(document: Document) -> str:
    if document.secrecy != Secrecy.NORMAL:
        return f"{document.number_notation} — {SECRET_LABEL}".strip(" —")
    return f"{document.number_notation} — {document.summary}".strip(" —")


def leader_dashboard(*, actor: Any, today: dt.date | None = None, limit: int = 10) -> Dashboard:
    day = today or timezone.localdate()
    tasks = _tasks_in_scope(actor)
    task_rows = (
        tasks.annotate(done_day=TruncDate("completed_at"))
        .values("assignee_agency_id")
        .annotate(
            open_tasks=Count("pk", filter=Q(status=TaskStatus.OPEN)),
            overdue_tasks=Count("pk", filter=Q(status=TaskStatus.OPEN, deadline__lt=day)),
            done_on_time=Count("pk", filter=Q(status=TaskStatus.DONE, done_day__lte=F("deadline"))),
            done_late=Count("pk", filter=Q(status=TaskStatus.DONE, done_day__gt=F("deadline"))),
        )
        .order_by()
    )
    documents = _open_incoming(actor)
    document_rows = (
        documents.values("agency_id")
        .annotate(
            documents_open=Count("pk"),
            documents_overdue=Count("pk", filter=Q(deadline__lt=day)),
        )
        .order_by()
    )
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for task_row in task_rows:
        counts[task_row["assignee_agency_id"]].update(
            open_tasks=task_row["open_tasks"],
            overdue_tasks=task_row["overdue_tasks"],
            done_on_time=task_row["done_on_time"],
            done_late=task_row["done_late"],
        )
    for document_row in document_rows:
        counts[document_row["agency_id"]].update(
            documents_open=document_row["documents_open"],
            documents_overdue=document_row["documents_overdue"],
        )
    agencies = {
        a.pk: a for a in Agency.objects.filter(pk__in=list(counts)).only("pk", "code", "name", "path")
    }
    result = [
        AgencyCounts(agency_id=pk, code=agencies[pk].code, name=agencies[pk].name, **values)
        for pk, values in counts.items()
    ]
    result.sort(key=lambda r: (agencies[r.agency_id].path, r.agency_id))
    totals = AgencyCounts(agency_id=0, code="", name="Tổng cộng")
    for counted in result:
        for name in (
            "open_tasks",
            "overdue_tasks",
            "done_on_time",
            "done_late",
            "documents_open",
            "documents_overdue",
        ):
            setattr(totals, name, getattr(totals, name) + getattr(counted, name))
    return Dashboard(
        today=day,
        agencies=result,
        totals=totals,
        most_overdue=_most_overdue(tasks, documents, day, limit),
    )


def _most_overdue(
    tasks: QuerySet[Task], documents: QuerySet[Document], day: dt.date, limit: int
) -> list[OverdueItem]:
    items: list[OverdueItem] = []
    for task in (
        tasks.filter(status=TaskStatus.OPEN, deadline__lt=day)
        .select_related("assignee_agency", "assignee")
        .order_by("deadline", "id")[:limit]
    ):
        items.append(
            OverdueItem(
                kind="task",
                id=task.pk,
                title=task.title,
                agency_name=task.assignee_agency.name,
                deadline=task.deadline,
                days_overdue=working_days_between(task.deadline, day),
                handler=task.assignee.display_name if task.assignee else task.assignee_agency.name,
            )
        )
    overdue_documents = list(
        documents.filter(deadline__lt=day).select_related("agency").order_by("deadline", "id")[:limit]
    )
    # Who must act: the official it was delegated to, else the lead (unit or official).
    delegated: dict[int, str] = {}
    lead: dict[int, str] = {}
    for asg in (
        Assignment.objects.filter(document__in=[d.pk for d in overdue_documents], completed_at__isnull=True)
        .filter(role__in=[AssignmentRole.HANDLER, AssignmentRole.LEAD])
        .select_related("unit", "handler")
        .order_by("assigned_at", "id")
    ):
        name = asg.handler.display_name if asg.handler else (asg.unit.name if asg.unit else "")
        if asg.role == AssignmentRole.HANDLER:
            delegated[asg.document_id] = name
        else:
            lead.setdefault(asg.document_id, name)
    for document in overdue_documents:
        assert document.deadline is not None
        items.append(
            OverdueItem(
                kind="document",
                id=document.pk,
                title=_document_title(document),
                agency_name=document.agency.name,
                deadline=document.deadline,
                days_overdue=working_days_between(document.deadline, day),
                handler=delegated.get(document.pk) or lead.get(document.pk, ""),
            )
        )
    items.sort(key=lambda i: (i.deadline, i.kind, i.id))
    return items[:limit]


@dataclass
class HandlerCounts:
    official_id: int | None  # None: a unit with no official named yet
    unit_id: int | None
    name: str
    agency_name: str
    overdue_documents: int = 0
    overdue_tasks: int = 0

    @property
    def total(self) -> int:
        return self.overdue_documents + self.overdue_tasks


def overdue_by_handler(*, actor: Any, today: dt.date | None = None) -> list[HandlerCounts]:
    """Overdue incoming documents and tasks per official who must act on them.

    A document counts for each official it was delegated to (open items, not "để biết"); a document
    not yet delegated to anyone counts for its assigned units. A task counts for its assignee, or
    for its assignee agency when no official is named. Most overdue first."""
    day = today or timezone.localdate()
    overdue_docs = _open_incoming(actor).filter(deadline__lt=day).values("pk")
    open_items = Assignment.objects.filter(document__in=overdue_docs, completed_at__isnull=True).exclude(
        role=AssignmentRole.INFO
    )
    has_handler = Assignment.objects.filter(
        document=OuterRef("document"), completed_at__isnull=True, handler__isnull=False
    ).exclude(role=AssignmentRole.INFO)
    by_official: dict[int, dict[str, int]] = defaultdict(lambda: {"documents": 0, "tasks": 0})
    by_unit: dict[int, dict[str, int]] = defaultdict(lambda: {"documents": 0, "tasks": 0})
    groups: list[tuple[Any, str, dict[int, dict[str, int]], str]] = [
        (open_items.filter(handler__isnull=False), "handler_id", by_official, "documents"),
        (
            open_items.filter(handler__isnull=True, unit__isnull=False).exclude(Exists(has_handler)),
            "unit_id",
            by_unit,
            "documents",
        ),
    ]
    overdue_tasks = _tasks_in_scope(actor).filter(status=TaskStatus.OPEN, deadline__lt=day)
    groups += [
        (overdue_tasks.filter(assignee__isnull=False), "assignee_id", by_official, "tasks"),
        (overdue_tasks.filter(assignee__isnull=True), "assignee_agency_id", by_unit, "tasks"),
    ]
    for qs, key, target, what in groups:
        counted = "document" if what == "documents" else "pk"
        for pk, n in qs.values_list(key).annotate(n=Count(counted, distinct=True)).order_by():
            target[pk][what] = n
    officials = {u.pk: u for u in User.objects.filter(pk__in=list(by_official)).select_related("agency")}
    units = {a.pk: a for a in Agency.objects.filter(pk__in=list(by_unit)).select_related("parent")}
    rows: list[HandlerCounts] = []
    for pk, n in by_official.items():
        official = officials[pk]
        home = official.agency
        rows.append(
            HandlerCounts(
                official_id=pk,
                unit_id=official.agency_id,
                name=official.display_name,
                agency_name=home.name if home is not None else "",
                overdue_documents=n["documents"],
                overdue_tasks=n["tasks"],
            )
        )
    for pk, n in by_unit.items():
        unit = units[pk]
        parent = unit.parent
        rows.append(
            HandlerCounts(
                official_id=None,
                unit_id=pk,
                name=unit.name,
                agency_name=parent.name if parent is not None else "",
                overdue_documents=n["documents"],
                overdue_tasks=n["tasks"],
            )
        )
    rows.sort(key=lambda r: (-r.total, r.name, r.official_id or 0, r.unit_id or 0))
    return rows
