"""Loading Vietnam's real administrative units from the PyPI packages.

- ``vietnamadminunits`` gives the legacy three-level structure as it stood on 30 June 2025
  (63 provinces, districts, communes/wards with coordinates);
- ``vietnam-provinces`` gives the two-level structure since 1 July 2025 (34 provinces,
  3,321 communes/wards) and the official old -> new conversion table, which says which old wards
  were divided among several new ones.

Loading is idempotent: units are keyed by (code, valid_from) and links by (predecessor, successor),
so a second run adds nothing.
"""

from __future__ import annotations

import datetime as dt
import importlib.resources
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from congso.core.org.models import (
    AdministrativeUnit,
    EventKind,
    ReorgEvent,
    UnitKind,
    UnitLevel,
    UnitLink,
)
from congso.core.search.text import fold

REFORM_2025 = dt.date(2025, 7, 1)
PROVINCE_MERGE_BASIS = "Nghị quyết 202/2025/QH15 về sắp xếp đơn vị hành chính cấp tỉnh"
WARD_MERGE_BASIS = "Nghị quyết của UBTVQH về sắp xếp đơn vị hành chính cấp xã năm 2025"
WARD_MERGE_BASIS_BY_PROVINCE = {"01": "Nghị quyết 1656/NQ-UBTVQH15 về sắp xếp ĐVHC cấp xã của TP Hà Nội"}

_DISTRICT_KINDS = {
    "Quận": UnitKind.URBAN_DISTRICT,
    "Huyện": UnitKind.RURAL_DISTRICT,
    "Thị xã": UnitKind.TOWN,
    "Thành phố": UnitKind.PROVINCIAL_CITY,
}
_WARD_KINDS = {"Phường": UnitKind.WARD, "Xã": UnitKind.COMMUNE, "Thị trấn": UnitKind.TOWNLET}
_NEW_KINDS = {
    "thành phố trung ương": UnitKind.MUNICIPALITY,
    "tỉnh": UnitKind.PROVINCE,
    "phường": UnitKind.WARD,
    "xã": UnitKind.COMMUNE,
    "đặc khu": UnitKind.SPECIAL_ZONE,
}
_PREFIXES = ("Thành phố ", "Tỉnh ", "Quận ", "Huyện ", "Thị xã ", "Phường ", "Xã ", "Thị trấn ", "Đặc khu ")


def _short(name: str) -> str:
    for prefix in _PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def _dec(value: float | None, places: str = "0.000001") -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal(places))


@dataclass
class UnitRecord:
    code: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    name: str
    kind: str
    level: int
    parent_key: tuple[str, dt.date | None] | None
    latitude: Decimal | None
    longitude: Decimal | None
    area_km2: Decimal | None
    source: str

    @property
    def key(self) -> tuple[str, dt.date | None]:
        return (self.code, self.valid_from)


@dataclass(frozen=True)
class LoadReport:
    units_created: int
    units_updated: int
    links_created: int
    events_created: int


def _read_dataset(
    provinces: set[str] | None,
) -> tuple[list[sqlite3.Row], dict[str, sqlite3.Row], dict[str, sqlite3.Row]]:
    """The legacy rows, and the coordinates of today's wards and provinces, from vietnamadminunits."""
    path = importlib.resources.files("vietnamadminunits") / "data" / "dataset.db"
    with importlib.resources.as_file(path) as db_path:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        conn.row_factory = sqlite3.Row
        try:
            rows = conn.execute(
                "SELECT province, provinceCode, provinceLat, provinceLon, district, districtType,"
                " districtCode, districtLat, districtLon, ward, wardType, wardCode, wardLat, wardLon"
                " FROM admin_units_legacy ORDER BY provinceCode, districtCode, wardCode"
            ).fetchall()
            geo = {
                r["wardCode"]: r
                for r in conn.execute("SELECT wardCode, wardLat, wardLon, wardAreaKm2 FROM admin_units")
            }
            pgeo = {
                r["provinceCode"]: r
                for r in conn.execute(
                    "SELECT DISTINCT provinceCode, provinceLat, provinceLon FROM admin_units"
                )
            }
        finally:
            conn.close()
    legacy = [r for r in rows if provinces is None or r["provinceCode"] in provinces]
    return legacy, geo, pgeo


