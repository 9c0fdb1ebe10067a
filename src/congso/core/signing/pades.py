"""PAdES signatures on PDF files with pyHanko: sign (visible stamp, several signatures) and validate.

- ``sign_pdf`` appends a PAdES baseline signature (ETSI.CAdES.detached) as an incremental update,
  so earlier signatures stay valid: PAdES B-B, or B-T when a time-stamping authority is configured
  (``settings.SIGNING_TSA_URL``) or a ``timestamper`` is passed. The visible stamp follows
  Decree 30/2020/NĐ-CP, Appendix I: the signer (or, for a seal, the agency), and the signing time
  in Vietnam time, ISO 8601 offset. The text is set in DejaVu Sans, embedded as a subset, so
  Vietnamese renders in every viewer.
- ``validate_pdf`` checks every signature: intact (the signed bytes hash to the signed digest),
  valid (the CMS signature verifies), trusted (the certificate chains to the demo CA, the given
  roots or ``settings.SIGNING_TRUST_ROOTS``), what the signature covers and what was changed after
  it (pyHanko's difference analysis), and whether a timestamp is present. Problems are reported
  in Vietnamese.

OCR, text extraction and other processing never write to a signed original: they work on copies
(ADR 0012).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import io
import logging
import re
import unicodedata
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.utils.translation import gettext as _
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.font.api import FontEngine, FontEngineFactory
from pyhanko.pdf_utils.font.basic import SimpleFontEngineFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.sign.diff_analysis import (
    CatalogModificationRule,
    DocInfoRule,
    DSSCompareRule,
    FormUpdatingRule,
    GenericFieldModificationRule,
    MetadataUpdateRule,
    ModificationLevel,
    ObjectStreamRule,
    SigFieldCreationRule,
    SigFieldModificationRule,
    StandardDiffPolicy,
    XrefStreamRule,
)
from pyhanko.sign.fields import MDPPerm, SigFieldSpec, SigSeedSubFilter, enumerate_sig_fields
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner
from pyhanko.sign.timestamps import TimeStamper, TimestampRequestError
from pyhanko.sign.validation import (
    EmbeddedPdfSignature,
    PdfSignatureStatus,
    SignatureCoverageLevel,
    async_validate_pdf_signature,
)
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.stamp import TextStamp, TextStampStyle
from pyhanko_certvalidator import ValidationContext

from congso.core.errors import InvalidInput
from congso.core.signing.ca import SigningIdentity, demo_ca_certificate
from congso.core.signing.errors import TimestampUnavailable

T = TypeVar("T")

log = logging.getLogger(__name__)

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
NO_SIGNATURE = "Tệp không có chữ ký số."
NOT_A_PDF = "Tệp không phải PDF hợp lệ."

# Placeholders a stamp text may use; any other "%" is printed as is.
STAMP_PARAMS = ("signer", "agency", "agency_code", "ts", "reason", "location")
DEFAULT_OFFICIAL_STAMP = "Người ký: %(signer)s\nCơ quan: %(agency)s\nThời gian ký: %(ts)s"
DEFAULT_SEAL_STAMP = "%(agency)s\nThời gian ký: %(ts)s"
# Decree 30: the seal's signature in red, the person's in blue.
SEAL_COLOUR = (0.78, 0.0, 0.0)
OFFICIAL_COLOUR = (0.0, 0.2, 0.6)
STAMP_FONT_SIZE = 9

# What the stamp font keeps: Basic Latin, Latin-1, Latin Extended-A (Ă Đ Ĩ Ũ), Ơ ơ Ư ư, combining
# tone marks, Latin Extended Additional (Ạ … ỹ), dashes, quotes, ellipsis, ₫, №.
_VIETNAMESE_CODEPOINTS = [
    *range(0x20, 0x7F),
    *range(0xA0, 0x180),
    *(0x1A0, 0x1A1, 0x1AF, 0x1B0),
    *range(0x300, 0x324),
    *range(0x1EA0, 0x1EFA),
    *range(0x2010, 0x2027),
    *(0x20AB, 0x2116),
]
_TS_FORMAT = "%Y-%m-%dT%H:%M:%S%z"


@dataclass(frozen=True)
class VisibleBox:
    """Where the visible signature goes: ``page`` counts from 0 (negative from the end, -1 the
    last page), ``box`` is (x1, y1, x2, y2) in points from the page's lower-left corner."""

    page: int
    box: tuple[int, int, int, int]


