"""Reading untrusted XML: one hardened parser and safe readers for numbers,
dates and base64, shared by the XML reader (ubl_read.py), the checks
(xml_checks.py) and signature verification (signing.py).

Everything that goes wrong becomes an ``XMLInputError`` (a DocumentError, so a
ValueError) naming where: the path of the element (``/*/cac:InvoiceLine[2]/cbc:ID``),
or of the innermost element open when the bytes stop being XML. No DTD is
loaded, no entity expanded, nothing fetched, and a DOCTYPE is refused outright:
UBL documents never carry one, and an entity reference is the one way to make
the bytes LHDN hashes differ from the text a reader sees. Text must be XML 1.0:
libxml2 refuses C0 control characters, U+FFFE/U+FFFF, surrogates and broken
UTF-8, written raw or as character references, and the error names the element.
"""

import base64
import binascii
import contextlib
import datetime
import re
from decimal import Decimal, InvalidOperation

from lxml import etree

from .document import DocumentError

# A number in the XML may have at most 28 significant digits, 26 of them before the
# decimal point: Python's decimal context (and .NET's decimal) holds 28 digits, and an
# amount must still fit once rounded to cents. Real amounts have a dozen.
MAX_DIGITS = 28
MAX_INTEGER_DIGITS = 26
# RFC 5280 §4.1.2.2: a certificate serial number is at most 20 octets, i.e. below
# 2**160, which has 49 decimal digits.
MAX_SERIAL_BITS = 160
MAX_SERIAL_DIGITS = 49

# xs:decimal (no exponent, no NaN/INF), ASCII digits only.
_DECIMAL = re.compile(r"[+-]?(?:([0-9]+)(?:\.([0-9]*))?|\.([0-9]+))")
_SERIAL = re.compile(r"[0-9]+")
# UBL's numeric element types (AmountType, QuantityType, NumericType, PercentType,
# RateType, MeasureType) are exactly the cbc names ending so.
NUMERIC_SUFFIXES = ("Amount", "Quantity", "Numeric", "Percent", "Rate", "Measure")
# A DOCTYPE comes before the root element, so near the start (UTF-8 or UTF-16).
_DOCTYPE = re.compile(b"<!DOCTYPE|" + re.escape("<!DOCTYPE".encode("utf-16-le")))


class XMLInputError(DocumentError):
    """Bad XML input; ``path`` names the element (or "/" for the document),
    ``reason`` says what is wrong, ``line`` is the source line when known."""

    def __init__(self, path, reason, line=0):
        super().__init__(f"{path}: {reason}")
        self.path, self.reason, self.line = path, reason, line


def _parser(**options):
    # resolve_entities/load_dtd/no_network: no entity expansion, no DTD or network
    # access (XXE); huge_tree off keeps libxml2's depth and size limits.
    return etree.XMLParser(
        resolve_entities=False, load_dtd=False, dtd_validation=False, no_network=True, huge_tree=False, **options
    )


