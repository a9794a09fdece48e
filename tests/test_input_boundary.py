"""Issue 16: bad input gets a named error, never a traceback. One test per reproducer
of the fuzzing session, on the JSON form (the input boundary, document_input.py), on a
Document built in Python as the Odoo layer builds it (validation), and on the CLI."""

import copy
import json
import subprocess
import sys
from decimal import Decimal

import pytest

from l10n_my_einvoice.myinvois import codes, ubl, validation
from l10n_my_einvoice.myinvois.__main__ import main
from l10n_my_einvoice.myinvois.document import Document, DocumentError, Tax

from . import doc_factory as f
from .conftest import ROOT

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def refused(change):
    """The DocumentError message for the sample invoice changed by ``change(data)``."""
    data = copy.deepcopy(f.load("invoice"))
    change(data)
    with pytest.raises(DocumentError) as caught:
        Document.from_dict(data)
    return str(caught.value)


def issues(doc):
    return {issue.path: issue.message for issue in validation.validate(doc, now=f.NOW, for_submission=False)}


# --- types ------------------------------------------------------------------------------


def test_number_given_as_a_json_number():
    message = refused(lambda data: data.update(number=123))
    assert message == "document.number: expected a string, got a number (123)"


def test_tin_given_as_an_integer():
    message = refused(lambda data: data["buyer"].update(tin=9876543210))
    assert message.startswith("document.buyer.tin: expected a string, got a number")


def test_nested_list_of_classifications():
    message = refused(lambda data: data["lines"][0].update(classifications=[["022"]]))
    assert message == "document.lines[0].classifications[0]: expected a string, got a list (['022'])"


def test_null_inside_a_list():
    message = refused(lambda data: data["lines"].insert(1, None))
    assert message == "document.lines[1]: null is not allowed in a list; remove it"
    message = refused(lambda data: data["lines"][0]["classifications"].append(None))
    assert message.startswith("document.lines[0].classifications[1]: null is not allowed")


def test_a_string_where_true_or_false_is_expected():
    # "false" is truthy: taken as is it would turn a discount into a charge.
    message = refused(lambda data: data["lines"][0]["allowances"][0].update(charge="false"))
    assert message.startswith("document.lines[0].allowances[0].charge: expected true or false, got a string")


# --- characters ---------------------------------------------------------------------------


def test_control_character_in_a_text():
    message = refused(lambda data: data["buyer"].update(name="Pelanggan\x00 Berhad"))
    assert message == "document.buyer.name: contains the control character U+0000 at position 9; remove it"


def test_lone_surrogate_in_a_text():
    message = refused(lambda data: data["lines"][0].update(description="Support \ud800"))
    assert message.startswith("document.lines[0].description: contains a lone surrogate U+D800 at position 8")


def test_line_break_only_in_free_text():
    message = refused(lambda data: data["supplier"]["address"].update(city="Petaling\nJaya"))
    assert (
        message == "document.supplier.address.city: contains a line break at position 8; this field is one line of text"
    )
    data = copy.deepcopy(f.load("invoice"))
    data["lines"][0]["description"] = "Software support\nJuly 2026"
    assert issues(Document.from_dict(data)) == {}


def test_control_character_in_a_document_built_in_python():
    doc = f.invoice()
    doc.buyer.name = "Pelanggan\x07 Berhad"
    assert issues(doc) == {"buyer.name": "The text has the control character U+0007 at position 9; remove it."}


# --- numbers and dates --------------------------------------------------------------------


def test_amount_with_an_exponent():
    message = refused(lambda data: data["lines"][0].update(unit_price="1e30"))
    assert message.startswith("document.lines[0].unit_price: '1e30' has an exponent")


def test_amount_of_ten_thousand_digits():
    message = refused(lambda data: data["lines"][0].update(quantity="9" * 10_000))
    assert message == (
        "document.lines[0].quantity: the number is too large; at most 15 digits before the decimal point"
    )
    message = refused(lambda data: data["lines"][0].update(quantity=10**10_000))
    assert message == "document.lines[0].quantity: the number is too large; at most 15 digits"


def test_amounts_that_fit_but_whose_product_does_not():
    message = refused(lambda data: data["lines"][0].update(quantity="9" * 15, unit_price="9" * 15))
    assert message.startswith("document.lines[0]: quantity x unit price comes to 1.00E+30; amounts have at most 15")


def test_too_many_decimals_nan_and_separators():
    assert "has 11 decimals; at most 10" in refused(lambda data: data.update(rounding="0.00000000001"))
    assert "'NaN' is not a finite number" in refused(lambda data: data.update(rounding="NaN"))
    assert "'1,000.00' is not a number" in refused(lambda data: data.update(rounding="1,000.00"))


def test_year_1_in_a_date():
    message = refused(lambda data: data.update(issued_at="0001-01-01T00:00:00+08:00"))
    assert message == "document.issued_at: '0001-01-01T00:00:00+08:00' is not a plausible date (years 2000 to 2100)"
    message = refused(lambda data: data.update(period_start="0001-01-01"))
    assert message.startswith("document.period_start: '0001-01-01' is not a plausible date")


