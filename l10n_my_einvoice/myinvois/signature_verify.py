"""Verify a signed MyInvois document as LHDN's signature validator does
(reference §7.6), as a list of DS3xx problems."""

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils
from lxml import etree

from . import certificate, xml_safety
from .certificate import Problem
from .signature_read import _read
from .signing_common import _TIME_FORMAT, _TIME_PATTERN, PROPS_ID, RSA_SHA256, SHA256, XADES_URN, _sha256_b64

# (value key, DS code when absent, element named in the message)
_REQUIRED = (
    ("doc_digest", "DS321", "SignedInfo/Reference[@URI='']/DigestValue (document digest)"),
    ("props_digest", "DS319", f"SignedInfo/Reference[@URI='#{PROPS_ID}']/DigestValue (signed properties digest)"),
    ("signature_value", "DS332", "SignatureValue"),
    ("certificate", "DS305", "KeyInfo/X509Data/X509Certificate"),
    ("signing_time", "DS303", "SignedProperties/SigningTime"),
    ("cert_digest", "DS317", "SigningCertificate/Cert/CertDigest/DigestValue"),
    ("issuer", "DS324", "IssuerSerial/X509IssuerName"),
    ("serial", "DS325", "IssuerSerial/X509SerialNumber"),
)
# (value key, expected, DS code, element named in the message)
_ALGORITHMS = (
    ("signature_method", RSA_SHA256, "DS316", "SignedInfo/SignatureMethod/@Algorithm"),
    ("doc_digest_method", SHA256, "DS314", "the document Reference's DigestMethod/@Algorithm"),
    ("props_digest_method", SHA256, "DS315", "the signed properties Reference's DigestMethod/@Algorithm"),
    ("cert_digest_method", SHA256, "DS313", "CertDigest/DigestMethod/@Algorithm"),
    ("ubl_signature_method", XADES_URN, "DS323", "cac:Signature/cbc:SignatureMethod"),
)


def _load_embedded(text):
    try:
        return x509.load_der_x509_certificate(xml_safety.b64decode(text) or b"")
    except (ValueError, TypeError):
        return None


