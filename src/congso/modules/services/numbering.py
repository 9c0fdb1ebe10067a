"""Dossier codes: the receiving agency's code, the receipt date and a sequence per agency per day.

"001.01.90.H26-261124-0001" is the first dossier received on 24 November 2026 by the one-stop unit
001.01.90.H26. The sequence comes from a counter row per (agency, day), created or bumped (and so
locked) in the filing transaction, as document numbers do (documents/numbering.py): two desks
filing at the same moment wait on the lock and get consecutive numbers; a rolled-back filing rolls
the counter back too, so no number is skipped or doubled. SQLite serialises writers with IMMEDIATE
transactions (settings), which gives the same guarantee.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction

from congso.core.org.models import Agency


def dossier_code(*, agency_code: str, day: dt.date, sequence: int) -> str:
    return f"{agency_code}-{day:%y%m%d}-{sequence:04d}"


def next_sequence(*, agency: Agency, day: dt.date) -> int:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_sequence must run inside the transaction that files the dossier")
    # One statement: creates the day's row or bumps it, and locks it until the filing commits (the
    # first dossier of the day needs no retry when two desks race: the loser's insert becomes the
    # update). PostgreSQL and SQLite ≥ 3.35 both speak ON CONFLICT … RETURNING.
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO services_dossier_counter (agency_id, day, last) VALUES (%s, %s, 1) "
            "ON CONFLICT (agency_id, day) DO UPDATE SET last = services_dossier_counter.last + 1 "
            "RETURNING last",
            [agency.pk, day],
        )
        return int(cursor.fetchone()[0])
