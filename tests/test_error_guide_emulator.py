"""error_guide on the emulator's real answers: rejections at receipt (XPath paths) and
background findings (core paths), each placed and explained."""

import copy
import re

from l10n_my_einvoice.myinvois import codes
from l10n_my_einvoice.myinvois.error_guide import GUIDES, explain

from . import test_emulator as emulator_suite
from .doc_factory import load
from .test_emulator import Api, signed

# The emulator suite's fixtures: a seeded emulator, the supplier's certificate.
emu, supplier_cert = emulator_suite.emu, emulator_suite.supplier_cert


def _party(name, **changes):
    data = copy.deepcopy(load("invoice")[name])
    address = dict(data["address"], **changes.pop("address", {}))
    return dict(data, address=address, **changes)


def test_emulator_rejection_at_receipt_bad_state(emu, supplier_cert):
    supplier = Api(emu, "supplier", "s3cret")
    foreign = signed(emu, supplier_cert, number="INV-CV316", buyer=_party("buyer", address={"country": "SGP"}))
    unknown = signed(emu, supplier_cert, number="INV-CV302", buyer=_party("buyer", address={"state": "99"}))
    result = supplier.submit(foreign, unknown).json()
    errors = {item["invoiceCodeNumber"]: item["error"] for item in result["rejectedDocuments"]}
    for number, code in (("INV-CV316", "CV316"), ("INV-CV302", "CV302")):
        found = explain([errors[number]])
        inner = [e for e in found if e.code == code and e.depth == 1]
        assert inner, found
        assert inner[0].path.startswith("/*/cac:AccountingCustomerParty")  # the XML checker's XPath
        assert inner[0].where == "buyer.address.state" and inner[0].guide is GUIDES[code]
        assert inner[0].depth == 1 and found[0].depth == 0


def test_emulator_background_findings_tin_and_state(emu, supplier_cert):
    supplier = Api(emu, "supplier", "s3cret")
    xml = signed(
        emu,
        supplier_cert,
        number="INV-ERR208",
        supplier=_party("supplier", address={"state": codes.NOT_APPLICABLE_STATE}),
        buyer=_party("buyer", tin=codes.FOREIGN_SUPPLIER_TIN),
    )
    details = supplier.details(supplier.submit_one(xml))
    assert details["status"] == "Invalid"
    found = explain([details["validationResults"]])
    by_code = {e.code: e for e in found}
    assert by_code["ERR208"].where == "buyer.tin" and by_code["ERR208"].guide.validator == "Taxpayer"
    assert by_code["CV300"].where == "supplier.address.state" and by_code["CV300"].guide is GUIDES["CV300"]
    assert by_code["ERR208"].text_ms and by_code["ERR208"].depth == 1
    assert by_code["Error04"].depth == 0 and by_code["Error06"].depth == 0  # the steps' outer codes
    assert all(e.guide is not None for e in found)


def test_emulator_consolidated_buyer(emu, supplier_cert):
    """A general-public buyer makes the document consolidated; its lines must then be
    classified 004, which the emulator reports with its catch-all at the line's path."""
    supplier = Api(emu, "supplier", "s3cret")
    buyer = _party("buyer", tin=codes.GENERAL_PUBLIC_TIN, id_number="NA", address={"state": "17"})
    details = supplier.details(supplier.submit_one(signed(emu, supplier_cert, number="INV-CONS", buyer=buyer)))
    found = [e for e in explain([details["validationResults"]]) if e.depth == 1]
    assert found and all(e.guide is not None for e in found)
    assert any(e.code == "CF300" and re.fullmatch(r"lines\[\d+\]\.classifications", e.where or "") for e in found)
    assert not any(e.where == "buyer.address.state" for e in found)  # 17 is right for the general public
