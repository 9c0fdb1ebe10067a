"""PAdES signing and validation, checked by pyHanko and independently by OpenSSL."""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from fpdf import FPDF
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import SigFieldSpec, append_signature_field
from pyhanko.sign.timestamps import DummyTimeStamper

from congso.core import signing
from congso.core.errors import InvalidInput
from congso.core.files.pdf import unicode_font

LEADER_BOX = signing.VisibleBox(page=-1, box=(312, 120, 552, 190))
NUMBER_BOX = signing.VisibleBox(page=0, box=(57, 690, 298, 730))
# An ASCII line in the page content (uncompressed) that the tamper test alters.
MARKER = b"Ma so ho so: 000.00.12.H26-261124-0001"


@pytest.fixture(autouse=True)
def data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    settings.SIGNING_DEPLOYMENT_NAME = "kiểm thử"
    settings.SIGNING_TSA_URL = ""
    return tmp_path


@functools.cache
def document() -> bytes:
    """A two-page Decree-30-like PDF with Vietnamese text, content streams left uncompressed."""
    pdf = FPDF(unit="pt", format="A4")
    pdf.set_compression(False)
    font = unicode_font()
    assert font is not None, "fonts-dejavu is needed for Vietnamese text"
    pdf.add_font("Body", "", str(font))
    for page in (1, 2):
        pdf.add_page()
        pdf.set_font("Body", size=12)
        pdf.cell(0, 20, "ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI — SỞ KHOA HỌC VÀ CÔNG NGHỆ")
        pdf.ln()
        pdf.multi_cell(0, 16, f"Quyết định về việc phê duyệt Kế hoạch chuyển đổi số năm 2026 (trang {page}).")
        pdf.set_font("Helvetica", size=10)
        pdf.cell(0, 16, MARKER.decode())
    return bytes(pdf.output())


def leader() -> signing.SigningIdentity:
    return signing.official_identity(
        full_name="Nguyễn Văn Ân",
        username="an.nv",
        agency_name="Sở Khoa học và Công nghệ",
        agency_code="000.00.12.H26",
    )


def seal() -> signing.SigningIdentity:
    return signing.seal_identity(agency_name="Sở Khoa học và Công nghệ", agency_code="000.00.12.H26")


def signed_by_leader(pdf: bytes | None = None, **kwargs: Any) -> bytes:
    return signing.sign_pdf(
        pdf or document(),
        leader(),
        field_name="Lãnh đạo",
        reason="Ký ban hành",
        visible=LEADER_BOX,
        stamp_text="%(signer)s\nPhó Giám đốc\nKý ngày: %(ts)s",
        **kwargs,
    )


def sealed(pdf: bytes) -> bytes:
    return signing.sign_pdf(
        pdf,
        seal(),
        field_name="ConDau",
        reason="Cấp số 05/QĐ-SKHCN và đóng dấu",
        visible=NUMBER_BOX,
        stamp_text="Số: 05/QĐ-SKHCN\nNgày 24/11/2026\n%(agency)s",
    )


def self_signed() -> signing.SigningIdentity:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Kẻ Giả Mạo")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(7)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True
        )
        .sign(key, hashes.SHA256())
    )
    return signing.identity_from_key_and_certificate(key, cert)


def flip_marker(pdf: bytes) -> bytes:
    """Change one character of the first page's text, inside the first signature's byte range."""
    at = pdf.index(MARKER)
    return pdf[: at + len(MARKER) - 1] + b"9" + pdf[at + len(MARKER) :]


# --------------------------------------------------------------------------------- sign + validate


def test_signed_pdf_validates_with_the_signer_and_the_time() -> None:
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    original = document()
    signed = signed_by_leader()
    assert signed.startswith(original)  # an incremental update: the original bytes are untouched
    report = signing.validate_pdf(signed)
    assert (report.ok, report.problems, report.summary) == (
        True,
        (),
        "Chữ ký số hợp lệ; tệp toàn vẹn từ khi ký.",
    )
    [sig] = report.signatures
    assert (sig.field, sig.signer, sig.agency, sig.agency_code, sig.serial) == (
        "Lãnh đạo",
        "Nguyễn Văn Ân",
        "Sở Khoa học và Công nghệ",
        "000.00.12.H26",
        leader().serial,
    )
    assert (sig.intact, sig.valid, sig.trusted, sig.timestamped, sig.certified) == (
        True,
        True,
        True,
        False,
        False,
    )
    assert (sig.coverage, sig.modification_level, sig.docmdp_ok) == ("entire_file", "none", True)
    assert sig.signed_at is not None and before <= sig.signed_at <= dt.datetime.now(dt.UTC)
    stored = report.as_dict()
    assert stored["signatures"][0]["signer"] == "Nguyễn Văn Ân"
    assert stored["signatures"][0]["signed_at"].endswith("+07:00")


