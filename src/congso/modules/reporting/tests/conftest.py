from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _tasks_in_process(eager_tasks: Any) -> None:
    """Reporting's tasks run in-process in its tests (see the root conftest's ``eager_tasks``)."""
