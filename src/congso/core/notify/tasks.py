"""Notification tasks: thin, they send one message. Registered through ``CELERY_IMPORTS``."""

from __future__ import annotations

from celery import shared_task

from congso.core import notify


@shared_task(name="notify.send_email", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_email_task(to: list[str], subject: str, body: str) -> int:
    return notify.send_email(to, subject, body)


@shared_task(name="notify.send_sms", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_sms_task(phone: str, text: str) -> str:
    return notify.send_sms(phone, text)