def build_records(provinces: set[str] | None = None) -> list[UnitRecord]:
    """Both eras' units as records, parents before children."""
    from vietnam_provinces import Province, Ward
    from vietnam_provinces._province_conversion_2025 import NEW_TO_OLD as PROVINCE_NEW_TO_OLD

    legacy_src = "vietnamadminunits (30/06/2025)"
    new_src = "vietnam-provinces (01/07/2025)"
    rows, new_geo, new_pgeo = _read_dataset(provinces)

    # A province that is the only predecessor of a new province with its own code simply continues.
    continuing: set[str] = set()
    for new_code, entry in PROVINCE_NEW_TO_OLD.items():
        if len(entry.old_provinces) == 1 and entry.old_provinces[0].code == new_code:
            continuing.add(f"{new_code:02d}")

    provinces_out: dict[str, UnitRecord] = {}
    districts: dict[str, UnitRecord] = {}
    wards: list[UnitRecord] = []
    for r in rows:
        pcode = r["provinceCode"]
        if pcode not in provinces_out:
            cont = pcode in continuing
            provinces_out[pcode] = UnitRecord(
                code=pcode,
                valid_from=None,
                valid_to=None if cont else REFORM_2025,
                name=r["province"],
                kind=UnitKind.MUNICIPALITY if r["province"].startswith("Thành phố") else UnitKind.PROVINCE,
                level=UnitLevel.PROVINCE,
                parent_key=None,
                latitude=_dec(r["provinceLat"]),
                longitude=_dec(r["provinceLon"]),
                area_km2=None,
                source=legacy_src,
            )
        dcode = r["districtCode"]
        if dcode not in districts:
            districts[dcode] = UnitRecord(
                code=dcode,
                valid_from=None,
                valid_to=REFORM_2025,
                name=r["district"],
                kind=_DISTRICT_KINDS.get(r["districtType"], UnitKind.RURAL_DISTRICT),
                level=UnitLevel.DISTRICT,
                parent_key=(pcode, None),
                latitude=_dec(r["districtLat"]),
                longitude=_dec(r["districtLon"]),
                area_km2=None,
                source=legacy_src,
            )
        if r["wardCode"]:
            wards.append(
                UnitRecord(
                    code=r["wardCode"],
                    valid_from=None,
                    valid_to=REFORM_2025,
                    name=r["ward"],
                    kind=_WARD_KINDS.get(r["wardType"], UnitKind.COMMUNE),
                    level=UnitLevel.COMMUNE,
                    parent_key=(dcode, None),
                    latitude=_dec(r["wardLat"]),
                    longitude=_dec(r["wardLon"]),
                    area_km2=None,
                    source=legacy_src,
                )
            )

    new_provinces: list[UnitRecord] = []
    new_wards: list[UnitRecord] = []
    for province in Province.iter_all():
        pcode = f"{int(province.code):02d}"
        if provinces is not None and pcode not in provinces:
            continue
        geo = new_pgeo.get(pcode)
        if pcode in continuing and pcode in provinces_out:
            rec = provinces_out[pcode]
            rec.name, rec.source = province.name, new_src  # today's name wins for a continuing unit
            pkey: tuple[str, dt.date | None] = (pcode, None)
        else:
            rec = UnitRecord(
                code=pcode,
                valid_from=REFORM_2025,
                valid_to=None,
                name=province.name,
                kind=_NEW_KINDS[str(province.division_type.value)],
                level=UnitLevel.PROVINCE,
                parent_key=None,
                latitude=_dec(geo["provinceLat"]) if geo else None,
                longitude=_dec(geo["provinceLon"]) if geo else None,
                area_km2=None,
                source=new_src,
            )
            new_provinces.append(rec)
            pkey = rec.key
        for ward in Ward.iter_by_province(province.code):
            wcode = f"{int(ward.code):05d}"
            g = new_geo.get(wcode)
            new_wards.append(
                UnitRecord(
                    code=wcode,
                    valid_from=REFORM_2025,
                    valid_to=None,
                    name=ward.name,
                    kind=_NEW_KINDS[str(ward.division_type.value)],
                    level=UnitLevel.COMMUNE,
                    parent_key=pkey,
                    latitude=_dec(g["wardLat"]) if g else None,
                    longitude=_dec(g["wardLon"]) if g else None,
                    area_km2=_dec(g["wardAreaKm2"], "0.01") if g and g["wardAreaKm2"] is not None else None,
                    source=new_src,
                )
            )
    return [*provinces_out.values(), *new_provinces, *districts.values(), *wards, *new_wards]


