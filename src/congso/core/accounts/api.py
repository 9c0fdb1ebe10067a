"""HTTP API for accounts: who am I, and the officials of the agencies in one's scope."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema, Status

from congso.core.accounts import selectors, services
from congso.core.accounts.models import User
from congso.core.api.auth import AUTH
from congso.core.api.params import paginate
from congso.core.org.selectors import agency_get

router = Router(tags=["accounts"], auth=AUTH)


class RoleOut(Schema):
    role: str
    agency_code: str
    scope: str


class AccountOut(Schema):
    username: str
    kind: str
    full_name: str
    agency_code: str | None
    position: str
    email: str
    is_active: bool
    roles: list[RoleOut]


def account_out(u: User) -> dict:
    return {
        "username": u.username,
        "kind": u.kind,
        "full_name": u.full_name,
        "agency_code": u.agency.code if u.agency_id and u.agency else None,
        "position": u.position,
        "email": u.email,
        "is_active": u.is_active,
        "roles": [
            {"role": ra.role, "agency_code": ra.agency.code, "scope": ra.scope}
            for ra in u.role_assignments.all()
        ],
    }


class AccountPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[AccountOut]


@router.get("/me", response=AccountOut, summary="Tài khoản đang đăng nhập")
def me(request: HttpRequest):
    return account_out(request.user)  # type: ignore[arg-type]


@router.get("/officials", response=AccountPage, summary="Cán bộ trong phạm vi được xem")
def list_officials(
    request: HttpRequest, agency: str | None = None, q: str | None = None, page: int = 1, page_size: int = 100
):
    agency_id = agency_get(code=agency).pk if agency else None
    qs = selectors.officials_visible(actor=request.user, agency_id=agency_id, q=q)
    items, meta = paginate(qs, page, page_size)
    return {**meta, "items": [account_out(u) for u in items]}


@router.get("/officials/{username}", response=AccountOut, summary="Một cán bộ")
def get_official(request: HttpRequest, username: str):
    return account_out(selectors.official_get(actor=request.user, username=username))


class RoleIn(Schema):
    role: str
    scope: str = "agency"


class OfficialIn(Schema):
    username: str
    full_name: str
    agency_code: str
    position: str = ""
    email: str = ""
    password: str | None = None
    roles: list[RoleIn] = []


@router.post("/officials", response={201: AccountOut}, summary="Tạo tài khoản cán bộ")
def create_official(request: HttpRequest, payload: OfficialIn):
    agency = agency_get(code=payload.agency_code)
    user = services.official_create(
        actor=request.user,
        agency=agency,
        username=payload.username,
        full_name=payload.full_name,
        password=payload.password,
        position=payload.position,
        email=payload.email,
        roles=[(r.role, r.scope) for r in payload.roles],
    )
    return Status(201, account_out(user))


class OfficialPatch(Schema):
    full_name: str | None = None
    position: str | None = None
    email: str | None = None
    phone: str | None = None


@router.patch("/officials/{username}", response=AccountOut, summary="Sửa tài khoản cán bộ")
def update_official(request: HttpRequest, username: str, payload: OfficialPatch):
    user = selectors.official_get(actor=request.user, username=username)
    changes = {k: v for k, v in payload.dict().items() if v is not None}
    return account_out(services.official_update(actor=request.user, user=user, **changes))
