"""Who may do what with documents and executive tasks. Scopes come from the core policy layer."""

from congso.core.accounts.models import Role
from congso.core.policy import grant

# Every official reads the documents of their agency (leaders: of their subtree). Secret documents
# are narrowed further in the selectors to leaders, clerks and the officials assigned to them.
# System administrators run the platform; they do not read agencies' correspondence.
for role in (Role.CLERK, Role.SPECIALIST, Role.LEADER, Role.DESK_OFFICER):
    grant(role, "documents.view")
grant(Role.CLERK, "documents.draft", "documents.register", "documents.issue", "documents.view_secret")
grant(Role.SPECIALIST, "documents.draft", "documents.handle", "tasks.update")
grant(
    Role.LEADER,
    "documents.draft",
    "documents.approve",
    "documents.sign",
    "documents.assign",
    "documents.handle",
    "documents.view_secret",
    "tasks.manage",
    "tasks.update",
)
