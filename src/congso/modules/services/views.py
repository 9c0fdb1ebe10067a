"""Web pages of the services module (dịch vụ công), mounted at /dich-vu-cong/.

- ``/`` the public catalogue: search by name without accents or by exact code, filter by field and
  level, paginated; ``/thu-tuc/<code>/`` a procedure: the documents (those the state already holds
  marked), fee, time, online level, legal basis, steps.
- ``/thu-tuc/<code>/nop/`` the procedure's form, generated from its version: a citizen files online
  (applicant data prefilled from the population database, files for what the state does not hold,
  the one-stop desk to file at); a one-stop officer enters a paper dossier at their own desk. The
  form carries an idempotency key made when it is rendered, so a double click or a resent POST
  files once. The answer shows the dossier code, the due date and, once, the tracking token.
  "Lưu nháp" keeps the values typed (not the files) for the citizen and procedure; reopening the
  form restores them; filing the dossier deletes the draft (drafts.py).
- ``/ho-so/`` and ``/ho-so/<code>/`` the dossiers the reader may see (a citizen: their own, and
  their drafts). On their own dossier's page the applicant also acts: answers a supplement request
  (``…/bo-sung/``), pays the fee by VietQR (``…/thanh-toan/``; with the local fake gateway a
  clearly marked demo button makes it confirm, ``…/thanh-toan/mo-phong/``), downloads the papers
  the dossier produced (``…/giay-to/<kind>/``: receipt, supplement request, refusal, apology, the
  signed result), rates the service once the result is returned (``…/danh-gia/``) and withdraws
  the dossier after a confirmation (``…/rut-ho-so/``). Another account gets 404 on all of them.
- ``/tra-cuu/`` public tracking with the dossier code and the tracking token, no login.

Views parse input, call services/selectors, and render; the rules and messages are the services'.
"""

from __future__ import annotations

import datetime as dt
import functools
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from congso.core.accounts.models import AccountKind
from congso.core.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from congso.core.files import blob_read
from congso.core.org import selectors as org_selectors
from congso.core.org.models import Agency, AgencyKind, UnitLevel
from congso.core.policy import can
from congso.core.search.text import fold
from congso.modules.services import (
    catalogue,
    drafts,
    payments,
    population,
    processing,
    ratings,
    selectors,
    services,
    vietqr,
)
from congso.modules.services.models import (
    Channel,
    Dossier,
    DossierStatus,
    EventAction,
    OnlineLevel,
    PaymentStatus,
    Procedure,
    ProcedureLevel,
    ProcedureVersion,
    SlipKind,
)
from congso.web.errors import friendly_errors
from congso.web.labels import translate_detail

PER_PAGE = 20

LEVEL_LABELS: dict[str, Any] = {
    ProcedureLevel.COMMUNE: gettext_lazy("Cấp xã"),
    ProcedureLevel.PROVINCE: gettext_lazy("Cấp tỉnh"),
}
ONLINE_LABELS: dict[str, Any] = {
    OnlineLevel.FULL: gettext_lazy("Toàn trình"),
    OnlineLevel.PARTIAL: gettext_lazy("Một phần"),
}
ONLINE_HINTS: dict[str, Any] = {
    OnlineLevel.FULL: gettext_lazy("Nộp hồ sơ, theo dõi và nhận kết quả trực tuyến."),
    OnlineLevel.PARTIAL: gettext_lazy(
        "Nộp hồ sơ trực tuyến; nộp bản chính hoặc nhận kết quả tại bộ phận một cửa."
    ),
}
STATUS_LABELS: dict[str, Any] = {
    DossierStatus.DRAFT: gettext_lazy("Bản nháp"),
    DossierStatus.SUBMITTED: gettext_lazy("Đã nộp, chờ tiếp nhận"),
    DossierStatus.ACCEPTED: gettext_lazy("Đã tiếp nhận"),
    DossierStatus.SUPPLEMENT_REQUESTED: gettext_lazy("Yêu cầu bổ sung hồ sơ"),
    DossierStatus.IN_PROGRESS: gettext_lazy("Đang giải quyết"),
    DossierStatus.DONE: gettext_lazy("Đã có kết quả"),
    DossierStatus.REFUSED: gettext_lazy("Từ chối giải quyết"),
    DossierStatus.RETURNED: gettext_lazy("Đã trả kết quả"),
    DossierStatus.WITHDRAWN: gettext_lazy("Đã rút hồ sơ"),
}
CHANNEL_LABELS: dict[str, Any] = {
    Channel.ONLINE: gettext_lazy("Nộp trực tuyến"),
    Channel.DESK: gettext_lazy("Nộp trực tiếp tại bộ phận một cửa"),
}
STEP_ROLE_LABELS: dict[str, Any] = {
    "desk_officer": gettext_lazy("Bộ phận một cửa"),
    "specialist": gettext_lazy("Chuyên viên"),
    "leader": gettext_lazy("Lãnh đạo"),
}
EVENT_LABELS: dict[str, Any] = {
    EventAction.ACCEPT: gettext_lazy("Tiếp nhận hồ sơ"),
    EventAction.SUPPLEMENT_REQUEST: gettext_lazy("Yêu cầu bổ sung hồ sơ"),
    EventAction.SUPPLEMENT: gettext_lazy("Bổ sung hồ sơ"),
    EventAction.REFUSE: gettext_lazy("Từ chối giải quyết"),
    EventAction.HAND_OVER: gettext_lazy("Chuyển xử lý"),
    EventAction.APOLOGISE: gettext_lazy("Xin lỗi, hẹn lại ngày trả kết quả"),
    EventAction.DECIDE: gettext_lazy("Ký kết quả giải quyết"),
    EventAction.RETURN: gettext_lazy("Trả kết quả"),
    EventAction.WITHDRAW: gettext_lazy("Rút hồ sơ"),
}
# The events whose note the applicant must read (what to add, why refused, the new date).
EVENT_REASONS = {
    EventAction.SUPPLEMENT_REQUEST,
    EventAction.REFUSE,
    EventAction.APOLOGISE,
    EventAction.WITHDRAW,
}
# The state databases a document may already be in (catalogue.STATE_HELD), for the page's language.
STATE_HELD_LABELS: dict[str, Any] = {
    "citizen_id": gettext_lazy("Cơ sở dữ liệu quốc gia về dân cư (căn cước)"),
    "residence": gettext_lazy("Cơ sở dữ liệu quốc gia về dân cư (thông tin cư trú)"),
    "birth": gettext_lazy("Cơ sở dữ liệu hộ tịch điện tử (khai sinh)"),
    "marital_status": gettext_lazy("Cơ sở dữ liệu hộ tịch điện tử (tình trạng hôn nhân)"),
    "land": gettext_lazy("Cơ sở dữ liệu đất đai"),
    "business": gettext_lazy("Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp"),
}
# Closed dossiers are never late.
CLOSED = {DossierStatus.DONE, DossierStatus.REFUSED, DossierStatus.RETURNED, DossierStatus.WITHDRAWN}
ACCEPTED_FILES = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"
KEY_FIELD = "idempotency_key"


