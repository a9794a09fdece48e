"""POST /api/v1.0/documentsubmissions/ (reference §3.5 item 10).

Envelope problems answer 400 (BadStructure / MaximumSizeExceeded); an identical
payload from the same taxpayer within 10 minutes answers 422 with Retry-After;
otherwise 202, each document either accepted (stored as Submitted, decided
later by lifecycle.process_pending) or rejected with a MyInvois error object.
Every document is judged first and the payload and its documents are recorded
last, in one step (Store.accept_submission): an input the emulator cannot read
is a 400 with nothing recorded, never a 500 after recording.
"""

import base64
import binascii
import datetime
import hashlib
import json
import logging
import math

from . import checks, clock
from .errors import ApiError, bad_structure
from .state import new_uid

log = logging.getLogger(__name__)
MAX_DOCUMENTS = 100
MAX_SUBMISSION_BYTES = 5 * 1024 * 1024
DUPLICATE_PAYLOAD_WINDOW = datetime.timedelta(minutes=10)
FIELDS = ("format", "document", "documentHash", "codeNumber")


def submit(emulator, request, principal):
    if len(request.body) > MAX_SUBMISSION_BYTES:
        raise ApiError(
            400, "MaximumSizeExceeded", f"The submission is {len(request.body)} bytes; at most 5 MB.", "submission"
        )
    items = _envelope(request.body)
    store, now = emulator.store, emulator.clock.now()
    digest = hashlib.sha256(request.body).hexdigest()
    _refuse_duplicate(store.payload_seen_at(principal.tin, digest), now)  # early: no checks for a duplicate

    # Everything is judged before anything is recorded: a document our own readers
    # fail on is refused with the submission (400), and leaves no trace behind.
    submission_uid = new_uid()
    due = now + datetime.timedelta(seconds=emulator.validation_delay)
    records, rejected = [], []
    for index, item in enumerate(items):
        try:
            data, error = _decoded(item, index)
            doc = None
            if error is None:
                doc, error = checks.check_on_receipt(data, item["format"], principal.tin)
            if error is None:
                findings = checks.findings_at_submission(data, doc, now, principal)
                records.append(_record(emulator, principal, submission_uid, now, due, item, data, doc, findings))
        except Exception as failure:  # whatever the input makes the core raise: refused, not a 500
            log.info("submission refused: documents[%s] cannot be read", index, exc_info=True)
            raise bad_structure(
                f"documents[{index}] cannot be read: {str(failure)[:200]}", f"documents[{index}]"
            ) from None
        if error is not None:
            rejected.append({"invoiceCodeNumber": item["codeNumber"], "error": error})

    if not records:
        submission_uid = None
    submission = {
        "submissionUid": submission_uid,
        "clientId": principal.client_id,
        "tin": principal.tin,
        "dateTimeReceived": clock.lhdn(now),
        "uuids": [r["uuid"] for r in records],
    }
    # Received by the 10-minute rule even when every document is rejected (LHDN counts it).
    _refuse_duplicate(
        store.accept_submission(
            principal.tin, digest, now, DUPLICATE_PAYLOAD_WINDOW, submission_uid, submission, records
        ),
        now,
    )
    emulator.stats.count("submissions")
    return 202, {
        "submissionUid": submission_uid,
        "acceptedDocuments": [{"uuid": r["uuid"], "invoiceCodeNumber": r["codeNumber"]} for r in records],
        "rejectedDocuments": rejected,
    }


def _refuse_duplicate(seen, now):
    """422 with Retry-After when the same payload was received within 10 minutes."""
    if seen is not None and now - seen < DUPLICATE_PAYLOAD_WINDOW:
        wait = max(1, math.ceil((seen + DUPLICATE_PAYLOAD_WINDOW - now).total_seconds()))
        raise ApiError(
            422,
            "DuplicateSubmission",
            "An identical submission was received from this taxpayer in the last 10 minutes.",
            "submission",
            headers={"Retry-After": str(wait)},
        )


