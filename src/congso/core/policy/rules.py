"""The core's own grants. Each module adds its actions in its own ``policies.py``."""

from congso.core.accounts.models import Role
from congso.core.policy.engine import grant

# Reading the agency directory and the officials of one's scope.
for role in Role.values:
    grant(role, "org.agency.view", "accounts.official.view")

grant(
    Role.ADMIN,
    "org.agency.manage",
    "accounts.official.manage",
    "audit.view",
    "calendar.manage",
    "org.unit.manage",
)
grant(Role.LEADER, "audit.view")