# --- helpers -------------------------------------------------------------------------------------


def _today() -> dt.date:
    return timezone.localdate()


def _fee(version: ProcedureVersion | None) -> str:
    if version is None:
        return "—"
    if not version.fee:
        return _("Miễn phí")
    amount = f"{version.fee:,}".replace(",", ".")
    if version.fee_unit:
        return _("{amount} đồng/{unit}").format(amount=amount, unit=version.fee_unit)
    return _("{amount} đồng").format(amount=amount)


def _days(n: int) -> str:
    return _("{n} ngày làm việc").format(n=n)


def _procedure_row(p: Procedure, version: ProcedureVersion | None) -> dict[str, Any]:
    return {
        "obj": p,
        "level": LEVEL_LABELS.get(p.level, p.level),
        "online": ONLINE_LABELS.get(p.online_level, p.online_level),
        "online_code": p.online_level,
        "days": _days(version.processing_days) if version else "—",
        "fee": _fee(version),
    }


def _is_citizen(user: Any) -> bool:
    return getattr(user, "kind", "") == AccountKind.CITIZEN


def _login_needed(request: HttpRequest, title: Any) -> HttpResponse:
    """Citizens log in with VNeID, officials with their account; both come back here afterwards."""
    here = request.get_full_path()
    return render(
        request,
        "services/login_needed.html",
        {
            "title": title,
            "eid_url": reverse("eid:login") + "?" + urlencode({"next": here}),
            "official_url": reverse("web:login") + "?" + urlencode({"next": here}),
        },
        status=200 if request.method == "GET" else 401,
    )


def _signed_in(title: Any) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return _login_needed(request, title)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def _late(d: Dossier, now: dt.datetime) -> bool:
    return d.status not in CLOSED and d.due_at < now


def _when(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%H:%M %d/%m/%Y}"


# --- catalogue -----------------------------------------------------------------------------------


@friendly_errors
def catalogue_view(request: HttpRequest) -> HttpResponse:
    """The public catalogue: ``q`` (name without accents, or an exact code), ``linh_vuc``, ``cap``."""
    q = (request.GET.get("q") or "").strip()[:200]
    fields = sorted(set(selectors.procedure_list().values_list("field", flat=True)), key=fold)
    field_ = request.GET.get("linh_vuc") or ""
    if field_ not in fields:
        field_ = ""
    level = request.GET.get("cap") or ""
    if level not in ProcedureLevel.values:
        level = ""
    items = selectors.procedure_list(q=q or None, level=level or None, field=field_ or None)
    page = Paginator(items, PER_PAGE).get_page(request.GET.get("trang"))
    query = urlencode({k: v for k, v in {"q": q, "linh_vuc": field_, "cap": level}.items() if v})
    return render(
        request,
        "services/catalogue.html",
        {
            "q": q,
            "field": field_,
            "level": level,
            "fields": fields,
            "levels": list(LEVEL_LABELS.items()),
            "page": page,
            "query": query,
            "rows": [_procedure_row(p, selectors.version_on(p)) for p in page],
            "filtered": bool(q or field_ or level),
        },
    )


def _competent_name(p: Procedure) -> Any:
    if p.level == ProcedureLevel.COMMUNE:
        return _("Ủy ban nhân dân xã, phường nơi nộp hồ sơ")
    try:
        return org_selectors.agency_get(code=p.competent_agency_code).name
    except DomainError:
        return p.competent_agency_code


def _may_receive(user: Any) -> bool:
    agency = getattr(user, "agency", None)
    return (
        getattr(user, "kind", "") == AccountKind.OFFICIAL
        and agency is not None
        and agency.kind == AgencyKind.ONE_STOP_CENTRE
        and can(user, "services.receive", agency)
    )


