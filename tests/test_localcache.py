"""Per-process caches of reference data (core/localcache.py): a hit never reaches the database, a
write drops the values when it commits — here and, through the version row, in other processes —
and a rollback drops nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from congso.core.localcache import SharedVersionCache

pytestmark = pytest.mark.django_db


class Loads:
    """A loader that counts its calls and returns the value it is told to."""

    def __init__(self, value: Any) -> None:
        self.value, self.calls = value, 0

    def __call__(self) -> Any:
        self.calls += 1
        return self.value


def test_a_hit_is_not_loaded_again_and_a_miss_is() -> None:
    c = SharedVersionCache[str]("test.hits", check_seconds=0)
    load = Loads("Phường Ba Đình")
    assert [c.get("k", load), c.get("k", load)] == ["Phường Ba Đình", "Phường Ba Đình"]
    assert load.calls == 1
    # None is "not found": asked again, so a row created a moment later is found at once.
    missing = Loads(None)
    assert [c.get("x", missing), c.get("x", missing)] == [None, None]
    assert missing.calls == 2
    missing.value = "Phường Hoàn Kiếm"
    assert c.get("x", missing) == "Phường Hoàn Kiếm"
    assert missing.calls == 3


@pytest.mark.django_db(transaction=True)
def test_invalidate_drops_the_values_when_the_transaction_commits_not_before() -> None:
    c = SharedVersionCache[str]("test.commit", check_seconds=0)
    c.get("k", Loads("cũ"))
    with transaction.atomic():
        c.invalidate()
        # Before the commit another request must still get the committed (old) row.
        assert c.get("k", Loads("mới")) == "cũ"
    assert c.get("k", Loads("mới")) == "mới"


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_write_drops_nothing() -> None:
    c = SharedVersionCache[str]("test.rollback", check_seconds=0)
    c.get("k", Loads("cũ"))
    with pytest.raises(RuntimeError), transaction.atomic():
        c.invalidate()
        raise RuntimeError("the write failed")
    load = Loads("mới")
    assert c.get("k", load) == "cũ"
    assert load.calls == 0


@pytest.mark.django_db(transaction=True)
def test_another_process_sees_the_change_at_its_next_check() -> None:
    # Two instances of one name stand for two processes: they share only the database.
    here = SharedVersionCache[str]("test.shared", check_seconds=0)
    there = SharedVersionCache[str]("test.shared", check_seconds=3600)
    here.get("k", Loads("cũ"))
    there.get("k", Loads("cũ"))
    here.invalidate()  # outside a transaction: at once
    assert here.get("k", Loads("mới")) == "mới"
    # "there" checks at most once an hour: still the old value …
    assert there.get("k", Loads("mới")) == "cũ"
    there.check_seconds = 0  # … until its next check comes round
    assert there.get("k", Loads("mới")) == "mới"


def test_a_value_read_while_an_invalidation_happens_is_not_kept() -> None:
    c = SharedVersionCache[str]("test.race", check_seconds=3600)

    def load_then_invalidated() -> str:
        c.clear()  # another thread's write committed while this one was reading
        return "có thể đã cũ"

    assert c.get("k", load_then_invalidated) == "có thể đã cũ"
    load = Loads("mới")
    assert c.get("k", load) == "mới"
    assert load.calls == 1
