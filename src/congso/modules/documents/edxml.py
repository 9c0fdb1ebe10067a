"""edXML packages (QCVN 102:2016/BTTTT, amended 2022): the format Vietnamese agencies exchange
documents in. Pure functions, no models and no database: dataclasses in, bytes out, and back.

What is written (element names as in the standard and the vendors' SDKs; choices in ADR 0013):

    <edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">
      <edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">
        <edXML:edXMLHeader>
          <edXML:MessageHeader>  From, To+, Code, PromulgationInfo, DocumentType, Subject, Content,
                                 SignerInfo, DueDate, ToPlaces, OtherInfo, ResponseFor*,
                                 SteeringType, DocumentId
          <edXML:TraceHeaderList>  TraceHeader*, Bussiness
          <Signature xmlns="http://www.w3.org/2000/09/xmldsig#">  (carried as given, not produced)
        <edXML:edXMLBody>
          <edXML:edXMLManifest version="1.0">  Reference* (xlink:href="cid:…", ds:DigestValue SHA-256)
      <AttachmentEncoded>  Attachment* (ContentTransferEncoded: the file in base64)

A status message (01 arrived … 16 recall refused) is the same frame with
``edXMLHeader/Status`` (ResponseFor, From, StatusCode, Description, Timestamp, StaffInfo).

Parsing is safe by construction: lxml with ``resolve_entities=False, no_network=True,
huge_tree=False, load_dtd=False`` and any DOCTYPE refused, so XXE and entity expansion are out.
``huge_tree=False`` keeps libxml2's limit of 10,000,000 characters per text node, which caps one
attachment at ``MAX_ATTACHMENT_BYTES`` (7.5 MB); ``build_envelope`` refuses larger files with a
clear message rather than produce a package that no safe parser reads.

Every problem with the fields is collected and raised once as ``InvalidInput`` whose ``errors``
name each element by its path, e.g. ``MessageHeader/Code/CodeNumber`` or
``AttachmentEncoded/Attachment[2]/ContentId`` (lists are numbered from 1, as in XPath).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from enum import Enum, IntEnum, StrEnum
from typing import Any, Final, Literal, TypeVar

from lxml import etree

from congso.core.errors import InvalidInput

NAMESPACE: Final = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
XMLDSIG_NAMESPACE: Final = "http://www.w3.org/2000/09/xmldsig#"
XLINK_NAMESPACE: Final = "http://www.w3.org/1999/xlink"
SHA256_ALGORITHM: Final = "http://www.w3.org/2001/04/xmlenc#sha256"
VN_TZ: Final = timezone(timedelta(hours=7))
# libxml2 without XML_PARSE_HUGE refuses a text node over 10,000,000 characters; base64 turns
# 7,500,000 bytes into exactly that many.
MAX_ATTACHMENT_BYTES: Final = 7_500_000

_DOCTYPE_MESSAGE: Final = "Gói edXML không được chứa khai báo DOCTYPE hay thực thể (entity)."


# --------------------------------------------------------------------------- code lists


class Priority(IntEnum):
    """OtherInfo/Priority: the urgency mark (độ khẩn)."""

    NORMAL = 0
    URGENT = 1
    VERY_URGENT = 2
    FLASH = 3
    FLASH_SCHEDULED = 4

    @property
    def label(self) -> str:
        return _PRIORITY_LABELS[self]


_PRIORITY_LABELS: Final = {
    Priority.NORMAL: "Thường",
    Priority.URGENT: "Khẩn",
    Priority.VERY_URGENT: "Thượng khẩn",
    Priority.FLASH: "Hỏa tốc",
    Priority.FLASH_SCHEDULED: "Hỏa tốc hẹn giờ",
}


class StatusCode(StrEnum):
    """Status/StatusCode: where the receiving agency stands with a document."""

    ARRIVED = "01"
    REJECTED = "02"
    ACCEPTED = "03"
    ASSIGNED = "04"
    IN_PROGRESS = "05"
    COMPLETED = "06"
    RECALL_REQUESTED = "13"
    RECALL_ACCEPTED = "15"
    RECALL_REFUSED = "16"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]


_STATUS_LABELS: Final = {
    StatusCode.ARRIVED: "Đã đến",
    StatusCode.REJECTED: "Từ chối tiếp nhận",
    StatusCode.ACCEPTED: "Đã tiếp nhận",
    StatusCode.ASSIGNED: "Đã phân công xử lý",
    StatusCode.IN_PROGRESS: "Đang xử lý",
    StatusCode.COMPLETED: "Đã hoàn thành",
    StatusCode.RECALL_REQUESTED: "Yêu cầu thu hồi",
    StatusCode.RECALL_ACCEPTED: "Đồng ý thu hồi",
    StatusCode.RECALL_REFUSED: "Từ chối thu hồi",
}


class BusinessDocType(IntEnum):
    """TraceHeaderList/Bussiness/BussinessDocType: what the package does to the document."""

    NEW = 0
    REVOKE = 1
    UPDATE = 2
    REPLACE = 3

    @property
    def label(self) -> str:
        return _BUSINESS_LABELS[self]


_BUSINESS_LABELS: Final = {
    BusinessDocType.NEW: "Văn bản mới",
    BusinessDocType.REVOKE: "Thu hồi văn bản",
    BusinessDocType.UPDATE: "Cập nhật văn bản",
    BusinessDocType.REPLACE: "Thay thế văn bản",
}


class SteeringType(IntEnum):
    """MessageHeader/SteeringType. The two values below are the ones seen in practice; a value
    outside them is read back as a plain int, never refused."""

    NOT_STEERING = 0
    STEERING = 1


# --------------------------------------------------------------------------- dataclasses


def _as_tuple(obj: object, name: str) -> None:
    value = getattr(obj, name)
    if isinstance(value, str | bytes):
        raise TypeError(f"{type(obj).__name__}.{name} must be a sequence, not {type(value).__name__}")
    object.__setattr__(obj, name, tuple(value))


@dataclass(frozen=True)
class Organization:
    """From / To / Status From: an agency. ``organ_id`` is its code, e.g. ``000.00.15.H26``."""

    organ_id: str
    organ_name: str
    organization_in_charge: str | None = None
    organ_add: str | None = None
    email: str | None = None
    telephone: str | None = None
    fax: str | None = None
    website: str | None = None


@dataclass(frozen=True)
class Code:
    """Code: the number ("05", leading zero kept) and the notation ("QĐ-UBND")."""

    code_number: str
    code_notation: str

    def __str__(self) -> str:
        return f"{self.code_number}/{self.code_notation}"


@dataclass(frozen=True)
class PromulgationInfo:
    place: str
    promulgation_date: date


@dataclass(frozen=True)
class DocumentType:
    """DocumentType: ``type`` is the code of the document type (see doctypes.EDXML_TYPE),
    ``type_name`` its name ("Quyết định")."""

    type: int
    type_name: str
    type_detail: int | None = None


@dataclass(frozen=True)
class SignerInfo:
    full_name: str
    position: str | None = None
    competence: str | None = None


@dataclass(frozen=True)
class OtherInfo:
    priority: Priority = Priority.NORMAL
    sphere_of_promulgation: str | None = None
    typer_notation: str | None = None
    promulgation_amount: int | None = None
    page_amount: int | None = None
    appendixes: Sequence[str] = ()

    def __post_init__(self) -> None:
        _as_tuple(self, "appendixes")


@dataclass(frozen=True)
class DocumentId:
    """DocumentId: the document's identifier across agencies, by convention
    ``"<OrganId>,<yyyy/mm/dd>,<number>/<notation>"``. Kept as received: other systems send other
    shapes, and the value must travel back unchanged in ResponseFor."""

    value: str

    _PATTERN = re.compile(r"^([^,]+),(\d{4})/(\d{2})/(\d{2}),(.+)$")

    @classmethod
    def compose(cls, organ_id: str, promulgation_date: date, code: Code) -> DocumentId:
        return cls(f"{organ_id},{promulgation_date:%Y/%m/%d},{code}")

    @property
    def parts(self) -> tuple[str, date, str] | None:
        """(OrganId, promulgation date, "number/notation") when the value has the usual shape."""
        match = self._PATTERN.match(self.value)
        if match is None:
            return None
        try:
            day = date(int(match[2]), int(match[3]), int(match[4]))
        except ValueError:
            return None
        return match[1], day, match[5]

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class ResponseFor:
    """ResponseFor: the document a reply, recall or status message is about."""

    organ_id: str
    code: str
    promulgation_date: date
    document_id: DocumentId


@dataclass(frozen=True)
class MessageHeader:
    from_: Organization
    to: Sequence[Organization]
    code: Code
    promulgation_info: PromulgationInfo
    document_type: DocumentType
    subject: str
    signer_info: SignerInfo
    content: str | None = None
    due_date: date | None = None
    to_places: Sequence[str] = ()
    other_info: OtherInfo | None = None
    response_for: Sequence[ResponseFor] = ()
    steering_type: int | None = None
    document_id: DocumentId | None = None

    def __post_init__(self) -> None:
        _as_tuple(self, "to")
        _as_tuple(self, "to_places")
        _as_tuple(self, "response_for")


@dataclass(frozen=True)
class TraceHeader:
    """One hop: the agency (``organ_id``) and when it handled the package (timezone-aware)."""

    organ_id: str
    timestamp: datetime


@dataclass(frozen=True)
class StaffInfo:
    department: str | None = None
    staff: str | None = None
    mobile: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class Business:
    """TraceHeaderList/Bussiness (spelt so in the standard): new, revoke, update or replace."""

    doc_type: BusinessDocType = BusinessDocType.NEW
    reason: str | None = None
    paper: int | None = None
    staff_info: StaffInfo | None = None


@dataclass(frozen=True)
class Attachment:
    """A file in AttachmentEncoded; ``content`` travels base64-encoded."""

    content_id: str
    attachment_name: str
    content_type: str
    content: bytes
    description: str | None = None

    @property
    def digest(self) -> str:
        return attachment_digest(self.content)


@dataclass(frozen=True)
class ManifestReference:
    """edXMLManifest/Reference: one attachment's metadata and its SHA-256 (base64)."""

    content_id: str
    attachment_name: str
    content_type: str
    description: str | None
    digest: str


