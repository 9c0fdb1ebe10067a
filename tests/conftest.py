"""Fixtures for the cross-module tests: agencies by code and a factory for officials with roles.
The Hà Nội data itself is loaded once per session by the root conftest.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture
def hanoi(transactional_db: Any) -> None:
    """For live-server tests: transactional tests empty the tables afterwards, so reload."""
    from conftest import seed_hanoi

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

    def make(
        username: str,
        agency_code: str,
        *roles: tuple[str, str],
        password: str = "MatKhau@123456",
        as_of: str | None = None,
    ) -> User:
        home = agency(agency_code, as_of)
        user = User(
            username=username,
            kind=AccountKind.OFFICIAL,
            agency=home,
            full_name=username.title(),
            search_name=username.lower(),
        )
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
