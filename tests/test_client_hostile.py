"""One test per reproducer the fuzzing session found (issue 16): the client against a
hostile server (tests/fuzz_client.py) or the emulator's faults, and the emulator
refusing bad input before it records anything."""

import logging
import re
import socket
import time

import pytest
import requests

from l10n_my_einvoice.myinvois import certificate, client_errors
from l10n_my_einvoice.myinvois import client as api
from l10n_my_einvoice.myinvois.emulator import Emulator

from . import fuzz_client
from .test_client import BRN, SECRET, TIN, signed_document

ERROR = {"error": {"code": "X", "message": "refused"}}


@pytest.fixture(scope="module")
def certificates():
    return {TIN: certificate.load_pkcs12(certificate.make_test_certificate(tin=TIN, password=b"pw"), "pw")}


@pytest.fixture
def emulator():
    with Emulator(validation_delay=0) as emu:
        emu.add_client("erp", SECRET, TIN, brn=BRN)
        yield emu


@pytest.fixture
def hostile():
    server, trap = fuzz_client.serve()
    yield server, trap
    fuzz_client.stop(server, trap)


def client_for(base_url, secret=SECRET, **kwargs):
    kwargs.setdefault("sleep", lambda seconds: None)
    kwargs.setdefault("backoff", 0)
    return api.MyInvoisClient(base_url, "erp", secret, **kwargs)


def plan(server, token=None, api_replies=None):
    server.plan = {
        "token": token or [fuzz_client._token_ok("tok-hostile-0123456789")],
        "api": api_replies or [("json", 200, {"result": []})],
    }


def one_document(number="INV-1"):
    return [api.SubmissionDocument(number, b"<Invoice/>")]


# --- outcome unknown ----------------------------------------------------------------------


def test_a_cut_off_202_after_lhdn_processed_it_is_outcome_unknown(emulator, certificates):
    erp = client_for(emulator.base_url)
    for number, fault in (("INV-CUT", {"kind": "truncate"}), ("INV-RST", {"kind": "drop_after_accept", "reset": True})):
        emulator.inject("submit", **fault)
        with pytest.raises(api.ServiceUnavailableError) as caught:
            erp.submit([signed_document(emulator, certificates, number=number)])
        assert caught.value.outcome_unknown, fault
        assert len(emulator.documents_by_code(number)) == 1, "LHDN holds it: the caller must reconcile"
    emulator.inject("submit", "status_after_accept", status=504)
    with pytest.raises(api.ServiceUnavailableError) as caught:
        erp.submit([signed_document(emulator, certificates, number="INV-504")])
    assert caught.value.outcome_unknown and caught.value.status == 504
    assert emulator.stats.requests("submit") == 3, "never resent blindly"


def test_a_submit_that_cannot_connect_is_not_outcome_unknown():
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(api.ServiceUnavailableError) as caught:
        client_for(f"http://127.0.0.1:{port}", max_retries=1).submit(one_document())
    assert not caught.value.outcome_unknown, "no connection was made: nothing reached LHDN"


def test_a_200_submit_reply_that_is_not_json_is_an_error_not_a_success(hostile):
    server, _trap = hostile
    for reply in (("bytes", 202, b"<html>Accepted</html>"), ("json", 202, ["U1"]), ("json", 200, {"ok": True})):
        plan(server, api_replies=[reply])
        with pytest.raises(api.ProtocolError) as caught:
            client_for(server.url).submit(one_document())
        assert caught.value.outcome_unknown, reply
        assert isinstance(caught.value, api.ServiceUnavailableError), "the pipeline reconciles it, never refuses it"


# --- malformed answers ----------------------------------------------------------------------


