"""The MyInvois emulator over real HTTP on loopback: LHDN's paths, codes, shapes
and rules, the faults it injects, and its persistence. No mocks."""

import base64
import copy
import datetime
import hashlib
import json
import re
import signal
import subprocess
import sys
import time

import pytest
import requests

from l10n_my_einvoice.myinvois import certificate, signing, ubl
from l10n_my_einvoice.myinvois.document import BillingReference, Document
from l10n_my_einvoice.myinvois.emulator import Emulator

from .conftest import ROOT

SUPPLIER_TIN, SUPPLIER_BRN = "C1234567890", "202001012345"
BUYER_TIN, BUYER_BRN = "C9876543210", "201901098765"
AGENT_TIN = "C5555555550"
UID = re.compile(r"^[A-Z0-9]{26}$")
HOUR = 3600


@pytest.fixture(scope="module")
def supplier_cert():
    return certificate.load_pkcs12(certificate.make_test_certificate(tin=SUPPLIER_TIN, password=b"pw"), "pw")


@pytest.fixture
def emu():
    with Emulator() as emulator:
        seed(emulator)
        yield emulator


def seed(emulator):
    emulator.add_client("supplier", "s3cret", SUPPLIER_TIN, SUPPLIER_BRN)
    emulator.add_client("buyer", "b3cret", BUYER_TIN, BUYER_BRN)
    emulator.add_client("agent", "a3cret", AGENT_TIN, represents=[SUPPLIER_TIN])
    emulator.add_taxpayer(SUPPLIER_TIN, "Contoh Teknologi Sdn. Bhd.", "BRN", SUPPLIER_BRN)
    emulator.add_taxpayer(BUYER_TIN, "Pelanggan Berhad", "BRN", BUYER_BRN)


class Api:
    """A bare client: one session, one token."""

    def __init__(self, emulator, client_id, secret, onbehalfof=None):
        self.emu, self.base = emulator, emulator.base_url
        self.session = requests.Session()
        self.client_id, self.secret, self.onbehalfof = client_id, secret, onbehalfof
        self.login()

    def token_request(self, **form):
        headers = {"onbehalfof": self.onbehalfof} if self.onbehalfof else {}
        data = {
            "client_id": self.client_id,
            "client_secret": self.secret,
            "grant_type": "client_credentials",
            "scope": "InvoicingAPI",
            **form,
        }
        return self.session.post(self.base + "/connect/token", data=data, headers=headers, timeout=5)

    def login(self):
        response = self.token_request()
        assert response.status_code == 200, response.text
        self.session.headers["Authorization"] = "Bearer " + response.json()["access_token"]
        return response

    def get(self, path, **params):
        return self.session.get(self.base + "/api/v1.0" + path, params=params, timeout=5)

    def submit(self, *documents, raw=None, **kwargs):
        body = raw if raw is not None else json.dumps(envelope(*documents)).encode()
        return self.session.post(
            self.base + "/api/v1.0/documentsubmissions/",
            data=body,
            headers={"Content-Type": "application/json"},
            timeout=5,
            **kwargs,
        )

    def state(self, uuid, status, reason="Wrong amount"):
        body = {"status": status} if reason is None else {"status": status, "reason": reason}
        return self.session.put(f"{self.base}/api/v1.0/documents/state/{uuid}/state", json=body, timeout=5)

    def submit_one(self, xml, code=None):
        """Submit one document; its uuid once accepted."""
        response = self.submit((xml, code))
        assert response.status_code == 202, response.text
        accepted = response.json()["acceptedDocuments"]
        assert len(accepted) == 1, response.json()
        return accepted[0]["uuid"]

    def details(self, uuid):
        response = self.get(f"/documents/{uuid}/details")
        assert response.status_code == 200, response.text
        return response.json()


def envelope(*documents):
    items = []
    for entry in documents:
        xml, code = entry if isinstance(entry, tuple) else (entry, None)
        items.append(
            {
                "format": "XML",
                "document": base64.b64encode(xml).decode(),
                "documentHash": hashlib.sha256(xml).hexdigest(),
                "codeNumber": code or number_of(xml),
            }
        )
    return {"documents": items}


def number_of(xml):
    try:
        return ubl.from_xml(xml).number
    except ValueError:
        return "UNREADABLE"


