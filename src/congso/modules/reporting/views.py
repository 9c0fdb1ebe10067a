"""Reporting pages: the inbox of what is due, data entry that saves as you go, approval, who has
not reported, and the roll-up (pivot) page. Views parse input, call services/selectors, render."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from congso.core.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from congso.core.policy import agency_scope, can
from congso.modules.reporting import selectors, services
from congso.modules.reporting.forms import DecisionForm, OpenReportForm, PivotForm
from congso.modules.reporting.models import (
    DataValue,
    Form,
    FormAssignment,
    FormItem,
    Indicator,
    Submission,
    SubmissionStatus,
)
from congso.modules.reporting.periods import period_containing, period_parse, periods_of_year
from congso.web.errors import friendly_errors
from congso.web.labels import translate_detail

PER_PAGE = 25

STATUS_LABELS: dict[str, Any] = {
    SubmissionStatus.DRAFT: gettext_lazy("Đang nhập"),
    SubmissionStatus.SUBMITTED: gettext_lazy("Đã gửi, chờ duyệt"),
    SubmissionStatus.RETURNED: gettext_lazy("Bị trả lại"),
    SubmissionStatus.APPROVED: gettext_lazy("Đã duyệt (khoá)"),
}
OPEN_FOR_ENTRY = {SubmissionStatus.DRAFT, SubmissionStatus.RETURNED}


# --- helpers -------------------------------------------------------------------------------------


def _officials_only(request: HttpRequest) -> None:
    if getattr(request.user, "kind", "") != "official":
        raise Forbidden(_("Trang này dành cho cán bộ, công chức."))


def _today() -> dt.date:
    return timezone.localdate()


def _paginate(request: HttpRequest, items: Any, param: str = "trang") -> tuple[Page, str]:
    page = Paginator(items, PER_PAGE).get_page(request.GET.get(param))
    params = {k: v for k, v in request.GET.items() if k != param and v}
    return page, urlencode(params)


def period_label(code: str) -> str:
    """2024M01 -> "Tháng 01/2024", 2024Q1 -> "Quý 1/2024", 2024S2 -> "6 tháng cuối năm 2024"."""
    try:
        period = period_parse(code)
    except InvalidInput:
        return code
    year = period.code[:4]
    number = period.code[5:].split("-")[0]
    if period.type == "M":
        text = _("Tháng %(number)s/%(year)s") % {"number": number, "year": year}
    elif period.type == "Q":
        text = _("Quý %(number)s/%(year)s") % {"number": number, "year": year}
    elif period.type == "S":
        text = (_("6 tháng đầu năm %(year)s") if number == "1" else _("6 tháng cuối năm %(year)s")) % {
            "year": year
        }
    else:
        text = _("Năm %(year)s") % {"year": year}
    if period.nd09:
        text += " " + _("(NĐ 09/2019)")
    return text


def plain_number(value: Decimal | None) -> str:
    """A saved value as typed back into a cell: no grouping; a decimal comma in Vietnamese."""
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text.replace(".", ",") if get_language() != "en" else text


def grouped_number(value: Decimal | None) -> str:
    """A figure for reading: 321.315,5 in Vietnamese, 321,315.5 in English."""
    if value is None:
        return "—"
    text = format(value.normalize(), "f")
    sign = "-" if text.startswith("-") else ""
    whole, _dot, frac = text.lstrip("-").partition(".")
    thousands, decimal = (",", ".") if get_language() == "en" else (".", ",")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return sign + thousands.join(groups) + (decimal + frac if frac else "")


def _may_see(actor: Any, submission: Submission) -> bool:
    parent = submission.agency.parent
    return can(actor, "reporting.data.view", submission.agency) or (
        parent is not None
        and (can(actor, "reporting.approve", parent) or can(actor, "reporting.reopen", parent))
    )


def _submission(actor: Any, pk: int) -> Submission:
    """The submission, if the actor may see it; otherwise "not found" (its existence is not told)."""
    submission = (
        Submission.objects.select_related("form", "agency", "agency__parent", "submitted_by", "decided_by")
        .filter(pk=pk)
        .first()
    )
    if submission is None or not _may_see(actor, submission):
        raise NotFound(_("Không tìm thấy báo cáo này, hoặc bạn không có quyền xem."))
    return submission


def _decider(actor: Any, submission: Submission, action: str) -> bool:
    target = submission.agency.parent or submission.agency
    return can(actor, action, target)


def _is_late(submission: Submission, today: dt.date) -> bool:
    return submission.deadline < today and submission.status in OPEN_FOR_ENTRY


# --- inbox ---------------------------------------------------------------------------------------


def _assignment_choices(actor: Any) -> list[tuple[int, str]]:
    """The forms assigned to the agencies where the actor holds a role and may submit reports."""
    homes = {ra.agency for ra in actor.role_assignments.select_related("agency")}
    agency_ids = [a.pk for a in homes if can(actor, "reporting.submit", a)]
    rows = (
        FormAssignment.objects.filter(agency_id__in=agency_ids)
        .select_related("form", "agency")
        .order_by("agency__path", "form__code")[:500]
    )
    many = len(agency_ids) > 1
    return [(a.pk, f"{a.form.code} — {a.form.name}" + (f" ({a.agency.name})" if many else "")) for a in rows]


def _default_period(form: Form, today: dt.date) -> str:
    """The last period of the form's type that has ended."""
    nd09 = form.window == "nd09"
    current = period_containing(today, form.period_type, nd09=nd09)
    return period_containing(current.start - dt.timedelta(days=1), form.period_type, nd09=nd09).code


