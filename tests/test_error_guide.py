"""error_guide: LHDN's error codes explained, LHDN's paths read as core paths, LHDN's error
objects flattened (reference §3.2). The emulator's real answers: test_error_guide_emulator.py."""

import re
import subprocess
import sys

import pytest

from l10n_my_einvoice.myinvois import error_guide
from l10n_my_einvoice.myinvois.error_guide import GUIDES, core_path, explain, guide, markdown_table

from .conftest import ROOT
from .doc_factory import invoice

VALIDATORS = {
    "Structure",
    "Core fields",
    "Signature",
    "Taxpayer",
    "Referenced documents",
    "Code",
    "Duplicate document",
    "Currency",
    "Submission",
}
EMULATOR_OWN = {"CF300", "CV300", "ERR200"}


# --------------------------------------------------------------------------- the table


def test_at_least_45_codes_each_explained_in_english_and_malay():
    assert len(GUIDES) >= 45
    for code, entry in GUIDES.items():
        assert entry.code == code and entry.validator in VALIDATORS, code
        for english, malay in ((entry.meaning, entry.meaning_ms), (entry.fix, entry.fix_ms)):
            assert english.strip() and malay.strip() and english != malay, code
            assert english.endswith(".") and malay.endswith("."), code


def test_the_codes_the_sources_name_are_all_there():
    reference = (ROOT.parent / "shared" / "docs" / "myinvois-reference.md").resolve()
    assert {f"DS{n}" for n in range(300, 339)} <= set(GUIDES)  # reference §7.8, all of them
    assert {f"Error0{n}" for n in range(1, 8)} | {"Error21"} <= set(GUIDES)
    assert {"BadStructure", "DuplicateSubmission", "MaximumSizeExceeded", "IncorrectSubmitter", "BadArgument"} <= set(
        GUIDES
    )
    assert {"CF345", "CF346", "CF378", "CF407", "CV302", "CV316", "ERR206", "ERR208", "DR303", "DV302"} <= set(GUIDES)
    assert {"DC501", "DC502"} | EMULATOR_OWN <= set(GUIDES)
    # Every code the emulator can put in an answer has a guide.
    from l10n_my_einvoice.myinvois.emulator import checks

    emitted = {code for _step, code in checks.RULE_CODES.values()} | {checks.DEFAULT_RULE_CODE[1]}
    emitted |= {outer for _key, _name, outer in checks.STEPS}
    assert emitted <= set(GUIDES)
    if reference.exists():  # the reference is outside the repository: checked where it is
        cited = set(
            re.findall(r"\b(?:DS3\d\d|CF\d{3}|CV\d{3}|ERR\d{3}|DR\d{3}|DV\d{3}|DC\d{3})\b", reference.read_text())
        )
        assert cited - EMULATOR_OWN <= set(GUIDES)


def test_emulator_catch_alls_say_they_are_the_emulators():
    for code in EMULATOR_OWN:
        assert "emulator" in GUIDES[code].meaning and "Emulator" in GUIDES[code].meaning_ms
    assert not any("emulator" in g.meaning.lower() for c, g in GUIDES.items() if c not in EMULATOR_OWN)


def test_fixes_speak_to_an_odoo_accountant():
    assert "Settings > Invoicing > MyInvois (LHDN)" in guide("DS311").fix
    assert "credit note" in guide("OperationPeriodOver").fix and "72 hours" in guide("OperationPeriodOver").fix
    assert "nota kredit" in guide("OperationPeriodOver").fix_ms
    assert "01-16" in guide("CV316").fix and "kod negeri" in guide("CV316").fix_ms
    assert "sijil digital" in guide("DS329").fix_ms and "Tetapan" in guide("DS329").fix_ms
    assert "EI00000000020" in guide("ERR208").fix and "pembeli asing" in guide("ERR208").fix_ms


def test_field_defaults_are_core_paths():
    for entry in GUIDES.values():
        if entry.field:
            assert core_path(entry.field) == entry.field, entry.code
    assert guide("CF346").field == "buyer.address.lines" and guide("CF378").field == "currency"
    assert guide("CV316").field == ""  # supplier, buyer or shipping recipient: LHDN's path says which


def test_guide_lookup():
    assert guide("CV316") is GUIDES["CV316"]
    assert guide("cv316") is GUIDES["CV316"] and guide(" ds311 ") is GUIDES["DS311"]
    assert guide("duplicatesubmission") is GUIDES["DuplicateSubmission"]
    assert guide("CV999") is None and guide(None) is None and guide("") is None and guide(316) is None


