"""The MyInvois API client: every call to LHDN goes through here.

- One login per (API, client ID, represented TIN) while the token lives: tokens
  sit in a pluggable ``TokenStore`` (in memory by default; the Odoo layer keeps
  them in the database, shared by all workers) and are renewed a minute early;
  a 401 renews once and retries.
- LHDN's per-minute limits are respected *before* sending, through a pluggable
  ``RateLimiter`` whose slot is taken once the token is in hand, just before the
  request leaves, so the client waits instead of collecting 429s; a 429 still
  honours Retry-After (an unreadable one counts as 1 s, at most an hour).
- Idempotent calls (reads, login, cancel/reject of a given state) are retried on
  5xx, unreadable answers, timeouts and dropped connections with exponential
  backoff. A submission is never retried when its outcome is unknown: the caller
  reconciles (search by code number) before sending again, so nothing is sent twice.
- Every failure is one ``MyInvoisError`` subclass (client_errors.py) with
  ``retryable``, ``outcome_unknown`` (True whenever the request may have reached
  LHDN without a definite answer: cut-off body, reset, read timeout; for a
  submission also a 5xx, a redirect or an unreadable 2xx), a message in English
  and Malay, LHDN's inner errors, and the response with secrets removed (for the
  audit log). Nothing else escapes: a malformed answer is a ``ProtocolError``.
- No redirect is followed: the form and the token go to the configured host only.
- Secrets are removed by key and by value (redaction.py): the client secret, the
  tokens it sent and ``extra_secrets`` never appear in an error or a record.
- ``on_response`` (the audit log) gets each exchange: the request's method, path,
  query, size and document numbers (never its body) and the response, secrets removed.
- ``with_options`` gives a copy for calls a user waits on: a short timeout, no retry.

Its rooms: client_endpoints.py (the endpoints, mixed in), client_state.py (token store,
rate limiter, submission documents and batches), client_errors.py (the errors and which
transport failures may have reached LHDN); every name is importable from here too.
"""

import copy
import json
import math
import time
from collections import deque
from urllib.parse import urlencode

import requests

from . import environments
from .client_endpoints import Endpoints
from .client_errors import (  # noqa: F401  (re-exported: the Odoo layer imports them from here)
    CODE_ERRORS,
    TRANSPORT_ERRORS,
    ActiveReferencingDocumentsError,
    AuthenticationError,
    DocumentTooLargeError,
    DuplicateSubmissionError,
    ForbiddenError,
    IncorrectStateError,
    MyInvoisError,
    NotFoundError,
    OperationPeriodOverError,
    ProtocolError,
    RateLimitedError,
    ServiceUnavailableError,
    StateError,
    ValidationError,
    may_have_arrived,
    parse_error,
)
from .client_errors import retry_after as read_retry_after
from .client_state import (  # noqa: F401  (re-exported: callers import them from here)
    MAX_DOCUMENT_BYTES,
    MAX_SUBMISSION_BYTES,
    MAX_SUBMISSION_DOCUMENTS,
    MemoryRateLimiter,
    MemoryTokenStore,
    SubmissionDocument,
    split_batches,
)
from .redaction import SECRET_KEYS, Redactor, redact  # noqa: F401

_redact = redact  # the old name (models/api_log.py refers to it)

TOKEN_MARGIN = 60  # seconds before expiry at which a token is renewed

# --- the client --------------------------------------------------------------------------


def _expires_in(value):
    """Seconds a token lives (``expires_in``), or ProtocolError."""
    if value is None or value == "":
        return 3600.0
    try:
        seconds = float(value) if not isinstance(value, bool) else math.nan
    except (TypeError, ValueError):
        seconds = math.nan
    if not math.isfinite(seconds) or seconds <= 0:
        raise ProtocolError("MyInvois answered the login with an unreadable token lifetime.", endpoint="token")
    return seconds


