"""A process killed in the middle of a filing loses nothing and leaves nothing half-made (PostgreSQL).

The filing runs in one transaction in the web process. Here another process files a dossier and is
killed with SIGKILL while the transaction is open (after the dossier row, the counter and the key
are written, before the commit): PostgreSQL rolls back what the dead connection had done. The
applicant's retry with the same Idempotency-Key then files exactly one dossier, with the first
sequence number. A killed task worker cannot lose a dossier at all: dossiers are never written by
tasks, only notices are sent by them, after the commit.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from typing import Any

import pytest
from django.db import connection
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


# The child: a fresh interpreter (not a fork of this multi-threaded test process) that files a
# dossier and hangs inside the transaction once everything is written, saying so on stdout.
CHILD = """
import os, sys, time
os.environ["CONGSO_DATABASE_URL"] = sys.argv[1]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congso.config.settings")
import django
django.setup()
from congso.core.accounts.models import User
from congso.modules.services import services
from congso.modules.services.tests.test_dossiers import household

real_audit = services.audit_record

def audit_then_hang(**kwargs):
    event = real_audit(**kwargs)
    print("inside", flush=True)
    time.sleep(120)  # killed here, the transaction still open
    return event

services.audit_record = audit_then_hang
services.dossier_submit(
    actor=User.objects.get(pk=int(sys.argv[2])), spec=household(), idempotency_key="phone-lost-signal"
)
"""


def _database_url() -> str:
    db = connection.settings_dict  # the test database pytest-django made
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


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
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, _database_url(), str(desk.pk)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()  # blocks until the child is inside the transaction
        assert line.strip() == "inside", child.stderr.read() if child.stderr else ""
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(30)
    assert child.returncode == -signal.SIGKILL
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