def _envelope(body):
    """The documents of a well-formed envelope, or 400."""
    try:
        envelope = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise bad_structure("The body is not valid JSON.") from None
    documents = envelope.get("documents") if isinstance(envelope, dict) else None
    if not isinstance(documents, list) or not documents:
        raise bad_structure('The body needs a non-empty "documents" list.', "documents")
    if len(documents) > MAX_DOCUMENTS:
        raise ApiError(
            400,
            "MaximumSizeExceeded",
            f"The submission has {len(documents)} documents; at most {MAX_DOCUMENTS}.",
            "documents",
        )
    items = []
    for index, document in enumerate(documents):
        if not isinstance(document, dict):
            raise bad_structure(f"documents[{index}] is not an object.", f"documents[{index}]")
        for name in FIELDS:
            if not isinstance(document.get(name), str) or not document[name].strip():
                raise bad_structure(
                    f"documents[{index}].{name} is missing or not a string.", f"documents[{index}].{name}"
                )
        fmt = document["format"].strip().upper()
        if fmt not in ("XML", "JSON"):
            raise bad_structure(f"documents[{index}].format must be XML or JSON.", f"documents[{index}].format")
        items.append({**{name: document[name] for name in FIELDS}, "format": fmt})
    if len({item["format"] for item in items}) > 1:
        raise bad_structure("All documents of one submission must share one format.", "format")
    return items


def _decoded(item, index):
    """(bytes, None) or (None, error object) for the base64 and hash checks."""
    try:
        data = base64.b64decode(item["document"], validate=True)
    except (binascii.Error, ValueError):
        return None, checks.rejection(
            "BadArgument", f"documents[{index}].document is not valid base64.", name="document"
        )
    if hashlib.sha256(data).hexdigest() != item["documentHash"]:
        return None, checks.rejection(
            "BadArgument",
            "documentHash is not the lower-case hex SHA-256 of the decoded document.",
            "documentHash bukan SHA-256 dokumen.",
            name="documentHash",
        )
    return data, None


def _record(emulator, principal, submission_uid, now, due, item, data, doc, findings):
    amounts = doc.amounts()
    issuer = doc.issuer
    receiver = doc.supplier if doc.is_self_billed else doc.buyer
    intermediary = emulator.store.clients.get(principal.client_id, {}) if principal.intermediary else {}
    return {
        "uuid": new_uid(),
        "submissionUid": submission_uid,
        "longId": None,
        "codeNumber": item["codeNumber"],
        "internalId": doc.number,
        "typeCode": doc.type_code,
        "typeName": checks.type_name(doc.type_code),
        "typeVersionName": doc.version,
        "issuerTin": issuer.tin,
        "issuerName": issuer.name,
        "issuerId": issuer.id_number,
        "receiverTin": receiver.tin,
        "receiverId": receiver.id_number,
        "receiverName": receiver.name,
        "supplierTin": doc.supplier.tin,
        "supplierName": doc.supplier.name,
        "buyerTin": doc.buyer.tin,
        "buyerName": doc.buyer.name,
        "dateTimeIssued": clock.lhdn(doc.issued_at),
        "dateTimeReceived": clock.lhdn(now),
        "dateTimeValidated": None,
        "totalExcludingTax": float(amounts.tax_exclusive),
        "totalDiscount": float(amounts.allowance_total),
        "totalNetAmount": float(amounts.line_extension),
        "totalPayableAmount": float(amounts.payable),
        "status": "Submitted",
        "cancelDateTime": None,
        "rejectRequestDateTime": None,
        "documentStatusReason": None,
        "createdByUserId": principal.client_id,
        "intermediaryTin": intermediary.get("tin"),
        "intermediaryRob": intermediary.get("brn"),
        "intermediaryName": (emulator.store.taxpayers.get(intermediary.get("tin")) or {}).get("name"),
        "submitterClientId": principal.client_id,
        "submitterTin": principal.tin,
        "format": item["format"],
        "document": data.decode("utf-8", errors="replace"),
        "documentHash": item["documentHash"],
        "references": [ref.uuid for ref in doc.billing_references if ref.uuid],
        "dueAt": clock.exact(due),
        "seq": None,  # given by the store when the submission is recorded
        "findings": findings,
        "validationResults": None,
    }