@dataclass(frozen=True)
class Envelope:
    """A whole package. ``signature`` is the XML-DSig ``Signature`` element of the envelope as
    bytes, kept in exclusive canonical form (normalised on construction), or None."""

    header: MessageHeader
    trace_headers: Sequence[TraceHeader] = ()
    business: Business | None = None
    attachments: Sequence[Attachment] = ()
    signature: bytes | None = None

    def __post_init__(self) -> None:
        _as_tuple(self, "trace_headers")
        _as_tuple(self, "attachments")
        if self.signature is not None:
            object.__setattr__(self, "signature", _canonical_signature(self.signature))

    @property
    def manifest(self) -> tuple[ManifestReference, ...]:
        return tuple(
            ManifestReference(a.content_id, a.attachment_name, a.content_type, a.description, a.digest)
            for a in self.attachments
        )


@dataclass(frozen=True)
class StatusMessage:
    """A status message back to the sender. ``to`` is not in the standard's Status (the
    recipient is ResponseFor/OrganId); it is written only when given."""

    from_: Organization
    response_for: ResponseFor
    status_code: StatusCode
    timestamp: datetime
    description: str | None = None
    staff_info: StaffInfo | None = None
    to: Organization | None = None


# --------------------------------------------------------------------------- digests


def attachment_digest(content: bytes) -> str:
    """SHA-256 of an attachment, base64 as in an XML-DSig DigestValue."""
    return base64.b64encode(hashlib.sha256(content).digest()).decode("ascii")


def envelope_digest(data: bytes) -> str:
    """SHA-256 (hex) of a built package: identifies exactly what was sent or received."""
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------- problems


class _Problems:
    def __init__(self) -> None:
        self.items: list[tuple[str, str, bool]] = []  # field, message, is a missing field

    def missing(self, path: str) -> None:
        self.items.append((path, f"Gói edXML thiếu trường bắt buộc: {path}.", True))

    def invalid(self, path: str, message: str) -> None:
        self.items.append((path, message, False))

    def raise_if_any(self) -> None:
        if not self.items:
            return
        errors: list[dict[str, Any]] = [{"field": f, "message": m} for f, m, _ in self.items]
        if len(self.items) == 1:
            detail = self.items[0][1]
        elif all(is_missing for _, _, is_missing in self.items):
            fields = ", ".join(f for f, _, _ in self.items)
            detail = f"Gói edXML thiếu {len(self.items)} trường bắt buộc: {fields}."
        else:
            messages = "; ".join(m.rstrip(".") for _, m, _ in self.items)
            detail = f"Gói edXML có {len(self.items)} lỗi: {messages}."
        raise InvalidInput(detail, errors=errors)


