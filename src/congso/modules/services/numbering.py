"""Dossier codes: the receiving agency's code, the receipt date and a sequence per agency per day.

"001.01.90.H26-261124-0001" is the first dossier received on 24 November 2026 by the one-stop unit
001.01.90.H26. The sequence comes from a counter row per (agency, day) locked with SELECT … FOR
UPDATE in the filing transaction (as document numbers do, documents/numbering.py): two desks filing
at the same moment wait on the lock and get consecutive numbers; a rolled-back filing rolls the
counter back too, so no number is skipped or doubled. SQLite serialises writers with IMMEDIATE
transactions (settings), which gives the same guarantee.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from congso.core.org.models import Agency
from congso.modules.services.models import DossierCounter


def dossier_code(*, agency_code: str, day: dt.date, sequence: int) -> str:
    return f"{agency_code}-{day:%y%m%d}-{sequence:04d}"


def next_sequence(*, agency: Agency, day: dt.date) -> int:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_sequence must run inside the transaction that files the dossier")
    counter = DossierCounter.objects.select_for_update().filter(agency=agency, day=day).first()
    if counter is None:
        try:
            # The first dossier of the day: two desks may race to create the row; the loser retries.
            with transaction.atomic():
                DossierCounter.objects.create(agency=agency, day=day, last=0)
        except IntegrityError:
            pass
        counter = DossierCounter.objects.select_for_update().get(agency=agency, day=day)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last
