"""Consolidated e-invoices (myinvois/consolidation.py): receipts -> lines -> plans ->
Documents that validate, sign and are Valid on the emulator. No mocks."""

import dataclasses
import datetime
import random
from collections import Counter
from decimal import Decimal

import pytest

from l10n_my_einvoice.myinvois import certificate, client, consolidation, signing, ubl, validation, xml_checks
from l10n_my_einvoice.myinvois.consolidation import (
    MAX_UNSIGNED_BYTES,
    Plan,
    Receipt,
    ReceiptTax,
    consolidated_lines,
    general_public_party,
    plan_documents,
    to_document,
)
from l10n_my_einvoice.myinvois.document import BillingReference, money
from l10n_my_einvoice.myinvois.emulator import Emulator

from . import doc_factory as f
from .test_emulator import SUPPLIER_TIN, Api, seed

D = Decimal
NOW = f.NOW
PREFIX = "CONS-202607"


def issuer():
    return f.invoice().supplier  # Contoh Teknologi Sdn. Bhd., TIN C1234567890


def sst(untaxed, rate="10"):
    """A sales tax (01) at ``rate`` % on ``untaxed``."""
    untaxed = D(untaxed)
    return ReceiptTax("01", untaxed, money(untaxed * D(rate) / 100), percent=D(rate))


def receipt(number, sequence=None, series=None, untaxed="100.00", taxes=None, **changes):
    """Receipt ``INV/2026/00017`` -> series ``INV/2026/``, sequence 17 (unless given)."""
    head, _, tail = number.rpartition("/")
    values = dict(
        number=number,
        series=series if series is not None else head + "/",
        sequence=sequence if sequence is not None else int(tail),
        date=datetime.date(2026, 7, 1 + int(tail) % 28),
        currency="MYR",
        untaxed=D(untaxed),
        taxes=(sst(untaxed),) if taxes is None else taxes,
    )
    values.update(changes)
    return Receipt(**values)


def sales(series, *sequences, **changes):
    return [receipt(f"{series}{n:05d}", **changes) for n in sequences]


def plan_one(receipts, **kwargs):
    plans = plan_documents(receipts, issuer=issuer(), number_prefix=PREFIX, issued_at=NOW, **kwargs)
    assert len(plans) == 1
    return plans[0]


def document(plan):
    return to_document(plan, issuer=issuer(), issued_at=NOW)


def clean(doc):
    """A document with no issue, valid UBL, and the same once read back from its XML."""
    assert [str(i) for i in validation.validate(doc, now=NOW)] == []
    data = ubl.to_xml(doc)
    assert [str(finding) for finding in xml_checks.validate_xml(data)] == []
    back = ubl.from_xml(data)
    assert back.consolidated and [str(i) for i in validation.validate(back, now=NOW)] == []
    return data


# --------------------------------------------------------------------------- lines


def test_ranges_break_at_every_gap_and_series_change():
    receipts = sales("INV/2026/", 1, 2, 3, 4, 6, 7, 8, 9, 10, 12) + sales("POS/", 3, 4, 7)
    random.Random(7).shuffle(receipts)
    lines = consolidated_lines(receipts)
    assert [line.description for line in lines] == [
        "Receipts INV/2026/00001 - INV/2026/00004",
        "Receipts INV/2026/00006 - INV/2026/00010",
        "Receipt INV/2026/00012",
        "Receipts POS/00003 - POS/00004",
        "Receipt POS/00007",
    ]
    assert [line.id for line in lines] == ["1", "2", "3", "4", "5"]
    assert [line.unit_price for line in lines] == [D("400.00"), D("500.00"), D("100.00"), D("200.00"), D("100.00")]
    for line in lines:
        assert (line.quantity, line.unit_code, line.classifications) == (D(1), "", ["004"])
        assert [(t.type, t.taxable_amount, t.amount, t.percent) for t in line.taxes] == [
            ("01", line.unit_price, line.unit_price / 10, D("10"))
        ]


def test_per_receipt_gives_one_line_per_sale():
    receipts = sales("INV/2026/", 3, 1, 2)
    lines = consolidated_lines(receipts, per_receipt=True)
    assert [line.description for line in lines] == [f"Receipt INV/2026/0000{n}" for n in (1, 2, 3)]
    assert [line.id for line in lines] == ["1", "2", "3"]


