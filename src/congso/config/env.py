"""Reading configuration from the environment.

Every setting can be given as ``CONGSO_X`` or, for secrets, as ``CONGSO_X_FILE`` naming a file
that holds the value (Docker/Kubernetes secrets).
"""

from __future__ import annotations

import os
from pathlib import Path


def env(name: str, default: str | None = None) -> str | None:
    file_var = os.environ.get(f"CONGSO_{name}_FILE")
    if file_var:
        return Path(file_var).read_text(encoding="utf-8").strip()
    return os.environ.get(f"CONGSO_{name}", default)


def env_bool(name: str, default: bool) -> bool:
    raw = env(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    raw = env(name)
    if raw is None:
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]
