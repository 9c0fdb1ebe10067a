"""Mapping the unit a value was reported for onto the units of any date, with weights.

A value reported by a unit still valid on the target date goes to its ancestor at the target
level. A value reported by a unit that ended before the target date follows the reorganisation
links forward, multiplied by each link's share (a ward divided among three successors gives each
its share). A value reported by a unit that began after the target date goes back to the
predecessors, in proportion to the shares they contributed. The mapping for a (date, level) is
built once per process from all units and links (≈14,000 and ≈11,000 rows) and cached.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Max

from congso.core.org.models import AdministrativeUnit, UnitLink

_EPSILON = Decimal("1e-15")


@dataclass(frozen=True)
class _Unit:
    id: int
    parent_id: int | None
    level: int
    valid_from: dt.date | None
    valid_to: dt.date | None

    def valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day < self.valid_to
        )


class UnitMapper:
    def __init__(self, as_of: dt.date, level: int) -> None:
        self.as_of, self.level = as_of, level
        self.units = {
            pk: _Unit(pk, parent, lvl, vf, vt)
            for pk, parent, lvl, vf, vt in AdministrativeUnit.objects.values_list(
                "pk", "parent_id", "level", "valid_from", "valid_to"
            )
        }
        self.forward: dict[int, list[tuple[int, Decimal]]] = {}
        self.backward: dict[int, list[tuple[int, Decimal]]] = {}
        for pred, succ, share in UnitLink.objects.values_list("predecessor_id", "successor_id", "share"):
            self.forward.setdefault(pred, []).append((succ, share))
            self.backward.setdefault(succ, []).append((pred, share))
        self._cache: dict[int, tuple[tuple[int, Decimal], ...]] = {}
        self._plain: dict[int, int] | None = None
        self._plain_checked = False

    def plain_targets(self) -> dict[int, int] | None:
        """{reporting unit: target} when every unit an agency reports for maps to exactly one
        target with weight 1 — then the database can group by target itself. None otherwise."""
        if not self._plain_checked:
            from congso.core.org.models import Agency

            self._plain_checked = True
            mapping: dict[int, int] = {}
            for unit_id in set(Agency.objects.exclude(unit=None).values_list("unit_id", flat=True)):
                targets = self.targets(unit_id)
                if len(targets) != 1 or targets[0][1] != 1:
                    return None
                mapping[unit_id] = targets[0][0]
            self._plain = mapping
        return self._plain

    def _up(self, unit: _Unit) -> int:
        node = unit
        while node.level > self.level and node.parent_id is not None:
            node = self.units[node.parent_id]
        return node.id

    def targets(self, unit_id: int) -> tuple[tuple[int, Decimal], ...]:
        """[(target unit id, weight)] for a value reported by ``unit_id``; weights sum to 1
        where the links are complete."""
        cached = self._cache.get(unit_id)
        if cached is not None:
            return cached
        result: dict[int, Decimal] = {}
        self._walk(unit_id, Decimal(1), result, depth=0)
        # 1/3 + 1/3 + 1/3 comes back as 0.99…9 in 28 digits: a whole unit is a whole unit.
        mapped = tuple(sorted((t, Decimal(1) if abs(w - 1) < _EPSILON else w) for t, w in result.items()))
        self._cache[unit_id] = mapped
        return mapped

    def _walk(self, unit_id: int, weight: Decimal, out: dict[int, Decimal], depth: int) -> None:
        unit = self.units.get(unit_id)
        if unit is None or depth > 8:
            return
        if unit.valid_on(self.as_of):
            target = self._up(unit)
            out[target] = out.get(target, Decimal(0)) + weight
            return
        ended = unit.valid_to is not None and unit.valid_to <= self.as_of
        if ended and unit_id in self.forward:
            links = self.forward[unit_id]
            total = sum((share for _, share in links), Decimal(0))
            # Shares are stored to 6 places: thirds add up to 0.999999. A split that is complete
            # (within rounding) is renormalised so that nothing is lost in the totals above.
            scale = total if abs(total - 1) < Decimal("0.0001") else Decimal(1)
            for succ, share in links:
                self._walk(succ, weight * share / scale, out, depth + 1)
            return
        if not ended and unit_id in self.backward:
            links = self.backward[unit_id]
            total = sum((share for _, share in links), Decimal(0)) or Decimal(1)
            for pred, share in links:
                self._walk(pred, weight * share / total, out, depth + 1)
            return
        # No link to follow (a district, say, which ended without successors): climb to a parent
        # that is valid on the date, so the value still counts in the totals above it.
        if unit.parent_id is not None:
            self._walk(unit.parent_id, weight, out, depth + 1)


_lock = threading.Lock()
_mappers: dict[tuple[dt.date, int, int], UnitMapper] = {}
_version: tuple[float, int] = (0.0, 0)
VERSION_TTL = 30.0  # seconds between checks that units or links changed


def _units_version() -> int:
    """Changes when units or links are loaded; checked at most every VERSION_TTL seconds."""
    global _version
    now = time.monotonic()
    if now - _version[0] > VERSION_TTL:
        # Counts alone miss units reloaded whole (same number, new ids): the highest id is in too.
        units = AdministrativeUnit.objects.aggregate(n=Count("id"), top=Max("id"))
        links = UnitLink.objects.aggregate(n=Count("id"), top=Max("id"))
        _version = (now, hash((units["n"], units["top"], links["n"], links["top"])))
    return _version[1]


def unit_mapper(as_of: dt.date, level: int) -> UnitMapper:
    key = (as_of, level, _units_version())
    with _lock:
        mapper = _mappers.get(key)
        if mapper is None:
            if len(_mappers) > 32:
                _mappers.clear()
            mapper = _mappers[key] = UnitMapper(as_of, level)
    return mapper


def reset_cache() -> None:
    """Forget mappings and the version check (tests that load units mid-way)."""
    global _version
    with _lock:
        _mappers.clear()
        _version = (0.0, 0)