def build(emulator, name="invoice", number=None, issued_at=None, **changes):
    data = copy.deepcopy(json.loads((ROOT / "samples" / "documents" / f"{name}.json").read_text()))
    data.update(changes)
    doc = Document.from_dict(data)
    doc.issued_at = (issued_at or emulator.clock.now()).replace(microsecond=0)
    if number:
        doc.number = number
    return doc


def signed(emulator, cert, **kwargs):
    return signing.sign_xml(ubl.to_xml(build(emulator, **kwargs)), cert)


def inner_codes(details):
    return {
        inner["errorCode"]
        for step in details["validationResults"]["validationSteps"]
        if step.get("error")
        for inner in step["error"]["innerError"]
    }


# --------------------------------------------------------------------------- login


def test_login_ok_and_bad(emu):
    supplier = Api(emu, "supplier", "s3cret")
    ok = supplier.token_request()
    body = ok.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600 and body["scope"] == "InvoicingAPI"
    assert ok.headers["correlationId"]
    assert supplier.token_request(client_secret="nope").json() == {"error": "invalid_client"}
    assert supplier.token_request(client_secret="nope").status_code == 400
    assert supplier.token_request(grant_type="password").json()["error"] == "unsupported_grant_type"
    assert supplier.token_request(client_id="").json()["error"] == "invalid_request"
    assert emu.stats["logins"] == 2 and emu.stats.logins_for("supplier") == 2
    assert emu.stats.requests("token") == 6


def test_onbehalfof_allowed_and_refused(emu, supplier_cert):
    agent = Api(emu, "agent", "a3cret", onbehalfof=SUPPLIER_TIN)
    assert Api(emu, "agent", "a3cret", onbehalfof=f"{SUPPLIER_TIN}:{SUPPLIER_BRN}")
    assert emu.stats.logins_for("agent", SUPPLIER_TIN) == 2
    assert emu.stats.logins_for("agent", f"{SUPPLIER_TIN}:{SUPPLIER_BRN}") == 1
    agent.onbehalfof = BUYER_TIN
    refused = agent.token_request()
    assert refused.status_code == 403
    supplier = Api(emu, "supplier", "s3cret")
    supplier.onbehalfof = BUYER_TIN  # not an intermediary for anyone
    assert supplier.token_request().status_code == 403
    # The intermediary's token acts for the supplier: it may submit the supplier's documents...
    uuid = agent.submit_one(signed(emu, supplier_cert))
    assert emu.documents[uuid]["submitterClientId"] == "agent"
    # ...the supplier sees them, but the intermediary does not see what the supplier submitted itself.
    assert supplier.get(f"/documents/{uuid}/details").status_code == 200
    own = supplier.submit_one(signed(emu, supplier_cert, number="INV-OWN-1"))
    assert agent.get(f"/documents/{own}/details").status_code == 403


def test_token_expires_on_the_emulator_clock(emu):
    supplier = Api(emu, "supplier", "s3cret")
    assert supplier.get("/documenttypes").status_code == 200
    emu.clock.advance(3601)
    expired = supplier.get("/documenttypes")
    assert expired.status_code == 401 and expired.json()["error"]["code"] == "Unauthorized"
    assert requests.get(emu.base_url + "/api/v1.0/documenttypes", timeout=5).status_code == 401
    supplier.login()
    assert supplier.get("/documenttypes").status_code == 200


# --------------------------------------------------------------------------- submit and validation


