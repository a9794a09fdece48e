"""The signing certificate: open a PKCS#12 file and read what LHDN checks.

LHDN accepts an *organisation* certificate from an MCMC-licensed CA whose subject carries
the company's TIN in ``organizationIdentifier`` (OID 2.5.4.97) and its BRN in
``serialNumber`` (OID 2.5.4.5), with the Non-Repudiation key usage and the Document
Signing extended key usage (reference §7.1). This module opens the file, refuses a wrong
password with a clear message, and lists every problem the platform would report later as
a DS3xx code, so an admin sees it at upload time rather than on the first Invalid document.
Nothing secret (key, password) ever reaches an exception text or the summary.
"""

import base64
import datetime
import hashlib
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

from . import xml_safety

ORGANIZATION_IDENTIFIER = ObjectIdentifier("2.5.4.97")
DOCUMENT_SIGNING = ObjectIdentifier("1.3.6.1.4.1.311.10.3.12")
EXPIRY_WARNING_DAYS = 30
_KEY_NAMES = ((rsa.RSAPublicKey, "RSA"), (dsa.DSAPublicKey, "DSA"), (ed25519.Ed25519PublicKey, "Ed25519"))
_KEY_NAMES += ((ed448.Ed448PublicKey, "Ed448"),)

# Short names as .NET's X509Certificate2.Issuer prints them: the form LHDN
# compares X509IssuerName with (reference §7.4 step 8).
_DOTNET_NAMES = {
    NameOID.COMMON_NAME: "CN",
    NameOID.ORGANIZATIONAL_UNIT_NAME: "OU",
    NameOID.ORGANIZATION_NAME: "O",
    NameOID.LOCALITY_NAME: "L",
    NameOID.STATE_OR_PROVINCE_NAME: "S",
    NameOID.COUNTRY_NAME: "C",
    NameOID.EMAIL_ADDRESS: "E",
    NameOID.SERIAL_NUMBER: "SERIALNUMBER",
    NameOID.STREET_ADDRESS: "STREET",
}


class CertificateError(ValueError):
    """The file cannot be used; the message says why, in words for an admin."""


@dataclass(frozen=True)
class Problem:
    """One reason LHDN would refuse signatures made with this certificate."""

    code: str  # the DS3xx code LHDN would give, or "EXPIRING" for a warning
    message: str
    blocking: bool = True


@dataclass(frozen=True)
class CertificateInfo:
    subject: str
    issuer: str  # LHDN/.NET form: "CN=..., OU=..., O=..., C=MY"
    serial: str  # decimal, as X509SerialNumber wants it
    not_before: datetime.datetime  # UTC, naive
    not_after: datetime.datetime  # UTC, naive
    tin: str  # organizationIdentifier
    brn: str  # serialNumber
    organization: str
    digest: str  # base64(SHA-256(DER)), the CertDigest
    key_usage_ok: bool
    document_signing_ok: bool
    is_rsa: bool
    problems: tuple = field(default=())
    # The subset of ``problems`` no signature by this certificate can pass, whoever
    # uses it: a key that is not RSA, an oversized serial, unreadable parts.
    form_problems: tuple = field(default=())

    @property
    def errors(self):
        return tuple(p for p in self.problems if p.blocking)

    @property
    def warnings(self):
        return tuple(p for p in self.problems if not p.blocking)

    def summary(self):
        """Lines describing the certificate as LHDN will read it (CLI, demo)."""
        lines = [
            f"subject     {self.subject}",
            f"issuer      {self.issuer}",
            f"serial      {self.serial}",
            f"valid       {self.not_before:%Y-%m-%d} .. {self.not_after:%Y-%m-%d} (UTC)",
            f"TIN / BRN   {self.tin or '-'} / {self.brn or '-'}",
        ]
        return lines + [f"{'ERROR' if p.blocking else 'warning'} {p.code}: {p.message}" for p in self.problems]


@dataclass(frozen=True)
class LoadedCertificate:
    """Key and certificate in memory; only the signing code needs the key."""

    private_key: object
    certificate: x509.Certificate
    chain: tuple
    info: CertificateInfo