def parse(data, remove_blank_text=False, strip_comments=False):
    """The root element of XML ``data`` (bytes or str), or XMLInputError.

    ``strip_comments`` removes comments and processing instructions, joining the
    text around them: the signature's canonical form reads ``1<!---->436.50`` as
    1436.50, and so must whoever reads the values."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    try:
        root = etree.fromstring(data, parser=_parser(remove_blank_text=remove_blank_text))
    except etree.XMLSyntaxError as error:
        if _DOCTYPE.search(data[:4096]):
            raise _doctype_error() from None
        raise syntax_error(data, error) from None
    except ValueError as error:  # e.g. a str with an encoding declaration
        raise XMLInputError("/", f"not well-formed XML: {error}") from None
    if root is None:
        raise XMLInputError("/", "not well-formed XML: no root element")
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise _doctype_error()
    if strip_comments:
        etree.strip_tags(root, etree.Comment, etree.ProcessingInstruction)
    return root


def _doctype_error():
    return XMLInputError(
        "/",
        "the document has a DOCTYPE declaration; UBL documents never do, and its entities could make the "
        "text differ from what is signed, so it is refused",
    )


def syntax_error(data, error):
    """XMLInputError for a parser error, naming the innermost element open at the
    error (parsed again, incrementally, only on this failure path)."""
    path = "/"
    pull = etree.XMLPullParser(
        events=("start", "end"), resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False
    )
    stack = []
    with contextlib.suppress(etree.XMLSyntaxError):  # expected: the events up to the error are what we want
        pull.feed(data)
        pull.close()
    for event, element in pull.read_events():
        if event == "start":
            stack.append(element)
        elif stack:
            stack.pop()
    if stack:
        path = stack[-1].getroottree().getpath(stack[-1])
    line, column = getattr(error, "position", (0, 0)) or (0, 0)
    message = (getattr(error, "msg", "") or str(error)).strip()
    where = f" (line {line}, column {column})" if line and "line" not in message else ""
    return XMLInputError(path, f"not well-formed XML: {message}{where}", line)


def path_of(node):
    return node.getroottree().getpath(node)


# --------------------------------------------------------------------------- numbers


def digit_problem(text):
    """Why the xs:decimal ``text`` has too many digits, or None (also None when it
    is not an xs:decimal at all: the schema names that)."""
    match = _DECIMAL.fullmatch(text.strip())
    if not match:
        return None
    whole = (match.group(1) or "").lstrip("0")
    fraction = match.group(2) or match.group(3) or ""
    digits = len(whole) + len(fraction)
    if digits <= MAX_DIGITS and len(whole) <= MAX_INTEGER_DIGITS:
        return None
    shown = text.strip() if len(text.strip()) <= 40 else text.strip()[:20] + "..."
    return (
        f"{shown!r} has {digits} digits ({len(whole)} before the decimal point); a number can have at most "
        f"{MAX_DIGITS}, {MAX_INTEGER_DIGITS} before the decimal point"
    )


def decimal(text, path):
    """Decimal of an xs:decimal element text; XMLInputError naming ``path`` when it
    is not one (exponents, NaN, words) or has absurdly many digits."""
    value = text.strip()
    if not _DECIMAL.fullmatch(value):
        shown = value if len(value) <= 40 else value[:20] + "..."
        raise XMLInputError(path, f"{shown!r} is not a decimal number like 1436.50 (no exponent, no spaces)")
    problem = digit_problem(value)
    if problem:
        raise XMLInputError(path, problem)
    try:
        return Decimal(value)
    except InvalidOperation:  # not reached for a matching lexeme; kept as a guard
        raise XMLInputError(path, f"{value!r} is not a number") from None


def is_numeric_element(element):
    return isinstance(element.tag, str) and element.tag.endswith(NUMERIC_SUFFIXES)  # "{namespace}LocalName"


# --------------------------------------------------------------------------- dates


def iso_date(text, path):
    """datetime.date of YYYY-MM-DD, or XMLInputError (2026-02-30 does not exist)."""
    try:
        return datetime.date.fromisoformat(text)
    except (ValueError, OverflowError, TypeError):
        raise XMLInputError(path, f"{text!r} is not a real date YYYY-MM-DD") from None


def utc_timestamp(text, pattern="%Y-%m-%dT%H:%M:%SZ"):
    """Naive UTC datetime of ``text`` in ``pattern``, or None when it does not
    exist (2026-02-30T..., 24:00:00) or has another form."""
    try:
        return datetime.datetime.strptime(text, pattern)
    except (ValueError, OverflowError, TypeError):
        return None


# --------------------------------------------------------------------------- base64 and serials


def b64decode(text):
    """Bytes of canonical base64 ``text`` (whitespace allowed), or None. Canonical:
    the unused bits of the last character are zero, so one value has one spelling
    and a changed character is always a changed value."""
    if not isinstance(text, str):
        return None
    compact = "".join(text.split())
    try:
        raw = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError, TypeError):
        return None
    return raw if base64.b64encode(raw).decode("ascii") == compact else None


def serial_problem(text):
    """Why the X509SerialNumber ``text`` cannot be a certificate serial, or None."""
    if not _SERIAL.fullmatch(text):
        shown = text if len(text) <= 40 else text[:20] + "..."
        return f"X509SerialNumber {shown!r} is not a decimal integer."
    digits = len(text.lstrip("0"))
    if digits > MAX_SERIAL_DIGITS:
        return (
            f"X509SerialNumber has {digits} digits; a certificate serial number is at most 20 octets "
            f"({MAX_SERIAL_DIGITS} digits)."
        )
    return None


def serial_text(number):
    """The decimal text of a certificate serial number; an oversized one (which
    Python could not even print past 4,300 digits) is shown shortened, in hex."""
    if abs(number).bit_length() <= MAX_SERIAL_BITS:
        return str(number)
    return f"{number:#x}"[:18] + f"... ({serial_digits(number)} digits)"


def serial_digits(number):
    """Decimal digits of ``number`` without converting it to text (that is refused
    past 4,300 digits): the bit length gives it within one."""
    number = abs(number)
    exponent = int((max(number.bit_length(), 1) - 1) * 0.30102999566398120)  # log10(2): floor(log10) or one less
    return exponent + 1 + (number >= 10 ** (exponent + 1))