def test_valid_document_goes_submitted_then_valid(supplier_cert):
    with Emulator(validation_delay=30) as emu:
        seed(emu)
        supplier = Api(emu, "supplier", "s3cret")
        xml = signed(emu, supplier_cert)
        response = supplier.submit(xml)
        assert response.status_code == 202
        body = response.json()
        assert UID.match(body["submissionUid"]) and body["rejectedDocuments"] == []
        uuid = body["acceptedDocuments"][0]["uuid"]
        assert UID.match(uuid) and body["acceptedDocuments"][0]["invoiceCodeNumber"] == "INV-2026-000123"
        status = supplier.get(f"/documentsubmissions/{body['submissionUid']}").json()
        assert status["overallStatus"] == "in progress"
        assert status["documentSummary"][0]["status"] == "Submitted"
        assert "longId" not in status["documentSummary"][0]
        emu.clock.advance(30)
        assert emu.process_pending() == 1
        status = supplier.get(f"/documentsubmissions/{body['submissionUid']}", pageNo=1, pageSize=10).json()
        summary = status["documentSummary"][0]
        assert status["overallStatus"] == "valid" and status["documentCount"] == 1
        assert summary["status"] == "Valid" and summary["longId"] and summary["dateTimeValidated"]
        assert summary["internalId"] == "INV-2026-000123" and summary["issuerTin"] == SUPPLIER_TIN
        assert summary["totalPayableAmount"] == 3656.58 and summary["typeName"] == "Invoice"
        raw = supplier.get(f"/documents/{uuid}/raw").json()
        assert raw["document"].encode() == xml and raw["longId"] == summary["longId"]
        assert supplier.details(uuid)["validationResults"]["status"] == "Valid"
        buyer = Api(emu, "buyer", "b3cret")
        assert buyer.get(f"/documentsubmissions/{body['submissionUid']}").status_code == 403
        assert buyer.get(f"/documents/{uuid}/raw").status_code == 200  # the receiver sees Valid documents
        assert supplier.get("/documentsubmissions/NOSUCHSUBMISSION0000000000").status_code == 404


def test_background_thread_decides_without_anyone_asking(emu, supplier_cert):
    uuid = Api(emu, "supplier", "s3cret").submit_one(signed(emu, supplier_cert))
    deadline = time.monotonic() + 3
    while emu.documents[uuid]["status"] == "Submitted" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert emu.documents[uuid]["status"] == "Valid"


def test_structure_and_envelope_problems_are_rejected_on_receipt(emu, supplier_cert):
    supplier = Api(emu, "supplier", "s3cret")
    good = signed(emu, supplier_cert)
    broken = good.replace(b"<cbc:IssueDate>", b"<cbc:Nonsense>x</cbc:Nonsense><cbc:IssueDate>", 1)
    bad_code = good.replace(b">MYR<", b">ABC<", 1)
    wrong_hash = {
        "format": "XML",
        "document": base64.b64encode(good).decode(),
        "documentHash": "0" * 64,
        "codeNumber": "HASH",
    }
    body = envelope((broken, "BROKEN"), (bad_code, "CODE"), (b"not xml at all", "NOTXML"))
    body["documents"].append(wrong_hash)
    response = supplier.submit(raw=json.dumps(body).encode())
    assert response.status_code == 202
    result = response.json()
    assert result["acceptedDocuments"] == [] and result["submissionUid"] is None
    errors = {item["invoiceCodeNumber"]: item["error"] for item in result["rejectedDocuments"]}
    assert errors["BROKEN"]["errorCode"] == "BadStructure"
    assert any("Nonsense" in inner["error"] for inner in errors["BROKEN"]["innerError"])
    assert errors["CODE"]["innerError"][0]["errorCode"] == "CV302"
    assert errors["NOTXML"]["errorCode"] == "BadStructure"
    assert errors["HASH"]["propertyName"] == "documentHash"
    for error in errors.values():
        assert {"propertyName", "propertyPath", "errorCode", "error", "errorMS", "innerError"} <= set(error)
    # Envelope problems: 400 with the ValidationError shape, or MaximumSizeExceeded.
    not_json = supplier.submit(raw=b"{nope")
    assert not_json.status_code == 400 and not_json.json()["error"]["code"] == "ValidationError"
    assert not_json.json()["error"]["details"][0]["code"] == "BadStructure"
    assert supplier.submit(raw=b'{"documents": []}').status_code == 400
    too_many = supplier.submit(*[(good, f"N{i}") for i in range(101)])
    assert too_many.status_code == 400 and too_many.json()["error"]["code"] == "MaximumSizeExceeded"
    huge = supplier.submit(raw=b" " * (5 * 1024 * 1024 + 1))
    assert huge.status_code == 400 and huge.json()["error"]["code"] == "MaximumSizeExceeded"
    big_document = good.replace(b"</Invoice>", b"<!--" + b"x" * 300 * 1024 + b"--></Invoice>")
    big = supplier.submit((big_document, "BIG")).json()["rejectedDocuments"][0]["error"]
    assert big["errorCode"] == "MaximumSizeExceeded"
    as_json = dict(envelope((good, "J"))["documents"][0], format="JSON")
    json_result = supplier.submit(raw=json.dumps({"documents": [as_json]}).encode()).json()
    assert json_result["rejectedDocuments"][0]["error"]["errorCode"] == "NotSupportedByEmulator"
    assert emu.documents == {}


