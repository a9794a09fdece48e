"""LHDN code tables (e-invoice types, tax types, classifications, states,
countries, currencies, units, payment modes, MSIC), loaded from the CSV files
in ``data/`` that ``tools/convert_lhdn_codes.py`` made from LHDN's JSON.

Each table is a read-only ``{code: description}`` mapping, loaded once on first
use. Always submit the code, never the description.
"""

import csv
import functools
import re
from pathlib import Path
from types import MappingProxyType

DATA_DIR = Path(__file__).resolve().parent / "data"

TABLE_FILES = {
    "einvoice_types": "einvoice_types.csv",
    "tax_types": "tax_types.csv",
    "classifications": "classifications.csv",
    "states": "states.csv",
    "countries": "countries.csv",
    "currencies": "currencies.csv",
    "units": "units.csv",
    "payment_modes": "payment_modes.csv",
    "msic": "msic.csv",
}

# Special TINs (reference §6.6).
GENERAL_PUBLIC_TIN = "EI00000000010"
CONSOLIDATED_CLASSIFICATION = "004"  # lines of a consolidated e-invoice (reference §8.2)
FOREIGN_BUYER_TIN = "EI00000000020"
FOREIGN_SUPPLIER_TIN = "EI00000000030"
GOVERNMENT_TIN = "EI00000000040"
GENERAL_TINS = (GENERAL_PUBLIC_TIN, FOREIGN_BUYER_TIN, FOREIGN_SUPPLIER_TIN, GOVERNMENT_TIN)

ID_TYPES = ("BRN", "NRIC", "PASSPORT", "ARMY")
NOT_APPLICABLE_STATE = "17"
MALAYSIA = "MYS"


@functools.cache
def _rows(table):
    with open(DATA_DIR / TABLE_FILES[table], newline="", encoding="utf-8") as handle:
        return tuple(csv.DictReader(handle))


@functools.cache
def table(name):
    """``{code: description}`` of one LHDN table, e.g. ``table("states")["10"]``."""
    return MappingProxyType({row["code"]: row["name"] for row in _rows(name)})


def is_valid(name, code):
    return code in table(name)


def describe(name, code):
    return table(name).get(code)


@functools.cache
def _alpha2_to_alpha3():
    return MappingProxyType({row["alpha2"]: row["code"] for row in _rows("countries") if row["alpha2"]})


def country_alpha3(alpha2):
    """LHDN (ISO alpha-3) code for an ISO alpha-2 code as Odoo stores it, or None."""
    return _alpha2_to_alpha3().get((alpha2 or "").upper())


def country_alpha2(alpha3):
    """ISO alpha-2 code (as Odoo stores countries) for LHDN's alpha-3 code, or None."""
    wanted = (alpha3 or "").upper()
    return next((alpha2 for alpha2, code in _alpha2_to_alpha3().items() if code == wanted), None)


def state_code(country_alpha2, iso_state_code):
    """LHDN state code for an address.

    Malaysian states are stored by Odoo with their ISO 3166-2 codes (``MY-10``),
    whose numbers are LHDN's codes 01-16. Any address abroad is ``17``. Returns
    None when a Malaysian state cannot be mapped, so the caller can name the
    record and field to fix.
    """
    if (country_alpha2 or "").upper() != "MY":
        return NOT_APPLICABLE_STATE
    code = (iso_state_code or "").upper()
    code = code[3:] if code.startswith("MY-") else code
    if code and code != NOT_APPLICABLE_STATE and is_valid("states", code):
        return code
    return None


# --- shapes of identifiers (reference §5.4, §6.6, §10.2) -----------------------------

# Whole-string patterns (\A...\Z: "$" would also match before a final newline) of ASCII
# digits ([0-9]: "\d" also takes full-width and Arabic-Indic digits).
TIN_PATTERN = re.compile(r"\A(IG[0-9]{1,12}|(C|CS|D|F|FA|PT|TA|TC|TN|TR|TP|J|LE)[0-9]{1,12}0|EI[0-9]{11})\Z")
BRN_PATTERN = re.compile(r"\A[A-Za-z0-9-]{1,20}\Z")
OTHER_ID_PATTERN = re.compile(r"\A[A-Za-z0-9-]{1,12}\Z")
SST_PATTERN = re.compile(r"\A(NA|[A-Za-z0-9-]{1,35}(;[A-Za-z0-9-]{1,35})?)\Z")
TTX_PATTERN = re.compile(r"\A(NA|[A-Za-z0-9-]{1,17})\Z")
PHONE_PATTERN = re.compile(r"\A\+?[0-9]{7,19}\Z")
MSIC_PATTERN = re.compile(r"\A[0-9]{5}\Z")
_TIN_PARTS = re.compile(r"\A(IG|OG|SG|EI|C|CS|D|F|FA|PT|TA|TC|TN|TR|TP|J|LE)([0-9]+)\Z")
_DIGITS = re.compile(r"\A[0-9]+\Z")


def normalize_tin(tin):
    """Normalise a TIN the way LHDN stores it (reference §6.6): upper case, no
    spaces, no leading zeros after the prefix, non-individual TINs ending in 0.
    Returns the input stripped when it does not look like a TIN at all."""
    value = "".join((tin or "").split()).upper()
    match = _TIN_PARTS.fullmatch(value)
    if not match:
        return value
    prefix, digits = match.groups()
    if prefix == "EI":
        return value
    if prefix in ("OG", "SG"):
        prefix = "IG"
    digits = digits.lstrip("0") or "0"
    if prefix != "IG" and not digits.endswith("0"):
        digits += "0"
    return prefix + digits


def is_tin(tin):
    return isinstance(tin, str) and bool(TIN_PATTERN.fullmatch(tin)) and len(tin) <= 14


def is_id_number(id_type, number):
    """Shape of a registration/ID number for its scheme (``NA`` always allowed)."""
    if number == "NA":
        return True
    if id_type == "BRN":
        return bool(BRN_PATTERN.fullmatch(number or ""))
    if id_type in ID_TYPES:
        return bool(OTHER_ID_PATTERN.fullmatch(number or ""))
    return False


def is_sst(number):
    return bool(SST_PATTERN.fullmatch(number or ""))


def is_ttx(number):
    return bool(TTX_PATTERN.fullmatch(number or ""))


def normalize_phone(phone):
    """E.164-style phone as LHDN wants it: an optional leading ``+`` and digits,
    no spaces, dashes or brackets. Returns None when it cannot be made valid."""
    raw = (phone or "").strip()
    if not raw:
        return None
    plus = raw.startswith("+")
    digits = re.sub(r"[\s\-().]", "", raw[1:] if plus else raw)
    if not _DIGITS.fullmatch(digits):  # not str.isdigit(): it takes "²" and Arabic-Indic digits
        return None
    value = ("+" if plus else "") + digits
    return value if PHONE_PATTERN.fullmatch(value) and 8 <= len(value) <= 20 else None
