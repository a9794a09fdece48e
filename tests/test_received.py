"""Received e-invoices (myinvois/received.py): their states at LHDN, the listing
window and paging, and the whole path over the emulator: another taxpayer
(Emulator.add_supplier) issues to the company over HTTP, the company lists what it
received, reads each document, plans its bill, rejects, sees the supplier cancel."""

import datetime
import json
from decimal import Decimal

import pytest

from l10n_my_einvoice.myinvois import client_errors, lifecycle, received, received_bill, ubl
from l10n_my_einvoice.myinvois.client import MyInvoisClient
from l10n_my_einvoice.myinvois.demo import DOCUMENTS_DIR
from l10n_my_einvoice.myinvois.document import BillingReference, Document, Tax
from l10n_my_einvoice.myinvois.emulator import Emulator, clock
from l10n_my_einvoice.myinvois.emulator.suppliers import SupplierRefused

COMPANY_TIN, COMPANY_BRN = "C1234567890", "202001012345"
SUPPLIER_TIN, SUPPLIER_BRN, SUPPLIER_NAME = "C2584563200", "201901000005", "Pembekal Sdn. Bhd."
HOUR = datetime.timedelta(hours=1)
SECOND = datetime.timedelta(seconds=1)
NOW = datetime.datetime(2026, 7, 20, 4, 0, tzinfo=datetime.timezone.utc)


def bought(number, type_code="01", **changes):
    """The sample invoice, issued by the supplier to the company."""
    data = json.loads((DOCUMENTS_DIR / "invoice.json").read_text(encoding="utf-8"))
    data.update(type_code=type_code, number=number, **changes)
    doc = Document.from_dict(data)
    doc.supplier.tin, doc.supplier.id_number, doc.supplier.name = SUPPLIER_TIN, SUPPLIER_BRN, SUPPLIER_NAME
    doc.buyer.tin, doc.buyer.id_type, doc.buyer.id_number = COMPANY_TIN, "BRN", COMPANY_BRN
    return doc


@pytest.fixture
def emu():
    with Emulator() as emulator:
        emulator.add_client("company", "c0mpany", COMPANY_TIN, brn=COMPANY_BRN)
        yield emulator


@pytest.fixture
def sup(emu):
    return emu.add_supplier(SUPPLIER_TIN, SUPPLIER_BRN, SUPPLIER_NAME)


@pytest.fixture
def company(emu):
    return MyInvoisClient(emu.base_url, "company", "c0mpany", max_retries=0)


def listed(client, emu, page_size=received.PAGE_SIZE):
    return list(received.iter_received(client, *received.listing_window(None, emu.clock.now()), page_size=page_size))


def validated_at(emu, uuid):
    return clock.parse(emu.documents[uuid]["dateTimeValidated"])


# --------------------------------------------------------------------------- end to end


