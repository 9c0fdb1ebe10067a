"""Who may do what in reporting. Scopes come from the core policy layer (agency or subtree)."""

from congso.core.accounts.models import Role
from congso.core.policy import grant

# Reading figures: everyone in the agency (and leaders over their subtree).
for role in Role.values:
    grant(role, "reporting.data.view")
# Entering figures and submitting: specialists and clerks of the reporting agency.
grant(Role.SPECIALIST, "reporting.data.enter", "reporting.submit")
grant(Role.CLERK, "reporting.data.enter", "reporting.submit")
grant(Role.LEADER, "reporting.submit", "reporting.approve", "reporting.reopen")
# The repositories of indicators and forms belong to the DoIC administrators.
grant(
    Role.ADMIN, "reporting.catalogue.manage", "reporting.data.enter", "reporting.reopen", "reporting.publish"
)
