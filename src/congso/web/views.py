"""Server-rendered pages. Views parse input, call services/selectors, and render; no rules here."""

from __future__ import annotations

from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from congso.core.accounts import selectors as account_selectors
from congso.core.accounts.services import official_login
from congso.core.errors import DomainError
from congso.core.org import selectors as org_selectors
from congso.core.policy import roles_of


def _client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def login_view(request: HttpRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        try:
            user = official_login(
                username=request.POST.get("username", ""), password=request.POST.get("password", ""),
                totp_code=request.POST.get("totp", ""), client_ip=_client_ip(request),
            )
        except DomainError as exc:
            error = str(exc.detail)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("web:home")
    return render(request, "web/login.html", {"error": error}, status=401 if error else 200)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("web:login")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html", {"roles": sorted(roles_of(request.user))})


@login_required
def agencies(request: HttpRequest) -> HttpResponse:
    day = org_selectors.today()
    qs = org_selectors.agencies_as_of(as_of=day, q=request.GET.get("q"))[:100]
    return render(request, "web/agencies.html", {"agencies": qs, "as_of": day})


@login_required
def officials(request: HttpRequest) -> HttpResponse:
    qs = account_selectors.officials_visible(actor=request.user, q=request.GET.get("q"))[:100]
    return render(request, "web/officials.html", {"officials": qs})


def units(request: HttpRequest) -> HttpResponse:
    day = org_selectors.today()
    qs = org_selectors.units_as_of(as_of=day, level=1)
    return render(request, "web/units.html", {"units": qs, "as_of": day})
