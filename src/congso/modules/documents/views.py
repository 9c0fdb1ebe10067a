"""Document pages (văn bản), mounted at /van-ban/: the lists (incoming queue, my work, incoming,
outgoing, overdue), the outgoing draft form, the incoming form, and a document's page with the
actions its reader may take now. Views parse input, call services/selectors, and render."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from congso.core.errors import DomainError, Forbidden, InvalidInput, NotFound
from congso.core.files import blob_read
from congso.core.org import selectors as org_selectors
from congso.core.policy import can
from congso.modules.documents import doctypes, selectors, services
from congso.modules.documents.models import (
    AssignmentRole,
    Direction,
    Document,
    FileRole,
    Recipient,
    RecipientStatus,
    Secrecy,
    Status,
    Urgency,
)
from congso.web.errors import friendly_errors
from congso.web.labels import translate_detail

PER_PAGE = 25

STATUS_LABELS: dict[str, Any] = {
    Status.DRAFT: gettext_lazy("Dự thảo"),
    Status.IN_REVIEW: gettext_lazy("Đang trình duyệt"),
    Status.APPROVED: gettext_lazy("Đã duyệt"),
    Status.SIGNED: gettext_lazy("Đã ký"),
    Status.ISSUED: gettext_lazy("Đã ban hành"),
    Status.RECALLED: gettext_lazy("Đã thu hồi"),
    Status.PENDING: gettext_lazy("Chờ vào sổ"),
    Status.RECEIVED: gettext_lazy("Đã vào sổ"),
    Status.PRESENTED: gettext_lazy("Đã trình lãnh đạo"),
    Status.ASSIGNED: gettext_lazy("Đã giao xử lý"),
    Status.IN_PROGRESS: gettext_lazy("Đang xử lý"),
    Status.COMPLETED: gettext_lazy("Đã hoàn thành"),
    Status.REJECTED: gettext_lazy("Đã từ chối"),
}
RECIPIENT_LABELS: dict[str, Any] = {
    RecipientStatus.SENT: gettext_lazy("Chưa phát hành"),
    RecipientStatus.ARRIVED: gettext_lazy("Đã đến"),
    RecipientStatus.REJECTED: gettext_lazy("Từ chối"),
    RecipientStatus.ACCEPTED: gettext_lazy("Đã tiếp nhận"),
    RecipientStatus.ASSIGNED: gettext_lazy("Đã phân công"),
    RecipientStatus.IN_PROGRESS: gettext_lazy("Đang xử lý"),
    RecipientStatus.COMPLETED: gettext_lazy("Hoàn thành"),
    RecipientStatus.RECALL_REQUESTED: gettext_lazy("Đề nghị thu hồi"),
    RecipientStatus.RECALL_ACCEPTED: gettext_lazy("Đồng ý thu hồi"),
    RecipientStatus.RECALL_REFUSED: gettext_lazy("Từ chối thu hồi"),
}
URGENCY_LABELS: dict[str, Any] = {
    Urgency.NORMAL: gettext_lazy("Thường"),
    Urgency.URGENT: gettext_lazy("Khẩn"),
    Urgency.VERY_URGENT: gettext_lazy("Thượng khẩn"),
    Urgency.FLASH: gettext_lazy("Hỏa tốc"),
}
SECRECY_LABELS: dict[str, Any] = {
    Secrecy.NORMAL: gettext_lazy("Thường"),
    Secrecy.CONFIDENTIAL: gettext_lazy("Mật"),
    Secrecy.SECRET: gettext_lazy("Tối mật"),
    Secrecy.TOP_SECRET: gettext_lazy("Tuyệt mật"),
}
ROLE_LABELS: dict[str, Any] = {
    AssignmentRole.LEAD: gettext_lazy("Chủ trì"),
    AssignmentRole.COORDINATE: gettext_lazy("Phối hợp"),
    AssignmentRole.HANDLER: gettext_lazy("Xử lý"),
    AssignmentRole.INFO: gettext_lazy("Để biết"),
}
FILE_LABELS: dict[str, Any] = {
    FileRole.DRAFT: gettext_lazy("Dự thảo"),
    FileRole.SIGNED: gettext_lazy("Bản đã ký"),
    FileRole.RECEIVED: gettext_lazy("Bản nhận được"),
    FileRole.SCAN: gettext_lazy("Bản quét"),
    FileRole.ATTACHMENT: gettext_lazy("Phụ lục, tệp kèm"),
    FileRole.OCR_COPY: gettext_lazy("Bản sao để nhận dạng chữ"),
}
CHANNEL_LABELS: dict[str, Any] = {
    "platform": gettext_lazy("Trên nền tảng"),
    "edxml": gettext_lazy("Gói edXML"),
    "paper": gettext_lazy("Bản giấy (quét)"),
    "upload": gettext_lazy("Tải lên (văn bản điện tử)"),
}
TRAIL_LABELS: dict[str, Any] = {
    "draft": gettext_lazy("Tạo dự thảo"),
    "submit_review": gettext_lazy("Trình duyệt"),
    "return": gettext_lazy("Trả lại dự thảo"),
    "approve": gettext_lazy("Duyệt dự thảo"),
    "sign": gettext_lazy("Ký số"),
    "issue": gettext_lazy("Cấp số, đóng dấu"),
    "dispatch": gettext_lazy("Phát hành"),
    "arrive": gettext_lazy("Văn bản đến"),
    "receive": gettext_lazy("Tiếp nhận"),
    "register": gettext_lazy("Vào sổ"),
    "refuse": gettext_lazy("Từ chối"),
    "present": gettext_lazy("Trình lãnh đạo"),
    "assign": gettext_lazy("Giao xử lý"),
    "delegate": gettext_lazy("Chuyển xử lý"),
    "comment": gettext_lazy("Ý kiến"),
    "complete": gettext_lazy("Hoàn thành"),
    "recall_accept": gettext_lazy("Đồng ý thu hồi"),
    "recall_refuse": gettext_lazy("Từ chối thu hồi"),
    "task": gettext_lazy("Giao nhiệm vụ"),
}
CLOSED = {Status.COMPLETED, Status.REJECTED, Status.RECALLED}

TABS: list[tuple[str, Any]] = [
    ("queue", gettext_lazy("Văn bản đến chờ vào sổ")),
    ("mine", gettext_lazy("Việc của tôi")),
    ("incoming", gettext_lazy("Văn bản đến")),
    ("outgoing", gettext_lazy("Văn bản đi")),
    ("overdue", gettext_lazy("Quá hạn")),
    ("search", gettext_lazy("Tìm kiếm")),
    ("registers", gettext_lazy("Sổ văn bản")),
    ("dashboard", gettext_lazy("Bảng điều hành")),
]
TAB_URLS = {
    "queue": "documents:queue",
    "mine": "documents:mine",
    "incoming": "documents:incoming",
    "outgoing": "documents:outgoing",
    "overdue": "documents:overdue",
    "search": "documents:search",
    "registers": "documents:registers",
    "dashboard": "documents:dashboard",
}


# --- helpers -------------------------------------------------------------------------------------


def _officials_only(request: HttpRequest) -> None:
    if getattr(request.user, "kind", "") != "official":
        raise Forbidden(_("Trang này dành cho cán bộ, công chức."))


def _today() -> dt.date:
    return timezone.localdate()


def _paginate(request: HttpRequest, items: Any) -> tuple[Page, str]:
    page = Paginator(items, PER_PAGE).get_page(request.GET.get("trang"))
    params = {k: v for k, v in request.GET.items() if k != "trang" and v}
    return page, urlencode(params)


def _kind_name(code: str) -> str:
    kind = doctypes.BY_CODE.get(code)
    return kind.name if kind else code


def _late(document: Document, today: dt.date) -> bool:
    return bool(
        document.direction == Direction.INCOMING
        and document.deadline
        and document.deadline < today
        and document.status not in CLOSED
    )


def _row(document: Document, today: dt.date) -> dict[str, Any]:
    return {
        "obj": document,
        "kind": _kind_name(document.doc_type),
        "status": STATUS_LABELS.get(document.status, document.status),
        "urgency": URGENCY_LABELS.get(document.urgency, "") if document.urgency != Urgency.NORMAL else "",
        "secrecy": SECRECY_LABELS.get(document.secrecy, "") if document.secrecy != Secrecy.NORMAL else "",
        "late": _late(document, today),
        "date": document.issued_on
        or (timezone.localtime(document.received_at).date() if document.received_at else None)
        or timezone.localtime(document.created_at).date(),
    }


def _home_agency(request: HttpRequest) -> Any:
    agency = getattr(request.user, "agency", None)
    if agency is None:
        raise Forbidden(_("Tài khoản của bạn chưa thuộc cơ quan nào."))
    return agency


def _agency_choices(exclude_id: int | None = None) -> list[tuple[str, list[tuple[str, str]]]]:
    """Today's agency directory, grouped by level, for the recipients picker."""
    groups: dict[int, list[tuple[str, str]]] = {}
    for agency in (
        org_selectors.agencies_as_of(as_of=_today())
        .select_related(None)
        .only("pk", "code", "name", "level", "path")
    ):
        if agency.pk == exclude_id:
            continue
        groups.setdefault(agency.level, []).append((agency.code, f"{agency.name} ({agency.code})"))
    titles = {1: _("Cấp thành phố"), 2: _("Cấp huyện"), 3: _("Cấp xã, phường")}
    return [(str(titles.get(level, level)), sorted(rows)) for level, rows in sorted(groups.items())]


