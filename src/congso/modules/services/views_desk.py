"""The one-stop desk and the offices that settle dossiers (một cửa, xử lý hồ sơ), for officials,
mounted at /dich-vu-cong/mot-cua/.

- ``/mot-cua/`` the queue, in tabs with their counts: waiting for the desk to accept (dossiers
  filed online or entered at my desk), being processed (the open steps my unit or I hold, soonest
  due first, overdue and due today marked, the working days left), waiting for a supplement,
  waiting for the result to be handed back, finished.
- ``/mot-cua/tiep-nhan/`` a paper dossier entered at the desk: the procedure (searched), the
  applicant, the form of the procedure's version, a scan per document and a tick per document the
  desk has checked; filed with ``services.dossier_submit`` under the form's idempotency key.
- ``/mot-cua/ho-so/<code>/`` a dossier as officials see it: applicant, procedure and version, the
  dates and the pause, the steps, the process control log, files, the papers it produced, payments,
  and the forms of the actions the reader may take now (the same policy and status rules as
  ``processing``, which checks them again). ``…/thao-tac/<action>/`` runs one (POST, then back to
  the page with a message and a link to the paper it produced); ``…/phieu/<kind>/`` downloads a
  paper as PDF.

Views parse input, call services/selectors, and render; the rules and messages are the services'.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from congso.core.accounts.models import AccountKind, Role, User
from congso.core.calendar.workdays import VN_TZ, working_days_between
from congso.core.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from congso.core.files import blob_read
from congso.core.org.models import Agency, AgencyKind, UnitLevel
from congso.core.policy import agency_scope, can
from congso.core.policy.engine import actions_of
from congso.modules.services import catalogue, payments, population, processing, selectors, services
from congso.modules.services.models import (
    Dossier,
    DossierStatus,
    DossierStep,
    PaymentStatus,
    Procedure,
    ProcedureLevel,
    ProcedureVersion,
    SlipKind,
)
from congso.modules.services.views import (
    ACCEPTED_FILES,
    CHANNEL_LABELS,
    EVENT_LABELS,
    KEY_FIELD,
    STATE_HELD_LABELS,
    STATUS_LABELS,
    STEP_ROLE_LABELS,
    _competent_options,
    _fee,
    _field_rows,
    _form_rows,
    _procedure_row,
    _uploaded,
)
from congso.web.errors import friendly_errors
from congso.web.labels import translate_detail

S = DossierStatus
PER_PAGE = 20

# (slug, label): the queue's tabs, in the order of a dossier's life.
TABS: list[tuple[str, Any]] = [
    ("cho-tiep-nhan", gettext_lazy("Chờ tiếp nhận")),
    ("dang-xu-ly", gettext_lazy("Đang xử lý")),
    ("cho-bo-sung", gettext_lazy("Chờ bổ sung")),
    ("cho-tra", gettext_lazy("Chờ trả kết quả")),
    ("da-xong", gettext_lazy("Đã xong")),
]
FINISHED = (S.RETURNED, S.REFUSED, S.WITHDRAWN)

SLIP_LABELS: dict[str, Any] = {
    SlipKind.RECEIPT: gettext_lazy("Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
    SlipKind.SUPPLEMENT_REQUEST: gettext_lazy("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
    SlipKind.REFUSAL: gettext_lazy("Phiếu từ chối tiếp nhận, giải quyết hồ sơ"),
    SlipKind.APOLOGY: gettext_lazy("Phiếu xin lỗi và hẹn lại ngày trả kết quả"),
    SlipKind.CONTROL: gettext_lazy("Phiếu kiểm soát quá trình giải quyết hồ sơ"),
    SlipKind.RESULT: gettext_lazy("Kết quả giải quyết thủ tục hành chính"),
}
PAYMENT_LABELS: dict[str, Any] = {
    PaymentStatus.PENDING: gettext_lazy("Chờ thanh toán"),
    PaymentStatus.PAID: gettext_lazy("Đã thanh toán"),
    PaymentStatus.FAILED: gettext_lazy("Thanh toán không thành công"),
    PaymentStatus.EXPIRED: gettext_lazy("Hết hạn thanh toán"),
}

# The actions on a dossier's page: URL slug → name (the keys of ``_allowed``).
ACTION_SLUGS = {
    "tiep-nhan": "accept",
    "yeu-cau-bo-sung": "request_supplement",
    "nhan-bo-sung": "supplement",
    "chuyen-xu-ly": "hand_over",
    "tu-choi": "refuse",
    "xin-loi": "apologise",
    "ky-ket-qua": "decide",
    "tra-ket-qua": "return_result",
    "rut-ho-so": "withdraw",
}
SLUG_OF = {name: slug for slug, name in ACTION_SLUGS.items()}
# The right a step's role needs on the step's agency (processing.STEP_ACTION, keyed by plain str).
_STEP_ACTION: dict[str, str] = {str(role): action for role, action in processing.STEP_ACTION.items()}


# --- helpers -------------------------------------------------------------------------------------


def _now() -> dt.datetime:
    # The services' clock: what the pages call overdue agrees with what the services record.
    return services._now()


def _local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment, VN_TZ).date()


def _officials_only(request: HttpRequest) -> None:
    if getattr(request.user, "kind", "") != AccountKind.OFFICIAL:
        raise Forbidden(_("Trang này dành cho cán bộ, công chức."))


def _viewer(request: HttpRequest) -> Any:
    """An official who holds "services.view" somewhere."""
    _officials_only(request)
    if not can(request.user, "services.view"):
        raise Forbidden(_("Bạn không có quyền xem hồ sơ thủ tục hành chính."))
    return request.user


def _desk_of(user: Any) -> Agency:
    """The one-stop unit where ``user`` receives dossiers (their own agency)."""
    agency = getattr(user, "agency", None)
    if (
        getattr(user, "kind", "") != AccountKind.OFFICIAL
        or agency is None
        or agency.kind != AgencyKind.ONE_STOP_CENTRE
        or not can(user, "services.receive", agency)
    ):
        raise Forbidden(
            _("Chỉ cán bộ bộ phận một cửa mới tiếp nhận hồ sơ, tại bộ phận một cửa nơi mình làm việc.")
        )
    return agency


def _may_enter(user: Any) -> bool:
    try:
        _desk_of(user)
    except Forbidden:
        return False
    return True


def _remaining(due_at: dt.datetime, now: dt.datetime) -> dict[str, Any]:
    """How the due date stands today: overdue (by how many working days), due today, or the
    working days left (the day it is due counts, today does not)."""
    today, due_day = _local_day(now), _local_day(due_at)
    if due_at < now:
        late = working_days_between(due_day, today)
        if late:
            text = _("Quá hạn {n} ngày làm việc").format(n=late)
        else:
            text = _("Quá hạn từ {time} hôm nay").format(time=f"{timezone.localtime(due_at, VN_TZ):%H:%M}")
        return {"state": "late", "text": text, "days": -late}
    if due_day == today:
        return {"state": "today", "text": _("Hạn hôm nay"), "days": 0}
    left = working_days_between(today, due_day)
    return {"state": "ok", "text": _("Còn {n} ngày làm việc").format(n=left), "days": left}


# --- the queue -----------------------------------------------------------------------------------


def _either(receive: Any, field_name: str, other: Q) -> Q | None:
    """Rows with ``field_name`` in the receive scope, or matching ``other``; None for everything.
    (An everything-scope is an empty Q(), which an OR would silently drop.)"""
    if receive.everything:
        return None
    return other | receive.q(field_name) if not receive.empty else other


def _tab_items(actor: Any, tab: str, now: dt.datetime) -> QuerySet[Any]:
    visible = selectors.visible_dossiers(actor).select_related(
        "procedure", "receiving_agency", "current_agency"
    )
    receive = agency_scope(actor, "services.receive")
    queue = selectors.dossier_queue(actor=actor, now=now)
    if tab == "cho-tiep-nhan":
        if receive.empty:
            return visible.none()
        return visible.filter(receive.q("receiving_agency"), status__in=(S.SUBMITTED, S.ACCEPTED)).order_by(
            "received_at", "id"
        )
    if tab == "dang-xu-ly":
        return queue.filter(dossier__status=S.IN_PROGRESS)
    if tab == "cho-bo-sung":
        cond = _either(receive, "receiving_agency", Q(pk__in=queue.values("dossier_id")))
        waiting = visible.filter(status=S.SUPPLEMENT_REQUESTED)
        return (waiting if cond is None else waiting.filter(cond)).order_by("paused_at", "id")
    if tab == "cho-tra":
        return visible.filter(status=S.DONE).order_by("decided_at", "id")
    return visible.filter(status__in=FINISHED).order_by("-updated_at", "-id")


def _dossier_row(d: Dossier, now: dt.datetime) -> dict[str, Any]:
    closed = d.status in (S.DONE, *FINISHED)
    return {
        "d": d,
        "status": STATUS_LABELS.get(d.status, d.status),
        "due": None if closed or d.status == S.SUPPLEMENT_REQUESTED else _remaining(d.due_at, now),
    }


def _step_row(s: DossierStep, now: dt.datetime) -> dict[str, Any]:
    return {
        "d": s.dossier,
        "step": s,
        "role": STEP_ROLE_LABELS.get(s.role, s.role),
        "status": STATUS_LABELS.get(s.dossier.status, s.dossier.status),
        "due": _remaining(s.due_at, now),
    }


@login_required
@never_cache
@friendly_errors
def desk_queue_view(request: HttpRequest) -> HttpResponse:
    actor = _viewer(request)
    now = _now()
    may_enter = _may_enter(actor)
    tab = request.GET.get("tab") or ""
    if tab not in dict(TABS):
        tab = "cho-tiep-nhan" if can(actor, "services.receive") else "dang-xu-ly"
    tabs = [
        {"code": code, "label": label, "count": _tab_items(actor, code, now).count()} for code, label in TABS
    ]
    page = Paginator(_tab_items(actor, tab, now), PER_PAGE).get_page(request.GET.get("trang"))
    rows = [_step_row(s, now) if tab == "dang-xu-ly" else _dossier_row(s, now) for s in page]
    return render(
        request,
        "services/desk_queue.html",
        {
            "tab": tab,
            "tabs": tabs,
            "title": dict(TABS)[tab],
            "page": page,
            "query": urlencode({"tab": tab}),
            "rows": rows,
            "today": _local_day(now),
            "may_enter": may_enter,
        },
    )


# --- desk entry of a paper dossier ---------------------------------------------------------------


@dataclass
class EntryState:
    """What the entry form shows: the values typed, the documents ticked, the errors by field."""

    key: str
    values: dict[str, str] = field(default_factory=dict)
    applicant: dict[str, str] = field(default_factory=dict)  # name, id_number, phone, email
    competent: str = ""
    checked: set[str] = field(default_factory=set)  # inputs of the documents the desk has checked
    errors: dict[str, list[str]] = field(default_factory=dict)
    summary: list[dict[str, str]] = field(default_factory=list)
    detail: str = ""
    notice: str = ""
    lookup: population.Citizen | None = None
    lookup_missed: bool = False
    files_lost: bool = False

    def add(self, key: str, message: str) -> None:
        self.errors.setdefault(key, []).append(message)


def _paper_documents(version: ProcedureVersion) -> list[dict[str, Any]]:
    """The documents the applicant brings on paper (those the state does not already hold), each
    with its file input (``tep_<i>``) and its checkbox (``nhan_<i>``)."""
    return [
        {**d, "input": f"tep_{i}", "check": f"nhan_{i}", "id": f"t-{i}"}
        for i, d in enumerate(version.documents)
        if not d.get("state_held")
    ]


def _asks_competent(procedure: Procedure, desk: Agency) -> bool:
    return procedure.level == ProcedureLevel.COMMUNE and desk.level != UnitLevel.COMMUNE


def _render_entry(
    request: HttpRequest,
    desk: Agency,
    procedure: Procedure,
    version: ProcedureVersion,
    state: EntryState,
    status: int = 200,
) -> HttpResponse:
    documents = [
        {**d, "checked": d["check"] in state.checked, "errors": state.errors.get(d["input"], [])}
        for d in _paper_documents(version)
    ]
    fields = _field_rows(version, state.values, state.errors)
    return render(
        request,
        "services/desk_entry.html",
        {
            "desk": desk,
            "p": procedure,
            "version": version,
            "row": _procedure_row(procedure, version),
            "state": state,
            "fields": fields,
            "documents": documents,
            "held": [
                {**d, "source": STATE_HELD_LABELS.get(d["state_held"], "")}
                for d in version.documents
                if d.get("state_held")
            ],
            "competent_options": _competent_options(_local_day(_now()))
            if _asks_competent(procedure, desk)
            else [],
            "accepted_files": ACCEPTED_FILES,
            "max_mb": services.MAX_FILE_BYTES // 1024 // 1024,
            "key_field": KEY_FIELD,
        },
        status=status,
    )


def _render_search(request: HttpRequest, desk: Agency) -> HttpResponse:
    q = (request.GET.get("q") or "").strip()[:200]
    items = selectors.procedure_list(q=q or None)
    page = Paginator(items, PER_PAGE).get_page(request.GET.get("trang"))
    return render(
        request,
        "services/desk_entry.html",
        {
            "desk": desk,
            "p": None,
            "q": q,
            "page": page,
            "query": urlencode({"q": q} if q else {}),
            "rows": [_procedure_row(p, selectors.version_on(p)) for p in page],
        },
    )


ENTRY_LABELS = {
    "applicant_name": gettext_lazy("Họ và tên người nộp"),
    "applicant_id_number": gettext_lazy("Số định danh cá nhân"),
    "competent_agency": gettext_lazy("Ủy ban nhân dân xã, phường có thẩm quyền"),
}
ENTRY_IDS = {
    "applicant_name": "f-applicant-name",
    "applicant_id_number": "f-applicant-id",
    "competent_agency": "f-competent",
}


def _place_entry_errors(
    state: EntryState, version: ProcedureVersion, problems: list[dict[str, str]], uploaded: dict[str, str]
) -> None:
    """Each problem at its field (``form.<name>``, the applicant, a document by the file or the
    document it names), the rest above the form; then the summary in the order of the page."""
    docs = _paper_documents(version)
    general: list[str] = []
    for problem in problems:
        where, message = problem.get("field", ""), translate_detail(problem.get("message", ""))
        if where.startswith("form.") or where in ENTRY_LABELS or where.startswith("tep_"):
            state.add(where, message)
        elif where == "attachments":
            by_file = [i for name, i in uploaded.items() if f"'{name}'" in message]
            by_doc = [d["input"] for d in docs if d["name"] in message]
            if by_file or by_doc:
                state.add((by_file or by_doc)[0], message)
            else:
                general.append(message)
        else:
            general.append(message)
    order = ["applicant_id_number", "applicant_name", *(f"form.{f['name']}" for f in version.form_fields)]
    order += [d["input"] for d in docs] + ["competent_agency"]
    ids = {**ENTRY_IDS, **{f"form.{f['name']}": f"f-{f['name']}" for f in version.form_fields}}
    ids.update({d["input"]: d["id"] for d in docs})
    for key in order:
        for message in state.errors.get(key, []):
            labelled = key in ENTRY_LABELS and ":" not in message
            text = f"{ENTRY_LABELS[key]}: {message}" if labelled else message
            state.summary.append({"href": f"#{ids[key]}", "text": text})
    state.summary += [{"href": "", "text": m} for m in general]


def _entry_attachments(
    request: HttpRequest, version: ProcedureVersion
) -> tuple[list[services.Attachment], dict[str, str]]:
    """The scans chosen, per document, and the input each file name came from."""
    return _uploaded(request, _paper_documents(version), unnamed="ban-quet")


def _completeness(version: ProcedureVersion, state: EntryState, scanned: set[str]) -> list[dict[str, str]]:
    """The desk checks the papers before it files: every required document must be ticked (or
    scanned). A dossier that is not complete is not received; the applicant is told what is
    missing (Decree 118/2025, Article 15)."""
    return [
        {
            "field": d["input"],
            "message": _("Chưa kiểm tra, đánh dấu đã nhận: {name}.").format(name=d["name"]),
        }
        for d in _paper_documents(version)
        if d.get("required") and d["check"] not in state.checked and d["name"] not in scanned
    ]


@login_required
@never_cache
@friendly_errors
def desk_entry_view(request: HttpRequest) -> HttpResponse:
    """GET: find the procedure (``q``), then its form (``thu_tuc``). POST: file the dossier, or look
    the applicant up in the population database (``tra_cuu``)."""
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    _officials_only(request)
    user = request.user
    desk = _desk_of(user)
    source = request.POST if request.method == "POST" else request.GET
    code = (source.get("thu_tuc") or "").strip()[:20]
    if not code:
        return _render_search(request, desk)
    procedure = selectors.procedure_get(code=code)
    version = selectors.version_on(procedure, _local_day(_now()))
    if version is None:
        raise InvalidInput(
            _("Thủ tục {code} chưa có phiên bản hiệu lực vào ngày {date}.").format(
                code=procedure.code, date=f"{_local_day(_now()):%d/%m/%Y}"
            )
        )
    if request.method == "GET":
        return _render_entry(request, desk, procedure, version, EntryState(key=secrets.token_urlsafe(18)))

    post = request.POST
    docs = _paper_documents(version)
    state = EntryState(
        key=(post.get(KEY_FIELD) or "").strip()[:200] or secrets.token_urlsafe(18),
        values={f["name"]: post.get(f"f_{f['name']}", "") for f in version.form_fields},
        applicant={
            k: (post.get(f"applicant_{k}") or "").strip() for k in ("name", "id_number", "phone", "email")
        },
        competent=(post.get("competent_agency") or "").strip() if _asks_competent(procedure, desk) else "",
        checked={d["check"] for d in docs if post.get(d["check"])},
    )
    if "tra_cuu" in post:
        person = population.registry().lookup(state.applicant["id_number"])
        if person is None:
            state.lookup_missed = True
        else:
            state.lookup = person
            state.applicant["name"] = person.full_name
        return _render_entry(request, desk, procedure, version, state)

    attachments, uploaded = _entry_attachments(request, version)
    missing = _completeness(version, state, {a.document for a in attachments})
    if missing:
        # Not filed: the form's own errors are shown at the same time.
        problems = list(missing)
        problems += catalogue.validate_form(catalogue.fields_of(version.form_fields), state.values)[1]
        if not state.applicant["name"]:
            problems.append({"field": "applicant_name", "message": _("bắt buộc phải nhập.")})
        if not services.NATIONAL_ID.match(state.applicant["id_number"]):
            problems.append({"field": "applicant_id_number", "message": _("phải gồm đúng 12 chữ số.")})
        state.detail = _("Hồ sơ chưa đủ thành phần hoặc còn lỗi, chưa được tiếp nhận.")
        _place_entry_errors(state, version, problems, uploaded)
        state.files_lost = bool(attachments)
        return _render_entry(request, desk, procedure, version, state, status=400)

    spec = services.SubmissionSpec(
        procedure_code=procedure.code,
        form=state.values,
        attachments=attachments,
        agency_code=desk.code,
        competent_agency_code=state.competent,
        applicant_name=state.applicant["name"],
        applicant_id_number=state.applicant["id_number"],
        applicant_phone=state.applicant["phone"],
        applicant_email=state.applicant["email"],
    )
    try:
        result = services.dossier_submit(actor=user, spec=spec, idempotency_key=state.key)
    except InvalidInput as exc:
        problems = list(exc.errors)
        if not any(e.get("field", "").startswith("form.") for e in problems):
            # The service stopped before reading the form: check it too, so every error shows.
            problems += catalogue.validate_form(catalogue.fields_of(version.form_fields), state.values)[1]
        state.detail = translate_detail(exc.detail)
        _place_entry_errors(state, version, problems, uploaded)
        state.files_lost = bool(attachments)
        return _render_entry(request, desk, procedure, version, state, status=400)
    except Conflict:
        # This form's key already filed another dossier (the form was changed and sent again).
        state.key = secrets.token_urlsafe(18)
        state.notice = _(
            "Tờ khai này đã được dùng để nhập một hồ sơ trước đó. Nếu đây là một hồ sơ mới, hãy kiểm tra "
            "lại các thông tin dưới đây và bấm nhập lại."
        )
        state.files_lost = bool(attachments)
        return _render_entry(request, desk, procedure, version, state, status=409)
    d = result.dossier
    if result.replayed:
        messages.info(request, _("Hồ sơ {code} đã được nhập trước đó.").format(code=d.code))
    else:
        messages.success(
            request,
            format_html(
                '{} <strong class="code">{}</strong>',
                _(
                    "Đã nhập hồ sơ {code}, hạn giải quyết {due}. Mã tra cứu của người nộp (chỉ hiện một lần):"
                ).format(code=d.code, due=_when(d.due_at)),
                result.tracking_token or "",
            ),
        )
    return redirect("services:desk_dossier", code=d.code)


# --- a dossier -----------------------------------------------------------------------------------


def _dossier(actor: Any, code: str) -> Dossier:
    return selectors.dossier_get(actor=actor, code=code[:40])


@dataclass
class Situation:
    """Where a dossier stands: its steps, the open one and the one after it."""

    steps: list[DossierStep]
    open_step: DossierStep | None
    following: DossierStep | None

    @classmethod
    def of(cls, d: Dossier) -> Situation:
        steps = list(selectors.dossier_steps(d))
        current = next((s for s in steps if s.started_at is not None and s.done_at is None), None)
        after = next((s for s in steps if current is not None and s.order > current.order), None)
        return cls(steps, current, after)


def _allowed(actor: Any, d: Dossier, at: Situation) -> dict[str, bool]:
    """The actions ``actor`` may take on ``d`` now: the policy and the status as ``processing``
    checks them (it checks them again)."""
    receive_here = can(actor, "services.receive", d.receiving_agency)
    decide_here = can(actor, "services.decide", d.competent_agency)
    step = at.open_step
    holds = step is not None and can(actor, _STEP_ACTION.get(step.role, "services.process"), step.agency)
    accepted = bool(at.steps)
    running = d.status == S.IN_PROGRESS
    return {
        "accept": d.status in (S.SUBMITTED, S.ACCEPTED) and not accepted and receive_here,
        "request_supplement": d.status in (S.SUBMITTED, S.ACCEPTED, S.IN_PROGRESS)
        and (holds or receive_here),
        "supplement": d.status == S.SUPPLEMENT_REQUESTED and receive_here,
        "hand_over": running and holds and at.following is not None,
        "apologise": running and decide_here,
        "decide": running and decide_here and step is not None and at.following is None,
        "return_result": d.status == S.DONE and receive_here,
        "refuse": d.status in processing.OPEN and (decide_here if accepted else receive_here),
        "withdraw": d.status in processing.OPEN and receive_here,
    }


def _candidates(step: DossierStep) -> list[User]:
    """Officials who may do ``step`` (its role's right on its agency), to hand the dossier to."""
    action = _STEP_ACTION.get(step.role, "services.process")
    roles = [r for r in Role.values if action in actions_of(r)]
    users = (
        User.objects.filter(
            kind=AccountKind.OFFICIAL,
            is_active=True,
            role_assignments__role__in=roles,
            role_assignments__agency=step.agency,
        )
        .distinct()
        .order_by("full_name", "username")[:100]
    )
    return [u for u in users if can(u, action, step.agency)]


def _slip_url(d: Dossier, kind: str, sha256: str = "") -> str:
    url = reverse("services:desk_slip", kwargs={"code": d.code, "kind": kind})
    return f"{url}?{urlencode({'sha256': sha256})}" if sha256 else url


def _render_dossier(
    request: HttpRequest,
    d: Dossier,
    *,
    error: str = "",
    failed: str = "",
    field_errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = request.user
    now = _now()
    at = Situation.of(d)
    allowed = _allowed(actor, d, at)
    open_ = d.status in processing.OPEN
    paused = d.status == S.SUPPLEMENT_REQUESTED
    legal = processing.legal_due(d) if at.steps else None
    steps = [
        {
            "s": s,
            "role": STEP_ROLE_LABELS.get(s.role, s.role),
            "current": at.open_step is not None and s.pk == at.open_step.pk,
            "late": (s.done_at is not None and s.done_at > s.due_at)
            or (s.done_at is None and s.started_at is not None and not paused and open_ and s.due_at < now),
        }
        for s in at.steps
    ]
    events = [
        {"e": e, "label": EVENT_LABELS.get(e.action, e.get_action_display())}
        for e in selectors.dossier_events(d)
    ]
    slips = [
        {
            "s": s,
            "label": SLIP_LABELS.get(s.kind, s.kind),
            "url": _slip_url(d, s.kind, s.sha256),
        }
        for s in d.slips.order_by("created_at", "id")
    ]
    pays = [
        {"p": p, "status": PAYMENT_LABELS.get(p.status, p.status)}
        for p in payments.payments_visible(actor).filter(dossier=d).order_by("created_at", "id")
    ]
    return render(
        request,
        "services/desk_dossier.html",
        {
            "d": d,
            "status_label": STATUS_LABELS.get(d.status, d.status),
            "channel_label": CHANNEL_LABELS.get(d.channel, d.channel),
            "fee": _fee(d.version),
            "due": _remaining(d.due_at, now) if open_ and not paused else None,
            "legal_due": legal if legal is not None and legal != d.due_at else None,
            "paused": paused,
            "open_step": at.open_step,
            "open_role": STEP_ROLE_LABELS.get(at.open_step.role, "") if at.open_step else "",
            "following": at.following,
            "steps": steps,
            "events": events,
            "files": list(d.files.all()),
            "form_rows": _form_rows(d),
            "slips": slips,
            "payments": pays,
            "allowed": allowed,
            "any_action": any(allowed.values()),
            "slugs": SLUG_OF,
            "candidates": _candidates(at.following) if allowed["hand_over"] and at.following else [],
            "documents": _paper_documents(d.version) if allowed["supplement"] else [],
            "accepted_files": ACCEPTED_FILES,
            "error": error,
            "failed": failed,
            # Prefixed, so that a field named like a dict method ("items") reads as the value.
            "posted": {f"v_{k}": v for k, v in request.POST.items()} if failed else {},
            "field_errors": field_errors or {},
            "today": _local_day(now),
        },
        status=status,
    )


@login_required
@never_cache
@friendly_errors
def desk_dossier_view(request: HttpRequest, code: str) -> HttpResponse:
    actor = _viewer(request)
    return _render_dossier(request, _dossier(actor, code))


def _lines(value: str) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


def _new_due(request: HttpRequest) -> dt.date:
    value = (request.POST.get("new_due") or "").strip()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            _("Chọn ngày hẹn trả kết quả mới (một ngày làm việc)."),
            errors=[{"field": "new_due", "message": _("Chọn ngày hẹn trả kết quả mới (một ngày làm việc).")}],
        ) from None


def _to_official(request: HttpRequest, candidates: list[User]) -> User | None:
    value = (request.POST.get("to_official") or "").strip()
    if not value:
        return None
    chosen = next((u for u in candidates if str(u.pk) == value), None)
    if chosen is None:
        message = _("Cán bộ được chọn không xử lý được bước tiếp theo.")
        raise InvalidInput(message, errors=[{"field": "to_official", "message": message}])
    return chosen


def _supplement_files(request: HttpRequest, d: Dossier) -> list[services.Attachment]:
    out = []
    for doc in _paper_documents(d.version):
        for f in request.FILES.getlist(doc["input"]):
            out.append(
                services.Attachment(
                    document=doc["name"],
                    name=f.name or "ban-quet",
                    content=f.read(services.MAX_FILE_BYTES + 1),
                    content_type=(f.content_type or "application/octet-stream").split(";")[0].strip(),
                )
            )
    return out


def _when(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment, VN_TZ):%H:%M %d/%m/%Y}"


