"""Processing a dossier after filing (Decree 118/2025/NĐ-CP): the one-stop desk and the offices
that settle it. ADR 0016.

Every write here is ``dossier_<verb>(*, actor, dossier, …)``. Each one locks the dossier row,
asks the policy layer about the agency the action belongs to, checks the status (a repeated or
out-of-order action is a ``Conflict`` and changes nothing), writes its rows, its process-control
event and its audit event in one transaction, and files the statutory paper it produces
(``slips.py``) as a ``DossierSlip``. Mail to the applicant leaves after commit.

- ``dossier_accept``: the desk accepts; the steps of the version are laid out on the working-day
  calendar and the receipt (Mẫu 01) is issued. SUBMITTED/ACCEPTED → IN_PROGRESS.
- ``dossier_request_supplement`` stops the clock (Mẫu 02); ``dossier_supplement`` restarts it and
  moves the due date and the open steps by the working days it stood still.
- ``dossier_refuse`` (Mẫu 03), ``dossier_withdraw`` (the applicant).
- ``dossier_hand_over``: one step done, the next one's agency (a ward, then a city department …).
- ``dossier_apologise``: the head of the competent agency sets a later date, letter signed (Mẫu 04).
- ``dossier_decide``: the result, signed by the leader and sealed by the agency. → DONE.
- ``dossier_return_result``: the desk hands it over, on time or late. → RETURNED.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from congso.core import signing
from congso.core.accounts.models import AccountKind, Role
from congso.core.audit.services import audit_record
from congso.core.calendar.workdays import (
    OFFICE_CLOSE,
    VN_TZ,
    add_working_days,
    is_working_day,
    receipt_day,
    working_days_between,
)
from congso.core.errors import Conflict, DomainError, InvalidInput
from congso.core.files import blob_put
from congso.core.notify import email_after_commit
from congso.core.org.models import Agency, AgencyKind, UnitLevel
from congso.core.org.selectors import agency_get
from congso.core.policy import authorize, can
from congso.modules.services import catalogue, notifications, services, slips
from congso.modules.services.models import (
    Channel,
    Dossier,
    DossierEvent,
    DossierFile,
    DossierSlip,
    DossierStatus,
    DossierStep,
    EventAction,
    ProcedureLevel,
    SlipKind,
)
from congso.modules.services.services import Attachment

S = DossierStatus

# The action a step's role needs on the step's agency.
STEP_ACTION: dict[str, str] = {
    Role.DESK_OFFICER.value: "services.receive",
    Role.SPECIALIST.value: "services.process",
    Role.LEADER.value: "services.decide",
}
# Before the desk accepted it (no steps yet) and while it is being settled.
OPEN = (S.SUBMITTED, S.ACCEPTED, S.SUPPLEMENT_REQUESTED, S.IN_PROGRESS)
MAX_TEXT = 2000


def _now() -> dt.datetime:
    # One clock for the module: tests fix it by patching ``services._now``.
    return services._now()


@dataclass(frozen=True)
class ActionResult:
    """What an action leaves: the dossier as saved and the paper it produced (if any)."""

    dossier: Dossier
    slip: DossierSlip | None = None


# --- Accept ----------------------------------------------------------------------------------------


def dossier_accept(*, actor: Any, dossier: Dossier) -> ActionResult:
    """The desk of the receiving one-stop unit ("services.receive") accepts a dossier filed online
    (SUBMITTED) or entered at the desk (ACCEPTED, not yet routed). Its steps are laid out from the
    version: each at the agency competent for it as of the filing date, each due on the working-day
    calendar by its share of the time, the last one when the dossier is. The first step starts
    with the accepting officer; the receipt (Mẫu 01) is issued."""
    with transaction.atomic():
        d = _lock(dossier)
        authorize(actor, "services.receive", d.receiving_agency)
        _expect(d, (S.SUBMITTED, S.ACCEPTED), _("tiếp nhận"))
        if d.steps.exists():
            raise Conflict(_("Hồ sơ {code} đã được tiếp nhận.").format(code=d.code))
        now = _now()
        before = _snapshot(d)
        steps = _lay_out_steps(d, actor, now)
        d.status = S.IN_PROGRESS
        d.current_agency = steps[0].agency
        d.save(update_fields=["status", "current_agency", "updated_at"])
        _event(
            d,
            EventAction.ACCEPT,
            now,
            step=steps[0],
            from_label=d.applicant_name,
            from_user=d.applicant,
            to_user=actor,
            to_agency=d.receiving_agency,
        )
        slip = _file_slip(
            d,
            SlipKind.RECEIPT,
            slips.receipt_slip(_slip_dossier(d), officer=_name(actor), issued_at=now),
            actor,
            now,
        )
        _audit(
            actor,
            "services.dossier.accept",
            d,
            before,
            {
                **_snapshot(d),
                "steps": [[s.order, s.role, s.agency.code, s.due_at] for s in steps],
                "slip": slip.sha256,
            },
            d.receiving_agency,
        )
    return ActionResult(d, slip)


def _lay_out_steps(d: Dossier, actor: Any, now: dt.datetime) -> list[DossierStep]:
    specs = list(d.version.steps) or [
        {
            "role": Role.LEADER,
            "agency_level": d.procedure.level,
            "days": d.version.processing_days,
            "name": _("Giải quyết hồ sơ"),
        }
    ]
    total = sum(int(s["days"]) for s in specs)
    # Milestones counted back from the dossier's due date (which already carries any pause before
    # acceptance); the receipt day is a working day, so this equals counting forward from it.
    last_day = timezone.localtime(d.due_at, VN_TZ).date()
    filed_on = timezone.localtime(d.received_at, VN_TZ).date()
    steps: list[DossierStep] = []
    done = 0
    for order, spec in enumerate(specs, start=1):
        done += int(spec["days"])
        first = order == 1
        steps.append(
            DossierStep(
                dossier=d,
                order=order,
                name=str(spec.get("name") or "")[:200],
                role=spec["role"],
                agency_level=spec["agency_level"],
                days=int(spec["days"]),
                agency=_step_agency(d, spec, filed_on),
                official=actor if first and spec["role"] == Role.DESK_OFFICER else None,
                started_at=now if first else None,
                due_at=_at_close(add_working_days(last_day, done - total)),
            )
        )
    DossierStep.objects.bulk_create(steps)
    return list(d.steps.select_related("agency").order_by("order"))


def _step_agency(d: Dossier, spec: dict[str, Any], day: dt.date) -> Agency:
    """Who does a step, as of the filing date: the desk's steps at the receiving unit; commune
    steps at the commune's People's Committee (the competent one, or the one above the receiving
    desk); province steps at the competent department (or the one the procedure names)."""
    if spec["role"] == Role.DESK_OFFICER:
        return d.receiving_agency
    competent = d.competent_agency
    if spec["agency_level"] == ProcedureLevel.COMMUNE:
        if competent.level == UnitLevel.COMMUNE:
            return competent
        parent = d.receiving_agency.parent
        if (
            d.receiving_agency.level == UnitLevel.COMMUNE
            and parent is not None
            and parent.kind == AgencyKind.PEOPLES_COMMITTEE
        ):
            return parent
    else:
        if competent.level != UnitLevel.COMMUNE:
            return competent
        code = d.procedure.competent_agency_code
        if code:
            try:
                return agency_get(code=code, as_of=day)
            except DomainError:
                pass
    raise Conflict(
        _("Không xác định được cơ quan xử lý bước '{step}' của hồ sơ {code} vào ngày {date}.").format(
            step=spec.get("name") or spec["role"], code=d.code, date=f"{day:%d/%m/%Y}"
        )
    )


# --- Supplements: the clock stops and restarts --------------------------------------------------


def dossier_request_supplement(
    *, actor: Any, dossier: Dossier, items: Sequence[str], reason: str
) -> ActionResult:
    """Ask the applicant for missing or faulty papers (Mẫu 02): the desk of the receiving unit, or
    an official holding the current step. The clock stops (``paused_at``) until they answer."""
    with transaction.atomic():
        d = _lock(dossier)
        step = _open_step(d)
        if not (step is not None and can(actor, _step_action(step.role), step.agency)):
            authorize(actor, "services.receive", d.receiving_agency)
        _expect(d, (S.SUBMITTED, S.ACCEPTED, S.IN_PROGRESS), _("yêu cầu bổ sung"))
        wanted = _lines(items, "items", _("Hãy nêu ít nhất một thành phần hồ sơ cần bổ sung."))
        why = _text(reason, "reason", _("Hãy nêu lý do yêu cầu bổ sung."))
        now = _now()
        before = _snapshot(d)
        d.status = S.SUPPLEMENT_REQUESTED
        d.paused_at = now
        d.save(update_fields=["status", "paused_at", "updated_at"])
        from_agency = step.agency if step is not None and _holds(actor, step) else d.receiving_agency
        _event(
            d,
            EventAction.SUPPLEMENT_REQUEST,
            now,
            step=step,
            from_user=actor,
            from_agency=from_agency,
            to_user=d.applicant,
            to_label=d.applicant_name,
            note="\n".join([why, *(f"- {item}" for item in wanted)]),
        )
        pdf = slips.supplement_request(
            _slip_dossier(d), officer=_name(actor), items=wanted, reason=why, issued_at=now
        )
        slip = _file_slip(d, SlipKind.SUPPLEMENT_REQUEST, pdf, actor, now)
        _audit(
            actor,
            "services.dossier.request_supplement",
            d,
            before,
            {**_snapshot(d), "items": list(wanted), "reason": why, "slip": slip.sha256},
            from_agency,
        )
        notifications.notify_supplement_requested(
            d, reason="\n".join([why, *(f"- {item}" for item in wanted)])
        )
    return ActionResult(d, slip)


def dossier_supplement(
    *,
    actor: Any,
    dossier: Dossier,
    attachments: Sequence[Attachment] = (),
    form: dict[str, Any] | None = None,
    note: str = "",
) -> ActionResult:
    """The applicant (their own dossier) or the desk of the receiving unit hands in what was asked
    for: files and/or corrected form fields. The clock restarts: the working days it stood still
    (from the day after it stopped to the day the answer counts as received, 16:00 cut-off) are
    added to ``paused_days``, and the due date and every step not yet done move by as many."""
    if not _is_applicant(actor, dossier):
        authorize(actor, "services.receive", dossier.receiving_agency)
    errors = services._check_attachments(dossier.version, attachments, online=False)
    merged: dict[str, Any] | None = None
    if form:
        errors += catalogue.validate_form(
            catalogue.fields_of(dossier.version.form_fields), {**dossier.form_data, **form}
        )[1]
    if not attachments and not form:
        errors.append({"field": "attachments", "message": _("Hãy nộp kèm tệp hoặc sửa tờ khai.")})
    if errors:
        raise InvalidInput(
            _("Phần bổ sung có {n} lỗi, vui lòng kiểm tra lại.").format(n=len(errors)), errors=errors
        )
    blobs = [blob_put(a.content) for a in attachments]
    with transaction.atomic():
        d = _lock(dossier)
        _expect(d, (S.SUPPLEMENT_REQUESTED,), _("nhận bổ sung"))
        if form:
            # Merged again under the lock: the stored form is the one the answer corrects.
            merged, form_errors = catalogue.validate_form(
                catalogue.fields_of(d.version.form_fields), {**d.form_data, **form}
            )
            if form_errors:
                raise InvalidInput(
                    _("Phần bổ sung có {n} lỗi, vui lòng kiểm tra lại.").format(n=len(form_errors)),
                    errors=form_errors,
                )
        now = _now()
        before = _snapshot(d)
        assert d.paused_at is not None
        paused = working_days_between(timezone.localtime(d.paused_at, VN_TZ).date(), receipt_day(now))
        d.paused_days += paused
        d.due_at = _shift(d.due_at, paused)
        for s in d.steps.filter(done_at__isnull=True):
            s.due_at = _shift(s.due_at, paused)
            s.save(update_fields=["due_at"])
        d.paused_at = None
        has_steps = d.steps.exists()
        d.status = S.IN_PROGRESS if has_steps else (S.ACCEPTED if d.channel == Channel.DESK else S.SUBMITTED)
        if merged is not None:
            d.form_data = merged
        d.save(update_fields=["paused_days", "due_at", "paused_at", "status", "form_data", "updated_at"])
        DossierFile.objects.bulk_create(
            DossierFile(
                dossier=d,
                document=a.document[:300],
                name=a.name[:255],
                content_type=a.content_type[:100],
                size=blob.size,
                sha256=blob.sha256,
            )
            for a, blob in zip(attachments, blobs, strict=True)
        )
        step = _open_step(d)
        by_applicant = _is_applicant(actor, d)
        _event(
            d,
            EventAction.SUPPLEMENT,
            now,
            step=step,
            from_user=d.applicant if by_applicant else None,
            from_label=d.applicant_name,
            to_user=None if by_applicant else actor,
            to_agency=d.receiving_agency,
            note="\n".join(
                [
                    *([note.strip()[:MAX_TEXT]] if note.strip() else []),
                    *(f"+ {a.document}: {a.name}" for a in attachments),
                    *(f"~ {key}" for key in sorted(form or {})),
                ]
            ),
        )
        _audit(
            actor,
            "services.dossier.supplement",
            d,
            before,
            {
                **_snapshot(d),
                "paused": paused,
                "files": [b.sha256 for b in blobs],
                "form": sorted(form or {}),
            },
            d.receiving_agency,
        )
    return ActionResult(d, None)


# --- Refuse, withdraw ----------------------------------------------------------------------------


def dossier_refuse(*, actor: Any, dossier: Dossier, reasons: Sequence[str]) -> ActionResult:
    """Refuse to settle, with the reasons (Mẫu 03): before acceptance the desk of the receiving
    unit, afterwards the head of the competent agency ("services.decide")."""
    with transaction.atomic():
        d = _lock(dossier)
        accepted = d.steps.exists()
        if accepted:
            authorize(actor, "services.decide", d.competent_agency)
        else:
            authorize(actor, "services.receive", d.receiving_agency)
        _expect(d, OPEN, _("từ chối"))
        why = _lines(reasons, "reasons", _("Hãy nêu lý do từ chối."))
        now = _now()
        before = _snapshot(d)
        d.status = S.REFUSED
        d.paused_at = None
        d.current_agency = d.receiving_agency
        d.save(update_fields=["status", "paused_at", "current_agency", "updated_at"])
        by = d.competent_agency if accepted else d.receiving_agency
        _event(
            d,
            EventAction.REFUSE,
            now,
            step=_open_step(d),
            from_user=actor,
            from_agency=by,
            to_user=d.applicant,
            to_label=d.applicant_name,
            note="\n".join(f"- {r}" for r in why),
        )
        pdf = slips.refusal_slip(_slip_dossier(d), officer=_name(actor), reasons=why, issued_at=now)
        slip = _file_slip(d, SlipKind.REFUSAL, pdf, actor, now)
        _audit(
            actor,
            "services.dossier.refuse",
            d,
            before,
            {**_snapshot(d), "reasons": list(why), "slip": slip.sha256},
            by,
        )
        email_after_commit(
            d.applicant_email,
            _("Hồ sơ {code} bị từ chối giải quyết").format(code=d.code),
            _("Hồ sơ {code} bị từ chối giải quyết. Lý do: {reasons}").format(
                code=d.code, reasons="; ".join(why)
            ),
        )
    return ActionResult(d, slip)


def dossier_withdraw(*, actor: Any, dossier: Dossier, reason: str = "") -> ActionResult:
    """The applicant withdraws their dossier before it is settled (or the desk records it for a
    paper applicant)."""
    with transaction.atomic():
        d = _lock(dossier)
        by_applicant = _is_applicant(actor, d)
        if not by_applicant:
            authorize(actor, "services.receive", d.receiving_agency)
        _expect(d, OPEN, _("rút"))
        now = _now()
        before = _snapshot(d)
        d.status = S.WITHDRAWN
        d.paused_at = None
        d.current_agency = d.receiving_agency
        d.save(update_fields=["status", "paused_at", "current_agency", "updated_at"])
        _event(
            d,
            EventAction.WITHDRAW,
            now,
            step=_open_step(d),
            from_user=d.applicant,
            from_label=d.applicant_name,
            to_user=None if by_applicant else actor,
            to_agency=d.receiving_agency,
            note=reason.strip()[:MAX_TEXT],
        )
        _audit(actor, "services.dossier.withdraw", d, before, _snapshot(d), d.receiving_agency)
    return ActionResult(d, None)


# --- Hand-over, apology ----------------------------------------------------------------------------


def dossier_hand_over(
    *, actor: Any, dossier: Dossier, to_official: Any = None, note: str = ""
) -> ActionResult:
    """Finish the current step and pass the dossier to the next step's agency (and official, when
    named: they must hold the next step's right there). The actor holds the current step's right
    on its agency (the official the step was given to, or a colleague standing in). Writes one
    line of the control log and a fresh control slip."""
    with transaction.atomic():
        d = _lock(dossier)
        step = _open_step(d)
        if step is not None:
            authorize(actor, _step_action(step.role), step.agency)
        else:
            authorize(actor, "services.process", d.competent_agency)
        _expect(d, (S.IN_PROGRESS,), _("chuyển xử lý"))
        assert step is not None  # IN_PROGRESS always has an open step
        following = d.steps.select_related("agency").filter(order__gt=step.order).order_by("order").first()
        if following is None:
            raise Conflict(
                _("Hồ sơ {code} đang ở bước cuối; lãnh đạo ký kết quả thay vì chuyển tiếp.").format(
                    code=d.code
                )
            )
        if to_official is not None and not (
            getattr(to_official, "kind", None) == AccountKind.OFFICIAL
            and to_official.is_active
            and can(to_official, _step_action(following.role), following.agency)
        ):
            raise InvalidInput(
                _("{name} không xử lý được bước '{step}' tại {agency}.").format(
                    name=_name(to_official), step=following.name, agency=following.agency.name
                ),
                errors=[{"field": "to_official", "message": _("cán bộ không có quyền xử lý bước này")}],
            )
        now = _now()
        before = _snapshot(d)
        step.done_at = now
        step.save(update_fields=["done_at"])
        following.started_at = now
        following.official = to_official
        following.save(update_fields=["started_at", "official"])
        d.current_agency = following.agency
        d.save(update_fields=["current_agency", "updated_at"])
        _event(
            d,
            EventAction.HAND_OVER,
            now,
            step=step,
            from_user=actor,
            from_agency=step.agency,
            to_user=to_official,
            to_agency=following.agency,
            note=note.strip()[:MAX_TEXT],
        )
        slip = _control_slip(d, actor, now)
        _audit(
            actor,
            "services.dossier.hand_over",
            d,
            before,
            {**_snapshot(d), "step": step.order, "to_step": following.order, "to": _pk(to_official)},
            step.agency,
        )
    return ActionResult(d, slip)


def dossier_apologise(*, actor: Any, dossier: Dossier, reason: str, new_due: dt.date) -> ActionResult:
    """The head of the competent agency ("services.decide") apologises for a dossier that will be
    late and sets a later date (a working day after the current one). The letter (Mẫu 04) is signed
    with the head's own certificate; the due date and the steps not yet done move by as many working
    days as the dossier's date does."""
    with transaction.atomic():
        d = _lock(dossier)
        authorize(actor, "services.decide", d.competent_agency)
        _expect(d, (S.IN_PROGRESS,), _("hẹn lại ngày trả kết quả"))
        why = _text(reason, "reason", _("Hãy nêu lý do chậm trả kết quả."))
        old_day = timezone.localtime(d.due_at, VN_TZ).date()
        if not isinstance(new_due, dt.date) or isinstance(new_due, dt.datetime):
            raise InvalidInput(
                _("Ngày hẹn mới không hợp lệ."), errors=[{"field": "new_due", "message": _("phải là ngày")}]
            )
        if new_due <= old_day or not is_working_day(new_due):
            raise InvalidInput(
                _("Ngày hẹn mới phải là một ngày làm việc sau ngày hẹn hiện tại ({date}).").format(
                    date=f"{old_day:%d/%m/%Y}"
                ),
                errors=[{"field": "new_due", "message": _("không phải ngày làm việc sau ngày hẹn hiện tại")}],
            )
        now = _now()
        before = _snapshot(d)
        moved = working_days_between(old_day, new_due)
        # The letter states the date that was promised and the new one.
        pdf = slips.apology_letter(
            _slip_dossier(d), head=_name(actor), reason=why, new_due=_at_close(new_due), issued_at=now
        )
        # Its signature block follows the text, so the signature is invisible (the PDF's own field).
        signed = _sign_as_head(
            pdf, actor, _("Xin lỗi, hẹn lại ngày trả kết quả hồ sơ {code}").format(code=d.code), visible=None
        )
        # The message quotes the date that was promised: built before the date changes.
        notifications.notify_late(d, new_due_at=_at_close(new_due), reason=why)
        d.due_at = _at_close(new_due)
        d.save(update_fields=["due_at", "updated_at"])
        for s in d.steps.filter(done_at__isnull=True):
            s.due_at = _shift(s.due_at, moved)
            s.save(update_fields=["due_at"])
        slip = _file_slip(d, SlipKind.APOLOGY, signed, actor, now, signed=True)
        _event(
            d,
            EventAction.APOLOGISE,
            now,
            step=_open_step(d),
            from_user=actor,
            from_agency=d.competent_agency,
            to_user=d.applicant,
            to_label=d.applicant_name,
            note=_("{reason}\nHẹn lại: {due}").format(reason=why, due=_when(d.due_at)),
        )
        _audit(
            actor,
            "services.dossier.apologise",
            d,
            before,
            {**_snapshot(d), "reason": why, "moved": moved, "slip": slip.sha256},
            d.competent_agency,
        )
    return ActionResult(d, slip)