def test_markdown_table_sorted_with_every_code():
    lines = markdown_table().splitlines()
    assert lines[0] == "| Code | Validator | What LHDN refused | How to fix it |"
    listed = [re.match(r"\| `([^`]+)` \|", line).group(1) for line in lines[2:]]
    assert listed == sorted(GUIDES) and len(listed) == len(GUIDES)
    assert all(line.count(" | ") == 3 for line in lines[2:])


def test_the_docs_table_is_the_codes():
    doc = (ROOT / "docs" / "troubleshooting.md").read_text(encoding="utf-8")
    assert "## LHDN's validation errors (after submission)" in doc
    between = doc.split("<!-- lhdn-errors:start -->\n", 1)[1].split("<!-- lhdn-errors:end -->", 1)[0]
    assert between == markdown_table()
    check = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "gen_error_table.py"), "--check"], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_gen_error_table_check_fails_on_a_stale_doc(tmp_path, monkeypatch):
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import gen_error_table
    finally:
        sys.path.remove(str(ROOT / "tools"))
    stale = tmp_path / "troubleshooting.md"
    stale.write_text("# T\n\nkept\n\n<!-- lhdn-errors:start -->\n| old |\n<!-- lhdn-errors:end -->\n\nkept too\n")
    monkeypatch.setattr(gen_error_table, "DOC", stale)
    monkeypatch.setattr(gen_error_table, "ROOT", tmp_path)
    assert gen_error_table.main(["--check"]) == 1
    assert gen_error_table.main([]) == 0 and gen_error_table.main(["--check"]) == 0
    text = stale.read_text()
    assert "| old |" not in text and markdown_table() in text and "kept\n" in text and "kept too" in text


def test_the_core_does_not_import_odoo():
    source = (ROOT / "l10n_my_einvoice" / "myinvois" / "error_guide.py").read_text()
    data = (ROOT / "l10n_my_einvoice" / "myinvois" / "error_guide_data.py").read_text()
    assert not re.search(r"^\s*(import|from)\s+odoo", source + data, re.M)


# --------------------------------------------------------------------------- paths


@pytest.mark.parametrize(
    "path",
    [
        "issued_at",
        "number",
        "currency",
        "exchange_rate",
        "supplier.tin",
        "supplier.id_number",
        "supplier.sst",
        "supplier.msic",
        "supplier.address.state",
        "supplier.address.lines[0]",
        "buyer.tin",
        "buyer.name",
        "buyer.email",
        "buyer.phone",
        "buyer.address.postal_zone",
        "buyer.address.country",
        "delivery.address.state",
        "lines[2].classifications",
        "lines[2].unit_code",
        "lines[2].taxes[0].type",
        "lines[2].taxes[0].exemption_reason",
        "lines[0].ItemPriceExtension.Amount",
        "billing_references",
        "billing_references[0].uuid",
        "payment_means",
        "payable_amount",
        "totals.PayableAmount",
        "TaxTotal.TaxSubtotal[1]",
    ],
)
def test_core_paths_come_back_unchanged(path):
    assert core_path(path) == path


def test_the_validators_own_paths_are_core_paths():
    doc = invoice()
    doc.buyer.address.state, doc.buyer.tin, doc.lines[1].unit_code = "99", "EI00000000030", "BOX?"
    doc.supplier.address.lines = ["x" * 151]
    from l10n_my_einvoice.myinvois import validation

    paths = {issue.path for issue in validation.validate(doc, for_submission=False)}
    assert {"buyer.address.state", "buyer.tin", "lines[1].unit_code", "supplier.address.lines[0]"} <= paths
    assert all(core_path(path) == path for path in paths)


