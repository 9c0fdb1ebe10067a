"""Daily reminders of the executive system (run by the scheduler: ``documents.daily_reminders``).

- ``send_task_reminders``: an open task whose deadline is within ``DOCUMENTS_TASK_REMIND_DAYS``
  working days (default 2; today included) is reminded once a day, by mail to its assignee — or,
  when no official is named (or they have no e-mail address), to the officials of the assignee
  agency who may report on tasks (``tasks.update``). ``Task.reminded_on`` records the day.
- ``escalate_overdue``: an open task past its deadline is escalated once, by mail to the leaders of
  the agency that gave it (``tasks.manage``). ``Task.escalated_on`` records the day (extending the
  deadline clears it).
- ``remind_overdue_documents``: an incoming document past its handling deadline and not completed
  is reminded once a day to its handlers (the officials it was delegated to; if none, the officials
  of the assigned units who handle documents). The reminder is recorded in the audit log with the
  day and looked up there, under a row lock on the document.

Each item is claimed in its own transaction (a conditional UPDATE, or the audit marker under a lock),
its audit event written in it, and the mail sent after the commit: running twice, or two workers at
once, sends once. A secret document's summary never goes into a mail.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from congso.core.accounts.models import Role, RoleAssignment, User
from congso.core.audit.models import AuditEvent
from congso.core.audit.services import audit_record
from congso.core.calendar.workdays import add_working_days, working_days_between
from congso.core.policy.engine import actions_of
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

log = logging.getLogger(__name__)

DOCUMENT_CLOSED = (Status.COMPLETED, Status.REJECTED, Status.RECALLED)
DOCUMENT_REMINDER = "documents.document.overdue_remind"


@dataclass(frozen=True)
class ReminderReport:
    items: int  # tasks or documents reminded / escalated
    mails: int  # addressees written to


@dataclass(frozen=True)
class DailyReport:
    task_reminders: ReminderReport
    task_escalations: ReminderReport
    document_reminders: ReminderReport


def remind_days() -> int:
    return int(getattr(settings, "DOCUMENTS_TASK_REMIND_DAYS", 2))


def _roles_with(action: str) -> list[str]:
    return [role for role in Role.values if action in actions_of(role)]


def _emails_of_role_holders(agency_ids: Iterable[int], action: str) -> list[str]:
    ids = list(agency_ids)
    if not ids:
        return []
    return sorted(
        set(
            RoleAssignment.objects.filter(
                agency_id__in=ids, role__in=_roles_with(action), user__is_active=True
            )
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )


def _send(subject: str, body: str, recipients: list[str]) -> None:
    send_mail(subject, body, None, recipients)


def _after_commit_mail(subject: str, body: str, recipients: list[str]) -> None:
    # robust: one failing mail server answer must not stop the other reminders of the run
    transaction.on_commit(partial(_send, subject, body, recipients), robust=True)


def _task_recipients(task: Task) -> list[str]:
    assignee = task.assignee
    if assignee is not None and assignee.is_active and assignee.email:
        return [assignee.email]
    return _emails_of_role_holders([task.assignee_agency_id], "tasks.update")


def _days_left(today: dt.date, deadline: dt.date) -> str:
    if deadline <= today:
        return _("hạn là hôm nay")
    return _("còn {n} ngày làm việc").format(n=working_days_between(today, deadline))


def send_task_reminders(*, today: dt.date, days_before: int | None = None) -> ReminderReport:
    """Remind open tasks due within ``days_before`` working days (the setting by default)."""
    horizon = add_working_days(today, days_before if days_before is not None else remind_days())
    due = (
        Task.objects.filter(status=TaskStatus.OPEN, deadline__gte=today, deadline__lte=horizon)
        .filter(Q(reminded_on__isnull=True) | Q(reminded_on__lt=today))
        .select_related("agency", "assignee_agency", "assignee")
        .order_by("deadline", "id")
    )
    items = mails = 0
    for task in due:
        with transaction.atomic():
            claimed = (
                Task.objects.filter(pk=task.pk, status=TaskStatus.OPEN)
                .filter(Q(reminded_on__isnull=True) | Q(reminded_on__lt=today))
                .update(reminded_on=today)
            )
            if not claimed:
                continue  # another run got there first
            recipients = _task_recipients(task)
            audit_record(
                actor=None,
                action="documents.task.remind",
                target=task,
                after={"on": today, "deadline": task.deadline, "recipients": len(recipients)},
                agency_code=task.agency.code,
            )
            if recipients:
                subject = _("[congso] Nhắc hạn nhiệm vụ: {title} — hạn {d:%d/%m/%Y}").format(
                    title=task.title, d=task.deadline
                )
                body = _(
                    "Nhiệm vụ '{title}' do {giver} giao cho {unit} có hạn hoàn thành {d:%d/%m/%Y} "
                    "({left}). Tiến độ đã báo cáo: {p}%.\n\n"
                    "Đề nghị cập nhật tiến độ hoặc hoàn thành nhiệm vụ đúng hạn.\n"
                ).format(
                    title=task.title,
                    giver=task.agency.name,
                    unit=task.assignee_agency.name,
                    d=task.deadline,
                    left=_days_left(today, task.deadline),
                    p=task.progress,
                )
                _after_commit_mail(subject, body, recipients)
                mails += len(recipients)
        items += 1
    return ReminderReport(items=items, mails=mails)


def escalate_overdue(*, today: dt.date) -> ReminderReport:
    """Tell the assigning agency's leaders, once, of each open task past its deadline."""
    overdue = (
        Task.objects.filter(status=TaskStatus.OPEN, deadline__lt=today, escalated_on__isnull=True)
        .select_related("agency", "assignee_agency", "assignee")
        .order_by("deadline", "id")
    )
    items = mails = 0
    for task in overdue:
        with transaction.atomic():
            claimed = Task.objects.filter(
                pk=task.pk, status=TaskStatus.OPEN, escalated_on__isnull=True
            ).update(escalated_on=today)
            if not claimed:
                continue
            recipients = _emails_of_role_holders([task.agency_id], "tasks.manage")
            audit_record(
                actor=None,
                action="documents.task.escalate",
                target=task,
                after={"on": today, "deadline": task.deadline, "recipients": len(recipients)},
                agency_code=task.agency.code,
            )
            if recipients:
                who = task.assignee.display_name if task.assignee else ""
                subject = _("[congso] Nhiệm vụ quá hạn: {title} — hạn {d:%d/%m/%Y}").format(
                    title=task.title, d=task.deadline
                )
                body = _(
                    "Nhiệm vụ '{title}' giao cho {unit}{who} đã quá hạn {n} ngày làm việc "
                    "(hạn {d:%d/%m/%Y}) mà chưa hoàn thành. Tiến độ đã báo cáo: {p}%.\n\n"
                    "Đề nghị lãnh đạo chỉ đạo đôn đốc, gia hạn hoặc hủy nhiệm vụ.\n"
                ).format(
                    title=task.title,
                    unit=task.assignee_agency.name,
                    who=f" ({who})" if who else "",
                    n=working_days_between(task.deadline, today),
                    d=task.deadline,
                    p=task.progress,
                )
                _after_commit_mail(subject, body, recipients)
                mails += len(recipients)
        items += 1
    return ReminderReport(items=items, mails=mails)