# --- Decide, return ---------------------------------------------------------------------------------


def dossier_decide(*, actor: Any, dossier: Dossier, title: str, body: str) -> ActionResult:
    """The leader of the competent agency ("services.decide") signs the result once the dossier is
    at its last step: the document is signed with the leader's certificate and then with the
    agency's seal, filed as the result slip; the result goes to the receiving desk. → DONE."""
    with transaction.atomic():
        d = _lock(dossier)
        authorize(actor, "services.decide", d.competent_agency)
        _expect(d, (S.IN_PROGRESS,), _("ký kết quả"))
        step = _open_step(d)
        assert step is not None
        if d.steps.filter(order__gt=step.order).exists():
            raise Conflict(
                _("Hồ sơ {code} chưa đến bước ký kết quả (đang ở bước '{step}' tại {agency}).").format(
                    code=d.code, step=step.name, agency=step.agency.name
                )
            )
        heading = _text(title, "title", _("Hãy nhập tên văn bản kết quả."), limit=300)
        content = _text(body, "body", _("Hãy nhập nội dung kết quả."), limit=20_000)
        now = _now()
        before = _snapshot(d)
        signer_title = (getattr(actor, "position", "") or _("Thủ trưởng cơ quan")).strip()
        pdf = slips.result_document(
            _slip_dossier(d),
            title=heading,
            body=content,
            signer_title=signer_title,
            signer=_name(actor),
            issued_at=now,
        )
        signed = _sign_as_head(
            pdf, actor, _("Ký kết quả giải quyết hồ sơ {code}").format(code=d.code), visible=_signature_box()
        )
        sealed = _seal(signed, d.competent_agency, d.code)
        slip = _file_slip(d, SlipKind.RESULT, sealed, actor, now, signed=True)
        step.done_at = now
        step.save(update_fields=["done_at"])
        d.status = S.DONE
        d.decided_at = now
        d.current_agency = d.receiving_agency
        d.save(update_fields=["status", "decided_at", "current_agency", "updated_at"])
        _event(
            d,
            EventAction.DECIDE,
            now,
            step=step,
            from_user=actor,
            from_agency=d.competent_agency,
            to_agency=d.receiving_agency,
            note=heading,
        )
        _audit(
            actor,
            "services.dossier.decide",
            d,
            before,
            {**_snapshot(d), "title": heading, "slip": slip.sha256},
            d.competent_agency,
        )
        notifications.notify_result_ready(d)
    return ActionResult(d, slip)


