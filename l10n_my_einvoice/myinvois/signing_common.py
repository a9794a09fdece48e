"""What the v1.1 signature's parts share (reference §7.2): the fixed values,
the namespaces, the signing time, and the checks and values of the signer's
certificate. The XML and JSON signers and the verifier build on it."""

import base64
import datetime
import hashlib
import re
import weakref

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, utils

from . import certificate, ubl
from .document import SELF_BILLED_TYPES

NS = {
    **ubl.NS,
    "ext": "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2",
    "sig": "urn:oasis:names:specification:ubl:schema:xsd:CommonSignatureComponents-2",
    "sac": "urn:oasis:names:specification:ubl:schema:xsd:SignatureAggregateComponents-2",
    "sbc": "urn:oasis:names:specification:ubl:schema:xsd:SignatureBasicComponents-2",
    "ds": "http://www.w3.org/2000/09/xmldsig#",
    "xades": "http://uri.etsi.org/01903/v1.3.2#",
}

# Fixed values of reference §7.2.
XADES_URN = ubl.SIGNATURE_METHOD
UBL_SIGNATURE_ID = ubl.SIGNATURE_ID
SIGNATURE_INFO_ID = "urn:oasis:names:specification:ubl:signature:1"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
# Informational only (§7.3): the digest really uses inclusive C14N, which for
# these documents gives the same bytes as C14N 1.1, so name that one.
C14N11 = "http://www.w3.org/2006/12/xml-c14n11"
XPATH_TRANSFORM = "http://www.w3.org/TR/1999/REC-xpath-19991116"
PROPS_TYPE = "http://uri.etsi.org/01903/v1.3.2#SignedProperties"
PROPS_ID = "id-xades-signed-props"

# §7.4 step 9, verbatim: what LHDN hashes for the XML SignedProperties.
SIGNED_PROPERTIES_TEMPLATE = (
    '<xades:SignedProperties Id="id-xades-signed-props" xmlns:xades="http://uri.etsi.org/01903/v1.3.2#">'
    "<xades:SignedSignatureProperties><xades:SigningTime>{signing_time}</xades:SigningTime>"
    "<xades:SigningCertificate><xades:Cert><xades:CertDigest>"
    '<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256" '
    'xmlns:ds="http://www.w3.org/2000/09/xmldsig#" />'
    '<ds:DigestValue xmlns:ds="http://www.w3.org/2000/09/xmldsig#">{cert_digest}</ds:DigestValue>'
    "</xades:CertDigest><xades:IssuerSerial>"
    '<ds:X509IssuerName xmlns:ds="http://www.w3.org/2000/09/xmldsig#">{issuer}</ds:X509IssuerName>'
    '<ds:X509SerialNumber xmlns:ds="http://www.w3.org/2000/09/xmldsig#">{serial}</ds:X509SerialNumber>'
    "</xades:IssuerSerial></xades:Cert></xades:SigningCertificate></xades:SignedSignatureProperties>"
    "</xades:SignedProperties>"
)

# UBL 2.1 Invoice children that come before cac:Signature (UBL-Invoice-2.1.xsd).
_BEFORE_SIGNATURE = frozenset(
    "UBLExtensions UBLVersionID CustomizationID ProfileID ProfileExecutionID ID CopyIndicator UUID "
    "IssueDate IssueTime DueDate InvoiceTypeCode Note TaxPointDate DocumentCurrencyCode TaxCurrencyCode "
    "PricingCurrencyCode PaymentCurrencyCode PaymentAlternativeCurrencyCode AccountingCostCode "
    "AccountingCost LineCountNumeric BuyerReference InvoicePeriod OrderReference BillingReference "
    "DespatchDocumentReference ReceiptDocumentReference StatementDocumentReference "
    "OriginatorDocumentReference ContractDocumentReference AdditionalDocumentReference "
    "ProjectReference".split()
)
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_TIME_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z\Z")


class SigningError(ValueError):
    """The document cannot be signed; the message says why, without secrets."""


