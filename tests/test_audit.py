"""The audit log: written in the same transaction, hash-chained, append-only, verifiable."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from congso.config.cli import main as cli
from congso.core.audit.models import AuditEvent
from congso.core.audit.selectors import audit_verify_chain
from congso.core.audit.services import audit_record
from congso.core.org.services import agency_update
from tests.conftest import BA_DINH, CITY

pytestmark = pytest.mark.django_db


def _drop_guards() -> None:
    """What an attacker with DDL rights would do before editing history."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # A superuser can switch triggers off for the session (until the test's rollback).
            cur.execute("SET LOCAL session_replication_role = replica")
        else:
            cur.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
            cur.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")


def _some_changes(make_official, agency) -> None:
    admin = make_official("qt.audit", CITY, ("admin", "subtree"))
    for phone in ("024 1111", "024 2222", "024 3333"):
        agency_update(actor=admin, agency=agency(BA_DINH), phone=phone)


def test_a_change_writes_one_event_with_before_and_after(make_official, agency) -> None:
    admin = make_official("qt.one", CITY, ("admin", "subtree"))
    start = AuditEvent.objects.count()
    agency_update(actor=admin, agency=agency(BA_DINH), phone="024 3825 0000")
    events = list(AuditEvent.objects.order_by("seq")[start:])
    assert len(events) == 1
    event = events[0]
    assert (event.action, event.actor_label, event.agency_code) == ("org.agency.update", "qt.one", CITY)
    assert (event.before["phone"], event.after["phone"]) == ("", "024 3825 0000")
    assert event.target_id == str(agency(BA_DINH).pk)


@pytest.mark.django_db(transaction=True)
def test_audit_outside_a_transaction_is_refused() -> None:
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit_record(actor=None, action="x", target=("t", "1"))


def test_a_failed_change_leaves_no_event(make_official, agency) -> None:
    admin = make_official("qt.fail", CITY, ("admin", "subtree"))
    start = AuditEvent.objects.count()
    with pytest.raises(Exception, match="Tên cơ quan không được để trống"):
        agency_update(actor=admin, agency=agency(BA_DINH), name="   ")
    assert AuditEvent.objects.count() == start
    assert agency(BA_DINH).name == "Ủy ban nhân dân Phường Ba Đình"


def test_chain_verifies(make_official, agency, capsys) -> None:
    _some_changes(make_official, agency)
    report = audit_verify_chain()
    assert report.ok and report.checked == AuditEvent.objects.count()
    assert cli(["audit", "verify"]) == 0
    assert f"đã kiểm tra {report.checked} sự kiện" in capsys.readouterr().out


def test_update_and_delete_are_refused_by_the_database(make_official, agency) -> None:
    _some_changes(make_official, agency)
    event = AuditEvent.objects.order_by("-seq").first()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="tampered")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "org.agency.update"


def test_a_tampered_row_is_caught_and_named(make_official, agency, capsys) -> None:
    _some_changes(make_official, agency)
    victim = AuditEvent.objects.filter(action="org.agency.update").order_by("seq")[1]
    _drop_guards()
    AuditEvent.objects.filter(pk=victim.pk).update(after={"phone": "0000"})
    report = audit_verify_chain()
    assert (report.ok, report.first_bad_seq) == (False, victim.seq)
    assert "đã bị sửa" in report.reason
    assert cli(["audit", "verify"]) == 1
    assert f"Hàng hỏng đầu tiên: #{victim.seq}" in capsys.readouterr().err


def test_a_removed_row_is_caught_and_named(make_official, agency) -> None:
    _some_changes(make_official, agency)
    victim = AuditEvent.objects.order_by("seq")[2]
    _drop_guards()
    AuditEvent.objects.filter(pk=victim.pk).delete()
    report = audit_verify_chain()
    assert (report.ok, report.first_bad_seq) == (False, victim.seq)
    assert "đã bị xoá" in report.reason


def test_a_removed_tail_is_caught(make_official, agency) -> None:
    _some_changes(make_official, agency)
    last = AuditEvent.objects.order_by("-seq").first()
    _drop_guards()
    AuditEvent.objects.filter(pk=last.pk).delete()
    report = audit_verify_chain()
    assert (report.ok, report.first_bad_seq) == (False, last.seq)


def test_a_rehashed_forgery_is_caught_by_the_next_link(make_official, agency) -> None:
    """Recomputing the altered row's own hash is not enough: the next row still points at the old one."""
    from congso.core.audit.chain import event_hash

    _some_changes(make_official, agency)
    victim = AuditEvent.objects.filter(action="org.agency.update").order_by("seq")[0]
    _drop_guards()
    forged_after = {**victim.after, "phone": "forged"}
    new_hash = event_hash(
        seq=victim.seq,
        occurred_at=victim.occurred_at,
        actor_id=victim.actor_id,
        actor_label=victim.actor_label,
        agency_code=victim.agency_code,
        action=victim.action,
        target_type=victim.target_type,
        target_id=victim.target_id,
        before=victim.before,
        after=forged_after,
        prev_hash=victim.prev_hash,
    )
    AuditEvent.objects.filter(pk=victim.pk).update(after=forged_after, hash=new_hash)
    report = audit_verify_chain()
    assert (report.ok, report.first_bad_seq) == (False, victim.seq + 1)
