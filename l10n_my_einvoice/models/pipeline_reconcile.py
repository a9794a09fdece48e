"""Reconcile: documents left 'sending' (a timeout, a dropped connection, a crash after
the HTTP call) are looked up at LHDN before anything is sent again.

Found (same number and issue time: LHDN's own duplicate key), a document takes LHDN's
UUID and whatever state LHDN gives it: Submitted, Valid, Invalid (with LHDN's errors)
or Cancelled. Not found, it goes back to the queue and the submit cron sends it again.
Run by the submit cron before it sends (pipeline_submit.py).
"""

import datetime
import logging

from odoo import api, fields, models

from ..myinvois import lifecycle
from .account_move import utc_now
from .api_state import run_unless_paused
from .einvoice_submission import lhdn_datetime

_logger = logging.getLogger(__name__)
SUBMIT_CRON = "l10n_my_einvoice.ir_cron_submit"
# LHDN's status of a document found there -> the event for a version we hold as 'sending'.
FOUND_EVENTS = {"Submitted": "accept", **lifecycle.STATUS_EVENTS}


class L10nMyEinvoicePipelineReconcile(models.AbstractModel):
    _name = "l10n_my_einvoice.pipeline.reconcile"
    _description = "MyInvois: reconcile documents left sending"

    @api.model
    def _reconcile_sending(self, in_cron=False, min_age=datetime.timedelta(minutes=2)):
        """Documents still 'sending' since ``min_age`` (the call that sent them died or
        timed out) are reconciled with LHDN, company by company."""
        cutoff = fields.Datetime.now() - min_age
        stale = self.env["l10n_my_einvoice.document"].search([("state", "=", "sending"), ("write_date", "<=", cutoff)])
        for company in stale.company_id:
            run_unless_paused(
                company,
                lambda: self._reconcile(company, stale.filtered(lambda d: d.company_id == company)),
                "reconciliation",
                SUBMIT_CRON,
            )
            if in_cron:
                self.env["ir.cron"]._commit_progress(0)

    def _reconcile(self, company, documents):
        client = company._l10n_my_einvoice_client(documents)
        found = {}  # (number, issue time) -> LHDN's newest item with that key
        for item in self._search_sent(client, documents):
            if item.get("status") in FOUND_EVENTS:
                key = (item.get("internalId"), item.get("dateTimeIssued"))
                if (item.get("dateTimeReceived") or "") >= (found.get(key, {}).get("dateTimeReceived") or ""):
                    found[key] = item
        items = {}
        for document in documents:
            # An older document that reused the number has another issue time: not ours.
            issued = document.issued_at.strftime("%Y-%m-%dT%H:%M:%SZ") if document.issued_at else None
            item = found.get((document.code_number, issued))
            if item:
                items[document] = item
        missing = documents.filtered(lambda d: d not in items)
        if missing:
            _logger.info("MyInvois: %s never reached LHDN; queued again", ", ".join(missing.mapped("code_number")))
            missing._transition("requeue")
        if not items:
            return
        # Every call first: an outage halfway must not leave half-written states.
        invalid = [document for document, item in items.items() if item["status"] == "Invalid"]
        errors = self.env["l10n_my_einvoice.pipeline.poll"]._lhdn_errors(
            client, {document: items[document].get("uuid") for document in invalid}
        )
        submissions = self._submissions(company, items.values())
        by_event = {}
        for document, item in items.items():
            submission = submissions[item.get("submissionUID") or item.get("submissionUid")]
            values = {"uuid": item.get("uuid"), "submission_id": submission.id}
            if item["status"] in ("Valid", "Cancelled"):
                values.update(
                    long_id=item.get("longId") or False, validated_at=lhdn_datetime(item.get("dateTimeValidated"))
                )
            document.write(values)
            by_event.setdefault(FOUND_EVENTS[item["status"]], []).append(document.id)
        for document, document_errors in errors.items():
            document._set_errors(document_errors)
        Document = self.env["l10n_my_einvoice.document"]
        for event, ids in by_event.items():
            Document.browse(ids)._transition(event)
        # Still being judged at LHDN: the poll cron asks for the verdict.
        Document.browse(by_event.get("accept", [])).submission_id.write({"state": "in_progress"})

    def _submissions(self, company, items):
        """{submission UID: l10n_my_einvoice.submission} for LHDN's items, created when
        the answer that named them was lost (one search for all)."""
        Submission = self.env["l10n_my_einvoice.submission"]
        uids = {item.get("submissionUID") or item.get("submissionUid") for item in items}
        known = Submission.search([("uid", "in", sorted(uid for uid in uids if uid)), ("company_id", "=", company.id)])
        submissions = {submission.uid: submission for submission in known}
        new = [uid for uid in uids if uid not in submissions]
        created = Submission.create(
            [
                {"uid": uid, "company_id": company.id, "submitted_at": fields.Datetime.now(), "state": "done"}
                for uid in new
            ]
        )
        submissions.update(zip(new, created, strict=True))
        return submissions

    @api.model
    def _search_sent(self, client, documents, per_document_up_to=5):
        """LHDN's items for what we sent since the first of ``documents`` was signed.
        Search is limited to 12 calls a minute: a few documents are looked up by
        number, many by one paged scan of the submission dates."""
        sent = [(d.issued_at or d.write_date).replace(tzinfo=datetime.timezone.utc) for d in documents]
        window = {
            "invoiceDirection": "Sent",
            "submissionDateFrom": min(sent) - datetime.timedelta(minutes=5),
            "submissionDateTo": utc_now(),
        }
        if len(documents) <= per_document_up_to:
            return [
                item
                for document in documents
                for item in client.search_documents(searchQuery=document.code_number, **window).get("result") or []
            ]
        items, page = [], 1
        while True:
            body = client.search_documents(pageNo=page, pageSize=100, **window)
            items += body.get("result") or []
            if page >= int((body.get("metadata") or {}).get("totalPages") or 1):
                return items
            page += 1
