"""Seeded fuzzing of the XML reader, the checks and signature verification (issue 16).

``run()`` signs a few valid documents (built from tests/doc_factory.py and LHDN's
samples, as tests/test_signing.py does), mutates them with a seeded random.Random
and runs ``xml_checks.validate_xml``, ``ubl.from_xml`` and ``signing.verify`` on each
variant (``signing.diagnose`` on every fifth, and the document rules when the CLI
``validate`` command would reach them). A failure is:

* any exception, except the DocumentError ``from_xml`` raises for bad input;
* a refusal (finding, error, problem) that names no element or field;
* a tampered variant (signed content changed after signing) that ``verify`` accepts;
* a harmless variant (pretty-printed, commented, CDATA...) that anything refuses,
  or that ``from_xml`` reads differently from the original.

    .venv/bin/python -m tests.fuzz_xml [SEED] [VARIANTS]
"""

import base64
import datetime
import functools
import random
import re
import sys
import time
from xml.sax.saxutils import escape

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519
from cryptography.x509.oid import NameOID
from lxml import etree

from l10n_my_einvoice.myinvois import certificate, signing, ubl, validation, xml_checks
from l10n_my_einvoice.myinvois.document import DocumentError

from . import doc_factory
from .conftest import ROOT

NS = signing.NS
TIN = "C20880050010"
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
SIGNATURE = "ext:UBLExtensions//ds:Signature"
# The base64 values verify reads, as XPaths under ds:Signature.
B64_VALUES = (
    "ds:SignatureValue",
    "ds:SignedInfo/ds:Reference/ds:DigestValue",
    "ds:KeyInfo/ds:X509Data/ds:X509Certificate",
    ".//xades:CertDigest/ds:DigestValue",
)
ALGORITHMS = (
    "ds:SignedInfo/ds:SignatureMethod",
    "ds:SignedInfo/ds:Reference/ds:DigestMethod",
    ".//xades:CertDigest/ds:DigestMethod",
)
ODD_URIS = (
    "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
    "http://www.w3.org/2000/09/xmldsig#dsa-sha1",
    "http://www.w3.org/2000/09/xmldsig#hmac-sha1",
    "http://www.w3.org/2000/09/xmldsig#sha1",
    "http://www.w3.org/2001/04/xmldsig-more#md5",
    "",
    "urn:x:" + "a" * 5000,
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256 ",
    "http://www.w3.org/2001/04/xmldsig-more#RSA-SHA256",
    "\u202ehttp://evil/\u00e9",
)
# Elements under ds:Signature whose value verify reads (removing one must be noticed).
READ_ELEMENTS = (
    "ds:SignedInfo/ds:SignatureMethod",
    "ds:SignedInfo/ds:Reference/ds:DigestMethod",
    "ds:SignedInfo/ds:Reference/ds:DigestValue",
    "ds:SignatureValue",
    "ds:KeyInfo/ds:X509Data/ds:X509Certificate",
    "ds:Object/xades:QualifyingProperties/xades:SignedProperties",
)
HUGE_NUMBERS = (
    "9" * 29,
    "1" * 5000,
    "1" + "0" * 28 + ".00",
    "-" + "9" * 40,
    "0." + "0" * 5000 + "1",
    "99999999999999999999999999.99",
    "1E+400",
    "1e5",
    "NaN",
    "-Infinity",
    "\uff11\uff12\uff13",  # fullwidth digits
    "\u0663\u0664",  # Arabic-Indic digits
    "1_000",
    "0x10",
    "12 34",
)
BAD_DATES = ("2026-02-30", "2026-02-29", "2026-13-01", "2026-00-10", "0000-01-01", "10000-01-01", "-2026-01-01", "")
BAD_TIMES = ("25:00:00Z", "23:60:00Z", "23:59:60Z", "24:00:00Z", "12:00:00", "12:00:00+25:00", "1:2:3Z", "")
BAD_SIGNING_TIMES = (
    "2026-02-30T01:02:03Z",
    "2026-13-01T00:00:00Z",
    "0000-01-01T00:00:00Z",
    "9999-12-31T23:59:60Z",
    "2026-07-20T24:00:00Z",
    "2026-07-20T03:15:00+08:00",
    "2026-07-20 03:15:00Z",
    "2026-07-20T03:15:00.5Z",
    "\u0662\u0660\u0662\u0666-07-20T03:15:00Z",
)
ODD_SERIALS = (
    "9" * 5000,
    "9" * 50,
    "0" * 5000 + "1",
    "-1",
    "0x1F",
    "\u0661\u0662\u0663",
    "\u00b2",
    "1.5",
    "1e5",
    "12 3",
)
CONTROL = (
    [bytes([c]) for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)]
    + [b"&#0;", b"&#x1;", b"&#xFFFE;", b"&#xD800;", b"&#x110000;", b"&#99999999999;"]
    + [b"\xef\xbf\xbe", b"\xef\xbf\xbf", b"\xed\xa0\x80", b"\xff", b"\xc0\x80", b"\xe2\x82", b"\x7f", b"\xc2\x85"]
)
# A refusal names where: an element path or name, a signature part, the DOCTYPE, a line.
NAMED = re.compile(
    r"/[*A-Za-z]|\b[a-z]{2,5}:[A-Z]\w+|X509\w+|SigningTime|SignatureValue|DigestValue|SignatureMethod|SignedProperties|"
    r"CertDigest|IssuerSerial|ds:Signature|DOCTYPE|root element|certificate's \w+|\bline \d+"
)


