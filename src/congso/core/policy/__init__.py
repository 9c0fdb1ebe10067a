"""The one policy layer: who may do what, on which agencies.

Web views, API endpoints and CLI commands all ask here (``authorize``, ``can``, ``agency_scope``);
selectors filter with ``agency_scope(...).q()`` so that a list never shows what its reader may not see.
"""

from congso.core.policy.engine import (
    AgencyScope,
    agency_scope,
    authorize,
    can,
    grant,
    roles_of,
)

__all__ = ["AgencyScope", "agency_scope", "authorize", "can", "grant", "roles_of"]
