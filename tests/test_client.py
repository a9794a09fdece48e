"""The API client against the emulator, over real HTTP on loopback."""

import datetime
import json
import threading

import pytest

from l10n_my_einvoice.myinvois import certificate, signing, ubl
from l10n_my_einvoice.myinvois import client as api
from l10n_my_einvoice.myinvois.document import BillingReference, Document
from l10n_my_einvoice.myinvois.emulator import Emulator

from .conftest import ROOT

TIN, BRN = "C1234567890", "202001012345"
BUYER_TIN = "C9876543210"
SECRET = "s3cr3t-client-secret-value"


@pytest.fixture(scope="module")
def certificates():
    return {
        tin: certificate.load_pkcs12(certificate.make_test_certificate(tin=tin, password=b"pw"), "pw")
        for tin in (TIN, BUYER_TIN, "C2222222220")
    }


@pytest.fixture
def emulator():
    emu = Emulator(validation_delay=0)
    emu.add_client("erp", SECRET, TIN, brn=BRN)
    emu.add_client("buyer-erp", "buyer-secret", BUYER_TIN)
    emu.add_client("agent", "agent-secret", "C5555555550", represents=(TIN, "C2222222220"))
    emu.add_taxpayer(TIN, "Contoh Teknologi Sdn. Bhd.", id_type="BRN", id_value=BRN)
    emu.add_taxpayer(
        BUYER_TIN,
        "Pelanggan Berhad",
        id_type="BRN",
        id_value="201901098765",
        qr_code_text="NGUxYmM5MDctMjViNy00NWZl",
        email="ap@pelanggan.example",
    )
    emu.start()
    yield emu
    emu.stop()


class Recorder:
    """The client's sleep and audit hooks, recording instead of waiting."""

    def __init__(self):
        self.sleeps, self.records = [], []

    def sleep(self, seconds):
        self.sleeps.append(seconds)


def make_client(emulator, client_id="erp", secret=SECRET, recorder=None, **kwargs):
    recorder = recorder or Recorder()
    kwargs.setdefault("sleep", recorder.sleep)
    kwargs.setdefault("backoff", 0.01)
    return api.MyInvoisClient(emulator.base_url, client_id, secret, on_response=recorder.records.append, **kwargs)


def signed_document(emulator, certificates, number="INV-1", type_code="01", issuer_tin=TIN, references=()):
    data = json.loads((ROOT / "samples" / "documents" / "invoice.json").read_text())
    doc = Document.from_dict(data)
    doc.type_code, doc.number = type_code, number
    doc.issued_at = emulator.clock.now().replace(microsecond=0)
    doc.supplier.tin = issuer_tin
    doc.billing_references = [BillingReference(uuid=u, number=n) for u, n in references]
    return api.SubmissionDocument(number, signing.sign_xml(ubl.to_xml(doc), certificates[issuer_tin]))


def submit_and_wait(client, emulator, documents):
    response = client.submit(documents)
    emulator.process_pending()
    return response, client.get_submission_all(response["submissionUid"])


def test_every_endpoint(emulator, certificates):
    erp = make_client(emulator)
    assert {t["invoiceTypeCode"] for t in erp.document_types()["result"]} == {1, 2, 3, 4, 11, 12, 13, 14}
    invoice_type = erp.document_type(1)
    assert {p["parameter"] for p in invoice_type["workflowParameters"]} >= {"cancellationDuration", "rejectionDuration"}
    version = invoice_type["documentTypeVersions"][-1]
    assert erp.document_type_version(1, version["id"])["versionNumber"] == version["versionNumber"]
    assert erp.notifications(pageSize=10)["result"] == []
    assert erp.validate_tin(BUYER_TIN, "BRN", "201901098765") is True
    assert erp.validate_tin(BUYER_TIN, "BRN", "000000000000") is False
    assert erp.search_tin(id_type="BRN", id_value="201901098765") == BUYER_TIN
    assert erp.search_tin(taxpayer_name="Nobody Sdn Bhd") is None
    assert erp.qr_info("NGUxYmM5MDctMjViNy00NWZl")["tin"] == BUYER_TIN
    with pytest.raises(api.NotFoundError):
        erp.qr_info("bm90LWtub3du")

    response, submission = submit_and_wait(erp, emulator, [signed_document(emulator, certificates)])
    assert response["rejectedDocuments"] == []
    uuid = response["acceptedDocuments"][0]["uuid"]
    assert submission["overallStatus"] == "valid"
    summary = submission["documentSummary"][0]
    assert summary["status"] == "Valid" and summary["longId"]
    assert erp.get_document(uuid)["document"].startswith("<")
    assert erp.get_document_details(uuid)["validationResults"]["status"] == "Valid"
    now = emulator.clock.now()
    window = dict(issueDateFrom=now - datetime.timedelta(days=1), issueDateTo=now + datetime.timedelta(days=1))
    assert [d["uuid"] for d in erp.recent_documents(InvoiceDirection="Sent")["result"]] == [uuid]
    assert [d["uuid"] for d in erp.search_documents(searchQuery="INV-1", **window)["result"]] == [uuid]
    buyer = make_client(emulator, "buyer-erp", "buyer-secret")
    assert buyer.reject(uuid, "Wrong quantity")["status"] == "Requested for Rejection"
    assert erp.cancel(uuid, "Buyer asked to cancel")["status"] == "Cancelled"
    with pytest.raises(api.IncorrectStateError):
        erp.cancel(uuid, "again")