# --------------------------------------------------------------------------- certificates and documents


def _der_length(size):
    if size < 0x80:
        return bytes([size])
    octets = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(octets)]) + octets


def _der_item(data, start):
    """(content start, end) of the DER element at ``start``."""
    first = data[start + 1]
    if first < 0x80:
        return start + 2, start + 2 + first
    count = first & 0x7F
    size = int.from_bytes(data[start + 2 : start + 2 + count], "big")
    return start + 2 + count, start + 2 + count + size


def with_serial(der, serial):
    """The DER certificate ``der`` with its serial number replaced (its signature no
    longer holds; nothing here checks it): cryptography's builder refuses serials
    over 159 bits, so an oversized one is made by hand."""
    cert_start, cert_end = _der_item(der, 0)
    tbs_start, tbs_end = _der_item(der, cert_start)
    position = tbs_start
    if der[position] == 0xA0:  # [0] version
        position = _der_item(der, position)[1]
    serial_end = _der_item(der, position)[1]
    value = serial.to_bytes(serial.bit_length() // 8 + 1, "big")
    tbs = der[tbs_start:position] + b"\x02" + _der_length(len(value)) + value + der[serial_end:tbs_end]
    body = b"\x30" + _der_length(len(tbs)) + tbs + der[tbs_end:cert_end]
    return b"\x30" + _der_length(len(body)) + body


def _certificate_with(key, algorithm=None):
    name = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, "Odd key"), x509.NameAttribute(NameOID.COUNTRY_NAME, "MY")]
    )
    start = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=1)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=30))
        .sign(key, algorithm)
    ).public_bytes(serialization.Encoding.DER)


@functools.lru_cache(maxsize=1)
def signer():
    return certificate.load_pkcs12(certificate.make_test_certificate(tin=TIN, password=b"pw"), "pw")