def _inbox_row(submission: Submission, today: dt.date) -> dict[str, Any]:
    return {
        "obj": submission,
        "period": period_label(submission.period),
        "status": STATUS_LABELS.get(submission.status, submission.status),
        "late": _is_late(submission, today),
    }


@login_required
@friendly_errors
def inbox(request: HttpRequest) -> HttpResponse:
    _officials_only(request)
    actor = request.user
    today = _today()
    page, query = _paginate(request, selectors.inbox(actor=actor, today=today))
    approve_scope = agency_scope(actor, "reporting.approve")
    waiting_page = None
    if not approve_scope.empty:
        waiting = (
            Submission.objects.filter(approve_scope.q("agency__parent"), status=SubmissionStatus.SUBMITTED)
            .select_related("form", "agency")
            .order_by("deadline", "form__code", "agency__code")
        )
        waiting_page, _query = _paginate(request, waiting, "trang_duyet")
    choices = _assignment_choices(actor)
    open_form = OpenReportForm(assignments=choices)
    return render(
        request,
        "reporting/inbox.html",
        {
            "page": page,
            "query": query,
            "rows": [_inbox_row(s, today) for s in page],
            "waiting_page": waiting_page,
            "waiting_rows": [_inbox_row(s, today) for s in waiting_page] if waiting_page else [],
            "open_form": open_form,
            "today": today,
            "may_follow": not approve_scope.empty,
            "forms": Form.objects.order_by("code").only("code", "name")[:500]
            if not approve_scope.empty
            else [],
            "default_period": _default_period(Form(period_type="M"), today),
            "tab": "inbox",
        },
    )


@login_required
@require_POST
@friendly_errors
def submission_open(request: HttpRequest) -> HttpResponse:
    _officials_only(request)
    actor = request.user
    choices = _assignment_choices(actor)
    form = OpenReportForm(request.POST, assignments=choices)
    if form.is_valid():
        assignment = FormAssignment.objects.select_related("form", "agency").get(
            pk=form.cleaned_data["assignment"]
        )
        try:
            submission = services.submission_open(
                actor=actor,
                form=assignment.form,
                agency=assignment.agency,
                period_code=form.cleaned_data["period"],
            )
        except InvalidInput as exc:
            form.add_error("period", translate_detail(exc.detail))
        else:
            return redirect("reporting:entry", pk=submission.pk)
    today = _today()
    page, query = _paginate(request, selectors.inbox(actor=actor, today=today))
    return render(
        request,
        "reporting/inbox.html",
        {
            "page": page,
            "query": query,
            "rows": [_inbox_row(s, today) for s in page],
            "open_form": form,
            "today": today,
            "tab": "inbox",
        },
        status=400,
    )


