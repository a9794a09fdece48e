"""The MyInvois API client: every call to LHDN goes through here.

- One login per (API, client ID, represented TIN) while the token lives: tokens
  sit in a pluggable ``TokenStore`` (in memory by default; the Odoo layer keeps
  them in the database, shared by all workers) and are renewed a minute early;
  a 401 renews once and retries.
- LHDN's per-minute limits are respected *before* sending, through a pluggable
  ``RateLimiter``, so the client waits instead of collecting 429s; a 429 still
  honours Retry-After.
- Idempotent calls (reads, login, cancel/reject of a given state) are retried on
  5xx, timeouts and dropped connections with exponential backoff. A submission
  is never retried when its outcome is unknown: the caller reconciles (search by
  code number) before sending again, so nothing is sent twice.
- Every failure is one ``MyInvoisError`` subclass with ``retryable``, a message
  in English and Malay, LHDN's inner errors, and the response with secrets
  removed (for the audit log).
- ``on_response`` (the audit log) gets each exchange: the request's method, path,
  query, size and document numbers (never its body) and the response, secrets removed.
- ``with_options`` gives a copy for calls a user waits on: a short timeout, no retry.
"""

import base64
import copy
import datetime
import email.utils
import hashlib
import json
import threading
import time
from collections import deque
from dataclasses import dataclass
from urllib.parse import urlencode

import requests

from . import environments

TOKEN_MARGIN = 60  # seconds before expiry at which a token is renewed
MAX_SUBMISSION_DOCUMENTS = 100
MAX_SUBMISSION_BYTES = 5 * 1024 * 1024
MAX_DOCUMENT_BYTES = 300 * 1024

SECRET_KEYS = {"access_token", "client_secret", "refresh_token", "id_token", "authorization"}


# --- errors ----------------------------------------------------------------------------


class MyInvoisError(Exception):
    """A failed MyInvois call. ``str()`` is the English message; ``message_ms`` Malay."""

    retryable = False
    default_en = "MyInvois refused the request."
    default_ms = "MyInvois menolak permintaan."

    def __init__(
        self,
        message=None,
        *,
        message_ms=None,
        status=None,
        code=None,
        errors=(),
        response=None,
        correlation_id=None,
        retry_after=None,
        endpoint=None,
    ):
        self.message = message or self.default_en
        self.message_ms = message_ms or self.default_ms
        self.status = status
        self.code = code
        self.errors = list(errors)  # LHDN's (inner) error objects, as dicts
        self.response = response  # {"status", "body", "correlation_id"}, secrets removed
        self.correlation_id = correlation_id
        self.retry_after = retry_after
        self.endpoint = endpoint
        super().__init__(self.message)


class AuthenticationError(MyInvoisError):
    default_en = (
        "MyInvois refused the login: check the client ID and secret, and that they belong to this "
        "environment (sandbox and production credentials differ)."
    )
    default_ms = "MyInvois menolak log masuk: semak ID dan rahsia klien, dan persekitarannya."


class ForbiddenError(MyInvoisError):
    default_en = (
        "MyInvois refused: this taxpayer or intermediary may not do this (not the issuer, or the "
        "intermediary lacks the permission)."
    )
    default_ms = "MyInvois menolak: pembayar cukai atau perantara ini tidak dibenarkan."


class ValidationError(MyInvoisError):
    default_en = "MyInvois found the request invalid."
    default_ms = "MyInvois mendapati permintaan tidak sah."


class DuplicateSubmissionError(MyInvoisError):
    """422: the same payload arrived within the last 10 minutes, i.e. the first
    attempt did reach LHDN. Reconcile, never show it as a failure."""

    default_en = "MyInvois already received this submission in the last 10 minutes."
    default_ms = "MyInvois telah menerima penghantaran ini dalam 10 minit yang lalu."


class RateLimitedError(MyInvoisError):
    retryable = True
    default_en = "MyInvois asks us to slow down (too many requests)."
    default_ms = "MyInvois meminta kami memperlahankan (terlalu banyak permintaan)."


class NotFoundError(MyInvoisError):
    default_en = "MyInvois does not know this document, submission or taxpayer."
    default_ms = "MyInvois tidak mengenali dokumen, penghantaran atau pembayar cukai ini."


class StateError(MyInvoisError):
    """Cancel/reject refused because of the document's state or age."""


