"""HTTP API for administrative units (open data) and agencies (the directory, and its management)."""

from __future__ import annotations

import datetime as dt

from django.db.models import F
from django.http import HttpRequest
from ninja import Router, Schema, Status

from congso.core.api.auth import AUTH
from congso.core.api.params import paginate, parse_date
from congso.core.org import selectors, services
from congso.core.org.models import AdministrativeUnit, Agency, UnitLink
from congso.core.policy import agency_scope

router = Router(tags=["org"])


class UnitOut(Schema):
    code: str
    name: str
    short_name: str
    kind: str
    level: int
    parent_code: str | None
    valid_from: dt.date | None
    valid_to: dt.date | None
    latitude: float | None
    longitude: float | None


UNIT_FIELDS = (
    "code",
    "name",
    "short_name",
    "kind",
    "level",
    "valid_from",
    "valid_to",
    "latitude",
    "longitude",
)


def unit_row(row: dict) -> dict:
    """A row from ``.values(*UNIT_FIELDS, "parent__code")``: the list endpoint skips model instances."""
    out = {k: row[k] for k in UNIT_FIELDS}
    out["parent_code"] = row["parent__code"]
    for k in ("latitude", "longitude"):
        out[k] = float(row[k]) if row[k] is not None else None
    return out


def unit_out(u: AdministrativeUnit) -> dict:
    return {
        "code": u.code,
        "name": u.name,
        "short_name": u.short_name,
        "kind": u.kind,
        "level": u.level,
        "parent_code": u.parent.code if u.parent_id and u.parent else None,
        "valid_from": u.valid_from,
        "valid_to": u.valid_to,
        "latitude": float(u.latitude) if u.latitude is not None else None,
        "longitude": float(u.longitude) if u.longitude is not None else None,
    }


class UnitPage(Schema):
    as_of: dt.date
    count: int
    page: int
    page_size: int
    items: list[UnitOut]


class LinkOut(Schema):
    code: str
    name: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    share: float
    share_basis: str
    event: str
    effective_date: dt.date
    legal_basis: str


class UnitDetail(UnitOut):
    predecessors: list[LinkOut]
    successors: list[LinkOut]


@router.get("/units", response=UnitPage, summary="Đơn vị hành chính tại một ngày")
def list_units(
    request: HttpRequest,
    as_of: str | None = None,
    parent: str | None = None,
    level: int | None = None,
    q: str | None = None,
    page: int = 1,
    page_size: int = 100,
):
    day = parse_date(as_of, default=selectors.today())
    qs = selectors.units_as_of(as_of=day, parent_code=parent, level=level, q=q).values(
        *UNIT_FIELDS, "parent__code"
    )
    items, meta = paginate(qs, page, page_size)
    if not items and parent:
        selectors.unit_get(code=parent, as_of=day)  # an unknown parent is a 404, not an empty list
    return {"as_of": day, **meta, "items": [unit_row(r) for r in items]}


@router.get(
    "/units/{code}", response=UnitDetail, summary="Một đơn vị hành chính, với đơn vị trước và sau sắp xếp"
)
def get_unit(request: HttpRequest, code: str, as_of: str | None = None):
    day = parse_date(as_of, default=None) if as_of else None
    unit = selectors.unit_get(code=code, as_of=day)

    def link(item: UnitLink, other: AdministrativeUnit) -> dict:
        share, basis, event = item.share, item.share_basis, item.event
        return {
            "code": other.code,
            "name": other.name,
            "valid_from": other.valid_from,
            "valid_to": other.valid_to,
            "share": float(share),
            "share_basis": basis,
            "event": event.kind,
            "effective_date": event.effective_date,
            "legal_basis": event.legal_basis,
        }

    return {
        **unit_out(unit),
        "predecessors": [link(item, item.predecessor) for item in selectors.unit_predecessors(unit)],
        "successors": [link(item, item.successor) for item in selectors.unit_successors(unit)],
    }


class AgencyOut(Schema):
    code: str
    name: str
    short_name: str
    kind: str
    level: int
    parent_code: str | None
    unit_code: str | None
    valid_from: dt.date | None
    valid_to: dt.date | None


AGENCY_FIELDS = ("code", "name", "short_name", "kind", "level", "valid_from", "valid_to")


def agency_out(a: Agency) -> dict:
    return {
        "code": a.code,
        "name": a.name,
        "short_name": a.short_name,
        "kind": a.kind,
        "level": a.level,
        "parent_code": a.parent.code if a.parent_id and a.parent else None,
        "unit_code": a.unit.code if a.unit_id and a.unit else None,
        "valid_from": a.valid_from,
        "valid_to": a.valid_to,
    }


class AgencyPage(Schema):
    as_of: dt.date
    count: int
    page: int
    page_size: int
    items: list[AgencyOut]


@router.get("/agencies", response=AgencyPage, auth=AUTH, summary="Danh bạ cơ quan tại một ngày")
def list_agencies(
    request: HttpRequest,
    as_of: str | None = None,
    parent: str | None = None,
    kind: str | None = None,
    q: str | None = None,
    manageable: bool = False,
    page: int = 1,
    page_size: int = 100,
):
    day = parse_date(as_of, default=selectors.today())
    scope_q = agency_scope(request.user, "org.agency.manage").q("") if manageable else None
    qs = selectors.agencies_as_of(as_of=day, parent_code=parent, kind=kind, q=q, scope_q=scope_q)
    rows = qs.values(*AGENCY_FIELDS, parent_code=F("parent__code"), unit_code=F("unit__code"))
    items, meta = paginate(rows, page, page_size)
    return {"as_of": day, **meta, "items": items}


@router.get("/agencies/{code}", response=AgencyOut, auth=AUTH, summary="Một cơ quan")
def get_agency(request: HttpRequest, code: str, as_of: str | None = None):
    day = parse_date(as_of, default=None) if as_of else None
    return agency_out(selectors.agency_get(code=code, as_of=day))


class AgencyIn(Schema):
    code: str
    name: str
    kind: str
    level: int
    parent_code: str | None = None
    unit_code: str | None = None
    valid_from: dt.date | None = None
    short_name: str = ""
    email: str = ""
    phone: str = ""


@router.post("/agencies", response={201: AgencyOut}, auth=AUTH, summary="Thêm cơ quan")
def create_agency(request: HttpRequest, payload: AgencyIn):
    agency = services.agency_create(actor=request.user, **payload.dict())
    return Status(201, agency_out(agency))


class AgencyPatch(Schema):
    name: str | None = None
    short_name: str | None = None
    email: str | None = None
    phone: str | None = None


@router.patch("/agencies/{code}", response=AgencyOut, auth=AUTH, summary="Sửa thông tin cơ quan")
def update_agency(request: HttpRequest, code: str, payload: AgencyPatch):
    agency = selectors.agency_get(code=code)
    changes = {k: v for k, v in payload.dict().items() if v is not None}
    return agency_out(services.agency_update(actor=request.user, agency=agency, **changes))
