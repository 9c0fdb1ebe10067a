"""PostgreSQL: how checked data values reach ``reporting_data_value`` (decision 0014).

Measured on the bench machine at 16 million values: the database's own work of writing a value
is ~3.5 µs for a binary COPY into the table (its primary key and the (agency, period) index are
most of it; a text COPY cost ~0.7 µs more, the surrogate id and its index ~0.65 µs more) — the
larger half of an import, with our parse and checks (~3.3 µs in Python) the other. So:

1. The write overlaps with the checks: ``services.datavalues_import`` hands over chunks of checked
   values while it checks the next ones, and they go out at once through one COPY; PostgreSQL
   writes them on its own core while Python works on its. A file found bad half-way aborts the
   COPY and the caller's transaction rolls back: still all or nothing.
2. Most imports add values that do not exist yet (a new period, a new form). When none of the
   file's (indicator, agency, period) cells has a value, the COPY goes straight into the table —
   no staging table, no ON CONFLICT, no second pass over the rows. Two indexed queries decide
   (which (indicator, period) pairs have values; then, for those only, the exact cells).
   If another import saves one of those cells in between, the primary key refuses the COPY
   (``store.Collision``): the caller rolls back and does the import again the other way.
3. Otherwise (a correction, a re-import) the COPY goes into a temporary staging table (unlogged,
   no index) and one INSERT … SELECT … ON CONFLICT DO UPDATE merges it.
4. The rows travel in PostgreSQL's binary COPY format: integers, dates and the time as the server
   stores them, the series' and the place's bytes made once each (``store``), only the number per
   row; the server parses no text.

The checks themselves stay in Python (one implementation of the messages for SQLite and
PostgreSQL): with the rows grouped by series and place first, they cost less than the write they
now hide behind, whereas the same checks as SQL joins on a staging table would run after the COPY,
in series with the write.

All SQL text here is built from module constants (table and column names); values travel as
parameters or as binary COPY data made of integers, dates, canonical period codes and numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import psycopg
from django.db import connection

from congso.modules.reporting.store import (
    COLUMNS,
    CONFLICT,
    COPY_SIGNATURE,
    COPY_TRAILER,
    UPDATE,
    CellsOf,
    Collision,
    Place,
    Value,
    copy_numeric,
    copy_timestamp,
)

TABLE = "reporting_data_value"
STAGING = "reporting_value_in"

_CREATE_STAGING = (
    f"CREATE TEMP TABLE IF NOT EXISTS {STAGING} ("
    " indicator_id bigint, option_combo_id bigint, agency_id bigint, unit_id bigint,"
    " period varchar(20), period_start date, period_end date, value numeric(20, 4),"
    " updated_at timestamptz"
    ") ON COMMIT DELETE ROWS"
)
_MERGE = (
    f"INSERT INTO {TABLE} ({COLUMNS}) SELECT {COLUMNS} FROM {STAGING}"
    f" ON CONFLICT {CONFLICT} DO UPDATE SET {UPDATE}"
)
# Which (indicator, period) pairs of the file have a value already? One descent of the primary key
# index (indicator, period, option, agency) per pair. LATERAL … LIMIT 1 keeps PostgreSQL from
# turning this into a join that reads every saved value of the file's places (seen: 1.4 s).
_PAIRS_SAVED = (
    "SELECT c.indicator_id, c.period FROM unnest(%s::bigint[], %s::varchar[])"
    " AS c(indicator_id, period) CROSS JOIN LATERAL ("
    f" SELECT 1 FROM {TABLE} d WHERE d.indicator_id = c.indicator_id"
    " AND d.period = c.period LIMIT 1) AS hit"
)
# Is any of these exact cells saved? One descent of the primary key per cell.
_CELLS_SAVED = (
    "SELECT EXISTS (SELECT 1 FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[], %s::varchar[])"
    " AS c(indicator_id, option_combo_id, agency_id, period) CROSS JOIN LATERAL ("
    f" SELECT 1 FROM {TABLE} d WHERE d.indicator_id = c.indicator_id"
    " AND d.option_combo_id = c.option_combo_id AND d.agency_id = c.agency_id"
    " AND d.period = c.period LIMIT 1) AS hit)"
)


class _Copy:
    """Rows in PostgreSQL's binary COPY format: the series' and the place's bytes are made once
    each, the value's per row (``copy_numeric``), the time once per import."""

    def __init__(self, copy: psycopg.Copy, now: dt.datetime) -> None:
        self.copy = copy
        self.tail = copy_timestamp(now)
        copy.write(COPY_SIGNATURE)

    def write(self, chunk: Sequence[Value]) -> None:
        parts: list[bytes] = []
        add, numeric, tail = parts.extend, copy_numeric, self.tail
        for s, p, v in chunk:
            add((s.copy_bytes, p.copy_bytes, numeric(v), tail))
        self.copy.write(b"".join(parts))

    def close(self) -> None:
        self.copy.write(COPY_TRAILER)


def any_saved(indicator_ids: Sequence[int], places: Sequence[Place], cells: CellsOf) -> bool:
    """Does any of the file's (indicator, option, agency, period) cells have a value already?
    First by (indicator, period) — a new period or a new indicator ends it there — then, for
    the pairs that have values, cell by cell."""
    codes = sorted({p.period for p in places})
    if not indicator_ids or not codes:
        return False
    pairs = [(i, c) for i in indicator_ids for c in codes]
    with connection.cursor() as cursor:
        cursor.execute(_PAIRS_SAVED, [[i for i, _ in pairs], [s for _, s in pairs]])
        suspects = {(i, s) for i, s in cursor.fetchall()}
        if not suspects:
            return False
        exact = cells(suspects)
        if not exact:
            return False
        cursor.execute(_CELLS_SAVED, [list(column) for column in zip(*exact, strict=True)])
        row = cursor.fetchone()
    return bool(row and row[0])


@contextmanager
def writer(
    *,
    now: dt.datetime,
    indicator_ids: Sequence[int],
    places: Sequence[Place],
    cells: CellsOf,
    merge: bool | None = None,
) -> Iterator[_Copy]:
    """COPY the values as they come; ``merge`` (None: find out) goes through the staging table."""
    if merge is None:
        merge = any_saved(indicator_ids, places, cells)
    with connection.cursor() as cursor:
        if merge:
            cursor.execute(_CREATE_STAGING)
        raw = cursor.cursor  # the psycopg cursor: COPY is not part of the DB-API
        try:
            sql = f"COPY {STAGING if merge else TABLE} ({COLUMNS}) FROM STDIN (FORMAT BINARY)"
            with raw.copy(sql) as copy:
                rows = _Copy(copy, now)
                yield rows
                rows.close()
        except psycopg.errors.UniqueViolation as exc:
            if merge:
                raise
            raise Collision(str(exc)) from exc
        if merge:
            cursor.execute(_MERGE)
            cursor.execute(f"TRUNCATE {STAGING}")
