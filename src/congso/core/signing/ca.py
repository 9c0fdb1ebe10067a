"""Signing certificates: the deployment's demo CA, officials' and seals' certificates, PKCS#12 import.

The embedded default signs with certificates of a demo certificate authority made for each
deployment on first use ("congso Demo CA — <deployment>"), kept under ``DATA_DIR/signing/``:

    signing/ca/key.pem            the CA's private key (0600)
    signing/ca/cert.pem           the CA's certificate (what a relying party imports to trust it)
    signing/identities/<id>.pem   an official's or a seal's key and certificate, one file (0600)

``<id>`` is derived from the certificate's subject (kind, name, agency, code, username), so the
same official keeps the same certificate until their details change or it nears expiry, and is
then issued a new one. Files are written to a temporary name and renamed into place: the CA
directory appears whole and the first writer wins (another process that raced it uses the
winner's), an identity file is replaced atomically.

Keys are EC P-256 (ECDSA with SHA-256): generating one takes microseconds where RSA-3072 takes
a good part of a second, which matters because officials' certificates are issued on demand,
inside a request; signatures and certificates are small; Adobe Reader, OpenSSL and pyHanko all
verify them (ADR 0012).

A deployment with real certificates (the government CA's, or a commercial CA's) imports a
PKCS#12 file with ``import_pkcs12``; remote signing (HSM, CSC API) would build a
``SigningIdentity`` around another pyHanko ``Signer``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import socket
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asn1crypto import keys as asn1_keys
from asn1crypto import pkcs12 as asn1_pkcs12
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier
from django.conf import settings
from django.utils.translation import gettext as _
from pyhanko.sign.signers import SimpleSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore

from congso.core.errors import InvalidInput

log = logging.getLogger(__name__)

CA_NAME_PREFIX = "congso Demo CA"
CA_VALIDITY = dt.timedelta(days=20 * 365)
LEAF_VALIDITY = dt.timedelta(days=3 * 365)
# A stored certificate this close to its end is replaced by a new one on next use.
RENEW_BEFORE = dt.timedelta(days=30)
# Certificates start a little in the past so that a clock a few minutes behind still accepts them.
BACKDATE = dt.timedelta(minutes=10)
# id-kp-documentSigning (RFC 9336).
DOCUMENT_SIGNING = ObjectIdentifier("1.3.6.1.5.5.7.3.36")
# RFC 5280's upper bound for a common name.
CN_MAX = 64

SignKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey | ed448.Ed448PrivateKey

_lock = threading.Lock()
_ca_cache: dict[Path, tuple[tuple[int, int], DemoCA]] = {}
_identity_cache: dict[Path, tuple[tuple[int, int, int], SigningIdentity]] = {}


# --------------------------------------------------------------------------------- identities


@dataclass(frozen=True, eq=False)
class SigningIdentity:
    """Who signs: the pyHanko signer (key, certificate, chain) and what to show about it.

    ``kind`` is "official" (a person), "seal" (an agency's seal) or "imported" (a PKCS#12 file).
    ``name`` is the certificate's common name, ``agency`` its organisation (O), ``agency_code``
    its organisational unit (OU), ``username`` its UID or serialNumber (empty for a seal)."""

    signer: SimpleSigner
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    kind: str
    name: str
    agency: str
    agency_code: str
    username: str

    @property
    def serial(self) -> str:
        """The certificate's serial number in upper-case hex, as certificate viewers show it."""
        return format(self.certificate.serial_number, "X")

    @property
    def not_after(self) -> dt.datetime:
        return self.certificate.not_valid_after_utc

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the certificate (hex)."""
        return self.certificate.fingerprint(hashes.SHA256()).hex()


def _subject_value(name: x509.Name, oid: ObjectIdentifier) -> str:
    return ", ".join(str(a.value) for a in name.get_attributes_for_oid(oid))


def identity_from_key_and_certificate(
    key: Any,
    certificate: x509.Certificate,
    chain: tuple[x509.Certificate, ...] | list[x509.Certificate] = (),
    *,
    kind: str = "imported",
) -> SigningIdentity:
    """A ``SigningIdentity`` for a private key and its certificate (``cryptography`` objects),
    with the issuing certificates in ``chain`` (embedded in each signature)."""
    if not isinstance(key, SignKey):
        raise InvalidInput(_("Loại khóa của chứng thư số không được hỗ trợ để ký (chỉ RSA, EC, EdDSA)."))
    if key.public_key() != certificate.public_key():
        raise InvalidInput(_("Khóa bí mật không khớp với chứng thư số."))
    der = serialization.Encoding.DER
    signing_cert = asn1_x509.Certificate.load(certificate.public_bytes(der))
    signing_key = asn1_keys.PrivateKeyInfo.load(
        key.private_bytes(der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    others = [asn1_x509.Certificate.load(c.public_bytes(der)) for c in chain]
    signer = SimpleSigner(
        signing_cert=signing_cert,
        signing_key=signing_key,
        cert_registry=SimpleCertificateStore.from_certs([signing_cert, *others]),
    )
    subject = certificate.subject
    return SigningIdentity(
        signer=signer,
        certificate=certificate,
        chain=tuple(chain),
        kind=kind,
        name=_subject_value(subject, NameOID.COMMON_NAME),
        agency=_subject_value(subject, NameOID.ORGANIZATION_NAME),
        agency_code=_subject_value(subject, NameOID.ORGANIZATIONAL_UNIT_NAME),
        username=_subject_value(subject, NameOID.USER_ID) or _subject_value(subject, NameOID.SERIAL_NUMBER),
    )


# --------------------------------------------------------------------------------- the demo CA


@dataclass(frozen=True, eq=False)
class DemoCA:
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate
    directory: Path

    @property
    def name(self) -> str:
        return _subject_value(self.certificate.subject, NameOID.COMMON_NAME)

    def pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)


def signing_dir() -> Path:
    return Path(settings.DATA_DIR) / "signing"


def deployment_name() -> str:
    """The name in the demo CA's subject: ``settings.SIGNING_DEPLOYMENT_NAME``, else the host."""
    return str(getattr(settings, "SIGNING_DEPLOYMENT_NAME", "") or socket.gethostname() or "congso")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _write_secret(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _private_pem(key: SignKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _ca_subject() -> x509.Name:
    cn = f"{CA_NAME_PREFIX} — {deployment_name()}"[:CN_MAX]
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "congso (demo)"),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


def _build_ca() -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = _new_key()
    subject = _ca_subject()
    now = _now()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(now + CA_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, certificate


def _load_ca(directory: Path) -> DemoCA:
    key = serialization.load_pem_private_key((directory / "key.pem").read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError(f"{directory / 'key.pem'}: not an EC key")
    certificate = x509.load_pem_x509_certificate((directory / "cert.pem").read_bytes())
    return DemoCA(key=key, certificate=certificate, directory=directory)


def _create_ca(directory: Path) -> None:
    """Make the CA in a temporary directory and rename it into place; a rename onto an existing
    (non-empty) directory fails, so when two processes race the first one's CA is kept."""
    directory.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".ca-", dir=directory.parent))
    try:
        key, certificate = _build_ca()
        _write_secret(staging / "key.pem", _private_pem(key))
        (staging / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        try:
            os.rename(staging, directory)
        except OSError:
            if not (directory / "cert.pem").is_file():
                raise
        else:
            log.info("Demo CA created: %s (%s)", _ca_subject().rfc4514_string(), directory)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def demo_ca() -> DemoCA:
    """The deployment's demo CA, created on first use under ``DATA_DIR/signing/ca``."""
    directory = signing_dir() / "ca"
    with _lock:
        cert_file = directory / "cert.pem"
        if not cert_file.is_file():
            _create_ca(directory)
        stat = cert_file.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        cached = _ca_cache.get(directory)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        ca = _load_ca(directory)
        _ca_cache[directory] = (stamp, ca)
        return ca


def demo_ca_certificate(*, create: bool = False) -> x509.Certificate | None:
    """The demo CA's certificate, or None when this deployment has none yet (and ``create`` is
    False): validation trusts it without making a CA as a side effect."""
    if not create and not (signing_dir() / "ca" / "cert.pem").is_file():
        return None
    return demo_ca().certificate


# --------------------------------------------------------------------------------- issued certificates


def _leaf_certificate(ca: DemoCA, subject: x509.Name, key: ec.EllipticCurvePrivateKey) -> x509.Certificate:
    now = _now()
    not_after = min(now + LEAF_VALIDITY, ca.certificate.not_valid_after_utc)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # nonRepudiation
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([DOCUMENT_SIGNING, ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False
        )
        .sign(ca.key, hashes.SHA256())
    )


def _read_identity_file(path: Path) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    data = path.read_bytes()
    end = b"-----END PRIVATE KEY-----"
    cut = data.index(end) + len(end)
    key = serialization.load_pem_private_key(data[:cut], password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError(f"{path}: not an EC key")
    return key, x509.load_pem_x509_certificate(data[cut:].strip())


def _still_good(certificate: x509.Certificate, ca: DemoCA, subject: x509.Name) -> bool:
    if certificate.subject != subject:
        return False
    if certificate.not_valid_after_utc - RENEW_BEFORE < _now():
        return False
    try:
        certificate.verify_directly_issued_by(ca.certificate)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _stable_id(kind: str, subject: x509.Name) -> str:
    fields = [(a.oid.dotted_string, str(a.value)) for a in subject]
    digest = hashlib.sha256(json.dumps([kind, fields], ensure_ascii=False).encode("utf-8")).hexdigest()
    return f"{kind}-{digest[:32]}"


def _issued_identity(kind: str, subject: x509.Name) -> SigningIdentity:
    """The stored key and certificate for this subject, issued by the demo CA when missing,
    expiring, or issued by another CA (the CA directory was replaced)."""
    ca = demo_ca()
    path = signing_dir() / "identities" / f"{_stable_id(kind, subject)}.pem"
    with _lock:
        try:
            stat = path.stat()
            stamp = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
            cached = _identity_cache.get(path)
            if cached is not None and cached[0] == stamp and _still_good(cached[1].certificate, ca, subject):
                return cached[1]
            key, certificate = _read_identity_file(path)
            if _still_good(certificate, ca, subject):
                identity = identity_from_key_and_certificate(key, certificate, (ca.certificate,), kind=kind)
                _identity_cache[path] = (stamp, identity)
                return identity
        except FileNotFoundError:
            pass
        except ValueError:
            log.warning("Unreadable signing identity %s; issuing a new one.", path)
        key = _new_key()
        certificate = _leaf_certificate(ca, subject, key)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        staging = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            _write_secret(staging, _private_pem(key) + certificate.public_bytes(serialization.Encoding.PEM))
            os.replace(staging, path)
        finally:
            staging.unlink(missing_ok=True)
        identity = identity_from_key_and_certificate(key, certificate, (ca.certificate,), kind=kind)
        stat = path.stat()
        _identity_cache[path] = ((stat.st_mtime_ns, stat.st_size, stat.st_ino), identity)
        return identity


def _name(attributes: list[tuple[ObjectIdentifier, str]]) -> x509.Name:
    return x509.Name([x509.NameAttribute(oid, value) for oid, value in attributes if value])


def official_identity(
    *, full_name: str, username: str, agency_name: str, agency_code: str
) -> SigningIdentity:
    """An official's signing identity from the demo CA: CN = full name, O = agency, OU = agency
    code, UID = username."""
    full_name, username = full_name.strip(), username.strip()
    if not full_name or not username:
        raise InvalidInput(_("Cán bộ chưa có họ tên hoặc tên đăng nhập, không cấp được chứng thư số."))
    subject = _name(
        [
            (NameOID.COUNTRY_NAME, "VN"),
            (NameOID.ORGANIZATION_NAME, agency_name.strip()),
            (NameOID.ORGANIZATIONAL_UNIT_NAME, agency_code.strip()),
            (NameOID.COMMON_NAME, full_name[:CN_MAX]),
            (NameOID.USER_ID, username),
        ]
    )
    return _issued_identity("official", subject)


def seal_identity(*, agency_name: str, agency_code: str, short_name: str = "") -> SigningIdentity:
    """An agency's seal identity from the demo CA: CN = O = agency name, OU = agency code. A name
    longer than a common name may be (64) uses the short name in CN; O keeps the full name."""
    agency_name, agency_code = agency_name.strip(), agency_code.strip()
    if not agency_name or not agency_code:
        raise InvalidInput(_("Cơ quan chưa có tên hoặc mã định danh, không cấp được chứng thư số con dấu."))
    cn = agency_name if len(agency_name) <= CN_MAX else (short_name.strip() or agency_name)[:CN_MAX]
    subject = _name(
        [
            (NameOID.COUNTRY_NAME, "VN"),
            (NameOID.ORGANIZATION_NAME, agency_name),
            (NameOID.ORGANIZATIONAL_UNIT_NAME, agency_code),
            (NameOID.COMMON_NAME, cn),
        ]
    )
    return _issued_identity("seal", subject)


def identity_for_official(official: Any) -> SigningIdentity:
    """``official_identity`` for an account (``full_name``/``display_name``, ``username``,
    ``agency``)."""
    agency = getattr(official, "agency", None)
    name = getattr(official, "full_name", "") or getattr(official, "display_name", "") or official.username
    return official_identity(
        full_name=name,
        username=official.username,
        agency_name=getattr(agency, "name", "") if agency is not None else "",
        agency_code=getattr(agency, "code", "") if agency is not None else "",
    )


def identity_for_seal(agency: Any) -> SigningIdentity:
    """``seal_identity`` for an agency (``name``, ``code``, ``short_name``)."""
    return seal_identity(
        agency_name=agency.name, agency_code=agency.code, short_name=getattr(agency, "short_name", "") or ""
    )


# --------------------------------------------------------------------------------- PKCS#12


def _looks_like_pkcs12(data: bytes) -> bool:
    try:
        pfx = asn1_pkcs12.Pfx.load(data, strict=True)
        return pfx["version"].native == "v3" and pfx["auth_safe"]["content_type"].native in {
            "data",
            "signed_data",
        }
    except (ValueError, TypeError, KeyError):
        return False


def _check_usable(certificate: x509.Certificate) -> None:
    now = _now()
    if certificate.not_valid_after_utc < now:
        raise InvalidInput(
            _("Chứng thư số đã hết hạn ngày {day}.").format(
                day=certificate.not_valid_after_utc.strftime("%d/%m/%Y")
            )
        )
    if certificate.not_valid_before_utc > now:
        raise InvalidInput(
            _("Chứng thư số chưa có hiệu lực (hiệu lực từ ngày {day}).").format(
                day=certificate.not_valid_before_utc.strftime("%d/%m/%Y")
            )
        )
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return
    if not (usage.digital_signature or usage.content_commitment):
        raise InvalidInput(_("Chứng thư số không được phép dùng để ký số (thiếu mục đích sử dụng khóa ký)."))


def import_pkcs12(data: bytes, passphrase: bytes | str | None) -> SigningIdentity:
    """A signing identity from a PKCS#12 file (.p12/.pfx: private key, certificate, chain).

    Raises ``InvalidInput`` (Vietnamese message) when the file is not PKCS#12, the passphrase is
    wrong or missing, the file holds no key or certificate, the key does not match, or the
    certificate is expired, not yet valid or not meant for signing."""
    if isinstance(passphrase, str):
        passphrase = passphrase.encode("utf-8")
    if not _looks_like_pkcs12(data):
        raise InvalidInput(_("Tệp không phải chứng thư số PKCS#12 (.p12, .pfx) hợp lệ."))
    attempts: list[bytes | None] = [passphrase] if passphrase else [None, b""]
    if passphrase:
        attempts.append(None)  # a file without a passphrase opens whatever was typed
    loaded = None
    for attempt in attempts:
        try:
            loaded = pkcs12.load_key_and_certificates(data, attempt)
            break
        except ValueError:
            continue
    if loaded is None:
        if passphrase:
            raise InvalidInput(_("Mật khẩu của tệp chứng thư số (PKCS#12) không đúng."))
        raise InvalidInput(_("Tệp chứng thư số (PKCS#12) được bảo vệ bằng mật khẩu; hãy nhập mật khẩu."))
    key, certificate, additional = loaded
    if key is None:
        raise InvalidInput(_("Tệp PKCS#12 không chứa khóa bí mật."))
    if certificate is None:
        raise InvalidInput(_("Tệp PKCS#12 không chứa chứng thư số."))
    _check_usable(certificate)
    return identity_from_key_and_certificate(key, certificate, tuple(additional), kind="imported")
