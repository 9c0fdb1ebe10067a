"""A citizen's unsent forms (bản nháp): "Lưu nháp" on the submit form keeps what was typed.

- ``draft_save(*, actor, procedure, form, agency)``: the values of the version's form fields and
  the one-stop unit chosen, for this citizen and procedure (one draft each; saving again replaces
  it). Files are not kept: a browser never gives a chosen file back to a page.
- ``draft_get`` / ``drafts_of``: the citizen's own drafts only; nobody else reads them.
- ``draft_discard``: when the citizen throws it away or files the dossier.

A draft is the citizen's private scratch paper, not an act of any office: saving and discarding
are audited with the names of the fields only, never their values.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from congso.core.accounts.models import AccountKind
from congso.core.audit.services import audit_record
from congso.core.errors import Forbidden, InvalidInput
from congso.modules.services import catalogue, services
from congso.modules.services.models import DossierDraft, Procedure

MAX_FIELDS = 100


def _now() -> dt.datetime:
    return services._now()


def _citizen(actor: Any) -> None:
    if not (getattr(actor, "is_authenticated", False) and getattr(actor, "kind", "") == AccountKind.CITIZEN):
        raise Forbidden(_("Chỉ công dân đăng nhập bằng VNeID mới lưu được bản nháp hồ sơ."))


def draft_save(*, actor: Any, procedure: Procedure, form: dict[str, str], agency: str = "") -> DossierDraft:
    _citizen(actor)
    if len(form) > MAX_FIELDS:
        raise InvalidInput(_("Bản nháp có quá nhiều trường."))
    values = {str(k)[:100]: str(v)[: catalogue.MAX_TEXT] for k, v in form.items() if str(v).strip()}
    data = {"form": values, "agency": (agency or "").strip()[:20]}
    with transaction.atomic():
        draft, created = DossierDraft.objects.select_for_update().get_or_create(
            applicant=actor, procedure=procedure, defaults={"form_data": data, "updated_at": _now()}
        )
        if not created:
            draft.form_data = data
            draft.updated_at = _now()
            draft.save(update_fields=["form_data", "updated_at"])
        audit_record(
            actor=actor,
            action="services.draft.save",
            target=draft,
            after={"procedure": procedure.code, "fields": sorted(values), "agency": data["agency"]},
        )
    return draft


def draft_get(*, actor: Any, procedure: Procedure) -> DossierDraft | None:
    if getattr(actor, "kind", "") != AccountKind.CITIZEN or not getattr(actor, "is_authenticated", False):
        return None
    return DossierDraft.objects.filter(applicant_id=actor.pk, procedure=procedure).first()


def drafts_of(actor: Any) -> QuerySet[DossierDraft]:
    if getattr(actor, "kind", "") != AccountKind.CITIZEN or not getattr(actor, "is_authenticated", False):
        return DossierDraft.objects.none()
    return DossierDraft.objects.filter(applicant_id=actor.pk).select_related("procedure")


def draft_discard(*, actor: Any, procedure: Procedure) -> bool:
    """Delete the citizen's draft of ``procedure``; whether there was one."""
    with transaction.atomic():
        draft = (
            DossierDraft.objects.select_for_update()
            .filter(applicant_id=actor.pk, procedure=procedure)
            .first()
        )
        if draft is None:
            return False
        audit_record(
            actor=actor,
            action="services.draft.discard",
            target=draft,
            before={"procedure": procedure.code, "fields": sorted(draft.form_data.get("form", {}))},
        )
        draft.delete()
    return True