# --- data entry ----------------------------------------------------------------------------------


@dataclass
class Cell:
    id: str
    name: str
    indicator: Indicator
    option_code: str
    option_name: str
    value: str = ""
    saved: Decimal | None = None
    error: str = ""

    @property
    def ref(self) -> str:
        return f"ô {self.indicator.code}/{self.option_code}"


@dataclass
class Row:
    indicator: Indicator
    cells: list[Cell] = field(default_factory=list)
    single: bool = True


@dataclass
class Section:
    code: str
    name: str
    rows: list[Row] = field(default_factory=list)


def _sheet(submission: Submission) -> tuple[list[Section], dict[str, Cell]]:
    """The form's sections and indicators with one cell per option combo, prefilled."""
    items = (
        FormItem.objects.filter(section__form=submission.form)
        .select_related("section", "indicator", "indicator__combo")
        .order_by("section__order", "section_id", "order", "pk")
    )
    combos: dict[int, list[Any]] = {}
    sections: list[Section] = []
    cells: dict[str, Cell] = {}
    indicator_ids = set()
    for item in items:
        if not sections or sections[-1].code != item.section.code:
            sections.append(Section(code=item.section.code, name=item.section.name))
        indicator = item.indicator
        indicator_ids.add(indicator.pk)
        if indicator.combo_id not in combos:
            combos[indicator.combo_id] = list(indicator.combo.option_combos.order_by("order", "code"))
        options = combos[indicator.combo_id]
        row = Row(indicator=indicator, single=len(options) == 1)
        if not indicator.computed:
            for option in options:
                cell = Cell(
                    id=f"o-{indicator.pk}-{option.pk}",
                    name=f"v-{indicator.pk}-{option.pk}",
                    indicator=indicator,
                    option_code=option.code,
                    option_name=option.name,
                )
                row.cells.append(cell)
                cells[cell.name] = cell
        sections[-1].rows.append(row)
    by_key = {(c.indicator.pk, c.option_code): c for c in cells.values()}
    for indicator_id, option_code, value in DataValue.objects.filter(
        agency=submission.agency, period=submission.period, indicator_id__in=indicator_ids
    ).values_list("indicator_id", "option_combo__code", "value"):
        saved_cell = by_key.get((indicator_id, option_code))
        if saved_cell is not None:
            saved_cell.saved = value
            saved_cell.value = plain_number(value)
    return sections, cells


def _entry_state(actor: Any, submission: Submission) -> dict[str, Any]:
    may_enter = can(actor, "reporting.data.enter", submission.agency)
    return {
        "may_enter": may_enter,
        "editable": may_enter and submission.status in OPEN_FOR_ENTRY,
        "may_submit": can(actor, "reporting.submit", submission.agency)
        and submission.status in OPEN_FOR_ENTRY,
        "may_approve": _decider(actor, submission, "reporting.approve")
        and submission.status == SubmissionStatus.SUBMITTED,
        "may_reopen": _decider(actor, submission, "reporting.reopen")
        and submission.status == SubmissionStatus.APPROVED,
    }


def _refusal(submission: Submission, state: dict[str, Any]) -> DomainError | None:
    """Why the actor may not change this report's figures now (or None)."""
    if not state["may_enter"]:
        return Forbidden(_("Bạn không được nhập số liệu cho cơ quan này."))
    if submission.status == SubmissionStatus.APPROVED:
        return Conflict(_("Báo cáo đã được duyệt và khoá; muốn sửa số liệu, cấp trên cần mở lại báo cáo."))
    if submission.status == SubmissionStatus.SUBMITTED:
        return Conflict(
            _("Báo cáo đã gửi và đang chờ duyệt; muốn sửa số liệu, cấp trên cần trả lại báo cáo.")
        )
    return None


