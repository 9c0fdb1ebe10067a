"""VietQR: the NAPAS profile of the EMVCo Merchant-Presented QR code, for bank transfers (IBFT).

A payload is a string of data objects, each ``ID (2 digits) + length (2 digits) + value``, in
ascending ID order (EMVCo QRCPS-MPM; NAPAS "Technical Specifications on NAPAS QR Switching"):

====  =============================================  ==========================================
ID    Data object                                    Value here
====  =============================================  ==========================================
00    Payload Format Indicator                       "01"
01    Point of Initiation Method                     "12" dynamic (one payment), "11" static
38    Merchant Account Information (NAPAS)           template:
        00  Globally Unique Identifier               "A000000727" (NAPAS)
        01  Beneficiary organisation                 template: 00 acquirer BIN (6 digits),
                                                     01 account number (up to 19)
        02  Service code                             "QRIBFTTA" to an account ("QRIBFTTC" card)
53    Transaction Currency                           "704" (VND, ISO 4217)
54    Transaction Amount                             whole dong, e.g. "100000" (optional)
58    Country Code                                   "VN"
59    Merchant Name                                  optional, up to 25
60    Merchant City                                  optional, up to 15
62    Additional Data Field Template                 01 bill number, 08 purpose of transaction
                                                     (each up to 25; banking apps prefill the
                                                     transfer description from 08)
63    CRC                                            CRC-16/CCITT-FALSE (poly 0x1021, init
                                                     0xFFFF) over the whole payload up to and
                                                     including "6304", 4 upper-case hex digits
====  =============================================  ==========================================

Values are restricted to printable ASCII: Vietnamese text is written without diacritics
("Lệ phí" → "Le phi"), as banking apps expect. ``build`` makes the payload, ``parse`` checks its
CRC and reads it back, ``qr_png``/``qr_svg`` render it with segno.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
import unicodedata
from dataclasses import dataclass, field

import segno

NAPAS_GUID = "A000000727"
SERVICE_TO_ACCOUNT = "QRIBFTTA"
SERVICE_TO_CARD = "QRIBFTTC"
CURRENCY_VND = "704"
COUNTRY_VN = "VN"
STATIC, DYNAMIC = "11", "12"

_BIN = re.compile(r"^\d{6}$")
_ACCOUNT = re.compile(r"^[0-9A-Za-z]{1,19}$")
_PRINTABLE_ASCII = re.compile(r"^[\x20-\x7e]*$")
_CRC_TAIL = re.compile(r"6304[0-9A-F]{4}$")


class VietQRError(ValueError):
    """A payload that cannot be built or does not read as a valid VietQR."""


@dataclass(frozen=True)
class VietQR:
    bank_bin: str  # the beneficiary bank's NAPAS BIN, e.g. "970415"
    account: str  # the beneficiary account (or card) number
    amount: int | None = None  # whole dong; None lets the payer type it (static QR)
    bill_number: str = ""  # 62/01
    purpose: str = ""  # 62/08: the transfer description banking apps prefill
    merchant_name: str = ""  # 59
    merchant_city: str = ""  # 60
    service: str = SERVICE_TO_ACCOUNT
    dynamic: bool = True  # "12": for one payment; "11": reusable
    currency: str = CURRENCY_VND
    country: str = COUNTRY_VN
    fields: dict[str, str] = field(default_factory=dict, compare=False)  # the root objects, as read


def crc16(data: str) -> str:
    """CRC-16/CCITT-FALSE of ``data`` as 4 upper-case hex digits (check value of "123456789": 29B1)."""
    return f"{binascii.crc_hqx(data.encode('utf-8'), 0xFFFF):04X}"


def tlv(tag: str, value: str) -> str:
    if not value:
        raise VietQRError(f"Trường {tag} rỗng.")
    if len(value) > 99:
        raise VietQRError(f"Trường {tag} dài {len(value)} ký tự, tối đa 99.")
    return f"{tag}{len(value):02d}{value}"


def ascii_text(text: str) -> str:
    """Vietnamese without diacritics (đ → d), spaces collapsed: what a payload may carry."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(stripped.split())


def _text(tag: str, value: str, limit: int) -> str:
    value = ascii_text(value)
    if not _PRINTABLE_ASCII.match(value):
        raise VietQRError(f"Trường {tag} có ký tự ngoài bảng mã ASCII: {value!r}.")
    if len(value) > limit:
        raise VietQRError(f"Trường {tag} dài {len(value)} ký tự, tối đa {limit}: {value!r}.")
    return value


