"""The core lifecycle (myinvois/lifecycle.py): the (state, event) table, refusals,
the 72-hour windows at their edges, and that the emulator runs the very same windows."""

import datetime
import itertools

import pytest

from l10n_my_einvoice.myinvois import lifecycle as core
from l10n_my_einvoice.myinvois.emulator import ApiError, catalogue, clock
from l10n_my_einvoice.myinvois.emulator import lifecycle as emulated
from l10n_my_einvoice.myinvois.emulator.auth import Principal
from l10n_my_einvoice.myinvois.emulator.state import Store

VALIDATED = datetime.datetime(2026, 7, 20, 3, 15, tzinfo=datetime.timezone.utc)
SECOND = datetime.timedelta(seconds=1)
HOURS_72 = datetime.timedelta(hours=72)
BEFORE, AT, AFTER = VALIDATED + HOURS_72 - SECOND, VALIDATED + HOURS_72, VALIDATED + HOURS_72 + SECOND


def reachable(start=core.QUEUED):
    """Every state some sequence of events leads to from ``start``."""
    seen, todo = {start}, [start]
    while todo:
        state = todo.pop()
        for (source, _event), target in core.TRANSITIONS.items():
            if source == state and target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


# --------------------------------------------------------------------------- the table


def test_every_state_and_every_transition_is_reachable_from_queued():
    states = reachable()
    assert states == set(core.STATES)
    for (state, event), target in core.TRANSITIONS.items():
        assert state in states, f"({state}, {event}) can never happen"
        assert core.next_state(state, event) == target
        assert core.allowed(state, event)


def test_the_table_speaks_only_of_known_states_and_events():
    assert {s for s, _ in core.TRANSITIONS} | set(core.TRANSITIONS.values()) <= set(core.STATES)
    assert set(core.STATUS_EVENTS.values()) <= core.EVENTS
    assert core.ACTIVE <= set(core.STATES) and core.AT_LHDN_VALID <= core.ACTIVE
    # Terminal: nothing leaves Invalid or Cancelled.
    assert not [key for key in core.TRANSITIONS if key[0] in (core.INVALID, core.CANCELLED)]


@pytest.mark.parametrize("state,event", [(core.CANCELLED, "send"), (core.INVALID, "request_cancel")])
def test_a_refused_transition_says_what_and_why(state, event):
    with pytest.raises(core.TransitionError) as caught:
        core.next_state(state, event)
    error = caught.value
    assert isinstance(error, ValueError) and (error.state, error.event) == (state, event)
    words = (event.replace("_", " "), state.replace("_", " "))
    assert str(error) == f"event '{words[0]}' is not possible for a document in state '{words[1]}'"
    assert "_" not in str(error), "state and event read as words"


def test_everything_outside_the_table_is_refused():
    for state, event in itertools.product(core.STATES, core.EVENTS):
        if (state, event) in core.TRANSITIONS:
            continue
        assert not core.allowed(state, event)
        with pytest.raises(core.TransitionError):
            core.next_state(state, event)


# --------------------------------------------------------------------------- the windows


def test_deadlines_are_validation_plus_72_hours():
    assert core.cancellation_deadline(VALIDATED) == core.rejection_deadline(VALIDATED) == AT
    assert core.cancellation_deadline(None) is None and core.rejection_deadline(None) is None


@pytest.mark.parametrize("state", [core.VALID, core.REJECTION_REQUESTED])
def test_can_cancel_until_72_hours_after_validation(state):
    assert core.can_cancel(state, VALIDATED, BEFORE)
    assert not core.can_cancel(state, VALIDATED, AT)
    assert not core.can_cancel(state, VALIDATED, AFTER)
    assert not core.can_cancel(state, None, BEFORE), "never validated: nothing to cancel"


@pytest.mark.parametrize("state", sorted(set(core.STATES) - {core.VALID, core.REJECTION_REQUESTED}))
def test_cannot_cancel_in_any_other_state(state):
    assert not core.can_cancel(state, VALIDATED, BEFORE)


@pytest.mark.parametrize("state", sorted(core.AT_LHDN_VALID))
def test_valid_at_lhdn_is_watched_then_final(state):
    assert core.is_watched(state, VALIDATED, BEFORE) and not core.is_final(state, VALIDATED, BEFORE)
    assert not core.is_watched(state, VALIDATED, AFTER) and core.is_final(state, VALIDATED, AFTER)


@pytest.mark.parametrize("state", [core.INVALID, core.CANCELLED])
def test_invalid_and_cancelled_are_final_at_once(state):
    for now in (BEFORE, AFTER):
        assert core.is_final(state, VALIDATED, now) and not core.is_watched(state, VALIDATED, now)


@pytest.mark.parametrize("state", [core.QUEUED, core.SENDING, core.SUBMITTED])
def test_on_its_way_is_neither_watched_nor_final(state):
    for now in (BEFORE, AFTER):
        assert not core.is_watched(state, None, now) and not core.is_final(state, None, now)


# --------------------------------------------------------------------------- the emulator agrees


def test_the_emulator_uses_the_core_windows_themselves():
    assert emulated.CANCELLATION_WINDOW is core.CANCELLATION_WINDOW
    assert emulated.REJECTION_WINDOW is core.REJECTION_WINDOW
    assert emulated.MAX_REASON is core.MAX_REASON
    hours = dict(catalogue.WORKFLOW_HOURS)
    assert datetime.timedelta(hours=hours["cancellationDuration"]) == core.CANCELLATION_WINDOW
    assert datetime.timedelta(hours=hours["rejectionDuration"]) == core.REJECTION_WINDOW


def one_valid_document():
    store = Store()
    store.documents["DOC"] = {
        "uuid": "DOC",
        "status": "Valid",
        "issuerTin": "C1234567890",
        "receiverTin": "C9876543210",
        "dateTimeValidated": clock.lhdn(VALIDATED),
        "rejectRequestDateTime": None,
        "cancelDateTime": None,
        "documentStatusReason": None,
        "references": [],
    }
    return store


@pytest.mark.parametrize("status,tin", [("cancelled", "C1234567890"), ("rejected", "C9876543210")])
@pytest.mark.parametrize("now", [BEFORE, AT, AFTER])
def test_the_emulator_refuses_exactly_when_the_core_says_no(status, tin, now):
    store, principal = one_valid_document(), Principal(client_id="erp", tin=tin)
    open_for_core = core.can_cancel(core.VALID, VALIDATED, now)
    try:
        emulated.change_state(store, principal, "DOC", {"status": status, "reason": "Wrong"}, now)
        accepted = True
    except ApiError as error:
        assert error.code == "OperationPeriodOver"
        accepted = False
    assert accepted == open_for_core == (now < VALIDATED + HOURS_72)
