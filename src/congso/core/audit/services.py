"""Writing audit events. Call ``audit_record`` inside the transaction of the change it records."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.utils import timezone

from congso.core.audit.chain import event_hash, normalise
from congso.core.audit.models import AuditEvent, AuditHead
from congso.core.inserts import insert


def _actor_fields(actor: Any) -> tuple[int | None, str, str]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None, "system", ""
    agency_code = getattr(actor, "agency_code", "") or ""
    return actor.pk, actor.get_username(), agency_code


def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model | tuple[str, str],
    before: Any = None,
    after: Any = None,
    agency_code: str | None = None,
) -> AuditEvent:
    """Append one event to the chain. Must run inside the caller's transaction."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must be called inside the transaction of the change it records")
    if isinstance(target, models.Model):
        target_type, target_id = target._meta.label_lower, str(target.pk)
    else:
        target_type, target_id = target
    actor_id, actor_label, actor_agency = _actor_fields(actor)
    last_seq, last_hash = _lock_head(connection)
    seq = last_seq + 1
    occurred_at = timezone.now()
    before_n, after_n = normalise(before), normalise(after)
    agency = agency_code if agency_code is not None else actor_agency
    digest = event_hash(
        seq=seq,
        occurred_at=occurred_at,
        actor_id=actor_id,
        actor_label=actor_label,
        agency_code=agency,
        action=action,
        target_type=target_type,
        target_id=target_id,
        before=before_n,
        after=after_n,
        prev_hash=last_hash,
    )
    event = AuditEvent(
        seq=seq,
        occurred_at=occurred_at,
        actor_id=actor_id,
        actor_label=actor_label,
        agency_code=agency,
        action=action,
        target_type=target_type,
        target_id=target_id,
        before=before_n,
        after=after_n,
        prev_hash=last_hash,
        hash=digest,
    )
    insert(event)  # every audited change runs this: without the ORM's compiler (core/inserts.py)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_head SET last_seq = %s, last_hash = %s WHERE id = 1", [seq, digest])
    return event


def _lock_head(connection: Any) -> tuple[int, str]:
    """The chain's last sequence number and hash, its row locked until the transaction ends (on
    SQLite the write transaction itself serialises). Plain SQL: every audited change runs this and
    the update above, and the ORM's cost of building each statement (≈ 0.4 ms) is most of theirs."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT last_seq, last_hash FROM audit_head WHERE id = 1{lock}")  # noqa: S608
        row = cursor.fetchone()
    if row is None:  # the very first event of the installation
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        return head.last_seq, head.last_hash
    return int(row[0]), str(row[1])