def test_three_documents_issued_to_the_company_are_received_and_planned(emu, sup, company):
    first = bought("PB-1001")
    first.lines[0].taxes = [Tax(type="02", percent=Decimal("6"))]
    usd = bought("PB-1002", currency="USD", exchange_rate="4.7215")
    uuid_first = sup.issue(first)
    uuid_usd = sup.issue(usd)
    credit = bought("PB-CN-1", type_code="02")
    credit.lines = credit.lines[1:2]
    credit.billing_references = [BillingReference(uuid=uuid_first, number="PB-1001")]
    uuid_credit = sup.issue(credit)
    uuids = {uuid_first, uuid_usd, uuid_credit}

    items = listed(company, emu)
    assert sorted(item["uuid"] for item in items) == sorted(uuids)
    assert all(received.status_of(item) == received.VALID for item in items)
    assert not any(received.issued_by(item, COMPANY_TIN) for item in items)
    assert all(received.issued_by(item, SUPPLIER_TIN.lower() + " ") for item in items)

    plans = {}
    for uuid in uuids:
        doc = ubl.from_xml(company.get_document(uuid)["document"].encode())
        plan = received_bill.plan_bill(doc, COMPANY_TIN)
        plans[uuid] = plan
        assert plan.total == doc.declared["TaxInclusiveAmount"] + doc.declared["PayableRoundingAmount"]
        assert plan.untaxed == doc.declared["TaxExclusiveAmount"] and plan.tax == doc.declared["TaxAmount"]
        assert plan.payable == doc.declared["PayableAmount"]
        assert sum(line.amount for line in plan.lines) == plan.untaxed
        assert sum(plan.tax_totals.values()) == plan.tax
        assert plan.supplier.tin == SUPPLIER_TIN

    invoice = plans[uuid_first]
    assert (invoice.kind, invoice.is_refund, invoice.number, invoice.references) == ("invoice", False, "PB-1001", [])
    assert len(invoice.lines) == 3 and invoice.lines[0].discount == Decimal("10.00")
    assert invoice.tax_totals == {
        ("02", Decimal("6")): Decimal("5.40"),
        ("01", Decimal("10")): Decimal("320.00"),
        ("01", Decimal("5")): Decimal("1.88"),
    }
    assert plans[uuid_usd].currency == "USD" and plans[uuid_usd].exchange_rate == Decimal("4.7215")
    note = plans[uuid_credit]
    assert (note.kind, note.is_refund, note.total) == ("credit_note", True, Decimal("3520.00"))
    assert note.references == [(uuid_first, "PB-1001")]

    # Received is the company's; the supplier sent them and received none, the company sent none.
    assert not uuids & {item["uuid"] for item in listed(sup.client, emu)}
    sent_by_supplier = sup.client.recent_documents(InvoiceDirection="Sent")["result"]
    assert uuids <= {item["uuid"] for item in sent_by_supplier}
    sent_by_company = company.recent_documents(InvoiceDirection="Sent")["result"]
    assert not uuids & {item["uuid"] for item in sent_by_company}


def test_listing_over_the_emulator_in_pages_of_two(emu, sup, company):
    uuids = [sup.issue(bought(f"PB-20{n}")) for n in range(5)]
    items = listed(company, emu, page_size=2)
    assert len(items) == 5 and sorted(item["uuid"] for item in items) == sorted(uuids)


# --------------------------------------------------------------------------- states


@pytest.mark.parametrize(
    ("item", "state"),
    [
        ({"uuid": "U", "status": "Valid"}, received.VALID),
        ({"uuid": "U", "status": "Valid", "rejectRequestDateTime": None}, received.VALID),
        ({"uuid": "U", "status": " valid ", "rejectRequestDateTime": "2026-07-20T03:15:00Z"}, "rejection_requested"),
        ({"uuid": "U", "status": "Cancelled", "rejectRequestDateTime": "2026-07-20T03:15:00Z"}, "cancelled"),
        ({"uuid": "U", "status": "Invalid"}, None),
        ({"uuid": "U", "status": "Submitted"}, None),
        ({"uuid": "U", "status": "Withdrawn"}, None),
        ({"uuid": "U", "status": None}, None),
        ({"uuid": "U"}, None),
    ],
)
def test_status_of(item, state):
    assert received.status_of(item) == state


def test_next_state_follows_the_table_and_refuses_the_rest():
    assert received.next_state(received.VALID, "request_rejection") == received.REJECTION_REQUESTED
    assert received.next_state(received.VALID, "cancel_done") == received.CANCELLED
    assert received.next_state(received.REJECTION_REQUESTED, "cancel_done") == received.CANCELLED
    for state, event in [
        (received.CANCELLED, "request_rejection"),
        (received.CANCELLED, "cancel_done"),
        (received.REJECTION_REQUESTED, "request_rejection"),
        (received.VALID, "invalidate"),
        ("draft", "cancel_done"),
    ]:
        with pytest.raises(lifecycle.TransitionError):
            received.next_state(state, event)