# --------------------------------------------------------------------------------- the stamp


def _fold(text: str) -> str:
    """Vietnamese without marks, case kept (for the Courier fallback, which has no such glyphs)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return plain.encode("latin-1", "replace").decode("latin-1")


class _FontBytesFactory(FontEngineFactory):
    """pyHanko's OpenType engine over a font held in memory (a Vietnamese subset of DejaVu Sans).

    pyHanko subsets the font it is given for every signature; giving it a 35 kB subset instead
    of the 750 kB font makes that several times faster (bench/signing.py)."""

    def __init__(self, font: bytes, font_size: int) -> None:
        self.font = font
        self.font_size = font_size

    def create_font_engine(self, writer: BasePdfFileWriter, obj_stream: Any = None) -> FontEngine:
        from pyhanko.pdf_utils.font.opentype import GlyphAccumulator

        if obj_stream is None and writer.stream_xrefs:
            obj_stream = writer.prepare_object_stream()
        return GlyphAccumulator(
            writer=writer, font_handle=io.BytesIO(self.font), font_size=self.font_size, obj_stream=obj_stream
        )


@functools.cache
def _stamp_font() -> bytes | None:
    """The stamp font, subset once per process; None when no Unicode font is installed or
    pyHanko's OpenType support (fontTools + uharfbuzz) is missing."""
    from congso.core.files.pdf import unicode_font

    path = unicode_font()
    if path is None:
        log.warning(
            "Không tìm thấy phông Unicode (DejaVuSans): dấu chữ ký số dùng Courier, bỏ dấu tiếng Việt."
        )
        return None
    try:
        import uharfbuzz  # noqa: F401 — pyHanko's OpenType engine shapes with it
        from fontTools import subset, ttLib
        from fontTools.ttLib.scaleUpem import scale_upem
    except ImportError:
        log.warning("Thiếu uharfbuzz/fontTools (pyHanko[opentype]): dấu chữ ký số bỏ dấu tiếng Việt.")
        return None
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    options = subset.Options()
    options.hinting = False
    options.layout_features = []
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "kern", "FFTM", "MATH"]
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]  # names, version, copyright and licence
    options.glyph_names = False
    font = ttLib.TTFont(str(path))
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(unicodes=_VIETNAMESE_CODEPOINTS)
    subsetter.subset(font)
    # pyHanko writes glyph widths (/W, TJ) in font units, which PDF reads as 1/1000 em: right
    # for fonts with 1000 units per em, far too wide for DejaVu's 2048. Rescale the subset.
    if font["head"].unitsPerEm != 1000:
        scale_upem(font, 1000)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class _StampStyle(TextStampStyle):
    """pyHanko's text stamp, with the signing time shown in Vietnam time whatever the server's
    zone: pyHanko formats ``ts`` with ``timestamp_format``, this re-reads it and converts it."""

    def create_stamp(
        self, writer: BasePdfFileWriter, box: layout.BoxConstraints, text_params: dict
    ) -> TextStamp:
        params = dict(text_params)
        raw = params.get("ts")
        if isinstance(raw, str):
            with contextlib.suppress(ValueError):
                params["ts"] = format_time(dt.datetime.strptime(raw, _TS_FORMAT))
        return super().create_stamp(writer, box, params)


def format_time(moment: dt.datetime) -> str:
    """A signing time as the stamp shows it: Vietnam time with its ISO 8601 offset."""
    local = moment.astimezone(VIETNAM)
    return local.strftime("%H:%M:%S %d/%m/%Y ") + local.strftime("%z")[:3] + ":" + local.strftime("%z")[3:]


def _template(text: str) -> str:
    """Keep the known ``%(name)s`` placeholders and ``%%``; escape every other ``%``."""
    known = "|".join(STAMP_PARAMS)
    return re.sub(rf"%%|%\((?:{known})\)s|%", lambda m: m.group(0) if len(m.group(0)) > 1 else "%%", text)


