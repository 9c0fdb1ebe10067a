"""Per-process caches of reference data that every request reads and almost nothing writes.

A one-stop filing looks up the procedure in force and the receiving and competent agencies as of
the filing date: three queries that return the same rows for every dossier of the day. A
``SharedVersionCache`` keeps such rows in the process and drops them when any process says they
changed: the writer calls ``invalidate()`` inside its transaction; when that commits, the local
values are dropped and the cache's row in ``localcache_version`` is bumped. Every process reads that
row at most every ``check_seconds`` and clears itself when the number moved. A change is seen at
once in the process that made it, within ``check_seconds`` in the others — whatever the deployment
(the database is the one thing all processes share; Django's cache may be local memory).

Only hits are kept: a miss (an unknown code) is asked again next time, so something created a moment
ago is found at once. Values must be treated as read-only by callers: they are shared between the
requests (and threads) of the process. See decision 0018.
"""

from __future__ import annotations

import math
import secrets
import threading
import time
import weakref
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from django.db import connection, transaction

V = TypeVar("V")

_ALL: weakref.WeakSet[SharedVersionCache[object]] = weakref.WeakSet()


class SharedVersionCache(Generic[V]):
    def __init__(self, name: str, *, check_seconds: float = 30.0, max_entries: int = 10_000) -> None:
        self.name = name
        self.check_seconds = check_seconds
        self.max_entries = max_entries
        self._values: dict[Hashable, V] = {}
        self._generation = 0
        self._version: int | None = None
        self._checked_at = -math.inf
        self._lock = threading.Lock()
        _ALL.add(self)  # type: ignore[arg-type]

    def get(self, key: Hashable, load: Callable[[], V | None]) -> V | None:
        """The cached value of ``key``, else ``load()`` (kept unless it is None)."""
        if time.monotonic() - self._checked_at >= self.check_seconds:
            self._check_version()
        value = self._values.get(key)
        if value is not None:
            return value
        generation = self._generation
        value = load()
        if value is not None:
            with self._lock:
                # Not kept when an invalidation happened while it was being read.
                if generation == self._generation:
                    if len(self._values) >= self.max_entries:
                        self._values.clear()
                    self._values[key] = value
        return value

    def clear(self) -> None:
        """Drop this process's values (other processes are not told)."""
        with self._lock:
            self._generation += 1
            self._values = {}

    def reset(self) -> None:
        """``clear``, and read the version row again at the next ``get`` (tests start from their
        own database, whose row may differ from the last one seen)."""
        self.clear()
        self._version = None
        self._checked_at = -math.inf

    def invalidate(self) -> None:
        """Drop the values here and, through the version row, in every process: when the current
        transaction commits (before that, other requests must go on reading the committed rows; and
        a rolled-back write changes nothing)."""
        transaction.on_commit(self._invalidate_now)

    def invalidate_now(self) -> None:
        """``invalidate`` for a caller that already runs after its commit (an on_commit hook)."""
        self._invalidate_now()

    def _invalidate_now(self) -> None:
        # After the commit, in its own statement: a crash between the two leaves the other processes
        # on the old values until their next restart (the window is one round trip).
        # A random number rather than a counter: a bump rolled back with its transaction (tests
        # do that) must not let a later one come back with a number a process has already seen.
        version = secrets.randbits(62) + 1
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO localcache_version (name, version) VALUES (%s, %s) ON CONFLICT (name) "
                "DO UPDATE SET version = EXCLUDED.version",
                [self.name, version],
            )
        self._version = version
        self.clear()

    def _check_version(self) -> None:
        self._checked_at = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("SELECT version FROM localcache_version WHERE name = %s", [self.name])
            row = cursor.fetchone()
        remote = row[0] if row else 0
        if remote != self._version:
            self._version = remote
            self.clear()


def clear_all() -> None:
    """Reset every cache of this process (tests start each from the database)."""
    for c in list(_ALL):
        c.reset()
