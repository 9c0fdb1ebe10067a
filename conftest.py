"""Test-session setup for every test in the repository (tests/ and each module's tests/).

- The real Hà Nội units (the whole country's, both eras) and Hà Nội's agencies of both eras are
  loaded once per session; each test runs in a transaction rolled back afterwards.
- Passwords hash fast in tests (MD5; production uses Argon2).
"""

from __future__ import annotations

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
