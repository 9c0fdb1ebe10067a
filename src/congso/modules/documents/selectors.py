"""Every read of the document module, scoped to what the actor may see.

An official sees the documents of the agencies where they hold "documents.view" (their agency;
leaders their subtree). A document marked secret (mật and above) is narrowed further to those with
"documents.view_secret" there (leaders, clerks) and the officials assigned to it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from congso.core.errors import NotFound
from congso.core.policy import AgencyScope, agency_scope
from congso.modules.documents.models import (
    Assignment,
    Direction,
    Document,
    Secrecy,
    Status,
    Task,
    TrailEntry,
)


def visible_documents(actor: Any) -> QuerySet[Document]:
    scope = agency_scope(actor, "documents.view")
    if scope.empty:
        return Document.objects.none()
    secret_scope = agency_scope(actor, "documents.view_secret")
    assigned = Assignment.objects.filter(document=OuterRef("pk")).filter(
        Q(handler_id=actor.pk) | Q(unit_id=getattr(actor, "agency_id", None))
    )
    qs = Document.objects.filter(scope.q("agency"))
    if _covers(secret_scope, scope):
        return qs
    # Not written as one OR with secret_scope.q(): Django drops an empty Q() from an OR, and the
    # empty Q() is how a city-wide scope says "everything".
    return qs.filter(Q(secrecy=Secrecy.NORMAL) | secret_scope.q("agency") | Q(Exists(assigned)))


def sees_whole_scope(actor: Any) -> bool:
    """True when ``visible_documents(actor)`` is every document of the agencies in the actor's
    "documents.view" scope — no secret document of theirs is hidden (they may read secrets wherever
    they may read at all: a leader or clerk). Search then knows that every document of those
    agencies it finds is visible, without asking again (search.py)."""
    scope = agency_scope(actor, "documents.view")
    return not scope.empty and _covers(agency_scope(actor, "documents.view_secret"), scope)


def _covers(outer: AgencyScope, inner: AgencyScope) -> bool:
    """Whether every agency of ``inner`` is in ``outer`` (conservative: an agency id of ``inner``
    that lies in a subtree of ``outer`` without being listed counts as not covered)."""
    if outer.everything:
        return True
    if inner.everything:
        return False
    return inner.agency_ids <= outer.agency_ids and all(
        any(prefix.startswith(p) for p in outer.path_prefixes) for prefix in inner.path_prefixes
    )


def document_get(*, actor: Any, pk: int) -> Document:
    document = (
        visible_documents(actor).select_related("agency", "current_file", "relates_to").filter(pk=pk).first()
    )
    if document is None:
        # The same answer whether it does not exist or may not be seen: nothing leaks.
        raise NotFound(_("Không tìm thấy văn bản số {pk}.").format(pk=pk))
    return document


def document_list(
    *, actor: Any, direction: str | None = None, status: str | None = None, agency_id: int | None = None
) -> QuerySet[Document]:
    qs = visible_documents(actor).select_related("agency")
    if direction:
        qs = qs.filter(direction=direction)
    if status:
        qs = qs.filter(status=status)
    if agency_id:
        qs = qs.filter(agency_id=agency_id)
    return qs.order_by("-created_at", "-id")


def incoming_queue(*, actor: Any) -> QuerySet[Document]:
    """What waits for the clerk: arrived and not yet registered."""
    return document_list(actor=actor, direction=Direction.INCOMING, status=Status.PENDING)


def my_work(*, actor: Any) -> QuerySet[Document]:
    """Documents assigned to the actor (or their unit) that are not completed, by deadline."""
    open_items = Assignment.objects.filter(document=OuterRef("pk"), completed_at__isnull=True).filter(
        Q(handler_id=actor.pk) | Q(unit_id=getattr(actor, "agency_id", None))
    )
    return (
        visible_documents(actor)
        .filter(Exists(open_items), status__in=[Status.ASSIGNED, Status.IN_PROGRESS])
        .select_related("agency")
        .order_by("deadline", "id")
    )


def overdue_documents(*, actor: Any, on: dt.date | None = None) -> QuerySet[Document]:
    day = on or timezone.localdate()
    return (
        visible_documents(actor)
        .filter(direction=Direction.INCOMING, deadline__lt=day)
        .exclude(status__in=[Status.COMPLETED, Status.REJECTED, Status.RECALLED])
        .select_related("agency")
        .order_by("deadline", "id")
    )


def document_trail(*, actor: Any, document: Document) -> QuerySet[TrailEntry]:
    document_get(actor=actor, pk=document.pk)
    return document.trail.all()


def document_assignments(*, document: Document) -> QuerySet[Assignment]:
    return document.assignments.select_related("unit", "handler")


def visible_tasks(actor: Any) -> QuerySet[Task]:
    """Tasks an official may see: assigned by or to an agency in their scope, or to them."""
    scope = agency_scope(actor, "documents.view")
    if scope.everything:
        return Task.objects.all()
    return Task.objects.filter(scope.q("agency") | scope.q("assignee_agency") | Q(assignee_id=actor.pk))
