"""Concurrent filings on PostgreSQL (real row locks and unique indexes; SQLite serialises writers).

- Two requests with the same Idempotency-Key at the same moment create one dossier, and both get it.
- Concurrent filings with different keys at one desk get consecutive, distinct sequence numbers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from tests.conftest import BA_DINH_CENTRE

from congso.modules.services import services
from congso.modules.services.demo import seed_procedures
from congso.modules.services.models import Dossier, DossierCounter, IdempotencyKey
from congso.modules.services.tests.test_dossiers import household

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def _race(n: int, work: Callable[[int], Any]) -> tuple[list[Any], list[BaseException]]:
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n
    errors: list[BaseException] = []

    def run(i: int) -> None:
        from django.db import connection as conn

        try:
            barrier.wait()
            results[i] = work(i)
        except BaseException as exc:
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results, errors


def test_same_key_at_once_files_one_dossier(hanoi: None, make_official: Any) -> None:
    seed_procedures()
    desk = make_official("mc.badinh", BA_DINH_CENTRE, ("desk_officer", "agency"))
    results, errors = _race(
        4, lambda _i: services.dossier_submit(actor=desk, spec=household(), idempotency_key="same-key")
    )
    assert errors == []
    assert len({r.dossier.pk for r in results}) == 1
    assert sorted(r.replayed for r in results) == [False, True, True, True]
    assert len({r.tracking_token for r in results}) == 1
    assert (Dossier.objects.count(), IdempotencyKey.objects.count()) == (1, 1)
    # The losers' sequence numbers were rolled back with their transactions.
    assert list(DossierCounter.objects.values_list("last", flat=True)) == [1]


def test_different_keys_at_once_get_consecutive_codes(hanoi: None, make_official: Any) -> None:
    seed_procedures()
    desk = make_official("mc.badinh", BA_DINH_CENTRE, ("desk_officer", "agency"))
    results, errors = _race(
        4, lambda i: services.dossier_submit(actor=desk, spec=household(), idempotency_key=f"key-{i}")
    )
    assert errors == []
    assert sorted(r.dossier.code[-4:] for r in results) == ["0001", "0002", "0003", "0004"]
    assert Dossier.objects.count() == 4
