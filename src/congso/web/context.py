"""What every page's shell needs: the actor's roles and the navigation they lead to."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from congso.core.policy import can, roles_of
from congso.web.labels import ROLE_LABELS, ROLE_ORDER


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    path = getattr(request, "path", "")
    services = ("services:catalogue", _("Dịch vụ công"), "/dich-vu-cong/")
    public = [("web:units", _("Đơn vị hành chính"), "/don-vi-hanh-chinh/")]
    if user is None or not user.is_authenticated:
        return {"nav": _mark([services, *public], path), "my_roles": []}
    nav = [("web:home", _("Trang chủ"), "/")]
    if getattr(user, "kind", "") == "citizen":
        nav += [services, ("services:dossiers", _("Hồ sơ của tôi"), "/dich-vu-cong/ho-so/")]
    if getattr(user, "kind", "") == "official":
        if can(user, "org.agency.view"):
            nav.append(("web:agencies", pgettext_lazy("navigation", "Cơ quan"), "/co-quan/"))
        if can(user, "accounts.official.view"):
            nav.append(("web:officials", pgettext_lazy("navigation", "Tài khoản"), "/tai-khoan/"))
        if can(user, "documents.view"):
            nav.append(("documents:home", pgettext_lazy("navigation", "Văn bản"), "/van-ban/"))
        if can(user, "reporting.data.view"):
            nav.append(("reporting:inbox", pgettext_lazy("navigation", "Báo cáo"), "/bao-cao/"))
        if can(user, "services.view"):  # the one-stop desk and the offices that settle dossiers
            nav.append(("services:desk", pgettext_lazy("navigation", "Một cửa"), "/dich-vu-cong/mot-cua/"))
        if can(user, "services.receive"):  # desk entry of paper dossiers starts from the catalogue
            nav.append(services)
    nav += public
    roles = roles_of(user)
    return {"nav": _mark(nav, path), "my_roles": [ROLE_LABELS[r] for r in ROLE_ORDER if r in roles]}


def _mark(items: list[tuple[str, Any, str]], path: str) -> list[dict[str, Any]]:
    """Each item with ``current`` set for the section the page belongs to (for aria-current): the
    longest prefix that matches, so /dich-vu-cong/ho-so/ is "Hồ sơ của tôi", not "Dịch vụ công"."""
    matching = [
        prefix for _n, _l, prefix in items if (path == "/" if prefix == "/" else path.startswith(prefix))
    ]
    best = max(matching, key=len, default=None)
    return [{"name": name, "label": label, "current": prefix == best} for name, label, prefix in items]
