"""Read a signed MyInvois document (XML or JSON) into what verification needs:
the signature's values, and the bytes its two digests must cover."""

import re
from dataclasses import dataclass, field

from .signing_common import NS, PROPS_ID, _issuer_party
from .signing_json import _at, _dump_json, _json_body, _json_invoice, _json_tin, _load_json, _text
from .signing_xml import _document_body, _find_tin, _parse_xml, signed_properties_xml


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