class MyInvoisClient(Endpoints):
    def __init__(
        self,
        base_url,
        client_id,
        client_secret,
        *,
        onbehalfof=None,
        token_store=None,
        rate_limiter=None,
        session=None,
        timeout=(5, 60),
        max_retries=3,
        backoff=0.5,
        max_retry_wait=30.0,
        sleep=time.sleep,
        clock=time.time,
        on_response=None,
        extra_secrets=(),
    ):
        """``base_url``: API host, e.g. ``environments.api_url("sandbox")``.
        ``onbehalfof``: the represented taxpayer's TIN (or TIN:BRN) for an
        intermediary login. ``on_response(record)`` is called after every HTTP
        exchange with a dict free of secrets (the audit log). A 429 whose
        Retry-After exceeds ``max_retry_wait`` seconds is raised at once rather
        than slept on, so a cron can pause and free its worker. ``extra_secrets``:
        other values never to show in an error or a record (the certificate password)."""
        self.base_url = base_url.rstrip("/")
        self.client_id = client_id
        self._client_secret = client_secret
        self.onbehalfof = onbehalfof
        self.tokens = token_store or MemoryTokenStore()
        self.limiter = rate_limiter or MemoryRateLimiter()
        self.session = session or requests.Session()
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_retry_wait = max_retry_wait
        self._sleep, self._clock = sleep, clock
        self.on_response = on_response
        self._extra_secrets = tuple(extra_secrets)
        self._known_tokens = deque(maxlen=8)  # shared by with_options copies
        self._redactor = (None, None)

    def with_options(self, *, timeout=None, max_retries=None, max_retry_wait=None):
        """A copy of this client for calls that must end soon (a button the user waits
        on): e.g. ``with_options(timeout=(3, 5), max_retries=0)`` makes one attempt.
        Tokens, rate limits and the audit hook are shared with this client."""
        bounded = copy.copy(self)
        if timeout is not None:
            bounded.timeout = timeout
        if max_retries is not None:
            bounded.max_retries = max_retries
        if max_retry_wait is not None:
            bounded.max_retry_wait = max_retry_wait
        return bounded

    def __repr__(self):  # never the secret
        return f"MyInvoisClient({self.base_url!r}, client_id={self.client_id!r}, onbehalfof={self.onbehalfof!r})"

    @classmethod
    def for_environment(cls, environment, client_id, client_secret, custom_url=None, **kwargs):
        return cls(environments.api_url(environment, custom_url), client_id, client_secret, **kwargs)

    # --- token ---------------------------------------------------------------------------
    @property
    def token_key(self):
        return (self.base_url, self.client_id, self.onbehalfof or "")

    def login(self):
        """A fresh token from /connect/token (stored); returns the access token."""
        headers = {"Accept": "application/json"}
        if self.onbehalfof:
            headers["onbehalfof"] = self.onbehalfof
        data = {
            "client_id": self.client_id,
            "client_secret": self._client_secret,
            "grant_type": "client_credentials",
            "scope": "InvoicingAPI",
        }
        body = self._send("POST", "token", "/connect/token", data=data, headers=headers, authenticated=False)
        token = body.get("access_token")
        if not token:
            raise AuthenticationError("MyInvois answered the login without an access token.", endpoint="token")
        if not isinstance(token, str) or not (token.isascii() and token.isprintable()):
            raise ProtocolError("MyInvois answered the login with an unreadable access token.", endpoint="token")
        self._seen(token)
        self.tokens.set(self.token_key, token, self._clock() + _expires_in(body.get("expires_in")))
        return token

    def access_token(self):
        cached = self.tokens.get(self.token_key)
        if cached and cached[1] - TOKEN_MARGIN > self._clock():
            return self._seen(cached[0])
        with self.tokens.lock(self.token_key):
            cached = self.tokens.get(self.token_key)  # another thread may have logged in meanwhile
            if cached and cached[1] - TOKEN_MARGIN > self._clock():
                return self._seen(cached[0])
            return self.login()

    # --- secrets -----------------------------------------------------------------------------
    def _seen(self, token):
        """Remember a token this client sends, so its value is redacted wherever echoed."""
        if token and token not in self._known_tokens:
            self._known_tokens.append(token)
        return token

    @property
    def redactor(self):
        values = (self._client_secret, *self._extra_secrets, *self._known_tokens)
        if self._redactor[0] != values:
            self._redactor = (values, Redactor(values))
        return self._redactor[1]

    # --- HTTP ------------------------------------------------------------------------------
    def _send(self, method, endpoint, path, **kwargs):
        """One call (with its retries); every error it raises has the secrets removed."""
        try:
            return self._exchange(method, endpoint, path, **kwargs)
        except MyInvoisError as error:
            raise self.redactor.error(error) from None

    def _exchange(
        self,
        method,
        endpoint,
        path,
        *,
        authenticated=True,
        idempotent=True,
        params=None,
        json_body=None,
        data=None,
        headers=None,
        documents=(),
        check=None,
    ):
        """``documents``: the code numbers the request carries (for the audit log).
        ``check(body)``: why a 2xx body is not the expected answer, or None."""
        headers = dict(headers or {})
        headers.setdefault("Accept", "application/json")
        headers.setdefault("Accept-Language", "en")
        if json_body is not None:  # serialised once, here, so its size is the one sent
            data = json.dumps(json_body, allow_nan=False).encode()
            headers["Content-Type"] = "application/json"
        request = {
            "query": urlencode(redact(params)) if params else None,
            "request_size": len(urlencode(data) if isinstance(data, dict) else data or b""),
            "documents": list(documents),
        }
        refreshed = False
        attempt = 0
        while True:
            token = None
            if authenticated:
                try:
                    token = self.access_token()
                except MyInvoisError as error:
                    error.outcome_unknown = False  # the login failed: this call was never sent
                    raise
                headers["Authorization"] = f"Bearer {token}"
            # The slot is taken now, after the login, just before sending: LHDN counts the
            # call when it arrives, and a slow login must not push it out of our window.
            self.limiter.acquire(self.client_id, endpoint)
            started = time.monotonic()
            try:
                response = self.session.request(
                    method,
                    self.base_url + path,
                    params=params,
                    data=data,
                    headers=headers,
                    timeout=self.timeout,
                    allow_redirects=False,  # a redirect target must never get the form or the token
                )
                content = response.content  # read in full here: a cut-off body fails here, typed
            except TRANSPORT_ERRORS as error:
                arrived = may_have_arrived(error)
                self._record(endpoint, method, path, request, None, started, None, type(error).__name__)
                if (idempotent or not arrived) and attempt < self.max_retries:
                    attempt += 1
                    self._sleep(self.backoff * 2 ** (attempt - 1))
                    continue
                unknown = arrived and not idempotent
                raise ServiceUnavailableError(
                    "MyInvois did not answer"
                    + (
                        "; the submission may or may not have arrived, so it is checked with LHDN before anything "
                        "is resent"
                        if unknown
                        else ""
                    )
                    + ".",
                    outcome_unknown=arrived,
                    endpoint=endpoint,
                ) from None
            body, readable = self._body(response, content)
            self._record(endpoint, method, path, request, response, started, body, None)
            status = response.status_code
            if status == 401 and authenticated and not refreshed:
                self.tokens.invalidate(self.token_key, token)
                refreshed = True
                continue
            if status == 429:
                wait = read_retry_after(response.headers)
                self.limiter.block(self.client_id, endpoint, wait)
                if attempt < self.max_retries and wait <= self.max_retry_wait:  # refused unprocessed: safe to resend
                    attempt += 1
                    self._sleep(wait)
                    continue
                raise self._error(response, body, endpoint, retry_after=wait)
            problem = None
            if 200 <= status < 300:
                problem = ("not a JSON object" if not readable or not isinstance(body, dict) else None) or (
                    check(body) if check else None
                )
            elif status < 400:
                problem = f"HTTP {status}" + (" (redirects are not followed)" if status >= 300 else "")
            if status >= 500 or (problem and status < 300):  # a redirect is not retried: it will not change
                if idempotent and attempt < self.max_retries:
                    attempt += 1
                    self._sleep(self.backoff * 2 ** (attempt - 1))
                    continue
            if problem or status >= 400:
                unknown = not idempotent and (problem is not None or status >= 500)
                raise self._error(response, body, endpoint, outcome_unknown=unknown, problem=problem)
            return body

    def _body(self, response, content):
        """(body, readable): JSON as parsed, else ``{"text": ...}`` with secrets removed
        before it is shortened (a cut must not leave half a secret)."""
        if not content:
            return {}, True
        try:
            return response.json(), True
        except (ValueError, RecursionError):
            return {"text": self.redactor.text(content.decode("utf-8", errors="replace"))[:2000]}, False

    def _record(self, endpoint, method, path, request, response, started, body, failure):
        """Report one exchange to ``on_response``: of the request only its shape
        (query with secrets removed, size, document numbers), never its body."""
        if not self.on_response:
            return
        record = {
            "endpoint": endpoint,
            "method": method,
            "path": path,
            **request,
            "status": response.status_code if response is not None else None,
            "duration_ms": round((time.monotonic() - started) * 1000, 1),
            "correlation_id": response.headers.get("correlationId") if response is not None else None,
            "body": body,
            "failure": failure,
            "client_id": self.client_id,
            "onbehalfof": self.onbehalfof,
        }
        self.on_response(self.redactor(record))

    def _error(self, response, body, endpoint, retry_after=None, outcome_unknown=False, problem=None):
        status = response.status_code
        correlation = response.headers.get("correlationId")
        sanitized = {"status": status, "body": self.redactor(body), "correlation_id": correlation}
        code, message, message_ms, errors = parse_error(body)
        if retry_after is None and response.headers.get("Retry-After"):
            retry_after = read_retry_after(response.headers)
        kwargs = dict(
            status=status,
            code=code,
            errors=errors,
            response=sanitized,
            correlation_id=correlation,
            endpoint=endpoint,
            retry_after=retry_after,
        )
        if problem:
            return ProtocolError(
                f"MyInvois answered {endpoint} with something the API never sends ({problem})"
                + (
                    "; the submission may have arrived, so it is checked with LHDN before anything is resent."
                    if outcome_unknown
                    else "."
                ),
                outcome_unknown=outcome_unknown,
                **kwargs,
            )
        if endpoint == "token" and status in (400, 401, 403):
            detail = f" ({code})" if code else ""
            return AuthenticationError(AuthenticationError.default_en[:-1] + detail + ".", **kwargs)
        if code in CODE_ERRORS:
            return CODE_ERRORS[code](message, message_ms=message_ms, **kwargs)
        if status == 422:
            return DuplicateSubmissionError(message, message_ms=message_ms, **kwargs)
        if status == 429:
            return RateLimitedError(message, message_ms=message_ms, **kwargs)
        if status == 401:
            return AuthenticationError(message, message_ms=message_ms, **kwargs)
        if status == 403:
            return ForbiddenError(message, message_ms=message_ms, **kwargs)
        if status == 404:
            return NotFoundError(message, message_ms=message_ms, **kwargs)
        if status >= 500:
            return ServiceUnavailableError(message, message_ms=message_ms, outcome_unknown=outcome_unknown, **kwargs)
        return ValidationError(message, message_ms=message_ms, **kwargs)