def dossier_return_result(*, actor: Any, dossier: Dossier, note: str = "") -> ActionResult:
    """The desk of the receiving unit hands the result to the applicant and the final control slip
    is filed. ``on_time``: the result was signed by the legal due date (``legal_due``: pauses
    count, an apology's later date does not)."""
    with transaction.atomic():
        d = _lock(dossier)
        authorize(actor, "services.receive", d.receiving_agency)
        _expect(d, (S.DONE,), _("trả kết quả"))
        now = _now()
        before = _snapshot(d)
        assert d.decided_at is not None
        d.on_time = d.decided_at <= legal_due(d)
        d.status = S.RETURNED
        d.returned_at = now
        d.save(update_fields=["on_time", "status", "returned_at", "updated_at"])
        _event(
            d,
            EventAction.RETURN,
            now,
            from_user=actor,
            from_agency=d.receiving_agency,
            to_user=d.applicant,
            to_label=d.applicant_name,
            note="\n".join(
                [
                    _("Đúng hạn") if d.on_time else _("Quá hạn"),
                    *([note.strip()[:MAX_TEXT]] if note.strip() else []),
                ]
            ),
        )
        slip = _control_slip(d, actor, now)
        _audit(
            actor,
            "services.dossier.return_result",
            d,
            before,
            {**_snapshot(d), "on_time": d.on_time, "slip": slip.sha256},
            d.receiving_agency,
        )
    return ActionResult(d, slip)


