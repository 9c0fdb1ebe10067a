from __future__ import annotations

from typing import Any

import pytest
from tests.conftest import BA_DINH_CENTRE


@pytest.fixture(autouse=True)
def _tasks_in_process(eager_tasks: Any) -> None:
    """Tasks run in-process in these tests (root conftest ``eager_tasks``)."""


@pytest.fixture
def catalogue(db: Any) -> None:
    from congso.modules.services.demo import seed_procedures

    seed_procedures()


@pytest.fixture
def citizen(db: Any) -> Any:
    return make_citizen("001090012345", "Nguyễn Văn An")


def make_citizen(national_id: str, full_name: str) -> Any:
    from congso.core.accounts.models import AccountKind, User

    return User.objects.create(
        username=f"cd{national_id}",
        kind=AccountKind.CITIZEN,
        national_id=national_id,
        full_name=full_name,
        email=f"{national_id}@example.vn",
        phone="0912345678",
    )


@pytest.fixture
def desk(make_official: Any) -> Any:
    """A one-stop clerk of Ba Đình ward's public-administration service centre."""
    return make_official("mc.badinh", BA_DINH_CENTRE, ("desk_officer", "agency"))
