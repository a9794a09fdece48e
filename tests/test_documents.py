import copy
import datetime
from decimal import Decimal

import pytest
from lxml import etree

from l10n_my_einvoice.myinvois import ubl, validation, xml_checks
from l10n_my_einvoice.myinvois.document import Document, DocumentError, Tax

from . import doc_factory as f
from .conftest import ROOT

NS = xml_checks.NS


def issues(doc, **kwargs):
    return validation.validate(doc, now=f.NOW, **kwargs)


def build(doc):
    """XML of a document that must be clean: no issue, valid UBL 2.1, codes in LHDN's tables."""
    assert [str(i) for i in issues(doc)] == []
    data = ubl.to_xml(doc)
    assert [str(finding) for finding in xml_checks.validate_xml(data)] == []
    return data


@pytest.mark.parametrize("type_code", ["01", "02", "03", "04", "11", "12", "13", "14"])
def test_every_type_builds_valid_ubl_and_round_trips(type_code):
    doc = f.all_types()[type_code]
    data = build(doc)
    root = etree.fromstring(data)
    assert root.findtext("cbc:InvoiceTypeCode", namespaces=NS) == type_code
    assert root.find("cbc:InvoiceTypeCode", NS).get("listVersionID") == "1.1"
    back = ubl.from_xml(data)
    assert ubl.to_xml(back) == data, "XML -> Document -> XML gives the same bytes"
    assert issues(back) == []
    if doc.is_note:
        ref = root.find("cac:BillingReference/cac:InvoiceDocumentReference", NS)
        assert (ref.findtext("cbc:UUID", namespaces=NS), ref.findtext("cbc:ID", namespaces=NS)) == (
            f.ORIGINAL_UUID,
            doc.billing_references[0].number,
        )


def test_the_bundled_sample_documents_are_clean():
    for path in sorted((ROOT / "samples" / "documents").glob("*.json")):
        import json

        doc = Document.from_dict(json.loads(path.read_text()))
        assert validation.validate(doc, for_submission=False) == [], path.name
        assert xml_checks.validate_xml(ubl.to_xml(doc)) == [], path.name