class OperationPeriodOverError(StateError):
    default_en = (
        "The 72 hours after validation have passed: the document can no longer be cancelled or "
        "rejected. Issue a credit, debit or refund note instead."
    )
    default_ms = "Tempoh 72 jam selepas pengesahan telah tamat: keluarkan nota kredit, debit atau bayaran balik."


class IncorrectStateError(StateError):
    default_en = "The document is not in a state that allows this (already cancelled, rejected or invalid)."
    default_ms = "Dokumen tidak dalam keadaan yang membenarkan tindakan ini."


class ActiveReferencingDocumentsError(StateError):
    default_en = "A credit, debit or refund note still references this document: cancel the note first."
    default_ms = "Nota kredit, debit atau bayaran balik masih merujuk dokumen ini: batalkan nota itu dahulu."


class ServiceUnavailableError(MyInvoisError):
    """5xx, timeout or dropped connection. ``outcome_unknown`` is True when the
    request may have been processed (a submission): reconcile before resending."""

    retryable = True
    default_en = "MyInvois is unavailable or did not answer in time; the request will be tried again later."
    default_ms = "MyInvois tidak tersedia atau tidak menjawab tepat pada masanya; permintaan akan dicuba semula."

    def __init__(self, *args, outcome_unknown=False, **kwargs):
        self.outcome_unknown = outcome_unknown
        super().__init__(*args, **kwargs)


class DocumentTooLargeError(MyInvoisError):
    default_en = "A document is larger than MyInvois accepts (300 KB)."
    default_ms = "Dokumen lebih besar daripada yang diterima MyInvois (300 KB)."


_CODE_ERRORS = {
    "OperationPeriodOver": OperationPeriodOverError,
    "IncorrectState": IncorrectStateError,
    "ActiveReferencingDocuments": ActiveReferencingDocumentsError,
    "DuplicateSubmission": DuplicateSubmissionError,
    "IncorrectSubmitter": ForbiddenError,
    "Forbidden": ForbiddenError,
}


# --- pluggable token store and rate limiter -----------------------------------------------


class MemoryTokenStore:
    """Tokens of this process. ``get(key)`` -> (token, expires_at epoch) or None."""

    def __init__(self):
        self._tokens = {}
        self._login_locks = {}
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            return self._tokens.get(key)

    def set(self, key, token, expires_at):
        with self._lock:
            self._tokens[key] = (token, expires_at)

    def invalidate(self, key, token=None):
        with self._lock:
            if token is None or self._tokens.get(key, (None,))[0] == token:
                self._tokens.pop(key, None)

    def lock(self, key):
        """A lock held while logging in, so concurrent callers make one login."""
        with self._lock:
            return self._login_locks.setdefault(key, threading.Lock())


class MemoryRateLimiter:
    """Sliding window per (client ID, endpoint): ``acquire`` waits until a slot is
    free, so a burst stays under LHDN's limits instead of collecting 429s."""

    def __init__(self, limits=None, window=60.0, margin=1.0, clock=time.monotonic, sleep=time.sleep):
        """``margin``: seconds added to the window. LHDN counts a call when it arrives,
        we when we send it; without the margin, network delay lets LHDN see one call
        too many in its window."""
        self.limits = {**environments.RATE_LIMITS, **(limits or {})}
        self.window = window + margin
        self._clock, self._sleep = clock, sleep
        self._calls = {}
        self._blocked_until = {}
        self._lock = threading.Lock()

    def acquire(self, client_id, endpoint):
        key = (client_id, endpoint)
        limit = self.limits.get(endpoint, environments.UNPUBLISHED_RATE_LIMIT)  # None: no limit
        while True:
            with self._lock:
                now = self._clock()
                calls = self._calls.setdefault(key, deque())
                while calls and calls[0] <= now - self.window:
                    calls.popleft()
                wait = self._blocked_until.get(key, 0) - now
                if wait <= 0 and (limit is None or len(calls) < limit):
                    calls.append(now)
                    return
                if wait <= 0:
                    wait = calls[0] + self.window - now
            self._sleep(max(wait, 0.01))

    def block(self, client_id, endpoint, seconds):
        """LHDN said 429: nobody of this process calls that endpoint before ``seconds``."""
        with self._lock:
            key = (client_id, endpoint)
            self._blocked_until[key] = max(self._blocked_until.get(key, 0), self._clock() + seconds)