def _missing_error(path: str) -> InvalidInput:
    message = f"Gói edXML thiếu trường bắt buộc: {path}."
    return InvalidInput(message, errors=[{"field": path, "message": message}])


def _vn_int(n: int) -> str:
    return f"{n:,}".replace(",", ".")


# --------------------------------------------------------------------------- XML plumbing


def _q(name: str) -> str:
    return f"{{{NAMESPACE}}}{name}"


def _parser() -> Any:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
    )


def _parse_xml(data: bytes) -> Any:
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"edXML data must be bytes, not {type(data).__name__}")
    raw = bytes(data)
    try:
        root = etree.fromstring(raw, _parser())
    except etree.XMLSyntaxError as exc:
        if b"<!DOCTYPE" in raw:
            raise InvalidInput(_DOCTYPE_MESSAGE) from exc
        reason = str(getattr(exc, "msg", None) or exc).rstrip(".")
        if "Text node too long" in reason:
            raise InvalidInput(
                "Gói edXML có phần tử quá lớn (một tệp đính kèm vượt "
                f"{_vn_int(MAX_ATTACHMENT_BYTES)} byte): {reason}."
            ) from exc
        raise InvalidInput(f"Tệp không phải XML hợp lệ: {reason}.") from exc
    if root.getroottree().docinfo.doctype:
        raise InvalidInput(_DOCTYPE_MESSAGE)
    return root


def _canonical_signature(raw: bytes) -> bytes:
    try:
        root = _parse_xml(raw)
    except InvalidInput as exc:
        raise InvalidInput(f"Chữ ký số (Signature) của gói edXML không hợp lệ: {exc.detail}") from exc
    if root.tag != f"{{{XMLDSIG_NAMESPACE}}}Signature":
        raise InvalidInput(
            f"Chữ ký số của gói edXML phải là phần tử Signature của XML-DSig ({XMLDSIG_NAMESPACE})."
        )
    return bytes(etree.tostring(root, method="c14n", exclusive=True))


_E = TypeVar("_E", bound=Enum)


def _member(enum: type[_E], value: Any) -> _E | None:
    """The code list's member for ``value``, or None when the value is not on the list."""
    try:
        return enum(value)
    except ValueError:
        return None


def _split(tag: str) -> tuple[str | None, str]:
    if tag.startswith("{"):
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return None, tag


def _findall(parent: Any, name: str) -> list[Any]:
    """Children called ``name`` in the edXML namespace, or in none (some senders leave
    AttachmentEncoded unqualified). Elements of any other namespace are not ours."""
    if parent is None:
        return []
    wanted = (_q(name), name)
    return [child for child in parent if isinstance(child.tag, str) and child.tag in wanted]


def _find(parent: Any, name: str) -> Any:
    found = _findall(parent, name)
    return found[0] if found else None


def _string(el: Any) -> str:
    return str(el.xpath("string()"))


_INT = re.compile(r"[+-]?[0-9]+")
_SLASH_DATE = re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})")
_DMY_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_LEGACY_STAMP = re.compile(r"(\d{4}/\d{1,2}/\d{1,2}|\d{1,2}/\d{1,2}/\d{4})[ T](\d{1,2}):(\d{2}):(\d{2})")
_DATE_LABELS: Final = {"PromulgationDate": "Ngày ban hành", "DueDate": "Hạn xử lý"}


def _read_date(text: str) -> date | None:
    """ISO 8601 (what we write), and the yyyy/mm/dd and dd/mm/yyyy seen from other systems."""
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text)
        if match := _SLASH_DATE.fullmatch(text):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if match := _DMY_DATE.fullmatch(text):
            return date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        return None
    return None


def _read_datetime(text: str) -> datetime | None:
    """ISO 8601 with offset (what we write); a time without offset is Vietnam time (UTC+7)."""
    value: datetime | None = None
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?", text):
            value = datetime.fromisoformat(text)
        elif match := _LEGACY_STAMP.fullmatch(text):
            day = _read_date(match[1])
            if day is not None:
                value = datetime(day.year, day.month, day.day, int(match[2]), int(match[3]), int(match[4]))
    except ValueError:
        return None
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=VN_TZ)
    return value


class _Reader:
    """Reads fields, noting every problem instead of stopping at the first. Required readers
    return a placeholder when the field is absent; the placeholder never escapes because the
    problems are raised before any dataclass is returned."""

    def __init__(self, problems: _Problems) -> None:
        self.problems = problems

    def group(self, parent: Any, name: str, path: str, *, required: bool = True) -> Any:
        if parent is None:
            return None
        el = _find(parent, name)
        if el is None and required:
            self.problems.missing(path)
        return el

    def opt_text(self, parent: Any, name: str, *, strip: bool = False) -> str | None:
        el = _find(parent, name)
        if el is None:
            return None
        value = _string(el)
        return value.strip() if strip else value

    def req_text(self, parent: Any, name: str, path: str, *, strip: bool = False) -> str:
        if parent is None:
            return ""
        value = self.opt_text(parent, name, strip=strip)
        if value is None or not value.strip():
            self.problems.missing(path)
            return ""
        return value

    def _date(self, raw: str, name: str, path: str) -> date | None:
        value = _read_date(raw)
        if value is None:
            label = _DATE_LABELS.get(name, "Ngày")
            self.problems.invalid(path, f"{label} không hợp lệ trong {path}: '{raw}'.")
        return value

    def opt_date(self, parent: Any, name: str, path: str) -> date | None:
        raw = self.opt_text(parent, name, strip=True)
        return None if raw is None else self._date(raw, name, path)

    def req_date(self, parent: Any, name: str, path: str) -> date:
        raw = self.req_text(parent, name, path, strip=True)
        return (self._date(raw, name, path) or date.min) if raw else date.min

    def req_datetime(self, parent: Any, name: str, path: str) -> datetime:
        raw = self.req_text(parent, name, path, strip=True)
        if not raw:
            return datetime.min
        value = _read_datetime(raw)
        if value is None:
            self.problems.invalid(path, f"Thời điểm không hợp lệ trong {path}: '{raw}'.")
            return datetime.min
        return value

    def _int(self, raw: str, path: str) -> int | None:
        if _INT.fullmatch(raw):
            return int(raw)
        self.problems.invalid(path, f"Giá trị số không hợp lệ trong {path}: '{raw}'.")
        return None

    def opt_int(self, parent: Any, name: str, path: str) -> int | None:
        raw = self.opt_text(parent, name, strip=True)
        return None if raw is None else self._int(raw, path)

    def req_int(self, parent: Any, name: str, path: str) -> int:
        raw = self.req_text(parent, name, path, strip=True)
        return (self._int(raw, path) or 0) if raw else 0