def _officials_in(agency: Any) -> QuerySet[Any]:
    """Active officials of an agency and its units (who may be assigned its documents)."""
    return (
        get_user_model()
        .objects.filter(kind="official", is_active=True, agency__path__startswith=agency.path)
        .select_related("agency")
        .order_by("agency__path", "full_name", "username")
    )


def _leaders_of(agency: Any) -> QuerySet[Any]:
    return _officials_in(agency).filter(role_assignments__role="leader", agency=agency).distinct()


def _official_label(user: Any, agency: Any) -> str:
    label = user.display_name
    if user.position:
        label += f", {user.position}"
    if user.agency_id != agency.pk:
        label += f" — {user.agency.name}"
    return label


def _upload(file: Any) -> services.Upload:
    return services.Upload(
        name=file.name or "van-ban.pdf",
        content=file.read(),
        content_type=(file.content_type or services.PDF).split(";")[0],
    )


def _place_errors(form: forms.Form, exc: DomainError) -> None:
    """A service's errors on the form's fields (by name), the rest above the form."""
    placed = False
    for problem in exc.errors:
        field = problem.get("field", "")
        if field in form.fields:
            form.add_error(field, translate_detail(problem.get("message", "")))
            placed = True
    if not placed:
        form.add_error(None, translate_detail(exc.detail))


# --- lists ---------------------------------------------------------------------------------------


def _default_tab(user: Any) -> str:
    return "queue" if can(user, "documents.register") else "mine"


def _tab_items(actor: Any, tab: str) -> Any:
    if tab == "queue":
        return selectors.incoming_queue(actor=actor)
    if tab == "mine":
        return selectors.my_work(actor=actor)
    if tab == "incoming":
        return selectors.document_list(actor=actor, direction=Direction.INCOMING)
    if tab == "outgoing":
        return selectors.document_list(actor=actor, direction=Direction.OUTGOING)
    return selectors.overdue_documents(actor=actor)


