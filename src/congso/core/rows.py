"""Model instances from rows of written-out SQL, as the ORM would have built them.

For statements that every request runs and the ORM is slow to build (core/inserts.py says why):
``columns(Model, "u")`` lists the model's columns for a SELECT, and ``instance(Model, row)`` turns
the first ``len(columns)`` values of a row into an instance, through the same converters the ORM
applies (SQLite's text dates and integer booleans become datetimes and bools; PostgreSQL needs
none). ``RawQuerySet`` does the same but reads the cursor's description and maps the columns again
on every call, which cost more than the query (≈ 0.5 ms for a user row).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any, TypeVar

from django.db import connections, models, router
from django.db.models.sql import Query

M = TypeVar("M", bound=models.Model)


@lru_cache(maxsize=64)
def columns(model: type[models.Model], alias: str) -> str:
    """``alias."col1", alias."col2", …`` in the order ``instance`` expects."""
    quote = connections["default"].ops.quote_name
    return ", ".join(f"{alias}.{quote(str(f.column))}" for f in model._meta.concrete_fields)


@lru_cache(maxsize=64)
def _converters(model: type[models.Model], vendor: str) -> tuple[tuple[int, tuple[Any, ...], Any], ...]:
    db = router.db_for_read(model)
    connection = connections[db]
    compiler = connection.ops.compiler("SQLCompiler")(Query(model), connection, db)
    cols: list[Any] = [f.get_col(model._meta.db_table) for f in model._meta.concrete_fields]
    return tuple((pos, tuple(convs), col) for pos, (convs, col) in compiler.get_converters(cols).items())


def instance(model: type[M], row: Sequence[Any]) -> M:
    """An instance of ``model`` from the first values of ``row`` (selected with ``columns``)."""
    db = router.db_for_read(model)
    connection = connections[db]
    fields = model._meta.concrete_fields
    values = list(row[: len(fields)])
    for pos, convs, col in _converters(model, connection.vendor):
        value = values[pos]
        for convert in convs:
            value = convert(value, col, connection)
        values[pos] = value
    return model.from_db(db, [f.attname for f in fields], values)
