"""Every write of the services module: ``<entity>_<verb>(*, actor, …)``.

Each runs in one transaction, checks the policy layer, and writes its audit event inside that
transaction. Attachments are stored by digest before the transaction (core.files): a rolled-back
filing leaves at most an unreferenced blob, never a row pointing at nothing.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from congso.core.accounts.models import AccountKind, User
from congso.core.audit.services import audit_record
from congso.core.calendar.workdays import deadline
from congso.core.errors import Conflict, DomainError, Forbidden, InvalidInput, Unauthenticated
from congso.core.files import blob_put
from congso.core.inserts import insert, insert_many
from congso.core.localcache import SharedVersionCache
from congso.core.org.models import Agency, AgencyKind, UnitLevel
from congso.core.org.selectors import agency_on
from congso.core.policy import authorize
from congso.core.search.text import fold
from congso.modules.services import catalogue, idempotency, notifications
from congso.modules.services.models import (
    Channel,
    Dossier,
    DossierFile,
    DossierStatus,
    IdempotencyKey,
    Procedure,
    ProcedureLevel,
    ProcedureVersion,
)
from congso.modules.services.numbering import dossier_code, next_sequence

# Where an online dossier of a province-level procedure is received when the applicant names no desk.
CITY_ONE_STOP = "000.00.29.H26"  # Trung tâm Phục vụ hành chính công thành phố Hà Nội
MAX_FILE_BYTES = 20 * 1024 * 1024
NATIONAL_ID = re.compile(r"^\d{12}$")


def _now() -> dt.datetime:
    return timezone.now()


# --- Catalogue -----------------------------------------------------------------------------------


def procedure_publish(*, actor: Any, spec: catalogue.ProcedureSpec) -> tuple[ProcedureVersion, bool]:
    """Create or describe a procedure and publish ``spec.version`` unless a version with the same
    ``valid_from`` exists (then nothing changes: idempotent). A published version is never edited;
    different content under an existing date is a Conflict. ``actor=None`` is the system (seeds)."""
    if actor is not None:
        authorize(actor, "services.catalogue", globally=True)
    errors = catalogue.check_version(spec.version)
    if spec.level not in ProcedureLevel.values:
        errors.append({"field": "level", "message": _("Cấp thực hiện không hợp lệ.")})
    if spec.level == ProcedureLevel.PROVINCE and not spec.competent_agency_code:
        errors.append(
            {
                "field": "competent_agency_code",
                "message": _("Thủ tục cấp tỉnh phải nêu cơ quan có thẩm quyền."),
            }
        )
    if errors:
        raise InvalidInput(_("Định nghĩa thủ tục {code} có lỗi.").format(code=spec.code), errors=errors)
    v = spec.version
    content = {
        "processing_days": v.processing_days,
        "fee": v.fee,
        "fee_unit": v.fee_unit,
        "fee_note": v.fee_note,
        "legal_basis": v.legal_basis,
        "documents": catalogue.dump(v.documents),
        "form_fields": catalogue.dump(v.form_fields),
        "steps": catalogue.dump(v.steps),
    }
    with transaction.atomic():
        procedure, _created = Procedure.objects.select_for_update().get_or_create(
            code=spec.code,
            defaults={
                "name": spec.name,
                "search_name": fold(spec.name),
                "field": spec.field,
                "level": spec.level,
                "competent_kind": spec.competent_kind,
                "competent_agency_code": spec.competent_agency_code,
                "online_level": spec.online_level,
            },
        )
        existing = procedure.versions.filter(valid_from=v.valid_from).first()
        if existing is not None:
            stored = {k: getattr(existing, k) for k in content}
            if stored != content:
                raise Conflict(
                    _(
                        "Thủ tục {code} đã có phiên bản hiệu lực từ {date}; phiên bản đã công bố không sửa "
                        "được, hãy công bố phiên bản mới với ngày hiệu lực khác."
                    ).format(code=spec.code, date=f"{v.valid_from:%d/%m/%Y}")
                )
            return existing, False
        last = procedure.versions.order_by("-number").values_list("number", flat=True).first() or 0
        version = ProcedureVersion.objects.create(
            procedure=procedure, number=last + 1, valid_from=v.valid_from, **content
        )
        audit_record(
            actor=actor,
            action="services.procedure.publish",
            target=version,
            after={"code": spec.code, "number": version.number, "valid_from": v.valid_from, **content},
        )
        IN_FORCE.invalidate()
    return version, True


# --- Dossiers ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attachment:
    document: str  # the name of the required document it answers
    name: str
    content: bytes
    content_type: str = "application/pdf"

    @classmethod
    def from_base64(cls, *, document: str, name: str, content_base64: str, content_type: str) -> Attachment:
        try:
            content = base64.b64decode(content_base64, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput(
                _("Tệp '{name}' không đọc được: nội dung phải mã hóa base64.").format(name=name),
                errors=[{"field": "attachments", "message": _("nội dung base64 không hợp lệ")}],
            ) from None
        return cls(document=document, name=name, content=content, content_type=content_type)


@dataclass
class SubmissionSpec:
    procedure_code: str
    form: dict[str, Any] = field(default_factory=dict)
    attachments: Sequence[Attachment] = ()
    # The one-stop unit receiving it: a desk officer's own unit by default; online, the
    # applicant's choice (the city centre by default for province-level procedures).
    agency_code: str = ""
    # Commune-level procedures only: the commune competent when it is not the desk's own.
    competent_agency_code: str = ""
    # At the desk: the applicant as on their papers. Online: taken from the e-ID account.
    applicant_name: str = ""
    applicant_id_number: str = ""
    applicant_phone: str = ""
    applicant_email: str = ""

    def fingerprint(self) -> str:
        return idempotency.request_hash(
            {
                "procedure_code": self.procedure_code,
                "form": self.form,
                "attachments": [
                    [a.document, a.name, a.content_type, hashlib.sha256(a.content).hexdigest()]
                    for a in self.attachments
                ],
                "agency_code": self.agency_code,
                "competent_agency_code": self.competent_agency_code,
                "applicant": [
                    self.applicant_name,
                    self.applicant_id_number,
                    self.applicant_phone,
                    self.applicant_email,
                ],
            }
        )


@dataclass(frozen=True)
class Submission:
    dossier: Dossier
    tracking_token: str | None  # shown to the applicant; None on a replay after the key expired
    replayed: bool = False
    # The dossier's file rows as just written (None on a replay: read them from the dossier).
    files: list[DossierFile] | None = None


def dossier_submit(*, actor: Any, spec: SubmissionSpec, idempotency_key: str | None = None) -> Submission:
    """File a dossier online (a citizen) or at the desk (an official with "services.receive" on the
    receiving one-stop unit). With ``idempotency_key``, a repeat of the same submission by the same
    account returns the first dossier, also when both arrive at once (see idempotency.py)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise Unauthenticated(_("Bạn cần đăng nhập để nộp hồ sơ."))
    key = (idempotency_key or "").strip() or None
    if key is not None and (len(key) > idempotency.MAX_KEY_LENGTH or not key.isprintable()):
        raise InvalidInput(
            _("Idempotency-Key phải là chuỗi in được, tối đa {n} ký tự.").format(
                n=idempotency.MAX_KEY_LENGTH
            ),
            errors=[{"field": "Idempotency-Key", "message": _("khóa không hợp lệ")}],
        )
    fingerprint = spec.fingerprint()
    # A retry is answered before anything is checked again; the cheap test first, since nearly
    # every submission is a first one.
    if key is not None and idempotency.key_taken(actor_id=actor.pk, key=key):
        earlier = _earlier(actor, key)
        if earlier is not None:
            return _replay(earlier, fingerprint)
    try:
        return _file(actor, spec, key, fingerprint)
    except IntegrityError:
        # The same key, filed at the same moment by another request that committed first.
        earlier = _earlier(actor, key) if key is not None else None
        if earlier is None:
            raise
        return _replay(earlier, fingerprint)