def legal_due(d: Dossier) -> dt.datetime:
    """The due date by law: the processing time plus the working days the clock stood still,
    counted from the receipt day. An apology's later date does not move it: a dossier settled
    after it is late, apology or not."""
    return _at_close(add_working_days(receipt_day(d.received_at), d.version.processing_days + d.paused_days))


# --- Helpers --------------------------------------------------------------------------------------


def _lock(dossier: Dossier) -> Dossier:
    return (
        Dossier.objects.select_for_update(of=("self",))
        .select_related(
            "procedure", "version", "receiving_agency", "competent_agency", "current_agency", "applicant"
        )
        .get(pk=dossier.pk)
    )


def _expect(d: Dossier, allowed: Sequence[str], verb: str) -> None:
    if d.status not in allowed:
        raise Conflict(
            _("Hồ sơ {code} đang ở trạng thái '{status}', không thể {verb}.").format(
                code=d.code, status=d.get_status_display(), verb=verb
            )
        )


def _open_step(d: Dossier) -> DossierStep | None:
    """The step the dossier is at: the first one not done (None before acceptance or when done)."""
    return (
        d.steps.select_related("agency", "official")
        .filter(done_at__isnull=True, started_at__isnull=False)
        .order_by("order")
        .first()
    )


def _step_action(role: str) -> str:
    return STEP_ACTION.get(role, "services.process")


