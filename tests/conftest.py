"""Shared fixtures: the real Hà Nội units and agencies of both eras, loaded once per test session,
and a factory for officials with roles."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest

os.environ.setdefault("CONGSO_FAST_PASSWORD_HASHER", "1")


def seed_hanoi() -> None:
    from congso.core.org.models import Agency
    from congso.core.seed import demo

    if not Agency.objects.exists():
        demo.seed_units()
        demo.seed_agencies()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    with django_db_blocker.unblock():
        seed_hanoi()


@pytest.fixture
def hanoi(transactional_db: Any) -> None:
    """For live-server tests: transactional tests empty the tables afterwards, so reload."""
    seed_hanoi()


@pytest.fixture
def agency() -> Callable[[str], Any]:
    """Today's version of the agency with this code (or a dated one: agency(code, '2024-06-30'))."""
    import datetime as dt

    from congso.core.org.selectors import agency_get

    def get(code: str, as_of: str | None = None) -> Any:
        return agency_get(code=code, as_of=dt.date.fromisoformat(as_of) if as_of else None)

    return get


@pytest.fixture
def make_official(agency: Callable[..., Any]) -> Callable[..., Any]:
    """Create an official directly (test setup, not the code under test)."""
    import pyotp

    from congso.core.accounts.models import AccountKind, RoleAssignment, User

    def make(username: str, agency_code: str, *roles: tuple[str, str], password: str = "MatKhau@123456",
             as_of: str | None = None) -> User:
        home = agency(agency_code, as_of)
        user = User(username=username, kind=AccountKind.OFFICIAL, agency=home, full_name=username.title())
        user.set_password(password)
        if any(r in ("admin", "leader") for r, _ in roles):
            user.totp_secret = pyotp.random_base32()
        user.save()
        for role, scope in roles:
            RoleAssignment.objects.create(user=user, role=role, agency=home, scope=scope)
        return user

    return make


# Agencies used across tests (see congso/core/seed/hanoi_agencies.py for the code scheme).
CITY = "000.00.00.H26"
SO_KHCN = "000.00.15.H26"  # Sở Khoa học và Công nghệ (absorbed Sở TT&TT on 1 March 2025)
SO_TU_PHAP = "000.00.03.H26"
BA_DINH = "001.00.90.H26"  # UBND phường Ba Đình since 1 July 2025
BA_DINH_CENTRE = "001.01.90.H26"


@pytest.fixture(autouse=True)
def _audit_guards_for_flush(request: pytest.FixtureRequest, django_db_blocker: Any) -> Any:
    """SQLite empties tables with DELETE, which the append-only trigger refuses: lift the guard
    for the flush that ends a transactional test, and put it back before the next test."""
    from django.db import connection

    from congso.core.audit import guards

    with django_db_blocker.unblock():
        if connection.vendor == "sqlite":
            guards.install(connection)
    yield
    transactional = "transactional_db" in request.fixturenames or "live_server" in request.fixturenames
    marker = request.node.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or (len(marker.args) > 0 and marker.args[0])):
        transactional = True
    if transactional:
        with django_db_blocker.unblock():
            if connection.vendor == "sqlite":
                guards.remove(connection)
