import datetime

from odoo import fields, models


class L10nMyEinvoiceSubmission(models.Model):
    """One API submission to LHDN (up to 100 documents)."""

    _name = "l10n_my_einvoice.submission"
    _description = "MyInvois submission"
    _order = "id desc"
    _rec_name = "uid"

    uid = fields.Char(string="Submission UID", readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    document_ids = fields.One2many("l10n_my_einvoice.document", "submission_id", readonly=True)
    state = fields.Selection(
        [("in_progress", "In progress"), ("done", "Done")], default="in_progress", readonly=True, index=True
    )
    submitted_at = fields.Datetime(readonly=True)
    checked_at = fields.Datetime(string="Last checked", readonly=True)

    def _l10n_my_einvoice_poll(self):
        """Ask LHDN how the documents of these submissions were judged."""
        for submission in self:
            client = submission.company_id._l10n_my_einvoice_client(submission.document_ids)
            result = client.get_submission_all(submission.uid)
            by_uuid = {document.uuid: document for document in submission.document_ids}
            decided = {"valid": {}, "invalid": {}, "cancelled": {}}
            for summary in result.get("documentSummary") or []:
                document = by_uuid.get(summary.get("uuid"))
                state = {"Valid": "valid", "Invalid": "invalid", "Cancelled": "cancelled"}.get(summary.get("status"))
                if document and document.state == "submitted" and state:
                    decided[state][document] = summary
            # Every call first: an outage halfway must not leave half-written states.
            errors = {}
            for document in decided["invalid"]:
                steps = (client.get_document_details(document.uuid).get("validationResults") or {}).get(
                    "validationSteps"
                ) or []
                errors[document] = [
                    step.get("error") for step in steps if step.get("status") == "Invalid" and step.get("error")
                ]
            # One write per state (the move's stored status follows), then the details.
            Document = self.env["l10n_my_einvoice.document"]
            for state, summaries in decided.items():
                Document.concat(*summaries).write({"state": state})
            for document, summary in decided["valid"].items():
                document.write(
                    {"long_id": summary.get("longId"), "validated_at": _lhdn_datetime(summary.get("dateTimeValidated"))}
                )
            for document, document_errors in errors.items():
                document._set_errors(document_errors)
            Document.concat(
                *(document for summaries in decided.values() for document in summaries)
            )._post_state_message()
            submission.write(
                {
                    "checked_at": fields.Datetime.now(),
                    "state": "in_progress" if result.get("overallStatus") == "in progress" else "done",
                }
            )


def _lhdn_datetime(value):
    """LHDN's UTC timestamps ('2026-07-20T03:15:00Z', sometimes with fractions) as naive UTC."""
    if not value:
        return False
    parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed.astimezone(datetime.timezone.utc).replace(tzinfo=None, microsecond=0)
