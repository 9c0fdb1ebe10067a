"""Idempotent submissions (the ``Idempotency-Key`` header).

A key belongs to one account. Its row is inserted with the dossier, in the filing transaction, so a
second request with the same key either finds it (sequential retry: answered before anything is
checked again) or, arriving while the first is still being filed, files too and then waits on the
unique index (or before that on the day's counter row) and fails with IntegrityError once the first
commits; it then reads the first one's row. Either way it gets the first dossier, and nothing of its
own is kept (its transaction, sequence number included, is rolled back).

The same key with a different request is a client error (409). What "the same request" means is
the SHA-256 of a canonical JSON of the submission (attachments by their digest).

A retry must get the first response back, tracking token included, yet the dossier row stores only
the token's hash. The key row therefore keeps the token sealed (Fernet, key derived from
SECRET_KEY) until ``expires_at``; a purge job may delete expired rows (not built yet).
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import connection

KEEP_HOURS = 24
MAX_KEY_LENGTH = 200


def request_hash(payload: Any) -> str:
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def key_taken(*, actor_id: int, key: str) -> bool:
    """Whether the account already filed under ``key``. Every submission asks it and almost all get
    "no": plain SQL, without the ORM's cost of building the statement (≈ 0.4 ms a query)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM services_idempotency_key WHERE actor_id = %s AND key = %s", [actor_id, key]
        )
        return cursor.fetchone() is not None


def _fernet() -> Fernet:
    key = hashlib.sha256(f"congso.services.idempotency:{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(token: str) -> str:
    return _fernet().encrypt(token.encode()).decode()


def unseal(sealed: str) -> str | None:
    if not sealed:
        return None
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except InvalidToken:  # SECRET_KEY rotated since: the replay answers without the token
        return None