def test_totals_are_computed_the_lhdn_way():
    doc = f.rich_invoice()
    data = build(doc)
    # line 1: 2 x 50.00 = 100.00, 10 % discount -> 90.00, service tax 6 % -> 5.40
    # line 2: 3200.00 - 200.00 + 15.00 = 3015.00, sales tax 10 % -> 301.50
    # line 3: 3 x 12.50 = 37.50, sales tax 5 % -> 1.875 -> 1.88, service tax 8 % -> 3.00
    # line 4: 37.50 exempt; line 5: 37.50 not applicable
    assert [line.total_excluding_tax for line in doc.lines] == [
        Decimal("90.00"),
        Decimal("3015.00"),
        Decimal("37.50"),
        Decimal("37.50"),
        Decimal("37.50"),
    ]
    assert doc.tax_total == Decimal("311.78")
    totals = doc.totals()
    assert totals["LineExtensionAmount"] == Decimal("3217.50")
    assert totals["TaxExclusiveAmount"] == Decimal("3187.50")  # - 50.00 discount + 20.00 handling
    assert totals["TaxInclusiveAmount"] == Decimal("3499.28")
    assert totals["PayableAmount"] == Decimal("2499.25")  # - 1000.00 prepaid - 0.03 rounding
    subtotals = {(s.type, s.exemption_reason): (s.taxable_amount, s.amount) for s in doc.tax_subtotals}
    assert subtotals[("01", "")] == (Decimal("3052.50"), Decimal("303.38"))
    assert subtotals[("02", "")] == (Decimal("127.50"), Decimal("8.40"))
    assert subtotals[("06", "")] == (Decimal("37.50"), Decimal("0.00"))
    root = etree.fromstring(data)
    assert root.findtext("cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=NS) == "2499.25"
    assert root.findtext("cac:LegalMonetaryTotal/cbc:PrepaidAmount", namespaces=NS) == "1000.00"
    assert root.find(".//cac:TaxCategory[cbc:ID='E']/cbc:TaxExemptionReason", NS) is not None
    line = root.find("cac:InvoiceLine", NS)
    assert line.findtext("cac:AllowanceCharge/cbc:MultiplierFactorNumeric", namespaces=NS) == "0.1"
    assert line.findtext("cac:ItemPriceExtension/cbc:Amount", namespaces=NS) == "100.00"
    assert [
        e.get("schemeID") for e in root.iterfind("cac:AccountingSupplierParty//cac:PartyIdentification/cbc:ID", NS)
    ] == ["TIN", "BRN", "SST", "TTX"]
    assert [
        e.findtext("cbc:DocumentType", namespaces=NS) for e in root.iterfind("cac:AdditionalDocumentReference", NS)
    ] == ["CustomsImportForm", "FreeTradeAgreement", "K2", None]


@pytest.mark.parametrize("currency, rate", [("USD", "4.2150"), ("VND", "0.000213"), ("IDR", "0.00028371")])
def test_foreign_currency_keeps_the_exact_rate(currency, rate):
    doc = f.invoice(currency=currency, exchange_rate=rate)
    root = etree.fromstring(build(doc))
    assert root.findtext("cac:TaxExchangeRate/cbc:CalculationRate", namespaces=NS) == rate
    assert root.findtext("cac:TaxExchangeRate/cbc:SourceCurrencyCode", namespaces=NS) == currency
    assert root.find("cbc:TaxCurrencyCode", NS) is None
    assert {e.get("currencyID") for e in root.iter() if e.get("currencyID")} == {currency}
    assert "E-" not in etree.tostring(root).decode() and "e-" not in root.findtext(
        "cac:TaxExchangeRate/cbc:CalculationRate", namespaces=NS
    )


def test_tiny_numbers_never_use_scientific_notation():
    doc = f.invoice()
    doc.lines[0].quantity = Decimal("1E-5")
    doc.lines[0].unit_price = Decimal("5E+3")
    root = etree.fromstring(ubl.to_xml(doc))
    line = root.find("cac:InvoiceLine", NS)
    assert line.findtext("cbc:InvoicedQuantity", namespaces=NS) == "0.00001"
    assert line.findtext("cac:Price/cbc:PriceAmount", namespaces=NS) == "5000"


def test_self_billed_foreign_supplier():
    doc = f.self_billed()
    root = etree.fromstring(build(doc))
    supplier = root.find("cac:AccountingSupplierParty/cac:Party", NS)
    assert supplier.findtext("cac:PartyIdentification/cbc:ID[@schemeID='TIN']", namespaces=NS) == "EI00000000030"
    assert supplier.findtext("cac:PostalAddress/cbc:CountrySubentityCode", namespaces=NS) == "California"
    assert doc.issuer is doc.buyer


def test_consolidated_invoice():
    doc = f.consolidated()
    root = etree.fromstring(build(doc))
    buyer = root.find("cac:AccountingCustomerParty/cac:Party", NS)
    assert buyer.findtext("cac:PartyIdentification/cbc:ID[@schemeID='TIN']", namespaces=NS) == "EI00000000010"
    assert buyer.findtext("cac:Contact/cbc:Telephone", namespaces=NS) == "NA"
    assert {e.text for e in root.iterfind(".//cbc:ItemClassificationCode[@listID='CLASS']", NS)} == {"004"}


def test_lhdn_samples_read_back_with_their_declared_totals():
    sample = ubl.from_xml((ROOT / "samples" / "lhdn" / "1.1-Invoice-MultiLineItem-Sample.xml").read_bytes())
    assert sample.declared["PayableAmount"] == Decimal("4585.00")
    assert len(sample.lines) >= 3 and sample.lines[0].tariff_code == "9800.00.0010"
    assert sample.customs_import_forms == ["E23456789123", "E98765432123"]
    assert sample.lines[2].declared["TaxTotal.TaxAmount"] == Decimal("0.00")
    # Its exempt line states the 100.00 that would have been due in the E subtotal and a
    # line tax of 0.00: an exempt amount is not charged, so that adds up (reference §5.8).
    # What does not: the document's exempt subtotal has no exemption reason.
    rules = {(i.path, i.rule) for i in validation.validate(sample, for_submission=False)}
    assert ("lines[2].TaxTotal.TaxAmount", "line_tax_total") not in rules
    assert ("TaxTotal.TaxSubtotal[2]", "tax_subtotal") in rules


# --- the table of bad inputs: each gives exactly its field-named issue --------------------


def mutate(change, base=None):
    doc = copy.deepcopy(base or f.invoice())
    change(doc)
    return doc


def setter(path, value):
    def change(doc):
        target = doc
        parts = path.split(".")
        for part in parts[:-1]:
            if part.endswith("]"):
                name, index = part[:-1].split("[")
                target = getattr(target, name)[int(index)]
            else:
                target = getattr(target, part)
        setattr(target, parts[-1], value)

    return change


D = Decimal
BAD_INPUTS = [
    # (change, expected path, expected rule)
    (setter("type_code", "05"), "type_code", "code"),
    (setter("version", "1.0"), "version", "version"),
    (setter("number", ""), "number", "required"),
    (setter("number", "X" * 51), "number", "too_long"),
    (setter("issued_at", f.NOW + datetime.timedelta(minutes=5)), "issued_at", "future"),
    (setter("issued_at", f.NOW - datetime.timedelta(hours=73)), "issued_at", "too_old"),
    (setter("issued_at", datetime.datetime(2026, 7, 20, 3, 0)), "issued_at", "timezone"),
    (setter("currency", "XTS"), "currency", "code"),
    (setter("currency", "USD"), "exchange_rate", "required"),
    (lambda d: (setattr(d, "currency", "USD"), setattr(d, "exchange_rate", D("0"))), "exchange_rate", "positive"),
    (setter("frequency", "M" * 51), "frequency", "too_long"),
    (
        lambda d: (
            setattr(d, "period_start", datetime.date(2026, 8, 1)),
            setattr(d, "period_end", datetime.date(2026, 7, 1)),
        ),
        "period_end",
        "period",
    ),
    (setter("payment_means", "09"), "payment_means", "code"),
    (setter("bank_account", "1" * 151), "bank_account", "too_long"),
    (setter("payment_terms", "t" * 301), "payment_terms", "too_long"),
    (setter("customs_import_forms", ["E1 23"]), "customs_import_forms", "format"),
    (setter("fta", "FTA: ASEAN/AU"), "fta", "format"),
    (setter("incoterms", "CIF2"), "incoterms", "format"),
    (lambda d: d.billing_references.append(f.note("02").billing_references[0]), "billing_references", "not_allowed"),
    (setter("supplier.name", ""), "supplier.name", "required"),
    (setter("supplier.tin", "1234567890"), "supplier.tin", "tin"),
    (setter("supplier.tin", "EI00000000010"), "supplier.tin", "general_tin"),
    (setter("buyer.tin", "EI00000000030"), "buyer.tin", "general_tin"),
    (setter("buyer.tin", ""), "buyer.tin", "required"),
    (setter("buyer.id_type", "IC"), "buyer.id_type", "code"),
    (setter("buyer.id_number", "2019 0109 8765"), "buyer.id_number", "format"),
    (setter("buyer.sst", "A;B;C"), "buyer.sst", "format"),
    (setter("buyer.ttx", "TTX 1234"), "buyer.ttx", "format"),
    (setter("buyer.phone", "07-123 4567"), "buyer.phone", "format"),
    (setter("buyer.phone", ""), "buyer.phone", "required"),
    (setter("buyer.email", "a@b.example, c@d.example"), "buyer.email", "format"),
    (setter("supplier.msic", "99999"), "supplier.msic", "code"),
    (setter("supplier.activity", ""), "supplier.activity", "required"),
    (setter("buyer.address.lines", []), "buyer.address.lines", "required"),
    (setter("buyer.address.lines", ["a", "b", "c", "d"]), "buyer.address.lines", "too_many"),
    (setter("buyer.address.city", ""), "buyer.address.city", "required"),
    (setter("buyer.address.postal_zone", "800001"), "buyer.address.postal_zone", "format"),
    (setter("buyer.address.state", "Johor"), "buyer.address.state", "code"),
    (setter("buyer.address.state", "17"), "buyer.address.state", "state_17"),
    (setter("buyer.address.state", ""), "buyer.address.state", "required"),
    (lambda d: setattr(d.buyer.address, "country", "SGP"), "buyer.address.state", "state_abroad"),
    (setter("buyer.address.country", "SG"), "buyer.address.country", "code"),
    (setter("lines", []), "lines", "required"),
    (setter("lines[0].description", ""), "lines[0].description", "required"),
    (setter("lines[0].description", "d" * 301), "lines[0].description", "too_long"),
    # Negative and zero quantities and prices are allowed (test_negative_lines_pass); a missing one is not.
    (setter("lines[1].quantity", None), "lines[1].quantity", "required"),
    (setter("lines[1].unit_price", None), "lines[1].unit_price", "required"),
    (setter("lines[1].unit_price", D("-3500")), "payable_amount", "negative"),
    (setter("lines[1].unit_code", "PCS"), "lines[1].unit_code", "code"),
    (setter("lines[1].classifications", []), "lines[1].classifications", "required"),
    (setter("lines[1].classifications", ["046"]), "lines[1].classifications[0]", "code"),
    (setter("lines[1].tariff_code", "8471-30"), "lines[1].tariff_code", "format"),
    (setter("lines[1].origin_country", "US"), "lines[1].origin_country", "code"),
    (setter("lines[1].taxes", []), "lines[1].taxes", "required"),
    (setter("lines[1].taxes", [Tax(type="07")]), "lines[1].taxes[0].type", "code"),
    (setter("lines[1].taxes", [Tax(type="E")]), "lines[1].taxes[0].exemption_reason", "required"),
    (
        setter("lines[1].taxes", [Tax(type="E", exemption_reason="Exempt; item #3")]),
        "lines[1].taxes[0].exemption_reason",
        "format",
    ),
    (setter("lines[1].taxes", [Tax(type="01", percent=D("110"))]), "lines[1].taxes[0].percent", "percent"),
    (
        setter("lines[1].taxes", [Tax(type="03", per_unit_amount=D("10"))]),
        "lines[1].taxes[0].base_unit_measure",
        "required",
    ),
    (
        setter("lines[1].taxes", [Tax(type="03", per_unit_amount=D("10"), base_unit_measure=D("2"), amount=D("21"))]),
        "lines[1].taxes[0].amount",
        "per_unit_tax",
    ),
    (
        lambda d: d.lines[0].allowances.__setitem__(0, type(d.lines[0].allowances[0])(reason="x")),
        "lines[0].allowances[0]",
        "required",
    ),
    (lambda d: setattr(d.lines[0].allowances[0], "rate", D("1.5")), "lines[0].allowances[0].rate", "rate"),
    (
        lambda d: (
            setattr(d.lines[0].allowances[0], "rate", D("0.999"))
            or d.lines[0].allowances.append(type(d.lines[0].allowances[0])(amount=D("50")))
        ),
        "lines[0].allowances",
        "allowance_exceeds",
    ),
    (setter("lines[0].allowances[0].amount", D("100.01")), "lines[0].allowances[0].amount", "allowance_exceeds"),
    (setter("lines[0].allowances[0].amount", D("-10")), "lines[0].allowances[0].amount", "allowance_sign"),
    (
        lambda d: d.allowances.append(type(d.lines[0].allowances[0])(amount=D("-5"))),
        "allowances[0].amount",
        "negative",
    ),
    (lambda d: d.declared.update(PayableAmount=D("1.00")), "totals.PayableAmount", "totals"),
    (lambda d: d.declared.update(TaxAmount=D("1.00")), "totals.TaxAmount", "totals"),
]


@pytest.mark.parametrize("change, path, rule", BAD_INPUTS, ids=[f"{p}:{r}" for _c, p, r in BAD_INPUTS])
def test_bad_input_gives_exactly_its_field_named_issue(change, path, rule):
    found = issues(mutate(change))
    assert [(i.path, i.rule) for i in found] == [(path, rule)], [str(i) for i in found]
    assert found[0].message and found[0].message_ms and found[0].message != found[0].message_ms


def test_bad_input_table_is_large_enough():
    assert len(BAD_INPUTS) >= 40


@pytest.mark.parametrize(
    "type_code, path, rule",
    [
        ("02", "billing_references", "required"),
    ],
)
def test_note_without_reference(type_code, path, rule):
    doc = f.note(type_code)
    doc.billing_references = []
    assert [(i.path, i.rule) for i in issues(doc)] == [(path, rule)]


@pytest.mark.parametrize(
    "uuid, number, expected",
    [
        ("F9D425P6DS7D8IU", "INV-1", [("billing_references[0].uuid", "format")]),
        ("", "INV-1", [("billing_references[0].uuid", "required")]),
        (f.ORIGINAL_UUID, "", [("billing_references[0].number", "required")]),
        ("NA", "OLD-2023-9", []),
    ],
)
def test_note_reference_shapes(uuid, number, expected):
    doc = f.note("04")
    doc.billing_references[0].uuid, doc.billing_references[0].number = uuid, number
    assert [(i.path, i.rule) for i in issues(doc)] == expected


def test_consolidated_line_must_be_004():
    doc = f.consolidated()
    doc.lines[1].classifications = ["022"]
    assert [(i.path, i.rule) for i in issues(doc)] == [("lines[1].classifications", "consolidated")]


def test_foreign_supplier_with_the_foreign_buyer_tin_is_err208():
    doc = f.self_billed()
    doc.supplier.tin = "EI00000000020"
    found = issues(doc)
    assert [(i.path, i.rule) for i in found] == [("supplier.tin", "general_tin")]
    assert "EI00000000030" in found[0].message


def test_many_problems_are_reported_in_one_pass():
    doc = f.invoice()
    doc.buyer.tin = ""
    doc.lines[0].classifications = ["999"]
    doc.lines[2].quantity = None
    doc.currency = "EUR"
    assert {i.path for i in issues(doc)} == {
        "buyer.tin",
        "lines[0].classifications[0]",
        "lines[2].quantity",
        "exchange_rate",
    }


@pytest.mark.parametrize(
    "data, message",
    [
        ({"lines": [{"quantity": 1.5}]}, "document.lines[0].quantity: give the number as a string"),
        ({"exchange_rate": "abc"}, "document.exchange_rate: 'abc' is not a number"),
        ({"exchange_rate": "NaN"}, "not a finite number"),
        ({"issued_at": "2026-07-20 11:15"}, "has no time zone"),
        ({"issued_at": "yesterday"}, "not an ISO date-time"),
        ({"period_end": "31/07/2026"}, "not a date"),
        ({"supplier": {"nme": "x"}}, "document.supplier: unknown field(s) nme"),
        ({"lines": {"description": "x"}}, "document.lines: expected a list"),
        ({"buyer": {"address": {"lines": "Jalan 1"}}}, "document.buyer.address.lines: expected a list"),
    ],
)
def test_unreadable_input_is_a_document_error_naming_the_path(data, message):
    with pytest.raises(DocumentError) as caught:
        Document.from_dict(data)
    assert message in str(caught.value)


@pytest.fixture(scope="module")
def issuer_certificates():
    from l10n_my_einvoice.myinvois import certificate

    return {
        tin: certificate.load_pkcs12(certificate.make_test_certificate(tin=tin, password=b"pw"), "pw")
        for tin in ("C1234567890",)
    }


@pytest.mark.parametrize("type_code", ["01", "02", "03", "04", "11", "12", "13", "14"])
def test_every_type_signs_verifies_and_stays_valid_ubl(type_code, issuer_certificates):
    from l10n_my_einvoice.myinvois import signing

    doc = f.all_types()[type_code]
    signed = signing.sign_xml(build(doc), issuer_certificates[doc.issuer.tin])
    assert signing.verify(signed) == []
    assert xml_checks.validate_xml(signed) == []
    assert ubl.from_xml(signed).totals() == doc.totals()
