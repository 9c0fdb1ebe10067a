"""Document types of Decree 30/2020/NĐ-CP (Appendix III) and how numbers and notations are written."""

from __future__ import annotations

import re
from dataclasses import dataclass

from congso.core.search.text import fold


@dataclass(frozen=True)
class DocumentType:
    code: str
    name: str
    abbreviation: str  # "" for công văn and thư công, which carry no type in their notation


DOCUMENT_TYPES: tuple[DocumentType, ...] = (
    DocumentType("NQ", "Nghị quyết", "NQ"),
    DocumentType("QD", "Quyết định", "QĐ"),
    DocumentType("CT", "Chỉ thị", "CT"),
    DocumentType("QC", "Quy chế", "QC"),
    DocumentType("QYD", "Quy định", "QyĐ"),
    DocumentType("TC", "Thông cáo", "TC"),
    DocumentType("TB", "Thông báo", "TB"),
    DocumentType("HD", "Hướng dẫn", "HD"),
    DocumentType("CTR", "Chương trình", "CTr"),
    DocumentType("KH", "Kế hoạch", "KH"),
    DocumentType("PA", "Phương án", "PA"),
    DocumentType("DA", "Đề án", "ĐA"),
    DocumentType("DAN", "Dự án", "DA"),
    DocumentType("BC", "Báo cáo", "BC"),
    DocumentType("BB", "Biên bản", "BB"),
    DocumentType("TTR", "Tờ trình", "TTr"),
    DocumentType("HDG", "Hợp đồng", "HĐ"),
    DocumentType("CV", "Công văn", ""),
    DocumentType("CD", "Công điện", "CĐ"),
    DocumentType("GN", "Bản ghi nhớ", "GN"),
    DocumentType("TTH", "Bản thỏa thuận", "TTh"),
    DocumentType("GUQ", "Giấy ủy quyền", "GUQ"),
    DocumentType("GM", "Giấy mời", "GM"),
    DocumentType("GGT", "Giấy giới thiệu", "GGT"),
    DocumentType("NP", "Giấy nghỉ phép", "NP"),
    DocumentType("PG", "Phiếu gửi", "PG"),
    DocumentType("PC", "Phiếu chuyển", "PC"),
    DocumentType("PB", "Phiếu báo", "PB"),
    DocumentType("THC", "Thư công", ""),
)
BY_CODE = {t.code: t for t in DOCUMENT_TYPES}
# edXML's DocumentType/Type: the position in the list above (1-based).
EDXML_TYPE = {t.code: i for i, t in enumerate(DOCUMENT_TYPES, start=1)}
BY_EDXML_TYPE = dict(enumerate(DOCUMENT_TYPES, start=1))

_SMALL_WORDS = {"va", "cua", "thanh", "pho"}


def agency_abbreviation(name: str, short_name: str = "") -> str:
    """The agency's part of a notation: its configured short name, else "UBND" for a people's
    committee and the initials of the name for a department ("Sở Khoa học và Công nghệ" -> "SKHCN")."""
    if short_name:
        return short_name
    if fold(name).startswith("uy ban nhan dan"):
        return "UBND"
    words = [w for w in re.split(r"\s+", name.split(" thành phố ")[0].strip()) if w]
    initials = [w[0] for w in words if fold(w) not in _SMALL_WORDS]
    return "".join(initials).upper()


def format_number_notation(number: int, doc_type: str, agency_abbr: str) -> tuple[str, str]:
    """(notation, "number/notation"): "05/QĐ-UBND"; a công văn has no type: "05/UBND-VP"."""
    kind = BY_CODE[doc_type]
    notation = f"{kind.abbreviation}-{agency_abbr}" if kind.abbreviation else agency_abbr
    # Decree 30: numbers below 10 are written with a leading zero.
    return notation, f"{number:02d}/{notation}"


def notation_key(text: str) -> str:
    """The exact-match key of a number/notation: upper case, no spaces.

    "30/2020/nđ-cp" -> "30/2020/NĐ-CP"."""
    return re.sub(r"\s+", "", text).upper()


NOTATION_LIKE = re.compile(r"^\s*\d{1,6}\s*/\s*[\w\-/Đđ]+\s*$")
