"""Inserting rows on hot paths without the ORM's statement compiler.

``Model.objects.create`` spends most of its CPU building the INSERT (≈ 0.3–0.4 ms for a model of
twenty-odd columns) — more than the database spends running it. ``insert(obj)`` writes an
unsaved model instance with a statement built once per model and column list, and prepares each
value with the field's own ``pre_save`` / ``get_db_prep_save``, as Django does: ``auto_now_add``
is honoured, JSON is encoded, dates are adapted per database. It sets the primary key from
``RETURNING`` (PostgreSQL, SQLite ≥ 3.35). There are no signals — the conventions put no logic in
them (DESIGN.md §6) — and no ``save()`` override is called: use it only for models without one.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any, TypeAlias

from django.db import connections, models, router

Fields: TypeAlias = "tuple[models.Field[Any, Any], ...]"


@lru_cache(maxsize=64)
def _statement(model: type[models.Model], rows: int, vendor: str) -> tuple[str, Fields]:
    meta = model._meta
    fields = tuple(f for f in meta.concrete_fields if f is not meta.pk or not f.db_returning)
    quote = connections["default"].ops.quote_name
    columns = ", ".join(quote(str(f.column)) for f in fields)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    values = ", ".join([one] * rows)
    # Identifiers from the model's metadata, quoted; every value is a parameter.
    assert meta.pk is not None
    table, pk = quote(meta.db_table), quote(str(meta.pk.column))
    sql = f"INSERT INTO {table} ({columns}) VALUES {values} RETURNING {pk}"  # noqa: S608
    return sql, fields


def insert(obj: models.Model) -> None:
    insert_many([obj])


def insert_many(objs: Sequence[models.Model]) -> None:
    """Insert unsaved instances of one model in one statement; their primary keys are set."""
    if not objs:
        return
    model = type(objs[0])
    db = router.db_for_write(model)
    connection = connections[db]
    sql, fields = _statement(model, len(objs), connection.vendor)
    params: list[Any] = []
    for obj in objs:
        for f in fields:
            params.append(f.get_db_prep_save(f.pre_save(obj, add=True), connection=connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = [row[0] for row in cursor.fetchall()]
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = db