def _earlier(actor: Any, key: str) -> IdempotencyKey | None:
    return (
        IdempotencyKey.objects.filter(actor_id=actor.pk, key=key, dossier__isnull=False)
        .select_related("dossier")
        .first()
    )


def _replay(earlier: IdempotencyKey, fingerprint: str) -> Submission:
    if earlier.request_hash != fingerprint:
        raise Conflict(
            _(
                "Khóa Idempotency-Key '{key}' đã được dùng cho một yêu cầu nộp hồ sơ khác. Mỗi hồ sơ cần "
                "một khóa riêng; gửi lại đúng nội dung cũ để nhận lại hồ sơ đã nộp."
            ).format(key=earlier.key)
        )
    assert earlier.dossier is not None
    token = idempotency.unseal(earlier.sealed_token) if earlier.expires_at > _now() else None
    return Submission(dossier=earlier.dossier, tracking_token=token, replayed=True)


def _resolve_agency(code: str, day: dt.date, field_name: str) -> Agency:
    try:
        return agency_on(code=code, day=day)
    except DomainError:
        raise InvalidInput(
            _("Không có cơ quan mã {code} vào ngày {date}.").format(code=code, date=f"{day:%d/%m/%Y}"),
            errors=[{"field": field_name, "message": _("cơ quan không tồn tại vào ngày nộp")}],
        ) from None


