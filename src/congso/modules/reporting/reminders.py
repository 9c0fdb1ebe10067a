"""Reminders before report deadlines (run daily by the scheduler: `reporting.send_deadline_reminders`).

An agency is reminded, by mail to the officials who may submit its reports, when a report is still
a draft or was returned and its deadline is within ``days_before`` working days. Each
(submission, deadline, day) is reminded once: the reminder is recorded in the audit log first and
looked up there, so a retried or doubled run does not mail twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial

from django.core.mail import send_mail
from django.db import transaction

from congso.core.accounts.models import RoleAssignment
from congso.core.audit.models import AuditEvent
from congso.core.audit.services import audit_record
from congso.core.calendar.services import add_working_days
from congso.modules.reporting.models import Submission, SubmissionStatus


@dataclass(frozen=True)
class ReminderReport:
    reminded: int
    mails: int


def deadline_reminders_send(*, today: dt.date, days_before: int = 2) -> ReminderReport:
    horizon = add_working_days(today, days_before)
    due = (
        Submission.objects.filter(
            status__in=[SubmissionStatus.DRAFT, SubmissionStatus.RETURNED],
            deadline__gte=today,
            deadline__lte=horizon,
        )
        .select_related("form", "agency")
        .order_by("deadline")
    )
    reminded = mails = 0
    for submission in due:
        marker = f"{submission.pk}:{submission.deadline}:{today}"
        if AuditEvent.objects.filter(
            action="reporting.reminder", target_id=str(submission.pk), after__marker=marker
        ).exists():
            continue
        recipients = sorted(
            set(
                RoleAssignment.objects.filter(
                    agency=submission.agency, role__in=["clerk", "specialist"], user__is_active=True
                )
                .exclude(user__email="")
                .values_list("user__email", flat=True)
            )
        )
        with transaction.atomic():
            audit_record(
                actor=None,
                action="reporting.reminder",
                target=submission,
                after={"marker": marker, "recipients": len(recipients)},
                agency_code=submission.agency.code,
            )
            if recipients:
                subject = (
                    f"[congso] Nhắc hạn báo cáo {submission.form.code} kỳ {submission.period}: "
                    f"hạn {submission.deadline:%d/%m/%Y}"
                )
                body = (
                    f"Báo cáo '{submission.form.name}' kỳ {submission.period} của {submission.agency.name} "
                    f"chưa được gửi. Hạn gửi: {submission.deadline:%d/%m/%Y}.\n"
                )
                transaction.on_commit(partial(send_mail, subject, body, None, recipients))
                mails += len(recipients)
        reminded += 1
    return ReminderReport(reminded=reminded, mails=mails)
