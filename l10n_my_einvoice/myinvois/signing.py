"""Sign and verify MyInvois documents (XML and JSON, v1.1 signature).

LHDN's scheme borrows XAdES names but is not standard XMLDSig (reference §7.3):
the RSA-SHA256 ``SignatureValue`` is computed over the canonical *document*
bytes (whose SHA-256 is the document ``DigestValue``), not over ``SignedInfo``.
Standard libraries (xmlsec, signxml) can neither make nor check it, so the
structure is built by hand here with lxml and cryptography only.

* XML document digest: inclusive C14N of the invoice without ``UBLExtensions``
  and ``cac:Signature``, with whitespace-only text nodes dropped (§7.4 steps 2-5).
* XML SignedProperties digest: SHA-256 of the element serialised the way .NET's
  ``OuterXml`` writes it when taken out of the document (§7.4 step 9).
* JSON: SHA-256 of the minified invoice without the two signature keys, and of
  the minified ``QualifyingProperties`` object (§7.5).

Nothing secret (private key, password) ever reaches a message.
"""

import base64
import copy
import datetime
import hashlib
import json
import re
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils
from lxml import etree

from . import certificate, ubl, xml_safety
from .certificate import Problem
from .document import SELF_BILLED_TYPES

__all__ = [
    "Problem",
    "SigningError",
    "sign_xml",
    "sign_json",
    "verify",
    "verify_signature_value",
    "diagnose",
    "document_digest",
    "signed_properties_xml",
]

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


# --------------------------------------------------------------------------- helpers


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


def _check_signer(loaded, when, issuer_tin, party, intermediary):
    """Refuse a certificate LHDN would reject, or one of another taxpayer."""
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


def _rsa_sign(private_key, data):
    return base64.b64encode(private_key.sign(data, padding.PKCS1v15(), hashes.SHA256())).decode("ascii")


def _certificate_values(loaded, info):
    """What the signature carries about the certificate; ``info`` is the description
    _check_signer already made, so the certificate is parsed once per signature."""
    der = loaded.certificate.public_bytes(serialization.Encoding.DER)
    return {
        "certificate": base64.b64encode(der).decode("ascii"),
        "cert_digest": info.digest,
        "issuer": info.issuer,
        "serial": info.serial,
        "subject": info.subject,
    }


# --------------------------------------------------------------------------- XML: digests


def _parse_xml(data):
    return xml_safety.parse(data)  # XMLInputError (a ValueError) naming where it fails


def _strip_whitespace(root):
    """Drop whitespace-only text nodes, between elements and inside empty leaves
    (§7.4 step 3): the platform compares names and values only."""
    for node in root.iter():
        if node.text is not None and not node.text.strip() and not isinstance(node, etree._Comment):
            node.text = None
        if node.tail is not None and not node.tail.strip():
            node.tail = None


def _document_body(root):
    """The canonical bytes LHDN hashes and signs: the invoice without its
    signature parts (the two XPath transforms), whitespace stripped, inclusive C14N."""
    body = copy.deepcopy(root)
    for node in body.xpath("//ext:UBLExtensions | //cac:Signature", namespaces=NS):
        node.getparent().remove(node)
    _strip_whitespace(body)
    try:
        return etree.tostring(body, method="c14n", exclusive=False, with_comments=False)
    except etree.C14NError as error:  # e.g. a relative namespace URI
        raise xml_safety.XMLInputError(
            "/", f"the document (without ext:UBLExtensions) cannot be canonicalised: {error}"
        ) from None


def document_digest(data):
    """base64 SHA-256 of the canonical body of an XML document (the DocDigest)."""
    return _sha256_b64(_document_body(_parse_xml(data)))


def _escape(text, quote=False):
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;") if quote else text


def _qualified(node, name, prefix=None):
    """(prefixed name, (prefix, namespace) or None) of a tag or attribute name."""
    qname = etree.QName(name)
    if qname.namespace is None:
        return qname.localname, None
    if prefix is None:  # attributes: any prefix the document bound to that namespace
        prefix = next((p for p, uri in node.nsmap.items() if uri == qname.namespace and p), None)
    return (f"{prefix}:{qname.localname}" if prefix else qname.localname), (prefix, qname.namespace)


