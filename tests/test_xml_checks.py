import pytest
from lxml import etree

from l10n_my_einvoice.myinvois import xml_checks

from .conftest import ROOT

SAMPLES = ROOT / "samples" / "lhdn"
VALID_SAMPLES = sorted(
    p.name
    for p in SAMPLES.glob("*.xml")
    if p.name not in ("1.1-Invoice-ForeignCurrency-Sample.xml", "1.1-Invoice-Consolidated-Sample.xml")
)


@pytest.mark.parametrize("name", VALID_SAMPLES)
def test_bundled_samples_pass(name):
    assert xml_checks.validate_xml((SAMPLES / name).read_bytes()) == []


def test_the_foreign_currency_sample_errors_are_found():
    findings = [
        str(f) for f in xml_checks.validate_xml((SAMPLES / "1.1-Invoice-ForeignCurrency-Sample.xml").read_bytes())
    ]
    assert len(findings) == 2
    assert "PayableAmount" in findings[0] and "'abc'" in findings[0]
    assert "TaxCurrencyCode: 'MYS' is not a valid tax currency code" in findings[1]


def test_the_consolidated_sample_has_an_empty_buyer_country():
    findings = xml_checks.validate_xml((SAMPLES / "1.1-Invoice-Consolidated-Sample.xml").read_bytes())
    assert [f.path for f in findings] == [
        "/*/cac:AccountingCustomerParty/cac:Party/cac:PostalAddress/cac:Country/cbc:IdentificationCode"
    ]


def mutate(change):
    root = etree.fromstring((SAMPLES / "1.1-Invoice-Sample.xml").read_bytes())
    change(root)
    return etree.tostring(root)


def first(root, xpath):
    return root.xpath(xpath, namespaces=xml_checks.NS)[0]


def test_element_order_is_enforced():
    def swap(root):
        issue_date = first(root, "cbc:IssueDate")
        root.remove(issue_date)
        first(root, "cbc:InvoiceTypeCode").addnext(issue_date)

    findings = xml_checks.validate_xml(mutate(swap))
    assert findings and "IssueDate" in findings[0].message


@pytest.mark.parametrize(
    "xpath, value, expected",
    [
        ("cbc:InvoiceTypeCode", "05", "not a valid e-invoice type code"),
        ("cbc:DocumentCurrencyCode", "XTS", "not a valid document currency code"),
        (".//cac:AccountingSupplierParty//cbc:CountrySubentityCode", "00", "not a Malaysian state code"),
        (".//cac:AccountingSupplierParty//cac:Country/cbc:IdentificationCode", "SG", "not a valid country code"),
        (".//cbc:ItemClassificationCode[@listID='CLASS']", "046", "not a valid classification code"),
        (".//cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID", "07", "not a valid tax type code"),
        (".//cbc:IndustryClassificationCode", "99999", "not a valid MSIC code"),
    ],
)
def test_codes_outside_lhdn_tables_are_found(xpath, value, expected):
    def change(root):
        first(root, xpath).text = value

    messages = [f.message for f in xml_checks.validate_xml(mutate(change))]
    assert any(expected in m for m in messages), messages


def test_malaysian_state_with_a_foreign_country_is_cv316():
    def change(root):
        first(root, ".//cac:AccountingCustomerParty//cac:Country/cbc:IdentificationCode").text = "SGP"

    messages = [f.message for f in xml_checks.validate_xml(mutate(change))]
    assert any("CV316" in m for m in messages), messages


def test_unit_code_attribute_is_checked():
    def change(root):
        first(root, ".//cbc:InvoicedQuantity").set("unitCode", "PCS")

    findings = xml_checks.validate_xml(mutate(change))
    assert [f.path for f in findings] == ["/*/cac:InvoiceLine/cbc:InvoicedQuantity/@unitCode"]


@pytest.mark.parametrize(
    "data, message",
    [
        (b"<Invoice", "not well-formed"),
        (b"<CreditNote xmlns='urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2'/>", "UBL 2.1 Invoice"),
        # A DOCTYPE is refused outright (UBL documents never have one), entities unread.
        (b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><Invoice>&e;</Invoice>', "DOCTYPE"),
    ],
)
def test_malformed_input(data, message):
    findings = xml_checks.validate_xml(data)
    assert len(findings) == 1 and message in findings[0].message
    assert "root:" not in str(findings[0]), "external entities are never resolved"


@pytest.mark.parametrize(
    "xpath", ["cac:LegalMonetaryTotal/cbc:PayableAmount", ".//cbc:InvoicedQuantity", ".//cac:Price/cbc:PriceAmount"]
)
def test_scientific_notation_is_refused(xpath):
    def change(root):
        first(root, xpath).text = "1.5E+2"

    findings = xml_checks.validate_xml(mutate(change))
    assert findings and "1.5E+2" in findings[0].message
