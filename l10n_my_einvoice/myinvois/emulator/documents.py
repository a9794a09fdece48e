"""Reading and acting on submitted documents (reference §3.5 items 11-17):
Get Submission, Get Document (raw), Details, Cancel/Reject, Recent, Search."""

import datetime
import json

from . import clock, lifecycle, views
from .errors import bad_argument, forbidden, not_found, refusal

LIST_WINDOW = datetime.timedelta(days=31)
STATUSES = ("Valid", "Invalid", "Cancelled", "Submitted")


def get_submission(emulator, request, principal, submission_uid):
    page_no, page_size = views.paging(request)
    submission, records = emulator.store.submission_records(submission_uid)
    if submission is None:
        raise not_found(f"Submission {submission_uid} was not found.", "submissionUid")
    if submission["clientId"] != principal.client_id or submission["tin"] != principal.tin:
        raise forbidden("Only the submitter may read a submission.", "submissionUid")
    statuses = [r["status"] for r in records]
    if "Submitted" in statuses:
        overall = "in progress"
    else:
        valid = sum(status in ("Valid", "Cancelled") for status in statuses)
        overall = "valid" if valid == len(statuses) else "invalid" if valid == 0 else "partially valid"
    shown, _ = views.page(records, page_no, page_size)
    return 200, {
        "submissionUid": submission_uid,
        "documentCount": len(records),
        "dateTimeReceived": submission["dateTimeReceived"],
        "overallStatus": overall,
        "documentSummary": [views.summary(r) for r in shown],
    }


def get_document(emulator, request, principal, uuid):
    record = lifecycle.readable(emulator.store, uuid, principal)
    if record["status"] == "Invalid":
        raise not_found(f"Document {uuid} is Invalid; read its details instead.", "uuid")
    return 200, views.raw(record)


def get_details(emulator, request, principal, uuid):
    return 200, views.details(lifecycle.readable(emulator.store, uuid, principal))


def change_state(emulator, request, principal, uuid):
    try:
        body = json.loads(request.body.decode("utf-8") or "{}")
    except (UnicodeDecodeError, ValueError):
        raise refusal(400, "BadArgument", "The body is not valid JSON.", target="body") from None
    if not isinstance(body, dict):
        raise refusal(400, "BadArgument", "The body must be a JSON object.", target="body")
    return 200, act(emulator, principal, uuid, body)


def act(emulator, principal, uuid, body):
    """Cancel or reject on the emulator's clock: the HTTP endpoint and the portal hooks
    (Emulator.reject_as_buyer, cancel_in_portal) share it."""
    return lifecycle.change_state(emulator.store, principal, uuid, body, emulator.clock.now())


def recent(emulator, request, principal):
    return _listing(emulator, request, principal, search=False)


def search(emulator, request, principal):
    return _listing(emulator, request, principal, search=True)


def _date_pair(request, prefix):
    start, end = request.param(prefix + "DateFrom"), request.param(prefix + "DateTo")
    if not start and not end:
        return None
    if not (start and end):
        raise bad_argument(f"{prefix}DateFrom and {prefix}DateTo go together.", prefix + "DateFrom")
    try:
        pair = clock.parse(start), clock.parse(end)
    except ValueError:
        raise bad_argument(f"{prefix}DateFrom/{prefix}DateTo must be UTC date-times.", prefix + "DateFrom") from None
    if pair[0] > pair[1]:
        raise bad_argument(f"{prefix}DateFrom is after {prefix}DateTo.", prefix + "DateFrom")
    return pair


def _listing(emulator, request, principal, *, search):
    page_no, page_size = views.paging(request)
    submitted = _date_pair(request, "submission")
    issued = _date_pair(request, "issue")
    if search:
        if not (submitted or issued):
            raise bad_argument("Give submissionDateFrom/To or issueDateFrom/To.", "submissionDateFrom")
        for pair, name in ((submitted, "submissionDateFrom"), (issued, "issueDateFrom")):
            if pair and pair[1] - pair[0] > LIST_WINDOW:
                raise bad_argument("The date range may span at most 31 days.", name)
    direction = (request.param("invoiceDirection") or "").strip().lower()
    if direction not in ("", "sent", "received"):
        raise bad_argument("InvoiceDirection must be Sent or Received.", "invoiceDirection")
    status = (request.param("status") or "").strip().lower()
    if status and status not in (s.lower() for s in STATUSES):
        raise bad_argument(f"status must be one of {', '.join(STATUSES)}.", "status")
    document_type = (request.param("documentType") or "").strip()
    text = (request.param("searchQuery") or "").strip().lower()
    wanted = {
        "uuid": request.param("uuid"),
        "receiverTin": request.param("receiverTin"),
        "issuerTin": request.param("issuerTin"),
        "receiverId": request.param("receiverId"),
        "issuerId": request.param("issuerId"),
    }
    since = emulator.clock.now() - LIST_WINDOW  # Recent: the last 31 days only

    def keep(record):
        who = lifecycle.role(record, principal)
        if who is None or (who == "receiver" and record["status"] not in lifecycle.VISIBLE_TO_RECEIVER):
            return False
        if direction and who != ("issuer" if direction == "sent" else "receiver"):
            return False
        if status and record["status"].lower() != status:
            return False
        if document_type and record["typeCode"] != document_type.zfill(2):
            return False
        if any(value and str(record.get(key) or "").upper() != value.strip().upper() for key, value in wanted.items()):
            return False
        received, issued_at = clock.parse(record["dateTimeReceived"]), clock.parse(record["dateTimeIssued"])
        if not search and received < since:
            return False
        if submitted and not submitted[0] <= received <= submitted[1]:
            return False
        if issued and not issued[0] <= issued_at <= issued[1]:
            return False
        return not text or any(
            text in str(record.get(key) or "").lower()
            for key in (
                "uuid",
                "internalId",
                "supplierTin",
                "supplierName",
                "buyerTin",
                "buyerName",
                "totalPayableAmount",
            )
        )

    with emulator.store.lock:
        found = sorted(filter(keep, emulator.store.documents.values()), key=lambda r: -r["seq"])[: views.MAX_RESULTS]
    shown, total_pages = views.page(found, page_no, page_size)
    return 200, {
        "result": [views.list_item(r, search=search) for r in shown],
        "metadata": {"totalPages": total_pages, "totalCount": len(found)},
    }
