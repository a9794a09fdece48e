"""The life of one e-invoice version, in one table: its states, what may happen in
each (events), and the 72-hour windows (reference §4). The Odoo layer and the emulator
both read it; no caller decides a transition on its own.

Odoo-side states add what LHDN does not have: ``queued`` (waiting for the cron),
``sending`` (written before the HTTP call, so a crash is reconciled, never resent),
``cancelling`` (Valid at LHDN, a cancellation to send: an outage keeps it here) and
``rejection_requested`` (Valid at LHDN, the buyer asked to reject it).
"""

import datetime

QUEUED, SENDING, SUBMITTED, VALID, INVALID = "queued", "sending", "submitted", "valid", "invalid"
CANCELLING, CANCELLED, REJECTION_REQUESTED = "cancelling", "cancelled", "rejection_requested"
STATES = (QUEUED, SENDING, SUBMITTED, VALID, REJECTION_REQUESTED, CANCELLING, INVALID, CANCELLED)
# On its way to LHDN or standing there: the move's declared fields are locked, and the
# database allows one such version per move.
ACTIVE = frozenset({QUEUED, SENDING, SUBMITTED, VALID, REJECTION_REQUESTED, CANCELLING})
# Standing at LHDN as Valid (possibly with a rejection request or a cancellation to send).
AT_LHDN_VALID = frozenset({VALID, REJECTION_REQUESTED, CANCELLING})

CANCELLATION_WINDOW = datetime.timedelta(hours=72)  # the issuer cancels, from validation
REJECTION_WINDOW = datetime.timedelta(hours=72)  # the buyer asks to reject, from validation
MAX_REASON = 300

# (state, event) -> new state. Anything not here is refused.
TRANSITIONS = {
    (QUEUED, "send"): SENDING,
    (QUEUED, "refuse"): INVALID,  # cannot be built or signed: nothing reached LHDN
    (SENDING, "requeue"): QUEUED,  # not received (or found missing at LHDN): send again
    (SENDING, "accept"): SUBMITTED,
    (SENDING, "refuse"): INVALID,  # refused on receipt
    (SENDING, "validate"): VALID,  # found at LHDN by reconciliation, already decided
    (SENDING, "invalidate"): INVALID,
    (SENDING, "cancel_done"): CANCELLED,
    (SUBMITTED, "validate"): VALID,
    (SUBMITTED, "invalidate"): INVALID,
    (SUBMITTED, "cancel_done"): CANCELLED,  # cancelled in the portal before we polled
    (VALID, "request_cancel"): CANCELLING,
    (VALID, "cancel_done"): CANCELLED,  # by us, or in the MyInvois portal
    (VALID, "request_rejection"): REJECTION_REQUESTED,
    (REJECTION_REQUESTED, "request_cancel"): CANCELLING,
    (REJECTION_REQUESTED, "cancel_done"): CANCELLED,
    (REJECTION_REQUESTED, "request_rejection"): REJECTION_REQUESTED,  # read again: no change
    (CANCELLING, "cancel_done"): CANCELLED,
    (CANCELLING, "cancel_refused"): VALID,  # LHDN said no (window over, referencing notes...)
    (CANCELLING, "request_rejection"): CANCELLING,
}
EVENTS = frozenset(event for _state, event in TRANSITIONS)

# LHDN's document status -> the event it means for a version we hold that is still
# sending or submitted (a Valid one read again has nothing to apply). A rejection
# request is not a status: LHDN keeps "Valid" and sets rejectRequestDateTime.
STATUS_EVENTS = {"Valid": "validate", "Invalid": "invalidate", "Cancelled": "cancel_done"}


class TransitionError(ValueError):
    """An event that cannot happen in the document's state."""

    def __init__(self, state, event):
        super().__init__(
            f"event '{event.replace('_', ' ')}' is not possible for a document in state '{state.replace('_', ' ')}'"
        )
        self.state, self.event = state, event


def next_state(state, event):
    """The state after ``event``, or TransitionError."""
    try:
        return TRANSITIONS[(state, event)]
    except KeyError:
        raise TransitionError(state, event) from None


def allowed(state, event):
    return (state, event) in TRANSITIONS


def cancellation_deadline(validated_at):
    return validated_at + CANCELLATION_WINDOW if validated_at else None


def rejection_deadline(validated_at):
    return validated_at + REJECTION_WINDOW if validated_at else None


def can_cancel(state, validated_at, now):
    """The issuer may still cancel: Valid at LHDN and inside 72 h of validation."""
    return state in (VALID, REJECTION_REQUESTED) and bool(validated_at) and now < validated_at + CANCELLATION_WINDOW


def is_watched(state, validated_at, now):
    """Still able to change at LHDN (a cancellation elsewhere, a buyer's rejection)."""
    window = max(CANCELLATION_WINDOW, REJECTION_WINDOW)
    return state in AT_LHDN_VALID and bool(validated_at) and now < validated_at + window


def is_final(state, validated_at, now):
    """Nothing can change it any more except a credit or debit note."""
    return state in (INVALID, CANCELLED) or (state in AT_LHDN_VALID and not is_watched(state, validated_at, now))