def _version_on(procedure: Procedure, day: dt.date) -> ProcedureVersion | None:
    return procedure.versions.filter(valid_from__lte=day).order_by("-valid_from").first()


# The procedure and its version in force on a day, kept per process (core/localcache.py): every
# filing asks for them and they change only when a version is published, which drops them.
IN_FORCE = SharedVersionCache[tuple[Procedure, ProcedureVersion]]("services.in_force")


def _in_force(code: str, day: dt.date) -> tuple[Procedure, ProcedureVersion]:
    def load() -> tuple[Procedure, ProcedureVersion] | None:
        procedure = Procedure.objects.filter(code=code, is_active=True).first()
        version = _version_on(procedure, day) if procedure is not None else None
        return (procedure, version) if procedure is not None and version is not None else None

    found = IN_FORCE.get((code, day), load)
    if found is not None:
        return found
    if not Procedure.objects.filter(code=code, is_active=True).exists():
        raise InvalidInput(
            _("Không có thủ tục mã {code} trong danh mục.").format(code=code),
            errors=[{"field": "procedure", "message": _("thủ tục không tồn tại")}],
        )
    raise InvalidInput(
        _("Thủ tục {code} chưa có phiên bản hiệu lực vào ngày {date}.").format(
            code=code, date=f"{day:%d/%m/%Y}"
        ),
        errors=[{"field": "procedure", "message": _("chưa có phiên bản hiệu lực")}],
    )


def _file(actor: Any, spec: SubmissionSpec, key: str | None, fingerprint: str) -> Submission:
    now = _now()
    day = timezone.localdate(now)
    citizen = actor.kind == AccountKind.CITIZEN
    if not citizen and actor.kind != AccountKind.OFFICIAL:
        raise Forbidden(_("Tài khoản kết nối hệ thống không được nộp hồ sơ thay công dân."))

    procedure, version = _in_force(spec.procedure_code.strip(), day)

    # The receiving one-stop unit and the competent agency, as of the filing date.
    receiving_code = spec.agency_code.strip()
    if not receiving_code:
        if not citizen:
            receiving_code = actor.agency_code
        elif procedure.level == ProcedureLevel.PROVINCE:
            receiving_code = CITY_ONE_STOP
        else:
            raise InvalidInput(
                _("Thủ tục cấp xã: hãy chọn bộ phận một cửa của xã, phường nhận hồ sơ."),
                errors=[{"field": "agency", "message": _("bắt buộc phải chọn")}],
            )
    receiving = _resolve_agency(receiving_code, day, "agency")
    if not citizen:
        # A desk officer files only at a desk where they receive dossiers; others change nothing.
        authorize(actor, "services.receive", receiving)
    if receiving.kind != AgencyKind.ONE_STOP_CENTRE:
        raise InvalidInput(
            _("{name} không phải bộ phận một cửa, không tiếp nhận hồ sơ.").format(name=receiving.name),
            errors=[{"field": "agency", "message": _("không phải bộ phận một cửa")}],
        )
    competent = _competent(procedure, receiving, spec, day)

    errors: list[dict[str, str]] = []
    if citizen:
        applicant: User | None = actor
        name, id_number = actor.full_name or actor.username, actor.national_id or ""
    else:
        name, id_number = spec.applicant_name.strip(), spec.applicant_id_number.strip()
        if not name:
            errors.append({"field": "applicant_name", "message": _("Họ tên người nộp: bắt buộc phải nhập.")})
        if not NATIONAL_ID.match(id_number):
            errors.append(
                {
                    "field": "applicant_id_number",
                    "message": _("Số định danh cá nhân: phải gồm đúng 12 chữ số."),
                }
            )
        applicant = (
            User.objects.filter(kind=AccountKind.CITIZEN, national_id=id_number).first()
            if NATIONAL_ID.match(id_number)
            else None
        )
    form, form_errors = catalogue.validate_form(catalogue.fields_of(version.form_fields), spec.form)
    errors += form_errors
    errors += _check_attachments(version, spec.attachments, online=citizen)
    if errors:
        raise InvalidInput(_("Hồ sơ có {n} lỗi, vui lòng kiểm tra lại.").format(n=len(errors)), errors=errors)

    blobs = [blob_put(a.content) for a in spec.attachments]
    token = secrets.token_urlsafe(18)
    received_at = now
    with transaction.atomic():
        sequence = next_sequence(agency=receiving, day=day)
        # Written with core.inserts (the ORM's compiler costs more than the insert; ADR 0018).
        dossier = Dossier(
            code=dossier_code(agency_code=receiving.code, day=day, sequence=sequence),
            procedure=procedure,
            version=version,
            channel=Channel.ONLINE if citizen else Channel.DESK,
            status=DossierStatus.SUBMITTED if citizen else DossierStatus.ACCEPTED,
            applicant=applicant,
            applicant_name=name,
            applicant_id_number=id_number,
            applicant_phone=(actor.phone if citizen else spec.applicant_phone.strip())[:20],
            applicant_email=actor.email if citizen else spec.applicant_email.strip(),
            receiving_agency=receiving,
            competent_agency=competent,
            current_agency=receiving,
            form_data=form,
            received_at=received_at,
            due_at=deadline(received_at, version.processing_days),
            tracking_digest=tracking_digest(token),
            submitted_by=actor,
        )
        insert(dossier)
        files = [
            DossierFile(
                dossier=dossier,
                document=a.document[:300],
                name=a.name[:255],
                content_type=a.content_type[:100],
                size=blob.size,
                sha256=blob.sha256,
            )
            for a, blob in zip(spec.attachments, blobs, strict=True)
        ]
        insert_many(files)
        audit_record(
            actor=actor,
            action="services.dossier.submit",
            target=dossier,
            after={
                "code": dossier.code,
                "procedure": procedure.code,
                "version": version.number,
                "channel": dossier.channel,
                "status": dossier.status,
                "receiving": receiving.code,
                "competent": competent.code,
                "received_at": dossier.received_at,
                "due_at": dossier.due_at,
                "files": [b.sha256 for b in blobs],
            },
            agency_code=receiving.code,
        )
        if key is not None:
            # A twin sent at the same moment got past the check above too: its insert waits here on
            # the unique index (or earlier, on the day's counter row) until this filing commits,
            # then fails, and its whole transaction, sequence number included, rolls back.
            insert(
                IdempotencyKey(
                    key=key,
                    actor=actor,
                    request_hash=fingerprint,
                    dossier=dossier,
                    sealed_token=idempotency.seal(token),
                    expires_at=now + dt.timedelta(hours=idempotency.KEEP_HOURS),
                )
            )
        # Email/SMS to the applicant once the filing has committed (nothing is sent for a rollback).
        notifications.notify_submitted(dossier, tracking_token=token)
    return Submission(dossier=dossier, tracking_token=token, files=files)


