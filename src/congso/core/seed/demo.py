"""Seeding the Hà Nội demo city: units of both eras, agencies of both eras, demo accounts, and at
``--scale hanoi`` the seed's 31,345 official accounts. Every step is idempotent."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction

from congso.core.accounts.models import AccountKind, Role, RoleAssignment, RoleScope, User
from congso.core.audit.services import audit_record
from congso.core.org import loaders
from congso.core.org.models import AdministrativeUnit, Agency, EventKind, UnitLink, valid_on
from congso.core.org.services import agencies_bulk_upsert, agency_links_bulk_create, units_load
from congso.core.search.text import fold
from congso.core.seed import hanoi_agencies as hn

HANOI_OFFICIAL_ACCOUNTS = 31_345  # seed 002
SCALE_PASSWORD = "CongSo@2025-demo"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    full_name: str
    agency_code: str
    position: str
    roles: tuple[tuple[str, str], ...]


DEMO_ACCOUNTS = [
    DemoAccount(
        "quantri",
        "QuanTri@2025!",
        "Nguyễn Văn Quản",
        "000.00.00.H26",
        "Quản trị hệ thống thành phố",
        ((Role.ADMIN, RoleScope.SUBTREE),),
    ),
    DemoAccount(
        "lanhdao.sokhcn",
        "LanhDao@2025!",
        "Trần Thị Lan",
        hn.city_code(15),
        "Phó Giám đốc Sở",
        ((Role.LEADER, RoleScope.SUBTREE),),
    ),
    DemoAccount(
        "vanthu.sokhcn",
        "VanThu@2025!",
        "Lê Văn Thư",
        hn.city_code(15),
        "Văn thư",
        ((Role.CLERK, RoleScope.AGENCY),),
    ),
    DemoAccount(
        "chuyenvien.sokhcn",
        "ChuyenVien@2025!",
        "Phạm Minh Chuyên",
        hn.city_code(15),
        "Chuyên viên",
        ((Role.SPECIALIST, RoleScope.AGENCY),),
    ),
    DemoAccount(
        "quantri.badinh",
        "QuanTriBD@2025!",
        "Hoàng Thị Ba",
        "001.00.90.H26",
        "Công chức Văn phòng",
        ((Role.ADMIN, RoleScope.SUBTREE),),
    ),
    DemoAccount(
        "vanthu.badinh",
        "VanThuBD@2025!",
        "Vũ Thị Thu",
        "001.00.90.H26",
        "Văn thư",
        ((Role.CLERK, RoleScope.AGENCY),),
    ),
    DemoAccount(
        "lanhdao.badinh",
        "LanhDaoBD@2025!",
        "Ngô Quang Đạo",
        "001.00.90.H26",
        "Phó Chủ tịch UBND phường",
        ((Role.LEADER, RoleScope.SUBTREE),),
    ),
    DemoAccount(
        "chuyenvien.badinh",
        "ChuyenVienBD@2025!",
        "Bùi Minh Viên",
        "001.00.90.H26",
        "Công chức Văn hóa - Xã hội",
        ((Role.SPECIALIST, RoleScope.AGENCY),),
    ),
    DemoAccount(
        "motcua.badinh",
        "MotCua@2025!",
        "Đỗ Văn Cửa",
        "001.01.90.H26",
        "Cán bộ một cửa",
        ((Role.DESK_OFFICER, RoleScope.AGENCY),),
    ),
]


def _hanoi_units() -> tuple[list[tuple[str, str, str, str, str]], list[tuple[str, str]]]:
    legacy = [
        (district_code, district_name, district_kind, code, name)
        for district_code, district_name, district_kind, code, name in AdministrativeUnit.objects.filter(
            level=3, valid_from__isnull=True, parent__parent__code="01"
        ).values_list("parent__code", "parent__name", "parent__kind", "code", "name")
    ]
    new = list(
        AdministrativeUnit.objects.filter(
            level=3, valid_from=loaders.REFORM_2025, parent__code="01"
        ).values_list("code", "name")
    )
    return legacy, new


def seed_agencies() -> int:
    """Both eras' Hà Nội agencies and the links between them. Returns how many agencies exist."""
    legacy, new = _hanoi_units()
    specs = hn.build_specs(legacy, new)
    with transaction.atomic():
        agencies_bulk_upsert(actor=None, specs=specs, reason="Dữ liệu mẫu Hà Nội")
        for bb, _name, preds in hn.NEW_2025_BODIES:
            agency_links_bulk_create(
                links=[(hn.city_code(p), None, hn.city_code(bb), hn.DEPT_MERGE_2025) for p in preds],
                kind=EventKind.MERGE,
                effective_date=hn.DEPT_MERGE_2025,
                legal_basis="Sắp xếp tổ chức các sở theo Nghị định 45/2025/NĐ-CP",
            )
        for old, into in hn.ABSORBED:
            agency_links_bulk_create(
                links=[(hn.city_code(old), None, hn.city_code(into), None)],
                kind=EventKind.MERGE,
                effective_date=hn.DEPT_MERGE_2025,
                legal_basis="Sắp xếp tổ chức các sở theo Nghị định 45/2025/NĐ-CP",
            )
        # Commune People's Committees follow their wards across the 2025 reform.
        by_unit = {a.unit_id: (a.code, a.valid_from) for a in Agency.objects.filter(kind="ubnd", level=3)}
        links = [
            (*by_unit[p], *by_unit[s])
            for p, s in UnitLink.objects.filter(successor__parent__code="01", successor__level=3).values_list(
                "predecessor_id", "successor_id"
            )
            if p in by_unit and s in by_unit
        ]
        agency_links_bulk_create(
            links=links,
            kind=EventKind.MERGE,
            effective_date=loaders.REFORM_2025,
            legal_basis=loaders.WARD_MERGE_BASIS_BY_PROVINCE["01"],
        )
    return Agency.objects.count()


