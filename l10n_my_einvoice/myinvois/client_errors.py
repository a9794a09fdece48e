"""The client's errors: one ``MyInvoisError`` subclass per way a MyInvois call fails,
and the readers of LHDN's error answers (error shapes, Retry-After) that build them.

Every attribute the Odoo layer reads (``retryable``, ``outcome_unknown``, ``status``,
``code``, ``errors``, ``response``, ``retry_after``, ``endpoint``) is on every error.
``client.py`` re-exports all of it, so ``from ...client import MyInvoisError`` works.
"""

import datetime
import email.utils
import http.client
import math

import requests
import urllib3

MAX_RETRY_AFTER = 3600.0  # a Retry-After beyond an hour is a server bug, not a reason to stop for years
DEFAULT_RETRY_AFTER = 1.0  # seconds, when a 429 gives none or one we cannot read


class MyInvoisError(Exception):
    """A failed MyInvois call. ``str()`` is the English message; ``message_ms`` Malay."""

    retryable = False
    # True when the request may have been carried out by LHDN without our reading
    # a definite answer: a submission must then be looked up before it is resent.
    outcome_unknown = False
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
        outcome_unknown=None,
    ):
        if outcome_unknown is not None:
            self.outcome_unknown = bool(outcome_unknown)
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
        super().__init__(*args, outcome_unknown=outcome_unknown, **kwargs)


class ProtocolError(ServiceUnavailableError):
    """MyInvois (or something in between) answered what the API never answers: not
    JSON, a list where an object belongs, a redirect, an impossible token. A kind of
    ServiceUnavailableError on purpose: the caller pauses and tries later, and a
    submission whose answer could not be read (``outcome_unknown``) is reconciled,
    never marked refused, since LHDN may hold it."""

    default_en = "MyInvois sent an answer that cannot be read; the request will be checked and tried again later."
    default_ms = "MyInvois menghantar jawapan yang tidak dapat dibaca; permintaan akan disemak dan dicuba semula."


class DocumentTooLargeError(MyInvoisError):
    default_en = "A document is larger than MyInvois accepts (300 KB)."
    default_ms = "Dokumen lebih besar daripada yang diterima MyInvois (300 KB)."


CODE_ERRORS = {
    "OperationPeriodOver": OperationPeriodOverError,
    "IncorrectState": IncorrectStateError,
    "ActiveReferencingDocuments": ActiveReferencingDocumentsError,
    "DuplicateSubmission": DuplicateSubmissionError,
    "IncorrectSubmitter": ForbiddenError,
    "Forbidden": ForbiddenError,
}


def _text(value):
    """A string field of an answer, or None: a server may put anything anywhere."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def parse_error(body):
    """(code, English, Malay, inner errors) from any of LHDN's three error shapes;
    odd shapes give what can be read, never an exception."""
    if not isinstance(body, dict):
        return None, None, None, []
    if isinstance(body.get("error"), str):  # OAuth
        return body["error"], _text(body.get("error_description")), None, []
    error = body.get("error") if isinstance(body.get("error"), dict) else body
    code = _text(error.get("errorCode")) or _text(error.get("code"))
    message = _text(error.get("error")) or _text(error.get("message"))
    message_ms = _text(error.get("errorMS")) or _text(error.get("errorMs"))
    inner = error.get("innerError") or error.get("details") or []
    inner = [item for item in inner if isinstance(item, dict)] if isinstance(inner, list) else []
    details = [_text(item.get("error")) or _text(item.get("message")) for item in inner]
    details = "; ".join(d for d in dict.fromkeys(details) if d and d != message)
    if details:
        message = f"{message or code}: {details}"
    return code, message, message_ms, inner


def retry_after(headers, default=DEFAULT_RETRY_AFTER, now=None):
    """Seconds to wait from a Retry-After header (seconds or an HTTP date), within
    [0, MAX_RETRY_AFTER]; ``default`` when absent or unreadable."""
    value = (headers.get("Retry-After") or "").strip()
    if not value:
        return default
    try:
        seconds = float(value)
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            return default
        if moment.tzinfo is None:  # "-0000": UTC by RFC 5322
            moment = moment.replace(tzinfo=datetime.timezone.utc)
        seconds = (moment - (now or datetime.datetime.now(datetime.timezone.utc))).total_seconds()
    if not math.isfinite(seconds):
        return default
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


# --- transport failures: which may have reached LHDN -------------------------------------

# Transport failures we turn into ServiceUnavailableError: requests' own, and what
# urllib3/http.client may let through on a hostile answer.
TRANSPORT_ERRORS = (requests.RequestException, urllib3.exceptions.HTTPError, http.client.HTTPException, OSError)
# Raised before a byte of the request left: the call certainly did not reach LHDN.
NOT_SENT = (
    requests.ConnectTimeout,
    requests.exceptions.InvalidURL,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidSchema,
    requests.exceptions.InvalidHeader,
)


def may_have_arrived(error):
    """False only when the request certainly never reached the server (no connection
    was made: refused, DNS, connect timeout); anything later may have been processed."""
    if isinstance(error, NOT_SENT):
        return False
    if isinstance(error, requests.ConnectionError) and error.args:
        reason = getattr(error.args[0], "reason", error.args[0])  # MaxRetryError wraps the cause
        return not isinstance(reason, (urllib3.exceptions.NewConnectionError, urllib3.exceptions.ConnectTimeoutError))
    return True