def _render_entry(
    request: HttpRequest,
    submission: Submission,
    sections: list[Section],
    *,
    error: str = "",
    narrative: str | None = None,
    status: int = 200,
) -> HttpResponse:
    state = _entry_state(request.user, submission)
    errors = [c for s in sections for r in s.rows for c in r.cells if c.error]
    return render(
        request,
        "reporting/entry.html",
        {
            "submission": submission,
            "sections": sections,
            "period": period_label(submission.period),
            "status_label": STATUS_LABELS.get(submission.status, submission.status),
            "late": _is_late(submission, _today()),
            "error": error,
            "cell_errors": errors,
            "narrative": submission.narrative if narrative is None else narrative,
            "decision_form": DecisionForm(),
            "cell_url": reverse("reporting:cell", args=[submission.pk]),
            "tab": "inbox",
            **state,
        },
        status=status,
    )


def _save_cells(actor: Any, submission: Submission, cells: list[Cell]) -> int:
    """Save the cells at once through the import service; on any problem, none is saved and
    each problem is set on its cell (raises InvalidInput with the detail)."""
    rows = [
        services.ValueRow(
            indicator=c.indicator.code,
            option=c.option_code,
            agency=submission.agency.code,
            period=submission.period,
            value=c.value,
            ref=c.ref,
        )
        for c in cells
    ]
    try:
        report = services.datavalues_import(actor=actor, rows=rows, source="web")
    except InvalidInput as exc:
        by_ref = {c.ref: c for c in cells}
        for problem in exc.errors:
            cell = by_ref.get(problem.get("row", ""))
            if cell is not None:
                cell.error = translate_detail(problem.get("message", ""))
        raise
    return report.saved


_EMPTY_SAVED = gettext_lazy("Không xoá được số liệu đã lưu; nhập 0 nếu kỳ này không phát sinh.")


@login_required
@friendly_errors
def entry(request: HttpRequest, pk: int) -> HttpResponse:
    _officials_only(request)
    actor = request.user
    submission = _submission(actor, pk)
    sections, cells = _sheet(submission)
    if request.method != "POST":
        return _render_entry(request, submission, sections)

    action = request.POST.get("action", "save")
    narrative = request.POST.get("narrative")
    state = _entry_state(actor, submission)
    posted = [c for name, c in cells.items() if name in request.POST]
    if posted:
        refusal = _refusal(submission, state)
        if refusal is not None:
            return _render_entry(
                request, submission, sections, error=str(refusal.detail), status=refusal.status
            )
    to_save: list[Cell] = []
    for cell in posted:
        raw = request.POST.get(cell.name, "").strip()
        cell.value = raw
        if raw == "":
            if cell.saved is not None:
                cell.error = str(_EMPTY_SAVED)
            continue
        to_save.append(cell)
    if any(c.error for c in posted):
        return _render_entry(
            request,
            submission,
            sections,
            narrative=narrative,
            status=400,
            error=_("Chưa lưu số liệu nào, vui lòng sửa các ô được đánh dấu."),
        )
    saved = 0
    if to_save:
        try:
            saved = _save_cells(actor, submission, to_save)
        except InvalidInput as exc:
            unplaced = not any(c.error for c in to_save)
            message = _("Chưa lưu số liệu nào, vui lòng sửa các ô được đánh dấu.")
            return _render_entry(
                request,
                submission,
                sections,
                narrative=narrative,
                status=400,
                error=translate_detail(exc.detail) if unplaced else message,
            )
    if action == "submit":
        try:
            services.submission_submit(actor=actor, submission=submission, narrative=narrative)
        except (InvalidInput, Conflict) as exc:
            prefix = (
                _("Đã lưu số liệu nhưng chưa gửi được báo cáo:") if saved else _("Chưa gửi được báo cáo:")
            )
            submission.refresh_from_db()
            sections, _cells = _sheet(submission)
            return _render_entry(
                request,
                submission,
                sections,
                narrative=narrative,
                status=exc.status,
                error=f"{prefix} {translate_detail(exc.detail)}",
            )
        messages.success(request, _("Đã gửi báo cáo. Cấp trên sẽ xem xét và duyệt."))
        return redirect("reporting:entry", pk=submission.pk)
    if saved:
        messages.success(request, _("Đã lưu %(count)s số liệu.") % {"count": saved})
    else:
        messages.info(request, _("Không có số liệu nào để lưu."))
    return redirect("reporting:entry", pk=submission.pk)