def load_pkcs12(data, password, *, company_tin=None, company_brn=None, now=None):
    """Open a PKCS#12 (.p12/.pfx) file and describe its certificate.

    ``password`` is a str or bytes (empty for none). Raises CertificateError with
    a message that never contains the password or key material. Problems that do
    not stop the file from opening (expired, not an organisation certificate,
    TIN/BRN mismatch...) are listed in ``info.problems``.
    """
    if not data:
        raise CertificateError("No certificate file was given.")
    if isinstance(password, str):
        password = password.encode("utf-8")
    if not data.startswith(b"\x30"):
        raise CertificateError(
            "This file is not a PKCS#12 certificate (.p12 or .pfx). Export the certificate "
            "together with its private key from your CA's tool and upload that file."
        )
    try:
        key, certificate, chain = pkcs12.load_key_and_certificates(data, password or None)
    except ValueError:
        raise CertificateError(
            "The certificate could not be opened: the password is wrong, or the file is "
            "damaged. Check the password your CA gave with the .p12/.pfx file."
        ) from None
    except Exception:  # cryptography raises a handful of types for malformed input
        raise CertificateError("The certificate file is damaged or not a PKCS#12 file.") from None
    # Key first: a file exported without its key lists the certificate among the
    # "additional" ones, so it would otherwise read as "no certificate".
    if key is None:
        raise CertificateError(
            "The PKCS#12 file holds no private key. Export the certificate *with* its "
            "private key (a .p12/.pfx file), not only the public .cer file."
        )
    if certificate is None:
        raise CertificateError("The PKCS#12 file holds a key but no certificate.")
    info = describe(certificate, private_key=key, company_tin=company_tin, company_brn=company_brn, now=now)
    return LoadedCertificate(private_key=key, certificate=certificate, chain=tuple(chain or ()), info=info)


def issuer_name(name):
    """An X.509 name written most-specific-first, ``KEY=value`` joined by ", "."""
    parts = []
    for rdn in reversed(name.rdns):
        for attribute in rdn:
            key = _DOTNET_NAMES.get(attribute.oid, f"OID.{attribute.oid.dotted_string}")
            value = attribute.value if isinstance(attribute.value, str) else attribute.value.hex()
            if any(char in value for char in ',+="\n<>#;'):
                escaped = value.replace('"', '""')
                value = f'"{escaped}"'
            parts.append(f"{key}={value}")
    return ", ".join(parts)


def _attribute(name, oid):
    values = name.get_attributes_for_oid(oid)
    return values[0].value.strip() if values and isinstance(values[0].value, str) else ""


def _extension(certificate, extension_type):
    try:
        return certificate.extensions.get_extension_for_class(extension_type).value
    except x509.ExtensionNotFound:
        return None
    except (ValueError, x509.DuplicateExtension):  # malformed: counts as absent, and is said
        return None


def public_key(certificate):
    """The certificate's public key, or None when cryptography cannot read it."""
    try:
        return certificate.public_key()
    except (ValueError, UnsupportedAlgorithm):
        return None


def key_algorithm(key):
    """The key's algorithm in words: "RSA", "DSA", "EC (secp256r1)", "Ed25519"..."""
    if key is None:
        return "unreadable or of an unsupported algorithm"
    if isinstance(key, ec.EllipticCurvePublicKey):
        return f"EC ({key.curve.name})"
    return next((name for kind, name in _KEY_NAMES if isinstance(key, kind)), type(key).__name__.lstrip("_"))


def _name(certificate, attribute):
    try:
        return getattr(certificate, attribute), None
    except ValueError:
        problem = Problem("DS305", f"The certificate's {attribute} name cannot be read: it is malformed.")
        return x509.Name([]), problem


def form_problems(certificate, key=None):
    """What makes a certificate unusable for MyInvois whoever holds it (DS305/DS316);
    ``key`` is its public key when the caller has read it already."""
    problems = []
    key = key or public_key(certificate)
    if not isinstance(key, rsa.RSAPublicKey):
        problems.append(Problem("DS316", f"The certificate's key is {key_algorithm(key)}; MyInvois wants RSA."))
    serial = certificate.serial_number
    if serial <= 0:
        problems.append(Problem("DS305", "The certificate's serial number is not positive, as RFC 5280 requires."))
    if abs(serial).bit_length() > xml_safety.MAX_SERIAL_BITS:
        problems.append(
            Problem(
                "DS305",
                f"The certificate's serial number has {xml_safety.serial_digits(serial)} digits; RFC 5280 "
                f"allows at most 20 octets ({xml_safety.MAX_SERIAL_DIGITS} digits).",
            )
        )
    try:
        len(certificate.extensions)  # parsed on first access
    except (ValueError, x509.DuplicateExtension) as error:
        problems.append(Problem("DS305", f"The certificate's extensions cannot be read: {error}."))
    return problems


def _utc(certificate, attribute):
    # cryptography >= 42 has *_utc; older versions return naive UTC datetimes.
    value = getattr(certificate, attribute + "_utc", None)
    if value is None:
        return getattr(certificate, attribute)
    return value.replace(tzinfo=None)