def signed_properties_xml(element, short_empty=True):
    """The element as .NET's OuterXml writes it out of context (§7.4 step 9):
    attributes first, then each namespace declaration the element needs that
    is not already declared inside the output; empty elements as ``<x />``
    (or ``<x></x>`` when the document wrote them so, ``short_empty=False``)."""

    def write(node, scope):
        name, own = _qualified(node, node.tag, node.prefix or "")
        parts, needed = [name], [own or (None, None)]
        for key, value in node.attrib.items():
            attr_name, attr_ns = _qualified(node, key)
            parts.append(f'{attr_name}="{_escape(value, quote=True)}"')
            needed.append(attr_ns or (None, None))
        scope = dict(scope)
        for prefix, uri in needed:
            if uri and scope.get(prefix) != uri:
                parts.append(f'xmlns:{prefix}="{uri}"' if prefix else f'xmlns="{uri}"')
                scope[prefix] = uri
        children = [child for child in node if isinstance(child.tag, str)]
        text = node.text if node.text and node.text.strip() else ""
        if not children and not text:
            return f"<{' '.join(parts)} />" if short_empty else f"<{' '.join(parts)}></{name}>"
        inner = _escape(text) + "".join(
            write(child, scope) + (_escape(child.tail) if child.tail and child.tail.strip() else "")
            for child in children
        )
        return f"<{' '.join(parts)}>{inner}</{name}>"

    return write(element, {})


# --------------------------------------------------------------------------- XML: signing


def _find_tin(root, party):
    value = root.findtext(f"cac:{party}/cac:Party/cac:PartyIdentification/cbc:ID[@schemeID='TIN']", namespaces=NS)
    return (value or "").strip()


def _place_ubl_signature(root):
    """One cac:Signature, in its UBL 2.1 position (after the references, before
    the supplier). A leftover one is replaced: it is outside the digest anyway."""
    for old in root.findall("cac:Signature", NS):
        root.remove(old)
    position = 0
    for index, child in enumerate(root):
        if isinstance(child.tag, str) and etree.QName(child).localname in _BEFORE_SIGNATURE:
            position = index + 1
    node = etree.Element(f"{{{NS['cac']}}}Signature")
    etree.SubElement(node, f"{{{NS['cbc']}}}ID").text = UBL_SIGNATURE_ID
    etree.SubElement(node, f"{{{NS['cbc']}}}SignatureMethod").text = XADES_URN
    root.insert(position, node)


def _sub(parent, prefix, name, text=None, nsmap=None, **attributes):
    node = etree.SubElement(parent, f"{{{NS[prefix]}}}{name}", nsmap=nsmap)
    for key, value in attributes.items():
        node.set(key, value)
    if text is not None:
        node.text = text
    return node


def _build_extensions(values):
    """The ext:UBLExtensions block of §5.12. The extension namespace is declared
    on the block itself (as in LHDN's samples) so the root's declarations, which
    inclusive C14N keeps, are the same before and after signing (§7.4 step 1)."""
    extensions = etree.Element(f"{{{NS['ext']}}}UBLExtensions", nsmap={None: NS["ext"]})
    extension = _sub(extensions, "ext", "UBLExtension")
    _sub(extension, "ext", "ExtensionURI", XADES_URN)
    content = _sub(extension, "ext", "ExtensionContent")
    signatures = _sub(content, "sig", "UBLDocumentSignatures", nsmap={p: NS[p] for p in ("sig", "sac", "sbc")})
    information = _sub(signatures, "sac", "SignatureInformation")
    _sub(information, "cbc", "ID", SIGNATURE_INFO_ID)
    _sub(information, "sbc", "ReferencedSignatureID", UBL_SIGNATURE_ID)
    signature = _sub(information, "ds", "Signature", nsmap={"ds": NS["ds"]}, Id="signature")
    signed_info = _sub(signature, "ds", "SignedInfo")
    _sub(signed_info, "ds", "CanonicalizationMethod", Algorithm=C14N11)
    _sub(signed_info, "ds", "SignatureMethod", Algorithm=RSA_SHA256)
    reference = _sub(signed_info, "ds", "Reference", Id="id-doc-signed-data", URI="")
    transforms = _sub(reference, "ds", "Transforms")
    for removed in ("ext:UBLExtensions", "cac:Signature"):
        transform = _sub(transforms, "ds", "Transform", Algorithm=XPATH_TRANSFORM)
        _sub(transform, "ds", "XPath", f"not(//ancestor-or-self::{removed})")
    _sub(transforms, "ds", "Transform", Algorithm=C14N11)
    _sub(reference, "ds", "DigestMethod", Algorithm=SHA256)
    _sub(reference, "ds", "DigestValue", values["doc_digest"])
    reference = _sub(signed_info, "ds", "Reference", Type=PROPS_TYPE, URI="#" + PROPS_ID)
    _sub(reference, "ds", "DigestMethod", Algorithm=SHA256)
    _sub(reference, "ds", "DigestValue", values["props_digest"])
    _sub(signature, "ds", "SignatureValue", values["signature_value"])
    key_info = _sub(signature, "ds", "KeyInfo")
    _sub(_sub(key_info, "ds", "X509Data"), "ds", "X509Certificate", values["certificate"])
    qualifying = _sub(
        _sub(signature, "ds", "Object"),
        "xades",
        "QualifyingProperties",
        nsmap={"xades": NS["xades"]},
        Target="signature",
    )
    properties = _sub(_sub(qualifying, "xades", "SignedProperties", Id=PROPS_ID), "xades", "SignedSignatureProperties")
    _sub(properties, "xades", "SigningTime", values["signing_time"])
    cert = _sub(_sub(properties, "xades", "SigningCertificate"), "xades", "Cert")
    digest = _sub(cert, "xades", "CertDigest")
    _sub(digest, "ds", "DigestMethod", Algorithm=SHA256)
    _sub(digest, "ds", "DigestValue", values["cert_digest"])
    issuer_serial = _sub(cert, "xades", "IssuerSerial")
    _sub(issuer_serial, "ds", "X509IssuerName", values["issuer"])
    _sub(issuer_serial, "ds", "X509SerialNumber", values["serial"])
    return extensions


