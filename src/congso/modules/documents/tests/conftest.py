from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _tasks_in_process(eager_tasks: Any) -> None:
    """Text extraction and reminders run in-process in these tests (root conftest ``eager_tasks``)."""
