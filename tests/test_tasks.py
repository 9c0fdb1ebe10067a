"""Side effects leave through the task queue after commit: in-process by default, a real Celery
worker on Redis when CONGSO_BROKER_URL is set (the CI's second run)."""

from __future__ import annotations

import contextlib
import time

import pytest
from django.conf import settings
from django.core import mail

from congso.core.accounts.services import official_login
from congso.core.errors import Unauthenticated
from tests.conftest import SO_KHCN, clear_cache


@pytest.mark.django_db(transaction=True)
def test_lockout_notice_goes_through_the_task_queue(hanoi, make_official) -> None:
    clear_cache()
    user = make_official("cv.queue", SO_KHCN, ("specialist", "agency"))
    user.email = "cv.queue@hanoi.gov.vn"
    user.save()
    if settings.CELERY_BROKER_URL:
        from celery.contrib.testing.worker import start_worker

        from congso.config.celery import app

        # Earlier live-server tests on this worker committed filings whose notices were queued on
        # the broker with no worker to take them; this test's worker must see only its own.
        app.control.purge()
        worker = start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30)
    else:
        worker = contextlib.nullcontext()
    mail.outbox = []
    with worker:
        for _ in range(settings.LOGIN_MAX_FAILURES):
            with pytest.raises(Unauthenticated):
                official_login(username="cv.queue", password="sai-mat-khau", client_ip="10.1.1.1")
        deadline = time.monotonic() + 30
        while not mail.outbox and time.monotonic() < deadline:
            time.sleep(0.1)
    assert [m.to for m in mail.outbox] == [["cv.queue@hanoi.gov.vn"]]