def test_visible_stamp_is_in_vietnamese_with_an_embedded_font() -> None:
    signed = signed_by_leader()
    reader = PdfFileReader(io.BytesIO(signed))
    annotations = [a.get_object() for a in reader.root["/Pages"]["/Kids"][1].get_object()["/Annots"]]
    [widget] = [a for a in annotations if a.get("/T") == "Lãnh đạo"]
    assert [float(v) for v in widget["/Rect"]] == [312.0, 120.0, 552.0, 190.0]
    appearance = widget["/AP"]["/N"]
    content = _all_content(appearance)
    lines = [_pdf_text(m) for m in re.findall(rb"/ActualText \((.*?)\)\s*>>", content, re.S)]
    assert lines[0] == "Nguyễn Văn Ân"
    assert lines[1] == "Phó Giám đốc"
    assert re.fullmatch(r"Ký ngày: \d\d:\d\d:\d\d \d\d/\d\d/\d{4} \+07:00", lines[2]), lines[2]
    assert b"DejaVuSans" in signed and b"/FontFile2" in signed


def _all_content(xobject: Any) -> bytes:
    """The appearance stream and the form XObjects it draws (pyHanko nests the text in one)."""
    data = xobject.data
    for inner in (xobject.get("/Resources", {}).get("/XObject") or {}).values():
        data += _all_content(inner.get_object())
    return data


def _pdf_text(literal: bytes) -> str:
    """A PDF literal string: UTF-16BE after a byte-order mark, else PDFDocEncoding (Latin-1 here)."""
    raw = re.sub(rb"\\([0-7]{1,3}|.)", lambda m: _unescape(m.group(1)), literal, flags=re.S)
    return raw[2:].decode("utf-16-be") if raw.startswith(b"\xfe\xff") else raw.decode("latin-1")


def _unescape(token: bytes) -> bytes:
    if token.isdigit():
        return bytes([int(token, 8)])
    return {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}.get(token, token)


def test_leader_then_seal_both_valid_and_the_seal_is_an_allowed_update() -> None:
    both = sealed(signed_by_leader())
    report = signing.validate_pdf(both)
    assert (report.ok, report.problems, report.summary) == (
        True,
        (),
        "2 chữ ký số hợp lệ; tệp toàn vẹn từ khi ký.",
    )
    first, second = report.signatures
    assert (first.field, first.signer, second.field, second.signer) == (
        "Lãnh đạo",
        "Nguyễn Văn Ân",
        "ConDau",
        "Sở Khoa học và Công nghệ",
    )
    assert (first.coverage, first.modification_level, first.docmdp_ok) == (
        "entire_revision",
        "form_filling",
        True,
    )
    assert (second.coverage, second.modification_level, second.docmdp_ok) == ("entire_file", "none", True)
    assert all(s.intact and s.valid and s.trusted for s in report.signatures)


def test_certifying_signature_still_allows_the_seal() -> None:
    report = signing.validate_pdf(sealed(signed_by_leader(certify=True)))
    assert report.ok is True
    assert [s.certified for s in report.signatures] == [True, False]


def test_invisible_signature_and_default_stamp() -> None:
    invisible = signing.sign_pdf(document(), seal(), field_name="ConDau", reason="Ban hành")
    assert signing.validate_pdf(invisible).ok is True
    default = signing.sign_pdf(document(), leader(), field_name="LanhDao", reason="Ký", visible=LEADER_BOX)
    assert signing.validate_pdf(default).signatures[0].signer == "Nguyễn Văn Ân"
    # A literal "%" in the text is printed as is; only the known placeholders are filled in.
    percent = signing.sign_pdf(
        document(),
        leader(),
        field_name="X",
        reason="Ký",
        visible=LEADER_BOX,
        stamp_text="100% %(signer)s %(x)s",
    )
    assert signing.validate_pdf(percent).ok is True


