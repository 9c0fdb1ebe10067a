"""Role grants -> actions -> agency scopes.

A role is granted on an agency (``RoleAssignment``), for that agency alone or for its subtree.
Each role carries a set of actions; modules add their actions with ``grant`` from their own
``policies.py``. The scope of an action for an actor is the union of the agencies of the grants
whose role carries it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from congso.core.errors import Forbidden, Unauthenticated

_ROLE_ACTIONS: dict[str, set[str]] = defaultdict(set)


def grant(role: str, *actions: str) -> None:
    """Give ``role`` the right to perform ``actions`` within the agencies it is granted on."""
    _ROLE_ACTIONS[role].update(actions)


def actions_of(role: str) -> frozenset[str]:
    return frozenset(_ROLE_ACTIONS.get(role, ()))


@dataclass(frozen=True)
class Grant:
    role: str
    agency_id: int
    agency_path: str
    subtree: bool
    is_root: bool


@dataclass(frozen=True)
class AgencyScope:
    """The agencies an actor may act on for one action."""

    agency_ids: frozenset[int] = field(default_factory=frozenset)
    path_prefixes: tuple[str, ...] = ()
    everything: bool = False

    @property
    def empty(self) -> bool:
        return not (self.everything or self.agency_ids or self.path_prefixes)

    def q(self, field: str = "agency") -> Q:
        """A filter for rows whose ``field`` (an Agency FK) is in scope."""
        if self.everything:
            return Q()
        if self.empty:
            return Q(pk__in=[])
        lookup = "" if field == "" else f"{field}__"
        cond = Q(**{f"{lookup}pk__in": list(self.agency_ids)}) if self.agency_ids else Q(pk__in=[])
        for prefix in self.path_prefixes:
            cond |= Q(**{f"{lookup}path__startswith": prefix})
        return cond

    def contains(self, agency: Any) -> bool:
        if agency is None:
            return self.everything
        if self.everything or agency.pk in self.agency_ids:
            return True
        return any(agency.path.startswith(prefix) for prefix in self.path_prefixes)


def _grants(actor: Any) -> list[Grant]:
    cached = getattr(actor, "_policy_grants", None)
    if cached is not None:
        return cached
    from congso.core.accounts.models import RoleAssignment, RoleScope

    grants = [
        Grant(
            role=ra.role,
            agency_id=ra.agency_id,
            agency_path=ra.agency.path,
            subtree=ra.scope == RoleScope.SUBTREE,
            is_root=ra.agency.parent_id is None,
        )
        for ra in RoleAssignment.objects.filter(user_id=actor.pk, user__is_active=True).select_related(
            "agency"
        )
    ]
    actor._policy_grants = grants
    return grants


def roles_of(actor: Any) -> set[str]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return set()
    return {g.role for g in _grants(actor)}


def agency_scope(actor: Any, action: str) -> AgencyScope:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return AgencyScope()
    ids: set[int] = set()
    prefixes: list[str] = []
    for g in _grants(actor):
        if action not in _ROLE_ACTIONS.get(g.role, ()):
            continue
        if g.subtree and g.is_root:
            return AgencyScope(everything=True)
        if g.subtree:
            prefixes.append(g.agency_path)
        else:
            ids.add(g.agency_id)
    return AgencyScope(agency_ids=frozenset(ids), path_prefixes=tuple(sorted(set(prefixes))))


def can(actor: Any, action: str, agency: Any = None, *, globally: bool = False) -> bool:
    """May ``actor`` do ``action`` on ``agency``? ``globally`` asks for city-wide rights (the
    scope must be everything), for actions that belong to no one agency (the calendar, units)."""
    scope = agency_scope(actor, action)
    if globally:
        return scope.everything
    if agency is None:
        return not scope.empty
    return scope.contains(agency)


def authorize(actor: Any, action: str, agency: Any = None, *, globally: bool = False) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise Unauthenticated(_("Bạn cần đăng nhập để thực hiện thao tác này."))
    if not can(actor, action, agency, globally=globally):
        raise Forbidden(_("Bạn không có quyền thực hiện thao tác này đối với cơ quan, đơn vị này."))
