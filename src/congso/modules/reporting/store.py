"""Saving many data values fast: one upsert keyed by (indicator, option, agency, period).

The ORM's ``bulk_create(update_conflicts=True)`` spends ~150 µs a row building model instances and
SQL; at the seed's scale that is minutes per import. Here the rows go straight to the database,
in chunks, *while* ``services.datavalues_import`` is still checking the rest of the file: the
database writes one chunk while Python checks the next (on PostgreSQL the write is the larger half
of an import, see ``staging``). Everything runs inside the caller's transaction, so a file found
bad half-way is rolled back whole: nothing half-imported.

- PostgreSQL: COPY, straight into the table when none of the values exist yet, else through a
  temporary staging table and one INSERT … ON CONFLICT DO UPDATE (``staging``).
- SQLite (the embedded default): ``executemany`` of the same upsert, chunk by chunk.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NamedTuple, Protocol

from django.db import connection

COLUMNS = (
    "indicator_id, option_combo_id, agency_id, unit_id, period, period_start, period_end, value, updated_at"
)
CONFLICT = "(indicator_id, option_combo_id, agency_id, period)"
UPDATE = (
    "value = excluded.value, updated_at = excluded.updated_at, unit_id = excluded.unit_id, "
    "period_start = excluded.period_start, period_end = excluded.period_end"
)


class Series(NamedTuple):
    """An indicator and one of its option combos: half of a value's key. The texts are made once
    per series, not once per value."""

    indicator_id: int
    option_id: int
    copy_text: str  # "indicator\toption\t": the start of a COPY line
    hash_text: str  # "indicator|option|": the start of the audit digest's line

    @classmethod
    def of(cls, indicator_id: int, option_id: int) -> Series:
        return cls(indicator_id, option_id, f"{indicator_id}\t{option_id}\t", f"{indicator_id}|{option_id}|")


class Place(NamedTuple):
    """An agency (the version valid in the period, with its unit) and a period: the other half."""

    agency_id: int
    unit_id: int
    period: str
    start: dt.date
    end: dt.date
    copy_text: str  # "agency\tunit\tperiod\tstart\tend\t"
    hash_text: str  # "agency|period|"

    @classmethod
    def of(cls, agency_id: int, unit_id: int, period: str, start: dt.date, end: dt.date) -> Place:
        return cls(
            agency_id,
            unit_id,
            period,
            start,
            end,
            f"{agency_id}\t{unit_id}\t{period}\t{start.isoformat()}\t{end.isoformat()}\t",
            f"{agency_id}|{period}|",
        )


# One checked value: its series, its place and the value as text (str() of its Decimal).
Value = tuple[Series, Place, str]


# The exact (indicator, option, agency, period) cells of a file's values whose (indicator, period)
# is one of the given pairs.
CellsOf = Callable[[set[tuple[int, str]]], Sequence[tuple[int, int, int, str]]]


class Collision(Exception):
    """PostgreSQL: a COPY straight into the table met a value that another import saved after this
    one looked (``staging``); the caller rolls back and imports again with ``merge=True``."""


class Writer(Protocol):
    def write(self, chunk: Sequence[Value]) -> None: ...


@contextmanager
def value_writer(
    *,
    now: dt.datetime,
    indicator_ids: Sequence[int],
    places: Sequence[Place],
    cells: CellsOf,
    merge: bool | None = None,
) -> Iterator[Writer]:
    """A writer for the values of one import, to be used inside a transaction: ``write`` chunks as
    they are checked; leaving the block normally saves the rest; an exception discards it (and the
    caller's transaction rolls back what was written). PostgreSQL only: ``merge`` says whether
    some of the values exist already (None: find out, from the indicators, the places and, where
    needed, the exact ``cells``)."""
    if connection.vendor == "postgresql":
        from congso.modules.reporting import staging

        with staging.writer(
            now=now, indicator_ids=indicator_ids, places=places, cells=cells, merge=merge
        ) as writer:
            yield writer
    else:
        yield _Generic(now)


class _Generic:
    """Any other database (SQLite): the upsert through ``executemany``, one chunk at a time."""

    def __init__(self, now: dt.datetime) -> None:
        ops = connection.ops
        self.ops = ops
        self.now = ops.adapt_datetimefield_value(now)
        self.dates: dict[dt.date, Any] = {}
        self.sql = (
            f"INSERT INTO reporting_data_value ({COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
            f" ON CONFLICT {CONFLICT} DO UPDATE SET {UPDATE}"
        )

    def _day(self, value: dt.date) -> Any:
        if value not in self.dates:
            self.dates[value] = self.ops.adapt_datefield_value(value)
        return self.dates[value]

    def write(self, chunk: Sequence[Value]) -> None:
        day, now = self._day, self.now
        prepared = [
            (s.indicator_id, s.option_id, p.agency_id, p.unit_id, p.period, day(p.start), day(p.end), v, now)
            for s, p, v in chunk
        ]
        with connection.cursor() as cursor:
            cursor.executemany(self.sql, prepared)