def describe(certificate, *, private_key=None, company_tin=None, company_brn=None, now=None):
    """Read the details of a certificate and list what LHDN would object to."""
    now = now or datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    key = public_key(certificate)
    form = form_problems(certificate, key)
    subject, subject_problem = _name(certificate, "subject")
    issuer, issuer_problem = _name(certificate, "issuer")
    form += [p for p in (subject_problem, issuer_problem) if p]
    tin = _attribute(subject, ORGANIZATION_IDENTIFIER)
    brn = _attribute(subject, NameOID.SERIAL_NUMBER)
    key_usage = _extension(certificate, x509.KeyUsage)
    extended = _extension(certificate, x509.ExtendedKeyUsage)
    key_usage_ok = bool(key_usage and key_usage.content_commitment)
    document_signing_ok = bool(extended and DOCUMENT_SIGNING in list(extended))
    is_rsa = isinstance(key, rsa.RSAPublicKey)
    not_before, not_after = _utc(certificate, "not_valid_before"), _utc(certificate, "not_valid_after")

    problems = []
    if not brn:
        problems.append(
            Problem(
                "DS306",
                "The certificate's subject has no serialNumber (the company's "
                "BRN): it is not an organisation certificate.",
            )
        )
    if not tin:
        problems.append(
            Problem(
                "DS307",
                "The certificate's subject has no organizationIdentifier (the "
                "company's TIN): it is not an organisation certificate.",
            )
        )
    if not key_usage_ok:
        problems.append(
            Problem("DS305", "The certificate is not allowed to sign documents: its key usage lacks Non-Repudiation.")
        )
    if not document_signing_ok:
        problems.append(
            Problem(
                "DS305",
                "The certificate is not allowed to sign documents: its extended "
                "key usage lacks Document Signing (1.3.6.1.4.1.311.10.3.12).",
            )
        )
    problems += form
    if (
        private_key is not None
        and is_rsa
        and (
            not isinstance(private_key, rsa.RSAPrivateKey)
            or private_key.public_key().public_numbers() != key.public_numbers()
        )
    ):
        problems.append(Problem("DS334", "The private key in the file does not belong to its certificate."))
    if now < not_before:
        problems.append(Problem("DS304", f"The certificate is not valid before {not_before:%Y-%m-%d %H:%M} UTC."))
    elif now > not_after:
        problems.append(
            Problem(
                "DS304",
                f"The certificate expired on {not_after:%Y-%m-%d}. Renew it with your CA and upload the new file.",
            )
        )
    elif now + datetime.timedelta(days=EXPIRY_WARNING_DAYS) > not_after:
        days = (not_after - now).days
        problems.append(
            Problem(
                "EXPIRING",
                f"The certificate expires on {not_after:%Y-%m-%d}, in {days} "
                "day(s). Renew it with your CA before then.",
                blocking=False,
            )
        )
    for code, label, ours, theirs in (("DS311", "TIN", tin, company_tin), ("DS312", "BRN", brn, company_brn)):
        if ours and theirs and ours.upper() != theirs.upper():
            problems.append(
                Problem(
                    code,
                    f"The certificate's {label} {ours} differs from the company's {label} "
                    f"{theirs}. This is only right when the certificate belongs to an "
                    "intermediary submitting on the company's behalf.",
                    blocking=False,
                )
            )

    der = certificate.public_bytes(serialization.Encoding.DER)
    return CertificateInfo(
        subject=issuer_name(subject),
        issuer=issuer_name(issuer),
        serial=xml_safety.serial_text(certificate.serial_number),
        not_before=not_before,
        not_after=not_after,
        tin=tin,
        brn=brn,
        organization=_attribute(subject, NameOID.ORGANIZATION_NAME),
        digest=base64.b64encode(hashlib.sha256(der).digest()).decode("ascii"),
        key_usage_ok=key_usage_ok,
        document_signing_ok=document_signing_ok,
        is_rsa=is_rsa,
        problems=tuple(problems),
        form_problems=tuple(form),
    )


def make_test_certificate(
    *,
    tin="C1234567890",
    brn="202001012345",
    organization="Contoh Sdn. Bhd.",
    password=b"secret",
    days=365,
    not_before=None,
    organisation=True,
    document_signing=True,
    key_size=2048,
):
    """A self-signed PKCS#12 shaped like an LHDN organisation certificate, for
    tests and the offline demo (LHDN itself rejects self-signed ones: DS329).
    Returns the PKCS#12 bytes."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "MY"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
        x509.NameAttribute(NameOID.COMMON_NAME, organization),
    ]
    if organisation:
        attributes += [x509.NameAttribute(ORGANIZATION_IDENTIFIER, tin), x509.NameAttribute(NameOID.SERIAL_NUMBER, brn)]
    subject = x509.Name(attributes)
    issuer = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "MY"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "LHDNM"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Test CA for l10n_my_einvoice"),
            x509.NameAttribute(NameOID.COMMON_NAME, "Test LHDNM Sub CA"),
        ]
    )
    start = not_before or (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=1))
    usages = [ExtendedKeyUsageOID.EMAIL_PROTECTION] + ([DOCUMENT_SIGNING] if document_signing else [])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=days))
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=True,
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
        .add_extension(x509.ExtendedKeyUsage(usages), critical=False)
        .sign(key, hashes.SHA256())
    )
    encryption = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    return pkcs12.serialize_key_and_certificates(b"myinvois", key, certificate, None, encryption)
