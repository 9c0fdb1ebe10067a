"""The demo CA, the certificates it issues, and PKCS#12 import."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    Encoding,
    NoEncryption,
    pkcs12,
)
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from congso.core import signing
from congso.core.errors import InvalidInput


@pytest.fixture(autouse=True)
def data_dir(settings: Any, tmp_path: Path) -> Path:
    """Each test has its own DATA_DIR, hence its own demo CA."""
    settings.DATA_DIR = tmp_path
    settings.SIGNING_DEPLOYMENT_NAME = "Hà Nội (kiểm thử)"
    return tmp_path


def official() -> signing.SigningIdentity:
    return signing.official_identity(
        full_name="Nguyễn Văn Ân",
        username="an.nv",
        agency_name="Sở Khoa học và Công nghệ",
        agency_code="000.00.12.H26",
    )


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_demo_ca_is_created_once_with_private_key_files(data_dir: Path) -> None:
    assert signing.demo_ca_certificate() is None  # validation alone does not create a CA
    ca = signing.demo_ca()
    assert ca.name == "congso Demo CA — Hà Nội (kiểm thử)"
    assert ca.directory == data_dir / "signing" / "ca"
    assert _mode(ca.directory / "key.pem") == 0o600
    constraints = ca.certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
    assert (constraints.ca, constraints.path_length) == (True, 0)
    assert isinstance(ca.certificate.public_key(), ec.EllipticCurvePublicKey)
    assert signing.demo_ca().certificate == ca.certificate
    assert signing.demo_ca_certificate() == ca.certificate
    assert sorted(p.name for p in (data_dir / "signing").iterdir()) == ["ca"]


def test_official_certificate_subject_usage_and_chain(data_dir: Path) -> None:
    identity = official()
    cert = identity.certificate
    assert (identity.kind, identity.name, identity.agency, identity.agency_code, identity.username) == (
        "official",
        "Nguyễn Văn Ân",
        "Sở Khoa học và Công nghệ",
        "000.00.12.H26",
        "an.nv",
    )
    assert cert.subject.get_attributes_for_oid(NameOID.USER_ID)[0].value == "an.nv"
    assert cert.subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "VN"
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert (usage.digital_signature, usage.content_commitment, usage.key_cert_sign) == (True, True, False)
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.EMAIL_PROTECTION in eku
    cert.verify_directly_issued_by(signing.demo_ca().certificate)
    assert identity.chain == (signing.demo_ca().certificate,)
    assert identity.serial == format(cert.serial_number, "X")
    [stored] = list((data_dir / "signing" / "identities").iterdir())
    assert stored.name.startswith("official-") and _mode(stored) == 0o600


def test_same_official_reuses_the_certificate_until_details_change(data_dir: Path) -> None:
    first = official()
    assert official().serial == first.serial
    moved = signing.official_identity(
        full_name="Nguyễn Văn Ân", username="an.nv", agency_name="Sở Tư pháp", agency_code="000.00.13.H26"
    )
    assert moved.serial != first.serial and moved.agency == "Sở Tư pháp"
    assert official().serial == first.serial
    assert len(list((data_dir / "signing" / "identities").iterdir())) == 2


def test_seal_certificate_names_the_agency() -> None:
    seal = signing.seal_identity(agency_name="Sở Khoa học và Công nghệ", agency_code="000.00.12.H26")
    assert (seal.kind, seal.name, seal.agency, seal.agency_code, seal.username) == (
        "seal",
        "Sở Khoa học và Công nghệ",
        "Sở Khoa học và Công nghệ",
        "000.00.12.H26",
        "",
    )
    long_name = "Trung tâm Phục vụ hành chính công và Chuyển đổi số thành phố Hà Nội trực thuộc Ủy ban"
    long = signing.seal_identity(agency_name=long_name, agency_code="000.00.99.H26", short_name="TTPVHCC")
    assert (long.name, long.agency) == ("TTPVHCC", long_name)


def test_identities_for_accounts_and_agencies() -> None:
    agency = SimpleNamespace(name="Ủy ban nhân dân phường Ba Đình", code="000.01.01.H26", short_name="")
    user = SimpleNamespace(username="ld.bd", full_name="", display_name="ld.bd", agency=agency)
    who = signing.identity_for_official(user)
    assert (who.name, who.agency, who.agency_code, who.username) == (
        "ld.bd",
        "Ủy ban nhân dân phường Ba Đình",
        "000.01.01.H26",
        "ld.bd",
    )
    assert signing.identity_for_seal(agency).name == "Ủy ban nhân dân phường Ba Đình"
    with pytest.raises(InvalidInput) as error:
        signing.seal_identity(agency_name="", agency_code="")
    assert str(error.value) == "Cơ quan chưa có tên hoặc mã định danh, không cấp được chứng thư số con dấu."


def test_a_new_ca_reissues_stored_certificates(data_dir: Path) -> None:
    before = official()
    ca_dir = data_dir / "signing" / "ca"
    for child in ca_dir.iterdir():
        child.unlink()
    ca_dir.rmdir()
    after = official()
    assert after.serial != before.serial
    after.certificate.verify_directly_issued_by(signing.demo_ca().certificate)


# --------------------------------------------------------------------------------- PKCS#12


def _certificate(
    key: ec.EllipticCurvePrivateKey, *, days: int = 365, start_days_ago: int = 1
) -> x509.Certificate:
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Sở Tư pháp"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "000.00.13.H26"),
            x509.NameAttribute(NameOID.COMMON_NAME, "Trần Thị Bình"),
            x509.NameAttribute(NameOID.USER_ID, "CCCD:001190000123"),
        ]
    )
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=start_days_ago)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(0x1234ABCD)
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=days))
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True
        )
        .sign(key, hashes.SHA256())
    )


def test_pkcs12_round_trip() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _certificate(key)
    data = pkcs12.serialize_key_and_certificates(
        b"binh", key, cert, None, BestAvailableEncryption(b"mat-khau")
    )
    identity = signing.import_pkcs12(data, b"mat-khau")
    assert (identity.kind, identity.name, identity.agency, identity.agency_code, identity.username) == (
        "imported",
        "Trần Thị Bình",
        "Sở Tư pháp",
        "000.00.13.H26",
        "CCCD:001190000123",
    )
    assert identity.serial == "1234ABCD"
    assert identity.certificate == cert
    assert signing.import_pkcs12(data, "mat-khau").serial == "1234ABCD"  # a passphrase typed as text
    plain = pkcs12.serialize_key_and_certificates(b"binh", key, cert, None, NoEncryption())
    assert signing.import_pkcs12(plain, None).serial == "1234ABCD"


def test_pkcs12_wrong_or_missing_passphrase() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    data = pkcs12.serialize_key_and_certificates(
        b"binh", key, _certificate(key), None, BestAvailableEncryption(b"mat-khau")
    )
    with pytest.raises(InvalidInput) as error:
        signing.import_pkcs12(data, b"sai-mat-khau")
    assert str(error.value) == "Mật khẩu của tệp chứng thư số (PKCS#12) không đúng."
    with pytest.raises(InvalidInput) as error:
        signing.import_pkcs12(data, None)
    assert str(error.value) == "Tệp chứng thư số (PKCS#12) được bảo vệ bằng mật khẩu; hãy nhập mật khẩu."


def test_pkcs12_refuses_other_files_and_expired_certificates() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    for not_p12 in (b"%PDF-1.7\n", b"", _certificate(key).public_bytes(Encoding.DER)):
        with pytest.raises(InvalidInput) as error:
            signing.import_pkcs12(not_p12, b"x")
        assert str(error.value) == "Tệp không phải chứng thư số PKCS#12 (.p12, .pfx) hợp lệ."
    expired = _certificate(key, days=30, start_days_ago=400)
    data = pkcs12.serialize_key_and_certificates(b"x", key, expired, None, BestAvailableEncryption(b"p"))
    with pytest.raises(InvalidInput) as error:
        signing.import_pkcs12(data, b"p")
    assert str(error.value) == f"Chứng thư số đã hết hạn ngày {expired.not_valid_after_utc:%d/%m/%Y}."
    certificate_only = pkcs12.serialize_key_and_certificates(
        b"x", None, _certificate(key), None, NoEncryption()
    )
    with pytest.raises(InvalidInput) as error:
        signing.import_pkcs12(certificate_only, None)
    assert str(error.value) == "Tệp PKCS#12 không chứa khóa bí mật."
