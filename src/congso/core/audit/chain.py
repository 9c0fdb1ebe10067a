"""The canonical form of an audit event and its hash: one definition for writing and verifying."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

GENESIS_HASH = "0" * 64
# The columns of an audit event that its hash covers, in order (prev_hash last).
HASHED_FIELDS = (
    "seq",
    "occurred_at",
    "actor_id",
    "actor_label",
    "agency_code",
    "action",
    "target_type",
    "target_id",
    "before",
    "after",
    "prev_hash",
)


def normalise(value: Any) -> Any:
    """Turn a before/after payload into plain JSON values (what the database gives back)."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def event_hash(
    *,
    seq: int,
    occurred_at: datetime,
    actor_id: int | None,
    actor_label: str,
    agency_code: str,
    action: str,
    target_type: str,
    target_id: str,
    before: Any,
    after: Any,
    prev_hash: str,
) -> str:
    canonical = json.dumps(
        [
            seq,
            occurred_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            actor_id,
            actor_label,
            agency_code,
            action,
            target_type,
            target_id,
            before,
            after,
            prev_hash,
        ],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
