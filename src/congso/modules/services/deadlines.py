"""Dossiers that have passed their due date without a result (Decree 118/2025: the applicant is told
and apologised to). Run daily by the ``services.notify_overdue`` task.

The head of the competent agency issues the apology letter with a new date (``processing.
dossier_apologise``), which moves ``due_at``; a dossier still past ``due_at`` here has no such
letter yet, so the applicant at least hears that it is late. Each dossier is told once: the
conditional UPDATE of ``late_notified_at`` is the claim, so two runs at once (two beat schedulers,
a retried task) cannot both send.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from congso.modules.services import notifications
from congso.modules.services.models import Dossier, DossierStatus

# Still with the administration: the clock runs (a supplement awaited stops it, so not those).
RUNNING = (DossierStatus.ACCEPTED, DossierStatus.IN_PROGRESS)


def dossiers_notify_overdue(*, now: dt.datetime | None = None) -> int:
    """Tell the applicant of every running dossier past its due date, once. Returns how many."""
    now = now or timezone.now()
    told = 0
    overdue = Dossier.objects.filter(status__in=RUNNING, due_at__lt=now, late_notified_at__isnull=True)
    for pk in overdue.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            claimed = Dossier.objects.filter(
                pk=pk, status__in=RUNNING, due_at__lt=now, late_notified_at__isnull=True
            ).update(late_notified_at=now)
            if claimed:
                dossier = Dossier.objects.select_related("procedure", "receiving_agency").get(pk=pk)
                notifications.notify_late(dossier)  # sent after this transaction commits
                told += 1
    return told
