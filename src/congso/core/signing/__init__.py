"""Certificates, PAdES signing and validation (pyHanko). ADR 0012.

identity = signing.identity_for_official(user)          # demo CA (embedded default)
identity = signing.import_pkcs12(p12_bytes, b"secret")  # a real certificate
signed = signing.sign_pdf(pdf, identity, field_name="LanhDao", reason="Ký ban hành",
                          visible=signing.VisibleBox(page=-1, box=(312, 120, 552, 190)))
report = signing.validate_pdf(signed)                   # report.ok, report.problems
"""

from congso.core.signing.ca import (
    DemoCA,
    SigningIdentity,
    demo_ca,
    demo_ca_certificate,
    identity_for_official,
    identity_for_seal,
    identity_from_key_and_certificate,
    import_pkcs12,
    official_identity,
    seal_identity,
)
from congso.core.signing.errors import TimestampUnavailable
from congso.core.signing.pades import (
    NO_SIGNATURE,
    SignatureCheck,
    ValidationReport,
    VisibleBox,
    format_time,
    sign_pdf,
    validate_pdf,
)

__all__ = [
    "NO_SIGNATURE",
    "DemoCA",
    "SignatureCheck",
    "SigningIdentity",
    "TimestampUnavailable",
    "ValidationReport",
    "VisibleBox",
    "demo_ca",
    "demo_ca_certificate",
    "format_time",
    "identity_for_official",
    "identity_for_seal",
    "identity_from_key_and_certificate",
    "import_pkcs12",
    "official_identity",
    "seal_identity",
    "sign_pdf",
    "validate_pdf",
]
