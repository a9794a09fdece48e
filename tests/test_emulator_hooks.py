"""What a buyer and the MyInvois portal do, through the emulator's test hooks
(Emulator.reject_as_buyer, cancel_in_portal): LHDN's rules on the emulator's clock,
the same answers as the cancel/reject endpoint, and what Get Document, Get
Document Details and Get Recent Documents then show. Over real HTTP, no mocks."""

import datetime

import pytest

from l10n_my_einvoice.myinvois import certificate, signing, ubl
from l10n_my_einvoice.myinvois.document import BillingReference
from l10n_my_einvoice.myinvois.emulator import ApiError, Emulator, clock

from .test_emulator import SUPPLIER_TIN, Api, build, seed, signed, valid_invoice

WINDOW = datetime.timedelta(hours=72)
SECOND = datetime.timedelta(seconds=1)
ERROR_OBJECT = {"propertyName", "propertyPath", "errorCode", "error", "errorMS", "target", "innerError"}


@pytest.fixture(scope="module")
def cert():
    return certificate.load_pkcs12(certificate.make_test_certificate(tin=SUPPLIER_TIN, password=b"pw"), "pw")


@pytest.fixture
def emu():
    with Emulator() as emulator:
        seed(emulator)
        yield emulator


@pytest.fixture
def supplier(emu):
    return Api(emu, "supplier", "s3cret")


def validated_at(emu, uuid):
    return clock.parse(emu.documents[uuid]["dateTimeValidated"])


def move_to(emu, when, *apis):
    """Set LHDN's clock; log in again, as a token lives an hour on that clock."""
    emu.clock.set(when)
    for api in apis:
        api.login()


def refused(call, *args):
    with pytest.raises(ApiError) as caught:
        call(*args)
    return caught.value


def assert_lhdn_error(error, status, code):
    """LHDN's cancel/reject refusal: the MyInvois error object under "error" (reference §3.2 item 1)."""
    assert (error.status, error.code) == (status, code)
    assert set(error.body) == {"error"} and set(error.body["error"]) == ERROR_OBJECT
    assert error.body["error"]["errorCode"] == code and error.body["error"]["error"] and error.body["error"]["errorMS"]


# --------------------------------------------------------------------------- the buyer rejects


def test_reject_as_buyer_inside_72_hours_shows_in_every_read(emu, supplier, cert):
    uuid = valid_invoice(emu, supplier, cert)
    buyer = Api(emu, "buyer", "b3cret")
    move_to(emu, validated_at(emu, uuid) + WINDOW - SECOND, supplier, buyer)
    answer = emu.reject_as_buyer(uuid, "Goods not received")
    asked_at = emu.documents[uuid]["rejectRequestDateTime"]
    assert answer == {"uuid": uuid, "status": "Requested for Rejection"}
    assert clock.parse(asked_at) - (validated_at(emu, uuid) + WINDOW - SECOND) < datetime.timedelta(seconds=5)
    # LHDN keeps it Valid; the request time and the reason are in the summary fields.
    raw = supplier.get(f"/documents/{uuid}/raw").json()
    details = supplier.details(uuid)
    recent = supplier.get("/documents/recent", InvoiceDirection="Sent").json()["result"][0]
    for shown in (raw, details, recent, buyer.get(f"/documents/{uuid}/raw").json()):
        assert shown["status"] == "Valid" and shown["longId"]
        assert shown["rejectRequestDateTime"] == asked_at
        assert shown["documentStatusReason"] == "Goods not received"
        assert shown["cancelDateTime"] is None
    assert details["validationResults"]["status"] == "Valid"
    # Once only, from the hook or through the API alike.
    assert_lhdn_error(refused(emu.reject_as_buyer, uuid, "again"), 400, "IncorrectState")
    assert buyer.state(uuid, "rejected").json()["error"]["errorCode"] == "IncorrectState"
    assert emu.stats.requests("reject") == 1, "the hook is not a call to the API"


def test_reject_as_buyer_after_72_hours_is_refused_like_the_endpoint(emu, supplier, cert):
    uuid = valid_invoice(emu, supplier, cert)
    buyer = Api(emu, "buyer", "b3cret")
    move_to(emu, validated_at(emu, uuid) + WINDOW + SECOND, buyer)
    error = refused(emu.reject_as_buyer, uuid, "Too late")
    assert_lhdn_error(error, 400, "OperationPeriodOver")
    over = buyer.state(uuid, "rejected", reason="Too late")
    assert (over.status_code, over.json()) == (400, error.body), "one implementation, one answer"
    assert emu.documents[uuid]["rejectRequestDateTime"] is None


def test_the_issuer_cancels_after_a_rejection_request(emu, supplier, cert):
    uuid = valid_invoice(emu, supplier, cert)
    emu.reject_as_buyer(uuid, "Wrong quantity")
    asked_at = emu.documents[uuid]["rejectRequestDateTime"]
    assert supplier.state(uuid, "cancelled", reason="Buyer's rejection accepted").status_code == 200
    raw = supplier.get(f"/documents/{uuid}/raw").json()
    assert raw["status"] == "Cancelled" and raw["cancelDateTime"] and raw["rejectRequestDateTime"] == asked_at
    assert raw["documentStatusReason"] == "Buyer's rejection accepted"  # the last reason given


