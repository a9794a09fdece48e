"""Sign a MyInvois UBL Invoice XML (reference §7.4), on the lxml tree as built.

* Document digest: inclusive C14N of the invoice without ``UBLExtensions`` and
  ``cac:Signature``, with whitespace-only text nodes dropped (§7.4 steps 2-5).
  ``sign_tree`` takes the signature parts off the tree itself and canonicalises
  it once: no copy, no serialise-parse round trip.
* SignedProperties digest: SHA-256 of the element serialised the way .NET's
  ``OuterXml`` writes it when taken out of the document (§7.4 step 9).
"""

import copy

from lxml import etree

from . import xml_safety
from .signing_common import (
    _BEFORE_SIGNATURE,
    C14N11,
    NS,
    PROPS_ID,
    PROPS_TYPE,
    RSA_SHA256,
    SHA256,
    SIGNATURE_INFO_ID,
    SIGNED_PROPERTIES_TEMPLATE,
    UBL_SIGNATURE_ID,
    XADES_URN,
    XPATH_TRANSFORM,
    SigningError,
    _certificate_values,
    _check_signer,
    _document_signature,
    _issuer_party,
    _sha256_b64,
    _signing_time,
)

_INVOICE = f"{{{NS['inv']}}}Invoice"
_EXTENSIONS = f"{{{NS['ext']}}}UBLExtensions"
_SIGNATURE = f"{{{NS['cac']}}}Signature"


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


def _canonical(root):
    """Inclusive C14N of ``root`` as it stands (no comments)."""
    try:
        return etree.tostring(root, method="c14n", exclusive=False, with_comments=False)
    except etree.C14NError as error:  # e.g. a relative namespace URI
        raise xml_safety.XMLInputError(
            "/", f"the document (without ext:UBLExtensions) cannot be canonicalised: {error}"
        ) from None


def _document_body(root):
    """The canonical bytes LHDN hashes and signs: the invoice without its
    signature parts (the two XPath transforms), whitespace stripped, inclusive C14N."""
    body = copy.deepcopy(root)
    for node in body.xpath("//ext:UBLExtensions | //cac:Signature", namespaces=NS):
        node.getparent().remove(node)
    _strip_whitespace(body)
    return _canonical(body)


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
        tag = child.tag
        if isinstance(tag, str) and tag.rpartition("}")[2] in _BEFORE_SIGNATURE:
            position = index + 1
    node = etree.Element(_SIGNATURE)
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


_VALUE_KEYS = ("doc_digest", "props_digest", "signature_value", "certificate", "signing_time", "cert_digest")
_VALUE_KEYS += ("issuer", "serial")
_template = []  # [(UBLExtensions with the value names as texts, [(position, value name)])]


def _build_extensions(values):
    """The ext:UBLExtensions block of §5.12, as a copy of one block built once
    (forty elements made one by one cost a third of a signature)."""
    if not _template:
        block = _new_extensions({key: key for key in _VALUE_KEYS})
        places = [(i, node.text) for i, node in enumerate(block.iter()) if node.text in _VALUE_KEYS]
        _template.append((block, places))
    block, places = _template[0]
    block = copy.deepcopy(block)
    nodes = list(block.iter())
    for index, key in places:
        nodes[index].text = values[key]
    return block


def _new_extensions(values):
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


def sign_tree(root, loaded_certificate, signing_time=None, intermediary=False):
    """Sign the unsigned UBL Invoice element ``root`` in place (e.g. from
    ``ubl.to_tree``) and return the minified UTF-8 bytes to submit (no XML
    declaration, no pretty printing). The tree afterwards is the signed document.

    ``loaded_certificate`` is a ``certificate.LoadedCertificate``; ``signing_time``
    a datetime (naive = UTC), a ``YYYY-MM-DDThh:mm:ssZ`` string, or None for now.
    Raises SigningError for an unusable certificate or one whose TIN is not the
    issuer's (unless ``intermediary=True``)."""
    if root.tag != _INVOICE:
        raise SigningError("The root element must be the UBL 2.1 Invoice (every MyInvois type uses it).")
    if root.find("ext:UBLExtensions", NS) is not None:
        raise SigningError(
            "The document already has ext:UBLExtensions (is it signed already?). Sign the unsigned document."
        )
    time_text, when = _signing_time(signing_time)
    party = _issuer_party((root.findtext("cbc:InvoiceTypeCode", namespaces=NS) or "").strip())
    info = _check_signer(loaded_certificate, when, _find_tin(root, party), party, intermediary)

    _strip_whitespace(root)  # what we submit is exactly what we hash: minified
    for old in root.findall("cac:Signature", NS):  # re-placed below, outside the digest
        root.remove(old)
    if next(root.iter(_EXTENSIONS, _SIGNATURE), None) is None:
        body = _canonical(root)  # the tree is the body: canonicalise it as it stands
    else:  # signature parts deeper down, which the digest leaves out too
        body = _document_body(root)
    values = dict(
        _certificate_values(loaded_certificate, info),
        signing_time=time_text,
        **_document_signature(loaded_certificate.private_key, body),
    )
    values["props_digest"] = _props_digest_xml(values)
    _place_ubl_signature(root)
    root.insert(0, _build_extensions(values))
    return etree.tostring(root, encoding="utf-8", xml_declaration=False)


def sign_xml(xml_bytes, loaded_certificate, signing_time=None, intermediary=False):
    """Sign an unsigned MyInvois UBL Invoice XML: parse it once, then ``sign_tree``.
    Same arguments, result and refusals."""
    try:
        root = _parse_xml(xml_bytes)
    except xml_safety.XMLInputError as error:
        raise SigningError(f"The document cannot be read: {error}") from None
    return sign_tree(root, loaded_certificate, signing_time=signing_time, intermediary=intermediary)