@pytest.mark.parametrize(
    ("state", "target", "events"),
    [
        (received.VALID, received.VALID, []),
        (received.VALID, received.CANCELLED, ["cancel_done"]),
        (received.VALID, received.REJECTION_REQUESTED, ["request_rejection"]),
        (received.REJECTION_REQUESTED, received.CANCELLED, ["cancel_done"]),
        (received.REJECTION_REQUESTED, received.VALID, []),
        (received.CANCELLED, received.VALID, []),
        (received.CANCELLED, received.REJECTION_REQUESTED, []),
        (received.VALID, None, []),
    ],
)
def test_events_towards(state, target, events):
    assert received.events_towards(state, target) == events
    current = state
    for event in events:
        current = received.next_state(current, event)
    assert current == (target if events else state)


def test_can_reject_only_valid_inside_72_hours():
    assert received.rejection_deadline(NOW) == NOW + 72 * HOUR
    assert received.rejection_deadline(None) is None
    assert received.can_reject(received.VALID, NOW, NOW + 72 * HOUR - SECOND)
    assert not received.can_reject(received.VALID, NOW, NOW + 72 * HOUR)
    assert not received.can_reject(received.VALID, None, NOW)
    assert not received.can_reject(received.REJECTION_REQUESTED, NOW, NOW + HOUR)
    assert not received.can_reject(received.CANCELLED, NOW, NOW + HOUR)


# --------------------------------------------------------------------------- over the emulator


def test_rejection_inside_72_hours_then_refused_after(emu, sup, company):
    first, second = sup.issue(bought("PB-3001")), sup.issue(bought("PB-3002"))
    assert received.can_reject(received.VALID, validated_at(emu, first), emu.clock.now())
    company.reject(first, "Goods not received")
    states = {item["uuid"]: item for item in listed(company, emu)}
    assert states[first]["rejectRequestDateTime"] and states[first]["status"] == "Valid"
    assert received.status_of(states[first]) == received.REJECTION_REQUESTED
    assert received.status_of(states[second]) == received.VALID

    emu.clock.advance(72 * 3600 + 1)
    assert not received.can_reject(received.VALID, validated_at(emu, second), emu.clock.now())
    with pytest.raises(client_errors.OperationPeriodOverError):
        company.reject(second, "Too late")
    assert received.status_of(emu.documents[second]) == received.VALID


def test_can_reject_agrees_with_the_emulator_at_the_edges(emu, sup, company):
    before, at = sup.issue(bought("PB-4001")), sup.issue(bought("PB-4002"))
    emu.clock.set(validated_at(emu, before) + received.REJECTION_WINDOW - 5 * SECOND)
    assert received.can_reject(received.VALID, validated_at(emu, before), emu.clock.now())
    company.reject(before, "Wrong quantity")
    assert received.status_of(emu.documents[before]) == received.REJECTION_REQUESTED

    emu.clock.set(validated_at(emu, at) + received.REJECTION_WINDOW)
    assert not received.can_reject(received.VALID, validated_at(emu, at), emu.clock.now())
    with pytest.raises(client_errors.OperationPeriodOverError):
        company.reject(at, "Wrong quantity")


def test_supplier_cancellation_reaches_the_company(emu, sup, company):
    kept, cancelled = sup.issue(bought("PB-5001")), sup.issue(bought("PB-5002"))
    sup.cancel(cancelled, "wrong price")
    items = {item["uuid"]: item for item in listed(company, emu)}
    assert items[cancelled]["status"] == "Cancelled"
    assert received.status_of(items[cancelled]) == received.CANCELLED
    assert received.status_of(items[kept]) == received.VALID
    assert received.events_towards(received.VALID, received.status_of(items[cancelled])) == ["cancel_done"]


def test_supplier_cancels_after_our_rejection(emu, sup, company):
    uuid = sup.issue(bought("PB-5101"))
    company.reject(uuid, "Not ordered")
    sup.cancel(uuid, "Buyer rejected")
    (item,) = listed(company, emu)
    target = received.status_of(item)
    assert target == received.CANCELLED
    assert received.events_towards(received.REJECTION_REQUESTED, target) == ["cancel_done"]


def test_add_supplier_needs_a_started_emulator():
    emulator = Emulator()
    with pytest.raises(RuntimeError):
        emulator.add_supplier(SUPPLIER_TIN, SUPPLIER_BRN, SUPPLIER_NAME)