class _Writer:
    """Writes elements, noting every problem (missing required value, character not allowed
    in XML, …) instead of stopping at the first."""

    def __init__(self, problems: _Problems) -> None:
        self.problems = problems

    @staticmethod
    def el(parent: Any, name: str) -> Any:
        return etree.SubElement(parent, _q(name))

    def text(self, parent: Any, name: str, value: str | None, path: str, *, required: bool = False) -> None:
        if value is None or (required and not value.strip()):
            if required:
                self.problems.missing(path)
            return
        child = etree.SubElement(parent, _q(name))
        try:
            child.text = value
        except ValueError:
            parent.remove(child)
            self.problems.invalid(path, f"Trường {path} chứa ký tự không được phép trong XML.")

    def number(
        self, parent: Any, name: str, value: int | None, path: str = "", *, required: bool = False
    ) -> None:
        if value is None:
            if required:
                self.problems.missing(path)
            return
        self.el(parent, name).text = str(int(value))

    def day(self, parent: Any, name: str, value: date | None, path: str, *, required: bool = False) -> None:
        if value is None:
            if required:
                self.problems.missing(path)
            return
        self.el(parent, name).text = value.isoformat()

    def stamp(self, parent: Any, name: str, value: datetime | None, path: str) -> None:
        if value is None:
            self.problems.missing(path)
            return
        if value.tzinfo is None or value.utcoffset() is None:
            self.problems.invalid(path, f"Thời điểm trong {path} phải kèm múi giờ (ví dụ +07:00).")
            return
        self.el(parent, name).text = value.isoformat()


# --------------------------------------------------------------------------- writing


def _write_organization(w: _Writer, parent: Any, name: str, org: Organization | None, path: str) -> None:
    if org is None:
        w.problems.missing(path)
        return
    el = w.el(parent, name)
    w.text(el, "OrganId", org.organ_id, f"{path}/OrganId", required=True)
    w.text(el, "OrganizationInCharge", org.organization_in_charge, f"{path}/OrganizationInCharge")
    w.text(el, "OrganName", org.organ_name, f"{path}/OrganName", required=True)
    w.text(el, "OrganAdd", org.organ_add, f"{path}/OrganAdd")
    w.text(el, "Email", org.email, f"{path}/Email")
    w.text(el, "Telephone", org.telephone, f"{path}/Telephone")
    w.text(el, "Fax", org.fax, f"{path}/Fax")
    w.text(el, "Website", org.website, f"{path}/Website")


def _write_response_for(w: _Writer, parent: Any, rf: ResponseFor | None, path: str) -> None:
    if rf is None:
        w.problems.missing(path)
        return
    el = w.el(parent, "ResponseFor")
    w.text(el, "OrganId", rf.organ_id, f"{path}/OrganId", required=True)
    w.text(el, "Code", rf.code, f"{path}/Code", required=True)
    w.day(el, "PromulgationDate", rf.promulgation_date, f"{path}/PromulgationDate", required=True)
    document_id = rf.document_id.value if rf.document_id is not None else None
    w.text(el, "DocumentId", document_id, f"{path}/DocumentId", required=True)


def _write_staff_info(w: _Writer, parent: Any, staff: StaffInfo | None, path: str) -> None:
    if staff is None:
        return
    el = w.el(parent, "StaffInfo")
    w.text(el, "Department", staff.department, f"{path}/Department")
    w.text(el, "Staff", staff.staff, f"{path}/Staff")
    w.text(el, "Mobile", staff.mobile, f"{path}/Mobile")
    w.text(el, "Email", staff.email, f"{path}/Email")