def _sha256_b64(data):
    return base64.b64encode(hashlib.sha256(data).digest()).decode("ascii")


def _signing_time(value):
    """(text, naive UTC datetime) for a datetime, a ready string or None (= now)."""
    if isinstance(value, str):
        if not _TIME_PATTERN.match(value):
            raise SigningError(f"Signing time {value!r} is not in the form YYYY-MM-DDThh:mm:ssZ.")
        value = datetime.datetime.strptime(value, _TIME_FORMAT)
    value = value or datetime.datetime.now(datetime.timezone.utc)
    if value.tzinfo is not None:  # LHDN wants UTC with no offset (DS336 otherwise)
        value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    value = value.replace(microsecond=0)
    return value.strftime(_TIME_FORMAT), value


def _issuer_party(type_code):
    # Self-billed documents (11-14) are issued by the buyer (reference §9.2).
    return "AccountingCustomerParty" if type_code in SELF_BILLED_TYPES else "AccountingSupplierParty"


# The description of the last certificate that signed, with its DER: describing a
# certificate costs more than canonicalising a document, and a batch signs many
# documents with one certificate. A weak reference, so no key outlives its caller.
_last_signer = [None, None]


def _signer_info(loaded):
    """``certificate.describe`` of the signing certificate, made at its not-before
    time: within the validity period, the errors are those of any other time."""
    ref, info = _last_signer
    if ref is not None and ref() is loaded:
        return info
    info = certificate.describe(loaded.certificate, private_key=loaded.private_key)
    info = certificate.describe(loaded.certificate, private_key=loaded.private_key, now=info.not_before)
    der = loaded.certificate.public_bytes(serialization.Encoding.DER)
    info = (info, base64.b64encode(der).decode("ascii"))
    try:
        ref = weakref.ref(loaded)
    except TypeError:  # not weak-referenceable: described at every signature
        return info
    _last_signer[:] = [ref, info]
    return info


def _check_signer(loaded, when, issuer_tin, party, intermediary):
    """Refuse a certificate LHDN would reject, or one of another taxpayer."""
    info = _signer_info(loaded)[0]
    if not info.not_before <= when <= info.not_after:  # the errors name the time
        info = certificate.describe(loaded.certificate, private_key=loaded.private_key, now=when)
    if info.errors:
        reasons = "; ".join(f"{p.code}: {p.message}" for p in info.errors)
        raise SigningError(f"The certificate (TIN {info.tin or 'none'}) cannot sign this document: {reasons}")
    if intermediary:
        return info  # an intermediary signs with its own TIN (reference §7.1)
    if not issuer_tin:
        raise SigningError(f"The document has no TIN for its issuer ({party}); the certificate's TIN is {info.tin}.")
    if issuer_tin.strip().upper() != info.tin.strip().upper():
        raise SigningError(
            f"The document's issuer TIN {issuer_tin} ({party}) differs from the certificate's TIN {info.tin} "
            "(organizationIdentifier). LHDN would reject the signature (DS311). Sign with the issuer's own "
            "certificate, or pass intermediary=True if this certificate belongs to an intermediary "
            "authorised to submit for that TIN."
        )
    return info


def _document_signature(private_key, body):
    """The ``doc_digest`` and ``signature_value`` (base64) of the canonical ``body``:
    the RSA-SHA256 PKCS#1 v1.5 signature is made over the document's own SHA-256,
    hashed once for both (§7.4 steps 5-6)."""
    digest = hashlib.sha256(body).digest()
    signature = private_key.sign(digest, padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))
    return {
        "doc_digest": base64.b64encode(digest).decode("ascii"),
        "signature_value": base64.b64encode(signature).decode("ascii"),
    }


def _certificate_values(loaded, info):
    """What the signature carries about the certificate; ``info`` is the description
    _check_signer made (cached per certificate, with its DER)."""
    return {
        "certificate": _signer_info(loaded)[1],
        "cert_digest": info.digest,
        "issuer": info.issuer,
        "serial": info.serial,
        "subject": info.subject,
    }