def _stamp_style(identity: SigningIdentity, stamp_text: str | None) -> TextStampStyle:
    colour = SEAL_COLOUR if identity.kind == "seal" else OFFICIAL_COLOUR
    default = DEFAULT_SEAL_STAMP if identity.kind == "seal" else DEFAULT_OFFICIAL_STAMP
    text = _template(stamp_text if stamp_text is not None else default)
    font_bytes = _stamp_font()
    font: FontEngineFactory
    if font_bytes is None:
        font, text = SimpleFontEngineFactory.default_factory(), _fold(text)
    else:
        font = _FontBytesFactory(font_bytes, STAMP_FONT_SIZE)
    return _StampStyle(
        stamp_text=text,
        timestamp_format=_TS_FORMAT,
        text_box_style=TextBoxStyle(
            font=font,
            font_size=STAMP_FONT_SIZE,
            leading=STAMP_FONT_SIZE + 2,
            text_color=colour,
            box_layout_rule=layout.SimpleBoxLayoutRule(
                x_align=layout.AxisAlignment.ALIGN_MID,
                y_align=layout.AxisAlignment.ALIGN_MID,
                margins=layout.Margins.uniform(0),
            ),
        ),
        inner_content_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins.uniform(3),
        ),
        border_width=1,
        border_color=colour,
        background=None,
    )


# --------------------------------------------------------------------------------- signing


def _not_a_pdf(exc: Exception | None = None) -> InvalidInput:
    return InvalidInput(
        _("Tệp không phải PDF hợp lệ."),
        errors=[{"field": "file", "message": str(exc) if exc else _("không phải PDF")}],
    )


def _writer(pdf: bytes) -> IncrementalPdfFileWriter:
    if not isinstance(pdf, bytes | bytearray) or not bytes(pdf[:1024]).lstrip().startswith(b"%PDF-"):
        raise _not_a_pdf()
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        writer.root["/Pages"]
    except (PdfError, ValueError, KeyError, TypeError, IndexError) as exc:
        raise _not_a_pdf(exc) from exc
    if writer.prev.encrypted:
        raise InvalidInput(_("Tệp PDF được mã hóa; hãy gỡ mật khẩu của tệp trước khi ký."))
    return writer


def _configured_timestamper() -> TimeStamper | None:
    url = str(getattr(settings, "SIGNING_TSA_URL", "") or "")
    if not url:
        return None
    from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper

    return RequestsHTTPTimeStamper(url, timeout=int(getattr(settings, "SIGNING_TSA_TIMEOUT", 10)))


def _field_spec(writer: IncrementalPdfFileWriter, field_name: str, visible: VisibleBox) -> SigFieldSpec:
    pages = int(writer.root["/Pages"]["/Count"])
    page = visible.page + pages if visible.page < 0 else visible.page
    if not 0 <= page < pages:
        raise InvalidInput(
            _("Trang {page} không có trong tệp (tệp có {pages} trang).").format(
                page=visible.page + 1, pages=pages
            )
        )
    x1, y1, x2, y2 = (int(v) for v in visible.box)
    if x2 <= x1 or y2 <= y1:
        raise InvalidInput(_("Vùng hiển thị chữ ký không hợp lệ: {box}.").format(box=visible.box))
    return SigFieldSpec(sig_field_name=field_name, on_page=page, box=(x1, y1, x2, y2))


