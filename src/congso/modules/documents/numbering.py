"""Numbers that are never skipped or doubled (Decree 30, art. 15; arrival numbers, art. 22).

The counter row for (agency, year, register) is locked with SELECT … FOR UPDATE inside the
transaction that issues the number; a second clerk issuing at the same moment waits on the lock
and gets the next number. If the issuing transaction rolls back, so does the counter, so no number
is lost. The counter restarts on 1 January because the year is part of its key. SQLite has no row
locks, but its IMMEDIATE transactions (settings) serialise writers, which gives the same guarantee.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from congso.core.org.models import Agency
from congso.modules.documents.models import NumberCounter, Register


def next_number(*, agency: Agency, year: int, register: Register) -> int:
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("next_number must run inside the transaction that uses the number")
    counter = _locked_counter(agency, year, register)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def _locked_counter(agency: Agency, year: int, register: Register) -> NumberCounter:
    counter = (
        NumberCounter.objects.select_for_update().filter(agency=agency, year=year, register=register).first()
    )
    if counter is not None:
        return counter
    try:
        # The first number of the year: two clerks may race to create the row; the loser retries.
        with transaction.atomic():
            NumberCounter.objects.create(agency=agency, year=year, register=register, last=0)
    except IntegrityError:
        pass
    return NumberCounter.objects.select_for_update().get(agency=agency, year=year, register=register)
