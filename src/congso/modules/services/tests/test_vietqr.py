"""VietQR payloads: built to the EMVCo/NAPAS layout byte for byte, read back with their CRC checked,
rendered as QR images. Payloads written out by hand from the spec, and public examples produced by
two independent implementations (github.com/subiz/vietqr, github.com/giautm/emvqr-go)."""

from __future__ import annotations

import base64
import binascii
import io

import pytest
import segno
from PIL import Image

from congso.modules.services import vietqr
from congso.modules.services.vietqr import VietQR, VietQRError

# A fee of 100.000 đồng for dossier 001.01.90.H26-260429-0001, paid into 113366668888 at BIN 970415.
DOSSIER = "001.01.90.H26-260429-0001"
REFERENCE = "0010190H262604290001K7QM"
HAND_BODY = (
    "000201"  # 00 payload format indicator: "01"
    "010212"  # 01 point of initiation: "12", dynamic (one payment)
    "3856"  # 38 merchant account information, 56 characters:
    "0010A000000727"  # 00 GUID of NAPAS
    "0126"  # 01 beneficiary organisation, 26 characters:
    "0006970415"  # 00 acquirer BIN
    "0112113366668888"  # 01 account number
    "0208QRIBFTTA"  # 02 service code: fast transfer to an account
    "5303704"  # 53 currency: VND
    "5406100000"  # 54 amount
    "5802VN"  # 58 country
    "6257"  # 62 additional data, 57 characters:
    "0125001.01.90.H26-260429-0001"  # 01 bill number: the dossier code
    "08240010190H262604290001K7QM"  # 08 purpose: the payment reference
    "6304"  # 63 CRC, 4 characters, computed over everything up to here
)
HAND = HAND_BODY + "5AEC"

# Public examples: (BIN, account, amount, purpose, dynamic) → payload.
PUBLIC = [
    (
        ("970422", "0023457923442", 40123, "test text string", True),
        "00020101021238570010A00000072701270006970422011300234579234420208QRIBFTTA5303704"
        "5405401235802VN62200816test text string6304D9C6",
    ),
    (
        ("970422", "0023457923442", 40123, "chuyển khoản", True),
        "00020101021238570010A00000072701270006970422011300234579234420208QRIBFTTA5303704"
        "5405401235802VN62160812chuyen khoan6304722F",
    ),
    (
        ("970415", "0011001932418", 120000, "ủng hộ lũ lụt", True),
        "00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA5303704"
        "54061200005802VN62170813ung ho lu lut6304C15C",
    ),
    (
        ("970423", "0099999999", None, "", False),
        "00020101021138540010A00000072701240006970423011000999999990208QRIBFTTA53037045802VN6304CBB4",
    ),
]


def test_crc16_ccitt_false_check_value() -> None:
    assert vietqr.crc16("123456789") == "29B1"
    assert vietqr.crc16(HAND_BODY) == "5AEC"
    # The same algorithm, bit by bit: poly 0x1021, init 0xFFFF, no reflection, no final XOR.
    crc = 0xFFFF
    for byte in HAND_BODY.encode():
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021 if crc & 0x8000 else crc << 1) & 0xFFFF
    assert crc == 0x5AEC == binascii.crc_hqx(HAND_BODY.encode(), 0xFFFF)


def test_build_dossier_fee_payload_byte_for_byte() -> None:
    qr = VietQR(
        bank_bin="970415", account="113366668888", amount=100_000, bill_number=DOSSIER, purpose=REFERENCE
    )
    assert vietqr.build(qr) == HAND


def test_build_with_merchant_name_and_city_without_diacritics() -> None:
    qr = VietQR(
        bank_bin="970415",
        account="113366668888",
        amount=100_000,
        merchant_name="UBND PHƯỜNG BA ĐÌNH",
        merchant_city="HÀ NỘI",
    )
    body = (
        "000201010212"
        "38560010A0000007270126000697041501121133666688880208QRIBFTTA"
        "5303704"
        "5406100000"
        "5802VN"
        "5919UBND PHUONG BA DINH"
        "6006HA NOI"
        "6304"
    )
    assert vietqr.build(qr) == body + vietqr.crc16(body)
    assert vietqr.build(qr) == body + "288A"


@pytest.mark.parametrize(("spec", "expected"), PUBLIC)
def test_public_examples(spec: tuple[str, str, int | None, str, bool], expected: str) -> None:
    bank_bin, account, amount, purpose, dynamic = spec
    qr = VietQR(bank_bin=bank_bin, account=account, amount=amount, purpose=purpose, dynamic=dynamic)
    assert vietqr.build(qr) == expected
    back = vietqr.parse(expected)
    assert (back.bank_bin, back.account, back.amount, back.dynamic) == (bank_bin, account, amount, dynamic)
    assert back.purpose == vietqr.ascii_text(purpose)