def test_one_login_serves_200_calls(emulator):
    erp = make_client(emulator)
    for _ in range(200):
        erp.document_types()
    assert emulator.stats.logins_for("erp") == 1


def test_concurrent_callers_share_one_login(emulator):
    store = api.MemoryTokenStore()
    clients = [make_client(emulator, token_store=store) for _ in range(4)]
    threads = [threading.Thread(target=lambda c=c: [c.document_types() for _ in range(10)]) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert emulator.stats.logins_for("erp") == 1


def test_a_burst_stays_under_the_limit_instead_of_collecting_429s():
    limits, window = {"get_submission": 60}, 0.6
    with Emulator(rate_limits=limits, rate_window=window) as emu:
        emu.add_client("erp", SECRET, TIN)
        limited = api.MyInvoisClient(
            emu.base_url, "erp", SECRET, rate_limiter=api.MemoryRateLimiter(limits=limits, window=window, margin=0.2)
        )
        uid = "X" * 26
        for _ in range(300):
            with pytest.raises(api.NotFoundError):
                limited.get_submission(uid)
        assert emu.stats.too_many("get_submission") == 0
        assert emu.stats.requests("get_submission") == 300

        # Without the limiter the same burst meets LHDN's 429s, and honours Retry-After.
        recorder = Recorder()
        unlimited = api.MyInvoisClient(
            emu.base_url,
            "erp",
            SECRET,
            sleep=recorder.sleep,
            max_retries=0,
            rate_limiter=api.MemoryRateLimiter(limits={"get_submission": None}),
        )
        with pytest.raises(api.RateLimitedError) as caught:
            for _ in range(300):
                try:
                    unlimited.get_submission(uid)
                except api.NotFoundError:
                    pass
        assert caught.value.retry_after >= 1 and caught.value.retryable
        assert emu.stats.too_many("get_submission") == 1


def test_429_waits_for_retry_after_then_succeeds(emulator):
    recorder = Recorder()
    erp = make_client(emulator, recorder=recorder)
    emulator.inject("document_types", "429", retry_after=3)
    assert erp.document_types()["result"]
    assert 3 in recorder.sleeps
    assert emulator.stats.requests("document_types") == 2


def test_5xx_on_reads_are_retried_with_backoff(emulator):
    recorder = Recorder()
    erp = make_client(emulator, recorder=recorder)
    emulator.inject("document_types", "status", status=503, times=2)
    assert erp.document_types()["result"]
    assert recorder.sleeps == [0.01, 0.02]
    emulator.inject("document_types", "status", status=500, times=10)
    with pytest.raises(api.ServiceUnavailableError) as caught:
        erp.document_types()
    assert caught.value.retryable and not caught.value.outcome_unknown


def test_timeouts_and_dropped_connections_on_reads_are_retried(emulator):
    erp = make_client(emulator, timeout=(2, 0.5))
    emulator.inject("document_types", "delay", seconds=1.5)
    assert erp.document_types()["result"]
    emulator.inject("document_types", "drop")
    assert erp.document_types()["result"]
    assert emulator.stats.requests("document_types") == 4


def test_a_submission_is_never_resent_blindly(emulator, certificates):
    erp = make_client(emulator)
    document = signed_document(emulator, certificates, number="INV-DROP")
    emulator.inject("submit", "drop_after_accept")
    with pytest.raises(api.ServiceUnavailableError) as caught:
        erp.submit([document])
    assert caught.value.outcome_unknown
    assert emulator.stats.requests("submit") == 1, "not retried"
    assert len(emulator.documents_by_code("INV-DROP")) == 1, "LHDN has it once"
    # Sending the same payload again within 10 minutes proves it arrived.
    with pytest.raises(api.DuplicateSubmissionError) as duplicate:
        erp.submit([document])
    assert duplicate.value.retry_after > 0 and not duplicate.value.retryable
    assert len(emulator.documents_by_code("INV-DROP")) == 1
    emulator.process_pending()
    now = emulator.clock.now()
    found = erp.search_documents(
        searchQuery="INV-DROP",
        issueDateFrom=now - datetime.timedelta(days=1),
        issueDateTo=now + datetime.timedelta(days=1),
    )["result"]
    assert [d["internalId"] for d in found] == ["INV-DROP"]

    emulator.inject("submit", "status", status=503)
    with pytest.raises(api.ServiceUnavailableError) as unknown:
        erp.submit([signed_document(emulator, certificates, number="INV-503")])
    assert unknown.value.outcome_unknown and emulator.stats.requests("submit") == 3


def test_the_72_hour_windows(emulator, certificates):
    erp = make_client(emulator)
    buyer = make_client(emulator, "buyer-erp", "buyer-secret")
    first, _ = submit_and_wait(
        erp,
        emulator,
        [
            signed_document(emulator, certificates, number="INV-A"),
            signed_document(emulator, certificates, number="INV-B"),
        ],
    )
    uuid_a, uuid_b = (d["uuid"] for d in first["acceptedDocuments"])
    emulator.clock.advance(72 * 3600 - 60)
    assert erp.cancel(uuid_a, "Issued twice")["status"] == "Cancelled"
    emulator.clock.advance(120)
    with pytest.raises(api.OperationPeriodOverError) as caught:
        erp.cancel(uuid_b, "Too late")
    assert not caught.value.retryable and "credit" in str(caught.value) and caught.value.message_ms
    with pytest.raises(api.OperationPeriodOverError):
        buyer.reject(uuid_b, "Too late as well")


def test_cancel_refused_while_a_note_references_the_document(emulator, certificates):
    erp = make_client(emulator)
    response, _ = submit_and_wait(erp, emulator, [signed_document(emulator, certificates, number="INV-R")])
    uuid = response["acceptedDocuments"][0]["uuid"]
    note, status = submit_and_wait(
        erp,
        emulator,
        [signed_document(emulator, certificates, number="CN-R", type_code="02", references=[(uuid, "INV-R")])],
    )
    assert status["overallStatus"] == "valid"
    with pytest.raises(api.ActiveReferencingDocumentsError):
        erp.cancel(uuid, "Wrong customer")


def test_an_intermediary_has_one_token_per_represented_taxpayer(emulator, certificates):
    store = api.MemoryTokenStore()
    for_company = make_client(emulator, "agent", "agent-secret", onbehalfof=TIN, token_store=store)
    for_other = make_client(emulator, "agent", "agent-secret", onbehalfof="C2222222220", token_store=store)
    for _ in range(5):
        for_company.document_types()
        for_other.document_types()
    assert emulator.stats.logins_for("agent", TIN) == 1
    assert emulator.stats.logins_for("agent", "C2222222220") == 1
    # The token acts for its own taxpayer only.
    response = for_other.submit([signed_document(emulator, certificates, number="INV-X")])
    assert response["acceptedDocuments"] == [] and response["rejectedDocuments"][0]["invoiceCodeNumber"] == "INV-X"
    accepted = for_company.submit([signed_document(emulator, certificates, number="INV-Y")])
    assert accepted["rejectedDocuments"] == []
    with pytest.raises(api.AuthenticationError):
        make_client(emulator, "agent", "agent-secret", onbehalfof="C3333333330").document_types()


def test_an_expired_token_is_renewed_once(emulator):
    erp = make_client(emulator)
    erp.document_types()
    emulator.clock.advance(3601)  # the emulator's token expired; the client's clock does not know
    assert erp.document_types()["result"]
    assert emulator.stats.logins_for("erp") == 2


def test_wrong_credentials_never_show_the_secret(emulator):
    recorder = Recorder()
    wrong = make_client(emulator, secret="not-the-secret", recorder=recorder)
    with pytest.raises(api.AuthenticationError) as caught:
        wrong.document_types()
    text = f"{caught.value} {caught.value.message_ms} {caught.value.response} {wrong!r} {recorder.records}"
    assert "not-the-secret" not in text and "invalid_client" in str(caught.value)


def test_audit_records_have_no_secrets(emulator, certificates):
    recorder = Recorder()
    erp = make_client(emulator, recorder=recorder)
    submit_and_wait(erp, emulator, [signed_document(emulator, certificates, number="INV-AUDIT")])
    token = erp.tokens.get(erp.token_key)[0]
    text = repr(recorder.records)
    assert SECRET not in text and token not in text
    assert {r["endpoint"] for r in recorder.records} >= {"token", "submit", "get_submission"}
    assert all(r["correlation_id"] for r in recorder.records if r["status"])


def test_split_batches():
    documents = [api.SubmissionDocument(f"INV-{i}", b"<Invoice>" + b"x" * 1000 + b"</Invoice>") for i in range(250)]
    assert [len(batch) for batch in api.split_batches(documents)] == [100, 100, 50]
    big = [api.SubmissionDocument(f"BIG-{i}", b"x" * 290_000) for i in range(30)]
    batches = api.split_batches(big)
    assert all(sum(d.payload_size for d in batch) <= api.MAX_SUBMISSION_BYTES for batch in batches)
    assert [len(batch) for batch in batches] == [13, 13, 4]
    with pytest.raises(api.DocumentTooLargeError) as caught:
        api.split_batches(documents[:2] + [api.SubmissionDocument("HUGE-1", b"x" * 310_000)])
    assert "HUGE-1" in str(caught.value) and "300 KB" in str(caught.value)


def test_submission_document_payload():
    document = api.SubmissionDocument("INV-9", b"<Invoice/>")
    payload = document.payload()
    import base64
    import hashlib

    assert payload["documentHash"] == hashlib.sha256(b"<Invoice/>").hexdigest()
    assert base64.b64decode(payload["document"]) == b"<Invoice/>"
    assert payload["format"] == "XML" and payload["codeNumber"] == "INV-9"


def test_audit_records_describe_the_request_without_its_body(emulator, certificates):
    recorder = Recorder()
    erp = make_client(emulator, recorder=recorder)
    document = signed_document(emulator, certificates, number="INV-REQ")
    submit_and_wait(erp, emulator, [document])
    now = emulator.clock.now()
    erp.search_documents(
        searchQuery="INV-REQ", submissionDateFrom=now - datetime.timedelta(days=1), submissionDateTo=now
    )
    by_endpoint = {r["endpoint"]: r for r in recorder.records}
    token, submit, search = by_endpoint["token"], by_endpoint["submit"], by_endpoint["search"]
    assert (token["method"], token["query"], token["documents"]) == ("POST", None, [])
    assert token["request_size"] > len(SECRET)
    assert submit["documents"] == ["INV-REQ"] and submit["request_size"] > len(document.data) * 4 // 3
    assert search["query"].startswith("searchQuery=INV-REQ&submissionDateFrom=") and "%3A" in search["query"]
    assert by_endpoint["get_submission"]["query"] == "pageNo=1&pageSize=100"
    text = repr(recorder.records)
    assert SECRET not in text and document.payload()["document"][:100] not in text


def test_with_options_bounds_one_call_and_shares_the_rest(emulator):
    recorder = Recorder()
    erp = make_client(emulator, recorder=recorder, timeout=(5, 60), max_retries=3)
    erp.document_types()  # logged in: the token is shared with the bounded copy
    quick = erp.with_options(timeout=(1, 0.5), max_retries=0)
    assert (quick.timeout, quick.max_retries, erp.timeout, erp.max_retries) == ((1, 0.5), 0, (5, 60), 3)
    emulator.inject("document_types", "delay", seconds=1.5)
    with pytest.raises(api.ServiceUnavailableError):
        quick.document_types()
    assert emulator.stats.requests("document_types") == 2, "one attempt, no retry"
    assert recorder.sleeps == [] and emulator.stats.logins_for("erp") == 1
    assert erp.document_types()["result"], "the original keeps its own options"