def _props_digest_xml(values):
    text = SIGNED_PROPERTIES_TEMPLATE.format(
        signing_time=values["signing_time"],
        cert_digest=values["cert_digest"],
        issuer=_escape(values["issuer"]),
        serial=values["serial"],
    )
    return _sha256_b64(text.encode("utf-8"))


def sign_xml(xml_bytes, loaded_certificate, signing_time=None, intermediary=False):
    """Sign an unsigned MyInvois UBL Invoice XML; returns the minified UTF-8
    bytes to submit (no XML declaration, no pretty printing).

    ``loaded_certificate`` is a ``certificate.LoadedCertificate``; ``signing_time``
    a datetime (naive = UTC), a ``YYYY-MM-DDThh:mm:ssZ`` string, or None for now.
    Raises SigningError for an unusable certificate or one whose TIN is not the
    issuer's (unless ``intermediary=True``)."""
    try:
        root = _parse_xml(xml_bytes)
    except xml_safety.XMLInputError as error:
        raise SigningError(f"The document cannot be read: {error}") from None
    if root.tag != f"{{{NS['inv']}}}Invoice":
        raise SigningError("The root element must be the UBL 2.1 Invoice (every MyInvois type uses it).")
    if root.find("ext:UBLExtensions", NS) is not None:
        raise SigningError(
            "The document already has ext:UBLExtensions (is it signed already?). Sign the unsigned document."
        )
    time_text, when = _signing_time(signing_time)
    party = _issuer_party((root.findtext("cbc:InvoiceTypeCode", namespaces=NS) or "").strip())
    info = _check_signer(loaded_certificate, when, _find_tin(root, party), party, intermediary)

    _strip_whitespace(root)  # what we submit is exactly what we hash: minified
    _place_ubl_signature(root)
    body = _document_body(root)
    values = dict(
        _certificate_values(loaded_certificate, info),
        signing_time=time_text,
        doc_digest=_sha256_b64(body),
        signature_value=_rsa_sign(loaded_certificate.private_key, body),
    )
    values["props_digest"] = _props_digest_xml(values)
    root.insert(0, _build_extensions(values))
    return etree.tostring(root, encoding="utf-8", xml_declaration=False)


# --------------------------------------------------------------------------- JSON


class _Number(str):
    """A JSON number kept as written: the digest covers its lexeme, and a float
    round trip could change it (1436.50 -> 1436.5, 1e2 -> 100.0)."""


def _load_json(data):
    return json.loads(data, parse_float=_Number, parse_int=_Number)