def _write_message_header(w: _Writer, parent: Any, h: MessageHeader) -> None:
    p = "MessageHeader"
    mh = w.el(parent, "MessageHeader")
    _write_organization(w, mh, "From", h.from_, f"{p}/From")
    if not h.to:
        w.problems.missing(f"{p}/To")
    for i, org in enumerate(h.to, start=1):
        _write_organization(w, mh, "To", org, f"{p}/To[{i}]")

    if h.code is None:
        w.problems.missing(f"{p}/Code")
    else:
        code = w.el(mh, "Code")
        w.text(code, "CodeNumber", h.code.code_number, f"{p}/Code/CodeNumber", required=True)
        w.text(code, "CodeNotation", h.code.code_notation, f"{p}/Code/CodeNotation", required=True)

    info = h.promulgation_info
    if info is None:
        w.problems.missing(f"{p}/PromulgationInfo")
    else:
        el = w.el(mh, "PromulgationInfo")
        w.text(el, "Place", info.place, f"{p}/PromulgationInfo/Place", required=True)
        w.day(
            el,
            "PromulgationDate",
            info.promulgation_date,
            f"{p}/PromulgationInfo/PromulgationDate",
            required=True,
        )

    dt = h.document_type
    if dt is None:
        w.problems.missing(f"{p}/DocumentType")
    else:
        el = w.el(mh, "DocumentType")
        w.number(el, "Type", dt.type, f"{p}/DocumentType/Type", required=True)
        w.number(el, "TypeDetail", dt.type_detail)
        w.text(el, "TypeName", dt.type_name, f"{p}/DocumentType/TypeName", required=True)

    w.text(mh, "Subject", h.subject, f"{p}/Subject", required=True)
    w.text(mh, "Content", h.content, f"{p}/Content")

    signer = h.signer_info
    if signer is None:
        w.problems.missing(f"{p}/SignerInfo")
    else:
        el = w.el(mh, "SignerInfo")
        w.text(el, "Competence", signer.competence, f"{p}/SignerInfo/Competence")
        w.text(el, "Position", signer.position, f"{p}/SignerInfo/Position")
        w.text(el, "FullName", signer.full_name, f"{p}/SignerInfo/FullName", required=True)

    w.day(mh, "DueDate", h.due_date, f"{p}/DueDate")
    if h.to_places:
        el = w.el(mh, "ToPlaces")
        for i, place in enumerate(h.to_places, start=1):
            w.text(el, "Place", place, f"{p}/ToPlaces/Place[{i}]")

    other = h.other_info
    if other is not None:
        el = w.el(mh, "OtherInfo")
        q = f"{p}/OtherInfo"
        priority = _member(Priority, other.priority)
        if priority is None:
            w.problems.invalid(
                f"{q}/Priority",
                f"Độ khẩn không hợp lệ trong {q}/Priority: '{other.priority}' (chỉ nhận 0 đến 4).",
            )
        w.number(el, "Priority", priority)
        w.text(el, "SphereOfPromulgation", other.sphere_of_promulgation, f"{q}/SphereOfPromulgation")
        w.text(el, "TyperNotation", other.typer_notation, f"{q}/TyperNotation")
        w.number(el, "PromulgationAmount", other.promulgation_amount)
        w.number(el, "PageAmount", other.page_amount)
        if other.appendixes:
            appendixes = w.el(el, "Appendixes")
            for i, appendix in enumerate(other.appendixes, start=1):
                w.text(appendixes, "Appendix", appendix, f"{q}/Appendixes/Appendix[{i}]")

    for i, rf in enumerate(h.response_for, start=1):
        _write_response_for(w, mh, rf, f"{p}/ResponseFor[{i}]")
    w.number(mh, "SteeringType", h.steering_type)
    if h.document_id is not None:
        w.text(mh, "DocumentId", h.document_id.value, f"{p}/DocumentId", required=True)


def _write_trace(w: _Writer, parent: Any, env: Envelope) -> None:
    if not env.trace_headers and env.business is None:
        return
    p = "TraceHeaderList"
    el = w.el(parent, "TraceHeaderList")
    for i, trace in enumerate(env.trace_headers, start=1):
        th = w.el(el, "TraceHeader")
        w.text(th, "OrganId", trace.organ_id, f"{p}/TraceHeader[{i}]/OrganId", required=True)
        w.stamp(th, "Timestamp", trace.timestamp, f"{p}/TraceHeader[{i}]/Timestamp")
    business = env.business
    if business is not None:
        b = w.el(el, "Bussiness")
        doc_type = _member(BusinessDocType, business.doc_type)
        if doc_type is None:
            path = f"{p}/Bussiness/BussinessDocType"
            w.problems.invalid(
                path, f"Loại nghiệp vụ không hợp lệ trong {path}: '{business.doc_type}' (chỉ nhận 0 đến 3)."
            )
        w.number(b, "BussinessDocType", doc_type)
        w.text(b, "BussinessDocReason", business.reason, f"{p}/Bussiness/BussinessDocReason")
        w.number(b, "Paper", business.paper)
        _write_staff_info(w, b, business.staff_info, f"{p}/Bussiness/StaffInfo")


def _content_key(content_id: str) -> str:
    value = content_id.strip()
    return value[4:] if value.lower().startswith("cid:") else value


def _attachment_label(attachment_name: str | None, content_id: str | None) -> str:
    return attachment_name or content_id or "?"


def _frame() -> tuple[Any, Any, Any]:
    root = etree.Element(_q("edXML"), nsmap={None: NAMESPACE})
    envelope = etree.SubElement(root, _q("edXMLEnvelope"), nsmap={"edXML": NAMESPACE})
    header = etree.SubElement(envelope, _q("edXMLHeader"))
    return root, envelope, header


def _serialize(root: Any) -> bytes:
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + bytes(etree.tostring(root, encoding="UTF-8"))


def build_envelope(env: Envelope) -> bytes:
    """The package as UTF-8 bytes with an XML declaration. Same input, same bytes."""
    problems = _Problems()
    w = _Writer(problems)
    root, envelope, header = _frame()
    _write_message_header(w, header, env.header)
    _write_trace(w, header, env)
    if env.signature is not None:
        header.append(etree.fromstring(env.signature, _parser()))

    body = w.el(envelope, "edXMLBody")
    manifest = etree.SubElement(
        body, _q("edXMLManifest"), nsmap={"xlink": XLINK_NAMESPACE, "ds": XMLDSIG_NAMESPACE}
    )
    manifest.set("version", "1.0")
    seen: set[str] = set()
    for i, ref in enumerate(env.manifest, start=1):
        path = f"edXMLManifest/Reference[{i}]"
        key = _content_key(ref.content_id or "")
        if key and key in seen:
            problems.invalid(
                f"AttachmentEncoded/Attachment[{i}]/ContentId",
                f"Mã nội dung (ContentId) '{ref.content_id}' bị trùng trong gói edXML.",
            )
        seen.add(key)
        el = w.el(manifest, "Reference")
        with contextlib.suppress(ValueError):  # a character XML cannot carry: reported for ContentId below
            el.set(f"{{{XLINK_NAMESPACE}}}href", f"cid:{key}")
        el.set(f"{{{XLINK_NAMESPACE}}}type", "simple")
        w.text(el, "ContentId", ref.content_id, f"{path}/ContentId", required=True)
        w.text(el, "AttachmentName", ref.attachment_name, f"{path}/AttachmentName", required=True)
        w.text(el, "Description", ref.description, f"{path}/Description")
        w.text(el, "ContentType", ref.content_type, f"{path}/ContentType", required=True)
        etree.SubElement(el, f"{{{XMLDSIG_NAMESPACE}}}DigestMethod").set("Algorithm", SHA256_ALGORITHM)
        etree.SubElement(el, f"{{{XMLDSIG_NAMESPACE}}}DigestValue").text = ref.digest

    if env.attachments:
        encoded = w.el(root, "AttachmentEncoded")
        for i, attachment in enumerate(env.attachments, start=1):
            path = f"AttachmentEncoded/Attachment[{i}]"
            if len(attachment.content) > MAX_ATTACHMENT_BYTES:
                name = _attachment_label(attachment.attachment_name, attachment.content_id)
                problems.invalid(
                    path,
                    f"Tệp đính kèm '{name}' quá lớn để gửi qua edXML: "
                    f"{_vn_int(len(attachment.content))} byte, tối đa {_vn_int(MAX_ATTACHMENT_BYTES)} byte.",
                )
                continue
            el = w.el(encoded, "Attachment")
            w.text(el, "ContentId", attachment.content_id, f"{path}/ContentId", required=True)
            w.text(el, "AttachmentName", attachment.attachment_name, f"{path}/AttachmentName", required=True)
            w.text(el, "Description", attachment.description, f"{path}/Description")
            w.text(el, "ContentType", attachment.content_type, f"{path}/ContentType", required=True)
            w.el(el, "ContentTransferEncoded").text = base64.b64encode(attachment.content).decode("ascii")

    problems.raise_if_any()
    return _serialize(root)