# --- patterns: the whole string, ASCII digits ---------------------------------------------

PATTERN_FIELDS = {
    "tin": ("buyer", "tin", "C9876543210"),
    "phone": ("buyer", "phone", "+6071234567"),
    "postcode": ("buyer.address", "postal_zone", "80000"),
    "sst": ("supplier", "sst", "W10-1808-32000000"),
    "email": ("buyer", "email", "ap@pelanggan.example"),
    "id_number": ("buyer", "id_number", "201901098765"),
    "msic": ("supplier", "msic", "62099"),
}


def _set(doc, where, name, value):
    holder = doc
    for part in where.split("."):
        holder = getattr(holder, part)
    setattr(holder, name, value)


@pytest.mark.parametrize("field", PATTERN_FIELDS)
def test_trailing_newline_in_a_pattern_field(field):
    where, name, value = PATTERN_FIELDS[field]
    path = f"{where}.{name}"
    # In the JSON form: refused at the boundary, a line break in a one-line field ...
    data = copy.deepcopy(f.load("invoice"))
    holder = data
    for part in where.split("."):
        holder = holder[part]
    holder[name] = value + "\n"
    with pytest.raises(DocumentError, match=f"document.{path}: contains a line break"):
        Document.from_dict(data)
    # ... and in a Document built in Python, by the pattern ("$" matched before the "\n").
    doc = f.invoice()
    _set(doc, where, name, value + "\n")
    assert path in issues(doc)


@pytest.mark.parametrize("digits", [FULL_WIDTH, ARABIC_INDIC], ids=["full-width", "arabic-indic"])
@pytest.mark.parametrize("field", ["tin", "phone", "postcode", "id_number", "msic"])
def test_non_ascii_digits_in_a_pattern_field(field, digits):
    where, name, value = PATTERN_FIELDS[field]
    doc = f.invoice()
    _set(doc, where, name, value.translate(digits))
    assert f"{where}.{name}" in issues(doc)


@pytest.mark.parametrize("digits", [FULL_WIDTH, ARABIC_INDIC], ids=["full-width", "arabic-indic"])
def test_non_ascii_digits_in_amounts_dates_and_codes(digits):
    for change, path in (
        (lambda data: data["lines"][0].update(quantity="12".translate(digits)), "document.lines[0].quantity"),
        (lambda data: data.update(period_start="2026-07-01".translate(digits)), "document.period_start"),
    ):
        assert refused(change).startswith(path + ": ")
    doc = f.invoice()
    doc.lines[0].classifications = ["022".translate(digits)]
    assert "lines[0].classifications[0]" in issues(doc)


def test_codes_helpers_take_only_whole_strings_of_ascii_digits():
    assert codes.is_tin("C1234567890") and not codes.is_tin("C1234567890\n")
    assert not codes.is_tin("C1234567890".translate(FULL_WIDTH))
    assert codes.is_sst("W10-1808-32000000") and not codes.is_sst("W10-1808-32000000\n")
    assert codes.is_id_number("BRN", "201901098765") and not codes.is_id_number("BRN", "201901098765\n")
    assert codes.normalize_phone("+60 12-345 6789") == "+60123456789"
    assert codes.normalize_phone("+60123456789".translate(ARABIC_INDIC)) is None
    assert codes.normalize_phone("+6012345678²") is None  # str.isdigit() says "²" is a digit
    assert codes.normalize_tin("c１２３") == "C１２３"  # left as given: not a TIN


# --- signs ----------------------------------------------------------------------------------


def test_negative_taxable_amount():
    doc = f.invoice()
    doc.lines[2].taxes = [Tax(type="01", percent=Decimal("5"), taxable_amount=Decimal("-37.50"))]
    assert issues(doc) == {
        "lines[2].taxes[0].taxable_amount": "The taxable amount is negative (-37.50) on a line of 37.50; "
        "it would lower the tax and the total."
    }


@pytest.mark.parametrize("field", ["per_unit_amount", "base_unit_measure", "amount"])
def test_negative_per_unit_amount_measure_or_tax(field):
    doc = f.invoice()
    tax = Tax(type="03", per_unit_amount=Decimal("10.00"), base_unit_measure=Decimal("2"), base_unit_code="DAY")
    setattr(tax, field, -getattr(tax, field) if getattr(tax, field) is not None else Decimal("-20.00"))
    doc.lines[2].taxes = [tax]
    assert f"lines[2].taxes[0].{field}" in issues(doc)


def test_a_negative_line_keeps_negative_taxes():
    doc = f.invoice()
    line = doc.lines[2]
    line.unit_price = Decimal("-12.50")  # -37.50: a return, or Odoo's global discount line
    line.taxes = [Tax(type="01", percent=Decimal("5"), taxable_amount=Decimal("-37.50"), amount=Decimal("-1.88"))]
    assert issues(doc) == {}
    line.taxes[0].amount = Decimal("1.88")
    assert list(issues(doc)) == ["lines[2].taxes[0].amount"]


