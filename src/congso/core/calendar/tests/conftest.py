from __future__ import annotations

from collections.abc import Iterator

import pytest

from congso.core.calendar import workdays


@pytest.fixture(autouse=True)
def _fresh_calendar_cache() -> Iterator[None]:
    # Each test runs in a rolled-back transaction: never reuse a year cached by another test.
    workdays.clear_cache()
    yield
    workdays.clear_cache()