def _tabs(actor: Any) -> list[dict[str, Any]]:
    counts = {
        "queue": selectors.incoming_queue(actor=actor).count(),
        "mine": selectors.my_work(actor=actor).count(),
        "overdue": selectors.overdue_documents(actor=actor).count(),
    }
    leader = _may_see_dashboard(actor)
    return [
        {"code": c, "label": label, "url": TAB_URLS[c], "count": counts.get(c)}
        for c, label in TABS
        if c != "dashboard" or leader
    ]


def _may_see_dashboard(actor: Any) -> bool:
    return can(actor, "tasks.manage") or can(actor, "documents.assign")


def _list(request: HttpRequest, tab: str) -> HttpResponse:
    _officials_only(request)
    actor = request.user
    if not can(actor, "documents.view"):
        raise Forbidden(_("Bạn không có quyền xem văn bản."))
    today = _today()
    page, query = _paginate(request, _tab_items(actor, tab))
    agency = getattr(actor, "agency", None)
    return render(
        request,
        "documents/list.html",
        {
            "tab": tab,
            "title": dict(TABS)[tab],
            "tabs": _tabs(actor),
            "page": page,
            "query": query,
            "rows": [_row(d, today) for d in page],
            "today": today,
            "may_draft": agency is not None and can(actor, "documents.draft", agency),
            "may_receive": agency is not None and can(actor, "documents.register", agency),
            "incoming_cols": tab in {"queue", "mine", "incoming", "overdue"},
        },
    )


@login_required
@friendly_errors
def home(request: HttpRequest) -> HttpResponse:
    return _list(request, _default_tab(request.user))


@login_required
@friendly_errors
def queue(request: HttpRequest) -> HttpResponse:
    return _list(request, "queue")


@login_required
@friendly_errors
def mine(request: HttpRequest) -> HttpResponse:
    return _list(request, "mine")


@login_required
@friendly_errors
def incoming(request: HttpRequest) -> HttpResponse:
    return _list(request, "incoming")


@login_required
@friendly_errors
def outgoing(request: HttpRequest) -> HttpResponse:
    return _list(request, "outgoing")


@login_required
@friendly_errors
def overdue(request: HttpRequest) -> HttpResponse:
    return _list(request, "overdue")


# --- search --------------------------------------------------------------------------------------

FACET_TITLES: dict[str, Any] = {
    "direction": gettext_lazy("Văn bản đến, đi"),
    "doc_type": gettext_lazy("Loại văn bản"),
    "year": gettext_lazy("Năm"),
    "status": gettext_lazy("Trạng thái"),
    "urgency": gettext_lazy("Độ khẩn"),
}
DIRECTION_LABELS: dict[str, Any] = {
    Direction.INCOMING: gettext_lazy("Văn bản đến"),
    Direction.OUTGOING: gettext_lazy("Văn bản đi"),
}
SEARCH_PAGE_SIZE = 20


def _facet_label(name: str, value: Any, label: str) -> Any:
    if name == "status":
        return STATUS_LABELS.get(value, label)
    if name == "direction":
        return DIRECTION_LABELS.get(value, label)
    if name == "urgency":
        return URGENCY_LABELS.get(value, label)
    return label


