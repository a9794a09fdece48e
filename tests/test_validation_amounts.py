"""Negative lines, and the rules on what an XML document declares (issue 12).

Each defect is made by writing a clean document with ubl.to_xml, changing one thing
in the XML with lxml, and reading it back with ubl.from_xml: the reader keeps what
the document declares, and validate names the element that does not add up.
"""

import copy
from decimal import Decimal

import pytest
from lxml import etree

from l10n_my_einvoice.myinvois import certificate, signing, ubl, validation, xml_checks
from l10n_my_einvoice.myinvois.document import AllowanceCharge, Line, Tax
from l10n_my_einvoice.myinvois.emulator import Emulator

from . import doc_factory as f
from .test_emulator import SUPPLIER_TIN, Api, seed

NS = xml_checks.NS
D = Decimal


def found(doc):
    return [(i.path, i.rule) for i in validation.validate(doc, now=f.NOW)]


def edited(doc, change=None):
    """doc -> XML -> (change) -> Document read back."""
    root = etree.fromstring(ubl.to_xml(doc))
    if change:
        change(root)
    return ubl.from_xml(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def set_text(xpath, text):
    def change(root):
        root.xpath(xpath, namespaces=NS)[0].text = text

    return change


def set_attribute(xpath, name, value):
    def change(root):
        root.xpath(xpath, namespaces=NS)[0].set(name, value)

    return change


def add_after(xpath, xml):
    def change(root):
        anchor = root.xpath(xpath, namespaces=NS)[0]
        anchor.addnext(etree.fromstring(f'<x xmlns:cac="{ubl.NS_CAC}" xmlns:cbc="{ubl.NS_CBC}">{xml}</x>')[0])

    return change


def remove(xpath):
    def change(root):
        element = root.xpath(xpath, namespaces=NS)[0]
        element.getparent().remove(element)

    return change


def copy_after(xpath, then=None):
    def change(root):
        element = root.xpath(xpath, namespaces=NS)[0]
        twin = copy.deepcopy(element)
        element.addnext(twin)
        if then:
            then(twin)

    return change


def negative_lines_invoice():
    """Odoo's negative lines: a global discount (1 x -20.00, taxed), a down-payment
    deduction (-1 x 30.00) with 10 % off (-3.00), a line of quantity 0."""
    doc = f.invoice()
    doc.lines += [
        Line(
            description="Global discount",
            quantity=D("1"),
            unit_price=D("-20.00"),
            unit_code="C62",
            classifications=["022"],
            taxes=[Tax(type="01", percent=D("10"))],
        ),
        Line(
            description="Down payment deduction",
            quantity=D("-1"),
            unit_price=D("30.00"),
            unit_code="C62",
            classifications=["022"],
            allowances=[AllowanceCharge(rate=D("0.1"), reason="Discount 10%")],
            taxes=[Tax(type="06")],
        ),
        Line(
            description="Cancelled item",
            quantity=D("0"),
            unit_price=D("99.00"),
            unit_code="C62",
            classifications=["022"],
            taxes=[Tax(type="06")],
        ),
    ]
    return doc


def fixed_tax_invoice():
    doc = f.invoice()
    doc.lines[1].taxes = [Tax(type="03", per_unit_amount=D("10.00"), base_unit_measure=D("2"), base_unit_code="DAY")]
    return doc


# --- negative lines ------------------------------------------------------------------------


def test_negative_lines_pass_and_round_trip():
    doc = negative_lines_invoice()
    amounts = doc.amounts()
    assert [line.total for line in amounts.lines[3:]] == [D("-20.00"), D("-27.00"), D("0.00")]
    assert amounts.lines[3].tax_total == D("-2.00") and amounts.lines[4].allowances == (D("-3.00"),)
    assert found(doc) == []
    data = ubl.to_xml(doc)
    assert [str(finding) for finding in xml_checks.validate_xml(data)] == []
    back = ubl.from_xml(data)
    assert back.lines[5].quantity == 0, "quantity 0 is read as 0, not as the default 1"
    assert ubl.to_xml(back) == data
    assert found(back) == []


def test_a_negative_line_discount_carries_the_line_sign():
    doc = negative_lines_invoice()
    doc.lines[4].allowances = [AllowanceCharge(amount=D("-3.00"), reason="Discount")]
    assert found(doc) == []
    doc.lines[4].allowances = [AllowanceCharge(amount=D("3.00"), reason="Discount")]
    assert found(doc) == [("lines[4].allowances[0].amount", "allowance_sign")]
    doc.lines[4].allowances = [AllowanceCharge(amount=D("-30.01"), reason="Discount")]
    assert found(doc) == [("lines[4].allowances[0].amount", "allowance_exceeds")]


def test_a_negative_payable_is_a_credit_note():
    doc = f.invoice()
    doc.lines[1].unit_price = D("-3500.00")
    issues = validation.validate(doc, now=f.NOW)
    assert [(i.path, i.rule) for i in issues] == [("payable_amount", "negative")]
    assert issues[0].message.startswith("The amount payable is negative (-")
    assert "issue a credit note instead; MyInvois amounts give the direction by the document type." in (
        issues[0].message
    )
    assert "nota kredit" in issues[0].message_ms
    note = f.note("02")
    note.lines[1].unit_price = D("-3500.00")
    assert found(note) == [("payable_amount", "negative")]


# --- what the XML declares -----------------------------------------------------------------

LINE = "/*/cac:InvoiceLine"
DOC_SUBTOTAL = "/*/cac:TaxTotal/cac:TaxSubtotal"
EXCHANGE_RATE = (
    "<cac:TaxExchangeRate><cbc:SourceCurrencyCode>USD</cbc:SourceCurrencyCode>"
    "<cbc:TargetCurrencyCode>MYR</cbc:TargetCurrencyCode><cbc:CalculationRate>4.2</cbc:CalculationRate>"
    "</cac:TaxExchangeRate>"
)


def usd():
    return f.invoice(currency="USD", exchange_rate="4.2150")


DEFECTS = [
    # (document, change to its XML, the one issue expected)
    (
        f.rich_invoice,
        set_text(f"{LINE}[3]/cbc:LineExtensionAmount", "37.51"),
        ("lines[2].LineExtensionAmount", "line_extension"),
    ),
    (
        f.rich_invoice,
        set_text(f"{LINE}[2]/cac:ItemPriceExtension/cbc:Amount", "3199.99"),
        ("lines[1].ItemPriceExtension.Amount", "line_subtotal"),
    ),
    (
        f.rich_invoice,
        set_text(f"{LINE}[3]/cac:TaxTotal/cbc:TaxAmount", "4.87"),
        ("lines[2].TaxTotal.TaxAmount", "line_tax_total"),
    ),
    (
        fixed_tax_invoice,
        set_text(f"{LINE}[2]/cac:TaxTotal/cac:TaxSubtotal/cbc:PerUnitAmount", "10.50"),
        ("lines[1].taxes[0].amount", "per_unit_tax"),
    ),
    (
        f.rich_invoice,
        set_text(f"{DOC_SUBTOTAL}[1]/cbc:TaxableAmount", "127.49"),
        ("TaxTotal.TaxSubtotal[0].TaxableAmount", "tax_subtotal"),
    ),
    (
        f.rich_invoice,
        set_text(f"{DOC_SUBTOTAL}[2]/cbc:TaxAmount", "303.39"),
        ("TaxTotal.TaxSubtotal[1].TaxAmount", "tax_subtotal"),
    ),
    (f.invoice, remove(f"{DOC_SUBTOTAL}[1]"), ("TaxTotal.TaxSubtotal", "tax_subtotal")),
    (
        f.invoice,
        copy_after(f"{DOC_SUBTOTAL}[2]", lambda twin: setattr(twin.find("cac:TaxCategory/cbc:ID", NS), "text", "03")),
        ("TaxTotal.TaxSubtotal[2]", "tax_subtotal"),
    ),
    (f.invoice, copy_after(f"{DOC_SUBTOTAL}[2]"), ("TaxTotal.TaxSubtotal[2]", "tax_subtotal")),
    (f.invoice, set_text("/*/cac:TaxTotal/cbc:TaxAmount", "329.09"), ("totals.TaxAmount", "totals")),
    (
        f.invoice,
        set_attribute(f"{LINE}[1]/cbc:LineExtensionAmount", "currencyID", "USD"),
        ("/*/cac:InvoiceLine[1]/cbc:LineExtensionAmount", "amount_currency"),
    ),
    (
        usd,
        set_attribute(f"{LINE}[3]/cac:Price/cbc:PriceAmount", "currencyID", "MYR"),
        ("/*/cac:InvoiceLine[3]/cac:Price/cbc:PriceAmount", "amount_currency"),
    ),
    (
        usd,
        add_after("/*/cbc:DocumentCurrencyCode", "<cbc:TaxCurrencyCode>MYR</cbc:TaxCurrencyCode>"),
        ("/*/cac:TaxTotal/cbc:TaxAmount", "tax_currency"),
    ),
    (
        usd,
        set_text("/*/cac:TaxExchangeRate/cbc:SourceCurrencyCode", "EUR"),
        ("/*/cac:TaxExchangeRate/cbc:SourceCurrencyCode", "exchange_currency"),
    ),
    (
        usd,
        set_text("/*/cac:TaxExchangeRate/cbc:TargetCurrencyCode", "SGD"),
        ("/*/cac:TaxExchangeRate/cbc:TargetCurrencyCode", "exchange_currency"),
    ),
    (
        f.invoice,
        add_after("/*/cac:PaymentTerms", EXCHANGE_RATE),
        ("/*/cac:TaxExchangeRate/cbc:SourceCurrencyCode", "exchange_currency"),
    ),
    (
        f.consolidated,
        set_text(f"{LINE}[2]/cac:Item/cac:CommodityClassification/cbc:ItemClassificationCode[@listID='CLASS']", "022"),
        ("lines[1].classifications", "consolidated"),
    ),
]
IDS = [f"{make.__name__}:{expected[0]}:{expected[1]}" for make, _c, expected in DEFECTS]


@pytest.mark.parametrize("make, change, expected", DEFECTS, ids=IDS)
def test_a_declared_value_that_does_not_add_up_is_named(make, change, expected):
    assert found(edited(make())) == [], "the document without the defect passes"
    doc = edited(make(), change)
    issues = validation.validate(doc, now=f.NOW)
    assert [(i.path, i.rule) for i in issues] == [expected], [str(i) for i in issues]
    assert issues[0].message and issues[0].message_ms and issues[0].message != issues[0].message_ms


def test_the_exempt_subtotal_is_matched_with_its_exemption_reason():
    xpath = f"{DOC_SUBTOTAL}[cac:TaxCategory/cbc:ID='E']/cac:TaxCategory/cbc:TaxExemptionReason"
    issues = validation.validate(edited(f.rich_invoice(), set_text(xpath, "Other")), now=f.NOW)
    assert [(i.path, i.rule) for i in issues] == [
        ("TaxTotal.TaxSubtotal[2]", "tax_subtotal"),
        ("TaxTotal.TaxSubtotal", "tax_subtotal"),
    ]
    assert "E (exemption reason 'Other')" in issues[0].message


def test_the_reader_keeps_what_the_document_declares():
    doc = edited(usd())
    assert doc.lines[1].declared == {
        "LineExtensionAmount": D("3200.00"),
        "ItemPriceExtension.Amount": D("3200.00"),
        "TaxTotal.TaxAmount": D("320.00"),
    }
    assert [(s.type, s.taxable_amount, s.amount) for s in doc.declared_tax_subtotals] == [
        ("02", D("90.00"), D("7.20")),
        ("01", D("3237.50"), D("321.88")),
    ]
    assert ("/*/cac:LegalMonetaryTotal/cbc:PayableAmount", "USD") in doc.declared_currencies
    assert {currency for _path, currency in doc.declared_currencies} == {"USD"}
    assert (doc.declared_tax_currency, doc.declared_exchange_currencies) == ("", ("USD", "MYR"))
    assert edited(f.invoice()).declared_tax_currency == "MYR"
    built = f.invoice()  # built in Python: nothing declared, the declared-value rules pass trivially
    assert built.declared_tax_subtotals is None and built.declared_currencies == [] and built.lines[0].declared == {}


def test_a_usd_document_with_tax_currency_myr_is_refused():
    change = add_after("/*/cbc:DocumentCurrencyCode", "<cbc:TaxCurrencyCode>MYR</cbc:TaxCurrencyCode>")
    issues = validation.validate(edited(usd(), change), now=f.NOW)
    assert [(i.path, i.rule) for i in issues] == [("/*/cac:TaxTotal/cbc:TaxAmount", "tax_currency")]
    assert "more amount(s) too" in issues[0].message


# --- consolidated ------------------------------------------------------------------------------


def test_the_general_public_buyer_makes_a_read_document_consolidated():
    doc = edited(f.consolidated())
    assert doc.consolidated and found(doc) == []


def test_an_individual_with_the_general_tin_is_not_consolidated():
    doc = f.invoice()
    doc.buyer.tin, doc.buyer.id_type, doc.buyer.id_number = "EI00000000010", "NRIC", "900101015555"
    back = edited(doc)
    assert not back.consolidated
    assert found(back) == [], "its lines need not be classified 004"


def test_a_consolidated_self_billed_document_has_the_general_public_as_supplier():
    doc = f.self_billed()
    doc.supplier.tin, doc.supplier.id_number = "EI00000000010", "NA"
    for line in doc.lines:
        line.classifications = ["004"]
    back = edited(doc)
    assert back.consolidated and found(back) == []
    back.lines[0].classifications = ["022"]
    assert found(back) == [("lines[0].classifications", "consolidated")]


def test_a_consolidated_document_needs_the_general_public_tin():
    doc = f.consolidated()
    doc.buyer.tin, doc.buyer.phone = "C9876543210", "+6071234567"
    assert found(doc) == [("buyer.tin", "consolidated")]
    self_billed = f.self_billed()
    self_billed.consolidated = True
    for line in self_billed.lines:
        line.classifications = ["004"]
    assert found(self_billed) == [("supplier.tin", "consolidated")]


# --- the emulator answers these in MyInvois's shape -------------------------------------------


@pytest.fixture
def emu():
    with Emulator() as emulator:
        seed(emulator)
        yield emulator


def test_the_emulator_names_the_currency_and_arithmetic_defects(emu):
    supplier_cert = certificate.load_pkcs12(certificate.make_test_certificate(tin=SUPPLIER_TIN, password=b"pw"), "pw")
    supplier = Api(emu, "supplier", "s3cret")
    doc = usd()
    doc.issued_at = emu.clock.now().replace(microsecond=0)

    def submitted(change):
        root = etree.fromstring(ubl.to_xml(doc))
        change(root)
        xml = signing.sign_xml(etree.tostring(root, xml_declaration=True, encoding="UTF-8"), supplier_cert)
        return supplier.details(supplier.submit_one(xml))

    details = submitted(set_attribute(f"{LINE}[1]/cbc:LineExtensionAmount", "currencyID", "EUR"))
    steps = {step["name"]: step for step in details["validationResults"]["validationSteps"]}
    currency = steps["Step07-Currency Validator"]
    assert details["status"] == "Invalid" and currency["status"] == "Invalid"
    inner = currency["error"]["innerError"][0]
    assert {"propertyName", "propertyPath", "errorCode", "error", "errorMS", "innerError"} <= set(inner)
    assert (inner["errorCode"], inner["propertyName"], inner["propertyPath"]) == (
        "DC502",
        "LineExtensionAmount",
        "/*/cac:InvoiceLine[1]/cbc:LineExtensionAmount",
    )
    assert currency["error"]["errorCode"] == "Error07"
    doc.number = "INV-2"
    details = submitted(set_text(f"{LINE}[2]/cbc:LineExtensionAmount", "3200.01"))
    core = next(s for s in details["validationResults"]["validationSteps"] if s["name"].startswith("Step02"))
    inner = core["error"]["innerError"][0]
    assert (inner["errorCode"], inner["propertyPath"]) == ("CF300", "lines[1].LineExtensionAmount")


def test_an_exempt_subtotal_may_state_the_tax_that_would_have_been_due():
    # LHDN's MultiLineItem sample: the E subtotal carries 100.00, the line's tax is 0.00.
    doc = f.invoice()
    line = doc.lines[0]
    total = line.amounts().total
    line.taxes = [Tax(type="E", exemption_reason="Special Case", taxable_amount=total, amount=D("100.00"))]
    amounts = doc.amounts()
    assert amounts.lines[0].tax_total == D("0.00"), "not charged"
    assert amounts.tax_total == sum((a.tax_total for a in amounts.lines), D("0.00"))
    exempt = [s for s in amounts.tax_subtotals if s.type == "E"]
    assert [(s.taxable_amount, s.amount) for s in exempt] == [(total, D("100.00"))], "still stated"
    back = edited(doc)
    assert found(back) == []
    assert back.declared["PayableAmount"] == amounts.payable