def _run(request: HttpRequest, d: Dossier, action: str) -> tuple[processing.ActionResult, str]:
    """Run one action; the result and the message to show, or a DomainError."""
    actor, post = request.user, request.POST
    note = post.get("note") or ""
    if action == "accept":
        r = processing.dossier_accept(actor=actor, dossier=d)
        return r, _("Đã tiếp nhận hồ sơ {code}, hẹn trả kết quả lúc {due}.").format(
            code=d.code, due=_when(r.dossier.due_at)
        )
    if action == "request_supplement":
        r = processing.dossier_request_supplement(
            actor=actor, dossier=d, items=_lines(post.get("items", "")), reason=post.get("reason", "")
        )
        return r, _(
            "Đã yêu cầu bổ sung hồ sơ {code}. Thời hạn giải quyết tạm dừng cho đến khi người nộp bổ sung."
        ).format(code=d.code)
    if action == "supplement":
        r = processing.dossier_supplement(
            actor=actor, dossier=d, attachments=_supplement_files(request, d), note=note
        )
        return r, _("Đã nhận hồ sơ bổ sung; thời hạn giải quyết tính tiếp, hạn mới {due}.").format(
            due=_when(r.dossier.due_at)
        )
    if action == "hand_over":
        at = Situation.of(d)
        candidates = _candidates(at.following) if at.following is not None else []
        to = _to_official(request, candidates)
        r = processing.dossier_hand_over(actor=actor, dossier=d, to_official=to, note=note)
        where = r.dossier.current_agency.name
        return r, _("Đã chuyển hồ sơ {code} đến {to}.").format(
            code=d.code, to=f"{to.display_name} — {where}" if to else where
        )
    if action == "apologise":
        r = processing.dossier_apologise(
            actor=actor, dossier=d, reason=post.get("reason", ""), new_due=_new_due(request)
        )
        return r, _("Đã gửi phiếu xin lỗi, hẹn lại ngày trả kết quả: {due}.").format(
            due=_when(r.dossier.due_at)
        )
    if action == "decide":
        r = processing.dossier_decide(
            actor=actor, dossier=d, title=post.get("title", ""), body=post.get("body", "")
        )
        return r, _("Đã ký số kết quả giải quyết hồ sơ {code}; kết quả chuyển về {desk} để trả.").format(
            code=d.code, desk=r.dossier.receiving_agency.name
        )
    if action == "return_result":
        r = processing.dossier_return_result(actor=actor, dossier=d, note=note)
        timing = _("đúng hạn") if r.dossier.on_time else _("quá hạn")
        return r, _("Đã trả kết quả hồ sơ {code} ({timing}).").format(code=d.code, timing=timing)
    if action == "refuse":
        r = processing.dossier_refuse(actor=actor, dossier=d, reasons=_lines(post.get("reasons", "")))
        return r, _("Đã từ chối giải quyết hồ sơ {code}.").format(code=d.code)
    if action == "withdraw":
        r = processing.dossier_withdraw(actor=actor, dossier=d, reason=post.get("reason", ""))
        return r, _("Đã ghi nhận người nộp rút hồ sơ {code}.").format(code=d.code)
    raise NotFound(_("Không có thao tác này."))


