"""E-invoices the company receives (it is the buyer): finding them at LHDN and the
life they lead there once Valid.

MyInvois lists them with Get Recent Documents, ``InvoiceDirection=Received``
(reference §3.5 item 14): the last 31 days, newest first, paged, 12 calls a minute.
A receiver sees only Valid and Cancelled documents. A Valid one can be rejected by
the receiver within 72 hours of validation (it stays Valid, with
``rejectRequestDateTime``, until the supplier cancels it) and cancelled by the
supplier within the same 72 hours. After that it is final: a correction is a note.

The Odoo layer (models/received_*.py) keeps one record per UUID and turns each into
a vendor bill (myinvois/received_bill.py decides its lines); the states and their
changes are here, as data, so the record's one transition method cannot invent any.
"""

import datetime

from . import lifecycle
from .client_errors import ProtocolError

VALID, REJECTION_REQUESTED, CANCELLED = "valid", "rejection_requested", "cancelled"
STATES = (VALID, REJECTION_REQUESTED, CANCELLED)
TRANSITIONS = {
    (VALID, "request_rejection"): REJECTION_REQUESTED,  # by us, or read from LHDN
    (VALID, "cancel_done"): CANCELLED,  # the supplier cancelled within its 72 hours
    (REJECTION_REQUESTED, "cancel_done"): CANCELLED,  # the supplier accepted our rejection
}
REJECTION_WINDOW = lifecycle.REJECTION_WINDOW
# A document can still change at LHDN for 72 hours after validation; validation
# follows receipt within minutes, a day more covers a slow validation and a late cron.
CHANGE_HORIZON = lifecycle.CANCELLATION_WINDOW + datetime.timedelta(hours=24)
LIST_HORIZON = datetime.timedelta(days=31)  # what Get Recent Documents can return
PAGE_SIZE = 100


def next_state(state, event):
    """The state after ``event``, or lifecycle.TransitionError."""
    try:
        return TRANSITIONS[(state, event)]
    except KeyError:
        raise lifecycle.TransitionError(state, event) from None


def status_of(item):
    """Our state for LHDN's listing or details ``item``: None for what a receiver
    should never see (Invalid, Submitted) or an unknown status."""
    status = str(item.get("status") or "").strip().lower()
    if status == "cancelled":
        return CANCELLED
    if status == "valid":
        return REJECTION_REQUESTED if item.get("rejectRequestDateTime") else VALID
    return None


def events_towards(state, target):
    """The events that bring a record in ``state`` to ``target`` (LHDN's word), in order;
    [] when nothing is to be done or LHDN's state cannot follow from ours."""
    if state == target:
        return []
    if (state, "cancel_done") in TRANSITIONS and target == CANCELLED:
        return ["cancel_done"]
    if (state, "request_rejection") in TRANSITIONS and target == REJECTION_REQUESTED:
        return ["request_rejection"]
    return []


def rejection_deadline(validated_at):
    return lifecycle.rejection_deadline(validated_at)


def can_reject(state, validated_at, now):
    """The buyer may still ask LHDN to reject: Valid, not yet rejected, inside 72 hours."""
    return state == VALID and bool(validated_at) and now < validated_at + REJECTION_WINDOW


def listing_window(last_read, now):
    """(from, to) of submission times to list: back to ``last_read`` and at least
    as far as any document can still change, never beyond what LHDN keeps listed."""
    since = now - CHANGE_HORIZON
    if last_read is not None:
        since = min(since, last_read - datetime.timedelta(hours=1))
    return max(since, now - LIST_HORIZON + datetime.timedelta(minutes=5)), now


def iter_received(client, since, until, page_size=PAGE_SIZE):
    """Every document listed as received between ``since`` and ``until`` (submission
    time), page after page; each a dict of LHDN's listing fields. The filters stay
    the same while paging, as LHDN asks."""
    page = 1
    while True:
        answer = client.recent_documents(
            InvoiceDirection="Received",
            submissionDateFrom=since,
            submissionDateTo=until,
            pageNo=page,
            pageSize=page_size,
        )
        items, pages = _page(answer)
        yield from items
        if page >= pages or not items:
            return
        page += 1


def _page(answer):
    result = answer.get("result") if isinstance(answer, dict) else None
    metadata = answer.get("metadata") if isinstance(answer, dict) else None
    pages = metadata.get("totalPages") if isinstance(metadata, dict) else None
    if (
        not isinstance(result, list)
        or not all(isinstance(item, dict) and item.get("uuid") for item in result)
        or not isinstance(pages, int)
        or isinstance(pages, bool)
    ):
        raise ProtocolError(
            "MyInvois answered Get Recent Documents without a readable list of documents.", endpoint="recent"
        )
    return result, pages


def issued_by(item, tin):
    """The company issued it (a self-billed document of ours listed back): not a bill."""
    return bool(tin) and str(item.get("issuerTin") or "").strip().upper() == tin.strip().upper()