def build(qr: VietQR) -> str:
    """The payload string for ``qr`` (its ``fields`` are ignored)."""
    if not _BIN.match(qr.bank_bin):
        raise VietQRError(f"Mã BIN ngân hàng phải gồm 6 chữ số: {qr.bank_bin!r}.")
    if not _ACCOUNT.match(qr.account):
        raise VietQRError(f"Số tài khoản phải gồm 1–19 chữ số hoặc chữ cái: {qr.account!r}.")
    if qr.service not in (SERVICE_TO_ACCOUNT, SERVICE_TO_CARD):
        raise VietQRError(f"Mã dịch vụ không hợp lệ: {qr.service!r}.")
    if qr.amount is not None and not (0 < qr.amount < 10**13):
        raise VietQRError(f"Số tiền phải là số nguyên dương tối đa 13 chữ số: {qr.amount}.")
    beneficiary = tlv("00", qr.bank_bin) + tlv("01", qr.account)
    merchant = tlv("00", NAPAS_GUID) + tlv("01", beneficiary) + tlv("02", qr.service)
    parts = [
        tlv("00", "01"),
        tlv("01", DYNAMIC if qr.dynamic else STATIC),
        tlv("38", merchant),
        tlv("53", qr.currency),
    ]
    if qr.amount is not None:
        parts.append(tlv("54", str(qr.amount)))
    parts.append(tlv("58", qr.country))
    if qr.merchant_name:
        parts.append(tlv("59", _text("59", qr.merchant_name, 25)))
    if qr.merchant_city:
        parts.append(tlv("60", _text("60", qr.merchant_city, 15)))
    additional = ""
    if qr.bill_number:
        additional += tlv("01", _text("62/01", qr.bill_number, 25))
    if qr.purpose:
        additional += tlv("08", _text("62/08", qr.purpose, 25))
    if additional:
        parts.append(tlv("62", additional))
    body = "".join(parts) + "6304"
    return body + crc16(body)


def read_objects(data: str) -> dict[str, str]:
    """The data objects of one level (the root or a template), by ID, in order."""
    objects: dict[str, str] = {}
    i = 0
    while i < len(data):
        head = data[i : i + 4]
        if len(head) < 4 or not head.isdigit():
            raise VietQRError(f"Dữ liệu hỏng ở vị trí {i}: {data[i : i + 8]!r}.")
        tag, length = head[:2], int(head[2:])
        value = data[i + 4 : i + 4 + length]
        if length == 0 or len(value) != length:
            raise VietQRError(f"Trường {tag} ở vị trí {i} khai dài {length} ký tự nhưng dữ liệu không đủ.")
        if tag in objects:
            raise VietQRError(f"Trường {tag} lặp lại.")
        objects[tag] = value
        i += 4 + length
    return objects


def parse(payload: str) -> VietQR:
    """Check the CRC and read a VietQR payload back; ``VietQRError`` with the reason otherwise."""
    payload = payload.strip()
    if not _CRC_TAIL.search(payload):
        raise VietQRError("Thiếu mã kiểm tra CRC (trường 63) ở cuối.")
    expected = crc16(payload[:-4])
    if payload[-4:] != expected:
        raise VietQRError(f"Sai mã kiểm tra CRC: ghi {payload[-4:]}, tính được {expected}.")
    root = read_objects(payload)
    if root.get("00") != "01":
        raise VietQRError("Trường 00 (định dạng) phải là 01.")
    if list(root)[-1] != "63":
        raise VietQRError("Trường 63 (CRC) phải đứng cuối.")
    merchant = read_objects(root.get("38", ""))
    if merchant.get("00") != NAPAS_GUID:
        raise VietQRError("Không phải mã VietQR: trường 38 không mang định danh NAPAS A000000727.")
    beneficiary = read_objects(merchant.get("01", ""))
    bank_bin, account = beneficiary.get("00", ""), beneficiary.get("01", "")
    if not _BIN.match(bank_bin) or not account:
        raise VietQRError("Trường 38/01 thiếu mã BIN ngân hàng hoặc số tài khoản.")
    amount_text = root.get("54")
    if amount_text is not None and not amount_text.isdigit():
        raise VietQRError(f"Số tiền (trường 54) không phải số nguyên đồng: {amount_text!r}.")
    additional = read_objects(root["62"]) if "62" in root else {}
    return VietQR(
        bank_bin=bank_bin,
        account=account,
        amount=int(amount_text) if amount_text is not None else None,
        bill_number=additional.get("01", ""),
        purpose=additional.get("08", ""),
        merchant_name=root.get("59", ""),
        merchant_city=root.get("60", ""),
        service=merchant.get("02", ""),
        dynamic=root.get("01") == DYNAMIC,
        currency=root.get("53", ""),
        country=root.get("58", ""),
        fields=root,
    )


# --- Rendering -----------------------------------------------------------------------------------


def qr_png(payload: str, *, scale: int = 6, border: int = 4) -> bytes:
    """The QR code as PNG: error correction M or better (segno raises it when the size allows)."""
    out = io.BytesIO()
    segno.make(payload, error="m", micro=False).save(out, kind="png", scale=scale, border=border)
    return out.getvalue()


def qr_svg(payload: str, *, scale: int = 6, border: int = 4) -> str:
    out = io.BytesIO()
    segno.make(payload, error="m", micro=False).save(out, kind="svg", scale=scale, border=border)
    return out.getvalue().decode("utf-8")


def png_data_url(payload: str, *, scale: int = 6) -> str:
    return "data:image/png;base64," + base64.b64encode(qr_png(payload, scale=scale)).decode("ascii")
