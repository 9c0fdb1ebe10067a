"""Test-session setup for every test in the repository (tests/ and each module's tests/).

- The real Hà Nội units (the whole country's, both eras) and Hà Nội's agencies of both eras are
  loaded once per session; each test runs in a transaction rolled back afterwards.
- Passwords hash fast in tests (MD5; production uses Argon2).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


def pytest_configure(config: pytest.Config) -> None:
    # Tests create hundreds of accounts; Argon2 would spend most of the run hashing.
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
    from congso.modules.reporting import hierarchy

    seed_hanoi()
    # The units come back with new ids; a roll-up must not use a mapping cached before.
    hierarchy.reset_cache()


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


@pytest.fixture(autouse=True)
def _audit_guards_for_flush(request: pytest.FixtureRequest, django_db_blocker: Any) -> Any:
    """SQLite empties tables with DELETE, which the append-only trigger refuses: lift the guard
    for the flush that ends a transactional test, and put it back before the next test.
    (PostgreSQL flushes with TRUNCATE, which row triggers do not see.)"""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
        or (marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))
    )
    if not (marker or transactional or "db" in request.fixturenames):
        yield
        return
    request.getfixturevalue("django_db_setup")
    from django.db import connection

    from congso.core.audit import guards

    with django_db_blocker.unblock():
        if connection.vendor == "sqlite":
            guards.install(connection)
    yield
    if transactional:
        with django_db_blocker.unblock():
            if connection.vendor == "sqlite":
                guards.remove(connection)


@pytest.fixture
def eager_tasks() -> Any:
    """Run Celery tasks in-process even in the CI run that configures a Redis broker: module tests
    check what a task does, not how it travels (tests/test_tasks.py covers a real worker)."""
    from congso.config.celery import app

    before = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = before


@pytest.fixture(autouse=True)
def _vietnamese_by_default() -> Any:
    """Every test starts in Vietnamese. A request with an English language cookie activates English
    in the thread that served it (the test's own thread under the test client), and Django leaves
    it active after the response; without this, later tests on the same worker read English."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_local_caches() -> Any:
    """Every test reads reference data from its own database: the per-process caches
    (core/localcache.py) would otherwise hand it agencies and procedures of an earlier test."""
    from congso.core.localcache import clear_all

    clear_all()
    yield
    clear_all()
