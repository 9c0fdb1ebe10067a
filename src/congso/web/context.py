"""What every page's shell needs: the actor's roles and the navigation they lead to."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from congso.core.policy import can, roles_of


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    nav = [("web:home", "Trang chủ")]
    if can(user, "org.agency.view"):
        nav.append(("web:agencies", "Cơ quan"))
    if can(user, "accounts.official.manage"):
        nav.append(("web:officials", "Tài khoản"))
    nav.append(("web:units", "Đơn vị hành chính"))
    return {"nav": nav, "my_roles": sorted(roles_of(user))}
