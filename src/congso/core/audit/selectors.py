"""Reading and verifying the audit log."""

from __future__ import annotations

from dataclasses import dataclass

from congso.core.audit.chain import GENESIS_HASH, HASHED_FIELDS, event_hash
from congso.core.audit.models import AuditEvent, AuditHead


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    reason: str = ""


def audit_verify_chain(*, batch_size: int = 5000) -> ChainReport:
    """Walk the chain in order; report the first row that was altered, removed or inserted."""
    expected_seq, prev_hash, checked = 1, GENESIS_HASH, 0
    rows = AuditEvent.objects.order_by("seq").values(*HASHED_FIELDS, "hash")
    for row in rows.iterator(chunk_size=batch_size):
        seq, stored_prev, stored_hash = row["seq"], row["prev_hash"], row.pop("hash")
        if seq != expected_seq:
            return ChainReport(False, checked, expected_seq, f"hàng #{expected_seq} đã bị xoá (thấy #{seq})")
        if stored_prev != prev_hash:
            return ChainReport(False, checked, seq, f"hàng #{seq} không nối với hàng trước (prev_hash sai)")
        recomputed = event_hash(**row)
        if recomputed != stored_hash:
            return ChainReport(False, checked, seq, f"hàng #{seq} đã bị sửa (hash không khớp)")
        prev_hash, expected_seq, checked = stored_hash, seq + 1, checked + 1
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and head.last_seq >= expected_seq:
        return ChainReport(
            False, checked, expected_seq, f"hàng #{expected_seq} đến #{head.last_seq} đã bị xoá"
        )
    if head is not None and head.last_seq and head.last_hash != prev_hash:
        return ChainReport(False, checked, head.last_seq, f"hàng #{head.last_seq} không khớp với đầu chuỗi")
    return ChainReport(True, checked)


def audit_events_for_target(*, target_type: str, target_id: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(target_type=target_type, target_id=target_id).order_by("seq"))


def audit_events_visible(
    *, actor: object, target_type: str | None = None, target_id: str | None = None, action: str | None = None
):
    """Events of the agencies whose audit the actor may read (``audit.view``)."""
    from congso.core.org.models import Agency
    from congso.core.policy import agency_scope

    scope = agency_scope(actor, "audit.view")
    qs = AuditEvent.objects.all()
    if not scope.everything:
        codes = Agency.objects.filter(scope.q("")).values("code")
        qs = qs.filter(agency_code__in=codes)
    if target_type:
        qs = qs.filter(target_type=target_type)
    if target_id:
        qs = qs.filter(target_id=target_id)
    if action:
        qs = qs.filter(action=action)
    return qs.order_by("-seq")