def _dump_json(value):
    """Minified JSON, key order kept, UTF-8 strings unescaped (§7.5 step 2)."""
    if isinstance(value, dict):
        return "{" + ",".join(_dump_json(str(k)) + ":" + _dump_json(v) for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_dump_json(v) for v in value) + "]"
    if isinstance(value, _Number):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _at(value, *path):
    """Walk dicts and lists; None when any step is missing."""
    for step in path:
        if isinstance(step, int):
            value = value[step] if isinstance(value, list) and len(value) > step else None
        else:
            value = value.get(step) if isinstance(value, dict) else None
        if value is None:
            return None
    return value


def _text(value, *path):
    found = _at(value, *path, 0, "_")
    return None if found is None else str(found)


def _json_invoice(document):
    invoice = _at(document, "Invoice", 0)
    return invoice if isinstance(invoice, dict) else None


def _json_tin(invoice, party):
    for identification in _at(invoice, party, 0, "Party", 0, "PartyIdentification") or []:
        if _at(identification, "ID", 0, "schemeID") == "TIN":
            return (_text(identification, "ID") or "").strip()
    return ""


def _json_body(document):
    """The minified document without the invoice's UBLExtensions and Signature
    keys: what the validator re-serialises and hashes (§7.5)."""
    stripped = dict(document)
    stripped["Invoice"] = [
        {k: v for k, v in _json_invoice(document).items() if k not in ("UBLExtensions", "Signature")}
    ] + document["Invoice"][1:]
    return _dump_json(stripped).encode("utf-8")


def _json_qualifying(values):
    return {
        "Target": "signature",
        "SignedProperties": [
            {
                "Id": PROPS_ID,
                "SignedSignatureProperties": [
                    {
                        "SigningTime": [{"_": values["signing_time"]}],
                        "SigningCertificate": [
                            {
                                "Cert": [
                                    {
                                        "CertDigest": [
                                            {
                                                "DigestMethod": [{"_": "", "Algorithm": SHA256}],
                                                "DigestValue": [{"_": values["cert_digest"]}],
                                            }
                                        ],
                                        "IssuerSerial": [
                                            {
                                                "X509IssuerName": [{"_": values["issuer"]}],
                                                "X509SerialNumber": [{"_": values["serial"]}],
                                            }
                                        ],
                                    }
                                ]
                            }
                        ],
                    }
                ],
            }
        ],
    }


def _json_extensions(values, qualifying):
    digest_method = [{"_": "", "Algorithm": SHA256}]
    signature = {
        "Id": "signature",
        "Object": [{"QualifyingProperties": [qualifying]}],
        "KeyInfo": [
            {
                "X509Data": [
                    {
                        "X509Certificate": [{"_": values["certificate"]}],
                        "X509SubjectName": [{"_": values["subject"]}],
                        "X509IssuerSerial": [
                            {"X509IssuerName": [{"_": values["issuer"]}], "X509SerialNumber": [{"_": values["serial"]}]}
                        ],
                    }
                ]
            }
        ],
        "SignatureValue": [{"_": values["signature_value"]}],
        "SignedInfo": [
            {
                "SignatureMethod": [{"_": "", "Algorithm": RSA_SHA256}],
                "Reference": [
                    {
                        "Type": PROPS_TYPE,
                        "URI": "#" + PROPS_ID,
                        "DigestMethod": digest_method,
                        "DigestValue": [{"_": values["props_digest"]}],
                    },
                    {
                        "Type": "",
                        "URI": "",
                        "DigestMethod": digest_method,
                        "DigestValue": [{"_": values["doc_digest"]}],
                    },
                ],
            }
        ],
    }
    return [
        {
            "UBLExtension": [
                {
                    "ExtensionURI": [{"_": XADES_URN}],
                    "ExtensionContent": [
                        {
                            "UBLDocumentSignatures": [
                                {
                                    "SignatureInformation": [
                                        {
                                            "ID": [{"_": SIGNATURE_INFO_ID}],
                                            "ReferencedSignatureID": [{"_": UBL_SIGNATURE_ID}],
                                            "Signature": [signature],
                                        }
                                    ]
                                }
                            ]
                        }
                    ],
                }
            ]
        }
    ]


