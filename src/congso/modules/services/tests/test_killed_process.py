"""A process killed in the middle of a filing loses nothing and leaves nothing half-made (PostgreSQL).

The filing runs in one transaction in the web process. Here a forked process files a dossier and is
killed with SIGKILL while the transaction is open (after the dossier row, the counter and the key
are written, before the commit): PostgreSQL rolls back what the dead connection had done. The
applicant's retry with the same Idempotency-Key then files exactly one dossier, with the first
sequence number. A killed task worker cannot lose a dossier at all: dossiers are never written by
tasks, only notices are sent by them, after the commit.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from typing import Any

import pytest
from django.db import connection, connections
from tests.conftest import BA_DINH_CENTRE

from congso.core.audit.models import AuditEvent
from congso.modules.services import services
from congso.modules.services.demo import seed_procedures
from congso.modules.services.models import Dossier, DossierCounter, DossierFile, IdempotencyKey
from congso.modules.services.tests.test_dossiers import household

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs a server database"),
]


def _file_and_hang(desk_pk: int, inside: Any) -> None:
    """In the child: file a dossier, and hang inside the transaction once it is written."""
    from congso.core.accounts.models import User

    connections.close_all()  # the parent's connections are not ours to use
    real_audit = services.audit_record

    def audit_then_hang(**kwargs: Any) -> Any:
        event = real_audit(**kwargs)
        inside.set()
        time.sleep(120)  # killed here, the transaction still open
        return event

    services.audit_record = audit_then_hang  # type: ignore[assignment]
    services.dossier_submit(
        actor=User.objects.get(pk=desk_pk), spec=household(), idempotency_key="phone-lost-signal"
    )
    os._exit(0)  # never reached


def _counts() -> tuple[int, int, int, int, list[int]]:
    return (
        Dossier.objects.count(),
        DossierFile.objects.count(),
        IdempotencyKey.objects.count(),
        AuditEvent.objects.filter(action="services.dossier.submit").count(),
        list(DossierCounter.objects.values_list("last", flat=True)),
    )


def test_a_filing_killed_mid_transaction_leaves_nothing_and_the_retry_files_once(
    hanoi: None, make_official: Any
) -> None:
    seed_procedures()
    desk = make_official("mc.badinh", BA_DINH_CENTRE, ("desk_officer", "agency"))
    before = _counts()
    connections.close_all()
    context = multiprocessing.get_context("fork")
    inside = context.Event()
    child = context.Process(target=_file_and_hang, args=(desk.pk, inside))
    child.start()
    try:
        assert inside.wait(60), "the child never reached the middle of the filing"
    finally:
        os.kill(child.pid or 0, signal.SIGKILL)
        child.join(30)
    assert child.exitcode == -signal.SIGKILL
    # The server notices the dead connection and rolls its transaction back; wait until it has.
    for _ in range(100):
        if _counts() == before:
            break
        time.sleep(0.1)
    assert _counts() == before
    retried = services.dossier_submit(actor=desk, spec=household(), idempotency_key="phone-lost-signal")
    assert retried.replayed is False
    assert retried.dossier.code.endswith("-0001")
    assert _counts()[:4] == (before[0] + 1, before[1] + 1, before[2] + 1, before[3] + 1)
