"""Scheduled work of the executive system. Thin: call the service for today.

Registered with Celery when this module is imported: ``documents/tasks.py`` imports it (Celery's
autodiscovery only looks at ``tasks.py``)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="documents.daily_reminders")
def daily_reminders() -> dict[str, int]:
    """Daily at 07:00 (Asia/Ho_Chi_Minh): task deadline reminders, escalation of overdue tasks,
    reminders of overdue incoming documents. Idempotent per day."""
    from django.utils import timezone

    from congso.modules.documents.reminders import run_daily

    report = run_daily(today=timezone.localdate())
    return {
        "task_reminders": report.task_reminders.items,
        "task_escalations": report.task_escalations.items,
        "document_reminders": report.document_reminders.items,
        "mails": report.task_reminders.mails
        + report.task_escalations.mails
        + report.document_reminders.mails,
    }