@login_required
@require_POST
def cell_save(request: HttpRequest, pk: int) -> JsonResponse:
    """Save one cell as the person types (fetch from the entry page); JSON ok or the error."""

    def fail(message: str, status: int) -> JsonResponse:
        return JsonResponse({"ok": False, "error": message}, status=status)

    if getattr(request.user, "kind", "") != "official":
        return fail(_("Trang này dành cho cán bộ, công chức."), 403)
    try:
        submission = _submission(request.user, pk)
    except NotFound as exc:
        return fail(str(exc.detail), 404)
    state = _entry_state(request.user, submission)
    refusal = _refusal(submission, state)
    if refusal is not None:
        return fail(str(refusal.detail), refusal.status)
    _sections, cells = _sheet(submission)
    wanted = (request.POST.get("indicator", ""), request.POST.get("option", ""))
    cell = next((c for c in cells.values() if (c.indicator.code, c.option_code) == wanted), None)
    if cell is None:
        return fail(_("Ô này không thuộc biểu mẫu của báo cáo."), 400)
    cell.value = request.POST.get("value", "").strip()
    if cell.value == "":
        if cell.saved is not None:
            return fail(str(_EMPTY_SAVED), 400)
        return JsonResponse({"ok": True, "value": "", "message": ""})
    try:
        _save_cells(request.user, submission, [cell])
    except InvalidInput as exc:
        return fail(cell.error or translate_detail(exc.detail), 400)
    except DomainError as exc:
        return fail(translate_detail(exc.detail), exc.status)
    stored = (
        DataValue.objects.filter(
            agency=submission.agency,
            period=submission.period,
            indicator=cell.indicator,
            option_combo__code=cell.option_code,
        )
        .values_list("value", flat=True)
        .first()
    )
    return JsonResponse({"ok": True, "value": plain_number(stored), "message": _("Đã lưu")})


def _decide(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    _officials_only(request)
    actor = request.user
    submission = _submission(actor, pk)
    form = DecisionForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        if kind == "approve":
            services.submission_approve(actor=actor, submission=submission, comment=comment)
            messages.success(request, _("Đã duyệt báo cáo. Số liệu của kỳ này đã được khoá."))
        elif kind == "return":
            services.submission_return(actor=actor, submission=submission, comment=comment)
            messages.success(request, _("Đã trả lại báo cáo kèm ý kiến."))
        else:
            services.submission_reopen(actor=actor, submission=submission, reason=comment)
            messages.success(request, _("Đã mở lại báo cáo để sửa số liệu."))
    except (InvalidInput, Conflict) as exc:
        messages.error(request, translate_detail(exc.detail))
    return redirect("reporting:entry", pk=submission.pk)


@login_required
@require_POST
@friendly_errors
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "approve")


@login_required
@require_POST
@friendly_errors
def return_(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "return")


@login_required
@require_POST
@friendly_errors
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "reopen")


# --- who has not reported ------------------------------------------------------------------------


@login_required
@require_GET
@friendly_errors
def not_reported_pick(request: HttpRequest) -> HttpResponse:
    """The inbox's "who has not reported" box: ?bieu=<form code>&ky=<period> -> its page."""
    code = (request.GET.get("bieu") or "").strip()
    if not code:
        return redirect("reporting:inbox")
    url = reverse("reporting:not_reported", args=[code])
    period = (request.GET.get("ky") or "").strip()
    return redirect(f"{url}?{urlencode({'ky': period})}" if period else url)


