"""Notifications: e-mail and text messages to people, sent after the change that causes them.

``send_email`` and ``send_sms`` send now (a task calls them). A service calls ``email_after_commit``
or ``sms_after_commit`` inside its transaction: the message is sent when the transaction commits,
and never if it rolls back — in-process by default, queued as a Celery task for the workers when a
broker is configured. A broker outage is logged and does not undo the change.

E-mail goes through Django's mail framework (settings: files under DATA_DIR/mail by default, SMTP
when configured); text messages through the adapter of ``settings.SMS_BACKEND`` (sms.py).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from congso.core.notify.sms import backend, normalise_phone, unaccent

log = logging.getLogger(__name__)

__all__ = ["email_after_commit", "send_email", "send_sms", "sms_after_commit"]


def _recipients(to: str | Sequence[str]) -> list[str]:
    items = [to] if isinstance(to, str) else list(to)
    return [address.strip() for address in items if address and address.strip()]


def send_email(to: str | Sequence[str], subject: str, body: str) -> int:
    """Send one plain-text e-mail now; the number of messages sent (0 without a recipient)."""
    recipients = _recipients(to)
    if not recipients:
        return 0
    return send_mail(subject=subject, message=body, from_email=None, recipient_list=recipients)


def send_sms(phone: str, text: str) -> str:
    """Send one text message now; the number it went to, in E.164. ValueError for a bad number."""
    number = normalise_phone(phone)
    if getattr(settings, "SMS_UNACCENTED", True):
        text = unaccent(text)
    backend().send(number, text)
    return number


def email_after_commit(to: str | Sequence[str], subject: str, body: str) -> bool:
    """Queue an e-mail for when the current transaction commits; False when there is no recipient."""
    recipients = _recipients(to)
    if not recipients:
        return False
    transaction.on_commit(partial(_enqueue, "email", recipients, subject, body), robust=True)
    return True


def sms_after_commit(phone: str, text: str) -> bool:
    """Queue a text message for when the current transaction commits; False for a missing or
    invalid number (logged), which must not undo the change that triggered it."""
    try:
        number = normalise_phone(phone)
    except ValueError:
        if phone:
            log.warning("Không gửi tin nhắn: số điện thoại không hợp lệ %r", phone)
        return False
    transaction.on_commit(partial(_enqueue, "sms", number, text), robust=True)
    return True


def _enqueue(kind: str, *args: object) -> None:
    from congso.config.celery import app
    from congso.core.notify import tasks

    task = tasks.send_email_task if kind == "email" else tasks.send_sms_task
    if app.conf.task_always_eager:
        # In-process (no broker): send now. Celery's eager apply would cost ≈ 0.25 ms a message
        # (a one-stop filing sends two) for nothing: its retries run at once, with no backoff, so
        # they do not help a mail server that failed a moment ago.
        try:
            task.run(*args)
        except Exception:  # a failed send must not fail the request that already committed
            log.exception("Không gửi được thông báo %s", kind)
        return
    try:
        task.delay(*args)
    except Exception:  # a broker outage must not fail the request that already committed
        log.exception("Không xếp được thông báo %s vào hàng đợi", kind)
