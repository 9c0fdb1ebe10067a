"""The platform itself as an actor: seeds and scheduled jobs that write through the same services
as people do, so the policy checks and the audit trail stay in one place."""

from __future__ import annotations

from congso.core.policy.engine import Grant


class SystemActor:
    """City-wide administrator's rights (a grant on the root agency's subtree); not an account:
    no primary key, audited under ``name`` ("seed", "system")."""

    pk = None
    id = None
    is_authenticated = True
    is_active = True
    agency_code = ""
    kind = "system"  # AccountKind.SYSTEM: a machine, never a citizen filing on someone's behalf

    def __init__(self, name: str) -> None:
        from congso.core.accounts.models import Role

        self.name = name
        self._policy_grants = [
            Grant(role=Role.ADMIN, agency_id=0, agency_path="", subtree=True, is_root=True)
        ]

    def get_username(self) -> str:
        return self.name