def _holds(actor: Any, step: DossierStep) -> bool:
    return can(actor, _step_action(step.role), step.agency)


def _is_applicant(actor: Any, d: Dossier) -> bool:
    return (
        actor is not None
        and getattr(actor, "is_authenticated", False)
        and actor.kind == AccountKind.CITIZEN
        and d.applicant_id is not None
        and actor.pk == d.applicant_id
    )


def _lines(values: Sequence[str], field: str, message: str) -> tuple[str, ...]:
    if isinstance(values, str):
        values = [values]
    clean = tuple(v.strip()[:MAX_TEXT] for v in values if isinstance(v, str) and v.strip())
    if not clean:
        raise InvalidInput(message, errors=[{"field": field, "message": _("bắt buộc phải nhập")}])
    return clean


def _text(value: str, field: str, message: str, *, limit: int = MAX_TEXT) -> str:
    clean = (value or "").strip()
    if not clean:
        raise InvalidInput(message, errors=[{"field": field, "message": _("bắt buộc phải nhập")}])
    if len(clean) > limit:
        raise InvalidInput(
            _("Nội dung quá dài (tối đa {n} ký tự).").format(n=limit),
            errors=[{"field": field, "message": _("quá dài")}],
        )
    return clean


def _at_close(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, OFFICE_CLOSE, tzinfo=VN_TZ)