def test_refunds_are_lines_of_their_own_negative_on_an_invoice():
    receipts = sales("INV/2026/", 10, 11, 12) + [
        receipt("RINV/2026/00004", refund=True, refund_of="INV/2026/00011", untaxed="30.00"),
        receipt("RINV/2026/00003", refund=True, refund_of="INV/2026/00010", untaxed="20.00"),
        receipt("RINV/2026/00005", refund=True, untaxed="5.00"),
    ]
    plan = plan_one(receipts)
    doc = document(plan)
    assert [line.description for line in doc.lines] == [
        "Receipts INV/2026/00010 - INV/2026/00012",
        "Refund RINV/2026/00003 of INV/2026/00010",
        "Refund RINV/2026/00004 of INV/2026/00011",
        "Refund RINV/2026/00005",
    ]
    refund = doc.lines[1]
    assert refund.unit_price == D("-20.00")
    assert [(t.taxable_amount, t.amount) for t in refund.taxes] == [(D("-20.00"), D("-2.00"))]
    assert doc.payable_amount == D("330.00") - D("55.00") - D("5.50")
    clean(doc)


def test_a_credit_note_has_positive_refund_lines_and_references_the_invoice():
    reference = BillingReference(uuid=f.ORIGINAL_UUID, number="CONS-202606-MYR-001")
    refunds = [receipt(f"RINV/2026/0000{n}", refund=True, refund_of=f"INV/2026/0000{n}") for n in (2, 1)]
    plan = plan_one(refunds, type_code="02", billing_references=(reference,))
    assert plan.number == "CONS-202607-MYR-001" and plan.billing_references == (reference,)
    doc = document(plan)
    assert doc.type_code == "02" and doc.billing_references == [reference]
    assert [line.description for line in doc.lines] == [
        "Refund RINV/2026/00001 of INV/2026/00001",
        "Refund RINV/2026/00002 of INV/2026/00002",
    ]
    assert all(line.unit_price == D("100.00") and line.taxes[0].amount == D("10.00") for line in doc.lines)
    assert doc.payable_amount == D("220.00")
    data = clean(doc)
    assert f.ORIGINAL_UUID.encode() in data


def test_taxes_are_summed_per_line_and_per_document_to_the_sen():
    exempt = "Exempted under Sales Tax (Exemption) Order 2018"
    receipts = [
        receipt(
            "INV/2026/00001",
            untaxed="10.00",
            taxes=(sst("10.00"), ReceiptTax("02", D("10.00"), D("0.80"), percent=D("8"))),
        ),
        receipt(
            "INV/2026/00002",
            untaxed="33.33",
            taxes=(sst("33.33"), ReceiptTax("02", D("33.33"), D("2.00"), percent=D("6"))),
        ),
        receipt(
            "INV/2026/00003", untaxed="7.05", taxes=(ReceiptTax("E", D("7.05"), D("0.00"), exemption_reason=exempt),)
        ),
        receipt(
            "INV/2026/00004", untaxed="12.34", taxes=(ReceiptTax("06", D("12.34"), D("0.00")),), rounding=D("0.01")
        ),
        receipt("INV/2026/00006", untaxed="2.50", taxes=(), rounding=D("-0.02")),  # no tax at all: 06
        receipt("RINV/2026/00001", untaxed="10.00", taxes=(sst("10.00"),), refund=True),
    ]
    doc = document(plan_one(receipts))
    first = doc.lines[0]  # receipts 1-4
    assert first.unit_price == D("62.72")
    assert [(t.type, t.exemption_reason, t.taxable_amount, t.amount, t.percent) for t in first.taxes] == [
        ("01", "", D("43.33"), D("4.33"), D("10")),  # 1.00 + 3.33; one rate: kept
        ("02", "", D("43.33"), D("2.80"), None),  # 8 % and 6 %: no single rate
        ("06", "", D("12.34"), D("0.00"), None),
        ("E", exempt, D("7.05"), D("0.00"), None),
    ]
    assert [(t.type, t.taxable_amount, t.amount) for t in doc.lines[1].taxes] == [("06", D("2.50"), D("0.00"))]
    subtotals = {(s.type, s.exemption_reason): (s.taxable_amount, s.amount) for s in doc.tax_subtotals}
    assert subtotals == {
        ("01", ""): (D("33.33"), D("3.33")),  # 43.33 - the 10.00 refunded
        ("02", ""): (D("43.33"), D("2.80")),
        ("06", ""): (D("14.84"), D("0.00")),
        ("E", exempt): (D("7.05"), D("0.00")),
    }
    assert doc.rounding == D("-0.01")
    expected = sum(r.total for r in receipts if not r.refund) - sum(r.total for r in receipts if r.refund)
    assert doc.payable_amount == expected == D("61.34")
    clean(doc)


