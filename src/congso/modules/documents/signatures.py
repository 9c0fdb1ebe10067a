"""The document module's use of the core signing package: who signs what, where the stamp goes.

- The leader signs with their own certificate, the stamp in the signature area of the last page.
- The clerk applies the agency's seal signature when issuing; its visible stamp carries the number
  and notation and the date, over the number area of the first page (Decree 30, Appendix I).
- Every received e-document is checked; ``check`` returns a JSON-able report kept with the file.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.utils.translation import gettext as _

from congso.core import signing
from congso.core.errors import InvalidInput
from congso.core.org.models import Agency
from congso.modules.documents.rendering import NUMBER_PLACE_BOX, SIGNATURE_BOX_HEIGHT


def ensure_pdf(content: bytes) -> None:
    if not content.lstrip().startswith(b"%PDF-"):
        raise InvalidInput(
            _("Tệp không phải PDF hợp lệ."), errors=[{"field": "file", "message": _("không phải PDF")}]
        )


def page_count(content: bytes) -> int:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        return len(PdfReader(io.BytesIO(content)).pages)
    except (PdfReadError, ValueError) as exc:
        raise InvalidInput(_("Tệp không phải PDF hợp lệ: {e}").format(e=exc)) from exc


def _last_page_signature_box(content: bytes) -> tuple[int, tuple[int, int, int, int]]:
    """The signer's stamp: right half of the last page, above the bottom margin."""
    last = page_count(content) - 1
    return last, (312, 120, 552, 120 + SIGNATURE_BOX_HEIGHT)


def sign_as_official(
    content: bytes, official: Any, *, position: str = "", place: dict[str, Any] | None = None
) -> bytes:
    """``place``: where the composed document left room for the stamp (between the signer's
    position and name); an uploaded PDF gets the lower right of its last page."""
    identity = signing.identity_for_official(official)
    if place:
        page, box = int(place["page"]), (place["box"][0], place["box"][1], place["box"][2], place["box"][3])
    else:
        page, box = _last_page_signature_box(content)
    name = getattr(official, "display_name", str(official))
    return signing.sign_pdf(
        content,
        identity,
        field_name=f"LanhDao_{official.pk}",
        reason=_("Ký ban hành văn bản"),
        visible=signing.VisibleBox(page=page, box=box),
        stamp_text=f"{name}\n{position}\n" + _("Ký ngày: %(ts)s"),
    )


def seal(content: bytes, agency: Agency, *, number_notation: str, day: dt.date) -> bytes:
    identity = signing.identity_for_seal(agency)
    return signing.sign_pdf(
        content,
        identity,
        field_name=f"ConDau_{agency.code.replace('.', '_')}",
        reason=_("Cấp số {n} và đóng dấu").format(n=number_notation),
        visible=signing.VisibleBox(page=0, box=NUMBER_PLACE_BOX),
        stamp_text=_("Số: {n}\nNgày {d:%d/%m/%Y}\n{agency}").format(
            n=number_notation, d=day, agency=agency.name
        ),
    )


def check(content: bytes) -> dict[str, Any]:
    """The signature report as stored with the file and shown to users."""
    report = signing.validate_pdf(content)
    return report.as_dict()
