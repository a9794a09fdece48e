"""Document lifecycle as MyInvois runs it (reference §4): background
validation (Submitted -> Valid | Invalid), issuer cancellation, buyer rejection
request, the 72-hour windows, and who may see or act on a document.

The windows and the reason limit are the core's (``myinvois/lifecycle.py``), the
same objects, so the emulator and the addon cannot disagree on them. Statuses
here are LHDN's strings; a rejection request leaves a document "Valid"."""

from .. import codes
from .. import lifecycle as core
from . import checks, clock
from .errors import forbidden, not_found, refusal
from .state import new_long_id

# One definition: re-exported so `emulator.lifecycle.CANCELLATION_WINDOW is core.CANCELLATION_WINDOW`.
CANCELLATION_WINDOW = core.CANCELLATION_WINDOW
REJECTION_WINDOW = core.REJECTION_WINDOW
MAX_REASON = core.MAX_REASON
VISIBLE_TO_RECEIVER = ("Valid", "Cancelled")


def process_pending(store, now):
    """Decide every Submitted document whose validation is due, oldest first,
    so the first of two duplicates is the one that stays. Returns how many."""
    with store.lock:
        due = sorted(
            (r for r in store.documents.values() if r["status"] == "Submitted" and clock.parse(r["dueAt"]) <= now),
            key=lambda r: r["seq"],
        )
        for record in due:
            findings = record.pop("findings", []) + checks.findings_against_store(record, store.documents)
            record["validationResults"] = checks.validation_results(findings)
            # Validated when it was due: the window to cancel starts then, however late someone looks.
            record["dateTimeValidated"] = clock.lhdn(clock.parse(record["dueAt"]))
            if not findings:
                record["longId"] = new_long_id()  # before the status: readers never see Valid without it
            record["status"] = "Invalid" if findings else "Valid"
        if due:
            store.save()
        return len(due)


def role(record, principal):
    """ "issuer", "receiver" or None. An intermediary sees only what it submitted
    itself (reference §2.2); a taxpayer sees what it issued and what it received."""
    if record["submitterClientId"] == principal.client_id and record["submitterTin"] == principal.tin:
        return "issuer"
    if principal.intermediary:
        return None
    if record["issuerTin"] == principal.tin:
        return "issuer"
    if record["receiverTin"] == principal.tin:
        return "receiver"
    return None


def readable(store, uuid, principal):
    """The record a principal may read, or ApiError 404/403."""
    record = store.documents.get(uuid)
    if record is None:
        raise not_found(f"Document {uuid} was not found.", "uuid")
    who = role(record, principal)
    if who is None:
        raise forbidden("You are not the issuer or the receiver of this document.", "uuid")
    if who == "receiver" and record["status"] not in VISIBLE_TO_RECEIVER:
        raise not_found(f"Document {uuid} was not found.", "uuid")
    return record


def change_state(store, principal, uuid, body, now):
    """PUT documents/state/{uuid}/state: cancel (issuer) or reject (receiver).
    The HTTP endpoint and the Emulator's portal hooks both come here, so a test
    hook cannot accept what the API would refuse. Refusals: ApiError in the
    MyInvois error object (reference §3.2 item 1)."""
    cancel, reason = _request(body)
    with store.lock:
        record = store.documents.get(uuid)
        if record is None:
            raise refusal(404, "NotFound", f"Document {uuid} was not found.", target="uuid")
        _check_actor(record, principal, cancel)
        _check_state(record, cancel)
        _check_window(record, cancel, now)
        _check_references(store, uuid)
        record["documentStatusReason"] = reason
        if cancel:
            record["status"] = "Cancelled"
            record["cancelDateTime"] = clock.lhdn(now)
        else:
            record["rejectRequestDateTime"] = clock.lhdn(now)  # stays Valid until the issuer cancels
        store.save()
    return {"uuid": uuid, "status": "Cancelled" if cancel else "Requested for Rejection"}


def deadline(record, cancel):
    """When the issuer's (cancel) or the receiver's window closes: the core's deadlines."""
    validated = clock.parse(record["dateTimeValidated"])
    return core.cancellation_deadline(validated) if cancel else core.rejection_deadline(validated)


def _request(body):
    """(cancel?, reason) from the body, or 400 BadArgument."""
    status = str(body.get("status") or "").strip().lower()
    reason = body.get("reason")
    if status not in ("cancelled", "rejected"):
        raise refusal(400, "BadArgument", 'status must be "cancelled" or "rejected".', target="status")
    if not isinstance(reason, str) or not reason.strip():
        raise refusal(400, "BadArgument", "A reason is required.", "Sebab diperlukan.", target="reason")
    if len(reason) > MAX_REASON:
        raise refusal(
            400, "BadArgument", f"The reason is {len(reason)} characters long; at most {MAX_REASON}.", target="reason"
        )
    return status == "cancelled", reason


def _check_actor(record, principal, cancel):
    needed = "issuerTin" if cancel else "receiverTin"
    if not cancel and (record["receiverTin"] or "").upper() in codes.GENERAL_TINS:
        # Consolidated and foreign-buyer documents go to no taxpayer: nobody may reject them (§4).
        raise refusal(
            403, "Forbidden", "A document issued to a general TIN has no receiver to reject it.", target="uuid"
        )
    if (record[needed] or "").upper() != (principal.tin or "").upper():
        action = "cancel" if cancel else "reject"
        raise refusal(
            403,
            "Forbidden",
            f"Only the {'issuer' if cancel else 'receiver'} of a document may {action} it.",
            target="uuid",
        )


def _check_state(record, cancel):
    if record["status"] == "Valid" and (cancel or not record["rejectRequestDateTime"]):
        return
    state = record["status"] if record["status"] != "Valid" else "already requested for rejection"
    raise refusal(
        400,
        "IncorrectState",
        f"The document is {state}; this operation needs a Valid document.",
        f"Dokumen ini {state}; operasi ini memerlukan dokumen yang Valid.",
        target="status",
    )


def _check_window(record, cancel, now):
    # Open while now < deadline, as core.can_cancel decides: at 72 h exactly it is over.
    if now < deadline(record, cancel):
        return
    window = CANCELLATION_WINDOW if cancel else REJECTION_WINDOW
    hours = int(window.total_seconds() // 3600)
    action, action_ms = ("cancel", "membatalkan") if cancel else ("reject", "menolak")
    raise refusal(
        400,
        "OperationPeriodOver",
        f"The {hours}-hour period to {action} this document is over; issue a credit, debit or refund note instead.",
        f"Tempoh {hours} jam untuk {action_ms} dokumen ini telah tamat; keluarkan nota kredit, debit atau "
        "bayaran balik.",
        target="uuid",
    )


def _check_references(store, uuid):
    referencing = [r["uuid"] for r in store.documents.values() if r["status"] == "Valid" and uuid in r["references"]]
    if referencing:
        listed = ", ".join(referencing)
        raise refusal(
            400,
            "ActiveReferencingDocuments",
            f"Valid documents reference this one; cancel them first: {listed}.",
            f"Dokumen Valid lain merujuk dokumen ini; batalkannya dahulu: {listed}.",
            target="uuid",
        )
