"""Tasks of the reporting module: thin — load by id, call a service."""

from __future__ import annotations

from celery import shared_task

from congso.modules.reporting import sharing


@shared_task(
    name="reporting.deliver_national",
    bind=True,
    autoretry_for=(sharing.DeliveryFailed, OSError),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=6,
)
def deliver_national(self, delivery_id: int) -> str:
    """Push one national delivery; retried with exponential backoff (30 s, 1 min, 2 min … 1 h)."""
    final = self.request.retries >= (self.max_retries or 0)
    delivery = sharing.national_deliver(delivery_id=delivery_id, final_attempt=final)
    return delivery.status


def enqueue_national_delivery(delivery_id: int) -> None:
    """Queue the delivery. In the embedded default (eager Celery, which propagates exceptions and
    so cannot run Celery's own retries in-process) the same attempts run here, one after another."""
    if deliver_national.app.conf.task_always_eager:
        attempts = (deliver_national.max_retries or 0) + 1
        for attempt in range(attempts):
            try:
                sharing.national_deliver(delivery_id=delivery_id, final_attempt=attempt == attempts - 1)
                return
            except (sharing.DeliveryFailed, OSError):
                continue
        return
    deliver_national.delay(delivery_id)


@shared_task(name="reporting.send_deadline_reminders")
def send_deadline_reminders() -> int:
    """Daily: remind agencies of reports due within two working days (idempotent per day)."""
    from django.utils import timezone

    from congso.modules.reporting.reminders import deadline_reminders_send

    return deadline_reminders_send(today=timezone.localdate()).reminded