def _int(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() else None


@login_required
@friendly_errors
def search(request: HttpRequest) -> HttpResponse:
    """Full text over what the reader may see, accent-insensitive, exact on number/notation; the
    facets count the result and each one narrows it (a link; again to remove)."""
    from congso.modules.documents.search import FACETS, document_search

    _officials_only(request)
    actor = request.user
    if not can(actor, "documents.view"):
        raise Forbidden(_("Bạn không có quyền xem văn bản."))
    q = (request.GET.get("q") or "").strip()[:300]
    chosen: dict[str, str] = {}
    for name in FACETS:
        value = (request.GET.get(name) or "").strip()
        if value and (name != "year" or _int(value) is not None):
            chosen[name] = value
    page = _int(request.GET.get("trang")) or 1
    result = document_search(
        actor=actor,
        q=q,
        doc_type=chosen.get("doc_type"),
        direction=chosen.get("direction"),
        year=_int(chosen.get("year")),
        status=chosen.get("status"),
        urgency=chosen.get("urgency"),
        page=page,
        page_size=SEARCH_PAGE_SIZE,
    )
    base = {"q": q, **chosen} if q else dict(chosen)

    def link(**changes: Any) -> str:
        params = {**base, **changes}
        return "?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})

    facets = []
    for name in FACETS:
        values = result.facets.get(name) or []
        if not values:
            continue
        facets.append(
            {
                "name": name,
                "title": FACET_TITLES[name],
                "values": [
                    {
                        "label": _facet_label(name, value, label),
                        "count": count,
                        "selected": chosen.get(name) == str(value),
                        "url": link(**{name: "" if chosen.get(name) == str(value) else value}),
                    }
                    for value, label, count in values
                ],
            }
        )
    today = _today()
    return render(
        request,
        "documents/search.html",
        {
            "tab": "search",
            "tabs": _tabs(actor),
            "q": q,
            "searched": bool(q or chosen),
            "result": result,
            "rows": [_row(d, today) for d in result.items],
            "facets": facets,
            "chosen": [
                {
                    "title": FACET_TITLES[n],
                    "label": next(
                        (v["label"] for f in facets if f["name"] == n for v in f["values"] if v["selected"]),
                        value,
                    ),
                    "url": link(**{n: ""}),
                }
                for n, value in chosen.items()
            ],
            "prev_url": link(trang=page - 1) if page > 1 else "",
            "next_url": link(trang=page + 1) if page < result.pages else "",
            "hidden": list(chosen.items()),
        },
    )


# --- registers -----------------------------------------------------------------------------------

REGISTER_KINDS: dict[str, tuple[str, Any]] = {
    "den": ("in", gettext_lazy("Sổ đăng ký văn bản đến")),
    "di": ("out", gettext_lazy("Sổ đăng ký văn bản đi")),
}


@login_required
@friendly_errors
def registers(request: HttpRequest) -> HttpResponse:
    """The agency's incoming or outgoing register of a year (Decree 30, Appendix IV), on screen
    and as .xlsx or PDF (?xuat=xlsx|pdf)."""
    from congso.modules.documents import registers as reg

    _officials_only(request)
    actor = request.user
    agency = _home_agency(request)
    which = request.GET.get("so") or "den"
    if which not in REGISTER_KINDS:
        which = "den"
    kind, title = REGISTER_KINDS[which]
    today = _today()
    year = _int(request.GET.get("nam")) or today.year
    if not 1990 <= year <= 2100:
        raise InvalidInput(_("Năm %(year)s không hợp lệ.") % {"year": year})
    read = reg.incoming_register if kind == "in" else reg.outgoing_register
    rows: list[Any] = list(read(actor=actor, agency=agency, year=year))
    export = request.GET.get("xuat", "")
    if export in {"xlsx", "pdf"}:
        if export == "xlsx":
            content = reg.register_xlsx(rows, kind, agency, year)  # type: ignore[arg-type]
            mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        else:
            content = reg.register_pdf(rows, kind, agency, year)  # type: ignore[arg-type]
            mime = "application/pdf"
        response = HttpResponse(content, content_type=mime)
        filename = reg.register_filename(kind, agency, year, export)  # type: ignore[arg-type]
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    page = Paginator(rows, 50).get_page(request.GET.get("trang"))
    query = urlencode({"so": which, "nam": year})
    return render(
        request,
        "documents/registers.html",
        {
            "tab": "registers",
            "tabs": _tabs(actor),
            "agency": agency,
            "which": which,
            "kinds": [(code, label) for code, (_k, label) in REGISTER_KINDS.items()],
            "title": title,
            "year": year,
            "years": list(range(today.year, today.year - 6, -1)),
            "columns": reg.INCOMING_COLUMNS if kind == "in" else reg.OUTGOING_COLUMNS,
            "page": page,
            "query": query,
            "rows": [
                {"id": r.document_id, "cells": r.cells(), "withheld": r.type_and_summary == reg.WITHHELD}
                for r in page
            ],
            "number_col": 1 if kind == "in" else 0,
            "xlsx_url": "?" + urlencode({"so": which, "nam": year, "xuat": "xlsx"}),
            "pdf_url": "?" + urlencode({"so": which, "nam": year, "xuat": "pdf"}),
        },
    )


# --- the leader's dashboard -----------------------------------------------------------------------


@login_required
@friendly_errors
def dashboard(request: HttpRequest) -> HttpResponse:
    """What is late, by agency and by handler, in the leader's scope."""
    from congso.modules.documents.dashboard import leader_dashboard, overdue_by_handler

    _officials_only(request)
    actor = request.user
    if not _may_see_dashboard(actor):
        raise Forbidden(_("Bảng điều hành dành cho lãnh đạo cơ quan."))
    today = _today()
    board = leader_dashboard(actor=actor, today=today, limit=20)
    return render(
        request,
        "documents/dashboard.html",
        {
            "tab": "dashboard",
            "tabs": _tabs(actor),
            "board": board,
            "handlers": overdue_by_handler(actor=actor, today=today)[:50],
            "today": today,
        },
    )


# --- forms ---------------------------------------------------------------------------------------

TYPE_CHOICES = [(t.code, t.name) for t in doctypes.DOCUMENT_TYPES]
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _urgency_choices() -> list[tuple[str, Any]]:
    return list(URGENCY_LABELS.items())


def _secrecy_choices() -> list[tuple[str, Any]]:
    return list(SECRECY_LABELS.items())


class DraftForm(forms.Form):
    """The shape of a draft; what is missing or wrong is for the service to say."""

    doc_type = forms.ChoiceField(label=gettext_lazy("Loại văn bản"), choices=TYPE_CHOICES, initial="CV")
    summary = forms.CharField(
        label=gettext_lazy("Trích yếu"),
        required=False,
        max_length=1000,
        help_text=gettext_lazy("Ví dụ: Về việc triển khai Kế hoạch chuyển đổi số năm 2026."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    body = forms.CharField(
        label=gettext_lazy("Nội dung văn bản"),
        required=False,
        help_text=gettext_lazy(
            "Soạn nội dung ở đây (hệ thống trình bày theo thể thức Nghị định 30) "
            "hoặc tải lên tệp PDF dự thảo."
        ),
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    file = forms.FileField(
        label=gettext_lazy("Tệp PDF dự thảo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
    recipients = forms.MultipleChoiceField(
        label=gettext_lazy("Nơi nhận trên nền tảng"),
        required=False,
        help_text=gettext_lazy("Giữ phím Ctrl (hoặc ⌘) để chọn nhiều cơ quan."),
        widget=forms.SelectMultiple(attrs={"size": 8, "data-picker": "1"}),
    )
    external = forms.CharField(
        label=gettext_lazy("Nơi nhận ngoài nền tảng (gửi bằng edXML)"),
        required=False,
        help_text=gettext_lazy("Mỗi dòng một cơ quan: mã định danh; tên cơ quan."),
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
    )
    urgency = forms.ChoiceField(label=gettext_lazy("Độ khẩn"), choices=_urgency_choices, initial="normal")
    secrecy = forms.ChoiceField(label=gettext_lazy("Độ mật"), choices=_secrecy_choices, initial="normal")
    deadline = forms.DateField(label=gettext_lazy("Hạn xử lý"), required=False, widget=DATE_WIDGET)
    signer = forms.ChoiceField(label=gettext_lazy("Người ký"), required=False)
    signer_position = forms.CharField(
        label=gettext_lazy("Chức vụ người ký"),
        required=False,
        max_length=150,
        help_text=gettext_lazy("Ví dụ: Giám đốc, KT. Giám đốc – Phó Giám đốc."),
    )

    def __init__(self, *args: Any, agency: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        groups = _agency_choices(exclude_id=agency.pk)
        self.agency_names = {code: label.rsplit(" (", 1)[0] for _g, rows in groups for code, label in rows}
        self.fields["recipients"].choices = groups  # type: ignore[attr-defined]
        self.leaders = {str(u.pk): u for u in _leaders_of(agency)}
        self.fields["signer"].choices = [("", _("— Chọn lãnh đạo ký —"))] + [  # type: ignore[attr-defined]
            (pk, _official_label(u, agency)) for pk, u in self.leaders.items()
        ]

    def clean_external(self) -> list[tuple[str, str]]:
        rows = []
        for n, line in enumerate(self.cleaned_data["external"].splitlines(), start=1):
            if not line.strip():
                continue
            code, sep, name = line.partition(";")
            if not sep or not code.strip() or not name.strip():
                raise forms.ValidationError(
                    _("Dòng %(n)s: ghi theo dạng 'mã định danh; tên cơ quan'.") % {"n": n}
                )
            rows.append((code.strip(), name.strip()))
        return rows


class IncomingForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Tệp văn bản (PDF) hoặc gói edXML"),
        required=False,
        help_text=gettext_lazy(
            "Văn bản điện tử được kiểm tra chữ ký số khi tiếp nhận. Với gói edXML (.xml), thông tin "
            "văn bản được đọc từ gói, không cần nhập các ô dưới đây."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf,.xml,application/xml"}),
    )
    paper = forms.BooleanField(
        label=gettext_lazy("Bản giấy (quét)"),
        required=False,
        help_text=gettext_lazy(
            "Văn bản giấy đã quét: không kiểm tra chữ ký số, nhận dạng chữ chạy trên bản sao."
        ),
    )
    doc_type = forms.ChoiceField(label=gettext_lazy("Loại văn bản"), choices=TYPE_CHOICES, initial="CV")
    number_notation = forms.CharField(
        label=gettext_lazy("Số, ký hiệu"),
        required=False,
        max_length=80,
        help_text=gettext_lazy("Ví dụ: 05/QĐ-UBND."),
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    issued_on = forms.DateField(label=gettext_lazy("Ngày ban hành"), required=False, widget=DATE_WIDGET)
    issuer_name = forms.CharField(label=gettext_lazy("Cơ quan ban hành"), required=False, max_length=200)
    issuer_code = forms.CharField(
        label=gettext_lazy("Mã định danh cơ quan ban hành"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    summary = forms.CharField(
        label=gettext_lazy("Trích yếu"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    signer_name = forms.CharField(label=gettext_lazy("Người ký"), required=False, max_length=150)
    signer_position = forms.CharField(label=gettext_lazy("Chức vụ người ký"), required=False, max_length=150)
    pages = forms.IntegerField(label=gettext_lazy("Số trang"), min_value=1, max_value=10000, initial=1)
    urgency = forms.ChoiceField(label=gettext_lazy("Độ khẩn"), choices=_urgency_choices, initial="normal")
    secrecy = forms.ChoiceField(label=gettext_lazy("Độ mật"), choices=_secrecy_choices, initial="normal")
    deadline = forms.DateField(label=gettext_lazy("Hạn xử lý"), required=False, widget=DATE_WIDGET)
    register = forms.BooleanField(
        label=gettext_lazy("Vào sổ ngay (cấp số đến)"),
        required=False,
        initial=True,
        help_text=gettext_lazy("Bỏ chọn để văn bản chờ trong danh sách chờ vào sổ."),
    )


class AssignForm(forms.Form):
    lead = forms.ChoiceField(label=gettext_lazy("Chủ trì"))
    coordinating = forms.MultipleChoiceField(
        label=gettext_lazy("Phối hợp"),
        required=False,
        help_text=gettext_lazy("Giữ phím Ctrl (hoặc ⌘) để chọn nhiều."),
        widget=forms.SelectMultiple(attrs={"size": 5, "data-picker": "1"}),
    )
    deadline = forms.DateField(label=gettext_lazy("Hạn xử lý"), required=False, widget=DATE_WIDGET)
    note = forms.CharField(
        label=gettext_lazy("Ý kiến chỉ đạo"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, agency: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "giao")
        super().__init__(*args, **kwargs)
        units = (
            org_selectors.agencies_as_of(as_of=_today())
            .filter(path__startswith=agency.path)
            .exclude(pk=agency.pk)
            .select_related(None)
            .only("pk", "code", "name", "path")
        )
        self.targets: dict[str, Any] = {f"u{a.pk}": a for a in units}
        officials = {f"o{u.pk}": u for u in _officials_in(agency)[:500]}
        self.targets.update(officials)
        choices: list[Any] = []
        if units:
            choices.append((_("Đơn vị"), [(f"u{a.pk}", a.name) for a in units]))
        choices.append((_("Cán bộ"), [(k, _official_label(u, agency)) for k, u in officials.items()]))
        self.fields["lead"].choices = [("", _("— Chọn đơn vị hoặc cán bộ chủ trì —")), *choices]  # type: ignore[attr-defined]
        self.fields["coordinating"].choices = choices  # type: ignore[attr-defined]


class DelegateForm(forms.Form):
    handler = forms.ChoiceField(label=gettext_lazy("Cán bộ xử lý"))
    note = forms.CharField(
        label=gettext_lazy("Ghi chú"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, agency: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "chuyen")
        super().__init__(*args, **kwargs)
        self.officials = {str(u.pk): u for u in _officials_in(agency)[:500]}
        self.fields["handler"].choices = [("", _("— Chọn cán bộ —"))] + [  # type: ignore[attr-defined]
            (k, _official_label(u, agency)) for k, u in self.officials.items()
        ]


# --- new outgoing draft --------------------------------------------------------------------------


@login_required
@friendly_errors
def draft_new(request: HttpRequest) -> HttpResponse:
    _officials_only(request)
    actor = request.user
    agency = _home_agency(request)
    if not can(actor, "documents.draft", agency):
        raise Forbidden(_("Bạn không có quyền soạn văn bản đi của cơ quan này."))
    form = DraftForm(request.POST or None, request.FILES or None, agency=agency)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            codes = list(data["recipients"])
            names = [form.agency_names[c] for c in codes if c in form.agency_names]
            signer = form.leaders.get(data["signer"])
            spec = services.DraftSpec(
                doc_type=data["doc_type"],
                summary=data["summary"],
                body=data["body"],
                file=_upload(data["file"]) if data["file"] else None,
                recipient_codes=codes,
                external_recipients=data["external"],
                urgency=data["urgency"],
                secrecy=data["secrecy"],
                deadline=data["deadline"],
                signer_name=signer.display_name if signer else "",
                signer_position=data["signer_position"] or (signer.position if signer else ""),
                extra={"recipient_names": [*names, *(n for _c, n in data["external"])]},
            )
            try:
                document = services.document_draft_create(actor=actor, agency=agency, spec=spec)
            except DomainError as exc:
                _place_errors(form, exc)
                status = exc.status
            else:
                messages.success(request, _("Đã tạo dự thảo. Kiểm tra lại rồi trình lãnh đạo duyệt."))
                return redirect("documents:detail", pk=document.pk)
    return render(
        request,
        "documents/draft_form.html",
        {"form": form, "agency": agency, "tab": "outgoing", "file_chosen": bool(request.FILES)},
        status=status,
    )


# --- new incoming --------------------------------------------------------------------------------


def _is_edxml(upload: services.Upload) -> bool:
    return upload.name.lower().endswith(".xml") or upload.content.lstrip()[:1] == b"<"


@login_required
@friendly_errors
def incoming_new(request: HttpRequest) -> HttpResponse:
    _officials_only(request)
    actor = request.user
    agency = _home_agency(request)
    if not can(actor, "documents.register", agency):
        raise Forbidden(_("Chỉ văn thư của cơ quan mới tiếp nhận văn bản đến."))
    form = IncomingForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                if not data["file"]:
                    raise InvalidInput(
                        _("Chọn tệp văn bản (PDF) hoặc gói edXML."),
                        errors=[{"field": "file", "message": _("Chọn tệp văn bản (PDF) hoặc gói edXML.")}],
                    )
                upload = _upload(data["file"])
                if _is_edxml(upload):
                    document = services.document_receive_edxml(
                        actor=actor, agency=agency, package=upload.content, register=data["register"]
                    )
                else:
                    document = services.document_receive(
                        actor=actor,
                        agency=agency,
                        spec=services.IncomingSpec(
                            doc_type=data["doc_type"],
                            number_notation=data["number_notation"],
                            issuer_name=data["issuer_name"],
                            summary=data["summary"],
                            issued_on=data["issued_on"],
                            issuer_code=data["issuer_code"],
                            signer_name=data["signer_name"],
                            signer_position=data["signer_position"],
                            pages=data["pages"] or 1,
                            urgency=data["urgency"],
                            secrecy=data["secrecy"],
                            deadline=data["deadline"],
                        ),
                        file=upload,
                        paper=data["paper"],
                        register=data["register"],
                    )
            except DomainError as exc:
                _place_errors(form, exc)
                status = exc.status
            else:
                if document.arrival_number:
                    messages.success(
                        request,
                        _("Đã tiếp nhận và vào sổ văn bản đến, số đến %(n)s.")
                        % {"n": document.arrival_number},
                    )
                else:
                    messages.success(request, _("Đã tiếp nhận văn bản; văn bản đang chờ vào sổ."))
                return redirect("documents:detail", pk=document.pk)
    return render(
        request,
        "documents/incoming_form.html",
        {"form": form, "agency": agency, "tab": "incoming"},
        status=status,
    )


# --- a document ----------------------------------------------------------------------------------


def _fresh(actor: Any, pk: int) -> Document:
    return selectors.document_get(actor=actor, pk=pk)


def _is_assigned(actor: Any, document: Document) -> bool:
    return any(
        a.handler_id == actor.pk or (a.unit_id and a.unit_id == getattr(actor, "agency_id", None))
        for a in selectors.document_assignments(document=document)
    )


def _recall_pending(document: Document) -> bool:
    return bool(
        document.source_id
        and Recipient.objects.filter(
            document_id=document.source_id, incoming=document, status=RecipientStatus.RECALL_REQUESTED
        ).exists()
    )


def _allowed(actor: Any, document: Document) -> dict[str, bool]:
    """The actions the actor may take on the document now: the policy and the status agree."""
    agency, status = document.agency, document.status
    out = document.direction == Direction.OUTGOING

    def may(action: str) -> bool:
        return can(actor, action, agency)

    assigned = _is_assigned(actor, document) if not out else False
    report = document.current_file.signature_report if document.current_file else None
    failed_check = document.channel != "paper" and report is not None and not report.get("ok")
    dispatched = out and document.trail.filter(action="dispatch").exists()
    return {
        "submit": out and status == Status.DRAFT and may("documents.draft"),
        "approve": out and status == Status.IN_REVIEW and may("documents.approve"),
        "return": out and status in {Status.IN_REVIEW, Status.APPROVED} and may("documents.approve"),
        "sign": out and status in {Status.IN_REVIEW, Status.APPROVED} and may("documents.sign"),
        "issue": out and status == Status.SIGNED and may("documents.issue"),
        "dispatch": out
        and status == Status.ISSUED
        and not dispatched
        and document.recipients.filter(channel="platform").exists()
        and may("documents.issue"),
        "register": not out and status == Status.PENDING and not failed_check and may("documents.register"),
        "refuse": not out and status == Status.PENDING and may("documents.register"),
        "present": not out and status == Status.RECEIVED and may("documents.register"),
        "assign": not out
        and status in {Status.RECEIVED, Status.PRESENTED, Status.ASSIGNED}
        and may("documents.assign"),
        "delegate": not out
        and status in {Status.ASSIGNED, Status.IN_PROGRESS}
        and may("documents.handle")
        and (assigned or may("documents.assign")),
        "comment": not out
        and status in {Status.ASSIGNED, Status.IN_PROGRESS, Status.PRESENTED, Status.RECEIVED}
        and (may("documents.handle") or may("documents.assign")),
        "complete": not out
        and status in {Status.ASSIGNED, Status.IN_PROGRESS}
        and may("documents.handle")
        and (assigned or may("documents.assign")),
        "recall": not out and may("documents.register") and _recall_pending(document),
    }


def _yes_no(value: Any) -> str:
    if value is None:
        return str(_("không rõ"))
    return str(_("có")) if value else str(_("không"))


def _signature_report(report: Any) -> dict[str, Any] | None:
    """The stored signature report, as rows for the page (each signature: who, when, and whether
    it is valid, the file intact since signing, the certificate trusted; the problems found)."""
    if not isinstance(report, dict):
        return None
    rows = []
    for sig in report.get("signatures") or []:
        at = sig.get("signed_at") or sig.get("signing_time") or sig.get("time")
        when = parse_datetime(at) if isinstance(at, str) else at
        rows.append(
            {
                "signer": sig.get("signer") or sig.get("signer_name") or sig.get("subject") or "—",
                "at": timezone.localtime(when)
                if isinstance(when, dt.datetime) and timezone.is_aware(when)
                else when,
                "at_text": at if isinstance(at, str) and when is None else "",
                "valid": sig.get("valid"),
                "intact": sig.get("intact"),
                "trusted": sig.get("trusted"),
                "timestamped": sig.get("timestamped", sig.get("timestamp")),
                "kind": sig.get("kind") or sig.get("field") or "",
                "problems": [translate_detail(p) for p in sig.get("problems") or []],
                "ok": bool(sig["ok"])
                if "ok" in sig
                else bool(sig.get("valid")) and bool(sig.get("intact")) and bool(sig.get("trusted")),
            }
        )
    return {
        "ok": bool(report.get("ok")),
        "summary": translate_detail(report.get("summary") or ""),
        "problems": [translate_detail(p) for p in report.get("problems") or []],
        "rows": rows,
    }


def _detail(
    request: HttpRequest,
    document: Document,
    *,
    error: str = "",
    failed: str = "",
    assign_form: AssignForm | None = None,
    delegate_form: DelegateForm | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = request.user
    today = _today()
    allowed = _allowed(actor, document)
    recipients = [
        {
            "name": r.agency.name if r.agency else r.external_name,
            "code": r.agency.code if r.agency else r.external_code,
            "channel": CHANNEL_LABELS.get(r.channel, r.channel),
            "status": RECIPIENT_LABELS.get(r.status, r.status),
            "code_status": r.status,
            "at": r.updated_at,
        }
        for r in document.recipients.select_related("agency")
    ]
    assignments = [
        {
            "role": ROLE_LABELS.get(a.role, a.role),
            "who": a.unit.name if a.unit else (a.handler.display_name if a.handler else "—"),
            "deadline": a.deadline,
            "by": a.assigned_by.display_name if a.assigned_by else "",
            "at": a.assigned_at,
            "done": a.completed_at,
            "note": a.note,
        }
        for a in selectors.document_assignments(document=document).select_related("assigned_by")
    ]
    trail = [
        {"at": t.at, "who": t.actor_name, "action": TRAIL_LABELS.get(t.action, t.action), "note": t.note}
        for t in selectors.document_trail(actor=actor, document=document)
    ]
    files = [
        {"obj": f, "role": FILE_LABELS.get(f.role, f.role), "current": f.pk == document.current_file_id}
        for f in document.files.all()
    ]
    posted = request.POST if failed else {}
    if allowed["assign"] and assign_form is None:
        assign_form = AssignForm(agency=document.agency)
    if allowed["delegate"] and delegate_form is None:
        delegate_form = DelegateForm(agency=document.agency)
    report = document.current_file.signature_report if document.current_file else None
    # views_tasks builds on this module's helpers, so it is imported here rather than at the top.
    from congso.modules.documents import views_tasks

    return render(
        request,
        "documents/detail.html",
        {
            "doc": document,
            "doc_tasks": views_tasks.tasks_of_document(actor, document),
            "row": _row(document, today),
            "kind": _kind_name(document.doc_type),
            "status_label": STATUS_LABELS.get(document.status, document.status),
            "urgency": URGENCY_LABELS.get(document.urgency, document.urgency),
            "secrecy": SECRECY_LABELS.get(document.secrecy, document.secrecy),
            "channel": CHANNEL_LABELS.get(document.channel, document.channel),
            "outgoing": document.direction == Direction.OUTGOING,
            "draft_statuses": [Status.DRAFT, Status.IN_REVIEW, Status.APPROVED],
            "late": _late(document, today),
            "recipients": recipients,
            "assignments": assignments,
            "trail": trail,
            "files": files,
            "report": _signature_report(report),
            "allowed": allowed,
            "any_action": any(allowed.values()),
            "assign_form": assign_form,
            "delegate_form": delegate_form,
            "error": error,
            "failed": failed,
            "posted": posted,
            "tab": "outgoing" if document.direction == Direction.OUTGOING else "incoming",
        },
        status=status,
    )


@login_required
@friendly_errors
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    _officials_only(request)
    return _detail(request, _fresh(request.user, pk))


@login_required
@friendly_errors
def file(request: HttpRequest, pk: int) -> HttpResponse:
    """The document's current file (or one of its files, ?tep=<id>), shown in the browser."""
    _officials_only(request)
    document = _fresh(request.user, pk)
    wanted = request.GET.get("tep", "")
    chosen = document.files.filter(pk=int(wanted)).first() if wanted.isdigit() else document.current_file
    if chosen is None:
        raise NotFound(_("Văn bản chưa có tệp."))
    response = HttpResponse(blob_read(chosen.sha256), content_type=chosen.content_type)
    ascii_name = chosen.name.encode("ascii", "ignore").decode() or "van-ban.pdf"
    response["Content-Disposition"] = f'inline; filename="{ascii_name}"'
    response["X-Content-SHA256"] = chosen.sha256
    return response


# --- actions -------------------------------------------------------------------------------------


def _note(request: HttpRequest, name: str = "note") -> str:
    return (request.POST.get(name) or "").strip()


def _do(request: HttpRequest, document: Document, action: str) -> tuple[str, Any]:
    """Run one action; returns the success message, or raises a DomainError / a bound form."""
    actor = request.user
    if action == "submit":
        services.document_submit_review(actor=actor, document=document, note=_note(request))
        return _("Đã trình lãnh đạo duyệt dự thảo."), None
    if action == "approve":
        services.document_approve(actor=actor, document=document, note=_note(request))
        return _("Đã duyệt dự thảo."), None
    if action == "return":
        services.document_return(actor=actor, document=document, comment=_note(request, "comment"))
        return _("Đã trả lại dự thảo kèm ý kiến."), None
    if action == "sign":
        services.document_sign(actor=actor, document=document)
        return _("Đã ký số văn bản."), None
    if action == "issue":
        issued = services.document_issue(actor=actor, document=document)
        return _("Đã cấp số %(n)s và ký số của cơ quan.") % {"n": issued.number_notation}, None
    if action == "dispatch":
        delivered = services.document_dispatch(actor=actor, document=document)
        return _("Đã phát hành văn bản tới %(n)s nơi nhận trên nền tảng.") % {"n": len(delivered)}, None
    if action == "register":
        registered = services.document_register(actor=actor, document=document)
        return _("Đã vào sổ văn bản đến, số đến %(n)s.") % {"n": registered.arrival_number}, None
    if action == "refuse":
        services.document_refuse(actor=actor, document=document, reason=_note(request, "reason"))
        return _("Đã từ chối văn bản đến."), None
    if action == "present":
        services.document_present(actor=actor, document=document, note=_note(request))
        return _("Đã trình lãnh đạo."), None
    if action == "assign":
        form = AssignForm(request.POST, agency=document.agency)
        if not form.is_valid():
            return "", form
        data = form.cleaned_data
        services.document_assign(
            actor=actor,
            document=document,
            lead=form.targets[data["lead"]],
            coordinating=[form.targets[c] for c in data["coordinating"] if c != data["lead"]],
            deadline=data["deadline"],
            note=data["note"],
        )
        return _("Đã giao xử lý văn bản."), None
    if action == "delegate":
        delegate = DelegateForm(request.POST, agency=document.agency)
        if not delegate.is_valid():
            return "", delegate
        handler = delegate.officials[delegate.cleaned_data["handler"]]
        services.document_delegate(
            actor=actor, document=document, handler=handler, note=delegate.cleaned_data["note"]
        )
        return _("Đã chuyển %(name)s xử lý.") % {"name": handler.display_name}, None
    if action == "comment":
        services.document_comment(actor=actor, document=document, note=_note(request))
        return _("Đã ghi ý kiến."), None
    if action == "complete":
        services.document_complete(actor=actor, document=document, note=_note(request))
        return _("Đã hoàn thành xử lý văn bản."), None
    if action == "recall":
        accept = request.POST.get("accept") == "1"
        services.document_recall_answer(actor=actor, document=document, accept=accept, note=_note(request))
        return (_("Đã đồng ý thu hồi văn bản.") if accept else _("Đã từ chối thu hồi văn bản.")), None
    raise NotFound(_("Không có thao tác này."))


ACTION_SLUGS = {
    "trinh-duyet": "submit",
    "duyet": "approve",
    "tra-lai": "return",
    "ky-so": "sign",
    "cap-so": "issue",
    "phat-hanh": "dispatch",
    "vao-so": "register",
    "tu-choi": "refuse",
    "trinh-lanh-dao": "present",
    "giao-xu-ly": "assign",
    "chuyen-xu-ly": "delegate",
    "y-kien": "comment",
    "hoan-thanh": "complete",
    "thu-hoi": "recall",
}


@login_required
@require_POST
@friendly_errors
def act(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    _officials_only(request)
    action = ACTION_SLUGS.get(slug)
    if action is None:
        raise NotFound(_("Không có thao tác này."))
    document = _fresh(request.user, pk)
    try:
        message, bad_form = _do(request, document, action)
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        # The page again, with the message and what was typed; nothing has changed.
        document = _fresh(request.user, pk)
        forms_kept: dict[str, Any] = {}
        if action == "assign":
            forms_kept["assign_form"] = AssignForm(request.POST, agency=document.agency)
        if action == "delegate":
            forms_kept["delegate_form"] = DelegateForm(request.POST, agency=document.agency)
        return _detail(
            request,
            document,
            error=translate_detail(exc.detail),
            failed=action,
            status=exc.status,
            **forms_kept,
        )
    if bad_form is not None:
        document = _fresh(request.user, pk)
        kept = {"assign_form": bad_form} if action == "assign" else {"delegate_form": bad_form}
        return _detail(
            request,
            document,
            error=_("Vui lòng kiểm tra lại các ô được đánh dấu."),
            failed=action,
            status=400,
            **kept,
        )
    messages.success(request, message)
    return redirect("documents:detail", pk=pk)