def sign_pdf(
    pdf: bytes,
    identity: SigningIdentity,
    *,
    field_name: str,
    reason: str,
    location: str = "Hà Nội",
    visible: VisibleBox | None = None,
    stamp_text: str | None = None,
    certify: bool = False,
    timestamper: TimeStamper | None = None,
) -> bytes:
    """Sign ``pdf`` as ``identity`` and return the signed file (the original bytes followed by an
    incremental update holding the signature).

    - PAdES B-B; B-T (a signature timestamp) with ``timestamper`` or ``settings.SIGNING_TSA_URL``.
    - ``visible``: the stamp's page and box; without it the signature is invisible.
    - ``stamp_text``: the stamp's text; ``%(signer)s``, ``%(agency)s``, ``%(agency_code)s``,
      ``%(ts)s`` (the signing time, Vietnam time), ``%(reason)s`` and ``%(location)s`` are filled
      in. By default: the signer, agency and time (a seal: the agency and time).
    - ``certify``: a certification (author) signature, which must come first; it still lets later
      signatures and form filling through (DocMDP level 2), so the seal can follow.

    Raises ``InvalidInput`` for a file that is not a PDF, an encrypted PDF, a field that is already
    signed, a page or box out of range; ``TimestampUnavailable`` when the TSA does not answer."""
    field_name = field_name.strip()
    if not field_name or "." in field_name:
        raise InvalidInput(_("Tên ô chữ ký không hợp lệ: '{name}'.").format(name=field_name))
    writer = _writer(pdf)
    present = [value for _name, value, _ref in enumerate_sig_fields(writer.prev, with_name=field_name)]
    if any(value is not None for value in present):
        raise InvalidInput(_("Ô chữ ký '{name}' đã được ký.").format(name=field_name))
    # An empty field of that name already in the file is signed where it is.
    spec = _field_spec(writer, field_name, visible) if visible is not None and not present else None
    meta = PdfSignatureMetadata(
        field_name=field_name,
        subfilter=SigSeedSubFilter.PADES,
        reason=reason or None,
        location=location or None,
        certify=certify,
        docmdp_permissions=MDPPerm.FILL_FORMS,
    )
    signer = PdfSigner(
        meta,
        identity.signer,
        timestamper=timestamper or _configured_timestamper(),
        stamp_style=_stamp_style(identity, stamp_text),
        new_field_spec=spec,
    )
    params = {
        "signer": identity.name,
        "agency": identity.agency,
        "agency_code": identity.agency_code,
        "reason": reason,
        "location": location,
    }
    if _stamp_font() is None:
        params = {key: _fold(value) for key, value in params.items()}
    reserved = _reservation(identity) if signer.default_timestamper is None else None
    try:
        try:
            return _sign(signer, writer, params, reserved)
        except SigningError:
            if reserved is None:
                raise
            log.warning("Signature container larger than reserved (%d); signing again.", reserved)
            return _sign(signer, _writer(pdf), params, None)
    except TimestampRequestError as exc:
        raise TimestampUnavailable(
            _("Máy chủ cấp dấu thời gian không trả lời; văn bản chưa được ký. Hãy thử lại sau.")
        ) from exc
    except SigningError as exc:
        raise InvalidInput(_("Không ký được tệp: {reason}").format(reason=exc)) from exc


def _reservation(identity: SigningIdentity) -> int:
    """Room for the signature container (hex digits): the certificates it embeds plus 2 kB for
    the signed attributes, the signature value and the CMS structure. Giving pyHanko the size
    saves it a trial signature to measure one, which takes as long as signing itself. With a
    timestamp the token's size is not known, and pyHanko measures."""
    der = serialization.Encoding.DER
    certificates = sum(len(c.public_bytes(der)) for c in (identity.certificate, *identity.chain))
    return 2 * (certificates + 2048)


def _sign(
    signer: PdfSigner, writer: IncrementalPdfFileWriter, params: dict[str, str], reserved: int | None
) -> bytes:
    out = io.BytesIO()
    _run(
        lambda: signer.async_sign_pdf(
            writer, bytes_reserved=reserved, output=out, appearance_text_params=params
        )
    )
    return out.getvalue()


def _run(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run one of pyHanko's coroutines to completion from synchronous code.

    pyHanko's own synchronous wrappers call ``asyncio.run``, which refuses to start inside a thread
    that already runs an event loop (an async view, a Playwright-driven test process). There the
    coroutine runs on a short-lived worker thread with its own loop instead."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


# --------------------------------------------------------------------------------- validation


@dataclass(frozen=True)
class SignatureCheck:
    """One embedded signature as ``validate_pdf`` found it.

    ``coverage``: "entire_file", "entire_revision" (later incremental updates exist),
    "contiguous_block_from_start" or "unclear". ``modification_level`` (after signing): "none",
    "lta_updates", "form_filling" (e.g. later signatures), "annotations", "other" (not allowed),
    or None when unknown. ``docmdp_ok``: the changes after signing are allowed."""

    field: str
    signer: str
    agency: str
    agency_code: str
    serial: str
    signed_at: dt.datetime | None
    intact: bool
    valid: bool
    trusted: bool
    coverage: str
    modification_level: str | None
    docmdp_ok: bool | None
    timestamped: bool
    certified: bool
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "signer": self.signer,
            "agency": self.agency,
            "agency_code": self.agency_code,
            "serial": self.serial,
            "signed_at": self.signed_at.astimezone(VIETNAM).isoformat() if self.signed_at else None,
            "intact": self.intact,
            "valid": self.valid,
            "trusted": self.trusted,
            "coverage": self.coverage,
            "modification_level": self.modification_level,
            "docmdp_ok": self.docmdp_ok,
            "timestamped": self.timestamped,
            "certified": self.certified,
            "ok": self.ok,
            "problems": list(self.problems),
        }