# --- submission documents and batches ----------------------------------------------------


@dataclass(frozen=True)
class SubmissionDocument:
    """One document to submit: the exact signed bytes and our code number."""

    code_number: str
    data: bytes
    format: str = "XML"

    @property
    def hash(self):
        return hashlib.sha256(self.data).hexdigest()

    def payload(self):
        return {
            "format": self.format,
            "document": base64.b64encode(self.data).decode("ascii"),
            "documentHash": self.hash,
            "codeNumber": self.code_number,
        }

    @property
    def payload_size(self):
        # base64 length plus the JSON around it
        return 4 * ((len(self.data) + 2) // 3) + len(self.code_number) + 150


def split_batches(documents, max_documents=MAX_SUBMISSION_DOCUMENTS, max_bytes=MAX_SUBMISSION_BYTES):
    """Split into submissions of at most 100 documents and 5 MB (as sent, base64).
    A document over 300 KB is refused with the code numbers named."""
    too_large = [d.code_number for d in documents if len(d.data) > MAX_DOCUMENT_BYTES]
    if too_large:
        raise DocumentTooLargeError(
            f"Document(s) {', '.join(too_large)} exceed the 300 KB MyInvois accepts per document: split the lines "
            "over several documents.",
            message_ms=f"Dokumen {', '.join(too_large)} melebihi 300 KB: pecahkan baris kepada beberapa dokumen.",
        )
    batches, batch, size = [], [], 20
    for document in documents:
        if batch and (len(batch) >= max_documents or size + document.payload_size > max_bytes):
            batches.append(batch)
            batch, size = [], 20
        batch.append(document)
        size += document.payload_size
    if batch:
        batches.append(batch)
    return batches


# --- the client --------------------------------------------------------------------------


def _redact(value):
    if isinstance(value, dict):
        return {k: ("***" if k.lower() in SECRET_KEYS else _redact(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(v) for v in value]
    return value


def _retry_after(response, default=1.0):
    value = response.headers.get("Retry-After")
    if not value:
        return default
    try:
        return max(float(value), 0.0)
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value)
        return max((parsed - datetime.datetime.now(datetime.timezone.utc)).total_seconds(), 0.0)


def _utc(value):
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


class MyInvoisClient:
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
    ):
        """``base_url``: API host, e.g. ``environments.api_url("sandbox")``.
        ``onbehalfof``: the represented taxpayer's TIN (or TIN:BRN) for an
        intermediary login. ``on_response(record)`` is called after every HTTP
        exchange with a dict free of secrets (the audit log). A 429 whose
        Retry-After exceeds ``max_retry_wait`` seconds is raised at once rather
        than slept on, so a cron can pause and free its worker."""
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
        expires_at = self._clock() + float(body.get("expires_in") or 3600)
        self.tokens.set(self.token_key, token, expires_at)
        return token

    def access_token(self):
        cached = self.tokens.get(self.token_key)
        if cached and cached[1] - TOKEN_MARGIN > self._clock():
            return cached[0]
        with self.tokens.lock(self.token_key):
            cached = self.tokens.get(self.token_key)  # another thread may have logged in meanwhile
            if cached and cached[1] - TOKEN_MARGIN > self._clock():
                return cached[0]
            return self.login()

    # --- HTTP ------------------------------------------------------------------------------
    def _send(
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
    ):
        """``documents``: the code numbers the request carries (for the audit log)."""
        headers = dict(headers or {})
        headers.setdefault("Accept", "application/json")
        headers.setdefault("Accept-Language", "en")
        if json_body is not None:  # serialised once, here, so its size is the one sent
            data = json.dumps(json_body, allow_nan=False).encode()
            headers["Content-Type"] = "application/json"
        request = {
            "query": urlencode(_redact(params)) if params else None,
            "request_size": len(urlencode(data) if isinstance(data, dict) else data or b""),
            "documents": list(documents),
        }
        refreshed = False
        attempt = 0
        while True:
            self.limiter.acquire(self.client_id, endpoint)
            token = None
            if authenticated:
                token = self.access_token()
                headers["Authorization"] = f"Bearer {token}"
            started = time.monotonic()
            try:
                response = self.session.request(
                    method,
                    self.base_url + path,
                    params=params,
                    data=data,
                    headers=headers,
                    timeout=self.timeout,
                )
            except (requests.ConnectionError, requests.Timeout) as error:
                self._record(endpoint, method, path, request, None, started, None, str(type(error).__name__))
                if idempotent and attempt < self.max_retries:
                    attempt += 1
                    self._sleep(self.backoff * 2 ** (attempt - 1))
                    continue
                raise ServiceUnavailableError(
                    "MyInvois did not answer"
                    + (
                        ""
                        if idempotent
                        else "; the submission may or may not have "
                        "arrived, so it is checked with LHDN before anything is resent"
                    )
                    + ".",
                    outcome_unknown=not idempotent,
                    endpoint=endpoint,
                ) from None
            body = self._body(response)
            self._record(endpoint, method, path, request, response, started, body, None)
            status = response.status_code
            if status == 401 and authenticated and not refreshed:
                self.tokens.invalidate(self.token_key, token)
                refreshed = True
                continue
            if status == 429:
                wait = _retry_after(response)
                self.limiter.block(self.client_id, endpoint, wait)
                if attempt < self.max_retries and wait <= self.max_retry_wait:  # refused unprocessed: safe to resend
                    attempt += 1
                    self._sleep(wait)
                    continue
                raise self._error(response, body, endpoint, retry_after=wait)
            if status >= 500:
                if idempotent and attempt < self.max_retries:
                    attempt += 1
                    self._sleep(self.backoff * 2 ** (attempt - 1))
                    continue
                raise self._error(response, body, endpoint, outcome_unknown=not idempotent)
            if status >= 400:
                raise self._error(response, body, endpoint)
            return body

    @staticmethod
    def _body(response):
        if not response.content:
            return {}
        try:
            return response.json()
        except ValueError:
            return {"text": response.text[:2000]}

    def _record(self, endpoint, method, path, request, response, started, body, failure):
        """Report one exchange to ``on_response``: of the request only its shape
        (query with secrets removed, size, document numbers), never its body."""
        if not self.on_response:
            return
        self.on_response(
            {
                "endpoint": endpoint,
                "method": method,
                "path": path,
                **request,
                "status": response.status_code if response is not None else None,
                "duration_ms": round((time.monotonic() - started) * 1000, 1),
                "correlation_id": response.headers.get("correlationId") if response is not None else None,
                "body": _redact(body),
                "failure": failure,
                "client_id": self.client_id,
                "onbehalfof": self.onbehalfof,
            }
        )

    def _error(self, response, body, endpoint, retry_after=None, outcome_unknown=False):
        status = response.status_code
        correlation = response.headers.get("correlationId")
        sanitized = {"status": status, "body": _redact(body), "correlation_id": correlation}
        code, message, message_ms, errors = self._parse_error(body)
        if retry_after is None and response.headers.get("Retry-After"):
            retry_after = _retry_after(response)
        kwargs = dict(
            status=status,
            code=code,
            errors=errors,
            response=sanitized,
            correlation_id=correlation,
            endpoint=endpoint,
            retry_after=retry_after,
        )
        if endpoint == "token" and status in (400, 401, 403):
            detail = f" ({code})" if code else ""
            return AuthenticationError(AuthenticationError.default_en[:-1] + detail + ".", **kwargs)
        if code in _CODE_ERRORS:
            return _CODE_ERRORS[code](message, message_ms=message_ms, **kwargs)
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

    @staticmethod
    def _parse_error(body):
        """(code, English, Malay, inner errors) from any of LHDN's three error shapes."""
        if not isinstance(body, dict):
            return None, None, None, []
        if "error" in body and isinstance(body["error"], str):  # OAuth
            return body["error"], body.get("error_description"), None, []
        error = body.get("error") if isinstance(body.get("error"), dict) else body
        code = error.get("errorCode") or error.get("code")
        message = error.get("error") if isinstance(error.get("error"), str) else error.get("message")
        message_ms = error.get("errorMS") or error.get("errorMs")
        inner = error.get("innerError") or error.get("details") or []
        details = [i.get("error") or i.get("message") for i in inner if isinstance(i, dict)]
        details = "; ".join(d for d in dict.fromkeys(details) if d and d != message)
        if details:
            message = f"{message or code}: {details}"
        return code, message, message_ms, inner

    # --- endpoints (reference §3.4) ------------------------------------------------------------
    def document_types(self):
        return self._send("GET", "document_types", "/api/v1.0/documenttypes")

    def document_type(self, type_id):
        return self._send("GET", "document_type", f"/api/v1.0/documenttypes/{type_id}")

    def document_type_version(self, type_id, version_id):
        return self._send("GET", "document_type_version", f"/api/v1.0/documenttypes/{type_id}/versions/{version_id}")

    def notifications(self, **filters):
        return self._send("GET", "notifications", "/api/v1.0/notifications/taxpayer", params=self._filters(filters))

    def validate_tin(self, tin, id_type, id_value):
        """True when LHDN knows this TIN with this ID, False when it does not."""
        try:
            self._send(
                "GET",
                "validate_tin",
                f"/api/v1.0/taxpayer/validate/{tin}",
                params={"idType": id_type, "idValue": id_value},
            )
        except NotFoundError:
            return False
        return True

    def search_tin(self, *, id_type=None, id_value=None, taxpayer_name=None, file_type=None):
        """The TIN when exactly one taxpayer matches, else None."""
        params = self._filters(
            {"idType": id_type, "idValue": id_value, "taxpayerName": taxpayer_name, "fileType": file_type}
        )
        try:
            return self._send("GET", "search_tin", "/api/v1.0/taxpayer/search/tin", params=params).get("tin")
        except NotFoundError:
            return None

    def qr_info(self, qr_text):
        return self._send("GET", "qr_info", f"/api/v1.0/taxpayers/qrcodeinfo/{qr_text}")

    def submit(self, documents):
        """Submit up to 100 signed documents (one submission). Returns LHDN's 202 body:
        submissionUid, acceptedDocuments, rejectedDocuments. Never retried when the
        outcome is unknown (ServiceUnavailableError.outcome_unknown)."""
        if len(split_batches(documents)) != 1:
            raise ValidationError(
                "Too many documents or bytes for one submission: use split_batches().",
                message_ms="Terlalu banyak dokumen untuk satu penghantaran.",
                endpoint="submit",
            )
        return self._send(
            "POST",
            "submit",
            "/api/v1.0/documentsubmissions/",
            idempotent=False,
            json_body={"documents": [d.payload() for d in documents]},
            documents=[d.code_number for d in documents],
        )

    def get_submission(self, submission_uid, page_no=1, page_size=100):
        return self._send(
            "GET",
            "get_submission",
            f"/api/v1.0/documentsubmissions/{submission_uid}",
            params={"pageNo": page_no, "pageSize": page_size},
        )

    def get_submission_all(self, submission_uid, page_size=100):
        """Get Submission with every page of documentSummary joined."""
        first = self.get_submission(submission_uid, 1, page_size)
        summaries = list(first.get("documentSummary") or [])
        pages = -(-int(first.get("documentCount") or len(summaries)) // page_size)
        for page in range(2, pages + 1):
            summaries += self.get_submission(submission_uid, page, page_size).get("documentSummary") or []
        return {**first, "documentSummary": summaries}

    def get_document(self, uuid):
        return self._send("GET", "get_document", f"/api/v1.0/documents/{uuid}/raw")

    def get_document_details(self, uuid):
        return self._send("GET", "get_details", f"/api/v1.0/documents/{uuid}/details")

    def cancel(self, uuid, reason):
        return self._change_state("cancel", uuid, "cancelled", reason)

    def reject(self, uuid, reason):
        return self._change_state("reject", uuid, "rejected", reason)

    def _change_state(self, endpoint, uuid, status, reason):
        if not reason or len(reason) > 300:
            raise ValidationError(
                "A reason of 1 to 300 characters is required.",
                message_ms="Sebab (1 hingga 300 aksara) wajib diberi.",
                endpoint=endpoint,
            )
        # Setting the same state twice has the same effect: safe to retry.
        return self._send(
            "PUT", endpoint, f"/api/v1.0/documents/state/{uuid}/state", json_body={"status": status, "reason": reason}
        )

    def recent_documents(self, **filters):
        return self._send("GET", "recent", "/api/v1.0/documents/recent", params=self._filters(filters))

    def search_documents(self, **filters):
        return self._send("GET", "search", "/api/v1.0/documents/search", params=self._filters(filters))

    @staticmethod
    def _filters(filters):
        return {key: _utc(value) for key, value in filters.items() if value is not None}