def test_the_general_public_counterpart():
    public = general_public_party()
    assert (public.name, public.tin, public.id_type, public.id_number) == (
        "General Public",
        "EI00000000010",
        "BRN",
        "NA",
    )
    assert (public.sst, public.ttx, public.phone, public.email) == ("NA", "NA", "NA", "")
    assert (public.address.lines, public.address.city, public.address.state, public.address.country) == (
        ["NA"],
        "NA",
        "17",
        "MYS",
    )
    assert public.is_general_public


def test_a_description_longer_than_300_characters_is_refused():
    with pytest.raises(ValueError, match="300"):
        consolidated_lines([receipt("R/1", refund=True, refund_of="X" * 300)])


# --------------------------------------------------------------------------- documents


def test_invoice_credit_note_and_self_billed_documents_have_no_issue():
    reference = (BillingReference(uuid=f.ORIGINAL_UUID, number="CONS-1"),)
    for type_code, refs in (("01", ()), ("02", reference), ("11", ()), ("12", reference)):
        receipts = sales("INV/2026/", 1, 2, 5, refund=type_code in ("02", "12"))
        doc = document(plan_one(receipts, type_code=type_code, billing_references=refs))
        assert doc.consolidated and doc.type_code == type_code
        if type_code in ("11", "12"):  # §8.3: the general public supplies, the issuer buys
            assert doc.supplier.tin == "EI00000000010" and (doc.supplier.msic, doc.supplier.activity) == ("00000", "NA")
            assert doc.buyer.tin == issuer().tin
        else:
            assert doc.buyer.is_general_public and doc.supplier.tin == issuer().tin
        assert doc.payable_amount == D("330.00")
        clean(doc)


def test_several_currencies_give_separate_plans_with_an_average_rate():
    usd = [
        receipt("INV/2026/00001", currency="USD", total_myr=D("466.40")),  # 110.00 USD
        receipt("INV/2026/00003", currency="USD", untaxed="50.00", total_myr=D("233.75")),  # 55.00 USD
        receipt("RINV/2026/00001", currency="USD", untaxed="10.00", refund=True, total_myr=D("46.64")),
    ]
    eur = [receipt("INV/2026/00002", currency="EUR", total_myr=D("555.55"))]
    myr = sales("INV/2026/", 4, 5)
    plans = plan_documents(usd + eur + myr, issuer=issuer(), number_prefix=PREFIX, issued_at=NOW)
    assert [(p.number, p.currency) for p in plans] == [
        ("CONS-202607-EUR-001", "EUR"),
        ("CONS-202607-MYR-001", "MYR"),
        ("CONS-202607-USD-001", "USD"),
    ]
    docs = [document(plan) for plan in plans]
    assert docs[0].exchange_rate == D("5.0504545455")  # 555.55 / 110.00
    assert docs[1].exchange_rate is None
    assert docs[2].exchange_rate == D("4.2435714286")  # (466.40 + 233.75 - 46.64) / (110 + 55 - 11)
    assert docs[2].payable_amount == D("154.00")
    for doc in docs:
        clean(doc)
    no_rate = [receipt("INV/2026/00009", currency="USD")]  # total_myr unknown
    assert document(plan_one(no_rate)).exchange_rate is None


def test_plans_round_trip_through_json_exactly():
    receipts = [
        receipt("INV/2026/00001", currency="SGD", total_myr=D("350.1234"), rounding=D("0.05")),
        receipt(
            "INV/2026/00002",
            currency="SGD",
            total_myr=D("350.00"),
            taxes=(ReceiptTax("E", D("100.00"), D("0"), exemption_reason="Schedule A"),),
        ),
        receipt(
            "RINV/2026/00001",
            currency="SGD",
            total_myr=D("35.0"),
            untaxed="10.0",
            taxes=(),
            refund=True,
            refund_of="INV/2026/00001",
        ),
    ]
    reference = BillingReference(uuid="NA", number="OLD-1")
    for plan in (
        plan_one(receipts, per_receipt=True),
        plan_one(receipts[2:], type_code="02", billing_references=(reference,)),
    ):
        text = plan.to_json()
        back = Plan.from_json(text)
        assert back == plan and back.to_json() == text
        assert [str(r.untaxed) for r in back.receipts] == [str(r.untaxed) for r in plan.receipts]  # 10.0 stays 10.0
        assert ubl.to_xml(document(back)) == ubl.to_xml(document(plan))


