"""Checks on single values at the input boundary (document_input.py): text that XML
can carry, plain decimal numbers of a sane size, ISO dates in a plausible range.

Each function takes the value and the path of its field and raises DocumentError
naming that path, so the sender knows what to fix. Nothing here knows documents.
"""

import datetime
import re
from decimal import Decimal, InvalidOperation

from .document import DocumentError

# LHDN's amounts fit in 15 digits before the point (999 999 999 999 999.99); 10 decimals
# hold an exact unit price or exchange rate (the consolidation writes rates to 10).
MAX_INTEGER_DIGITS = 15
MAX_DECIMALS = 10
LIMIT = Decimal(10) ** MAX_INTEGER_DIGITS
FIRST_YEAR, LAST_YEAR = 2000, 2100

# XML 1.0 characters (§2.2), less DEL and the C1 controls, which no invoice text needs.
_NOT_XML = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_LINE_BREAK = re.compile("[\t\n\r]")
# Only ASCII digits, an optional sign and point: Decimal() itself would also read
# "1e30", "NaN", "1_000" and full-width or Arabic-Indic digits.
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_NOT_FINITE = re.compile(r"[+-]?(?:s?nan[0-9]*|inf|infinity)", re.IGNORECASE)
_EXPONENT = re.compile(r"[+-]?[0-9.]+[eE][+-]?[0-9]+")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?(?:Z|[+-][0-9]{2}:[0-9]{2})"
)
_JSON_NAMES = {str: "a string", int: "a number", float: "a number", Decimal: "a number", bool: "true/false"}
_JSON_NAMES.update({list: "a list", dict: "an object"})


def json_type(value):
    """The JSON name of a value's type, for messages."""
    if value is None:
        return "null"
    return _JSON_NAMES.get(type(value), type(value).__name__)


def shown(value):
    """``value`` for a message: short, escaped, never the 10,000 digits of a huge integer."""
    if isinstance(value, int) and value.bit_length() > 64:
        return "a very large integer"
    try:
        text = str(value) if isinstance(value, Decimal) else repr(value)
    except ValueError:  # a huge integer inside a list
        return json_type(value)
    return text if len(text) <= 60 else text[:57] + "..."


def bad_character(text):
    """The first character XML cannot carry, or None."""
    found = _NOT_XML.search(text)
    return found and (found.start(), found.group())


def _describe(char, position):
    if "\ud800" <= char <= "\udfff":
        return f"a lone surrogate U+{ord(char):04X} at position {position} (half of a character: wrongly decoded text?)"
    return f"the control character U+{ord(char):04X} at position {position}"


def check_text(value, path, *, multiline=False):
    """``value`` itself when it is a string XML can carry; tab and line breaks only in
    free text (``multiline``): in a code or a name they are a copy-paste accident."""
    if not isinstance(value, str):
        raise DocumentError(f"{path}: expected a string, got {json_type(value)} ({shown(value)})")
    found = bad_character(value)
    if found:
        position, char = found
        raise DocumentError(f"{path}: contains {_describe(char, position)}; remove it")
    if not multiline:
        found = _LINE_BREAK.search(value)
        if found:
            raise DocumentError(
                f"{path}: contains a {'tab' if found.group() == chr(9) else 'line break'} at position "
                f"{found.start()}; this field is one line of text"
            )
    return value


def to_decimal(value, path):
    """Decimal from a JSON number (integer) or a string of plain decimal syntax; floats are
    refused because they are not exact. At most 15 digits before the point and 10 after."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        hint = ", so that it stays exact" if isinstance(value, float) else ""
        raise DocumentError(
            f"{path}: give the number as a string or integer, not {json_type(value)} ({shown(value)}){hint}"
        )
    if isinstance(value, int):
        if abs(value) >= LIMIT:  # compared, never printed: a 10,000-digit int cannot be
            raise DocumentError(f"{path}: the number is too large; at most {MAX_INTEGER_DIGITS} digits")
        return Decimal(value)
    if isinstance(value, str):
        check_text(value, path)
        text = value.strip(" ")
        if not _DECIMAL.fullmatch(text):
            raise DocumentError(f"{path}: {_not_a_decimal(text)}")
        try:
            value = Decimal(text)
        except InvalidOperation:  # the pattern lets only decimals through; kept as a guard
            raise DocumentError(f"{path}: {shown(text)} is not a number") from None
    if not value.is_finite():
        raise DocumentError(f"{path}: {shown(value)} is not a finite number")
    check_size(value, path)
    return value


def _not_a_decimal(text):
    if _NOT_FINITE.fullmatch(text):
        return f"{shown(text)} is not a finite number"
    if _EXPONENT.fullmatch(text):
        return f"{shown(text)} has an exponent; write the number in plain digits like 12.50"
    return (
        f"{shown(text)} is not a number: write plain digits like 12.50 (0-9, an optional sign and point, no separators)"
    )


def check_size(value, path):
    """``value`` (a finite Decimal) within MAX_INTEGER_DIGITS and MAX_DECIMALS."""
    if value and value.adjusted() >= MAX_INTEGER_DIGITS:
        raise DocumentError(
            f"{path}: the number is too large; at most {MAX_INTEGER_DIGITS} digits before the decimal point"
        )
    exponent = value.as_tuple().exponent
    if exponent < -MAX_DECIMALS:
        raise DocumentError(f"{path}: {format(value, 'f')} has {-exponent} decimals; at most {MAX_DECIMALS}")
    return value


def _year(parsed, value, path):
    if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
        raise DocumentError(f"{path}: {shown(value)} is not a plausible date (years {FIRST_YEAR} to {LAST_YEAR})")
    return parsed


def to_datetime(value, path):
    """An aware datetime (UTC) from an ISO 8601 date-time with a time zone."""
    if isinstance(value, datetime.datetime):
        return value
    check_text(value, path)
    example = "2026-07-20T03:15:00Z"
    if not _DATETIME.fullmatch(value):
        if _DATETIME.fullmatch(value + "Z"):
            raise DocumentError(f"{path}: {shown(value)} has no time zone; LHDN wants UTC, e.g. {example}")
        raise DocumentError(f"{path}: {shown(value)} is not an ISO date-time like {example}")
    try:
        parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise DocumentError(f"{path}: {shown(value)} is not an ISO date-time like {example}") from None
    # The year is checked before the conversion to UTC, which overflows at year 1.
    return _year(parsed, value, path).astimezone(datetime.timezone.utc)


def to_date(value, path):
    """A date from YYYY-MM-DD."""
    if isinstance(value, datetime.date):
        return value
    check_text(value, path)
    try:
        if not _DATE.fullmatch(value):
            raise ValueError
        parsed = datetime.date.fromisoformat(value)
    except ValueError:
        raise DocumentError(f"{path}: {shown(value)} is not a date like 2026-07-31") from None
    return _year(parsed, value, path)


def check_bool(value, path):
    """JSON true/false only: the string "false" is truthy, so it would mean yes."""
    if not isinstance(value, bool):
        raise DocumentError(f"{path}: expected true or false, got {json_type(value)} ({shown(value)})")
    return value