@dataclass(frozen=True)
class ValidationReport:
    ok: bool
    summary: str
    problems: tuple[str, ...]
    signatures: tuple[SignatureCheck, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        """JSON-able, as stored with a file and shown to users."""
        return {
            "ok": self.ok,
            "summary": self.summary,
            "problems": list(self.problems),
            "signatures": [s.as_dict() for s in self.signatures],
        }


def _load_roots(data: bytes) -> list[asn1_x509.Certificate]:
    if asn1_pem.detect(data):
        return [
            asn1_x509.Certificate.load(der) for _type, _headers, der in asn1_pem.unarmor(data, multiple=True)
        ]
    return [asn1_x509.Certificate.load(data)]


def _trust_roots(extra: list[Any] | None) -> list[asn1_x509.Certificate]:
    roots: list[asn1_x509.Certificate] = []
    demo = demo_ca_certificate()
    if demo is not None:
        roots.append(asn1_x509.Certificate.load(demo.public_bytes(serialization.Encoding.DER)))
    for path in getattr(settings, "SIGNING_TRUST_ROOTS", ()) or ():
        roots.extend(_load_roots(Path(path).read_bytes()))
    for root in extra or ():
        if isinstance(root, asn1_x509.Certificate):
            roots.append(root)
        elif isinstance(root, x509.Certificate):
            roots.append(asn1_x509.Certificate.load(root.public_bytes(serialization.Encoding.DER)))
        elif isinstance(root, bytes | bytearray):
            roots.extend(_load_roots(bytes(root)))
        else:
            raise TypeError(f"trust root of unsupported type {type(root).__name__}")
    return roots


def _name_part(subject: dict[str, Any], key: str) -> str:
    value = subject.get(key, "")
    return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value or "")


# pyHanko's default difference policy, except that a new visible signature field after a
# certification signature is allowed (as Adobe Acrobat allows it): the seal after a certifying
# leader signature.
_DIFF_POLICY = StandardDiffPolicy(
    global_rules=[
        CatalogModificationRule(),
        DocInfoRule().as_qualified(ModificationLevel.LTA_UPDATES),
        XrefStreamRule().as_qualified(ModificationLevel.LTA_UPDATES),
        ObjectStreamRule().as_qualified(ModificationLevel.LTA_UPDATES),
        DSSCompareRule().as_qualified(ModificationLevel.LTA_UPDATES),
        MetadataUpdateRule().as_qualified(ModificationLevel.LTA_UPDATES),
    ],
    form_rule=FormUpdatingRule(
        field_rules=[
            SigFieldCreationRule(allow_new_visible_after_certify=True),
            SigFieldModificationRule(),
            GenericFieldModificationRule(),
        ],
    ),
)

_EXPIRED = "Chứng thư số của chữ ký '{field}' ({signer}) đã hết hạn và chữ ký không có dấu thời gian."
_TRUST_PROBLEMS = {
    "EXPIRED": _EXPIRED,
    "OUT_OF_BOUNDS": _EXPIRED,
    "SIG_CONSTRAINTS": "Chứng thư số của chữ ký '{field}' ({signer}) không được phép dùng để ký số.",
    "REVOKED": "Chứng thư số của chữ ký '{field}' ({signer}) đã bị thu hồi.",
    "NOT_YET_VALID": "Chứng thư số của chữ ký '{field}' ({signer}) chưa có hiệu lực.",
}
_UNTRUSTED = (
    "Chứng thư số của chữ ký '{field}' ({signer}) không được tin cậy: không xác thực được đến "
    "tổ chức cung cấp dịch vụ chứng thực chữ ký số tin cậy."
)