def test_an_empty_field_already_in_the_file_is_signed_in_place() -> None:
    writer = IncrementalPdfFileWriter(io.BytesIO(document()))
    append_signature_field(writer, SigFieldSpec("ConDau", on_page=0, box=(57, 690, 298, 730)))
    out = io.BytesIO()
    writer.write(out)
    signed = signing.sign_pdf(
        out.getvalue(), seal(), field_name="ConDau", reason="Đóng dấu", visible=LEADER_BOX
    )
    report = signing.validate_pdf(signed)
    assert (report.ok, [s.field for s in report.signatures]) == (True, ["ConDau"])
    reader = PdfFileReader(io.BytesIO(signed))
    [widget] = [a.get_object() for a in reader.root["/Pages"]["/Kids"][0].get_object()["/Annots"]]
    assert [float(v) for v in widget["/Rect"]] == [57.0, 690.0, 298.0, 730.0]


def test_too_small_reservation_is_retried(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from congso.core.signing import pades

    monkeypatch.setattr(pades, "_reservation", lambda identity: 1000)
    assert signing.validate_pdf(signed_by_leader()).ok is True
    assert "Signature container larger than reserved (1000); signing again." in caplog.messages


def test_tampered_bytes_are_reported_not_intact() -> None:
    tampered = flip_marker(signed_by_leader())
    report = signing.validate_pdf(tampered)
    assert report.ok is False
    assert report.problems == ("Chữ ký 'Lãnh đạo' không còn toàn vẹn: tệp đã bị sửa sau khi ký.",)
    assert report.summary == "Kiểm tra chữ ký số không đạt: 1/1 chữ ký có vấn đề."
    [sig] = report.signatures
    assert (sig.intact, sig.trusted, sig.ok) == (False, False, False)


def test_content_changed_in_a_later_revision_is_not_allowed() -> None:
    signed = signed_by_leader()
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    forged = generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 400 Td (Da sua noi dung) Tj ET")
    page["/Contents"] = writer.add_object(forged)
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    report = signing.validate_pdf(out.getvalue())
    assert report.ok is False
    [sig] = report.signatures
    assert (sig.intact, sig.valid, sig.trusted, sig.coverage, sig.modification_level, sig.docmdp_ok) == (
        True,
        True,
        True,
        "entire_revision",
        "other",
        False,
    )
    assert report.problems == (
        "Chữ ký 'Lãnh đạo': tệp đã bị thay đổi sau khi ký theo cách không được phép (không chỉ thêm chữ ký).",
    )


def test_untrusted_self_signed_certificate() -> None:
    impostor = self_signed()
    signed = signing.sign_pdf(document(), impostor, field_name="LanhDao", reason="Ký", visible=LEADER_BOX)
    report = signing.validate_pdf(signed)
    [sig] = report.signatures
    assert (sig.signer, sig.intact, sig.valid, sig.trusted, report.ok) == (
        "Kẻ Giả Mạo",
        True,
        True,
        False,
        False,
    )
    assert report.problems == (
        "Chứng thư số của chữ ký 'LanhDao' (Kẻ Giả Mạo) không được tin cậy: không xác thực được đến "
        "tổ chức cung cấp dịch vụ chứng thực chữ ký số tin cậy.",
    )
    # Trusted once its certificate is given as a root (PEM bytes or a certificate object).
    pem = impostor.certificate.public_bytes(serialization.Encoding.PEM)
    assert signing.validate_pdf(signed, trust_roots=[pem]).ok is True
    assert signing.validate_pdf(signed, trust_roots=[impostor.certificate]).ok is True


def test_demo_ca_of_another_deployment_is_not_trusted(settings: Any, tmp_path: Path) -> None:
    signed = signed_by_leader()
    settings.DATA_DIR = tmp_path / "other-deployment"
    signing.demo_ca()
    report = signing.validate_pdf(signed)
    assert [s.trusted for s in report.signatures] == [False]


def test_timestamped_signature_is_pades_b_t() -> None:
    ca = signing.demo_ca()
    tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # pyHanko's test TSA: RSA only
    now = dt.datetime.now(dt.UTC)
    tsa_cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "TSA kiểm thử")]))
        .issuer_name(ca.certificate.subject)
        .public_key(tsa_key.public_key())
        .serial_number(99)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(ca.key, hashes.SHA256())
    )
    der = serialization.Encoding.DER
    timestamper = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(tsa_cert.public_bytes(der)),
        tsa_key=asn1_keys.PrivateKeyInfo.load(
            tsa_key.private_bytes(der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        ),
    )
    report = signing.validate_pdf(signed_by_leader(timestamper=timestamper))
    assert report.ok is True
    assert report.signatures[0].timestamped is True
    assert signing.validate_pdf(signed_by_leader()).signatures[0].timestamped is False


