"""The API client against a misbehaving MyInvois: a seeded fuzz over loopback.

``run(seed, variants)`` starts a tiny ``http.server`` on 127.0.0.1 whose answers
are drawn from a ``random.Random(seed)``: cut-off bodies and chunks, resets,
non-JSON, lists/strings/nulls where objects belong, odd fields, bad Retry-After,
redirects, echoes of the request (form, Authorization) and replies slower than
the timeout. Each variant calls one client method (login, submit, get_document,
get_submission_all) and checks that
* only the client's typed errors (MyInvoisError) escape;
* a submission that reached the server without a definite answer (a 4xx) raises
  with ``outcome_unknown=True``, and one that never reached it with False;
* neither the client secret nor a token the client sent appears in any exception
  text (message, Malay, response, errors, traceback), audit record or log line;
* a redirect target never receives a request (so never the secret).
Returns ``{"variants", "refused", "accepted", "failures": [str, ...]}``.
"""

import json
import logging
import random
import socket
import struct
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote, quote_plus

from l10n_my_einvoice.myinvois import client as api

SECRET = "Zx9/+q=Fuzz&Secret%41-value"  # URL-encoding changes it: echoes must be caught encoded too
READ_TIMEOUT = 0.1
SLOW = 0.25  # a reply this late is after the client's read timeout
TOKEN_PATH, SUBMIT_PATH = "/connect/token", "/api/v1.0/documentsubmissions/"
DEFINITE = range(400, 500)  # a 4xx is a definite refusal; anything else after a submit is not