@login_required
@friendly_errors
def not_reported(request: HttpRequest, code: str) -> HttpResponse:
    _officials_only(request)
    actor = request.user
    if agency_scope(actor, "reporting.approve").empty:
        raise Forbidden(_("Trang này dành cho lãnh đạo cơ quan cấp trên."))
    form = Form.objects.filter(code=code).first()
    if form is None:
        raise NotFound(_("Không có biểu mẫu mã %(code)s.") % {"code": code})
    today = _today()
    raw = (request.GET.get("ky") or "").strip() or _default_period(form, today)
    error = ""
    agencies: list[Any] = []
    try:
        period = period_parse(raw)
        if period.type != form.period_type:
            raise InvalidInput(
                _("Kỳ %(period)s không phải loại kỳ của biểu %(form)s.") % {"period": raw, "form": code}
            )
    except InvalidInput as exc:
        error, period = translate_detail(exc.detail), None
    if period is not None:
        agencies = selectors.not_reported(actor=actor, form=form, period_code=period.code)
    subs = {
        s.agency_id: s
        for s in Submission.objects.filter(
            form=form, period=period.code if period else "", agency__in=agencies
        )
    }
    rows = [
        {
            "agency": a,
            "submission": subs.get(a.pk),
            "status": STATUS_LABELS.get(subs[a.pk].status) if a.pk in subs else _("Chưa mở báo cáo"),
            "late": a.pk in subs and _is_late(subs[a.pk], today),
        }
        for a in agencies
    ]
    page, query = _paginate(request, rows)
    return render(
        request,
        "reporting/not_reported.html",
        {
            "form": form,
            "period_code": period.code if period else raw,
            "period": period_label(period.code) if period else raw,
            "error": error,
            "page": page,
            "query": query,
            "rows": list(page),
            "count": len(rows),
            "tab": "follow",
        },
        status=400 if error else 200,
    )


# --- roll-up (pivot) -----------------------------------------------------------------------------

CHART_W, CHART_H, CHART_TOP, CHART_BOTTOM, CHART_LEFT = 640, 260, 24, 40, 8


def _chart(labels: list[str], values: list[Decimal | None]) -> dict[str, Any] | None:
    """Bars for a server-drawn SVG: one per period, scaled to the largest magnitude."""
    numbers = [abs(v) for v in values if v is not None]
    if not numbers or max(numbers) == 0:
        return None
    top = max(numbers)
    plot_h = CHART_H - CHART_TOP - CHART_BOTTOM
    slot = (CHART_W - CHART_LEFT * 2) / len(values)
    width = max(slot * 0.7, 4)
    bars = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        height = float(abs(value) / top) * plot_h if value is not None else 0.0
        x = CHART_LEFT + i * slot + (slot - width) / 2
        # SVG coordinates as plain strings: the page's locale would print 8,5 for 8.5.
        bars.append(
            {
                "x": f"{x:.1f}",
                "y": f"{CHART_TOP + plot_h - height:.1f}",
                "w": f"{width:.1f}",
                "h": f"{height:.1f}",
                "cx": f"{x + width / 2:.1f}",
                "label": label,
                "value": grouped_number(value),
                "negative": value is not None and value < 0,
                "shown": value is not None,
                "ty": f"{CHART_TOP + plot_h - height - 5:.1f}",
            }
        )
    return {
        "w": CHART_W,
        "h": CHART_H,
        "base": CHART_TOP + plot_h,
        "bars": bars,
        "label_y": CHART_H - 14,
        "left": CHART_LEFT,
        "right": CHART_W - CHART_LEFT,
    }


def _short_period(code: str) -> str:
    """Column and bar labels: T1…T12 (months), Q1…Q4, 6T1/6T2 (half years), the year."""
    period = period_parse(code)
    body = period.code[4:].split("-")[0]
    if not body:
        return period.code[:4]
    number = int(body[1:])
    if period.type == "M":
        return _("T%(number)s") % {"number": number}
    if period.type == "S":
        return _("6T%(number)s") % {"number": number}
    return f"Q{number}"


