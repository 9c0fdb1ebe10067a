"""Who may do what with procedures and dossiers. Scopes come from the core policy layer.

Citizens hold no roles: they file online and see their own dossiers (selectors check the applicant).
Officials see the dossiers received by, or routed to, the agencies where they hold "services.view".
"""

from congso.core.accounts.models import Role
from congso.core.policy import grant

grant(Role.DESK_OFFICER, "services.view", "services.receive")
grant(Role.SPECIALIST, "services.view", "services.process")
grant(Role.LEADER, "services.view", "services.process", "services.decide")
grant(Role.ADMIN, "services.catalogue")
