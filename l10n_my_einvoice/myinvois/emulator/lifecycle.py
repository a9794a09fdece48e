"""Document lifecycle as MyInvois runs it (reference §4): background
validation (Submitted -> Valid | Invalid), issuer cancellation, buyer rejection
request, the 72-hour windows, and who may see or act on a document."""

import datetime

from . import checks, clock
from .errors import ApiError, bad_argument, forbidden, not_found
from .state import new_long_id

# workflowParameters cancellationDuration / rejectionDuration of every type (hours).
CANCELLATION_WINDOW = datetime.timedelta(hours=72)
REJECTION_WINDOW = datetime.timedelta(hours=72)
MAX_REASON = 300
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
    """PUT documents/state/{uuid}/state: cancel (issuer) or reject (receiver)."""
    status = str(body.get("status") or "").strip().lower()
    reason = body.get("reason")
    if status not in ("cancelled", "rejected"):
        raise bad_argument('status must be "cancelled" or "rejected".', "status")
    if not isinstance(reason, str) or not reason.strip():
        raise bad_argument("A reason is required.", "reason")
    if len(reason) > MAX_REASON:
        raise bad_argument(f"The reason is {len(reason)} characters long; at most {MAX_REASON}.", "reason")
    with store.lock:
        record = store.documents.get(uuid)
        if record is None:
            raise not_found(f"Document {uuid} was not found.", "uuid")
        cancel = status == "cancelled"
        needed = "issuerTin" if cancel else "receiverTin"
        if (record[needed] or "").upper() != (principal.tin or "").upper():
            raise forbidden(
                f"Only the {'issuer' if cancel else 'receiver'} of a document may "
                f"{'cancel' if cancel else 'reject'} it.",
                "uuid",
            )
        if record["status"] != "Valid" or (not cancel and record["rejectRequestDateTime"]):
            state = "already requested for rejection" if record["status"] == "Valid" else record["status"]
            raise ApiError(
                400, "IncorrectState", f"The document is {state}; this operation needs a Valid document.", "status"
            )
        window = CANCELLATION_WINDOW if cancel else REJECTION_WINDOW
        if now > clock.parse(record["dateTimeValidated"]) + window:
            raise ApiError(
                400,
                "OperationPeriodOver",
                f"The {int(window.total_seconds() // 3600)}-hour period to "
                f"{'cancel' if cancel else 'reject'} this document is over; "
                "issue a credit, debit or refund note instead.",
                "uuid",
            )
        referencing = [
            r["uuid"] for r in store.documents.values() if r["status"] == "Valid" and uuid in r["references"]
        ]
        if referencing:
            raise ApiError(
                400,
                "ActiveReferencingDocuments",
                f"Valid documents reference this one; cancel them first: {', '.join(referencing)}.",
                "uuid",
            )
        record["documentStatusReason"] = reason
        if cancel:
            record["status"] = "Cancelled"
            record["cancelDateTime"] = clock.lhdn(now)
        else:
            record["rejectRequestDateTime"] = clock.lhdn(now)  # stays Valid until the issuer cancels
        store.save()
    return {"uuid": uuid, "status": "Cancelled" if cancel else "Requested for Rejection"}