def build_status(msg: StatusMessage) -> bytes:
    """A status message (``edXMLHeader/Status``) as UTF-8 bytes with an XML declaration."""
    problems = _Problems()
    w = _Writer(problems)
    root, _envelope, header = _frame()
    p = "Status"
    status = w.el(header, "Status")
    _write_response_for(w, status, msg.response_for, f"{p}/ResponseFor")
    _write_organization(w, status, "From", msg.from_, f"{p}/From")
    if msg.to is not None:
        _write_organization(w, status, "To", msg.to, f"{p}/To")
    code = _member(StatusCode, msg.status_code)
    if code is None:
        problems.invalid(
            f"{p}/StatusCode", f"Mã trạng thái không hợp lệ trong {p}/StatusCode: '{msg.status_code}'."
        )
    else:
        w.el(status, "StatusCode").text = code.value
    w.text(status, "Description", msg.description, f"{p}/Description")
    w.stamp(status, "Timestamp", msg.timestamp, f"{p}/Timestamp")
    _write_staff_info(w, status, msg.staff_info, f"{p}/StaffInfo")
    problems.raise_if_any()
    return _serialize(root)


# --------------------------------------------------------------------------- reading


def _locate_header(root: Any) -> tuple[Any, Any]:
    """(edXMLEnvelope, edXMLHeader) of a parsed package, checking the root and its namespace.
    The root is ``edXML`` (as the standard's samples) or, from some senders, ``edXMLEnvelope``."""
    ns, local = _split(root.tag)
    if local not in {"edXML", "edXMLEnvelope"}:
        raise InvalidInput(f"Tệp không phải gói edXML: phần tử gốc là '{local}'.")
    if ns != NAMESPACE:
        raise InvalidInput(
            f"Gói edXML sai không gian tên (namespace): cần '{NAMESPACE}', nhận được '{ns or '(không có)'}'."
        )
    envelope = root if local == "edXMLEnvelope" else _find(root, "edXMLEnvelope")
    if envelope is None:
        raise _missing_error("edXML/edXMLEnvelope")
    header = _find(envelope, "edXMLHeader")
    if header is None:
        raise _missing_error("edXMLEnvelope/edXMLHeader")
    return envelope, header


def _read_organization(r: _Reader, el: Any, path: str) -> Organization:
    return Organization(
        organ_id=r.req_text(el, "OrganId", f"{path}/OrganId", strip=True),
        organ_name=r.req_text(el, "OrganName", f"{path}/OrganName"),
        organization_in_charge=r.opt_text(el, "OrganizationInCharge"),
        organ_add=r.opt_text(el, "OrganAdd"),
        email=r.opt_text(el, "Email"),
        telephone=r.opt_text(el, "Telephone"),
        fax=r.opt_text(el, "Fax"),
        website=r.opt_text(el, "Website"),
    )


def _read_response_for(r: _Reader, el: Any, path: str) -> ResponseFor:
    return ResponseFor(
        organ_id=r.req_text(el, "OrganId", f"{path}/OrganId", strip=True),
        code=r.req_text(el, "Code", f"{path}/Code", strip=True),
        promulgation_date=r.req_date(el, "PromulgationDate", f"{path}/PromulgationDate"),
        document_id=DocumentId(r.req_text(el, "DocumentId", f"{path}/DocumentId", strip=True)),
    )


def _read_staff_info(r: _Reader, el: Any) -> StaffInfo | None:
    if el is None:
        return None
    return StaffInfo(
        department=r.opt_text(el, "Department"),
        staff=r.opt_text(el, "Staff"),
        mobile=r.opt_text(el, "Mobile"),
        email=r.opt_text(el, "Email"),
    )