def _signature_matches(cert, signature_text, digest_text):
    """True when SignatureValue is the certificate key's RSA-SHA256 signature of
    the stored document digest (LHDN signs the document digest, §7.3). Both must
    be canonical base64, so that every changed character is a changed value."""
    public_key = certificate.public_key(cert)
    signature, digest = xml_safety.b64decode(signature_text), xml_safety.b64decode(digest_text)
    if not isinstance(public_key, rsa.RSAPublicKey) or signature is None or digest is None:
        return False
    try:
        public_key.verify(signature, digest, padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def _shown(value):
    return "missing" if value is None else repr(value)


def _check_values(found):
    problems = [Problem(code, f"{label} is missing.") for key, code, label in _REQUIRED if not found.values.get(key)]
    problems += [
        Problem(code, f"{label} is {_shown(found.values.get(key))}; LHDN expects {expected!r}.")
        for key, expected, code, label in _ALGORITHMS
        if found.values.get(key) != expected
    ]
    return problems


def _check_digests(found):
    values, problems = found.values, []
    if values.get("doc_digest") and _sha256_b64(found.body) != values["doc_digest"]:
        problems.append(
            Problem(
                "DS322",
                "The document DigestValue (Reference URI='') does not match the "
                "document: its content changed after signing, or it was hashed "
                "differently (reference §7.4 steps 2-5).",
            )
        )
    if values.get("props_digest") and _sha256_b64(found.properties) != values["props_digest"]:
        problems.append(
            Problem(
                "DS320",
                f"The signed properties DigestValue (Reference URI='#{PROPS_ID}') "
                "does not match xades:SignedProperties: its SigningTime or "
                "certificate details changed after signing, or it was serialised "
                "differently (reference §7.4 step 9).",
            )
        )
    return problems


def _check_certificate(found, cert):
    values, problems = found.values, []
    info = certificate.describe(cert)
    problems += info.form_problems  # a DSA key, a 5,000-digit serial...
    if values.get("cert_digest") and info.digest != values["cert_digest"]:
        problems.append(
            Problem("DS318", "CertDigest/DigestValue does not match the SHA-256 of the embedded X509Certificate.")
        )
    if (
        info.is_rsa  # otherwise DS316 above says why no signature can hold
        and values.get("signature_value")
        and values.get("doc_digest")
        and not _signature_matches(cert, values["signature_value"], values["doc_digest"])
    ):
        problems.append(
            Problem(
                "DS333",
                "SignatureValue is not a valid RSA-SHA256 signature of the document "
                "digest by the embedded certificate's key.",
            )
        )
    if values.get("issuer") and values["issuer"] != info.issuer:
        problems.append(
            Problem(
                "DS326",
                f"X509IssuerName {values['issuer']!r} differs from the embedded certificate's issuer {info.issuer!r}.",
            )
        )
    serial = values.get("serial")
    if serial and xml_safety.serial_problem(serial):
        problems.append(Problem("DS327", xml_safety.serial_problem(serial)))
    elif serial and int(serial.lstrip("0") or "0") != cert.serial_number:  # int() refuses 4,300+ characters
        problems.append(
            Problem("DS328", f"X509SerialNumber {serial} differs from the embedded certificate's serial {info.serial}.")
        )
    problems += _check_signing_time(values.get("signing_time"), info)
    return problems


def _check_signing_time(text, info):
    if not text:
        return []
    when = xml_safety.utc_timestamp(text, _TIME_FORMAT) if _TIME_PATTERN.match(text) else None
    if when is None:  # another form, or a time that does not exist (2026-02-30)
        return [
            Problem("DS336", f"xades:SigningTime {text!r} is not a real UTC time of the form YYYY-MM-DDThh:mm:ssZ.")
        ]
    if not info.not_before <= when <= info.not_after:
        return [
            Problem(
                "DS304",
                f"SigningTime {text} is outside the embedded certificate's validity "
                f"({info.not_before:%Y-%m-%d %H:%M:%S} to {info.not_after:%Y-%m-%d %H:%M:%S} UTC).",
            )
        ]
    return []


def _verify_found(found):
    if found.count == 0:
        return [Problem("DS301", "The document has no signature (no ds:Signature in UBLExtensions).")]
    if found.count > 1:
        return [Problem("DS302", f"The document has {found.count} ds:Signature elements; LHDN expects exactly one.")]
    problems = _check_values(found) + _check_digests(found)
    cert = _load_embedded(found.values["certificate"]) if found.values.get("certificate") else None
    if found.values.get("certificate") and cert is None:
        problems.append(Problem("DS305", "KeyInfo/X509Data/X509Certificate is not a readable X.509 certificate."))
    if cert is not None:
        problems += _check_certificate(found, cert)
    return problems


def _parse_problem(error):
    return Problem("DS300", f"The document cannot be parsed: {error}")


# Whatever reading bad input may raise: XMLInputError, JSON errors and binascii.Error
# are ValueErrors; JSON nested thousands deep is a RecursionError.
_UNREADABLE = (ValueError, RecursionError, etree.LxmlError)


def verify(data):
    """Check a signed XML or JSON document as LHDN's signature validator does
    (§7.6). Returns a list of Problem(code, message); empty = the signature holds.

    The document digest is recomputed with whitespace-only text nodes dropped,
    so a document pretty-printed after signing still verifies; any change to a
    name or value gives DS322. DS333 checks SignatureValue against the stored
    digest, so a content change alone gives DS322 without DS333."""
    try:
        found = _read(data)
    except _UNREADABLE as error:
        return [_parse_problem(error)]
    return _verify_found(found)


def verify_signature_value(data):
    """True when the SignatureValue is a valid RSA-SHA256 signature, by the
    embedded certificate, of the stored document DigestValue — whatever the
    document's current bytes are. Tells "changed after signing" (DS322 only)
    apart from "not signed by this certificate" (DS333)."""
    try:
        found = _read(data)
    except _UNREADABLE:
        return False
    values = found.values
    cert = _load_embedded(values["certificate"]) if found.count == 1 and values.get("certificate") else None
    return bool(
        cert
        and values.get("signature_value")
        and values.get("doc_digest")
        and _signature_matches(cert, values["signature_value"], values["doc_digest"])
    )
