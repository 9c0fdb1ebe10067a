"""Saving many data values fast: one upsert keyed by (indicator, option, agency, period).

The ORM's ``bulk_create(update_conflicts=True)`` spends ~150 µs a row building model instances and
SQL; at the seed's scale that is minutes per import. Here the rows go straight to the database:
PostgreSQL gets them through COPY into a temporary table and one INSERT … ON CONFLICT DO UPDATE;
SQLite through ``executemany`` of the same upsert. Both run inside the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import connection

Row = tuple[int, int, int, int, str, dt.date, dt.date, Decimal, dt.datetime]
COLUMNS = (
    "indicator_id, option_combo_id, agency_id, unit_id, period, period_start, period_end, value, updated_at"
)
CONFLICT = "(indicator_id, option_combo_id, agency_id, period)"
UPDATE = (
    "value = excluded.value, updated_at = excluded.updated_at, unit_id = excluded.unit_id, "
    "period_start = excluded.period_start, period_end = excluded.period_end"
)


def upsert_values(rows: Sequence[Row]) -> None:
    if not rows:
        return
    if connection.vendor == "postgresql":
        _postgres(rows)
    else:
        _generic(rows)


def _postgres(rows: Sequence[Row]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS reporting_value_in ("
            " indicator_id bigint, option_combo_id bigint, agency_id bigint, unit_id bigint,"
            " period varchar(20), period_start date, period_end date, value numeric(20, 4),"
            " updated_at timestamptz"
            ") ON COMMIT DELETE ROWS"
        )
        raw = cursor.cursor  # the psycopg cursor: COPY is not part of the DB-API
        with raw.copy(f"COPY reporting_value_in ({COLUMNS}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO reporting_data_value ({COLUMNS}) SELECT {COLUMNS} FROM reporting_value_in"
            f" ON CONFLICT {CONFLICT} DO UPDATE SET {UPDATE}"
        )
        cursor.execute("TRUNCATE reporting_value_in")


def _generic(rows: Sequence[Row]) -> None:
    ops = connection.ops
    dates: dict[dt.date, Any] = {}
    stamps: dict[dt.datetime, Any] = {}

    def day(value: dt.date) -> Any:
        if value not in dates:
            dates[value] = ops.adapt_datefield_value(value)
        return dates[value]

    def stamp(value: dt.datetime) -> Any:
        if value not in stamps:
            stamps[value] = ops.adapt_datetimefield_value(value)
        return stamps[value]

    prepared = [
        (ind, opt, ag, unit, period, day(start), day(end), str(value), stamp(at))
        for ind, opt, ag, unit, period, start, end, value, at in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO reporting_data_value ({COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
            f" ON CONFLICT {CONFLICT} DO UPDATE SET {UPDATE}",
            prepared,
        )