def _read_message_header(r: _Reader, mh: Any) -> MessageHeader:
    p = "MessageHeader"
    from_ = _read_organization(r, r.group(mh, "From", f"{p}/From"), f"{p}/From")
    to_elements = _findall(mh, "To")
    if not to_elements:
        r.problems.missing(f"{p}/To")
    to = [_read_organization(r, el, f"{p}/To[{i}]") for i, el in enumerate(to_elements, start=1)]

    code_el = r.group(mh, "Code", f"{p}/Code")
    code = Code(
        code_number=r.req_text(code_el, "CodeNumber", f"{p}/Code/CodeNumber", strip=True),
        code_notation=r.req_text(code_el, "CodeNotation", f"{p}/Code/CodeNotation", strip=True),
    )
    info_el = r.group(mh, "PromulgationInfo", f"{p}/PromulgationInfo")
    info = PromulgationInfo(
        place=r.req_text(info_el, "Place", f"{p}/PromulgationInfo/Place"),
        promulgation_date=r.req_date(info_el, "PromulgationDate", f"{p}/PromulgationInfo/PromulgationDate"),
    )
    type_el = r.group(mh, "DocumentType", f"{p}/DocumentType")
    document_type = DocumentType(
        type=r.req_int(type_el, "Type", f"{p}/DocumentType/Type"),
        type_name=r.req_text(type_el, "TypeName", f"{p}/DocumentType/TypeName"),
        type_detail=r.opt_int(type_el, "TypeDetail", f"{p}/DocumentType/TypeDetail"),
    )
    subject = r.req_text(mh, "Subject", f"{p}/Subject")
    content = r.opt_text(mh, "Content")
    signer_el = r.group(mh, "SignerInfo", f"{p}/SignerInfo")
    signer = SignerInfo(
        full_name=r.req_text(signer_el, "FullName", f"{p}/SignerInfo/FullName"),
        position=r.opt_text(signer_el, "Position"),
        competence=r.opt_text(signer_el, "Competence"),
    )
    due_date = r.opt_date(mh, "DueDate", f"{p}/DueDate")
    to_places = [_string(el) for el in _findall(_find(mh, "ToPlaces"), "Place")]

    other: OtherInfo | None = None
    other_el = r.group(mh, "OtherInfo", f"{p}/OtherInfo", required=False)
    if other_el is not None:
        q = f"{p}/OtherInfo"
        priority = Priority.NORMAL
        raw_priority = r.opt_int(other_el, "Priority", f"{q}/Priority")
        if raw_priority is not None:
            if (known := _member(Priority, raw_priority)) is not None:
                priority = known
            else:
                r.problems.invalid(
                    f"{q}/Priority",
                    f"Độ khẩn không hợp lệ trong {q}/Priority: '{raw_priority}' (chỉ nhận 0 đến 4).",
                )
        other = OtherInfo(
            priority=priority,
            sphere_of_promulgation=r.opt_text(other_el, "SphereOfPromulgation"),
            typer_notation=r.opt_text(other_el, "TyperNotation"),
            promulgation_amount=r.opt_int(other_el, "PromulgationAmount", f"{q}/PromulgationAmount"),
            page_amount=r.opt_int(other_el, "PageAmount", f"{q}/PageAmount"),
            appendixes=[_string(el) for el in _findall(_find(other_el, "Appendixes"), "Appendix")],
        )

    response_for = [
        _read_response_for(r, el, f"{p}/ResponseFor[{i}]")
        for i, el in enumerate(_findall(mh, "ResponseFor"), start=1)
    ]
    steering: int | None = r.opt_int(mh, "SteeringType", f"{p}/SteeringType")
    if steering is not None:
        steering = _member(SteeringType, steering) or steering
    raw_document_id = r.opt_text(mh, "DocumentId", strip=True)
    return MessageHeader(
        from_=from_,
        to=to,
        code=code,
        promulgation_info=info,
        document_type=document_type,
        subject=subject,
        signer_info=signer,
        content=content,
        due_date=due_date,
        to_places=to_places,
        other_info=other,
        response_for=response_for,
        steering_type=steering,
        document_id=DocumentId(raw_document_id) if raw_document_id else None,
    )


def _read_trace(r: _Reader, el: Any) -> tuple[list[TraceHeader], Business | None]:
    p = "TraceHeaderList"
    traces = [
        TraceHeader(
            organ_id=r.req_text(th, "OrganId", f"{p}/TraceHeader[{i}]/OrganId", strip=True),
            timestamp=r.req_datetime(th, "Timestamp", f"{p}/TraceHeader[{i}]/Timestamp"),
        )
        for i, th in enumerate(_findall(el, "TraceHeader"), start=1)
    ]
    business: Business | None = None
    b = _find(el, "Bussiness") if el is not None else None
    if b is not None:
        path = f"{p}/Bussiness/BussinessDocType"
        doc_type = BusinessDocType.NEW
        raw = r.opt_int(b, "BussinessDocType", path)
        if raw is not None:
            if (known_type := _member(BusinessDocType, raw)) is not None:
                doc_type = known_type
            else:
                r.problems.invalid(
                    path, f"Loại nghiệp vụ không hợp lệ trong {path}: '{raw}' (chỉ nhận 0 đến 3)."
                )
        business = Business(
            doc_type=doc_type,
            reason=r.opt_text(b, "BussinessDocReason"),
            paper=r.opt_int(b, "Paper", f"{p}/Bussiness/Paper"),
            staff_info=_read_staff_info(r, _find(b, "StaffInfo")),
        )
    return traces, business


def _read_signature(header: Any) -> bytes | None:
    for child in header:
        if child.tag == f"{{{XMLDSIG_NAMESPACE}}}Signature":
            return bytes(etree.tostring(child, method="c14n", exclusive=True))
    return None


@dataclass(frozen=True)
class _ReadReference:
    index: int
    key: str
    attachment_name: str | None
    digest: bytes | None


def _read_manifest(r: _Reader, envelope: Any) -> list[_ReadReference]:
    # edXMLBody/edXMLManifest as written; older senders call it Manifest or leave out edXMLBody.
    manifest = None
    for container in (_find(envelope, "edXMLBody"), envelope):
        for name in ("edXMLManifest", "Manifest"):
            if manifest is None:
                manifest = _find(container, name)
    refs = []
    for i, ref in enumerate(_findall(manifest, "Reference"), start=1):
        path = f"edXMLManifest/Reference[{i}]"
        content_id = r.opt_text(ref, "ContentId", strip=True) or ref.get(f"{{{XLINK_NAMESPACE}}}href")
        if not content_id:
            r.problems.missing(f"{path}/ContentId")
            content_id = ""
        method = ref.find(f"{{{XMLDSIG_NAMESPACE}}}DigestMethod")
        algorithm = method.get("Algorithm") if method is not None else None
        if algorithm is not None and algorithm != SHA256_ALGORITHM:
            r.problems.invalid(
                f"{path}/DigestMethod",
                f"Thuật toán băm không được hỗ trợ trong {path}/DigestMethod: '{algorithm}' "
                "(chỉ nhận SHA-256).",
            )
        digest: bytes | None = None
        value_el = ref.find(f"{{{XMLDSIG_NAMESPACE}}}DigestValue")
        if value_el is not None:
            raw = "".join(_string(value_el).split())
            try:
                digest = base64.b64decode(raw, validate=True)
            except (binascii.Error, ValueError):
                digest = None
            if digest is None or len(digest) != hashlib.sha256().digest_size:
                r.problems.invalid(
                    f"{path}/DigestValue", f"Mã băm không hợp lệ trong {path}/DigestValue: '{raw}'."
                )
                digest = None
        refs.append(_ReadReference(i, _content_key(content_id), r.opt_text(ref, "AttachmentName"), digest))
    return refs


