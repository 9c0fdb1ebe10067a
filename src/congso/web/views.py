"""Server-rendered pages. Views parse input, call services/selectors, and render; no rules here."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from congso.core.accounts import selectors as account_selectors
from congso.core.accounts import services as account_services
from congso.core.errors import DomainError, Forbidden, InvalidInput
from congso.core.org import selectors as org_selectors
from congso.core.org import services as org_services
from congso.core.policy import agency_scope, can, roles_of
from congso.web import forms as web_forms
from congso.web.errors import friendly_errors
from congso.web.labels import (
    AGENCY_KIND_LABELS,
    EVENT_KIND_LABELS,
    LEVEL_LABELS,
    ROLE_LABELS,
    ROLE_ORDER,
    SCOPE_LABELS,
    UNIT_KIND_LABELS,
    translate_detail,
)

PER_PAGE = 25


# --- helpers -----------------------------------------------------------------------------------


def _client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _as_of(request: HttpRequest) -> tuple[dt.date, str]:
    """The date a page is asked "as of" (``?ngay=YYYY-MM-DD``), today by default, and an error text."""
    raw = (request.GET.get("ngay") or "").strip()
    if not raw:
        return org_selectors.today(), ""
    try:
        return dt.date.fromisoformat(raw), ""
    except ValueError:
        return org_selectors.today(), _("Ngày “%(raw)s” không hợp lệ; đang hiển thị theo ngày hôm nay.") % {
            "raw": raw
        }


def _paginate(request: HttpRequest, items: Any) -> tuple[Page, str]:
    """One page of ``items`` and the query string (without ``trang``) for the page links."""
    page = Paginator(items, PER_PAGE).get_page(request.GET.get("trang"))
    params = {k: v for k, v in request.GET.items() if k != "trang" and v}
    return page, urlencode(params)


def _officials_only(request: HttpRequest) -> None:
    if getattr(request.user, "kind", "") != "official":
        raise Forbidden(_("Trang này dành cho cán bộ, công chức."))


def _role_rows(user: Any) -> list[dict[str, Any]]:
    rows = [
        {
            "role": ROLE_LABELS.get(ra.role, ra.role),
            "scope": SCOPE_LABELS.get(ra.scope, ra.scope),
            "agency": ra.agency,
            "code": ra.role,
        }
        for ra in user.role_assignments.all()
    ]
    rows.sort(key=lambda r: ROLE_ORDER.index(r["code"]) if r["code"] in ROLE_ORDER else 99)
    return rows


# --- login -------------------------------------------------------------------------------------


def login_view(request: HttpRequest) -> HttpResponse:
    if request.method == "GET" and request.user.is_authenticated:
        return redirect("web:home")
    error = ""
    status = 200
    form = web_forms.LoginForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                user = account_services.official_login(
                    username=form.cleaned_data["username"],
                    password=form.cleaned_data["password"],
                    totp_code=form.cleaned_data["totp"],
                    client_ip=_client_ip(request),
                )
            except DomainError as exc:
                error, status = translate_detail(exc.detail), exc.status
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                target = request.POST.get("next") or ""
                if target.startswith("/") and not target.startswith("//"):
                    return redirect(target)
                return redirect("web:home")
        else:
            error, status = _("Vui lòng nhập tên đăng nhập và mật khẩu."), 400
    return render(
        request,
        "web/login.html",
        {"form": form, "error": error, "next": request.GET.get("next") or request.POST.get("next", "")},
        status=status,
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("web:login")


# --- home --------------------------------------------------------------------------------------

SOON = None  # a module not built yet


def _link(label: Any, url_name: str | None) -> dict[str, Any]:
    return {"label": label, "url": reverse(url_name) if url_name else None}


def _role_cards(user: Any) -> list[dict[str, Any]]:
    roles = roles_of(user)
    may_manage_accounts = can(user, "accounts.official.manage")
    cards = {
        "admin": {
            "text": gettext_lazy("Quản trị danh mục cơ quan, tài khoản cán bộ và các danh mục dùng chung."),
            "links": [
                _link(gettext_lazy("Cơ quan, đơn vị"), "web:agencies"),
                _link(gettext_lazy("Tài khoản cán bộ"), "web:officials"),
                *(
                    [_link(gettext_lazy("Thêm tài khoản"), "web:official_create")]
                    if may_manage_accounts
                    else []
                ),
                _link(gettext_lazy("Đơn vị hành chính"), "web:units"),
            ],
        },
        "leader": {
            "text": gettext_lazy("Giao việc, phê duyệt, ký số văn bản và theo dõi hạn xử lý."),
            "links": [
                _link(gettext_lazy("Văn bản đến"), "documents:incoming"),
                _link(gettext_lazy("Văn bản đi"), "documents:outgoing"),
                _link(gettext_lazy("Bảng điều hành"), "documents:dashboard"),
                _link(gettext_lazy("Hồ sơ thủ tục hành chính"), "services:desk"),
                _link(gettext_lazy("Báo cáo chờ duyệt"), "reporting:inbox"),
                _link(gettext_lazy("Tổng hợp số liệu"), "reporting:pivot"),
                _link(gettext_lazy("Cán bộ của cơ quan"), "web:officials"),
            ],
        },
        "clerk": {
            "text": gettext_lazy("Vào sổ văn bản đến, cấp số văn bản đi và đóng dấu số của cơ quan."),
            "links": [
                _link(gettext_lazy("Văn bản chờ vào sổ"), "documents:queue"),
                _link(gettext_lazy("Văn bản đi"), "documents:outgoing"),
                _link(gettext_lazy("Sổ đăng ký văn bản"), "documents:registers"),
            ],
        },
        "specialist": {
            "text": gettext_lazy("Xử lý văn bản, hồ sơ được giao và nhập số liệu báo cáo."),
            "links": [
                _link(gettext_lazy("Việc của tôi"), "documents:mine"),
                _link(gettext_lazy("Soạn văn bản"), "documents:draft_new"),
                _link(gettext_lazy("Hồ sơ thủ tục hành chính"), "services:desk"),
                _link(gettext_lazy("Báo cáo"), "reporting:inbox"),
            ],
        },
        "desk_officer": {
            "text": gettext_lazy("Tiếp nhận, trả kết quả hồ sơ thủ tục hành chính tại bộ phận một cửa."),
            "links": [
                _link(gettext_lazy("Hồ sơ một cửa"), "services:desk"),
                _link(gettext_lazy("Tiếp nhận hồ sơ giấy"), "services:desk_entry"),
            ],
        },
    }
    return [{"code": r, "title": ROLE_LABELS[r], **cards[r]} for r in ROLE_ORDER if r in roles]


@login_required
@friendly_errors
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if getattr(user, "kind", "") == "citizen":
        return render(request, "web/home_citizen.html", {})
    return render(request, "web/home.html", {"cards": _role_cards(user), "role_rows": _role_rows(user)})


# --- agencies ----------------------------------------------------------------------------------


def _agency_row(agency: Any) -> dict[str, Any]:
    return {
        "obj": agency,
        "kind": AGENCY_KIND_LABELS.get(agency.kind, agency.kind),
        "level": LEVEL_LABELS.get(agency.level, agency.level),
    }


@login_required
@friendly_errors
def agencies(request: HttpRequest) -> HttpResponse:
    _officials_only(request)
    if not can(request.user, "org.agency.view"):
        raise Forbidden(_("Bạn không có quyền xem danh mục cơ quan."))
    day, date_error = _as_of(request)
    q = (request.GET.get("q") or "").strip()
    kind = request.GET.get("loai") or None
    if kind not in AGENCY_KIND_LABELS:
        kind = None
    qs = org_selectors.agencies_as_of(as_of=day, q=q or None, kind=kind)
    page, query = _paginate(request, qs)
    return render(
        request,
        "web/agencies.html",
        {
            "page": page,
            "query": query,
            "rows": [_agency_row(a) for a in page],
            "as_of": day,
            "q": q,
            "kind": kind or "",
            "kinds": list(AGENCY_KIND_LABELS.items()),
            "date_error": date_error,
            "is_today": day == org_selectors.today(),
            "may_create": can(request.user, "org.agency.manage"),
        },
    )


@login_required
@friendly_errors
def agency_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _officials_only(request)
    if not can(request.user, "org.agency.view"):
        raise Forbidden(_("Bạn không có quyền xem danh mục cơ quan."))
    agency = org_selectors.agency_by_id(pk)
    officials_page, officials_query = None, ""
    may_see_officials = can(request.user, "accounts.official.view", agency)
    if may_see_officials:
        officials_page, officials_query = _paginate(
            request, account_selectors.officials_visible(actor=request.user, agency_id=agency.pk)
        )
    return render(
        request,
        "web/agency_detail.html",
        {
            "agency": agency,
            "row": _agency_row(agency),
            "predecessors": org_selectors.agency_predecessors(agency),
            "successors": org_selectors.agency_successors(agency),
            "event_labels": EVENT_KIND_LABELS,
            "children_count": org_selectors.agencies_as_of(
                as_of=_valid_day(agency), parent_code=agency.code
            ).count()
            if agency.is_valid_on(_valid_day(agency))
            else 0,
            "may_manage": can(request.user, "org.agency.manage", agency),
            "may_see_officials": may_see_officials,
            "may_manage_officials": can(request.user, "accounts.official.manage", agency),
            "page": officials_page,
            "query": officials_query,
            "today": org_selectors.today(),
            "unit_day": _valid_day(agency.unit) if agency.unit else None,
        },
    )


def _valid_day(obj: Any) -> dt.date:
    """A day on which ``obj`` (an agency or unit version) is valid: today, or its last day."""
    today = org_selectors.today()
    if obj.is_valid_on(today):
        return today
    if obj.valid_to:
        return obj.valid_to - dt.timedelta(days=1)
    return obj.valid_from or today


@login_required
@friendly_errors
def agency_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _officials_only(request)
    agency = org_selectors.agency_by_id(pk)
    if not can(request.user, "org.agency.manage", agency):
        raise Forbidden(_("Bạn không có quyền sửa thông tin cơ quan này."))
    initial = {
        "name": agency.name,
        "short_name": agency.short_name,
        "email": agency.email,
        "phone": agency.phone,
    }
    form = web_forms.AgencyEditForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            changes = {k: v for k, v in form.cleaned_data.items() if v != initial[k]}
            if not changes:
                messages.info(request, _("Không có thay đổi nào."))
                return redirect("web:agency_detail", pk=agency.pk)
            try:
                org_services.agency_update(actor=request.user, agency=agency, **changes)
            except InvalidInput as exc:
                web_forms.apply_domain_errors(form, exc.errors, exc.detail)
            else:
                messages.success(request, _("Đã lưu thông tin cơ quan."))
                return redirect("web:agency_detail", pk=agency.pk)
        status = 400
    return render(
        request, "web/agency_form.html", {"form": form, "agency": agency, "creating": False}, status=status
    )


@login_required
@friendly_errors
def agency_create(request: HttpRequest) -> HttpResponse:
    _officials_only(request)
    if not can(request.user, "org.agency.manage"):
        raise Forbidden(_("Bạn không có quyền thêm cơ quan."))
    form = web_forms.AgencyCreateForm(
        request.POST or None,
        initial={"parent_code": request.GET.get("cap_tren", ""), "valid_from": org_selectors.today()},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                agency = org_services.agency_create(
                    actor=request.user,
                    code=data["code"].strip(),
                    name=data["name"],
                    kind=data["kind"],
                    level=data["level"],
                    parent_code=data["parent_code"].strip() or None,
                    unit_code=data["unit_code"].strip() or None,
                    valid_from=data["valid_from"],
                    short_name=data["short_name"],
                    email=data["email"],
                    phone=data["phone"],
                )
            except InvalidInput as exc:
                web_forms.apply_domain_errors(form, exc.errors, exc.detail)
            except DomainError as exc:
                if isinstance(exc, Forbidden):
                    raise
                form.add_error(None, str(exc.detail))
            else:
                messages.success(request, _("Đã thêm cơ quan."))
                return redirect("web:agency_detail", pk=agency.pk)
        status = 400
    return render(
        request, "web/agency_form.html", {"form": form, "agency": None, "creating": True}, status=status
    )


# --- officials ---------------------------------------------------------------------------------


@login_required
@friendly_errors
def officials(request: HttpRequest) -> HttpResponse:
    _officials_only(request)
    if not can(request.user, "accounts.official.view"):
        raise Forbidden(_("Bạn không có quyền xem danh sách tài khoản."))
    q = (request.GET.get("q") or "").strip()
    agency = None
    raw_agency = request.GET.get("co_quan") or ""
    if raw_agency.isdigit():
        agency = org_selectors.agency_by_id(int(raw_agency))
    qs = account_selectors.officials_visible(
        actor=request.user, agency_id=agency.pk if agency else None, q=q or None
    )
    page, query = _paginate(request, qs)
    rows = [{"obj": u, "roles": [r["role"] for r in _role_rows(u)]} for u in page]
    return render(
        request,
        "web/officials.html",
        {
            "page": page,
            "query": query,
            "rows": rows,
            "q": q,
            "agency": agency,
            "may_create": can(request.user, "accounts.official.manage"),
        },
    )


def _manageable_agencies(user: Any) -> list[tuple[int, str]]:
    scope = agency_scope(user, "accounts.official.manage")
    qs = org_selectors.agencies_as_of(as_of=org_selectors.today(), scope_q=scope.q(""))
    return [(a.pk, f"{a.name} ({a.code})") for a in qs]


@login_required
@friendly_errors
def official_create(request: HttpRequest) -> HttpResponse:
    _officials_only(request)
    if not can(request.user, "accounts.official.manage"):
        raise Forbidden(_("Bạn không có quyền tạo tài khoản."))
    choices = _manageable_agencies(request.user)
    initial = {}
    if (request.GET.get("co_quan") or "").isdigit():
        initial["agency"] = int(request.GET["co_quan"])
    form = web_forms.OfficialCreateForm(request.POST or None, agencies=choices, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                agency = org_selectors.agency_by_id(data["agency"])
                user = account_services.official_create(
                    actor=request.user,
                    agency=agency,
                    username=data["username"],
                    full_name=data["full_name"],
                    password=data["password"],
                    position=data["position"],
                    email=data["email"],
                    phone=data["phone"],
                    roles=form.roles(),
                )
            except InvalidInput as exc:
                web_forms.apply_domain_errors(form, exc.errors, exc.detail)
            except DomainError as exc:
                if isinstance(exc, Forbidden):
                    raise
                form.add_error("username" if exc.status == 409 else None, str(exc.detail))
            else:
                messages.success(request, _("Đã tạo tài khoản %(username)s.") % {"username": user.username})
                return redirect("web:official_detail", username=user.username)
        status = 400
    return render(request, "web/official_form.html", {"form": form}, status=status)


def _official_context(request: HttpRequest, official: Any, **extra: Any) -> dict[str, Any]:
    may_manage = can(request.user, "accounts.official.manage", official.agency)
    return {
        "official": official,
        "role_rows": _role_rows(official),
        "may_manage": may_manage,
        "is_self": official.pk == request.user.pk,
        "totp_required": account_services.totp_required(official),
        "edit_form": extra.pop("edit_form", None)
        or web_forms.OfficialEditForm(
            initial={
                "full_name": official.full_name,
                "position": official.position,
                "email": official.email,
                "phone": official.phone,
            }
        ),
        "password_form": extra.pop("password_form", None) or web_forms.PasswordResetForm(),
        **extra,
    }


@login_required
@friendly_errors
def official_detail(request: HttpRequest, username: str) -> HttpResponse:
    _officials_only(request)
    official = account_selectors.official_get(actor=request.user, username=username)
    return render(request, "web/official_detail.html", _official_context(request, official))


def _manageable_official(request: HttpRequest, username: str) -> Any:
    _officials_only(request)
    official = account_selectors.official_get(actor=request.user, username=username)
    if not can(request.user, "accounts.official.manage", official.agency):
        raise Forbidden(_("Bạn không có quyền quản trị tài khoản này."))
    return official


@login_required
@require_POST
@friendly_errors
def official_edit(request: HttpRequest, username: str) -> HttpResponse:
    official = _manageable_official(request, username)
    form = web_forms.OfficialEditForm(request.POST)
    if form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if v != getattr(official, k)}
        if not changes:
            messages.info(request, _("Không có thay đổi nào."))
            return redirect("web:official_detail", username=official.username)
        try:
            account_services.official_update(actor=request.user, user=official, **changes)
        except InvalidInput as exc:
            web_forms.apply_domain_errors(form, exc.errors, exc.detail)
        else:
            messages.success(request, _("Đã lưu thông tin tài khoản."))
            return redirect("web:official_detail", username=official.username)
    return render(
        request, "web/official_detail.html", _official_context(request, official, edit_form=form), status=400
    )


@login_required
@require_POST
@friendly_errors
def official_active(request: HttpRequest, username: str) -> HttpResponse:
    official = _manageable_official(request, username)
    active = request.POST.get("active") == "1"
    try:
        account_services.official_set_active(actor=request.user, user=official, active=active)
    except InvalidInput as exc:
        messages.error(request, translate_detail(exc.detail))
    else:
        messages.success(request, _("Đã mở khoá tài khoản.") if active else _("Đã khoá tài khoản."))
    return redirect("web:official_detail", username=official.username)


@login_required
@require_POST
@friendly_errors
def official_password(request: HttpRequest, username: str) -> HttpResponse:
    official = _manageable_official(request, username)
    form = web_forms.PasswordResetForm(request.POST)
    if form.is_valid():
        try:
            account_services.password_set(
                actor=request.user, user=official, password=form.cleaned_data["password"]
            )
        except InvalidInput as exc:
            web_forms.apply_domain_errors(form, exc.errors, exc.detail)
        else:
            messages.success(request, _("Đã đặt lại mật khẩu."))
            return redirect("web:official_detail", username=official.username)
    return render(
        request,
        "web/official_detail.html",
        _official_context(request, official, password_form=form),
        status=400,
    )


# --- administrative units ------------------------------------------------------------------------


def _unit_row(unit: Any) -> dict[str, Any]:
    return {
        "obj": unit,
        "kind": UNIT_KIND_LABELS.get(unit.kind, unit.kind),
        "level": LEVEL_LABELS.get(unit.level, unit.level),
    }


def _unit_chain(unit: Any) -> list[Any]:
    chain: list[Any] = []
    node = unit
    while node is not None and len(chain) < 4:
        chain.insert(0, node)
        node = node.parent
    return chain


@friendly_errors
def units(request: HttpRequest) -> HttpResponse:
    day, date_error = _as_of(request)
    q = (request.GET.get("q") or "").strip()
    parent_code = (request.GET.get("cap_tren") or "").strip() or None
    parent = org_selectors.unit_get(code=parent_code, as_of=day) if parent_code else None
    if q:
        qs = org_selectors.units_as_of(as_of=day, parent_code=parent_code, q=q)
    elif parent_code:
        qs = org_selectors.units_as_of(as_of=day, parent_code=parent_code)
    else:
        qs = org_selectors.units_as_of(as_of=day, level=1)
    page, query = _paginate(request, qs.select_related("parent"))
    return render(
        request,
        "web/units.html",
        {
            "page": page,
            "query": query,
            "rows": [_unit_row(u) for u in page],
            "as_of": day,
            "q": q,
            "parent": parent,
            "chain": _unit_chain(parent) if parent else [],
            "date_error": date_error,
            "is_today": day == org_selectors.today(),
        },
    )


@friendly_errors
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    day, date_error = _as_of(request)
    unit = org_selectors.unit_get(
        code=code, as_of=day if request.GET.get("ngay") and not date_error else None
    )
    valid_day = day if unit.is_valid_on(day) else _valid_day(unit)
    children = org_selectors.units_count_as_of(as_of=valid_day, parent_code=unit.code)
    return render(
        request,
        "web/unit_detail.html",
        {
            "unit": unit,
            "row": _unit_row(unit),
            "chain": _unit_chain(unit)[:-1],
            "valid_day": valid_day,
            "children": [(LEVEL_LABELS.get(level, level), n) for level, n in sorted(children.items())],
            "children_total": sum(children.values()),
            "predecessors": [
                (link, link.predecessor, _valid_day(link.predecessor))
                for link in org_selectors.unit_predecessors(unit)
            ],
            "successors": [
                (link, link.successor, _valid_day(link.successor))
                for link in org_selectors.unit_successors(unit)
            ],
            "event_labels": EVENT_KIND_LABELS,
            "date_error": date_error,
        },
    )