def test_an_invalid_document_is_refused(emu, sup):
    doc = bought("PB-6001")
    doc.lines[0].unit_code = "NOT-A-UNIT"
    with pytest.raises(SupplierRefused):
        sup.issue(doc)
    assert not [r for r in emu.documents.values() if r["status"] == "Valid"]


# --------------------------------------------------------------------------- listing window and paging


def test_listing_window_without_last_read_covers_the_change_horizon():
    since, until = received.listing_window(None, NOW)
    assert until == NOW and since == NOW - received.CHANGE_HORIZON
    assert received.CHANGE_HORIZON >= received.REJECTION_WINDOW + HOUR


def test_listing_window_goes_back_to_an_old_last_read_within_31_days():
    since, until = received.listing_window(NOW - datetime.timedelta(days=10), NOW)
    assert until == NOW and since <= NOW - datetime.timedelta(days=10)
    assert since >= NOW - datetime.timedelta(days=10) - 2 * HOUR
    since, _ = received.listing_window(NOW - datetime.timedelta(days=90), NOW)
    assert NOW - datetime.timedelta(days=31) < since < NOW - datetime.timedelta(days=30)


def test_listing_window_with_a_recent_last_read_still_covers_the_change_horizon():
    since, _ = received.listing_window(NOW - datetime.timedelta(minutes=5), NOW)
    assert since == NOW - received.CHANGE_HORIZON


class FakeClient:
    def __init__(self, answers):
        self.answers, self.calls = list(answers), []

    def recent_documents(self, **filters):
        self.calls.append(filters)
        return self.answers.pop(0)


def page(uuids, pages):
    return {"result": [{"uuid": u, "status": "Valid"} for u in uuids], "metadata": {"totalPages": pages}}


def test_iter_received_joins_pages_with_the_same_filters():
    fake = FakeClient([page(["A", "B"], 3), page(["C", "D"], 3), page(["E"], 3), page(["X"], 3)])
    since, until = received.listing_window(None, NOW)
    items = list(received.iter_received(fake, since, until, page_size=2))
    assert [item["uuid"] for item in items] == ["A", "B", "C", "D", "E"]
    assert [call.pop("pageNo") for call in fake.calls] == [1, 2, 3]
    expected = {"InvoiceDirection": "Received", "submissionDateFrom": since, "submissionDateTo": until, "pageSize": 2}
    assert fake.calls == [expected] * 3


def test_iter_received_of_nothing():
    fake = FakeClient([{"result": [], "metadata": {"totalPages": 0, "totalCount": 0}}])
    assert list(received.iter_received(fake, NOW - HOUR, NOW)) == []
    assert len(fake.calls) == 1


@pytest.mark.parametrize(
    "answer",
    [
        {"metadata": {"totalPages": 1}},
        {"result": None, "metadata": {"totalPages": 1}},
        {"result": {"uuid": "A"}, "metadata": {"totalPages": 1}},
        {"result": [{"uuid": "A"}]},
        {"result": [{"uuid": "A"}], "metadata": {}},
        {"result": [{"uuid": "A"}], "metadata": {"totalPages": "1"}},
        {"result": [{"uuid": "A"}], "metadata": {"totalPages": True}},
        {"result": [{"status": "Valid"}], "metadata": {"totalPages": 1}},
        {"result": ["A"], "metadata": {"totalPages": 1}},
        [],
        None,
    ],
)
def test_iter_received_refuses_an_unreadable_answer(answer):
    with pytest.raises(client_errors.ProtocolError):
        list(received.iter_received(FakeClient([answer]), NOW - HOUR, NOW))


def test_issued_by():
    assert received.issued_by({"issuerTin": " c1234567890 "}, COMPANY_TIN)
    assert not received.issued_by({"issuerTin": SUPPLIER_TIN}, COMPANY_TIN)
    assert not received.issued_by({"issuerTin": ""}, "")
    assert not received.issued_by({}, COMPANY_TIN)