# --------------------------------------------------------------------------- planning


def test_documents_are_split_under_max_bytes_and_every_receipt_is_planned_once():
    receipts = sales("INV/2026/", *range(1, 1201))
    receipts += [receipt(f"RINV/2026/{n:05d}", refund=True, untaxed="50.00") for n in range(1, 301)]
    random.Random(3).shuffle(receipts)
    max_bytes = 60_000
    plans = plan_documents(
        receipts, issuer=issuer(), number_prefix=PREFIX, per_receipt=True, max_bytes=max_bytes, issued_at=NOW
    )
    assert len(plans) > 5
    assert [p.number for p in plans] == [f"CONS-202607-MYR-{n:03d}" for n in range(1, len(plans) + 1)]
    seen = Counter(r for plan in plans for r in plan.receipts)
    assert set(seen) == set(receipts) and set(seen.values()) == {1}
    sizes = []
    for plan in plans:
        doc = document(plan)
        data = ubl.to_xml(doc)
        sizes.append(len(data))
        assert len(data) <= max_bytes
        assert doc.payable_amount >= 0
        assert [str(i) for i in validation.validate(doc, now=NOW)] == []
    assert min(sizes[:-1]) > max_bytes - 3_000, "the sizes are exact: documents are filled, not estimated low"


def test_a_range_line_is_never_split_across_documents():
    receipts = sales("POS/", *range(1, 5001)) + sales("INV/2026/", *range(1, 400, 2))
    plans = plan_documents(receipts, issuer=issuer(), number_prefix=PREFIX, max_bytes=30_000, issued_at=NOW)
    assert len(plans) > 1
    pos = [plan for plan in plans if any(r.series == "POS/" for r in plan.receipts)]
    assert len(pos) == 1 and sum(r.series == "POS/" for r in pos[0].receipts) == 5000
    for plan in plans:
        assert len(ubl.to_xml(document(plan))) <= 30_000
    assert sum(len(plan.receipts) for plan in plans) == len(receipts)


def planner_items(receipts, type_code="01", per_receipt=True, currency="MYR"):
    """The planner's view of the lines (private API: what plan_documents computes)."""
    sizer = consolidation._Sizer(type_code, currency, issuer(), NOW)
    groups = enumerate(consolidation._groups(receipts, per_receipt))
    items = [consolidation._Item(i, g, *consolidation._aggregate(g, type_code)) for i, g in groups]
    for item in items:
        item.size = sizer.line(item)
    return sizer, items


def test_the_computed_sizes_are_exact_for_awkward_content():
    exempt = ReceiptTax("E", D("1.005"), D("0.00"), exemption_reason="Schedule A, item 3 (exports)")
    receipts = [
        receipt("R&D/<1>/Résit №/00001", series="A&B", sequence=1, untaxed="1234567.891", total_myr=D("99.5")),
        receipt("R&D/<1>/Résit №/00002", series="A&B", sequence=2, taxes=(sst("100.00", "6.5"), exempt)),
        receipt("INV/2026/00003", untaxed="0.00", taxes=(), rounding=D("-0.03")),
        receipt("RINV/2026/00001", refund=True, refund_of="R&D/<1>/Résit №/00001", untaxed="1E+1", taxes=()),
    ]
    reference = (BillingReference(uuid=f.ORIGINAL_UUID, number="CONS&<1>"),)
    for type_code, refs in (("01", ()), ("02", reference), ("11", ()), ("12", reference)):
        for per_receipt in (False, True):
            for currency in ("MYR", "JPY"):
                group = [dataclasses.replace(r, currency=currency, total_myr=D("123.45")) for r in receipts]
                if type_code in ("02", "12"):
                    group = [dataclasses.replace(r, refund=not r.refund) for r in group]
                plan = plan_one(group, type_code=type_code, billing_references=refs, per_receipt=per_receipt)
                sizer, items = planner_items(plan.receipts, type_code, per_receipt, currency)
                assert sizer.computed(plan, items) == len(ubl.to_xml(document(plan))), (type_code, per_receipt)