def _document_recipients(document: Document) -> list[str]:
    open_items = list(
        Assignment.objects.filter(document=document, completed_at__isnull=True)
        .exclude(role=AssignmentRole.INFO)
        .values_list("handler_id", "unit_id")
    )
    handler_ids = {h for h, _u in open_items if h}
    if handler_ids:
        return sorted(
            set(
                User.objects.filter(pk__in=handler_ids, is_active=True)
                .exclude(email="")
                .values_list("email", flat=True)
            )
        )
    return _emails_of_role_holders({u for _h, u in open_items if u}, "documents.handle")


def remind_overdue_documents(*, today: dt.date) -> ReminderReport:
    """Remind the handlers of incoming documents past their deadline, once a day."""
    overdue = (
        Document.objects.filter(direction=Direction.INCOMING, deadline__lt=today)
        .exclude(status__in=DOCUMENT_CLOSED)
        .select_related("agency")
        .order_by("deadline", "id")
    )
    items = mails = 0
    for document in overdue:
        recipients = _document_recipients(document)
        if not recipients:
            continue  # not assigned yet: nobody to remind
        marker = f"{document.pk}:{today.isoformat()}"
        with transaction.atomic():
            # The row lock serialises concurrent runs: the second sees the first one's marker.
            Document.objects.select_for_update().filter(pk=document.pk).values_list("pk").first()
            if AuditEvent.objects.filter(
                action=DOCUMENT_REMINDER,
                target_type=Document._meta.label_lower,
                target_id=str(document.pk),
                after__marker=marker,
            ).exists():
                continue
            audit_record(
                actor=None,
                action=DOCUMENT_REMINDER,
                target=document,
                after={"marker": marker, "deadline": document.deadline, "recipients": len(recipients)},
                agency_code=document.agency.code,
            )
            name = document.number_notation or _("(chưa có số, ký hiệu)")
            subject = _("[congso] Văn bản đến quá hạn xử lý: {name} — hạn {d:%d/%m/%Y}").format(
                name=name, d=document.deadline
            )
            what = (
                _("Văn bản mật")
                if document.secrecy != Secrecy.NORMAL
                else _("Văn bản '{summary}'").format(summary=document.summary)
            )
            body = _(
                "{what} số {name} của {issuer}, số đến {arrival}, giao xử lý tại {agency}, đã quá hạn "
                "xử lý {n} ngày làm việc (hạn {d:%d/%m/%Y}).\n\nĐề nghị khẩn trương xử lý và cập nhật "
                "kết quả trên hệ thống.\n"
            ).format(
                what=what,
                name=name,
                issuer=document.issuer_name or "—",
                arrival=document.arrival_number or "—",
                agency=document.agency.name,
                n=working_days_between(document.deadline, today) if document.deadline else 0,
                d=document.deadline,
            )
            _after_commit_mail(subject, body, recipients)
            mails += len(recipients)
        items += 1
    return ReminderReport(items=items, mails=mails)


def run_daily(*, today: dt.date) -> DailyReport:
    """Everything the scheduler runs each morning, for ``today``."""
    return DailyReport(
        task_reminders=send_task_reminders(today=today),
        task_escalations=escalate_overdue(today=today),
        document_reminders=remind_overdue_documents(today=today),
    )