def seed_demo_accounts() -> list[DemoAccount]:
    """The handful of accounts a newcomer logs in with; their passwords are reset on each run."""
    with transaction.atomic():
        for acc in DEMO_ACCOUNTS:
            agency = Agency.objects.filter(code=acc.agency_code).filter(valid_on(dt.date.today())).first()
            if agency is None:
                continue
            user, created = User.objects.get_or_create(
                username=acc.username,
                defaults={
                    "kind": AccountKind.OFFICIAL,
                    "full_name": acc.full_name,
                    "agency": agency,
                    "position": acc.position,
                    "search_name": fold(acc.full_name),
                },
            )
            user.set_password(acc.password)
            if {r for r, _ in acc.roles} & set(settings.TOTP_REQUIRED_ROLES) and not user.totp_secret:
                import pyotp

                user.totp_secret = pyotp.random_base32()
            user.failed_logins, user.locked_until = 0, None
            user.save()
            for role, scope in acc.roles:
                RoleAssignment.objects.get_or_create(
                    user=user, role=role, agency=agency, defaults={"scope": scope}
                )
            if created:
                audit_record(
                    actor=None,
                    action="accounts.official.create",
                    target=user,
                    after={"username": user.username, "seed": "demo"},
                    agency_code=agency.code,
                )
    return DEMO_ACCOUNTS


def _scale_plan(total: int) -> Iterator[tuple[int, str, int]]:
    """Spread ``total`` accounts over the 633 agencies of 2024 by weight: a department employs more
    people on the system than a commune. Yields (agency id, code, count)."""
    agencies = list(
        Agency.objects.filter(valid_on(dt.date(2024, 12, 31)))
        .order_by("path")
        .values_list("pk", "code", "level")
    )
    weights = {1: 120, 2: 60, 3: 30}
    raw = [(pk, code, weights[level]) for pk, code, level in agencies]
    scale = total / sum(w for *_, w in raw)
    counts = [int(w * scale) for *_, w in raw]
    for i in range(total - sum(counts)):  # hand out the remainder one by one
        counts[i % len(counts)] += 1
    for (pk, code, _), n in zip(raw, counts, strict=True):
        yield pk, code, n


def seed_scale_accounts(
    total: int = HANOI_OFFICIAL_ACCOUNTS, progress: Callable[[int], None] | None = None
) -> int:
    """Officials up to the seed's scale, keyed by username so a re-run creates none twice."""
    password = make_password(SCALE_PASSWORD)  # one hash for all: hashing 31k passwords would take minutes
    existing = set(User.objects.filter(username__startswith="cb.").values_list("username", flat=True))
    created = 0
    roles_cycle = [Role.SPECIALIST] * 6 + [Role.CLERK, Role.LEADER, Role.DESK_OFFICER]
    for agency_id, code, n in _scale_plan(total):
        compact = code.replace(".", "").lower()
        batch = []
        for i in range(1, n + 1):
            username = f"cb.{compact}.{i:04d}"
            if username in existing:
                continue
            batch.append(
                User(
                    username=username,
                    kind=AccountKind.OFFICIAL,
                    agency_id=agency_id,
                    password=password,
                    full_name=f"Cán bộ {i:04d}",
                    search_name=f"can bo {i:04d}",
                    position="Công chức",
                )
            )
        if batch:
            with transaction.atomic():
                User.objects.bulk_create(batch, batch_size=1000)
                ids = User.objects.filter(username__in=[u.username for u in batch]).values_list(
                    "pk", "username"
                )
                RoleAssignment.objects.bulk_create(
                    [
                        RoleAssignment(
                            user_id=pk,
                            agency_id=agency_id,
                            scope=RoleScope.AGENCY,
                            role=roles_cycle[int(name.rsplit(".", 1)[1]) % len(roles_cycle)],
                        )
                        for pk, name in ids
                    ],
                    batch_size=1000,
                )
                audit_record(
                    actor=None,
                    action="accounts.official.bulk_create",
                    target=("org.agency", str(agency_id)),
                    after={"created": len(batch), "seed": "hanoi"},
                    agency_code=code,
                )
            created += len(batch)
        if progress:
            progress(n)
    return created


def seed_units() -> loaders.LoadReport:
    setting = settings.ORG_LOAD_PROVINCES
    provinces = None if setting == "all" else {p.strip() for p in setting.split(",")}
    if provinces is not None:
        provinces.add(settings.CITY_PROVINCE_CODE)
    return units_load(actor=None, provinces=provinces)


def official_accounts_count() -> int:
    return User.objects.filter(kind=AccountKind.OFFICIAL).count()
