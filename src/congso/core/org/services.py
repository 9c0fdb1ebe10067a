"""Every write to units and agencies: one transaction each, audited inside it."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from congso.core.audit.services import audit_record
from congso.core.errors import Conflict, InvalidInput
from congso.core.org import loaders
from congso.core.org.models import Agency, AgencyKind, AgencyLink, ReorgEvent, UnitLevel, valid_on
from congso.core.org.selectors import AGENCIES_ON, agency_get, unit_get
from congso.core.policy import authorize
from congso.core.search.text import fold

AGENCY_CODE = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$")


def agency_snapshot(agency: Agency) -> dict[str, Any]:
    return {
        "code": agency.code,
        "name": agency.name,
        "short_name": agency.short_name,
        "kind": agency.kind,
        "level": agency.level,
        "parent_id": agency.parent_id,
        "unit_id": agency.unit_id,
        "valid_from": agency.valid_from,
        "valid_to": agency.valid_to,
        "email": agency.email,
        "phone": agency.phone,
    }


def _check_agency_fields(code: str, name: str, kind: str, level: int) -> None:
    problems = []
    if not AGENCY_CODE.match(code):
        problems.append(
            {
                "field": "code",
                "message": _("Mã cơ quan '%(code)s' không đúng dạng 000.00.00.H26.") % {"code": code},
            }
        )
    if not name.strip():
        problems.append({"field": "name", "message": _("Tên cơ quan không được để trống.")})
    if kind not in AgencyKind.values:
        problems.append({"field": "kind", "message": f"Loại cơ quan '{kind}' không có trong danh mục."})
    if level not in UnitLevel.values:
        problems.append(
            {"field": "level", "message": f"Cấp '{level}' phải là 1 (tỉnh), 2 (huyện) hoặc 3 (xã)."}
        )
    if problems:
        raise InvalidInput(
            _("Thông tin cơ quan không hợp lệ: %(problems)s")
            % {"problems": " ".join(p["message"] for p in problems)},
            errors=problems,
        )


def agency_create(
    *,
    actor: Any,
    code: str,
    name: str,
    kind: str,
    level: int,
    parent_code: str | None,
    unit_code: str | None = None,
    valid_from: dt.date | None = None,
    short_name: str = "",
    email: str = "",
    phone: str = "",
) -> Agency:
    _check_agency_fields(code, name, kind, level)
    day = valid_from or dt.date.today()
    parent = agency_get(code=parent_code, as_of=day) if parent_code else None
    # Creating a root agency is a city-wide act; otherwise the actor must manage the parent.
    authorize(actor, "org.agency.manage", parent, globally=parent is None)
    unit = unit_get(code=unit_code, as_of=day) if unit_code else None
    with transaction.atomic():
        if Agency.objects.filter(code=code).filter(valid_on(day)).exists():
            raise Conflict(
                _("Mã cơ quan %(code)s đã được dùng cho một cơ quan đang hoạt động.") % {"code": code}
            )
        agency = Agency.objects.create(
            code=code,
            name=name.strip(),
            short_name=short_name,
            kind=kind,
            level=level,
            parent=parent,
            unit=unit,
            valid_from=valid_from,
            search_name=fold(name),
            email=email,
            phone=phone,
        )
        agency.path = f"{parent.path if parent else '/'}{agency.pk}/"
        agency.save(update_fields=["path"])
        audit_record(actor=actor, action="org.agency.create", target=agency, after=agency_snapshot(agency))
        AGENCIES_ON.invalidate()
    return agency


_EDITABLE = {"name", "short_name", "email", "phone"}


def agency_update(*, actor: Any, agency: Agency, **changes: Any) -> Agency:
    unknown = set(changes) - _EDITABLE
    if unknown:
        raise InvalidInput(f"Không sửa được trường: {', '.join(sorted(unknown))}.")
    authorize(actor, "org.agency.manage", agency)
    if "name" in changes and not str(changes["name"]).strip():
        raise InvalidInput(
            "Tên cơ quan không được để trống.",
            errors=[{"field": "name", "message": "Tên cơ quan không được để trống."}],
        )
    with transaction.atomic():
        locked = Agency.objects.select_for_update().get(pk=agency.pk)
        before = agency_snapshot(locked)
        for key, value in changes.items():
            setattr(locked, key, value.strip() if isinstance(value, str) else value)
        locked.search_name = fold(locked.name)
        locked.save()
        audit_record(
            actor=actor,
            action="org.agency.update",
            target=locked,
            before=before,
            after=agency_snapshot(locked),
        )
        AGENCIES_ON.invalidate()
    return locked


def agency_close(
    *,
    actor: Any,
    agency: Agency,
    valid_to: dt.date,
    successor_codes: list[str] | None = None,
    kind: str = "abolish",
    legal_basis: str = "",
) -> Agency:
    """End an agency's validity (dissolution, or merger into successors that already exist)."""
    authorize(actor, "org.agency.manage", agency)
    if agency.valid_from and valid_to <= agency.valid_from:
        raise InvalidInput("Ngày kết thúc phải sau ngày bắt đầu hiệu lực của cơ quan.")
    successors = [agency_get(code=c, as_of=valid_to) for c in successor_codes or []]
    with transaction.atomic():
        locked = Agency.objects.select_for_update().get(pk=agency.pk)
        before = agency_snapshot(locked)
        locked.valid_to = valid_to
        locked.save(update_fields=["valid_to"])
        if successors:
            event = ReorgEvent.objects.create(
                kind=kind, effective_date=valid_to, legal_basis=legal_basis, note=f"Cơ quan {locked.name}"
            )
            AgencyLink.objects.bulk_create(
                [AgencyLink(event=event, predecessor=locked, successor=s) for s in successors]
            )
        audit_record(
            actor=actor,
            action="org.agency.close",
            target=locked,
            before=before,
            after={**agency_snapshot(locked), "successors": [s.code for s in successors]},
        )
        AGENCIES_ON.invalidate()
    return locked