def _shift(moment: dt.datetime, working_days: int) -> dt.datetime:
    """``moment`` moved by ``working_days`` working days, at the same local time."""
    if working_days == 0:
        return moment
    local = timezone.localtime(moment, VN_TZ)
    return dt.datetime.combine(add_working_days(local.date(), working_days), local.timetz())


def _when(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment, VN_TZ):%H:%M ngày %d/%m/%Y}"


def _name(user: Any) -> str:
    return str(getattr(user, "display_name", "") or getattr(user, "username", ""))


def _pk(user: Any) -> int | None:
    return getattr(user, "pk", None)


def _snapshot(d: Dossier) -> dict[str, Any]:
    return {
        "status": d.status,
        "current_agency": d.current_agency.code,
        "due_at": d.due_at,
        "paused_days": d.paused_days,
        "paused_at": d.paused_at,
    }


def _audit(
    actor: Any, action: str, d: Dossier, before: dict[str, Any], after: dict[str, Any], agency: Agency
) -> None:
    audit_record(actor=actor, action=action, target=d, before=before, after=after, agency_code=agency.code)


def _event(
    d: Dossier,
    action: str,
    at: dt.datetime,
    *,
    step: DossierStep | None = None,
    from_user: Any = None,
    from_agency: Agency | None = None,
    from_label: str = "",
    to_user: Any = None,
    to_agency: Agency | None = None,
    to_label: str = "",
    note: str = "",
) -> DossierEvent:
    return DossierEvent.objects.create(
        dossier=d,
        step=step,
        action=action,
        from_user=from_user,
        from_agency=from_agency,
        from_label=(from_label or _party(from_user, from_agency))[:300],
        to_user=to_user,
        to_agency=to_agency,
        to_label=(to_label or _party(to_user, to_agency))[:300],
        at=at,
        note=note,
    )


