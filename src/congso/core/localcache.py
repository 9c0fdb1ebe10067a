"""Per-process caches of reference data that every request reads and almost nothing writes.

A one-stop filing looks up the procedure in force and the receiving and competent agencies as of
the filing date: three queries that return the same rows for every dossier of the day. A
``SharedVersionCache`` keeps such rows in the process and drops them when any process says they
changed: the writer calls ``invalidate()`` after its transaction commits, which stores a new version
under a key of Django's cache (Redis when configured); every process compares that key with its own
at most every ``check_seconds`` and clears itself when it differs. A change made in this process is
seen at once; one made in another process within ``check_seconds``. The working-day calendar does the
same for its overrides (core/calendar/workdays.py).

Only hits are kept: a miss (an unknown code) is asked again next time, so something created a moment
ago is found at once. Values must be treated as read-only by callers: they are shared between the
requests (and threads) of the process.
"""

from __future__ import annotations

import math
import threading
import time
import uuid
import weakref
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from django.core.cache import cache
from django.db import transaction

V = TypeVar("V")

_ALL: weakref.WeakSet[SharedVersionCache[object]] = weakref.WeakSet()


class SharedVersionCache(Generic[V]):
    def __init__(self, name: str, *, check_seconds: float = 30.0, max_entries: int = 10_000) -> None:
        self.name = name
        self.version_key = f"localcache:{name}:version"
        self.check_seconds = check_seconds
        self.max_entries = max_entries
        self._values: dict[Hashable, V] = {}
        self._generation = 0
        self._version: object = None
        self._checked_at = -math.inf
        self._lock = threading.Lock()
        _ALL.add(self)  # type: ignore[arg-type]

    def get(self, key: Hashable, load: Callable[[], V | None]) -> V | None:
        """The cached value of ``key``, else ``load()`` (kept unless it is None)."""
        self._check_version()
        try:
            return self._values[key]
        except KeyError:
            pass
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
        """Drop this process's values (tests; other processes are not told)."""
        with self._lock:
            self._generation += 1
            self._values = {}

    def invalidate(self) -> None:
        """Drop the values here and, through Django's cache, in every process. Inside a
        transaction, when it commits (before that the other processes would reload the old rows)."""
        transaction.on_commit(self._invalidate_now)

    def _invalidate_now(self) -> None:
        version = uuid.uuid4().hex
        try:
            cache.set(self.version_key, version, timeout=None)
        except Exception:  # a cache outage: other processes catch up when it is back
            version = ""
        self._version = version or self._version
        self.clear()

    def _check_version(self) -> None:
        now = time.monotonic()
        if now - self._checked_at < self.check_seconds:
            return
        self._checked_at = now
        try:
            remote = cache.get(self.version_key)
        except Exception:  # a cache outage must not stop the requests that read through us
            return
        if remote != self._version:
            self._version = remote
            self.clear()


def clear_all() -> None:
    """Drop every cache of this process (tests start each from the database)."""
    for c in list(_ALL):
        c.clear()