def test_a_bad_retry_after_uses_a_sane_default(hostile):
    server, _trap = hostile
    for value in ("soon", "Wed, 99 Foo 2026", "nan", "1e400", "-5"):
        sleeps = []
        plan(server, api_replies=[("json", 429, ERROR, (("Retry-After", value),)), ("json", 200, {"result": []})])
        erp = client_for(
            server.url,
            sleep=sleeps.append,
            rate_limiter=api.MemoryRateLimiter(clock=fuzz_client._FakeTime(), sleep=lambda s: None),
        )
        assert erp.document_types() == {"result": []}
        assert sleeps == [0.0 if value == "-5" else client_errors.DEFAULT_RETRY_AFTER], value
    plan(server, api_replies=[("json", 429, ERROR, (("Retry-After", "86400000"),))])
    with pytest.raises(api.RateLimitedError) as caught:
        client_for(server.url).document_types()
    assert caught.value.retry_after == client_errors.MAX_RETRY_AFTER, "an hour at most, not forever"


def test_a_login_body_that_is_a_list_is_a_protocol_error(hostile):
    server, _trap = hostile
    plan(server, token=[("json", 200, [{"access_token": "tok-in-a-list-0123"}])])
    erp = client_for(server.url)
    with pytest.raises(api.ProtocolError) as caught:
        erp.login()
    assert caught.value.endpoint == "token" and erp.tokens.get(erp.token_key) is None


def test_a_non_numeric_expires_in_is_a_protocol_error(hostile):
    server, _trap = hostile
    for value in ("soon", [3600], True, -1, "1e999"):
        plan(server, token=[("json", 200, {"access_token": "tok-expires-0123456789", "expires_in": value})])
        erp = client_for(server.url)
        with pytest.raises(api.ProtocolError):
            erp.login()
        assert erp.tokens.get(erp.token_key) is None, value


def test_odd_details_give_a_typed_error_with_what_can_be_read(hostile):
    server, _trap = hostile
    bodies = (
        {"error": {"code": "BadArgument", "message": "Wrong", "details": "not a list"}},
        {"error": {"code": "BadArgument", "message": "Wrong", "details": 5}},
        {"error": {"code": ["unhashable"], "message": {"m": 1}, "details": [{"message": {"x": 1}}, "s", None]}},
        {"error": {"errorCode": "OperationPeriodOver", "innerError": [{"error": "Too late"}, 7]}},
    )
    raised = []
    for body in bodies:
        plan(server, api_replies=[("json", 400, body)])
        with pytest.raises(api.MyInvoisError) as caught:
            client_for(server.url).document_types()
        raised.append(caught.value)
    assert all(isinstance(error, api.ValidationError) for error in raised[:3])
    assert "Wrong" in str(raised[0]) and raised[1].errors == [] and raised[2].code is None
    assert isinstance(raised[3], api.OperationPeriodOverError) and raised[3].errors == [{"error": "Too late"}]


# --- secrets ------------------------------------------------------------------------------------


def test_a_secret_echoed_by_the_server_is_redacted_in_the_error_and_the_log(hostile, caplog):
    server, _trap = hostile
    secret = "Zx9/+q=Echo&Secret%41"
    records = []
    erp = client_for(server.url, secret=secret, on_response=records.append, extra_secrets=("cert-password-123",))
    plan(server, token=[("echo", 400, "oauth")])
    caplog.set_level(logging.DEBUG)
    with pytest.raises(api.AuthenticationError) as refused:
        erp.login()
    plan(server, api_replies=[("echo", 500, "json"), ("echo", 400, "text")])
    with pytest.raises(api.ValidationError) as echoed:
        erp.document_types()
    token = erp.tokens.get(erp.token_key)[0]
    assert token and token in server.log[-1][2]["Authorization"], "the server did get (and echo) the token"
    logging.getLogger("test").warning("failed: %s %s", refused.value, echoed.value.response)
    text = " ".join(
        [repr(records), caplog.text]
        + [f"{e} {e.message_ms} {e.response} {e.errors} {e.correlation_id}" for e in (refused.value, echoed.value)]
    )
    assert "***" in text and "client_id=erp" in text, "the echo is there, its secrets are not"
    for value in (secret, requests.utils.quote(secret, safe=""), "Zx9%2F%2Bq%3DEcho", token):
        assert value not in text