def _party(user: Any, agency: Agency | None) -> str:
    parts = [
        p for p in (_name(user) if user is not None else "", agency.name if agency is not None else "") if p
    ]
    return " — ".join(parts)


# --- Papers ----------------------------------------------------------------------------------------


def _slip_dossier(d: Dossier) -> slips.SlipDossier:
    attached = set(d.files.values_list("document", flat=True))
    documents = tuple(
        slips.SlipDocument(
            str(doc["name"]), copies=int(doc.get("copies", 1)), original=bool(doc.get("original"))
        )
        for doc in d.version.documents
        if doc["name"] in attached
        or (d.channel == Channel.DESK and doc.get("required") and not doc.get("state_held"))
    )
    address = next(
        (str(v) for k, v in d.form_data.items() if k.startswith("dia_chi") and isinstance(v, str) and v),
        "",
    )
    parent = d.receiving_agency.parent
    return slips.SlipDossier(
        code=d.code,
        procedure_code=d.procedure.code,
        procedure_name=d.procedure.name,
        applicant_name=d.applicant_name,
        applicant_id_number=d.applicant_id_number,
        applicant_phone=d.applicant_phone,
        applicant_address=address,
        receiving_agency=d.receiving_agency.name,
        competent_agency=d.competent_agency.name,
        received_at=d.received_at,
        due_at=d.due_at,
        documents=documents,
        fee=d.version.fee,
        tracking_url=notifications.tracking_url(d.code),
        receiving_parent=parent.name if parent is not None else "",
        processing_days=d.version.processing_days,
    )