def sign_json(json_bytes, loaded_certificate, signing_time=None, intermediary=False):
    """Sign an unsigned MyInvois UBL JSON invoice (§7.5); returns minified UTF-8
    bytes with ``UBLExtensions`` and ``Signature`` as the invoice's last keys.
    Numbers keep the lexemes they were given. Same refusals as sign_xml."""
    try:
        document = _load_json(json_bytes)
    except ValueError as error:
        raise SigningError(f"The document is not valid JSON: {error}") from None
    invoice = _json_invoice(document) if isinstance(document, dict) else None
    if invoice is None or len(document["Invoice"]) != 1:
        raise SigningError('The JSON must hold exactly one invoice object under "Invoice".')
    if "UBLExtensions" in invoice:
        raise SigningError("The invoice already has UBLExtensions (is it signed already?). Sign the unsigned document.")
    time_text, when = _signing_time(signing_time)
    party = _issuer_party((_text(invoice, "InvoiceTypeCode") or "").strip())
    info = _check_signer(loaded_certificate, when, _json_tin(invoice, party), party, intermediary)

    invoice.pop("Signature", None)  # re-added last, so stripping both restores the body
    body = _json_body(document)
    values = dict(
        _certificate_values(loaded_certificate, info),
        signing_time=time_text,
        doc_digest=_sha256_b64(body),
        signature_value=_rsa_sign(loaded_certificate.private_key, body),
    )
    qualifying = _json_qualifying(values)
    values["props_digest"] = _sha256_b64(_dump_json(qualifying).encode("utf-8"))
    invoice["UBLExtensions"] = _json_extensions(values, qualifying)
    invoice["Signature"] = [{"ID": [{"_": UBL_SIGNATURE_ID}], "SignatureMethod": [{"_": XADES_URN}]}]
    return _dump_json(document).encode("utf-8")


# --------------------------------------------------------------------------- reading signed documents


@dataclass
class _Signed:
    """What verification needs, read from an XML or JSON document."""

    count: int = 0  # signatures found
    body: bytes = b""  # bytes whose SHA-256 must be the document digest
    properties: bytes = b""  # bytes whose SHA-256 must be the SignedProperties digest
    values: dict = field(default_factory=dict)  # text values, None when absent
    issuer_tin: str = ""
    kind: str = "XML"


def _read_xml(data):
    root = _parse_xml(data)
    party = _issuer_party((root.findtext("cbc:InvoiceTypeCode", namespaces=NS) or "").strip())
    found = _Signed(issuer_tin=_find_tin(root, party), kind="XML")
    signatures = root.xpath("ext:UBLExtensions//ds:Signature", namespaces=NS)
    found.count = len(signatures)
    if found.count != 1:
        return found
    signature = signatures[0]

    def text(path, node=signature):
        value = node.findtext(path, namespaces=NS) if node is not None else None
        return value.strip() if value is not None and value.strip() else None

    def attr(path, name, node=signature):
        found_node = node.find(path, NS) if node is not None else None
        return found_node.get(name) if found_node is not None else None

    doc_ref = "ds:SignedInfo/ds:Reference[@URI='']"
    props_ref = f"ds:SignedInfo/ds:Reference[@URI='#{PROPS_ID}']"
    props = signature.find(f"ds:Object/xades:QualifyingProperties/xades:SignedProperties[@Id='{PROPS_ID}']", NS)
    cert_path = "xades:SignedSignatureProperties/xades:SigningCertificate/xades:Cert/"
    found.values = {
        "doc_digest": text(doc_ref + "/ds:DigestValue"),
        "props_digest": text(props_ref + "/ds:DigestValue"),
        "signature_value": text("ds:SignatureValue"),
        "certificate": text("ds:KeyInfo/ds:X509Data/ds:X509Certificate"),
        "signing_time": text("xades:SignedSignatureProperties/xades:SigningTime", props),
        "cert_digest": text(cert_path + "xades:CertDigest/ds:DigestValue", props),
        "issuer": text(cert_path + "xades:IssuerSerial/ds:X509IssuerName", props),
        "serial": text(cert_path + "xades:IssuerSerial/ds:X509SerialNumber", props),
        "signature_method": attr("ds:SignedInfo/ds:SignatureMethod", "Algorithm"),
        "doc_digest_method": attr(doc_ref + "/ds:DigestMethod", "Algorithm"),
        "props_digest_method": attr(props_ref + "/ds:DigestMethod", "Algorithm"),
        "cert_digest_method": attr(cert_path + "xades:CertDigest/ds:DigestMethod", "Algorithm", props),
        "ubl_signature_method": text("cac:Signature/cbc:SignatureMethod", root),
    }
    found.body = _document_body(root)
    if props is not None:
        # .NET keeps <x></x> and <x/> apart; lxml does not, so look at the bytes.
        long_form = re.search(rb"CertDigest>\s*<(?:[\w.-]+:)?DigestMethod\b[^>]*[^/]>", data)
        found.properties = signed_properties_xml(props, short_empty=not long_form).encode("utf-8")
    return found


