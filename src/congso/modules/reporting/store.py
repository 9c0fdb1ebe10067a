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
import gc
import struct
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
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


_gc_lock = threading.Lock()
_gc_holders = 0
_gc_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a file is parsed, checked and written. A file of 200,000
    values makes several hundred thousand tuples that are never part of a cycle; the collector
    walks them over and over as the lists grow — 40 % of the parse and of the checks, measured.
    Reference counting still frees everything; collection resumes when the last import of the
    process leaves (imports in other threads share the pause)."""
    global _gc_holders, _gc_was_enabled
    with _gc_lock:
        if _gc_holders == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_holders += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_holders -= 1
            if _gc_holders == 0 and _gc_was_enabled:
                gc.enable()


# PostgreSQL's binary COPY format (decision 0014): fields as length + bytes, integers big-endian,
# dates as days and timestamps as microseconds since 2000-01-01. The server then parses nothing
# (text COPY spent ~0.8 µs a value reading dates, numbers and the timestamp).
_EPOCH_DATE = dt.date(2000, 1, 1)
_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
_INT8 = struct.Struct("!iq")
_INT4 = struct.Struct("!ii")
_FIELDS = struct.pack("!h", 9)  # every row of COLUMNS has nine fields
COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0)
COPY_TRAILER = struct.pack("!h", -1)


def _int8(value: int) -> bytes:
    return _INT8.pack(8, value)


def _date(value: dt.date) -> bytes:
    return _INT4.pack(4, (value - _EPOCH_DATE).days)


def _text(value: str) -> bytes:
    data = value.encode()
    return struct.pack("!i", len(data)) + data


def copy_timestamp(value: dt.datetime) -> bytes:
    """An aware datetime as a binary COPY ``timestamptz`` field."""
    return _INT8.pack(8, (value - _EPOCH) // dt.timedelta(microseconds=1))


_NUMERIC = struct.Struct("!ihhhh")  # length, digits, weight, sign, display scale; then the digits
_NUMERIC_2 = struct.Struct("!ihhhhhh")
_NEGATIVE = 0x4000
_SMALL = [_NUMERIC.pack(8, 0, 0, 0, 0)] + [
    _NUMERIC.pack(10, 1, 0, 0, 0) + struct.pack("!h", n) for n in range(1, 10_000)
]


def copy_numeric(text: str) -> bytes:
    """A value's text (``str`` of its ``Decimal``: "120", "12.5", "-3", "1E+2") as a binary COPY
    ``numeric`` field: base-10000 digits. The column's scale (4) is applied by the server, as it is
    to text. Counts below 10^8 — most values — take the short way."""
    if text.isdigit():
        n = int(text)
        if n < 10_000:
            return _SMALL[n]
        if n < 100_000_000:
            high, low = divmod(n, 10_000)
            return _NUMERIC_2.pack(12, 2, 1, 0, 0, high, low)
        sign, scale, quarters = 0, 0, 0
    else:
        negative, digits, exponent = Decimal(text).as_tuple()
        if not isinstance(exponent, int):  # NaN, infinity: refused by the checks before this
            raise ValueError(text)
        n = int("".join(map(str, digits)) or "0")
        if exponent >= 0:
            n *= 10**exponent
            scale = 0
        else:
            scale = -exponent
        pad = -scale % 4
        n *= 10**pad
        quarters = (scale + pad) // 4  # base-10000 digits after the point
        sign = _NEGATIVE if negative and n else 0
    groups: list[int] = []
    while n:
        n, group = divmod(n, 10_000)
        groups.append(group)
    groups.reverse()
    weight = len(groups) - 1 - quarters if groups else 0
    return _NUMERIC.pack(8 + 2 * len(groups), len(groups), weight, sign, scale) + struct.pack(
        f"!{len(groups)}h", *groups
    )


class Series(NamedTuple):
    """An indicator and one of its option combos: half of a value's key. The bytes and texts are
    made once per series, not once per value."""

    indicator_id: int
    option_id: int
    copy_bytes: bytes  # the start of a binary COPY row: its field count, indicator, option
    hash_text: str  # "indicator|option|": the start of the audit digest's line

    @classmethod
    def of(cls, indicator_id: int, option_id: int) -> Series:
        return cls(
            indicator_id,
            option_id,
            _FIELDS + _int8(indicator_id) + _int8(option_id),
            f"{indicator_id}|{option_id}|",
        )


class Place(NamedTuple):
    """An agency (the version valid in the period, with its unit) and a period: the other half."""

    agency_id: int
    unit_id: int
    period: str
    start: dt.date
    end: dt.date
    copy_bytes: bytes  # agency, unit, period, start, end as binary COPY fields
    hash_text: str  # "agency|period|"

    @classmethod
    def of(cls, agency_id: int, unit_id: int, period: str, start: dt.date, end: dt.date) -> Place:
        return cls(
            agency_id,
            unit_id,
            period,
            start,
            end,
            _int8(agency_id) + _int8(unit_id) + _text(period) + _date(start) + _date(end),
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