def test_tampered_signature_becomes_invalid_with_a_ds_code(emu, supplier_cert):
    supplier = Api(emu, "supplier", "s3cret")
    tampered = signed(emu, supplier_cert).replace(b"Pelanggan Berhad", b"Pelanggan Berhaz")
    uuid = supplier.submit_one(tampered)
    details = supplier.details(uuid)
    assert details["status"] == "Invalid" and details["validationResults"]["status"] == "Invalid"
    step = next(s for s in details["validationResults"]["validationSteps"] if s["status"] == "Invalid")
    assert step["name"] == "Step08-Document Signature Validator"
    assert "DS322" in inner_codes(details)
    assert supplier.get(f"/documents/{uuid}/raw").status_code == 404  # Invalid: details only
    submission = supplier.get(f"/documentsubmissions/{details['submissionUid']}").json()
    assert submission["overallStatus"] == "invalid"


def test_document_rules_and_issue_time(emu, supplier_cert):
    supplier = Api(emu, "supplier", "s3cret")
    old = signed(emu, supplier_cert, issued_at=emu.clock.now() - datetime.timedelta(hours=73))
    future = signed(emu, supplier_cert, number="INV-FUTURE", issued_at=emu.clock.now() + datetime.timedelta(hours=1))
    for xml in (old, future):
        details = supplier.details(supplier.submit_one(xml))
        core = next(s for s in details["validationResults"]["validationSteps"] if s["name"].startswith("Step02"))
        assert core["status"] == "Invalid"
        inner = core["error"]["innerError"][0]
        assert inner["propertyPath"] == "issued_at" and inner["errorCode"].startswith("CF") and inner["errorMS"]


def test_issuer_tin_must_be_the_authenticated_taxpayer(emu, supplier_cert):
    buyer = Api(emu, "buyer", "b3cret")
    result = buyer.submit(signed(emu, supplier_cert)).json()
    assert result["acceptedDocuments"] == []
    assert result["rejectedDocuments"][0]["error"]["errorCode"] == "IncorrectSubmitter"


def test_duplicate_payload_then_duplicate_document(emu, supplier_cert):
    supplier = Api(emu, "supplier", "s3cret")
    xml = signed(emu, supplier_cert)
    first = supplier.submit_one(xml)
    again = supplier.submit(xml)
    assert again.status_code == 422 and again.json()["error"]["code"] == "DuplicateSubmission"
    assert 1 <= int(again.headers["Retry-After"]) <= 600
    emu.clock.advance(601)
    # The payload window is over, but the same document within 2 hours is a duplicate document.
    second = supplier.submit_one(xml)
    assert supplier.details(first)["status"] == "Valid"
    details = supplier.details(second)
    assert details["status"] == "Invalid" and "DV302" in inner_codes(details)
    assert len(emu.documents_by_code("INV-2026-000123")) == 2


def test_same_document_in_another_payload_is_dv302(emu, supplier_cert):
    supplier = Api(emu, "supplier", "s3cret")
    xml = signed(emu, supplier_cert)
    first = supplier.submit_one(xml, code="A")
    second = supplier.submit_one(xml, code="B")  # different envelope, same document
    assert supplier.details(first)["status"] == "Valid"
    assert "DV302" in inner_codes(supplier.details(second))


# --------------------------------------------------------------------------- cancel and reject


def valid_invoice(emulator, api, cert, number="INV-2026-000123"):
    uuid = api.submit_one(signed(emulator, cert, number=number))
    assert api.details(uuid)["status"] == "Valid"
    return uuid