@friendly_errors
def procedure_view(request: HttpRequest, code: str) -> HttpResponse:
    p = selectors.procedure_get(code=code)
    version = selectors.version_on(p)
    documents = []
    for d in version.documents if version else []:
        documents.append({**d, "source": STATE_HELD_LABELS.get(d.get("state_held", ""), "")})
    steps = [
        {
            **s,
            "role_label": STEP_ROLE_LABELS.get(s.get("role", ""), s.get("role", "")),
            "level_label": LEVEL_LABELS.get(s.get("agency_level", ""), ""),
        }
        for s in (version.steps if version else [])
    ]
    user = request.user
    return render(
        request,
        "services/procedure.html",
        {
            "p": p,
            "version": version,
            "row": _procedure_row(p, version),
            "online_hint": ONLINE_HINTS.get(p.online_level, ""),
            "competent": _competent_name(p),
            "documents": documents,
            "steps": steps,
            "fields": catalogue.fields_of(version.form_fields) if version else [],
            "may_file": version is not None and (not user.is_authenticated or _is_citizen(user)),
            "may_receive": version is not None and _may_receive(user),
        },
    )


# --- the form ------------------------------------------------------------------------------------


@dataclass
class FormState:
    """What the form shows: the values typed, the errors by field, the key of this submission."""

    key: str
    values: dict[str, str] = field(default_factory=dict)
    agency: str = ""
    competent: str = ""
    applicant: dict[str, str] = field(default_factory=dict)  # desk entry: name, id, phone, email
    errors: dict[str, list[str]] = field(default_factory=dict)
    summary: list[dict[str, str]] = field(default_factory=list)  # [{"href", "text"}], in page order
    detail: str = ""
    notice: str = ""
    lookup: population.Citizen | None = None
    lookup_missed: bool = False
    files_lost: bool = False
    draft_at: dt.datetime | None = None  # the citizen's draft of this procedure, when it was saved

    def add(self, key: str, message: str) -> None:
        self.errors.setdefault(key, []).append(message)


def _new_key() -> str:
    return secrets.token_urlsafe(18)


def _documents_to_upload(version: ProcedureVersion) -> list[dict[str, Any]]:
    """The required documents the applicant attaches (those the state does not already hold)."""
    return [
        {**d, "input": f"tep_{i}", "id": f"t-{i}"}
        for i, d in enumerate(version.documents)
        if not d.get("state_held")
    ]


def _documents_held(version: ProcedureVersion) -> list[dict[str, Any]]:
    return [
        {**d, "source": STATE_HELD_LABELS.get(d["state_held"], "")}
        for d in version.documents
        if d.get("state_held")
    ]


