"""core/inserts.py writes rows as ``Model.objects.create`` would: the same stored values (JSON,
aware datetimes, foreign keys, auto_now_add), the primary keys set, one statement for many rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from congso.core.accounts.models import AccountKind, User
from congso.core.audit.models import AuditEvent
from congso.core.inserts import insert, insert_many
from congso.modules.services.models import IdempotencyKey

pytestmark = pytest.mark.django_db
VN = dt.timezone(dt.timedelta(hours=7))


def stored(model: Any, pk: int) -> dict[str, Any]:
    return {f.attname: getattr(model.objects.get(pk=pk), f.attname) for f in model._meta.concrete_fields}


def test_a_row_comes_back_as_the_orm_would_have_written_it() -> None:
    def event(seq: int) -> AuditEvent:
        return AuditEvent(
            seq=seq,
            occurred_at=dt.datetime(2026, 11, 27, 9, 30, 15, 123456, tzinfo=VN),
            actor=None,
            actor_label="system",
            agency_code="000.00.00.H26",
            action="test.insert",
            target_type="test.row",
            target_id="1",
            before=None,
            after={"tên": "Hồ sơ", "số": [1, 2.5, None, True], "lồng": {"đ": "Đ"}},
            prev_hash="0" * 64,
            hash="a" * 64,
        )

    by_orm = event(10**12)
    by_orm.save()
    ours = event(10**12 + 1)
    with CaptureQueriesContext(connection) as queries:
        insert(ours)
    assert len(queries) == 1
    assert ours.pk is not None and ours.pk != by_orm.pk
    assert ours._state.adding is False
    theirs, mine = stored(AuditEvent, by_orm.pk), stored(AuditEvent, ours.pk)
    assert {k: v for k, v in mine.items() if k not in ("id", "seq")} == {
        k: v for k, v in theirs.items() if k not in ("id", "seq")
    }
    assert mine["after"] == {"tên": "Hồ sơ", "số": [1, 2.5, None, True], "lồng": {"đ": "Đ"}}
    assert mine["occurred_at"] == dt.datetime(2026, 11, 27, 2, 30, 15, 123456, tzinfo=dt.UTC)


def test_many_rows_in_one_statement_with_auto_now_add_and_foreign_keys() -> None:
    user = User.objects.create(username="cd.insert", kind=AccountKind.CITIZEN, national_id="001090000001")
    expires = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
    rows = [
        IdempotencyKey(key=f"k{i}", actor=user, request_hash=str(i) * 64, expires_at=expires)
        for i in range(3)
    ]
    with CaptureQueriesContext(connection) as queries:
        insert_many(rows)
    assert len(queries) == 1
    assert [r.pk for r in rows] == list(
        IdempotencyKey.objects.filter(actor=user).order_by("key").values_list("pk", flat=True)
    )
    for i, row in enumerate(rows):
        back = IdempotencyKey.objects.get(pk=row.pk)
        assert (back.key, back.actor_id, back.request_hash, back.dossier_id, back.sealed_token) == (
            f"k{i}",
            user.pk,
            f"{i}" * 64,
            None,
            "",
        )
        assert back.expires_at == expires
        assert back.created_at is not None and back.created_at == row.created_at
    insert_many([])  # nothing to do, no statement


def test_an_instance_from_a_written_out_select_equals_the_orm_one() -> None:
    from congso.core import rows

    user = User.objects.create(
        username="cd.rows",
        kind=AccountKind.CITIZEN,
        national_id="001090000002",
        full_name="Trần Thị Bình",
        is_active=False,
        last_login=dt.datetime(2026, 11, 27, 8, 0, 5, 250000, tzinfo=dt.UTC),
    )
    with connection.cursor() as cursor:
        sql = f"SELECT {rows.columns(User, 'u')}, 42 FROM accounts_user u WHERE u.id = %s"
        cursor.execute(sql, [user.pk])
        row = cursor.fetchone()
    built = rows.instance(User, row)
    assert row[-1] == 42  # what follows the model's columns is the caller's
    assert {f.attname: getattr(built, f.attname) for f in User._meta.concrete_fields} == stored(User, user.pk)
    assert (built.is_active, built.last_login, built.full_name) == (
        False,
        dt.datetime(2026, 11, 27, 8, 0, 5, 250000, tzinfo=dt.UTC),
        "Trần Thị Bình",
    )
    assert built._state.adding is False
