"""Valid documents of every type, built from the bundled JSON samples, for tests."""

import copy
import datetime
import json
from decimal import Decimal

from l10n_my_einvoice.myinvois.document import AllowanceCharge, BillingReference, Delivery, Document, Prepayment, Tax

from .conftest import ROOT

NOW = datetime.datetime(2026, 7, 20, 4, 0, tzinfo=datetime.timezone.utc)
ORIGINAL_UUID = "F9D425P6DS7D8IU4R2X8WQNK10"


def load(name):
    return json.loads((ROOT / "samples" / "documents" / f"{name}.json").read_text())


def invoice(**changes):
    data = copy.deepcopy(load("invoice"))
    data.update(changes)
    return Document.from_dict(data)


def note(type_code):
    doc = invoice(type_code=type_code, number=f"N{type_code}-1")
    doc.billing_references = [BillingReference(uuid=ORIGINAL_UUID, number="INV-2026-000123")]
    return doc


def self_billed(type_code="11"):
    doc = Document.from_dict(load("self-billed-invoice"))
    doc.type_code = type_code
    doc.issued_at = NOW - datetime.timedelta(hours=1)
    if doc.is_note:
        doc.billing_references = [BillingReference(uuid=ORIGINAL_UUID, number="SB-2026-000041")]
    return doc


def all_types():
    """One valid document of each of the eight types."""
    return {
        "01": invoice(),
        "02": note("02"),
        "03": note("03"),
        "04": note("04"),
        "11": self_billed("11"),
        "12": self_billed("12"),
        "13": self_billed("13"),
        "14": self_billed("14"),
    }


def rich_invoice():
    """Discounts and charges on lines and document, prepayment, rounding, exempt and
    not-applicable taxes, service tax 6 % and 8 %, sales tax 5 % and 10 %, delivery."""
    doc = invoice()
    doc.lines[0].taxes = [Tax(type="02", percent=Decimal("6"))]
    doc.lines[1].allowances = [
        AllowanceCharge(amount=Decimal("200.00"), reason="Trade discount"),
        AllowanceCharge(amount=Decimal("15.00"), reason="Setup fee", charge=True),
    ]
    doc.lines[2].taxes = [Tax(type="01", percent=Decimal("5")), Tax(type="02", percent=Decimal("8"))]
    doc.lines.append(copy.deepcopy(doc.lines[2]))
    doc.lines[3].description = "Exported spare part"
    doc.lines[3].taxes = [
        Tax(
            type="E",
            exemption_reason="Exempted under Sales Tax (Exemption) Order 2018, Schedule A",
            amount=Decimal("0"),
        )
    ]
    doc.lines.append(copy.deepcopy(doc.lines[2]))
    doc.lines[4].description = "Delivery (no tax)"
    doc.lines[4].taxes = [Tax(type="06")]
    doc.allowances = [
        AllowanceCharge(amount=Decimal("50.00"), reason="Year-end discount"),
        AllowanceCharge(amount=Decimal("20.00"), reason="Handling", charge=True),
    ]
    doc.prepayment = Prepayment(
        amount=Decimal("1000.00"), paid_at=NOW - datetime.timedelta(days=3), reference="PP-0099"
    )
    doc.rounding = Decimal("-0.03")
    doc.delivery = Delivery(
        name="Gudang Pelanggan",
        tin="C9876543210",
        id_type="BRN",
        id_number="201901098765",
        address=copy.deepcopy(doc.buyer.address),
        shipment_id="SHP-1",
        other_charges=[AllowanceCharge(amount=Decimal("35.00"), reason="Freight", charge=True)],
    )
    doc.customs_import_forms = ["E23456789123", "E98765432123"]
    doc.fta = "ASEAN-Australia-New Zealand FTA (AANZFTA)"
    doc.customs_k2_forms = ["K2-0001"]
    doc.incoterms = "CIF"
    doc.bill_reference = "BILL-778"
    doc.supplier.certex = "CPT-CCN-W-211111-KL-000002"
    return doc


def consolidated():
    doc = invoice(number="CONS-2026-07")
    doc.consolidated = True
    doc.buyer.name = "General Public"
    doc.buyer.tin = "EI00000000010"
    doc.buyer.id_number = "NA"
    doc.buyer.phone = "NA"
    doc.buyer.email = ""
    doc.buyer.address.lines = ["NA"]
    doc.buyer.address.city = "NA"
    doc.buyer.address.postal_zone = ""
    doc.buyer.address.state = "17"
    for index, line in enumerate(doc.lines):
        line.classifications = ["004"]
        line.description = f"Receipt R{index * 100 + 1:05d} - R{index * 100 + 100:05d}"
    return doc