def _chunks(items: list, size: int = 1000) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def upsert_units(records: list[UnitRecord]) -> tuple[dict[tuple[str, dt.date | None], int], int, int]:
    """Create or update units; returns the id of each key, and the created/updated counts.
    Runs inside the caller's transaction."""
    existing = {
        (u.code, u.valid_from): u
        for u in AdministrativeUnit.objects.filter(code__in={r.code for r in records})
    }
    ids: dict[tuple[str, dt.date | None], int] = {k: u.pk for k, u in existing.items()}
    created = updated = 0
    for level in (UnitLevel.PROVINCE, UnitLevel.DISTRICT, UnitLevel.COMMUNE):
        to_create: list[AdministrativeUnit] = []
        to_update: list[AdministrativeUnit] = []
        for rec in (r for r in records if r.level == level):
            parent_id = ids[rec.parent_key] if rec.parent_key else None
            fields = {
                "name": rec.name,
                "short_name": _short(rec.name),
                "kind": rec.kind,
                "level": rec.level,
                "parent_id": parent_id,
                "valid_to": rec.valid_to,
                "latitude": rec.latitude,
                "longitude": rec.longitude,
                "area_km2": rec.area_km2,
                "search_name": fold(rec.name),
                "source": rec.source,
            }
            unit = existing.get(rec.key)
            if unit is None:
                to_create.append(AdministrativeUnit(code=rec.code, valid_from=rec.valid_from, **fields))
            elif any(getattr(unit, k) != v for k, v in fields.items()):
                for k, v in fields.items():
                    setattr(unit, k, v)
                to_update.append(unit)
        for batch in _chunks(to_create):
            for unit in AdministrativeUnit.objects.bulk_create(batch):
                ids[(unit.code, unit.valid_from)] = unit.pk
        if to_update:
            AdministrativeUnit.objects.bulk_update(
                to_update,
                [
                    "name",
                    "short_name",
                    "kind",
                    "level",
                    "parent_id",
                    "valid_to",
                    "latitude",
                    "longitude",
                    "area_km2",
                    "search_name",
                    "source",
                ],
                batch_size=1000,
            )
        created += len(to_create)
        updated += len(to_update)
    return ids, created, updated


def link_2025_reform(ids: dict[tuple[str, dt.date | None], int]) -> tuple[int, int]:
    """Reorganisation events of 1 July 2025 with predecessor -> successor links and shares."""
    from vietnam_provinces._province_conversion_2025 import NEW_TO_OLD as PROVINCE_NEW_TO_OLD
    from vietnam_provinces._ward_conversion_2025 import NEW_TO_OLD, OLD_TO_NEW

    linked = set(UnitLink.objects.values_list("predecessor_id", "successor_id"))
    names = dict(AdministrativeUnit.objects.filter(pk__in=ids.values()).values_list("pk", "name"))
    events = 0
    links: list[UnitLink] = []

    def add_event(kind: str, basis: str, note: str, pairs: list[tuple[int, int, Decimal, str]]) -> None:
        nonlocal events
        fresh = [p for p in pairs if (p[0], p[1]) not in linked]
        if not fresh:
            return
        event = ReorgEvent.objects.create(kind=kind, effective_date=REFORM_2025, legal_basis=basis, note=note)
        events += 1
        for pred, succ, share, basis_kind in fresh:
            links.append(
                UnitLink(
                    event=event, predecessor_id=pred, successor_id=succ, share=share, share_basis=basis_kind
                )
            )
            linked.add((pred, succ))

    for new_code, entry in PROVINCE_NEW_TO_OLD.items():
        succ = ids.get((f"{new_code:02d}", REFORM_2025))
        if succ is None:
            continue  # continuing province, or not loaded
        pairs = [
            (ids[(f"{old.code:02d}", None)], succ, Decimal(1), "whole")
            for old in entry.old_provinces
            if (f"{old.code:02d}", None) in ids
        ]
        kind = EventKind.MERGE if len(entry.old_provinces) > 1 else EventKind.RENAME
        add_event(kind, PROVINCE_MERGE_BASIS, f"Tỉnh/thành phố {names.get(succ, new_code)}", pairs)

    for new_code, ward_entry in NEW_TO_OLD.items():
        succ = ids.get((f"{new_code:05d}", REFORM_2025))
        if succ is None:
            continue
        pairs = []
        for old in ward_entry.old_wards:
            pred = ids.get((f"{old.code:05d}", None))
            if pred is None:
                continue
            successors = OLD_TO_NEW[old.code].new_wards if old.code in OLD_TO_NEW else ()
            if len(successors) > 1:
                # The conversion table says a ward was divided but not in what proportion: split
                # evenly until an administrator records the real shares (area, population).
                share = (Decimal(1) / len(successors)).quantize(Decimal("0.000001"))
                pairs.append((pred, succ, share, "equal"))
            else:
                pairs.append((pred, succ, Decimal(1), "whole"))
        kind = EventKind.MERGE if len(ward_entry.old_wards) > 1 else EventKind.RENAME
        province = f"{ward_entry.new_ward.province_code:02d}"
        basis = WARD_MERGE_BASIS_BY_PROVINCE.get(province, WARD_MERGE_BASIS)
        add_event(kind, basis, f"Cấp xã: {names.get(succ, new_code)}", pairs)

    for batch in _chunks(links):
        UnitLink.objects.bulk_create(batch)
    return len(links), events


def load_units(provinces: set[str] | None = None) -> LoadReport:
    """Load (or refresh) both eras and the 2025 links. Runs inside the caller's transaction."""
    records = build_records(provinces)
    ids, created, updated = upsert_units(records)
    links, events = link_2025_reform(ids)
    return LoadReport(
        units_created=created, units_updated=updated, links_created=links, events_created=events
    )
