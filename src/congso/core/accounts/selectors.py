"""Reading accounts, scoped to what the actor may see."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from congso.core.accounts.models import AccountKind, User
from congso.core.errors import NotFound
from congso.core.policy import agency_scope
from congso.core.search.text import fold


def officials_visible(*, actor: Any, agency_id: int | None = None, q: str | None = None) -> QuerySet[User]:
    scope = agency_scope(actor, "accounts.official.view")
    qs = User.objects.filter(kind=AccountKind.OFFICIAL).filter(scope.q("agency")).select_related("agency")
    if agency_id is not None:
        qs = qs.filter(agency_id=agency_id)
    if q:
        qs = qs.filter(username__icontains=q.strip()) | qs.filter(search_name__contains=fold(q))
    return qs.prefetch_related("role_assignments__agency").order_by("agency__path", "username")


def official_get(*, actor: Any, username: str) -> User:
    """An official the actor may see; one they may not see is reported as not found."""
    user = officials_visible(actor=actor).filter(username=username).first()
    if user is None:
        raise NotFound(
            _("Không tìm thấy cán bộ '%(username)s' trong phạm vi bạn được xem.") % {"username": username}
        )
    return user


def user_by_username(username: str) -> User | None:
    """For the CLI and login flows, not for views (no scoping)."""
    return User.objects.filter(username=username).select_related("agency").first()