def test_a_document_to_a_general_tin_has_no_buyer_to_reject_it(emu, supplier, cert):
    doc = build(emu, number="INV-FOREIGN")
    doc.buyer.tin, doc.buyer.id_type, doc.buyer.id_number = "EI00000000020", "PASSPORT", "NA"
    uuid = supplier.submit_one(signing.sign_xml(ubl.to_xml(doc), cert))
    assert supplier.details(uuid)["status"] == "Valid"
    assert_lhdn_error(refused(emu.reject_as_buyer, uuid, "Who am I?"), 403, "Forbidden")


# --------------------------------------------------------------------------- the issuer cancels in the portal


def test_cancel_in_portal_inside_72_hours_shows_in_every_read(emu, supplier, cert):
    uuid = valid_invoice(emu, supplier, cert)
    move_to(emu, validated_at(emu, uuid) + WINDOW - SECOND, supplier)
    assert emu.cancel_in_portal(uuid, "Issued to the wrong buyer") == {"uuid": uuid, "status": "Cancelled"}
    cancelled_at = emu.documents[uuid]["cancelDateTime"]
    assert cancelled_at
    raw = supplier.get(f"/documents/{uuid}/raw").json()
    details = supplier.details(uuid)
    recent = supplier.get("/documents/recent", status="Cancelled").json()["result"]
    assert [item["uuid"] for item in recent] == [uuid]
    for shown in (raw, details, recent[0]):
        assert shown["status"] == "Cancelled" and shown["cancelDateTime"] == cancelled_at
        assert shown["documentStatusReason"] == "Issued to the wrong buyer"
        assert shown["rejectRequestDateTime"] is None
    assert raw["document"].startswith("<")
    assert emu.stats.requests("cancel") == 0


def test_cancel_in_portal_after_72_hours_is_operation_period_over(emu, supplier, cert):
    uuid = valid_invoice(emu, supplier, cert)
    move_to(emu, validated_at(emu, uuid) + WINDOW + SECOND, supplier)
    error = refused(emu.cancel_in_portal, uuid, "Too late")
    assert_lhdn_error(error, 400, "OperationPeriodOver")
    assert "credit" in error.body["error"]["error"]
    over = supplier.state(uuid, "cancelled", reason="Too late")
    assert (over.status_code, over.json()) == (400, error.body)
    assert supplier.get(f"/documents/{uuid}/raw").json()["status"] == "Valid"


def test_cancel_refusals_incorrect_state(cert):
    with Emulator(validation_delay=30) as emu:  # decided 30 s after receipt, on the emulator's clock
        seed(emu)
        supplier = Api(emu, "supplier", "s3cret")
        uuid = supplier.submit_one(signed(emu, cert))
        assert_lhdn_error(refused(emu.cancel_in_portal, uuid, "Not yet Valid"), 400, "IncorrectState")
        emu.clock.advance(31)
        assert emu.cancel_in_portal(uuid, "Decided meanwhile")["status"] == "Cancelled"  # decided first
        error = refused(emu.cancel_in_portal, uuid, "Twice")
        assert_lhdn_error(error, 400, "IncorrectState")
        again = supplier.state(uuid, "cancelled", reason="Twice")
        assert (again.status_code, again.json()) == (400, error.body)
        assert_lhdn_error(refused(emu.reject_as_buyer, uuid, "Cancelled already"), 400, "IncorrectState")
        # Invalid (issued more than 72 h before receipt) is no state to cancel either.
        old = supplier.submit_one(signed(emu, cert, number="INV-OLD", issued_at=emu.clock.now() - WINDOW - SECOND))
        emu.clock.advance(31)
        assert supplier.details(old)["status"] == "Invalid"
        assert_lhdn_error(refused(emu.cancel_in_portal, old, "Invalid"), 400, "IncorrectState")


def test_cancel_refused_while_a_valid_note_references_the_document(emu, supplier, cert):
    original = valid_invoice(emu, supplier, cert)
    note = build(emu, "credit-note")
    note.billing_references = [BillingReference(uuid=original, number="INV-2026-000123")]
    note_uuid = supplier.submit_one(signing.sign_xml(ubl.to_xml(note), cert))
    assert supplier.details(note_uuid)["status"] == "Valid"
    error = refused(emu.cancel_in_portal, original, "Wrong buyer")
    assert_lhdn_error(error, 400, "ActiveReferencingDocuments")
    assert note_uuid in error.body["error"]["error"]
    blocked = supplier.state(original, "cancelled", reason="Wrong buyer")
    assert (blocked.status_code, blocked.json()) == (400, error.body)
    emu.cancel_in_portal(note_uuid, "Note first")
    assert emu.cancel_in_portal(original, "Wrong buyer")["status"] == "Cancelled"


def test_hooks_check_the_reason_and_the_document_as_the_endpoint_does(emu, supplier, cert):
    uuid = valid_invoice(emu, supplier, cert)
    for reason in ("", "   ", None, "x" * 301):
        assert_lhdn_error(refused(emu.cancel_in_portal, uuid, reason), 400, "BadArgument")
    assert emu.cancel_in_portal(uuid, "x" * 300)["status"] == "Cancelled"
    assert_lhdn_error(refused(emu.reject_as_buyer, "NOSUCHDOCUMENT000000000000", "Why"), 404, "NotFound")