def test_the_real_sizes_are_checked_even_when_the_estimate_is_wrong():
    # The safety net behind the computed sizes: _fit with the serialising measure and a
    # capacity far too large (as if every line were estimated too small) still splits.
    receipts = sales("INV/2026/", *range(1, 301))
    sizer, items = planner_items(receipts)

    def make_plan(n, chunk):
        return Plan(f"X-{n:03d}", "01", "MYR", tuple(r for item in chunk for r in item.receipts), True)

    plans = consolidation._fit(items, 10**9, 20_000, make_plan, sizer.measured, "MYR")[0]
    assert len(plans) > 3
    assert all(len(ubl.to_xml(document(plan))) <= 20_000 for plan in plans)
    assert sorted(r.sequence for plan in plans for r in plan.receipts) == list(range(1, 301))


def test_a_line_that_cannot_fit_is_refused():
    receipts = sales("INV/2026/", 1, 3)
    one_line = len(ubl.to_xml(document(plan_one(receipts[:1]))))
    with pytest.raises(ValueError, match="alone exceeds the MYR"):
        plan_documents(receipts, issuer=issuer(), number_prefix=PREFIX, max_bytes=one_line - 1, issued_at=NOW)
    assert len(plan_documents(receipts, issuer=issuer(), number_prefix=PREFIX, max_bytes=one_line, issued_at=NOW)) == 2


def test_more_refunds_than_sales_is_refused_naming_the_currency():
    receipts = sales("INV/2026/", 1, currency="USD") + [
        receipt(f"RINV/2026/0000{n}", currency="USD", refund=True) for n in (1, 2)
    ]
    with pytest.raises(ValueError, match="USD receipts add up to -110.00"):
        plan_documents(receipts, issuer=issuer(), number_prefix=PREFIX, issued_at=NOW)


def test_planning_is_deterministic():
    receipts = sales("INV/2026/", *range(1, 200, 3)) + [receipt("RINV/2026/00001", refund=True)]
    shuffled = receipts[::-1]
    kwargs = dict(issuer=issuer(), number_prefix=PREFIX, max_bytes=20_000, issued_at=NOW)
    assert plan_documents(receipts, **kwargs) == plan_documents(shuffled, **kwargs)


# --------------------------------------------------------------------------- signed, on the emulator


@pytest.fixture(scope="module")
def cert():
    return certificate.load_pkcs12(certificate.make_test_certificate(tin=SUPPLIER_TIN, password=b"pw"), "pw")


def test_a_full_document_signed_stays_under_300_kb(cert):
    plans = plan_documents(
        sales("INV/2026/", *range(1, 401)), issuer=issuer(), number_prefix=PREFIX, per_receipt=True, issued_at=NOW
    )
    assert len(plans) == 2
    unsigned = ubl.to_xml(document(plans[0]))
    assert MAX_UNSIGNED_BYTES - 2_000 < len(unsigned) <= MAX_UNSIGNED_BYTES
    signed = signing.sign_xml(unsigned, cert)
    assert signing.verify(signed) == []
    assert len(signed) <= client.MAX_DOCUMENT_BYTES


def test_signed_consolidated_documents_are_valid_on_the_emulator(cert):
    with Emulator() as emu:
        seed(emu)
        api = Api(emu, "supplier", "s3cret")
        now = emu.clock.now().replace(microsecond=0)

        def submit(plan):
            doc = to_document(plan, issuer=issuer(), issued_at=now)
            uuid = api.submit_one(signing.sign_xml(ubl.to_xml(doc), cert))
            details = api.details(uuid)
            assert details["status"] == "Valid", details["validationResults"]
            return uuid

        receipts = sales("INV/2026/", 1, 2, 3, 7) + [receipt("RINV/2026/00001", refund=True, untaxed="20.00")]
        [invoice] = plan_documents(receipts, issuer=issuer(), number_prefix="CONS-202607", issued_at=now)
        uuid = submit(invoice)
        refund = [receipt("RINV/2026/00002", refund=True, refund_of="INV/2026/00003")]
        reference = (BillingReference(uuid=uuid, number=invoice.number),)
        [note] = plan_documents(
            refund, issuer=issuer(), number_prefix="CONSCN-202607", type_code="02", billing_references=reference
        )
        submit(Plan.from_json(note.to_json()))  # as stored, then rebuilt at signing time
        [self_billed] = plan_documents(
            sales("PAY/", 1, 2), issuer=issuer(), number_prefix="CONSSB-202607", type_code="11", issued_at=now
        )
        submit(self_billed)