def test_a_consolidated_line_may_net_one_tax_type_negative():
    """A range of receipts with a discount receipt under another tax type: the books'
    sums, declared as booked (tests/test_consolidation_books in Odoo found it)."""
    doc = f.consolidated()
    doc.lines[2].taxes = [
        Tax(type="01", percent=Decimal("5"), taxable_amount=Decimal("50.00"), amount=Decimal("2.50")),
        Tax(type="02", percent=Decimal("10"), taxable_amount=Decimal("-12.50"), amount=Decimal("-1.25")),
    ]
    assert not [path for path in issues(doc) if "taxes" in path]
    doc.consolidated = False
    assert "lines[2].taxes[1].taxable_amount" in issues(doc)


def test_shipping_charge_and_recipient_id():
    doc = f.rich_invoice()
    doc.delivery.other_charges[0].amount = None
    doc.delivery.id_number = "201901098765".translate(ARABIC_INDIC)
    assert set(issues(doc)) == {"delivery.other_charges[0].amount", "delivery.id_number"}


# --- the CLI --------------------------------------------------------------------------------


def test_cli_bad_json_file_is_one_line_exit_2_and_no_traceback(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"number": ')
    result = subprocess.run(
        [sys.executable, "-m", "l10n_my_einvoice.myinvois", "build", str(bad), "-o", str(tmp_path / "x.xml")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr == f"{bad}: not JSON: Expecting value at line 1 column 12\n"
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_cli_debug_shows_the_traceback(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2")
    assert main(["--debug", "build", str(bad), "-o", str(tmp_path / "x.xml")]) == 2
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and err.endswith(
        f"{bad}: not JSON: Expecting ',' delimiter at line 1 column 6\n"
    )
    assert main(["build", str(bad), "-o", str(tmp_path / "x.xml"), "--debug"]) == 2
    assert "Traceback" in capsys.readouterr().err


@pytest.mark.parametrize(
    "content, reason",
    [
        (None, "cannot read: No such file or directory"),
        ("dir", "cannot read: Is a directory"),
        (b"\xff\xfe{}", "not UTF-8 text: byte 0xff at position 0"),
        ('{"number": 123}', "document.number: expected a string, got a number (123)"),
        ('{"lines": [{"quantity": ' + "9" * 10_000 + "}]}", "document.lines[0].quantity: the number is too large"),
        ('{"number": "\\ud800"}', "document.number: contains a lone surrogate U+D800"),
        ("[" * 100_000 + "]" * 100_000, "not JSON we can read: nested too deeply"),
    ],
    ids=["missing", "directory", "not-utf8", "number-as-int", "10000-digits", "surrogate", "deep"],
)
def test_cli_build_bad_input(tmp_path, capsys, content, reason):
    path = tmp_path / "input.json"
    if content == "dir":
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    assert main(["build", str(path), "-o", str(tmp_path / "x.xml")]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith(f"{path}: {reason}") and err.count("\n") == 1, err
    assert not (tmp_path / "x.xml").exists()


def test_cli_bad_files_for_the_other_commands(tmp_path, capsys):
    not_xml, not_p12 = tmp_path / "a.xml", tmp_path / "c.p12"
    not_xml.write_text("not xml")
    not_p12.write_text("not a certificate")
    missing = tmp_path / "missing.xml"
    assert main(["validate", str(missing)]) == 2
    assert capsys.readouterr().err == f"{missing}: cannot read: No such file or directory\n"
    assert main(["verify", str(tmp_path)]) == 2
    assert capsys.readouterr().err == f"{tmp_path}: cannot read: Is a directory\n"
    for command in (["sign", str(not_xml), "-o", str(tmp_path / "s.xml")], ["diagnose"], ["certificate"]):
        assert main([*command, "--p12", str(not_p12)]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"{not_p12}: This file is not a PKCS#12 certificate") and err.count("\n") == 1
    built = tmp_path / "x.xml"
    assert main(["build", str(ROOT / "samples" / "documents" / "invoice.json"), "-o", str(built)]) == 0
    assert main(["build", str(ROOT / "samples" / "documents" / "invoice.json"), "-o", str(tmp_path / "no" / "x")]) == 2
    assert capsys.readouterr().err == f"{tmp_path / 'no' / 'x'}: cannot write: No such file or directory\n"
    assert ubl.from_xml(built.read_bytes()).number == "INV-2026-000123"


def test_cli_a_bug_is_one_line_without_debug(monkeypatch, tmp_path, capsys):
    def broken(*args, **kwargs):
        raise KeyError("oops")

    monkeypatch.setattr(validation, "validate", broken)
    source = ROOT / "samples" / "documents" / "invoice.json"
    assert main(["build", str(source), "-o", str(tmp_path / "x.xml")]) == 3
    err = capsys.readouterr().err
    assert err == "internal error: KeyError: 'oops' (run again with --debug for the traceback)\n"
    with pytest.raises(KeyError):
        main(["--debug", "build", str(source), "-o", str(tmp_path / "x.xml")])


def test_the_samples_still_pass():
    for name in ("invoice", "credit-note", "self-billed-invoice"):
        data = json.loads((ROOT / "samples" / "documents" / f"{name}.json").read_text())
        assert issues(Document.from_dict(data)) == {}, name