@dataclass(frozen=True)
class AgencySpec:
    """One agency version for bulk loading (the demo city, an import from the national list)."""

    code: str
    name: str
    kind: str
    level: int
    parent_key: tuple[str, dt.date | None] | None
    unit_key: tuple[str, dt.date | None] | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    short_name: str = ""

    @property
    def key(self) -> tuple[str, dt.date | None]:
        return (self.code, self.valid_from)


def agencies_bulk_upsert(
    *, actor: Any, specs: list[AgencySpec], reason: str
) -> dict[tuple[str, dt.date | None], int]:
    """Create the agencies that do not exist yet (keyed by code and valid_from), parents first.
    Re-running adds nothing. One audit event records the load."""
    from congso.core.org.models import AdministrativeUnit

    if actor is not None:
        authorize(actor, "org.agency.manage", globally=True)
    for spec in specs:
        _check_agency_fields(spec.code, spec.name, spec.kind, spec.level)
    with transaction.atomic():
        ids = {
            (a.code, a.valid_from): (a.pk, a.path)
            for a in Agency.objects.all().only("code", "valid_from", "path")
        }
        unit_ids = {
            (u.code, u.valid_from): u.pk
            for u in AdministrativeUnit.objects.filter(code__in={s.unit_key[0] for s in specs if s.unit_key})
        }
        created = 0
        pending = [s for s in specs if s.key not in ids]
        while pending:
            ready = [s for s in pending if s.parent_key is None or s.parent_key in ids]
            if not ready:
                missing = sorted({str(s.parent_key) for s in pending})
                raise InvalidInput(f"Không tìm thấy cơ quan cấp trên: {', '.join(missing[:5])}.")
            objs = [
                Agency(
                    code=s.code,
                    name=s.name,
                    short_name=s.short_name,
                    kind=s.kind,
                    level=s.level,
                    parent_id=ids[s.parent_key][0] if s.parent_key else None,
                    unit_id=unit_ids.get(s.unit_key) if s.unit_key else None,
                    valid_from=s.valid_from,
                    valid_to=s.valid_to,
                    search_name=fold(s.name),
                )
                for s in ready
            ]
            Agency.objects.bulk_create(objs, batch_size=1000)
            for spec, obj in zip(ready, objs, strict=True):
                parent_path = ids[spec.parent_key][1] if spec.parent_key else "/"
                obj.path = f"{parent_path}{obj.pk}/"
                ids[spec.key] = (obj.pk, obj.path)
            Agency.objects.bulk_update(objs, ["path"], batch_size=1000)
            created += len(objs)
            ready_keys = {s.key for s in ready}
            pending = [s for s in pending if s.key not in ready_keys]
        if created:
            audit_record(
                actor=actor,
                action="org.agency.bulk_load",
                target=("org.agency", "*"),
                after={"created": created, "reason": reason},
            )
            AGENCIES_ON.invalidate()
    return {k: v[0] for k, v in ids.items()}


def agency_links_bulk_create(
    *,
    links: list[tuple[str, dt.date | None, str, dt.date | None]],
    kind: str,
    effective_date: dt.date,
    legal_basis: str,
) -> int:
    """Link predecessor agencies to successors (idempotent). Runs in the caller's transaction."""
    ids = {(a.code, a.valid_from): a.pk for a in Agency.objects.all().only("code", "valid_from")}
    existing = set(AgencyLink.objects.values_list("predecessor_id", "successor_id"))
    new = [
        (ids[(pc, pf)], ids[(sc, sf)])
        for pc, pf, sc, sf in links
        if (pc, pf) in ids and (sc, sf) in ids and (ids[(pc, pf)], ids[(sc, sf)]) not in existing
    ]
    if not new:
        return 0
    event = ReorgEvent.objects.create(
        kind=kind, effective_date=effective_date, legal_basis=legal_basis, note="Sắp xếp cơ quan"
    )
    AgencyLink.objects.bulk_create(
        [AgencyLink(event=event, predecessor_id=p, successor_id=s) for p, s in new]
    )
    return len(new)


def units_load(*, actor: Any, provinces: set[str] | None = None) -> loaders.LoadReport:
    """Load Vietnam's units of both eras from the packages (idempotent), audited."""
    if actor is not None:
        authorize(actor, "org.unit.manage", globally=True)
    with transaction.atomic():
        report = loaders.load_units(provinces)
        if report.units_created or report.units_updated or report.links_created:
            audit_record(
                actor=actor,
                action="org.unit.load",
                target=("org.administrativeunit", "*"),
                after={"provinces": sorted(provinces) if provinces else "all", **report.__dict__},
            )
    return report