def test_cancel_within_72_hours_and_after(emu, supplier_cert):
    supplier = Api(emu, "supplier", "s3cret")
    early = valid_invoice(emu, supplier, supplier_cert, "INV-1")
    late = valid_invoice(emu, supplier, supplier_cert, "INV-2")
    emu.clock.advance(71 * HOUR)
    supplier.login()  # the first token expired meanwhile
    assert supplier.state(early, "cancelled", reason=None).json()["error"]["errorCode"] == "BadArgument"
    assert supplier.state(early, "cancelled", reason="x" * 301).status_code == 400
    cancelled = supplier.state(early, "cancelled")
    assert cancelled.status_code == 200 and cancelled.json() == {"uuid": early, "status": "Cancelled"}
    summary = supplier.get(f"/documents/{early}/raw").json()
    assert summary["status"] == "Cancelled" and summary["cancelDateTime"]
    assert summary["documentStatusReason"] == "Wrong amount"
    assert supplier.state(early, "cancelled").json()["error"]["errorCode"] == "IncorrectState"
    emu.clock.advance(HOUR + 1)
    supplier.login()
    over = supplier.state(late, "cancelled")
    assert over.status_code == 400 and over.json()["error"]["errorCode"] == "OperationPeriodOver"
    assert supplier.state("NOSUCHDOCUMENT000000000000", "cancelled").status_code == 404


def test_reject_by_buyer_only_and_once(emu, supplier_cert):
    supplier, buyer = Api(emu, "supplier", "s3cret"), Api(emu, "buyer", "b3cret")
    uuid = valid_invoice(emu, supplier, supplier_cert)
    refused = buyer.state(uuid, "cancelled")
    assert refused.status_code == 403 and refused.json()["error"]["errorCode"] == "Forbidden"
    assert supplier.state(uuid, "rejected").status_code == 403
    rejected = buyer.state(uuid, "rejected", reason="Not ordered")
    assert rejected.status_code == 200 and rejected.json() == {"uuid": uuid, "status": "Requested for Rejection"}
    summary = buyer.get(f"/documents/{uuid}/raw").json()
    assert summary["status"] == "Valid" and summary["rejectRequestDateTime"]
    assert buyer.state(uuid, "rejected").json()["error"]["errorCode"] == "IncorrectState"
    assert supplier.state(uuid, "cancelled").status_code == 200  # the issuer follows up


def test_note_references_block_cancellation(emu, supplier_cert):
    supplier = Api(emu, "supplier", "s3cret")
    original = valid_invoice(emu, supplier, supplier_cert)
    note = build(emu, "credit-note")
    note.billing_references = [BillingReference(uuid=original, number="INV-2026-000123")]
    note_uuid = supplier.submit_one(signing.sign_xml(ubl.to_xml(note), supplier_cert))
    assert supplier.details(note_uuid)["status"] == "Valid"
    blocked = supplier.state(original, "cancelled")
    assert blocked.status_code == 400 and blocked.json()["error"]["errorCode"] == "ActiveReferencingDocuments"
    assert supplier.state(note_uuid, "cancelled").status_code == 200
    assert supplier.state(original, "cancelled").status_code == 200
    # A note must reference a Valid document of the platform (or NA).
    stray = build(emu, "credit-note", number="CN-STRAY")
    stray.billing_references = [BillingReference(uuid="F9D425P6DS7D8IU4R2X8WQNK10", number="OLD-1")]
    details = supplier.details(supplier.submit_one(signing.sign_xml(ubl.to_xml(stray), supplier_cert)))
    assert details["status"] == "Invalid" and inner_codes(details) == {"DR303"}


# --------------------------------------------------------------------------- lists, TIN, catalogue


