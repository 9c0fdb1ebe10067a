"""HTTP API for reading the audit log of the agencies in one's scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from congso.core.api.auth import AUTH
from congso.core.api.params import paginate
from congso.core.audit.selectors import audit_events_visible

router = Router(tags=["audit"], auth=AUTH)


class EventOut(Schema):
    seq: int
    occurred_at: dt.datetime
    actor: str
    agency_code: str
    action: str
    target_type: str
    target_id: str
    before: Any = None
    after: Any = None


class EventPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[EventOut]


@router.get("/events", response=EventPage, summary="Nhật ký thay đổi trong phạm vi được xem")
def list_events(
    request: HttpRequest,
    target_type: str | None = None,
    target_id: str | None = None,
    action: str | None = None,
    page: int = 1,
    page_size: int = 100,
):
    qs = audit_events_visible(actor=request.user, target_type=target_type, target_id=target_id, action=action)
    items, meta = paginate(qs, page, page_size)
    return {
        **meta,
        "items": [
            {
                "seq": e.seq,
                "occurred_at": e.occurred_at,
                "actor": e.actor_label,
                "agency_code": e.agency_code,
                "action": e.action,
                "target_type": e.target_type,
                "target_id": e.target_id,
                "before": e.before,
                "after": e.after,
            }
            for e in items
        ],
    }