def test_a_307_on_the_token_endpoint_is_not_followed_and_the_secret_not_reposted(hostile):
    server, trap = hostile
    for status in (301, 302, 303, 307, 308):
        plan(server, token=[("redirect", status, trap.url)])
        with pytest.raises(api.ProtocolError) as caught:
            client_for(server.url).login()
        assert caught.value.status == status and not caught.value.outcome_unknown
    plan(server, api_replies=[("redirect", 307, trap.url)])
    with pytest.raises(api.ProtocolError) as caught:
        client_for(server.url).submit(one_document())
    assert caught.value.outcome_unknown, "a redirected submission may have been processed"
    assert trap.hits == [], "the redirect target received nothing: no form, no token"


# --- rate limits ---------------------------------------------------------------------------------


class RecordingLimiter(api.MemoryRateLimiter):
    def __init__(self):
        super().__init__()
        self.slots = []

    def acquire(self, client_id, endpoint):
        super().acquire(client_id, endpoint)
        self.slots.append((endpoint, time.monotonic()))


def test_the_limiter_slot_is_taken_after_a_slow_login_so_the_call_is_sent_in_the_right_window(emulator):
    limiter, sent = RecordingLimiter(), []
    session = requests.Session()
    session.request = lambda *args, _request=session.request, **kwargs: (
        sent.append((args[1], time.monotonic())) or _request(*args, **kwargs)
    )
    erp = client_for(emulator.base_url, rate_limiter=limiter, session=session)
    emulator.inject("token", "delay", seconds=1.3)  # slower than the limiter's 1 s margin
    assert erp.document_types()["result"]
    assert [endpoint for endpoint, _ in limiter.slots] == ["token", "document_types"]
    slot = limiter.slots[1][1]
    sent_at = next(moment for url, moment in sent if url.endswith("/documenttypes"))
    login_sent = next(moment for url, moment in sent if url.endswith("/connect/token"))
    assert slot > login_sent + 1.2, "the slot is taken once the token is in hand"
    assert sent_at - slot < 0.1 < limiter.window - 60, "sent right after its slot: LHDN counts it in our window"


# --- the emulator ------------------------------------------------------------------------------------


def test_emulator_refuses_a_5000_digit_serial_without_recording_it_and_a_resend_is_no_duplicate(emulator, certificates):
    erp = client_for(emulator.base_url)
    good = signed_document(emulator, certificates, number="INV-SERIAL")
    data = re.sub(
        rb"(<ds:X509SerialNumber[^>]*>)\d+(</ds:X509SerialNumber>)", rb"\g<1>" + b"9" * 5000 + rb"\2", good.data
    )
    assert data != good.data
    huge = api.SubmissionDocument("INV-SERIAL", data)
    for _attempt in range(2):  # the resend gets the same refusal, not a 422 duplicate
        with pytest.raises(api.ValidationError) as caught:
            erp.submit([huge])
        assert type(caught.value) is api.ValidationError and caught.value.status == 400
        assert "X509SerialNumber" in str(caught.value)
        assert emulator.documents_by_code("INV-SERIAL") == [] and emulator.store.payloads == {}
    assert erp.submit([good])["acceptedDocuments"], "the document with its real serial is accepted"


def test_emulator_5xx_before_or_inside_the_handler_leaves_no_payload(emulator, certificates, monkeypatch):
    erp = client_for(emulator.base_url)
    document = signed_document(emulator, certificates, number="INV-500")
    emulator.inject("submit", "status", status=500)
    with pytest.raises(api.ServiceUnavailableError):
        erp.submit([document])
    from l10n_my_einvoice.myinvois.emulator import checks

    monkeypatch.setattr(checks, "findings_at_submission", lambda *args: 1 / 0)  # a bug in a validator
    with pytest.raises(api.ValidationError):
        erp.submit([document])
    monkeypatch.undo()
    assert emulator.documents_by_code("INV-500") == [] and emulator.store.payloads == {}
    assert erp.submit([document])["acceptedDocuments"], "the resend is not a false duplicate"