XPATHS = {
    "/*/cac:AccountingCustomerParty/cac:Party/cac:PostalAddress/cbc:CountrySubentityCode": "buyer.address.state",
    "/*/cac:AccountingCustomerParty/cac:Party/cac:PostalAddress/cac:Country/cbc:IdentificationCode": (
        "buyer.address.country"
    ),
    "/*/cac:AccountingSupplierParty/cac:Party/cac:PostalAddress/cac:AddressLine[2]/cbc:Line": (
        "supplier.address.lines[1]"
    ),
    "/*/cac:AccountingSupplierParty/cac:Party/cbc:IndustryClassificationCode": "supplier.msic",
    "/*/cac:AccountingSupplierParty/cac:Party/cac:PartyIdentification[1]/cbc:ID": "supplier.tin",
    "/*/cac:AccountingSupplierParty/cac:Party/cac:PartyIdentification[3]/cbc:ID": "supplier.sst",
    "/*/cac:AccountingSupplierParty/cac:Party/cac:PartyIdentification[2]/cbc:ID/@schemeID": "supplier.id_type",
    "/*/cac:AccountingCustomerParty/cac:Party/cac:PartyIdentification/cbc:ID[@schemeID='TTX']": "buyer.ttx",
    "/*/cac:AccountingCustomerParty/cac:Party/cac:Contact/cbc:Telephone": "buyer.phone",
    "/*/cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName": "buyer.name",
    "/*/cac:Delivery/cac:DeliveryParty/cac:PostalAddress/cbc:CityName": "delivery.address.city",
    "/*/cac:InvoiceLine[2]/cac:Item/cac:CommodityClassification/cbc:ItemClassificationCode": (
        "lines[1].classifications"
    ),
    "/*/cac:InvoiceLine[1]/cac:Item/cac:CommodityClassification/cbc:ItemClassificationCode[@listID='PTC']": (
        "lines[0].tariff_code"
    ),
    "/*/cac:InvoiceLine/cbc:InvoicedQuantity/@unitCode": "lines[0].unit_code",
    "/*/cac:InvoiceLine[3]/cbc:InvoicedQuantity": "lines[2].quantity",
    "/*/cac:InvoiceLine[3]/cac:Price/cbc:PriceAmount": "lines[2].unit_price",
    "/*/cac:InvoiceLine[1]/cbc:LineExtensionAmount": "lines[0].LineExtensionAmount",
    "/*/cac:InvoiceLine[2]/cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID": "lines[1].taxes[0].type",
    "/*/cac:InvoiceLine[2]/cac:TaxTotal/cac:TaxSubtotal[2]/cac:TaxCategory/cbc:TaxExemptionReason": (
        "lines[1].taxes[1].exemption_reason"
    ),
    "/*/cac:TaxTotal/cac:TaxSubtotal[2]/cbc:TaxAmount": "TaxTotal.TaxSubtotal[1].TaxAmount",
    "/*/cac:TaxTotal/cbc:TaxAmount": "totals.TaxAmount",
    "/*/cac:LegalMonetaryTotal/cbc:PayableAmount": "totals.PayableAmount",
    "/*/cac:TaxExchangeRate/cbc:SourceCurrencyCode": "exchange_rate",
    "/*/cbc:DocumentCurrencyCode": "currency",
    "/*/cbc:IssueDate": "issued_at",
    "/*/cbc:ID": "number",
    "/*/cac:BillingReference/cac:InvoiceDocumentReference/cbc:UUID": "billing_references[0].uuid",
    "/*/cac:PaymentMeans/cbc:PaymentMeansCode": "payment_means",
    "/*/cac:InvoicePeriod/cbc:StartDate": "period_start",
    "/*/ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent": "signature",
    "/inv:Invoice/cbc:IssueTime": "issued_at",
}


@pytest.mark.parametrize("xpath", sorted(XPATHS))
def test_xpaths_of_the_xml_checker(xpath):
    assert core_path(xpath) == XPATHS[xpath]


def test_xpaths_are_1_based_json_and_dotted_0_based():
    item = "Item.CommodityClassification.ItemClassificationCode"
    assert core_path(f"/*/cac:InvoiceLine[2]/cac:{item.replace('.', '/cac:')}") == "lines[1].classifications"
    assert core_path(f"Invoice.InvoiceLine[1].{item}") == "lines[1].classifications"
    assert core_path(f"$.Invoice[0].InvoiceLine[1].{item.replace('.', '[0].')}[0]") == "lines[1].classifications"
    assert core_path("/*/cac:InvoiceLine[1]/cbc:ID") == "lines[0].id" == core_path("Invoice.InvoiceLine[0].ID")


LHDN_PATHS = {
    "Invoice.AccountingCustomerParty.Party.PostalAddress.CountrySubentityCode": "buyer.address.state",
    "$.Invoice[0].AccountingCustomerParty[0].Party[0].PostalAddress[0].CountrySubentityCode[0]": (
        "buyer.address.state"
    ),
    "Invoice[0].AccountingSupplierParty[0].Party[0].PartyIdentification[0].ID[0]": "supplier.tin",
    "$.Invoice[0].AccountingSupplierParty[0].Party[0].PartyIdentification[1].ID[0]": "supplier.id_number",
    "Invoice.AccountingSupplierParty.Party.PartyIdentification[2].ID": "supplier.sst",
    "Invoice.AccountingSupplierParty.Party.PartyIdentification[3].ID": "supplier.ttx",
    "Invoice.AccountingSupplierParty.Party.PostalAddress.AddressLine[0].Line": "supplier.address.lines[0]",
    "Invoice.AccountingCustomerParty.Party.PostalAddress.PostalZone": "buyer.address.postal_zone",
    "Invoice.AccountingCustomerParty.Party.Contact.ElectronicMail": "buyer.email",
    "CreditNote.AccountingCustomerParty.Party.PostalAddress.CountrySubentityCode": "buyer.address.state",
    "DebitNote.InvoiceLine[0].Price.PriceAmount": "lines[0].unit_price",
    "SelfBilledInvoice.AccountingSupplierParty.Party.PartyLegalEntity.RegistrationName": "supplier.name",
    "$.CreditNote[0].CreditNoteLine[2].Item[0].Description[0]": "lines[2].description",
    "Invoice.InvoiceLine[1].TaxTotal.TaxSubtotal[0].TaxCategory.ID": "lines[1].taxes[0].type",
    "Invoice.InvoiceLine[1].InvoicedQuantity.unitCode": "lines[1].unit_code",
    "Invoice.BillingReference[0].InvoiceDocumentReference.UUID": "billing_references[0].uuid",  # emulator DR303
    "Invoice.ID": "number",  # emulator DV302
    "Invoice.DocumentCurrencyCode": "currency",
    "Invoice.TaxExchangeRate.CalculationRate": "exchange_rate",
    "Invoice.LegalMonetaryTotal.TaxInclusiveAmount": "totals.TaxInclusiveAmount",
    "Invoice.UBLExtensions.UBLExtension.ExtensionContent.UBLDocumentSignatures.SignatureInformation.Signature."
    "SignedInfo.Reference.DigestValue": "signature",
}


