"""Checks on a MyInvois XML document as LHDN's structure and code validators
run them: the UBL 2.1 schema (element order included), then every code against
LHDN's tables. Each finding names the element path, so a person can find it.

Bad input gives findings, never an exception: the parser (xml_safety.py) refuses
a DOCTYPE and names where the bytes stop being XML, and a number with more digits
than the amounts can be computed with is a finding before anything computes it.
"""

import copy
import functools
from dataclasses import dataclass

from lxml import etree

from . import codes, ubl, xml_safety

SCHEMA_PATH = codes.DATA_DIR / "ubl-2.1" / "maindoc" / "UBL-Invoice-2.1.xsd"
NS = ubl.NS

# (XPath from the root, code table, what the element is, in words)
CODE_FIELDS = (
    ("cbc:InvoiceTypeCode", "einvoice_types", "e-invoice type"),
    ("cbc:DocumentCurrencyCode", "currencies", "document currency"),
    ("cbc:TaxCurrencyCode", "currencies", "tax currency"),
    (".//cbc:IdentificationCode", "countries", "country"),
    (".//cbc:ItemClassificationCode[@listID='CLASS']", "classifications", "classification"),
    (".//cac:TaxCategory/cbc:ID", "tax_types", "tax type"),
    (".//cac:PaymentMeans/cbc:PaymentMeansCode", "payment_modes", "payment mode"),
    (".//cbc:IndustryClassificationCode", "msic", "MSIC code"),
    (".//@currencyID", "currencies", "currency"),
    (".//@unitCode", "units", "unit of measure"),
)


@dataclass(frozen=True)
class Finding:
    path: str
    message: str
    line: int = 0

    def __str__(self):
        where = f"line {self.line}: " if self.line else ""
        return f"{where}{self.path}: {self.message}"


@functools.lru_cache(maxsize=1)
def invoice_schema():
    """The UBL 2.1 Invoice schema, parsed once per process (about 0.1 s)."""
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))


def _path(node):
    if isinstance(node, etree._ElementUnicodeResult):  # an attribute value
        parent = node.getparent()
        return f"{_path(parent)}/@{node.attrname}"
    return node.getroottree().getpath(node)


def parse(data):
    """Parse XML bytes; raises ValueError (xml_safety.XMLInputError, with ``path``,
    ``reason`` and ``line``) when they are not XML or carry a DOCTYPE."""
    return xml_safety.parse(data, strip_comments=True)  # values as the signature reads them


DS_SERIAL = "{http://www.w3.org/2000/09/xmldsig#}X509SerialNumber"
# libxml2 before 2.11 refuses xs:integer values over 24 digits, but an X.509 serial
# number runs to 49 (20 bytes); LHDN's validator takes them. The serial itself is
# checked by the signature verification (DS327/DS328), not by the schema.
_SHORT_INTEGERS = etree.LIBXML_VERSION < (2, 11)


def _schema_view(root):
    """The tree to give the schema: with long serial numbers shortened on old libxml2."""
    if not _SHORT_INTEGERS:
        return root
    long_serials = [n for n in root.iter(DS_SERIAL) if (n.text or "").strip().isdigit() and len(n.text.strip()) > 24]
    if not long_serials:
        return root
    view = copy.deepcopy(root)
    for node in view.iter(DS_SERIAL):
        if (node.text or "").strip().isdigit() and len(node.text.strip()) > 24:
            node.text = "1"
    return view


def check_schema(root):
    schema = invoice_schema()
    try:
        if schema.validate(_schema_view(root)):
            return []
    except etree.XMLSchemaError as error:  # libxml2 gave up (it does on entity nodes)
        return [Finding("/", f"the UBL 2.1 schema validator could not check the document: {error}")]
    return [Finding(error.path or "/", error.message, error.line) for error in schema.error_log]


def check_numbers(root):
    """Numbers (amounts, quantities, rates...) with absurdly many digits: the schema
    takes any length, but no amount can be computed with 29 digits."""
    findings = []
    for node in root.iter(f"{{{ubl.NS_CBC}}}*"):
        problem = xml_safety.is_numeric_element(node) and xml_safety.digit_problem(node.text or "")
        if problem:
            findings.append(Finding(_path(node), problem, node.sourceline or 0))
    return findings


def check_codes(root):
    findings = []
    for xpath, table, label in CODE_FIELDS:
        for node in root.xpath(xpath, namespaces=NS):
            value = ((node.text or "") if hasattr(node, "text") else str(node)).strip()
            if (
                table == "countries"
                and node.getparent() is not None
                and etree.QName(node.getparent()).localname not in ("Country", "OriginCountry")
            ):
                continue
            if not codes.is_valid(table, value):
                findings.append(
                    Finding(
                        _path(node),
                        f"{value!r} is not a valid {label} code (LHDN table {table})",
                        getattr(node, "sourceline", 0) or 0,
                    )
                )
    for node in root.xpath(".//cbc:CountrySubentityCode", namespaces=NS):
        country = node.getparent().find("cac:Country/cbc:IdentificationCode", NS)
        value = (node.text or "").strip()
        is_malaysian = country is not None and (country.text or "").strip() == codes.MALAYSIA
        if is_malaysian and not codes.is_valid("states", value):
            findings.append(Finding(_path(node), f"{value!r} is not a Malaysian state code (01-17)", node.sourceline))
        elif not is_malaysian and value in codes.table("states") and value != codes.NOT_APPLICABLE_STATE:
            findings.append(
                Finding(
                    _path(node),
                    f"state code {value} is Malaysian but the country is not MYS (LHDN CV316)",
                    node.sourceline,
                )
            )
    return findings


def validate_xml(data):
    """All findings for one XML document: schema first, then number sizes, then codes.
    Never raises for bad input: what cannot be parsed is one finding naming where."""
    try:
        root = parse(data)
    except xml_safety.XMLInputError as error:
        return [Finding(error.path, error.reason, error.line)]
    if etree.QName(root).namespace != NS["inv"] or etree.QName(root).localname != "Invoice":
        return [Finding(_path(root), "the root element must be the UBL 2.1 Invoice (every MyInvois type uses it)")]
    return check_schema(root) + check_numbers(root) + check_codes(root)