def test_recent_and_search_filters(emu, supplier_cert):
    supplier, buyer = Api(emu, "supplier", "s3cret"), Api(emu, "buyer", "b3cret")
    first = valid_invoice(emu, supplier, supplier_cert, "INV-A")
    valid_invoice(emu, supplier, supplier_cert, "INV-B")
    invalid = supplier.submit_one(signed(emu, supplier_cert, number="INV-C").replace(b"Pelanggan", b"Pelangan"))
    recent = supplier.get("/documents/recent").json()
    assert recent["metadata"] == {"totalPages": 1, "totalCount": 3}
    assert [item["internalId"] for item in recent["result"]] == ["INV-C", "INV-B", "INV-A"]  # newest first
    assert supplier.get("/documents/recent", status="Invalid").json()["result"][0]["uuid"] == invalid
    assert supplier.get("/documents/recent", InvoiceDirection="Received").json()["metadata"]["totalCount"] == 0
    received = buyer.get("/documents/recent", InvoiceDirection="Received").json()
    assert received["metadata"]["totalCount"] == 2  # the receiver never sees the Invalid one
    assert supplier.get("/documents/recent", documentType="02").json()["result"] == []
    paged = supplier.get("/documents/recent", pageSize=2, pageNo=2).json()
    assert paged["metadata"]["totalPages"] == 2 and len(paged["result"]) == 1
    now = emu.clock.now()
    window = {
        "submissionDateFrom": (now - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "submissionDateTo": (now + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    found = supplier.get("/documents/search", searchQuery="inv-a", **window).json()
    assert [item["uuid"] for item in found["result"]] == [first] and found["result"][0]["supplierTIN"]
    assert (
        supplier.get("/documents/search", searchQuery=BUYER_TIN, invoiceDirection="Sent", **window).json()["metadata"][
            "totalCount"
        ]
        == 3
    )
    assert supplier.get("/documents/search").json()["error"]["code"] == "BadArgument"
    too_wide = {"issueDateFrom": "2026-01-01T00:00:00Z", "issueDateTo": "2026-03-01T00:00:00Z"}
    assert supplier.get("/documents/search", **too_wide).status_code == 400
    assert supplier.get("/documents/search", submissionDateFrom=window["submissionDateFrom"]).status_code == 400
    assert supplier.get("/documents/recent", pageSize=101).status_code == 400


def test_tin_validation_and_search(emu):
    supplier = Api(emu, "supplier", "s3cret")
    ok = supplier.get(f"/taxpayer/validate/{BUYER_TIN}", idType="BRN", idValue=BUYER_BRN)
    assert ok.status_code == 200 and ok.content == b""
    assert supplier.get(f"/taxpayer/validate/{BUYER_TIN}", idType="BRN", idValue="1").status_code == 404
    assert supplier.get(f"/taxpayer/validate/{BUYER_TIN}", idType="XYZ", idValue="1").status_code == 400
    assert supplier.get("/taxpayer/search/tin", idType="BRN", idValue=BUYER_BRN).json() == {"tin": BUYER_TIN}
    assert supplier.get("/taxpayer/search/tin", taxpayerName="pelanggan").json() == {"tin": BUYER_TIN}
    emu.add_taxpayer("C1111111110", "Pelanggan Kedua", "BRN", "200001000001")
    assert supplier.get("/taxpayer/search/tin", taxpayerName="Pelanggan").status_code == 400  # not conclusive
    assert supplier.get("/taxpayer/search/tin", taxpayerName="Nobody").status_code == 404
    assert supplier.get("/taxpayer/search/tin").status_code == 400
    assert supplier.get("/taxpayers/qrcodeinfo/bm9uZQ==").status_code == 404


def test_document_types_notifications_and_unknown_paths(emu):
    supplier = Api(emu, "supplier", "s3cret")
    types = supplier.get("/documenttypes").json()["result"]
    assert sorted(t["invoiceTypeCode"] for t in types) == [1, 2, 3, 4, 11, 12, 13, 14]
    assert all([v["name"] for v in t["documentTypeVersions"]] == ["1.0", "1.1"] for t in types)
    one = supplier.get("/documenttypes/1").json()
    assert {p["parameter"]: p["value"] for p in one["workflowParameters"]} == {
        "submissionDuration": 72,
        "cancellationDuration": 72,
        "rejectionDuration": 72,
    }
    version = one["documentTypeVersions"][1]
    assert supplier.get(f"/documenttypes/1/versions/{version['id']}").json()["name"] == "1.1"
    assert supplier.get("/notifications/taxpayer").json() == {"result": [], "metadata": {"hasNext": False}}
    unknown = supplier.session.get(emu.base_url + "/api/v1.0/nothing-here", timeout=5)
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "NotFound"
    assert unknown.headers["correlationId"]


# --------------------------------------------------------------------------- limits and faults


def test_rate_limit_answers_429_with_retry_after():
    with Emulator(rate_limits={"get_submission": 3, "token": 2}, rate_window=0.5) as emu:
        seed(emu)
        supplier = Api(emu, "supplier", "s3cret")
        answers = [supplier.get("/documentsubmissions/UNKNOWN") for _ in range(4)]
        assert [a.status_code for a in answers] == [404, 404, 404, 429]
        limited = answers[-1]
        assert limited.headers["Retry-After"] == "1" and limited.headers["X-Rate-Limit-Limit"] == "3"
        assert limited.headers["X-Rate-Limit-Remaining"] == "0" and "X-Rate-Limit-Reset" in limited.headers
        assert limited.json()["error"]["code"] == "TooManyRequests"
        assert answers[0].headers["X-Rate-Limit-Remaining"] == "2"
        assert emu.stats.too_many("get_submission") == 1
        assert supplier.token_request().status_code == 200  # second login of two
        assert supplier.token_request().status_code == 429
        time.sleep(0.55)
        assert supplier.get("/documentsubmissions/UNKNOWN").status_code == 404
        assert supplier.token_request().status_code == 200


def test_injected_faults(emu, supplier_cert):
    supplier = Api(emu, "supplier", "s3cret")
    emu.inject("document_types", "status", status=503)
    failed = supplier.get("/documenttypes")
    assert failed.status_code == 503 and failed.json()["error"]["code"] == "ServiceUnavailable"
    assert failed.headers["correlationId"]
    assert supplier.get("/documenttypes").status_code == 200  # times=1: only the next call
    emu.inject("document_types", "429", times=2, retry_after=7)
    assert [supplier.get("/documenttypes").headers.get("Retry-After") for _ in range(2)] == ["7", "7"]
    assert emu.stats.too_many("document_types") == 0 and emu.stats.injected("document_types") == 3
    emu.inject("document_types", "delay", seconds=0.3)
    started = time.monotonic()
    assert supplier.get("/documenttypes").status_code == 200 and time.monotonic() - started >= 0.3
    emu.inject("document_types", "delay", seconds=0.5)
    with pytest.raises(requests.exceptions.ReadTimeout):
        supplier.session.get(emu.base_url + "/api/v1.0/documenttypes", timeout=0.1)
    emu.inject("token", "drop")
    with pytest.raises(requests.exceptions.ConnectionError):
        supplier.token_request()
    supplier.login()
    xml = signed(emu, supplier_cert)
    emu.inject("submit", "drop_after_accept")
    with pytest.raises(requests.exceptions.ConnectionError):
        supplier.submit(xml)
    stored = emu.documents_by_code("INV-2026-000123")
    assert len(stored) == 1  # LHDN has it although the client saw no answer
    assert supplier.submit(xml).status_code == 422  # a blind resend within 10 minutes
    with pytest.raises(ValueError):
        emu.inject("token", "drop_after_accept")
    with pytest.raises(ValueError):
        emu.inject("nowhere", "drop")


# --------------------------------------------------------------------------- persistence and CLI


def test_state_file_survives_a_restart(tmp_path, supplier_cert):
    path = tmp_path / "state.json"
    with Emulator(state_file=str(path)) as first:
        seed(first)
        supplier = Api(first, "supplier", "s3cret")
        uuid = valid_invoice(first, supplier, supplier_cert)
        token = supplier.session.headers["Authorization"]
    with Emulator(state_file=str(path)) as second:
        assert second.documents[uuid]["status"] == "Valid" and len(second.documents_by_code("INV-2026-000123")) == 1
        again = requests.get(
            f"{second.base_url}/api/v1.0/documents/{uuid}/raw", headers={"Authorization": token}, timeout=5
        )
        assert again.status_code == 200 and again.json()["status"] == "Valid"
        assert Api(second, "supplier", "s3cret").state(uuid, "cancelled").status_code == 200
    assert json.loads(path.read_text())["documents"][uuid]["status"] == "Cancelled"


def test_standalone_command(tmp_path):
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "l10n_my_einvoice.myinvois.emulator",
            "--port",
            "0",
            "--delay",
            "0",
            "--state",
            str(tmp_path / "s.json"),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = [process.stdout.readline() for _ in range(4)]
        base_url = re.search(r"http://127\.0\.0\.1:\d+", lines[0]).group(0)
        client_id = lines[1].split()[-1]
        secret = lines[2].split()[-1]
        assert "C1234567890" in lines[3] and "202001012345" in lines[3]
        token = requests.post(
            base_url + "/connect/token",
            data={"client_id": client_id, "client_secret": secret, "grant_type": "client_credentials"},
            timeout=5,
        )
        assert token.status_code == 200
    finally:
        process.send_signal(signal.SIGINT)
        output, errors = process.communicate(timeout=10)
    assert process.returncode == 0, errors
    assert "stopped" in output
