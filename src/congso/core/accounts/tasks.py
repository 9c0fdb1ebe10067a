"""Tasks: thin — load by id, call a service."""

from __future__ import annotations

from celery import shared_task

from congso.core.accounts import notifications


@shared_task(
    name="accounts.notify_account_locked", autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def notify_account_locked(user_id: int) -> bool:
    return notifications.send_lockout_notice(user_id)