def _read_json(data):
    document = _load_json(data)
    invoice = _json_invoice(document) if isinstance(document, dict) else None
    if invoice is None:
        raise ValueError('no invoice object under "Invoice"')
    party = _issuer_party((_text(invoice, "InvoiceTypeCode") or "").strip())
    found = _Signed(issuer_tin=_json_tin(invoice, party), kind="JSON")
    signatures = [
        signature
        for extension in _at(invoice, "UBLExtensions", 0, "UBLExtension") or []
        for information in _at(extension, "ExtensionContent", 0, "UBLDocumentSignatures", 0, "SignatureInformation")
        or []
        for signature in _at(information, "Signature") or []
    ]
    found.count = len(signatures)
    if found.count != 1:
        return found
    signature = signatures[0]
    references = _at(signature, "SignedInfo", 0, "Reference") or []
    doc_ref = next((r for r in references if _at(r, "URI") == ""), {})
    props_ref = next((r for r in references if _at(r, "URI") == "#" + PROPS_ID), {})
    qualifying = _at(signature, "Object", 0, "QualifyingProperties", 0) or {}
    properties = _at(qualifying, "SignedProperties", 0, "SignedSignatureProperties", 0)
    cert = _at(properties, "SigningCertificate", 0, "Cert", 0)
    found.values = {
        "doc_digest": _text(doc_ref, "DigestValue"),
        "props_digest": _text(props_ref, "DigestValue"),
        "signature_value": _text(signature, "SignatureValue"),
        "certificate": _text(signature, "KeyInfo", 0, "X509Data", 0, "X509Certificate"),
        "signing_time": _text(properties, "SigningTime"),
        "cert_digest": _text(cert, "CertDigest", 0, "DigestValue"),
        "issuer": _text(cert, "IssuerSerial", 0, "X509IssuerName"),
        "serial": _text(cert, "IssuerSerial", 0, "X509SerialNumber"),
        "signature_method": _at(signature, "SignedInfo", 0, "SignatureMethod", 0, "Algorithm"),
        "doc_digest_method": _at(doc_ref, "DigestMethod", 0, "Algorithm"),
        "props_digest_method": _at(props_ref, "DigestMethod", 0, "Algorithm"),
        "cert_digest_method": _at(cert, "CertDigest", 0, "DigestMethod", 0, "Algorithm"),
        "ubl_signature_method": _text(invoice, "Signature", 0, "SignatureMethod"),
    }
    found.values = {k: (v.strip() or None) if isinstance(v, str) else v for k, v in found.values.items()}
    found.body = _json_body(document)
    # JSON: the digest covers the whole QualifyingProperties object (§7.3).
    found.properties = _dump_json(qualifying).encode("utf-8")
    return found


def _read(data):
    """Parse XML or JSON, told apart by the first non-space byte."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    start = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return _read_json(data) if start in (b"{", b"[") else _read_xml(data)


# --------------------------------------------------------------------------- verification

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


def diagnose(loaded_certificate=None, signed=None, company_tin=None, company_brn=None):
    """Everything LHDN would object to, as DS codes: the certificate's problems
    (certificate.py), then the signed document's (verify), plus DS311 when the
    document's issuer TIN is not the signing certificate's TIN."""
    problems = []
    if loaded_certificate is not None:
        info = certificate.describe(
            loaded_certificate.certificate,
            private_key=loaded_certificate.private_key,
            company_tin=company_tin,
            company_brn=company_brn,
        )
        problems += list(info.problems)
    if signed is None:
        return problems
    try:
        found = _read(signed)
    except _UNREADABLE as error:
        return problems + [_parse_problem(error)]
    problems += _verify_found(found)
    cert = _load_embedded(found.values.get("certificate") or "") if found.count == 1 else None
    cert = cert or (loaded_certificate.certificate if loaded_certificate is not None else None)
    if cert is not None:
        tin = certificate.describe(cert).tin
        if found.issuer_tin and tin and found.issuer_tin.upper() != tin.upper():
            problems.append(
                Problem(
                    "DS311",
                    f"The document's issuer TIN {found.issuer_tin} differs from the "
                    f"signing certificate's TIN {tin}. This is only right when the "
                    "certificate belongs to an intermediary submitting on the "
                    "issuer's behalf.",
                    blocking=False,
                )
            )
    return problems