def _control_slip(d: Dossier, actor: Any, now: dt.datetime) -> DossierSlip:
    events = (
        d.events.select_related("step")
        .filter(
            action__in=(EventAction.ACCEPT, EventAction.HAND_OVER, EventAction.DECIDE, EventAction.RETURN)
        )
        .order_by("at", "id")
    )
    handovers = tuple(
        slips.Handover(
            step=e.step.name if e.step is not None else e.get_action_display(),
            from_party=e.from_label,
            to_party=e.to_label,
            handed_at=e.at,
            due_at=e.step.due_at if e.step is not None else d.due_at,
            done_at=e.step.done_at if e.step is not None else e.at,
            note=e.note,
        )
        for e in events
    )
    return _file_slip(
        d,
        SlipKind.CONTROL,
        slips.control_slip(_slip_dossier(d), handovers=handovers, issued_at=now),
        actor,
        now,
    )


def _file_slip(
    d: Dossier, kind: str, pdf: bytes, actor: Any, now: dt.datetime, *, signed: bool = False
) -> DossierSlip:
    blob = blob_put(pdf)
    return DossierSlip.objects.create(
        dossier=d,
        kind=kind,
        sha256=blob.sha256,
        size=blob.size,
        signed=signed,
        created_by=actor,
        created_at=now,
    )


def _signature_box() -> signing.VisibleBox:
    return signing.VisibleBox(page=slips.RESULT_SIGNATURE_PAGE, box=slips.RESULT_SIGNATURE_BOX)


def _sign_as_head(pdf: bytes, official: Any, reason: str, *, visible: signing.VisibleBox | None) -> bytes:
    position = (getattr(official, "position", "") or "").strip()
    return signing.sign_pdf(
        pdf,
        signing.identity_for_official(official),
        field_name=f"LanhDao_{official.pk}",
        reason=reason,
        visible=visible,
        stamp_text=f"{_name(official)}\n{position}\n" + _("Ký ngày: %(ts)s") if position else None,
    )


def _seal(pdf: bytes, agency: Agency, code: str) -> bytes:
    """The agency's seal signature after the leader's, its stamp over the left third of the
    leader's (Decree 30/2020, Appendix I: the seal covers about a third of the signature, on the
    left)."""
    box = _signature_box()
    x1, y1, x2, y2 = box.box
    return signing.sign_pdf(
        pdf,
        signing.identity_for_seal(agency),
        field_name=f"ConDau_{agency.code.replace('.', '_')}",
        reason=_("Đóng dấu kết quả giải quyết hồ sơ {code}").format(code=code),
        visible=signing.VisibleBox(page=box.page, box=(x1, y1, x1 + (x2 - x1) // 3, y2)),
    )