def _check(embedded: EmbeddedPdfSignature, roots: list[asn1_x509.Certificate]) -> SignatureCheck:
    name = str(embedded.field_name)
    try:
        certificate = embedded.signer_cert
        subject = certificate.subject.native
        signer, serial = _name_part(subject, "common_name"), format(certificate.serial_number, "X")
        agency = _name_part(subject, "organization_name")
        agency_code = _name_part(subject, "organizational_unit_name")
    except Exception:  # a broken CMS blob still gets a row in the report
        signer = serial = agency = agency_code = ""
    try:
        context = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
        status: PdfSignatureStatus = _run(
            lambda: async_validate_pdf_signature(
                embedded,
                signer_validation_context=context,
                diff_policy=_DIFF_POLICY,
                key_usage_settings=KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"}),
            )
        )
    except Exception as exc:
        log.info("Signature %r could not be validated: %s", name, exc)
        problem = f"Chữ ký '{name}' không đọc được hoặc bị hỏng: {exc}"
        return SignatureCheck(
            field=name,
            signer=signer,
            agency=agency,
            agency_code=agency_code,
            serial=serial,
            signed_at=None,
            intact=False,
            valid=False,
            trusted=False,
            coverage="unclear",
            modification_level=None,
            docmdp_ok=None,
            timestamped=False,
            certified=False,
            problems=(problem,),
        )
    tst = status.timestamp_validity
    timestamped = tst is not None and tst.intact and tst.valid
    signed_at = tst.timestamp if tst is not None and timestamped else status.signer_reported_dt
    level = status.modification_level
    coverage = status.coverage or SignatureCoverageLevel.UNCLEAR
    who = signer or name
    problems: list[str] = []
    if not status.intact:
        problems.append(f"Chữ ký '{name}' không còn toàn vẹn: tệp đã bị sửa sau khi ký.")
    elif not status.valid:
        problems.append(f"Chữ ký '{name}' không hợp lệ: giá trị chữ ký không khớp với chứng thư số.")
    elif not status.trusted:
        indication = str(getattr(status.trust_problem_indic, "name", ""))
        template = next((t for key, t in _TRUST_PROBLEMS.items() if key in indication), _UNTRUSTED)
        problems.append(template.format(field=name, signer=who))
    if status.intact and coverage < SignatureCoverageLevel.ENTIRE_REVISION:
        problems.append(f"Chữ ký '{name}' không bao trùm toàn bộ phiên bản tệp đã ký.")
    elif status.intact and status.docmdp_ok is False:
        problems.append(
            f"Chữ ký '{name}': tệp đã bị thay đổi sau khi ký theo cách không được phép "
            "(không chỉ thêm chữ ký)."
        )
    if tst is not None and not timestamped:
        problems.append(f"Dấu thời gian của chữ ký '{name}' không hợp lệ.")
    return SignatureCheck(
        field=name,
        signer=signer,
        agency=agency,
        agency_code=agency_code,
        serial=serial,
        signed_at=signed_at,
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=bool(status.trusted),
        coverage=coverage.name.lower(),
        modification_level=level.name.lower() if level is not None else None,
        docmdp_ok=status.docmdp_ok,
        timestamped=timestamped,
        certified=embedded.docmdp_level is not None,
        problems=tuple(problems),
    )


def validate_pdf(pdf: bytes, *, trust_roots: list[Any] | None = None) -> ValidationReport:
    """Check every signature in ``pdf`` (in signing order).

    Trusted roots: the deployment's demo CA (when it exists), the PEM/DER files listed in
    ``settings.SIGNING_TRUST_ROOTS``, and ``trust_roots`` (``cryptography`` or asn1crypto
    certificates, or PEM/DER bytes). Revocation is not fetched (soft-fail).

    Raises ``InvalidInput("Tệp không phải PDF hợp lệ.")`` for a file that is not a PDF."""
    if not isinstance(pdf, bytes | bytearray) or not bytes(pdf[:1024]).lstrip().startswith(b"%PDF-"):
        raise _not_a_pdf()
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        embedded = list(reader.embedded_regular_signatures)
    except (PdfError, ValueError, KeyError, TypeError, IndexError) as exc:
        raise _not_a_pdf(exc) from exc
    if not embedded:
        return ValidationReport(ok=False, summary=NO_SIGNATURE, problems=(NO_SIGNATURE,))
    roots = _trust_roots(trust_roots)
    checks = tuple(_check(e, roots) for e in embedded)
    problems = tuple(p for c in checks for p in c.problems)
    bad = sum(1 for c in checks if not c.ok)
    if not bad:
        summary = (
            "Chữ ký số hợp lệ; tệp toàn vẹn từ khi ký."
            if len(checks) == 1
            else f"{len(checks)} chữ ký số hợp lệ; tệp toàn vẹn từ khi ký."
        )
    else:
        summary = f"Kiểm tra chữ ký số không đạt: {bad}/{len(checks)} chữ ký có vấn đề."
    return ValidationReport(ok=not bad, summary=summary, problems=problems, signatures=checks)