# --------------------------------------------------------------------------------- refusals


def test_not_a_pdf_is_refused() -> None:
    for junk in (b"", b"PK\x03\x04 a zip", b"%PDF-1.7\n garbage without objects"):
        with pytest.raises(InvalidInput) as error:
            signing.validate_pdf(junk)
        assert str(error.value) == "Tệp không phải PDF hợp lệ."
        with pytest.raises(InvalidInput) as error:
            signing.sign_pdf(junk, leader(), field_name="LanhDao", reason="Ký")
        assert str(error.value) == "Tệp không phải PDF hợp lệ."


def test_pdf_without_signature() -> None:
    report = signing.validate_pdf(document())
    assert (report.ok, report.summary, report.problems, report.signatures) == (
        False,
        "Tệp không có chữ ký số.",
        ("Tệp không có chữ ký số.",),
        (),
    )
    assert report.as_dict() == {
        "ok": False,
        "summary": "Tệp không có chữ ký số.",
        "problems": ["Tệp không có chữ ký số."],
        "signatures": [],
    }


def test_signing_refusals() -> None:
    signed = signed_by_leader()
    with pytest.raises(InvalidInput) as error:
        signed_by_leader(signed)
    assert str(error.value) == "Ô chữ ký 'Lãnh đạo' đã được ký."
    with pytest.raises(InvalidInput) as error:
        signing.sign_pdf(
            document(),
            leader(),
            field_name="X",
            reason="Ký",
            visible=signing.VisibleBox(page=5, box=(0, 0, 9, 9)),
        )
    assert str(error.value) == "Trang 6 không có trong tệp (tệp có 2 trang)."


# --------------------------------------------------------------------------------- OpenSSL


def _signatures(pdf: bytes) -> list[tuple[bytes, bytes]]:
    """(signed bytes, DER CMS) for each /ByteRange in the file, read without pyHanko."""
    found = []
    for match in re.finditer(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf):
        a, b, c, d = (int(v) for v in match.groups())
        hex_contents = pdf[a + b : c].strip().removeprefix(b"<").removesuffix(b">")
        der = bytes.fromhex(hex_contents.decode("ascii"))
        found.append((pdf[a : a + b] + pdf[c : c + d], der[: _der_length(der)]))
    return found


def _der_length(der: bytes) -> int:
    """Length of the outer DER object: /Contents is zero-padded after it."""
    first = der[1]
    if first < 0x80:
        return 2 + first
    count = first & 0x7F
    return 2 + count + int.from_bytes(der[2 : 2 + count], "big")


def _openssl_verify(tmp_path: Path, data: bytes, der: bytes) -> subprocess.CompletedProcess[str]:
    (tmp_path / "data.bin").write_bytes(data)
    (tmp_path / "sig.der").write_bytes(der)
    (tmp_path / "ca.pem").write_bytes(signing.demo_ca().pem())
    return subprocess.run(
        [
            "openssl",
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            str(tmp_path / "sig.der"),
            "-content",
            str(tmp_path / "data.bin"),
            "-CAfile",
            str(tmp_path / "ca.pem"),
            "-purpose",
            "any",
            "-out",
            str(tmp_path / "out.bin"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not on PATH")
def test_openssl_verifies_both_signatures_and_rejects_tampering(tmp_path: Path) -> None:
    both = sealed(signed_by_leader())
    parts = _signatures(both)
    assert len(parts) == 2
    for data, der in parts:
        result = _openssl_verify(tmp_path, data, der)
        assert result.returncode == 0, result.stderr
        assert "Verification successful" in result.stderr
    # The leader signed exactly the first revision: what OpenSSL verified is a prefix of the file.
    assert both.startswith(parts[0][0][:1000])

    [(data, der), _] = _signatures(flip_marker(both))
    result = _openssl_verify(tmp_path, data, der)
    assert result.returncode != 0
    assert "Verification failure" in result.stderr


def test_signing_and_validating_work_inside_a_running_event_loop() -> None:
    """A thread with a running loop (an async view, Playwright's sync API in a test process) must
    still sign: pyHanko's own synchronous wrappers would fail there with asyncio.run()."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    async def inside_a_loop() -> tuple[bytes, bool]:
        signed = signed_by_leader()
        return signed, signing.validate_pdf(signed).signatures[0].ok

    # On a thread of its own: this test process may already run Playwright's loop on the main one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        signed, ok = pool.submit(asyncio.run, inside_a_loop()).result()
    assert signed.startswith(b"%PDF")
    assert ok is True