# --- the misbehaving server ------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.plan = {}  # "token" / "api" -> [reply, ...]: popped in order, the last one repeats
        self.log = []  # (route, path, headers, body) of every request received
        self.served = []  # (route, reply) answered to each

    def next_reply(self, route):
        with self.lock:
            replies = self.plan.get(route) or [("json", 404, {"error": "nothing planned"})]
            return replies.pop(0) if len(replies) > 1 else replies[0]

    def handle_error(self, request, client_address):  # the client hung up: expected here
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        route = "token" if self.path.startswith(TOKEN_PATH) else "api"
        request = (route, self.path, dict(self.headers), body)
        with self.server.lock:
            self.server.log.append(request)
        self.close_connection = True
        reply = self.server.next_reply(route)
        with self.server.lock:
            self.server.served.append((route, reply))
        kind, *args = reply
        try:
            getattr(self, "reply_" + kind)(request, *args)
        except OSError:  # the client is gone (it timed out): nothing to answer
            pass

    do_POST = do_PUT = do_GET

    # --- replies -----------------------------------------------------------------
    def _raw(self, status, body=b"", headers=(), length=None, reason="Fuzz"):
        head = [f"HTTP/1.1 {status} {reason}", "Connection: close", *(f"{k}: {v}" for k, v in headers)]
        if length is not False:
            head.append(f"Content-Length: {len(body) if length is None else length}")
        self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
        self.wfile.flush()

    def _reset(self):
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()

    def reply_json(self, request, status, value, headers=()):
        self._raw(status, json.dumps(value).encode(), (("Content-Type", "application/json"), *headers))

    def reply_bytes(self, request, status, body, headers=()):
        self._raw(status, body, headers)

    def reply_truncate(self, request, status, value):
        body = json.dumps(value).encode()
        self._raw(status, body[: len(body) // 2], length=len(body) + 7)

    def reply_chunk_cut(self, request, status, value):
        body = json.dumps(value).encode()[:20]
        self._raw(status, b"%x\r\n%s\r\n" % (len(body), body), (("Transfer-Encoding", "chunked"),), length=False)

    def reply_reset(self, request):
        self._reset()

    def reply_reset_mid(self, request, status, value):
        body = json.dumps(value).encode()
        self._raw(status, body[:5], length=len(body))
        self._reset()

    def reply_close(self, request):
        self.connection.shutdown(socket.SHUT_RDWR)

    def reply_raw(self, request, data):
        self.wfile.write(data)
        self.wfile.flush()

    def reply_slow(self, request, status, value):
        time.sleep(SLOW)
        self.reply_json(request, status, value)

    def reply_redirect(self, request, status, target):
        self._raw(status, b"", (("Location", target + request[1]),))

    def reply_echo(self, request, status, how):
        _route, path, headers, body = request
        auth = headers.get("Authorization", "")
        text = f"{path} {body.decode('latin-1')} {auth} {headers!r}"
        if how == "text":
            return self._raw(status, text.encode("utf-8", "replace"), (("Content-Type", "text/plain"),))
        value = {"error": {"code": "Echo", "message": text, "details": [{"message": auth, "target": body.decode()}]}}
        if how == "oauth":
            value = {"error": "invalid_client", "error_description": text}
        extra = (("correlationId", auth or body.decode()[:60]), ("X-Echo", quote(text[:200])))
        self.reply_json(request, status, value, extra)


class _Trap(BaseHTTPRequestHandler):
    """Where redirects point: whatever arrives here is a failure."""

    def do_GET(self):
        self.server.hits.append((self.path, dict(self.headers)))
        self.send_response(200)
        self.end_headers()

    do_POST = do_PUT = do_GET

    def log_message(self, *args):
        pass


# --- the variants ----------------------------------------------------------------------------


def _token_ok(token):
    return ("json", 200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600, "scope": "x"})


def _api_ok(method, code):
    summary = {"submissionUid": "S1", "documentCount": 1, "documentSummary": [{"uuid": "U1", "status": "Valid"}]}
    accepted = {"acceptedDocuments": [{"uuid": "U1", "invoiceCodeNumber": code}], "rejectedDocuments": []}
    answers = {"submit": (202, {"submissionUid": "S1", **accepted}), "get_submission_all": (200, summary)}
    return ("json", *answers.get(method, (200, {"uuid": "U1", "document": "<Invoice/>", "status": "Valid"})))


ODD_TOKEN = (
    {"access_token": 123},
    {"access_token": ["t"]},
    {"access_token": "tok\nen"},
    {"access_token": "tok-odd-value", "expires_in": "soon"},
    {"access_token": "tok-odd-value", "expires_in": [1]},
    {"access_token": "tok-odd-value", "expires_in": -5},
    {"access_token": "tok-odd-value", "expires_in": True},
    {"token_type": "Bearer"},
)
ODD_API = (
    {"acceptedDocuments": "all of them", "rejectedDocuments": []},
    {"submissionUid": 5, "acceptedDocuments": [{"uuid": None, "invoiceCodeNumber": "X"}], "rejectedDocuments": []},
    {"submissionUid": "S", "acceptedDocuments": ["U1"]},
    {"documentSummary": {"uuid": "U1"}, "documentCount": 1},
    {"documentSummary": [], "documentCount": "many"},
    {"documentSummary": [], "documentCount": 10**12},
)
ODD_ERRORS = (
    {"error": {"code": ["x"], "message": {"m": 1}, "details": "a string"}},
    {"error": {"code": "X", "details": 5}},
    {"error": {"errorCode": {"a": 1}, "innerError": [{"error": {"x": 1}}, "s", None, 3]}},
    {"error": [1, 2]},
    {"error": None, "details": [{"message": ["m"]}]},
    {"error": "invalid_client", "error_description": {"d": 1}},
)
RETRY_AFTERS = ("soon", "1e400", "-5", "nan", "inf", "", "9" * 400) + (
    "Wed, 99 Foo 2026",
    "Wed, 21 Oct 2015 07:28:00 -0000",
)
BAD_RAW = (
    b"HTTP/1.1 abc Fuzz\r\n\r\n",
    b"garbage\x00\xff\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: abc\r\nConnection: close\r\n\r\n{}",
    b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot gzip!",
    b"HTTP/1.1 200 OK\r\n" + b"X-Many: header\r\n" * 120 + b"Connection: close\r\n\r\n",
)


def _hostile(rng, method, trap):
    """One hostile reply (and whether it is a definite refusal) for ``method``."""
    body = {"error": {"code": "X", "message": "m"}}
    kinds = "truncate chunk_cut reset reset_mid close not_json not_object odd odd_error retry_after redirect echo"
    kind = rng.choice((kinds + " echo 5xx raw deep huge_number unauthorized slow").split())
    status = rng.choice([200, 202, 400, 500, 503])
    if kind in ("truncate", "chunk_cut", "reset_mid"):
        return (kind, status, {"a": "b" * 40, **body}), False
    if kind in ("reset", "close"):
        return (kind,), False
    if kind == "not_json":
        return ("bytes", rng.choice([200, 202]), rng.choice([b"<html>ok</html>", b"\xff\xfe\x00", b"{"])), False
    if kind == "not_object":
        return ("json", rng.choice([200, 202]), rng.choice([[], [1], "ok", None, 3, True])), False
    if kind == "odd":
        return ("json", 200, rng.choice(ODD_TOKEN if method == "login" else ODD_API)), False
    if kind == "odd_error":
        status = rng.choice([400, 403, 404, 422, 500])
        return ("json", status, rng.choice(ODD_ERRORS)), status in DEFINITE
    if kind == "retry_after":
        return ("json", 429, body, (("Retry-After", rng.choice(RETRY_AFTERS)),)), True
    if kind == "redirect":
        return ("redirect", rng.choice([301, 302, 303, 307, 308]), trap), False
    if kind == "echo":
        status = rng.choice([200, 400, 401, 500])
        return ("echo", status, rng.choice(["json", "text", "oauth"])), status in DEFINITE
    if kind == "5xx":
        return ("json", rng.choice([500, 502, 503, 504]), rng.choice([body, [], "x"])), False
    if kind == "raw":
        return ("raw", rng.choice(BAD_RAW)), False
    if kind == "deep":
        deep = rng.choice([b"[" * 100_000, json.dumps(_nested(600)).encode()])
        status = rng.choice([200, 400])
        return ("bytes", status, deep), status in DEFINITE
    if kind == "huge_number":
        return ("bytes", 200, b'{"documentCount": ' + b"1" * 5000 + b"}"), False
    if kind == "unauthorized":
        return ("json", 401, body), True
    return ("slow", 200, {"ok": True}), False


def _nested(depth):
    value = {"message": "bottom"}
    for _ in range(depth):
        value = {"error": value, "details": [{"message": "m"}]}
    return value


def _texts(error):
    yield from (str(error), repr(error), str(error.message_ms), repr(error.response), repr(error.errors))
    yield repr(error.args)
    yield "".join(traceback.format_exception(error))


def serve():
    """(hostile server, redirect trap), serving; ``.url`` is each one's base URL, ``.plan``
    the hostile server's replies, ``.log`` what it received, ``trap.hits`` what the trap got."""
    server, trap = _Server(), ThreadingHTTPServer(("127.0.0.1", 0), _Trap)
    trap.hits, trap.daemon_threads = [], True
    for srv in (server, trap):
        srv.url = f"http://127.0.0.1:{srv.server_address[1]}"
        threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server, trap


def stop(*servers):
    for srv in servers:
        srv.shutdown()
        srv.server_close()


def run(seed=20261201, variants=600):
    rng = random.Random(seed)
    server, trap = serve()
    base, trap_url = server.url, trap.url
    lines = []
    capture = logging.Handler(logging.DEBUG)
    capture.emit = lambda record: lines.append(logging.Formatter("%(name)s %(message)s").format(record))
    root = logging.getLogger()
    level = root.level
    root.addHandler(capture)
    root.setLevel(logging.DEBUG)
    counts = {"variants": 0, "refused": 0, "accepted": 0, "failures": []}
    try:
        for number in range(variants):
            _variant(rng, number, server, base, trap_url, counts)
        sent = {h.get("Authorization", "")[7:] for _r, _p, h, _b in server.log if h.get("Authorization")}
        secrets = {SECRET, quote_plus(SECRET), quote(SECRET, safe="")} | {t for t in sent if len(t) >= 8}
        leaked = [line[:200] for line in lines if any(s in line for s in secrets)]
        counts["failures"] += [f"log line shows a secret: {line}" for line in leaked[:5]]
        counts["failures"] += [f"redirect target received {hit[0]}" for hit in trap.hits]
    finally:
        root.removeHandler(capture)
        root.setLevel(level)
        stop(server, trap)
    return counts


def _variant(rng, number, server, base, trap_url, counts):
    method = rng.choice(["login", "submit", "get_document", "get_submission_all"])
    token = f"tok-{number:04d}-{rng.getrandbits(64):016x}"
    hostile, definite = _hostile(rng, method, trap_url)
    plan = {"token": [_token_ok(token)], "api": [_api_ok(method, f"INV-{number}")]}
    target = "token" if method == "login" else "api"
    if target == "api" and rng.random() < 0.1:  # a hostile login before the call
        target, definite = "token", False
    ok = plan[target][0]
    if rng.random() < 0.2 and hostile[0] in ("json", "reset", "close", "truncate", "slow"):
        plan[target] = [hostile, plan[target][0]]  # recovers: a retry may succeed
    else:
        plan[target] = [hostile]
    with server.lock:
        server.plan, server.log, server.served = plan, [], []
    records = []
    client = api.MyInvoisClient(
        base,
        "fuzz-client",
        SECRET,
        timeout=(0.5, READ_TIMEOUT),
        max_retries=1,
        backoff=0,
        sleep=lambda seconds: None,
        rate_limiter=api.MemoryRateLimiter(clock=_FakeTime(), sleep=lambda seconds: None),
        on_response=records.append,
    )
    call = {
        "login": client.login,
        "submit": lambda: client.submit([api.SubmissionDocument(f"INV-{number}", b"<Invoice/>")]),
        "get_document": lambda: client.get_document("U1"),
        "get_submission_all": lambda: client.get_submission_all("S1"),
    }[method]
    where = f"variant {number} {method} {hostile[:2]!r} at {target}"
    counts["variants"] += 1
    try:
        call()
        counts["accepted"] += 1
        error = None
    except api.MyInvoisError as caught:
        counts["refused"] += 1
        error = caught
    except Exception as caught:  # noqa: BLE001 - what the fuzz is looking for
        counts["failures"].append(f"{where}: untyped {type(caught).__name__}: {str(caught)[:200]}")
        return
    with server.lock:
        log, served = list(server.log), [reply for route, reply in server.served if route == target]
    if (
        error is None
        and served[-1:] != [ok]
        and not (method in ("get_document", "get_submission_all") and target == "api")
    ):
        counts["failures"].append(f"{where}: a hostile answer was taken as a success")
    submitted = any(path.startswith(SUBMIT_PATH) for _r, path, _h, _b in log)
    if error is not None and method == "submit":
        if submitted and not definite and not getattr(error, "outcome_unknown", False):
            counts["failures"].append(f"{where}: the submit reached the server, outcome_unknown is False")
        if not submitted and getattr(error, "outcome_unknown", False):
            counts["failures"].append(f"{where}: the submit never left, outcome_unknown is True")
    sent = {h.get("Authorization", "")[7:] for _r, _p, h, _b in log if h.get("Authorization")}
    secrets = {SECRET, quote_plus(SECRET), quote(SECRET, safe=""), token} | sent
    texts = [repr(records), *(_texts(error) if error is not None else ())]
    for text in texts:
        shown = [s for s in secrets if s and s in text]
        if shown:
            counts["failures"].append(f"{where}: a secret shows in {text[:120]!r}")
            break


class _FakeTime:
    """A clock for the rate limiter that moves when it sleeps: a Retry-After block passes at once."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        self.now += 1000.0
        return self.now


if __name__ == "__main__":
    result = run()
    print({k: v for k, v in result.items() if k != "failures"}, *result["failures"][:20], sep="\n")  # noqa: T201