def _desk_options(
    procedure: Procedure, today: dt.date
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The one-stop units valid today: the city centre (province-level procedures only) and the
    wards' and communes' centres, by the name of their ward or commune."""
    city: list[tuple[str, str]] = []
    communes: list[tuple[str, str]] = []
    for a in org_selectors.agencies_as_of(as_of=today, kind=AgencyKind.ONE_STOP_CENTRE):
        if a.level == UnitLevel.COMMUNE:
            communes.append((a.code, a.unit.name if a.unit is not None else a.name))
        elif procedure.level == ProcedureLevel.PROVINCE:
            city.append((a.code, a.name))
    communes.sort(key=lambda c: fold(c[1]))
    return city, communes


def _competent_options(today: dt.date) -> list[tuple[str, str]]:
    rows = [
        (a.code, a.name)
        for a in org_selectors.agencies_as_of(as_of=today, kind=AgencyKind.PEOPLES_COMMITTEE)
        if a.level == UnitLevel.COMMUNE
    ]
    return sorted(rows, key=lambda r: fold(r[1]))


def _default_desk(
    procedure: Procedure, person: population.Citizen | None, communes: list[tuple[str, str]]
) -> str:
    if procedure.level == ProcedureLevel.PROVINCE:
        return services.CITY_ONE_STOP
    if person is not None:
        for code, name in communes:
            if name == person.ward:
                return code
    return ""


def _desk_of(user: Any) -> Agency | None:
    """None for a citizen; an official's own one-stop unit where they receive dossiers."""
    if _is_citizen(user):
        return None
    if getattr(user, "kind", "") != AccountKind.OFFICIAL:
        raise Forbidden(_("Tài khoản kết nối hệ thống không được nộp hồ sơ thay công dân."))
    if not _may_receive(user):
        raise Forbidden(
            _(
                "Chỉ cán bộ bộ phận một cửa mới tiếp nhận hồ sơ tại quầy; "
                "công dân nộp hồ sơ bằng tài khoản VNeID."
            )
        )
    return user.agency


def _field_rows(
    version: ProcedureVersion, values: dict[str, Any], errors: dict[str, list[str]]
) -> list[dict[str, Any]]:
    """The procedure's form fields with what was typed and the errors found (citizen and desk)."""
    return [
        {
            "name": f.name,
            "input": f"f_{f.name}",
            "id": f"f-{f.name}",
            "label": f.label,
            "type": f.type,
            "required": f.required,
            "choices": f.choices,
            "value": values.get(f.name, ""),
            "errors": errors.get(f"form.{f.name}", []),
            "maxlength": catalogue.MAX_TEXT,
        }
        for f in catalogue.fields_of(version.form_fields)
    ]


def _render_form(
    request: HttpRequest,
    procedure: Procedure,
    version: ProcedureVersion,
    desk: Agency | None,
    state: FormState,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    today = _today()
    registry = population.registry()
    person = None if desk is not None else registry.lookup(getattr(user, "national_id", "") or "")
    city, communes = ([], []) if desk is not None else _desk_options(procedure, today)
    if desk is None and not state.agency:
        state.agency = _default_desk(procedure, person, communes)
    uploads = [
        {**d, "errors": state.errors.get(d["input"], []), "required_here": d["required"] and desk is None}
        for d in _documents_to_upload(version)
    ]
    asks_competent = (
        desk is not None and procedure.level == ProcedureLevel.COMMUNE and desk.level != UnitLevel.COMMUNE
    )
    return render(
        request,
        "services/submit.html",
        {
            "p": procedure,
            "version": version,
            "row": _procedure_row(procedure, version),
            "desk": desk,
            "state": state,
            "fields": _field_rows(version, state.values, state.errors),
            "uploads": uploads,
            "held": _documents_held(version),
            "accepted_files": ACCEPTED_FILES,
            "max_mb": services.MAX_FILE_BYTES // 1024 // 1024,
            "person": person,
            "applicant_name": (getattr(user, "full_name", "") or (person.full_name if person else ""))
            if desk is None
            else "",
            "city_desks": city,
            "commune_desks": communes,
            "competent_options": _competent_options(today) if asks_competent else [],
            "key_field": KEY_FIELD,
        },
        status=status,
    )


def _place(
    state: FormState,
    version: ProcedureVersion,
    exc: DomainError,
    uploaded: dict[str, str],
    extra: Sequence[dict[str, str]] = (),
) -> None:
    """A service's errors at the fields they are about (``form.<name>``, ``agency``, ``attachments``
    by the document or file they name), the rest above the form; and the summary, in page order."""
    docs = _documents_to_upload(version)
    labels = {
        "agency": _("Nơi nộp hồ sơ"),
        "competent_agency": _("Cơ quan có thẩm quyền"),
        "applicant_name": _("Họ và tên người nộp"),
        "applicant_id_number": _("Số định danh cá nhân"),
    }
    general: list[str] = []
    for problem in [*exc.errors, *extra]:
        where, message = problem.get("field", ""), translate_detail(problem.get("message", ""))
        if where.startswith("form.") or where in labels:
            state.add(where, message)
        elif where == "attachments":
            by_doc = [d for d in docs if d["name"] in message]
            by_file = [i for name, i in uploaded.items() if f"'{name}'" in message]
            if by_doc:
                state.add(max(by_doc, key=lambda d: len(d["name"]))["input"], message)
            elif by_file:
                state.add(by_file[0], message)
            else:
                general.append(message)
        else:
            general.append(message)
    state.detail = translate_detail(exc.detail)
    order = [f"form.{f['name']}" for f in version.form_fields]
    order += ["applicant_name", "applicant_id_number", "agency", "competent_agency"]
    order += [d["input"] for d in docs]
    ids = {f"form.{f['name']}": f"f-{f['name']}" for f in version.form_fields}
    ids.update({d["input"]: d["id"] for d in docs})
    ids.update({"agency": "f-agency", "competent_agency": "f-competent"})
    ids.update({"applicant_name": "f-applicant-name", "applicant_id_number": "f-applicant-id"})
    for key in order:
        for message in state.errors.get(key, []):
            text = (
                message if key.startswith("form.") or key.startswith("tep_") else f"{labels[key]}: {message}"
            )
            state.summary.append({"href": f"#{ids[key]}", "text": text})
    state.summary += [{"href": "", "text": m} for m in general]


def _attachments(
    request: HttpRequest, version: ProcedureVersion
) -> tuple[list[services.Attachment], dict[str, str]]:
    """The files chosen, per required document, and which input each file name came from."""
    return _uploaded(request, _documents_to_upload(version), unnamed="tep")


def _uploaded(
    request: HttpRequest, documents: list[dict[str, Any]], *, unnamed: str
) -> tuple[list[services.Attachment], dict[str, str]]:
    """The files of each document's input (citizen uploads, desk scans) and the input each file
    name came from. At most one byte over the limit is read: the service then says the file is too
    large."""
    out: list[services.Attachment] = []
    names: dict[str, str] = {}
    for d in documents:
        for f in request.FILES.getlist(d["input"]):
            name = f.name or unnamed
            names.setdefault(name, d["input"])
            out.append(
                services.Attachment(
                    document=d["name"],
                    name=name,
                    content=f.read(services.MAX_FILE_BYTES + 1),
                    content_type=(f.content_type or "application/octet-stream").split(";")[0].strip(),
                )
            )
    return out, names


def _result(request: HttpRequest, result: services.Submission) -> HttpResponse:
    try:
        dossier = selectors.dossier_get(actor=request.user, code=result.dossier.code)
    except NotFound:  # an official without "services.view" at the desk still sees what was filed
        dossier = result.dossier
    return render(
        request,
        "services/submitted.html",
        {
            "d": dossier,
            "token": result.tracking_token,
            "replayed": result.replayed,
            "status_label": STATUS_LABELS.get(dossier.status, dossier.status),
            "track_url": reverse("services:track") + "?" + urlencode({"ma": dossier.code}),
            "may_view": selectors.visible_dossiers(request.user).filter(pk=dossier.pk).exists(),
        },
    )


@never_cache
@friendly_errors
@_signed_in(gettext_lazy("Đăng nhập để nộp hồ sơ"))
def submit_view(request: HttpRequest, code: str) -> HttpResponse:
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    user = request.user
    procedure = selectors.procedure_get(code=code)
    desk = _desk_of(user)
    version = selectors.version_on(procedure)
    if version is None:
        raise InvalidInput(
            _("Thủ tục {code} chưa có phiên bản hiệu lực vào ngày {date}.").format(
                code=procedure.code, date=f"{_today():%d/%m/%Y}"
            )
        )
    if request.method == "GET":
        fresh = FormState(key=_new_key())
        draft = drafts.draft_get(actor=user, procedure=procedure) if desk is None else None
        if draft is not None:
            saved = draft.form_data.get("form") or {}
            fresh.values = {f["name"]: str(saved.get(f["name"], "")) for f in version.form_fields}
            fresh.agency = str(draft.form_data.get("agency") or "")
            fresh.draft_at = draft.updated_at
        return _render_form(request, procedure, version, desk, fresh)

    post = request.POST
    if desk is None and ("luu_nhap" in post or "xoa_nhap" in post):
        # The citizen keeps what they typed for later (or throws it away); the files are not kept.
        if "luu_nhap" in post:
            draft = drafts.draft_save(
                actor=user,
                procedure=procedure,
                form={f["name"]: post.get(f"f_{f['name']}", "") for f in version.form_fields},
                agency=post.get("agency") or "",
            )
            messages.success(
                request,
                _(
                    "Đã lưu nháp lúc {when}. Bản nháp giữ các thông tin đã khai, không giữ tệp đính kèm; "
                    "mở lại trang này để nộp tiếp."
                ).format(when=_when(draft.updated_at)),
            )
        elif drafts.draft_discard(actor=user, procedure=procedure):
            messages.success(request, _("Đã xoá bản nháp."))
        return redirect("services:submit", code=procedure.code)
    state = FormState(
        key=(post.get(KEY_FIELD) or "").strip()[:200] or _new_key(),
        values={f["name"]: post.get(f"f_{f['name']}", "") for f in version.form_fields},
        agency=(post.get("agency") or "").strip() if desk is None else "",
        competent=(post.get("competent_agency") or "").strip() if desk is not None else "",
        applicant={
            k: (post.get(f"applicant_{k}") or "").strip() for k in ("name", "id_number", "phone", "email")
        }
        if desk is not None
        else {},
    )
    if desk is not None and "tra_cuu" in post:
        # The desk officer looks the applicant up in the population database by the number typed.
        person = population.registry().lookup(state.applicant["id_number"])
        if person is None:
            state.lookup_missed = True
        else:
            state.lookup = person
            state.applicant["name"] = person.full_name
        return _render_form(request, procedure, version, desk, state)

    attachments, uploaded = _attachments(request, version)
    spec = services.SubmissionSpec(
        procedure_code=procedure.code,
        form=state.values,
        attachments=attachments,
        agency_code=state.agency,
        competent_agency_code=state.competent,
        applicant_name=state.applicant.get("name", ""),
        applicant_id_number=state.applicant.get("id_number", ""),
        applicant_phone=state.applicant.get("phone", ""),
        applicant_email=state.applicant.get("email", ""),
    )
    try:
        result = services.dossier_submit(actor=user, spec=spec, idempotency_key=state.key)
    except InvalidInput as exc:
        extra: list[dict[str, str]] = []
        if not any(e.get("field", "").startswith("form.") for e in exc.errors):
            # The service stopped at the routing (the desk, the competent commune) before reading
            # the form: its fields are checked here too, so that every error shows at once.
            extra = catalogue.validate_form(catalogue.fields_of(version.form_fields), state.values)[1]
        _place(state, version, exc, uploaded, extra)
        state.files_lost = bool(attachments)
        return _render_form(request, procedure, version, desk, state, status=400)
    except Conflict:
        # This form's key already filed a dossier with other content (the form was sent again
        # after a change): a new key, and the applicant checks the form before sending it.
        state.key = _new_key()
        state.notice = _(
            "Tờ khai này đã được dùng để nộp một hồ sơ trước đó. Nếu bạn muốn nộp thêm một hồ sơ mới, "
            "hãy kiểm tra lại các thông tin dưới đây và bấm nộp lại; "
            "xem hồ sơ đã nộp tại trang Hồ sơ của tôi."
        )
        state.files_lost = bool(attachments)
        return _render_form(request, procedure, version, desk, state, status=409)
    if desk is None:
        drafts.draft_discard(actor=user, procedure=procedure)  # filed: the draft has served
    return _result(request, result)


# --- dossiers ------------------------------------------------------------------------------------


@friendly_errors
@_signed_in(gettext_lazy("Đăng nhập để xem hồ sơ của bạn"))
def dossier_list_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    status = request.GET.get("trang_thai") or ""
    if status not in STATUS_LABELS:
        status = ""
    page = Paginator(selectors.dossier_list(actor=user, status=status or None), PER_PAGE).get_page(
        request.GET.get("trang")
    )
    now = timezone.now()
    return render(
        request,
        "services/dossier_list.html",
        {
            "citizen": _is_citizen(user),
            "page": page,
            "query": urlencode({"trang_thai": status} if status else {}),
            "status": status,
            "statuses": list(STATUS_LABELS.items()),
            "rows": [
                {"d": d, "status": STATUS_LABELS.get(d.status, d.status), "late": _late(d, now)} for d in page
            ],
            "drafts": list(drafts.drafts_of(user)[:PER_PAGE]),
        },
    )


def _form_rows(d: Dossier) -> list[dict[str, Any]]:
    rows = []
    for f in catalogue.fields_of(d.version.form_fields):
        value = d.form_data.get(f.name)
        if value in (None, ""):
            shown: Any = "—"
        elif f.type == "date":
            try:
                shown = dt.date.fromisoformat(str(value)).strftime("%d/%m/%Y")
            except ValueError:
                shown = value
        else:
            shown = value
        rows.append({"label": f.label, "value": shown})
    return rows


def _history(d: Dossier) -> list[dict[str, Any]]:
    """What happened to the dossier and where: its filing, then the process control log
    (processing.py). The applicant sees the agencies, never the officials' names; the reasons they
    must act on (a supplement asked for, a refusal, a new date) are shown."""
    rows: list[dict[str, Any]] = [
        {
            "at": d.received_at,
            "label": CHANNEL_LABELS.get(d.channel, d.channel),
            "where": d.receiving_agency.name,
            "note": "",
        }
    ]
    for e in selectors.dossier_events(d):
        # Where it went; for the signed result, who signed it (it then goes back to the desk).
        agency = (e.from_agency if e.action == EventAction.DECIDE else None) or e.to_agency or e.from_agency
        rows.append(
            {
                "at": e.at,
                "label": EVENT_LABELS.get(e.action, e.get_action_display()),
                "where": agency.name if agency is not None else "",
                "note": e.note if e.action in EVENT_REASONS else "",
            }
        )
    return rows


# The papers the applicant downloads from their dossier's page (the control slip is the offices').
PAPER_LABELS: dict[str, Any] = {
    SlipKind.RECEIPT: gettext_lazy("Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Mẫu 01)"),
    SlipKind.SUPPLEMENT_REQUEST: gettext_lazy("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02)"),
    SlipKind.REFUSAL: gettext_lazy("Phiếu từ chối tiếp nhận, giải quyết hồ sơ (Mẫu 03)"),
    SlipKind.APOLOGY: gettext_lazy("Phiếu xin lỗi và hẹn lại ngày trả kết quả (Mẫu 04)"),
    SlipKind.RESULT: gettext_lazy("Kết quả giải quyết thủ tục hành chính (đã ký số)"),
}
SCORE_LABELS: dict[int, Any] = {
    1: gettext_lazy("Rất không hài lòng"),
    2: gettext_lazy("Không hài lòng"),
    3: gettext_lazy("Bình thường"),
    4: gettext_lazy("Hài lòng"),
    5: gettext_lazy("Rất hài lòng"),
}
# A few NAPAS bank identification numbers, to name the bank beside the account.
BANK_NAMES = {
    "970415": "VietinBank",
    "970436": "Vietcombank",
    "970418": "BIDV",
    "970405": "Agribank",
    "970422": "MB Bank",
    "970407": "Techcombank",
}


def _stars(n: int) -> str:
    return "★" * n + "☆" * (ratings.MAX_SCORE - n)


def _is_applicant(user: Any, d: Dossier) -> bool:
    return _is_citizen(user) and d.applicant_id is not None and d.applicant_id == user.pk


def _supplement_inputs(version: ProcedureVersion) -> list[dict[str, Any]]:
    """One file input per document of the version the applicant may hand in again."""
    return [
        {"name": doc["name"], "input": f"bs_{i}", "id": f"bs-{i}"}
        for i, doc in enumerate(version.documents)
        if not doc.get("state_held")
    ]


def _supplement_asked(d: Dossier) -> dict[str, Any] | None:
    """The open supplement request: when, why and what (the event's note: the reason, then one
    "- item" line per paper asked for)."""
    event = d.events.filter(action=EventAction.SUPPLEMENT_REQUEST).order_by("-at", "-id").first()
    if event is None:
        return None
    lines = event.note.splitlines()
    cut = len(lines)
    while cut > 0 and lines[cut - 1].startswith("- "):
        cut -= 1
    return {
        "at": event.at,
        "reason": "\n".join(lines[:cut]).strip(),
        "items": [line[2:].strip() for line in lines[cut:]],
        "where": (event.from_agency or d.receiving_agency).name,
    }


def _payment_box(d: Dossier, now: dt.datetime) -> dict[str, Any] | None:
    """What the payment panel shows: paid, the open VietQR, the button, or why not online."""
    version = d.version
    if version.fee <= 0:
        return None
    paid = d.payments.filter(status=PaymentStatus.PAID).order_by("-paid_at", "-id").first()
    box: dict[str, Any] = {"fee": _fee(version), "paid": paid, "demo": settings.PAYMENT_GATEWAY == "fake"}
    if paid is not None:
        return box
    if version.fee_unit:
        box["by_unit"] = True
        return box
    if d.status in (DossierStatus.DRAFT, DossierStatus.REFUSED, DossierStatus.WITHDRAWN):
        box["closed"] = True
        return box
    pending = d.payments.filter(status=PaymentStatus.PENDING, expires_at__gt=now).first()
    if pending is not None:
        qr = vietqr.parse(pending.qr_payload)
        box["pending"] = {
            "p": pending,
            "amount": f"{pending.amount:,}".replace(",", "."),
            "qr": vietqr.png_data_url(pending.qr_payload),
            "bank": BANK_NAMES.get(qr.bank_bin, ""),
            "bin": qr.bank_bin,
            "account": qr.account,
            "account_name": settings.PAYMENT_ACCOUNT_NAME,
        }
    return box


def _papers(d: Dossier) -> list[dict[str, Any]]:
    return [
        {
            "label": PAPER_LABELS[s.kind],
            "kind": s.kind,
            "at": s.created_at,
            "signed": s.signed,
            "url": reverse("services:dossier_paper", kwargs={"code": d.code, "kind": s.kind})
            + "?"
            + urlencode({"sha256": s.sha256}),
        }
        for s in d.slips.filter(kind__in=list(PAPER_LABELS)).order_by("created_at", "id")
    ]


def _render_dossier(
    request: HttpRequest,
    d: Dossier,
    *,
    failed: str = "",
    error: str = "",
    field_errors: dict[str, list[str]] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    mine = _is_applicant(user, d)
    now = timezone.now()
    asked = _supplement_asked(d) if mine and d.status == DossierStatus.SUPPLEMENT_REQUESTED else None
    errors = field_errors or {}
    papers = _papers(d)
    rating = ratings.rating_of(d) if d.status == DossierStatus.RETURNED else None
    return render(
        request,
        "services/dossier_detail.html",
        {
            "d": d,
            "citizen": _is_citizen(user),
            "mine": mine,
            "status_label": STATUS_LABELS.get(d.status, d.status),
            "channel_label": CHANNEL_LABELS.get(d.channel, d.channel),
            "late": _late(d, now),
            "form_rows": _form_rows(d),
            "files": list(d.files.all()),
            "history": _history(d),
            "fee": _fee(d.version),
            "failed": failed,
            "error": error,
            "values": values or {},
            "asked": asked,
            "supplement_inputs": [
                {
                    **i,
                    "errors": errors.get(i["input"], []),
                    "asked": any(i["name"] in x for x in asked["items"]),
                }
                for i in _supplement_inputs(d.version)
            ]
            if asked
            else [],
            "supplement_errors": errors.get("attachments", []),
            "accepted_files": ACCEPTED_FILES,
            "max_mb": services.MAX_FILE_BYTES // 1024 // 1024,
            "pay": _payment_box(d, now) if mine else None,
            "papers": papers,
            "result": next((p for p in reversed(papers) if p["kind"] == SlipKind.RESULT), None),
            "rating": rating,
            "rating_label": SCORE_LABELS.get(rating.score, "") if rating else "",
            "may_rate": mine and d.status == DossierStatus.RETURNED and rating is None,
            "scores": [(n, SCORE_LABELS[n], _stars(n)) for n in sorted(SCORE_LABELS, reverse=True)],
            "rating_stars": _stars(rating.score) if rating else "",
            "rate_errors": errors.get("score", []),
            "may_withdraw": mine and d.status in processing.OPEN,
        },
        status=status,
    )


@friendly_errors
@_signed_in(gettext_lazy("Đăng nhập để xem hồ sơ của bạn"))
def dossier_view(request: HttpRequest, code: str) -> HttpResponse:
    return _render_dossier(request, selectors.dossier_get(actor=request.user, code=code))


def _own_dossier(request: HttpRequest, code: str) -> Dossier:
    """The reader's own dossier: 404 when they may not see it, 403 for an official who may (their
    actions are on the desk's page)."""
    d = selectors.dossier_get(actor=request.user, code=code)
    if not _is_applicant(request.user, d):
        raise Forbidden(_("Thao tác này dành cho người nộp hồ sơ; cán bộ xử lý hồ sơ tại trang Một cửa."))
    return d


def _back(d: Dossier, anchor: str = "") -> HttpResponse:
    return redirect(reverse("services:dossier", kwargs={"code": d.code}) + (f"#{anchor}" if anchor else ""))


def _failed(request: HttpRequest, code: str, action: str, exc: DomainError, **extra: Any) -> HttpResponse:
    """The page again with the service's message at the form that failed; nothing has changed."""
    if isinstance(exc, NotFound):
        raise exc
    d = selectors.dossier_get(actor=request.user, code=code)
    return _render_dossier(
        request, d, failed=action, error=translate_detail(exc.detail), status=exc.status, **extra
    )


def _supplement_files(request: HttpRequest, d: Dossier) -> tuple[list[services.Attachment], dict[str, str]]:
    return _uploaded(request, _supplement_inputs(d.version), unnamed="tep")


@never_cache
@require_POST
@friendly_errors
@_signed_in(gettext_lazy("Đăng nhập để bổ sung hồ sơ"))
def dossier_supplement_view(request: HttpRequest, code: str) -> HttpResponse:
    """The applicant answers a supplement request with files and a note; the clock restarts."""
    d = _own_dossier(request, code)
    attachments, uploaded = _supplement_files(request, d)
    note = (request.POST.get("ghi_chu") or "")[: processing.MAX_TEXT]
    try:
        result = processing.dossier_supplement(
            actor=request.user, dossier=d, attachments=attachments, note=note
        )
    except DomainError as exc:
        fields: dict[str, list[str]] = {}
        inputs = _supplement_inputs(d.version)
        for problem in exc.errors:
            message = translate_detail(problem.get("message", ""))
            by_file = [i for name, i in uploaded.items() if f"'{name}'" in message]
            by_doc = [i["input"] for i in inputs if i["name"] in message]
            key = by_file[0] if by_file else by_doc[0] if by_doc else "attachments"
            fields.setdefault(key, []).append(message)
        return _failed(request, code, "supplement", exc, field_errors=fields, values={"ghi_chu": note})
    messages.success(
        request,
        _("Đã gửi hồ sơ bổ sung. Thời hạn giải quyết được tính tiếp; hạn trả kết quả mới: {due}.").format(
            due=_when(result.dossier.due_at)
        ),
    )
    return _back(result.dossier)


@never_cache
@require_POST
@friendly_errors
@_signed_in(gettext_lazy("Đăng nhập để nộp phí, lệ phí"))
def dossier_pay_view(request: HttpRequest, code: str) -> HttpResponse:
    """The applicant asks to pay: the open payment (made now or earlier), its VietQR on the page."""
    d = _own_dossier(request, code)
    try:
        payments.payment_create(actor=request.user, dossier=d)
    except DomainError as exc:
        return _failed(request, code, "pay", exc)
    return _back(d, "sv-pay")


def _in_process(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
    """The fake gateway's callback, handed to the webhook's own function in this process (the
    signature, the parsing, the locking and the audit are those of a real callback)."""
    payments.payment_confirm(
        provider=headers["X-Payment-Provider"], payload=body, signature=headers["X-Signature"]
    )
    return 200, {"ok": True}


@never_cache
@require_POST
@friendly_errors
@_signed_in(gettext_lazy("Đăng nhập để nộp phí, lệ phí"))
def dossier_pay_demo_view(request: HttpRequest, code: str) -> HttpResponse:
    """Demo and local deployments only (``PAYMENT_GATEWAY = "fake"``): the fake gateway confirms
    the open payment as a bank would. No money moves; with a real gateway this page does not exist."""
    if settings.PAYMENT_GATEWAY != "fake":
        raise NotFound(_("Không có trang này."))
    d = _own_dossier(request, code)
    try:
        payment, _created = payments.payment_create(actor=request.user, dossier=d)
        payments.LocalFakeGateway().pay(
            reference=payment.reference, amount=payment.amount, transport=_in_process
        )
    except DomainError as exc:
        return _failed(request, code, "pay", exc)
    messages.success(
        request,
        _("Đã thanh toán {amount} đồng (mô phỏng, môi trường thử nghiệm). Mã thanh toán {reference}.").format(
            amount=f"{payment.amount:,}".replace(",", "."), reference=payment.reference
        ),
    )
    return _back(d, "sv-pay")


@never_cache
@require_POST
@friendly_errors
@_signed_in(gettext_lazy("Đăng nhập để đánh giá"))
def dossier_rate_view(request: HttpRequest, code: str) -> HttpResponse:
    d = _own_dossier(request, code)
    raw = (request.POST.get("diem") or "").strip()
    comment = (request.POST.get("gop_y") or "")[: ratings.MAX_COMMENT + 1]
    try:
        ratings.dossier_rate(
            actor=request.user, dossier=d, score=int(raw) if raw.isdigit() else 0, comment=comment
        )
    except DomainError as exc:
        fields = (
            {"score": [translate_detail(exc.detail)]}
            if any(e.get("field") == "score" for e in exc.errors)
            else {}
        )
        return _failed(
            request, code, "rate", exc, field_errors=fields, values={"gop_y": comment, "diem": raw}
        )
    messages.success(request, _("Cảm ơn bạn đã đánh giá việc giải quyết hồ sơ {code}.").format(code=d.code))
    return _back(d, "sv-rate")


@never_cache
@friendly_errors
@_signed_in(gettext_lazy("Đăng nhập để rút hồ sơ"))
def dossier_withdraw_view(request: HttpRequest, code: str) -> HttpResponse:
    """A confirmation page (GET), then the withdrawal with the reason given (POST)."""
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    d = _own_dossier(request, code)
    reason = (request.POST.get("ly_do") or "")[: processing.MAX_TEXT]
    error, status = "", 200
    if request.method == "POST":
        try:
            result = processing.dossier_withdraw(actor=request.user, dossier=d, reason=reason)
        except DomainError as exc:
            error, status = translate_detail(exc.detail), exc.status
            d = selectors.dossier_get(actor=request.user, code=code)
        else:
            messages.success(request, _("Đã rút hồ sơ {code}.").format(code=d.code))
            return _back(result.dossier)
    return render(
        request,
        "services/dossier_withdraw.html",
        {
            "d": d,
            "status_label": STATUS_LABELS.get(d.status, d.status),
            "may_withdraw": d.status in processing.OPEN,
            "reason": reason,
            "error": error,
        },
        status=status,
    )


@friendly_errors
@_signed_in(gettext_lazy("Đăng nhập để xem hồ sơ của bạn"))
def dossier_paper_view(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    """A paper the dossier produced, as PDF (the latest of its kind, or the one with ``sha256``),
    for those who may see the dossier; to anyone else it does not exist."""
    d = selectors.dossier_get(actor=request.user, code=code)
    if kind not in PAPER_LABELS:
        raise NotFound(_("Không có loại giấy tờ '{kind}'.").format(kind=kind))
    slip = selectors.dossier_slip(d, kind, sha256=(request.GET.get("sha256") or "")[:64] or None)
    response = HttpResponse(blob_read(slip.sha256), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, f"{d.code}-{slip.kind}.pdf")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@friendly_errors
@_signed_in(gettext_lazy("Đăng nhập để xem hồ sơ của bạn"))
def dossier_file_view(request: HttpRequest, code: str, sha256: str) -> HttpResponse:
    d = selectors.dossier_get(actor=request.user, code=code)
    f = d.files.filter(sha256=sha256).first()
    if f is None:
        raise NotFound(_("Hồ sơ {code} không có tệp này.").format(code=code))
    response = HttpResponse(blob_read(f.sha256), content_type=f.content_type or "application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(True, f.name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- public tracking -----------------------------------------------------------------------------


@never_cache
@csrf_exempt  # a read that changes nothing; POST only keeps the token out of URLs and logs
@friendly_errors
def track_view(request: HttpRequest) -> HttpResponse:
    """The dossier code and its tracking token; the same message for a wrong token and an unknown
    code, and only what the API's /track reveals."""
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    found = None
    missed = False
    if request.method == "POST":
        code = (request.POST.get("ma_ho_so") or "").strip().upper()[:40]
        token = (request.POST.get("ma_tra_cuu") or "").strip()[:100]
        try:
            d = selectors.dossier_track(code=code, token=token)
        except NotFound:
            missed = True
        else:
            found = {
                "code": d.code,
                "procedure_name": d.procedure.name,
                "status": d.status,
                "status_label": STATUS_LABELS.get(d.status, d.status),
                "received_on": timezone.localtime(d.received_at).date(),
                "due_on": timezone.localtime(d.due_at).date(),
                "handled_by": d.current_agency.name,
            }
    else:
        code = (request.GET.get("ma") or "").strip().upper()[:40]
    return render(
        request,
        "services/track.html",
        {
            "code": code,
            "found": found,
            "missed": _(selectors.TRACK_NOT_FOUND) if missed else "",
        },
        status=404 if missed else 200,
    )
