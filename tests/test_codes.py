import csv
import json

import pytest
from lxml import etree

from l10n_my_einvoice.myinvois import codes

from .conftest import ROOT

LHDN_FILES = {
    "einvoice_types": ("EInvoiceTypes.json", "Description"),
    "tax_types": ("TaxTypes.json", "Description"),
    "classifications": ("ClassificationCodes.json", "Description"),
    "states": ("StateCodes.json", "State"),
    "countries": ("CountryCodes.json", "Country"),
    "currencies": ("CurrencyCodes.json", "Currency"),
    "units": ("UnitTypes.json", "Name"),
    "payment_modes": ("PaymentMethods.json", "Payment Method"),
    "msic": ("MSICSubCategoryCodes.json", "Description"),
}


@pytest.mark.parametrize("table", sorted(LHDN_FILES))
def test_every_lhdn_code_is_in_the_core_table(lhdn_data, table):
    filename, label = LHDN_FILES[table]
    published = json.loads((lhdn_data / filename).read_text(encoding="utf-8-sig"))
    expected = {row["Code"]: " ".join(row[label].split()) for row in published}
    assert dict(codes.table(table)) == expected


def test_table_sizes_match_the_reference():
    sizes = {name: len(codes.table(name)) for name in codes.TABLE_FILES}
    # MSIC: LHDN publishes 1,175 rows, one of them (16211) twice.
    assert sizes == {
        "einvoice_types": 8,
        "tax_types": 7,
        "classifications": 45,
        "states": 17,
        "countries": 253,
        "currencies": 180,
        "units": 2162,
        "payment_modes": 8,
        "msic": 1174,
    }


def test_odoo_data_files_match_the_core_tables():
    data = ROOT / "l10n_my_einvoice" / "data"
    tree = etree.parse(str(data / "l10n_my_einvoice.classification.xml"))
    records = {
        rec.findtext("field[@name='code']"): rec.findtext("field[@name='name']") for rec in tree.iterfind("record")
    }
    assert records == dict(codes.table("classifications"))
    assert tree.getroot().get("noupdate") == "1", "users' edits survive an upgrade"
    with open(data / "l10n_my_einvoice.msic.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["code"]: row["name"] for row in rows} == dict(codes.table("msic"))
    assert len({row["id"] for row in rows}) == len(rows)


@pytest.mark.parametrize(
    "alpha2, alpha3", [("MY", "MYS"), ("sg", "SGP"), ("XK", "XKX"), ("US", "USA"), ("ZZ", None), ("", None)]
)
def test_country_alpha3(alpha2, alpha3):
    assert codes.country_alpha3(alpha2) == alpha3


@pytest.mark.parametrize(
    "country, state, expected",
    [
        ("MY", "MY-10", "10"),
        ("MY", "MY-01", "01"),
        ("MY", "14", "14"),
        ("MY", "MY-17", None),
        ("MY", "JHR", None),
        ("MY", False, None),
        ("SG", "SG-01", "17"),
        ("US", "CA", "17"),
    ],
)
def test_state_code(country, state, expected):
    assert codes.state_code(country, state) == expected


@pytest.mark.parametrize(
    "raw, normal",
    [
        ("C01234567890", "C1234567890"),
        ("c 123456789", "C1234567890"),
        ("OG12345678901", "IG12345678901"),
        ("IG0012345", "IG12345"),
        ("EI00000000010", "EI00000000010"),
        ("not a tin", "NOTATIN"),
    ],
)
def test_normalize_tin(raw, normal):
    assert codes.normalize_tin(raw) == normal


@pytest.mark.parametrize(
    "tin, ok",
    [
        ("C1234567890", True),
        ("IG12345678901", True),
        ("EI00000000010", True),
        ("LE1234567890", True),
        ("C123456789", False),
        ("X1234567890", False),
        ("C12345678901234560", False),
        ("", False),
    ],
)
def test_is_tin(tin, ok):
    assert codes.is_tin(tin) is ok


@pytest.mark.parametrize(
    "phone, normal",
    [
        ("+60123456789", "+60123456789"),
        ("+60 12-345 6789", "+60123456789"),
        ("03-7890 1234", "0378901234"),
        ("(03) 7890-1234", "0378901234"),
        ("12345", None),
        ("call me", None),
        ("+6012345678901234567890", None),
        ("", None),
        (None, None),
    ],
)
def test_normalize_phone(phone, normal):
    assert codes.normalize_phone(phone) == normal


@pytest.mark.parametrize(
    "checker, value, ok",
    [
        (codes.is_sst, "W10-1808-32000000", True),
        (codes.is_sst, "W10-1808-32000000;W10-1808-32000001", True),
        (codes.is_sst, "A;B;C", False),
        (codes.is_sst, "W10 1808", False),
        (codes.is_sst, "NA", True),
        (codes.is_ttx, "141-1234-56789012", True),
        (codes.is_ttx, "141-1234-567890123", False),
    ],
)
def test_sst_and_ttx(checker, value, ok):
    assert checker(value) is ok


@pytest.mark.parametrize(
    "id_type, number, ok",
    [
        ("BRN", "202001012345", True),
        ("BRN", "A" * 21, False),
        ("NRIC", "830503114923", True),
        ("NRIC", "8305031149231", False),
        ("PASSPORT", "A00000000", True),
        ("ARMY", "NA", True),
        ("XYZ", "1", False),
    ],
)
def test_id_numbers(id_type, number, ok):
    assert codes.is_id_number(id_type, number) is ok
