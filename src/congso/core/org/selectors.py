"""Reading units and agencies, always as of a date."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from congso.core.errors import NotFound
from congso.core.localcache import SharedVersionCache
from congso.core.org.models import AdministrativeUnit, Agency, AgencyLink, UnitLink, valid_on
from congso.core.search.text import fold


def today() -> dt.date:
    return timezone.localdate()


def units_as_of(
    *, as_of: dt.date, parent_code: str | None = None, level: int | None = None, q: str | None = None
) -> QuerySet[AdministrativeUnit]:
    qs = AdministrativeUnit.objects.filter(valid_on(as_of))
    if parent_code is not None:
        # Joined rather than looked up first: one query. A parent that does not exist on that
        # date yields no rows; callers that must tell "no children" from "no parent" use unit_get.
        qs = qs.filter(valid_on(as_of, "parent__"), parent__code=parent_code)
    if level is not None:
        qs = qs.filter(level=level)
    if q:
        qs = qs.filter(search_name__contains=fold(q))
    return qs.order_by("code")


def unit_get(*, code: str, as_of: dt.date | None = None) -> AdministrativeUnit:
    """The version of unit ``code`` valid on ``as_of``; without a date, today's version or, for a
    unit that no longer exists, its last one."""
    versions = AdministrativeUnit.objects.filter(code=code).select_related("parent")
    if as_of is not None:
        unit = versions.filter(valid_on(as_of)).first()
        if unit is None:
            raise NotFound(
                _("Không có đơn vị hành chính mã %(code)s vào ngày %(date)s.")
                % {"code": code, "date": f"{as_of:%d/%m/%Y}"}
            )
        return unit
    unit = versions.filter(valid_on(today())).first()
    if unit is None:
        unit = max(versions, key=lambda u: u.valid_from or dt.date.min, default=None)
    if unit is None:
        raise NotFound(_("Không có đơn vị hành chính mã %(code)s.") % {"code": code})
    return unit


def unit_predecessors(unit: AdministrativeUnit) -> list[UnitLink]:
    return list(
        UnitLink.objects.filter(successor=unit)
        .select_related("predecessor", "event")
        .order_by("predecessor__code")
    )


def unit_successors(unit: AdministrativeUnit) -> list[UnitLink]:
    return list(
        UnitLink.objects.filter(predecessor=unit)
        .select_related("successor", "event")
        .order_by("successor__code")
    )


def units_count_as_of(*, as_of: dt.date, parent_code: str) -> dict[int, int]:
    """How many units of each level lie under ``parent_code`` on ``as_of`` (children only)."""
    counts: dict[int, int] = {}
    for unit in units_as_of(as_of=as_of, parent_code=parent_code):
        counts[unit.level] = counts.get(unit.level, 0) + 1
    return counts


def agencies_as_of(
    *,
    as_of: dt.date,
    parent_code: str | None = None,
    kind: str | None = None,
    q: str | None = None,
    scope_q: Any = None,
) -> QuerySet[Agency]:
    """The agency directory on ``as_of``. ``scope_q`` (from the policy layer) narrows it to what an
    actor may manage; reading the directory itself is open to every official."""
    qs = Agency.objects.filter(valid_on(as_of)).select_related("unit", "parent")
    if parent_code is not None:
        parent = agency_get(code=parent_code, as_of=as_of)
        qs = qs.filter(parent_id=parent.pk)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        folded = fold(q)
        qs = qs.filter(search_name__contains=folded) | qs.filter(code=q.strip())
    if scope_q is not None:
        qs = qs.filter(scope_q)
    return qs.order_by("path")


def agency_get(*, code: str, as_of: dt.date | None = None) -> Agency:
    day = as_of or today()
    agency = Agency.objects.filter(code=code).filter(valid_on(day)).select_related("unit", "parent").first()
    if agency is None and as_of is None:
        agency = (
            Agency.objects.filter(code=code).order_by("-valid_from").select_related("unit", "parent").first()
        )
    if agency is None:
        raise NotFound(
            _("Không có cơ quan mã %(code)s vào ngày %(date)s.") % {"code": code, "date": f"{day:%d/%m/%Y}"}
        )
    return agency


# Agencies as of a date, for hot paths that resolve the same few codes on every request (a one-stop
# filing: the receiving desk and the competent agency). Dropped by every write in org/services.py.
AGENCIES_ON = SharedVersionCache[Agency]("org.agencies_on")


def agency_on(*, code: str, day: dt.date) -> Agency:
    """As ``agency_get(code=…, as_of=day)``, from this process's cache (see core/localcache.py:
    a change made in another process is seen within 30 s). The instance is shared: read it only."""
    agency = AGENCIES_ON.get((code, day), lambda: _agency_valid_on(code, day))
    if agency is None:
        raise NotFound(
            _("Không có cơ quan mã %(code)s vào ngày %(date)s.") % {"code": code, "date": f"{day:%d/%m/%Y}"}
        )
    return agency


def _agency_valid_on(code: str, day: dt.date) -> Agency | None:
    return Agency.objects.filter(code=code).filter(valid_on(day)).select_related("unit", "parent").first()


def agency_by_id(agency_id: int) -> Agency:
    agency = Agency.objects.filter(pk=agency_id).select_related("unit", "parent").first()
    if agency is None:
        raise NotFound(_("Không có cơ quan số %(id)s.") % {"id": agency_id})
    return agency


def agency_successors(agency: Agency) -> list[AgencyLink]:
    return list(AgencyLink.objects.filter(predecessor=agency).select_related("successor", "event"))


def agency_predecessors(agency: Agency) -> list[AgencyLink]:
    return list(AgencyLink.objects.filter(successor=agency).select_related("predecessor", "event"))