@login_required
@require_POST
@friendly_errors
def desk_act_view(request: HttpRequest, code: str, slug: str) -> HttpResponse:
    actor = _viewer(request)
    action = ACTION_SLUGS.get(slug)
    if action is None:
        raise NotFound(_("Không có thao tác này."))
    d = _dossier(actor, code)
    try:
        result, message = _run(request, d, action)
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        # The page again with the message at the form and what was typed; nothing has changed.
        fields: dict[str, list[str]] = {}
        problems = [p for p in exc.errors if p.get("field")]
        for p in problems:
            text = translate_detail(exc.detail if len(problems) == 1 else p.get("message", ""))
            fields.setdefault(f"e_{p['field']}", []).append(text)
        return _render_dossier(
            request,
            _dossier(actor, code),
            error=translate_detail(exc.detail),
            failed=action,
            field_errors=fields,
            status=exc.status,
        )
    slip = result.slip
    if slip is not None:
        messages.success(
            request,
            format_html(
                '{} <a href="{}" download>{}</a>',
                message,
                _slip_url(result.dossier, slip.kind, slip.sha256),
                _("Tải {paper} (PDF)").format(paper=SLIP_LABELS.get(slip.kind, slip.kind)),
            ),
        )
    else:
        messages.success(request, message)
    return redirect("services:desk_dossier", code=result.dossier.code)


