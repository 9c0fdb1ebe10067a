"""Tasks of the services module: thin — call a service."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="services.publish_statistics")
def publish_statistics(period: str | None = None) -> int:
    """Monthly (on the 1st): push last month's dossier statistics to the reporting module; or the
    given period ("2026M11", "2026Q4", "2026"). Idempotent: the same cells are overwritten."""
    from congso.modules.services import statistics

    if period:
        return statistics.statistics_publish(period=period).values
    return statistics.statistics_publish_previous_month().values


@shared_task(name="services.notify_overdue")
def notify_overdue() -> int:
    """Daily: tell the applicants of dossiers past their due date without a result, once each."""
    from congso.modules.services import deadlines

    return deadlines.dossiers_notify_overdue()