def _read_attachments(r: _Reader, root: Any, envelope: Any) -> list[tuple[int, Attachment]]:
    # AttachmentEncoded follows edXMLEnvelope under the root; tolerate it inside the envelope too.
    containers = [root] if root is envelope else [root, envelope]
    elements = [
        attachment
        for container in containers
        for encoded in _findall(container, "AttachmentEncoded")
        for attachment in _findall(encoded, "Attachment")
    ]
    result = []
    for i, el in enumerate(elements, start=1):
        path = f"AttachmentEncoded/Attachment[{i}]"
        content_id = r.req_text(el, "ContentId", f"{path}/ContentId", strip=True)
        name = r.req_text(el, "AttachmentName", f"{path}/AttachmentName")
        content_type = r.req_text(el, "ContentType", f"{path}/ContentType", strip=True)
        description = r.opt_text(el, "Description")
        encoded_text = r.opt_text(el, "ContentTransferEncoded")
        content = b""
        if encoded_text is None:
            r.problems.missing(f"{path}/ContentTransferEncoded")
        else:
            try:
                content = base64.b64decode("".join(encoded_text.split()), validate=True)
            except (binascii.Error, ValueError):
                label = _attachment_label(name, content_id)
                r.problems.invalid(
                    f"{path}/ContentTransferEncoded",
                    f"Nội dung tệp đính kèm '{label}' không phải base64 hợp lệ "
                    f"({path}/ContentTransferEncoded).",
                )
        result.append((i, Attachment(content_id, name, content_type, content, description)))
    return result


def _verify_manifest(
    problems: _Problems,
    refs: list[_ReadReference],
    attachments: list[tuple[int, Attachment]],
    *,
    require_digests: bool,
) -> None:
    by_key: dict[str, _ReadReference] = {}
    for ref in refs:
        by_key.setdefault(ref.key, ref)
    used: set[str] = set()
    seen: set[str] = set()
    for i, attachment in attachments:
        path = f"AttachmentEncoded/Attachment[{i}]"
        key = _content_key(attachment.content_id)
        name = _attachment_label(attachment.attachment_name, attachment.content_id)
        if key in seen:
            problems.invalid(
                f"{path}/ContentId",
                f"Mã nội dung (ContentId) '{attachment.content_id}' bị trùng trong gói edXML.",
            )
            continue
        seen.add(key)
        listed = by_key.get(key)
        if listed is None:
            problems.invalid(path, f"Tệp đính kèm '{name}' không có trong danh mục (manifest).")
            continue
        used.add(key)
        if listed.digest is None:
            if require_digests:
                problems.missing(f"edXMLManifest/Reference[{listed.index}]/DigestValue")
        elif listed.digest != hashlib.sha256(attachment.content).digest():
            problems.invalid(path, f"Tệp đính kèm '{name}' không khớp mã băm trong danh mục (manifest).")
    for ref in refs:
        if ref.key not in used:
            name = _attachment_label(ref.attachment_name, ref.key)
            problems.invalid(
                f"edXMLManifest/Reference[{ref.index}]",
                f"Danh mục (manifest) có tệp '{name}' nhưng gói edXML không kèm nội dung tệp đó.",
            )


def parse_envelope(data: bytes, *, require_digests: bool = True) -> Envelope:
    """Read a package. Every attachment must be listed in the manifest and match its SHA-256;
    ``require_digests=False`` accepts references without a digest (packages from systems that
    do not write one) while still checking every digest that is present."""
    root = _parse_xml(data)
    envelope, header = _locate_header(root)
    mh = _find(header, "MessageHeader")
    if mh is None:
        raise _missing_error("edXMLHeader/MessageHeader")
    problems = _Problems()
    r = _Reader(problems)
    message_header = _read_message_header(r, mh)
    traces, business = _read_trace(r, _find(header, "TraceHeaderList"))
    refs = _read_manifest(r, envelope)
    attachments = _read_attachments(r, root, envelope)
    problems.raise_if_any()
    _verify_manifest(problems, refs, attachments, require_digests=require_digests)
    problems.raise_if_any()
    return Envelope(
        header=message_header,
        trace_headers=traces,
        business=business,
        attachments=[a for _, a in attachments],
        signature=_read_signature(header),
    )


def parse_status(data: bytes) -> StatusMessage:
    """Read a status message (``edXMLHeader/Status``)."""
    root = _parse_xml(data)
    _envelope, header = _locate_header(root)
    status = _find(header, "Status")
    if status is None:
        raise _missing_error("edXMLHeader/Status")
    p = "Status"
    problems = _Problems()
    r = _Reader(problems)
    response_for = _read_response_for(
        r, r.group(status, "ResponseFor", f"{p}/ResponseFor"), f"{p}/ResponseFor"
    )
    from_ = _read_organization(r, r.group(status, "From", f"{p}/From"), f"{p}/From")
    to_el = _find(status, "To")
    to = _read_organization(r, to_el, f"{p}/To") if to_el is not None else None
    raw_code = r.req_text(status, "StatusCode", f"{p}/StatusCode", strip=True)
    code = StatusCode.ARRIVED
    if raw_code:
        normalised = raw_code.zfill(2) if raw_code.isdigit() else raw_code
        if (known_code := _member(StatusCode, normalised)) is not None:
            code = known_code
        else:
            problems.invalid(
                f"{p}/StatusCode", f"Mã trạng thái không hợp lệ trong {p}/StatusCode: '{raw_code}'."
            )
    timestamp = r.req_datetime(status, "Timestamp", f"{p}/Timestamp")
    description = r.opt_text(status, "Description")
    staff_info = _read_staff_info(r, _find(status, "StaffInfo"))
    problems.raise_if_any()
    return StatusMessage(
        from_=from_,
        response_for=response_for,
        status_code=code,
        timestamp=timestamp,
        description=description,
        staff_info=staff_info,
        to=to,
    )


def message_kind(data: bytes) -> Literal["envelope", "status"]:
    """Whether a package carries a document (MessageHeader) or a status message (Status)."""
    root = _parse_xml(data)
    _envelope, header = _locate_header(root)
    if _find(header, "MessageHeader") is not None:
        return "envelope"
    if _find(header, "Status") is not None:
        return "status"
    raise _missing_error("edXMLHeader/MessageHeader")
