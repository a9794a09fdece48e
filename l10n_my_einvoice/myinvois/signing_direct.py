"""Sign a Document as the UBL writer writes it, without a tree (issue 17).

The writer's text (ubl.unsigned_bytes) is minified, declares its three namespaces
on the root in C14N order and writes attributes sorted by name, so once its
``cac:Signature`` is left out it *is* the inclusive C14N that LHDN hashes
(reference §7.4 steps 2-5): no parse, no canonicalisation, no serialisation. The
bytes submitted are that text with the ``ext:UBLExtensions`` block written in
after the root's start tag, byte for byte what ``sign_tree`` writes for the
same document (tests/test_signing_direct.py compares both on every document of
the suite). A text that would not be its own canonical form (see
``_NOT_CANONICAL``) is signed through the tree instead, with the same result.
"""

import re

from lxml import etree

from . import ubl, ubl_text
from .signing_common import _certificate_values, _check_signer, _document_signature, _issuer_party, _signing_time
from .signing_xml import _VALUE_KEYS, _build_extensions, _props_digest_xml, sign_tree

_SIGNATURE = (
    f"<cac:Signature><cbc:ID>{ubl.SIGNATURE_ID}</cbc:ID>"
    f"<cbc:SignatureMethod>{ubl.SIGNATURE_METHOD}</cbc:SignatureMethod></cac:Signature>"
).encode()
_ROOT_OPEN = ubl.ROOT_OPEN.encode()
# Where the written text and its C14N differ. The writer's text has "<" and ">"
# only in tags, so none of these can come from a value: an empty element (C14N
# writes <x></x>, lxml <x/>; the writer writes blank texts so, see ubl_text.basic),
# a character reference (&#13; against &#xD;), ">" in an attribute (C14N leaves
# it as is). Three C-speed substring scans, a tenth of one regular expression.
_NOT_CANONICAL = (b"/>", b"&#", b"&gt;")


def _canonical_as_written(data):
    return not any(mark in data for mark in _NOT_CANONICAL)


_PLACEHOLDER = re.compile("@@(" + "|".join(_VALUE_KEYS) + ")@@")
_template = []  # [(literal, value name, literal, value name, ..., literal)]


def _extensions_template():
    """The ext:UBLExtensions block as sign_tree writes it inside the Invoice root,
    split at its eight values: serialised once by lxml, so the bytes are its own."""
    if not _template:
        root = etree.fromstring((ubl.ROOT_OPEN + "</Invoice>").encode())
        root.insert(0, _build_extensions({key: f"@@{key}@@" for key in _VALUE_KEYS}))
        text = etree.tostring(root, encoding="unicode")
        block = text[len(ubl.ROOT_OPEN) : -len("</Invoice>")]
        _template.append(_PLACEHOLDER.split(block))
    return _template[0]


def _extensions(values):
    parts = _extensions_template()
    out = []
    for index, part in enumerate(parts):
        out.append(ubl_text.escape_text(values[part]) if index % 2 else part)
    return "".join(out)


def _text_of(data, start_tag, after=0, before=None):
    """The text of the first element opened with ``start_tag`` (bytes, up to its
    ">") between ``after`` and ``before``, unescaped; "" when there is none."""
    start = data.find(start_tag, after, len(data) if before is None else before)
    if start < 0:
        return ""
    start = data.index(b">", start) + 1
    text = data[start : data.index(b"</", start)].decode("utf-8")
    return text.replace("&lt;", "<").replace("&amp;", "&")  # "&gt;" and "&#" take the tree path


def sign_document(document, loaded_certificate, signing_time=None, intermediary=False):
    """The signed UTF-8 bytes to submit for ``document`` (a validated
    ``document.Document``): what ``sign_tree(ubl.to_tree(document), ...)`` returns,
    with the same arguments and refusals, at about the cost of the RSA signature."""
    return sign_unsigned(ubl.unsigned_bytes(document), loaded_certificate, signing_time, intermediary)


def sign_unsigned(data, loaded_certificate, signing_time=None, intermediary=False):
    """Sign ``data``, the ``ubl.unsigned_bytes`` of a document (stored, restamped
    with ``ubl.restamp``): what ``sign_tree(ubl.tree_of(data), ...)`` returns. The
    type code and the issuer's TIN are read from the text, as sign_tree reads them
    from the tree."""
    head, signature, tail = data.partition(_SIGNATURE)
    if not (signature and data.startswith(_ROOT_OPEN) and _canonical_as_written(data)):
        return sign_tree(ubl.tree_of(data), loaded_certificate, signing_time, intermediary)
    time_text, when = _signing_time(signing_time)
    party = _issuer_party(_text_of(data, b"<cbc:InvoiceTypeCode").strip())
    party_at = data.find(f"<cac:{party}>".encode())
    party_end = data.find(f"</cac:{party}>".encode(), party_at)
    issuer_tin = _text_of(data, b'<cbc:ID schemeID="TIN">', party_at, party_end).strip() if party_at >= 0 else ""
    info = _check_signer(loaded_certificate, when, issuer_tin, party, intermediary)
    values = dict(_certificate_values(loaded_certificate, info), signing_time=time_text)
    if ubl_text.has_control_characters(values["issuer"]):  # lxml refuses it: the tree path says so
        return sign_tree(ubl.tree_of(data), loaded_certificate, signing_time, intermediary)
    values.update(_document_signature(loaded_certificate.private_key, head + tail))
    values["props_digest"] = _props_digest_xml(values)
    start = len(_ROOT_OPEN)
    return b"".join((data[:start], _extensions(values).encode("utf-8"), data[start:]))