@login_required
@friendly_errors
def desk_slip_view(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    """A paper the dossier produced, as PDF: the latest of its kind, or the one with ``sha256``."""
    actor = _viewer(request)
    d = _dossier(actor, code)
    if kind not in SlipKind.values:
        raise NotFound(_("Không có loại phiếu '{kind}'.").format(kind=kind))
    slip = selectors.dossier_slip(d, kind, sha256=(request.GET.get("sha256") or "")[:64] or None)
    response = HttpResponse(blob_read(slip.sha256), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{d.code}-{slip.kind}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- statistics ----------------------------------------------------------------------------------

STAT_GROUPS = (
    ("competent", gettext_lazy("Cơ quan giải quyết")),
    ("receiving", gettext_lazy("Bộ phận một cửa tiếp nhận")),
    ("procedure", gettext_lazy("Thủ tục")),
)


@login_required
@friendly_errors
def desk_statistics_view(request: HttpRequest) -> HttpResponse:
    """On-time, online, fees and satisfaction of the dossiers the official may see, for a month,
    quarter or year (``statistics.dossier_statistics``: the same figures as the API and the
    ``DVC.*`` indicators published to reporting)."""
    from congso.modules.services import statistics

    actor = _viewer(request)
    today = _local_day(_now())
    period = (request.GET.get("ky") or f"{today.year}M{today.month:02d}").strip().upper()[:10]
    by = request.GET.get("theo") or "competent"
    if by not in dict(STAT_GROUPS):
        by = "competent"
    error, result = "", None
    try:
        result = statistics.dossier_statistics(actor=actor, period=period, by=by)
    except InvalidInput as exc:
        error = translate_detail(str(exc))
    return render(
        request,
        "services/desk_statistics.html",
        {"period": period, "by": by, "groups": STAT_GROUPS, "stats": result, "error": error},
        status=400 if error else 200,
    )