@functools.lru_cache(maxsize=1)
def odd_certificates():
    """name -> DER of certificates MyInvois cannot use: other key algorithms, and
    the signer's own certificate with serials longer than 20 octets."""
    der = signer().certificate.public_bytes(serialization.Encoding.DER)
    return {
        "DSA": _certificate_with(dsa.generate_private_key(key_size=1024), algorithm=hashes.SHA256()),
        "Ed25519": _certificate_with(ed25519.Ed25519PrivateKey.generate()),
        "EC": _certificate_with(ec.generate_private_key(ec.SECP256R1()), algorithm=hashes.SHA256()),
        "5000-digit serial": with_serial(der, 10**4999 + 7),
        "22-octet serial": with_serial(der, 2**167 + 1),
        "truncated": der[: len(der) // 2],
        "garbage": bytes(range(256)) * 3,
    }


def _unsigned_sample(name):
    """An LHDN sample without its signature, as tests/test_signing.py makes it."""
    root = etree.fromstring((ROOT / "samples" / "lhdn" / name).read_bytes())
    for node in root.xpath("ext:UBLExtensions | cac:Signature", namespaces=NS):
        root.remove(node)
    return etree.tostring(root, encoding="utf-8")


@functools.lru_cache(maxsize=1)
def signed_documents():
    """Valid signed documents: an invoice, a credit note, a self-billed invoice
    (doc_factory), two of LHDN's samples. Signed as an intermediary so that one
    certificate serves every issuer TIN."""
    unsigned = [ubl.to_xml(doc) for doc in (doc_factory.invoice(), doc_factory.note("02"), doc_factory.self_billed())]
    unsigned += [_unsigned_sample(name) for name in ("1.1-Invoice-Sample.xml", "1.1-Self-Billed-Invoice-Sample.xml")]
    documents = [signing.sign_xml(data, signer(), intermediary=True) for data in unsigned]
    for data in documents:  # the starting point must be sound, or nothing below means anything
        assert xml_checks.validate_xml(data) == [] and signing.verify(data) == [], data[:200]
    return documents


# --------------------------------------------------------------------------- where an element is


def _ancestors_or_self(node):
    while node is not None:
        yield node
        node = node.getparent()


def _local(node):
    return etree.QName(node).localname


def _in_body(node):
    """Inside what the document digest covers (not UBLExtensions, not cac:Signature)."""
    return not any(
        n.tag in (f"{{{NS['ext']}}}UBLExtensions", f"{{{NS['cac']}}}Signature") for n in _ancestors_or_self(node)
    )


def _in_properties(node):
    return any(n.tag == f"{{{NS['xades']}}}SignedProperties" for n in _ancestors_or_self(node))


def _read_by_verify(root, node):
    """True when removing ``node`` removes something verify reads."""
    signature = root.xpath(SIGNATURE, namespaces=NS)
    targets = list(signature)
    for path in READ_ELEMENTS:
        targets += signature[0].xpath(path, namespaces=NS) if signature else []
    targets += root.xpath("cac:Signature/cbc:SignatureMethod", namespaces=NS)
    return any(node in list(_ancestors_or_self(target)) for target in targets)


def _elements(root):
    return [node for node in root.iter() if isinstance(node.tag, str) and node is not root]


def _leaves(root, where):
    return [n for n in _elements(root) if len(n) == 0 and (n.text or "").strip() and where(n)]


# --------------------------------------------------------------------------- mutations
# Each takes (rng, signed bytes) and returns (variant bytes, kind, expectation), the
# expectation being "tampered" (verify must refuse), "harmless" (everything must
# accept, and from_xml read the same document) or "any" (only: no crash, named refusals).


def _tree(data):
    return etree.fromstring(data)


def _bytes(root):
    return etree.tostring(root, encoding="utf-8")


def _signature(root):
    return root.xpath(SIGNATURE, namespaces=NS)[0]


MARKER = "\ue000"  # a private-use character standing for raw markup until serialised


def _with_markup(root, node, markup):
    """The document with ``markup`` (an entity or character reference) as the text of ``node``."""
    node.text = MARKER
    return _bytes(root).replace(MARKER.encode("utf-8"), markup.encode("ascii"), 1)


def m_doctype(rng, data):
    """A DOCTYPE: entities standing for values (the text a reader sees would not be
    the bytes signed), XXE, billion laughs, a default attribute, an external DTD."""
    root = _tree(data)
    leaf = rng.choice(_leaves(root, lambda n: True))
    choice = rng.randrange(6)
    laughs = "".join(f'<!ENTITY a{i} "{("&a%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 9))
    subset, entity = {
        0: (f'<!ENTITY x "{leaf.text}">', "&x;"),  # stands for the very value
        1: ('<!ENTITY x "999999.00">', "&x;"),  # changes it
        2: ('<!ENTITY x SYSTEM "file:///etc/passwd">', "&x;"),
        3: ('<!ENTITY a "lol">' + laughs, "&a8;"),
        4: ("<!ATTLIST cbc:ID schemeID CDATA 'TIN'>", None),
        5: ("", None),
    }[choice]
    body = _with_markup(root, leaf, entity) if entity else _bytes(root)
    doctype = f"<!DOCTYPE Invoice [{subset}]>" if subset else '<!DOCTYPE Invoice SYSTEM "http://127.0.0.1:9/x.dtd">'
    return doctype.encode("utf-8") + body, f"doctype {choice}", "tampered"


def m_truncate(rng, data):
    return data[: rng.randrange(len(data))], "truncate", "tampered"


def _value_span(rng, data):
    root = _tree(data)
    nodes = [n for path in B64_VALUES for n in _signature(root).xpath(path, namespaces=NS)]
    node = rng.choice(nodes)
    # Find the same value in the bytes (each is unique in a signed document).
    start = data.index(node.text.encode("ascii"))
    return node, start, start + len(node.text)


def m_b64_flip(rng, data):
    """One base64 character of a signature/digest/certificate value changed to another."""
    node, start, end = _value_span(rng, data)
    position = rng.choice([i for i in range(start, end) if data[i : i + 1] != b"="])
    old = chr(data[position])
    new = rng.choice([c for c in B64 if c != old])
    return data[:position] + new.encode() + data[position + 1 :], f"b64 flip {_local(node)}", "tampered"


def m_bit_flip(rng, data):
    node, start, end = _value_span(rng, data)
    position = rng.randrange(start, end)
    flipped = data[position] ^ (1 << rng.randrange(8))
    expectation = "any" if bytes([flipped]) in b" \t\r\n" else "tampered"  # whitespace is not a value change
    return data[:position] + bytes([flipped]) + data[position + 1 :], f"bit flip {_local(node)}", expectation


def m_huge_number(rng, data):
    root = _tree(data)
    numeric = [n for n in _leaves(root, _in_body) if _local(n).endswith(("Amount", "Quantity", "Percent", "Rate"))]
    node = rng.choice(numeric)
    node.text = rng.choice(HUGE_NUMBERS)
    return _bytes(root), f"huge number {_local(node)}", "tampered"


def m_bad_date(rng, data):
    root = _tree(data)
    choice = rng.randrange(3)
    if choice == 0:
        node = root.find(".//xades:SigningTime", NS)
        node.text = rng.choice(BAD_SIGNING_TIMES)
    elif choice == 1:
        node = root.find("cbc:IssueDate", NS)
        node.text = rng.choice(BAD_DATES)
    else:
        node = root.find("cbc:IssueTime", NS)
        node.text = rng.choice(BAD_TIMES)
    return _bytes(root), f"bad date {_local(node)}", "tampered"


def m_control(rng, data):
    """A character XML 1.0 forbids (or odd bytes) at the end of some element's text."""
    ends = [m.start() for m in re.finditer(rb"[^>]</", data)]
    position = rng.choice(ends) + 1
    character = rng.choice(CONTROL)
    # DEL and NEL are legal XML 1.0: a change only where it is signed, which a byte offset does not say.
    expectation = "any" if character in (b"\x7f", b"\xc2\x85") else "tampered"
    return data[:position] + character + data[position:], "control character", expectation


def m_duplicate(rng, data):
    root = _tree(data)
    node = rng.choice(_elements(root))
    signature = _signature(root)
    on_signature_path = node in list(_ancestors_or_self(signature))  # two signatures: DS302
    tampered = _in_body(node) or on_signature_path or (_in_properties(node) and _local(node) != "SignedProperties")
    node.addnext(etree.fromstring(etree.tostring(node)))
    return _bytes(root), f"duplicate {_local(node)}", "tampered" if tampered else "any"


def m_remove(rng, data):
    root = _tree(data)
    node = rng.choice(_elements(root))
    tampered = _in_body(node) or _in_properties(node) or _read_by_verify(root, node)
    node.getparent().remove(node)
    return _bytes(root), f"remove {_local(node)}", "tampered" if tampered else "any"


def m_odd_certificate(rng, data):
    root = _tree(data)
    name, der = rng.choice(sorted(odd_certificates().items()))
    text = base64.b64encode(der).decode("ascii")
    if rng.random() < 0.2:
        text = rng.choice(
            ["", "!!!not base64!!!", "-----BEGIN CERTIFICATE-----\n" + text + "\n-----END CERTIFICATE-----"]
        )
    _signature(root).find("ds:KeyInfo/ds:X509Data/ds:X509Certificate", NS).text = text
    return _bytes(root), f"certificate {name}", "tampered"


def m_odd_serial(rng, data):
    root = _tree(data)
    root.find(".//ds:X509SerialNumber", NS).text = rng.choice(ODD_SERIALS)
    return _bytes(root), "X509SerialNumber", "tampered"


def m_odd_algorithm(rng, data):
    root = _tree(data)
    signature = _signature(root)
    if rng.random() < 0.8:
        node = rng.choice([n for path in ALGORITHMS for n in signature.xpath(path, namespaces=NS)])
        expectation = "tampered"
    else:  # not read by verify (LHDN's pipeline is fixed): only no crash
        node = rng.choice(signature.xpath("ds:SignedInfo/ds:CanonicalizationMethod | .//ds:Transform", namespaces=NS))
        expectation = "any"
    node.set("Algorithm", rng.choice(ODD_URIS))
    return _bytes(root), f"algorithm {_local(node)}", expectation


def m_namespace(rng, data):
    """A relative namespace URI (C14N cannot canonicalise it), or an element of the
    body written with another prefix for the same namespace (C14N keeps prefixes)."""
    root = _tree(data)
    node = rng.choice([n for n in _elements(root) if _in_body(n)])
    choice = rng.randrange(3)
    if choice == 0:
        etree.SubElement(node, "{relative/ns}x").text = "1"
    elif choice == 1:
        node.set("{relative/ns}a", "1")
    else:  # lxml would reuse the prefix in scope, so rename in the bytes
        node = rng.choice(_leaves(root, lambda n: _in_body(n) and n.prefix == "cbc"))
        text, node.text = node.text, MARKER
        pattern = re.compile(rf"<cbc:{_local(node)}([^>]*)>{MARKER}</cbc:{_local(node)}>".encode())
        renamed = rf'<p0:{_local(node)} xmlns:p0="{NS["cbc"]}"\1>{escape(text)}</p0:{_local(node)}>'.encode()
        return pattern.sub(renamed, _bytes(root), count=1), f"namespace prefix {_local(node)}", "tampered"
    return _bytes(root), f"namespace {choice} {_local(node)}", "tampered"


def m_change_value(rng, data):
    """A changed value or attribute in what is signed: the body or SignedProperties."""
    root = _tree(data)
    if rng.random() < 0.7:
        node = rng.choice(_leaves(root, lambda n: _in_body(n) or _in_properties(n)))
        old = node.text
        node.text = old.strip() + rng.choice(["0", "X", "1", " "]) if rng.random() < 0.5 else "1" + old
        node.text = node.text if node.text != old else "1" + old
    else:
        node = rng.choice([n for n in _elements(root) if n.attrib and _in_body(n)])
        key = rng.choice(sorted(node.attrib))
        node.set(key, node.get(key) + "X")
    return _bytes(root), f"changed {_local(node)}", "tampered"


def m_harmless(rng, data):
    """Changes the signature and the reader must both see through."""
    choice = rng.randrange(8)
    root = _tree(data)
    if choice == 0:
        return data, "unchanged", "harmless"
    if choice == 1:
        etree.indent(root)
        return _bytes(root), "pretty-printed", "harmless"
    if choice == 2:
        return b'<?xml version="1.0" encoding="UTF-8"?>\n' + data, "XML declaration", "harmless"
    if choice == 3:
        node = rng.choice([n for n in _elements(root) if _in_body(n)])
        node.addnext(etree.Comment(" a comment "))
        return _bytes(root), "comment between elements", "harmless"
    if choice == 4:  # a comment inside a value: "1<!-- -->436.50" is still 1436.50
        node = rng.choice([n for n in _leaves(root, _in_body) if len(n.text) > 1])
        cut = rng.randrange(1, len(node.text))
        text = (node.text[:cut], node.text[cut:])
        node.text = text[0]
        comment = etree.Comment("x")
        comment.tail = text[1]
        node.append(comment)
        return _bytes(root), "comment inside a value", "harmless"
    if choice == 5:
        node = rng.choice(_leaves(root, _in_body))
        node.text = etree.CDATA(node.text)
        return _bytes(root), "CDATA", "harmless"
    if choice == 6:  # a value written with character references
        node = rng.choice(_leaves(root, _in_body))
        return _with_markup(root, node, "".join(f"&#{ord(c)};" for c in node.text)), "character references", "harmless"
    node = _signature(root).find(rng.choice(["ds:SignatureValue", "ds:KeyInfo/ds:X509Data/ds:X509Certificate"]), NS)
    node.text = "\n" + "\n".join(node.text[i : i + 76] for i in range(0, len(node.text), 76)) + "\n"
    return _bytes(root), "base64 wrapped", "harmless"


MUTATIONS = (
    (m_doctype, 8),
    (m_truncate, 8),
    (m_b64_flip, 8),
    (m_bit_flip, 8),
    (m_huge_number, 8),
    (m_bad_date, 8),
    (m_control, 8),
    (m_duplicate, 8),
    (m_remove, 8),
    (m_odd_certificate, 8),
    (m_odd_serial, 4),
    (m_odd_algorithm, 6),
    (m_namespace, 4),
    (m_change_value, 8),
    (m_harmless, 12),
)


# --------------------------------------------------------------------------- running


def _unnamed(messages):
    return [m for m in messages if not NAMED.search(m)]


def check_variant(data, expectation, original=None, diagnose=False):
    """(refused?, [failure, ...]) for one variant."""
    failures, refusals, findings = [], [], None
    try:
        findings = xml_checks.validate_xml(data)
        refusals += findings
        failures += [
            f"validate_xml names nothing: {f}" for f in findings if f.path in ("", "/") and not NAMED.search(f.message)
        ]
    except Exception as error:  # noqa: BLE001 - any exception is the bug being looked for
        failures.append(f"validate_xml raised {type(error).__name__}: {str(error)[:200]}")
    document = None
    try:
        document = ubl.from_xml(data)
    except DocumentError as error:
        refusals.append(error)
        failures += [f"from_xml names nothing: {m}" for m in _unnamed([str(error)])]
    except Exception as error:  # noqa: BLE001
        failures.append(f"from_xml raised {type(error).__name__}: {str(error)[:200]}")
    if findings == [] and document is not None:  # what the CLI validate command does next
        try:
            validation.validate(document, for_submission=False)
        except Exception as error:  # noqa: BLE001
            failures.append(f"validation.validate raised {type(error).__name__}: {str(error)[:200]}")
    try:
        problems = signing.verify(data)
        refusals += problems
        failures += [f"verify names nothing: {m}" for m in _unnamed([p.message for p in problems])]
        if expectation == "tampered" and not problems:
            failures.append("verify accepted a tampered document")
        if diagnose:
            signing.diagnose(signed=data)
    except Exception as error:  # noqa: BLE001
        failures.append(f"verify/diagnose raised {type(error).__name__}: {str(error)[:200]}")
    if expectation == "harmless":
        failures += [f"refused a harmless change: {str(r)[:200]}" for r in refusals]
        if document is not None and original is not None and document != original:
            failures.append("from_xml read a harmless change as another document")
    return bool(refusals), failures


def run(seed=20261201, variants=2000):
    """Mutate signed documents ``variants`` times; counts and failures (see the module doc)."""
    rng = random.Random(seed)
    documents = signed_documents()
    originals = [ubl.from_xml(data) for data in documents]
    functions, weights = zip(*MUTATIONS, strict=True)
    result = {"variants": 0, "refused": 0, "accepted": 0, "failures": []}
    for index in range(variants):
        which = rng.randrange(len(documents))
        mutate = rng.choices(functions, weights)[0]
        try:
            data, kind, expectation = mutate(rng, documents[which])
        except (IndexError, ValueError) as error:  # the document has nothing to mutate that way
            data, kind, expectation = documents[which], f"{mutate.__name__} skipped ({error})", "harmless"
        refused, failures = check_variant(data, expectation, originals[which], diagnose=index % 5 == 0)
        result["variants"] += 1
        result["refused" if refused else "accepted"] += 1
        result["failures"] += [f"variant {index} (document {which}, {kind}): {failure}" for failure in failures]
    return result


if __name__ == "__main__":
    started = time.perf_counter()
    outcome = run(*(int(arg) for arg in sys.argv[1:3]))
    print({k: v for k, v in outcome.items() if k != "failures"}, f"{time.perf_counter() - started:.1f} s")  # noqa: T201
    for line in outcome["failures"][:50]:
        print(line)  # noqa: T201
