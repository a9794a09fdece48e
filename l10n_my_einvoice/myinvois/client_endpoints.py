"""The MyInvois API's endpoints (reference §3.4) as methods of the client, each one
call through ``_send`` (client.py: tokens, limits, retries, errors, the audit log),
with the checks of LHDN's answers that only the endpoint knows."""

import datetime

from .client_errors import NotFoundError, ProtocolError, ValidationError
from .client_state import MAX_SUBMISSION_DOCUMENTS, split_batches


def _submission_answer(body):
    """Why a 202 submit body is not LHDN's answer, or None: the caller would record
    documents as accepted or refused from it."""
    for key in ("acceptedDocuments", "rejectedDocuments"):
        items = body.get(key)
        if not isinstance(items, list) or not all(
            isinstance(item, dict) and isinstance(item.get("invoiceCodeNumber"), str) for item in items
        ):
            return f"{key} is not a list of documents"
    if not all(isinstance(item.get("uuid"), str) and item["uuid"] for item in body["acceptedDocuments"]):
        return "an accepted document has no UUID"
    uid = body.get("submissionUid")
    if not (isinstance(uid, str) and uid) and (uid is not None or body["acceptedDocuments"]):
        return "submissionUid is missing"
    return None


def _summaries(body):
    items = body.get("documentSummary") or []
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise ProtocolError(
            "MyInvois answered Get Submission with an unreadable documentSummary.", endpoint="get_submission"
        )
    return list(items)


def _utc(value):
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


class Endpoints:
    """Mixed into MyInvoisClient, which provides ``_send``."""

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
            check=_submission_answer,
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
        summaries = _summaries(first)
        count = first.get("documentCount") or len(summaries)
        if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= MAX_SUBMISSION_DOCUMENTS:
            # a submission holds at most 100 documents: more is no count to page through
            raise ProtocolError(
                "MyInvois answered Get Submission with an unreadable documentCount.", endpoint="get_submission"
            )
        for page in range(2, -(-count // page_size) + 1):
            summaries += _summaries(self.get_submission(submission_uid, page, page_size))
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