@login_required
@friendly_errors
def pivot(request: HttpRequest) -> HttpResponse:
    _officials_only(request)
    actor = request.user
    if agency_scope(actor, "reporting.data.view").empty:
        raise Forbidden(_("Bạn không có quyền xem số liệu báo cáo."))
    today = _today()
    data = None
    if request.GET:
        data = request.GET.copy()
        for key, default in (
            ("nam", today.year - 1),
            ("loai_ky", "M"),
            ("cap", 1),
            ("ngay", today.isoformat()),
        ):
            if not data.get(key):
                data[key] = str(default)
    form = PivotForm(data, initial={"nam": today.year - 1, "loai_ky": "M", "cap": 1, "ngay": today})
    context: dict[str, Any] = {
        "form": form,
        "indicators": Indicator.objects.order_by("code").values_list("code", "name")[:1000],
        "tab": "pivot",
    }
    status = 200
    if data is not None and form.is_valid():
        clean = form.cleaned_data
        kind, _sep, nd09 = clean["loai_ky"].partition("-")
        periods = periods_of_year(clean["nam"], kind, nd09=bool(nd09))
        day = form.hierarchy_day(today)
        codes = [p.code for p in periods]
        try:
            result = selectors.rollup(
                actor=actor,
                indicator_code=clean["chi_tieu"],
                period_codes=codes,
                hierarchy_as_of=day,
                level=clean["cap"],
            )
            footer = None
            if clean["cap"] > 1:
                footer = selectors.rollup(
                    actor=actor,
                    indicator_code=clean["chi_tieu"],
                    period_codes=codes,
                    hierarchy_as_of=day,
                    level=1,
                )
        except (InvalidInput, NotFound) as exc:
            form.add_error("chi_tieu" if isinstance(exc, NotFound) else None, translate_detail(exc.detail))
            status = exc.status
        else:
            order = sorted(result.units, key=lambda k: (result.units[k].code, k))
            rows = [
                {
                    "unit": result.units[k],
                    "cells": [grouped_number(result.by_period.get(k, {}).get(c)) for c in codes],
                    "total": grouped_number(result.total.get(k)),
                }
                for k in order
            ]
            foot_rows = []
            if footer is not None:
                for k in sorted(footer.units, key=lambda k: footer.units[k].code):
                    foot_rows.append(
                        {
                            "unit": footer.units[k],
                            "cells": [grouped_number(footer.by_period.get(k, {}).get(c)) for c in codes],
                            "total": grouped_number(footer.total.get(k)),
                        }
                    )
            chart_source = footer if footer is not None else result
            series: list[Decimal | None] = []
            for c in codes:
                present = [cells[c] for cells in chart_source.by_period.values() if c in cells]
                series.append(sum(present, Decimal(0)) if present else None)
            params = {
                "indicator": result.indicator.code,
                "year": clean["nam"],
                "period_type": clean["loai_ky"],
                "hierarchy_as_of": day.isoformat(),
                "level": clean["cap"],
            }
            exports = [
                (label, f"/api/v1/reporting/export?{urlencode({'format': fmt, **params})}")
                for fmt, label in (
                    ("xlsx", "Excel (.xlsx)"),
                    ("csv", "CSV"),
                    ("pdf", "PDF"),
                    ("sdmx-csv", "SDMX-CSV"),
                    ("sdmx-json", "SDMX-JSON"),
                    ("adx", "ADX"),
                )
            ]
            context.update(
                {
                    "result": result,
                    "periods": [
                        {"code": c, "label": period_label(c), "short": _short_period(c)} for c in codes
                    ],
                    "rows": rows,
                    "foot_rows": foot_rows,
                    "chart": _chart([_short_period(c) for c in codes], series),
                    "day": day,
                    "exports": exports,
                    "year": clean["nam"],
                }
            )
    elif data is not None:
        status = 400
    return render(request, "reporting/pivot.html", context, status=status)