def _competent(procedure: Procedure, receiving: Agency, spec: SubmissionSpec, day: dt.date) -> Agency:
    if procedure.level == ProcedureLevel.PROVINCE:
        return _resolve_agency(procedure.competent_agency_code, day, "procedure")
    code = spec.competent_agency_code.strip()
    if code:
        competent = _resolve_agency(code, day, "competent_agency")
    elif receiving.level == UnitLevel.COMMUNE and receiving.parent is not None:
        competent = receiving.parent
    else:
        raise InvalidInput(
            _("Thủ tục cấp xã nộp tại {name}: hãy chọn Ủy ban nhân dân xã, phường có thẩm quyền.").format(
                name=receiving.name
            ),
            errors=[{"field": "competent_agency", "message": _("bắt buộc phải chọn")}],
        )
    if competent.kind != AgencyKind.PEOPLES_COMMITTEE or competent.level != UnitLevel.COMMUNE:
        raise InvalidInput(
            _("{name} không có thẩm quyền giải quyết thủ tục cấp xã.").format(name=competent.name),
            errors=[{"field": "competent_agency", "message": _("không phải UBND cấp xã")}],
        )
    return competent


def _check_attachments(
    version: ProcedureVersion, attachments: Sequence[Attachment], *, online: bool
) -> list[dict[str, str]]:
    errors: list[dict[str, str]] = []
    names = {d["name"] for d in version.documents}
    for a in attachments:
        if a.document not in names:
            errors.append(
                {
                    "field": "attachments",
                    "message": _(
                        "Tệp '{name}': '{document}' không thuộc thành phần hồ sơ của thủ tục."
                    ).format(name=a.name, document=a.document),
                }
            )
        if not a.content:
            errors.append({"field": "attachments", "message": _("Tệp '{name}' rỗng.").format(name=a.name)})
        elif len(a.content) > MAX_FILE_BYTES:
            errors.append(
                {
                    "field": "attachments",
                    "message": _("Tệp '{name}' vượt quá {mb} MB.").format(
                        name=a.name, mb=MAX_FILE_BYTES // 1024 // 1024
                    ),
                }
            )
    if online:
        # Paper dossiers bring the papers; online ones attach every required document the state
        # does not already hold.
        given = {a.document for a in attachments}
        for d in version.documents:
            if d["required"] and not d["state_held"] and d["name"] not in given:
                errors.append(
                    {
                        "field": "attachments",
                        "message": _("Thiếu thành phần hồ sơ: {name}.").format(name=d["name"]),
                    }
                )
    return errors


def tracking_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
