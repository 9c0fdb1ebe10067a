from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _tasks_in_process() -> Iterator[None]:
    """The reporting tests check what a task does, not how it travels: run tasks in-process even in
    the CI run that configures a Redis broker (tests/test_tasks.py covers a real worker on Redis)."""
    from congso.config.celery import app

    before = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = before