def test_parse_returns_the_fields() -> None:
    qr = vietqr.parse(HAND)
    assert qr == VietQR(
        bank_bin="970415",
        account="113366668888",
        amount=100_000,
        bill_number=DOSSIER,
        purpose=REFERENCE,
        service="QRIBFTTA",
        dynamic=True,
        currency="704",
        country="VN",
    )
    assert qr.fields == {
        "00": "01",
        "01": "12",
        "38": "0010A0000007270126000697041501121133666688880208QRIBFTTA",
        "53": "704",
        "54": "100000",
        "58": "VN",
        "62": "0125001.01.90.H26-260429-000108240010190H262604290001K7QM",
        "63": "5AEC",
    }


def test_parse_accepts_objects_in_another_order() -> None:
    # From emvqr-go: 62 written before 38. The order is not checked, only the CRC and the content.
    qr = vietqr.parse(
        "00020101021262110807tien le38560010A0000007270126000697041501121133666688880208QRIBFTTA"
        "5303704540460005802VN63046893"
    )
    assert (qr.bank_bin, qr.account, qr.amount, qr.purpose) == ("970415", "113366668888", 6000, "tien le")


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (HAND[:-4] + "5AED", "Sai mã kiểm tra CRC: ghi 5AED, tính được 5AEC."),
        (HAND.replace("5406100000", "5406900000"), "Sai mã kiểm tra CRC"),  # the amount tampered with
        (HAND_BODY, "Thiếu mã kiểm tra CRC"),
        (HAND[:-8], "Thiếu mã kiểm tra CRC"),
        ("", "Thiếu mã kiểm tra CRC"),
    ],
)
def test_parse_refuses_a_bad_crc(payload: str, message: str) -> None:
    with pytest.raises(VietQRError) as caught:
        vietqr.parse(payload)
    assert str(caught.value).startswith(message)


def _signed(body: str) -> str:
    return body + "6304" + vietqr.crc16(body + "6304")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        # A well-formed EMVCo code that is not VietQR (another GUID in 38).
        (
            "000201010212" + "38280010A000000775011001064159995303704" + "5802VN",
            "Không phải mã VietQR",
        ),
        ("000202010212", "Trường 00 (định dạng) phải là 01."),
        ("0002010102123A", "Dữ liệu hỏng ở vị trí 12: '3A6304"),
        ("0002010102123899ABC", "Trường 38 ở vị trí 12 khai dài 99 ký tự nhưng dữ liệu không đủ."),
    ],
)
def test_parse_refuses_what_is_not_a_vietqr(body: str, message: str) -> None:
    with pytest.raises(VietQRError) as caught:
        vietqr.parse(_signed(body))
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"bank_bin": "97041"}, "Mã BIN ngân hàng phải gồm 6 chữ số: '97041'."),
        ({"account": "1133-6666"}, "Số tài khoản phải gồm 1–19 chữ số hoặc chữ cái: '1133-6666'."),
        ({"amount": 0}, "Số tiền phải là số nguyên dương tối đa 13 chữ số: 0."),
        ({"amount": 10**13}, "Số tiền phải là số nguyên dương tối đa 13 chữ số: 10000000000000."),
        ({"purpose": "x" * 26}, "Trường 62/08 dài 26 ký tự, tối đa 25"),
        ({"bill_number": "Lệ phí 😀"}, "Trường 62/01 có ký tự ngoài bảng mã ASCII"),
        ({"service": "QRCASH"}, "Mã dịch vụ không hợp lệ: 'QRCASH'."),
    ],
)
def test_build_refuses_bad_input(changes: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {"bank_bin": "970415", "account": "113366668888", "amount": 100_000}
    fields.update(changes)
    with pytest.raises(VietQRError) as caught:
        vietqr.build(VietQR(**fields))  # type: ignore[arg-type]
    assert str(caught.value).startswith(message)


def test_png_draws_exactly_the_payload_modules() -> None:
    png = vietqr.qr_png(HAND, scale=6, border=4)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    matrix = segno.make(HAND, error="m", micro=False).matrix
    image = Image.open(io.BytesIO(png)).convert("L")
    size = len(matrix)
    assert image.size == ((size + 8) * 6, (size + 8) * 6)
    drawn = [
        [image.getpixel(((c + 4) * 6 + 3, (r + 4) * 6 + 3)) == 0 for c in range(size)] for r in range(size)
    ]
    assert drawn == [[bool(m) for m in row] for row in matrix]
    # The data URL carries the same PNG.
    url = vietqr.png_data_url(HAND)
    assert url.startswith("data:image/png;base64,")
    assert base64.b64decode(url.split(",", 1)[1]) == png


def test_svg() -> None:
    svg = vietqr.qr_svg(HAND)
    assert svg.startswith("<?xml") and "<svg" in svg and svg.rstrip().endswith("</svg>")