@pytest.mark.parametrize("path", sorted(LHDN_PATHS))
def test_lhdn_dotted_and_json_paths(path):
    assert core_path(path) == LHDN_PATHS[path]


@pytest.mark.parametrize(
    "path",
    [None, "", "  ", "document", "submission", "TIN", "Invoice", "Invoice.Foo", "/*/cac:Nothing/cbc:Here", "a..b", 7],
)
def test_paths_that_cannot_be_placed(path):
    assert core_path(path) is None


# --------------------------------------------------------------------------- explain


def test_explain_flattens_nested_error_objects_depth_first():
    errors = [
        {
            "errorCode": "Error06",
            "error": "Step failed",
            "errorMS": "Langkah gagal",
            "innerError": [
                {
                    "propertyName": "CountrySubentityCode",
                    "propertyPath": "Invoice.AccountingCustomerParty.Party.PostalAddress.CountrySubentityCode",
                    "errorCode": "cv316",
                    "error": "Invalid state",
                    "errorMs": "Negeri tidak sah",
                    "innerError": [{"errorCode": "CF346", "error": "Address Line 1 maximum length is 150"}],
                },
                {"errorCode": None, "error": None, "innerError": [{"errorCode": "XX999", "error": "New rule"}]},
            ],
        },
        "not a dict",
        None,
        {"errorCode": "DS311", "error": "TIN mismatch", "propertyName": "TIN"},
    ]
    found = explain(errors)
    assert [(e.code, e.depth) for e in found] == [
        ("Error06", 0),
        ("cv316", 1),
        ("CF346", 2),
        ("XX999", 2),
        ("DS311", 0),
    ]
    top, state, line, unknown, signature = found
    assert top.guide is GUIDES["Error06"] and top.text_ms == "Langkah gagal" and top.path is None
    assert (
        state.guide is GUIDES["CV316"] and state.where == "buyer.address.state" and state.text_ms == "Negeri tidak sah"
    )
    assert line.where == "buyer.address.lines" and line.path is None  # no path: the code's own field
    assert unknown.guide is None and unknown.where is None and unknown.text == "New rule"
    assert signature.path == "TIN" and signature.where is None  # LHDN's name, which is no path of ours
    assert explain({"errorCode": "DV302", "error": "dup"})[0].where == "number"
    assert explain(None) == [] and explain([]) == [] and explain([{"innerError": "junk"}]) == []


def test_explain_reads_the_4xx_body():
    body = {
        "error": {
            "code": "ValidationError",
            "message": "Invalid structure",
            "target": "submission",
            "details": [
                {"code": "BadStructure", "message": "Invalid structured submission.", "target": "submission"},
                {"code": "BadArgument", "message": "Wrong TIN", "target": "Invoice.AccountingCustomerParty.Party"},
            ],
        }
    }
    first, structure, argument = explain([body])
    assert (first.code, first.text, first.path, first.where, first.depth) == (
        "ValidationError",
        "Invalid structure",
        "submission",
        None,
        0,
    )
    assert first.guide is GUIDES["ValidationError"] and first.text_ms == ""
    assert structure.guide is GUIDES["BadStructure"] and structure.depth == 1
    assert argument.where == "buyer" and argument.guide is GUIDES["BadArgument"]
    assert explain(body) == explain([body])  # one dict is a list of one


def test_guides_and_explanations_are_frozen():
    with pytest.raises(AttributeError):
        GUIDES["CV316"].fix = "x"
    with pytest.raises(AttributeError):
        explain([{"errorCode": "CV316", "error": "x"}])[0].where = "buyer"
    assert error_guide.Explained.__dataclass_params__.frozen
