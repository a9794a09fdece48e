"""Poll: ask LHDN how the documents of the submissions in progress were judged (Valid,
Invalid with LHDN's errors, or Cancelled in the portal meanwhile). Run by the poll cron,
and by *Refresh MyInvois status* on a move, which asks once, briefly, and leaves the
rest to the cron: the user waits for that answer in the browser.
"""

import datetime

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_datetime

from ..myinvois import client as api_client
from ..myinvois import lifecycle
from . import einvoice_error_guide
from .api_state import run_unless_paused, trigger_committed
from .einvoice_submission import lhdn_datetime

POLL_CRON = "l10n_my_einvoice.ir_cron_poll"
# The button: one attempt, 3 s to connect and 5 s to answer, no retry, no waiting out a 429.
REFRESH_OPTIONS = {"timeout": (3.05, 5), "max_retries": 0, "max_retry_wait": 0}
REFRESH_SUBMISSIONS = 5  # asked inside the user's request; more are left to the cron


class L10nMyEinvoicePipelinePoll(models.AbstractModel):
    _name = "l10n_my_einvoice.pipeline.poll"
    _description = "MyInvois: fetch the status of submitted documents"

    @api.model
    def _cron(self):
        submissions = self.env["l10n_my_einvoice.submission"].search([("state", "=", "in_progress")], order="id")
        for done, submission in enumerate(submissions, start=1):
            # One company's outage or missing settings must not stop the others; the
            # submission stays in progress and is asked again next run.
            run_unless_paused(submission.company_id, lambda: self._poll(submission), "status", POLL_CRON)
            if self.env.context.get("cron_id"):
                self.env["ir.cron"]._commit_progress(1, remaining=len(submissions) - done)

    def _poll(self, submissions, client_options=None):
        """Ask LHDN how the documents of ``submissions`` were judged and record it.
        ``client_options``: see MyInvoisClient.with_options (the button's bounds)."""
        Document = self.env["l10n_my_einvoice.document"]
        for submission in submissions:
            client = submission.company_id._l10n_my_einvoice_client(submission.document_ids)
            if client_options:
                client = client.with_options(**client_options)
            result = client.get_submission_all(submission.uid)
            by_uuid = {document.uuid: document for document in submission.document_ids}
            decided = {}  # document -> (event, LHDN's summary)
            for summary in result.get("documentSummary") or []:
                document = by_uuid.get(summary.get("uuid"))
                event = lifecycle.STATUS_EVENTS.get(summary.get("status"))
                if document and document.state == lifecycle.SUBMITTED and event:
                    decided[document] = (event, summary)
            # Every call first: an outage halfway must not leave half-written states.
            errors = self._lhdn_errors(
                client, {document: document.uuid for document, (event, _s) in decided.items() if event == "invalidate"}
            )
            by_event = {}
            for document, (event, summary) in decided.items():
                if event == "validate":
                    document.write(
                        {
                            "long_id": summary.get("longId"),
                            "validated_at": lhdn_datetime(summary.get("dateTimeValidated")),
                        }
                    )
                by_event.setdefault(event, []).append(document.id)
            for document, document_errors in errors.items():
                document._set_errors(document_errors)
            # One write per state (the move's stored status follows), with its chatter line.
            for event, ids in by_event.items():
                Document.browse(ids)._transition(event)
            submission.write(
                {
                    "checked_at": fields.Datetime.now(),
                    "state": "in_progress" if result.get("overallStatus") == "in progress" else "done",
                }
            )

    @api.model
    def _lhdn_errors(self, client, uuids):
        """{document: LHDN's error objects} for Invalid documents, ``uuids`` being
        {document: its UUID at LHDN} (Get Document Details, one call each)."""
        errors = {}
        for document, uuid in uuids.items():
            steps = (client.get_document_details(uuid).get("validationResults") or {}).get("validationSteps") or []
            errors[document] = [
                step.get("error") for step in steps if step.get("status") == "Invalid" and step.get("error")
            ]
        return errors

    @api.model
    def _refresh(self, moves):
        """*Refresh MyInvois status*: one short attempt per company, never while its
        calls are paused, at most a few submissions; the poll cron does the rest. When
        nothing could be asked, a UserError says why (and the cron is still woken)."""
        submissions = moves.l10n_my_einvoice_document_ids.filtered(lambda d: d.state == "submitted").submission_id
        waiting, asked, wakes = [], False, []
        for company in submissions.company_id:
            todo = submissions.filtered(lambda s: s.company_id == company)
            paused = company._l10n_my_einvoice_paused()
            if paused:
                waiting.append(
                    self.env._(
                        "LHDN is paused for %(company)s until %(until)s (%(reason)s); the scheduled action will "
                        "ask then. Nothing is lost.",
                        company=company.name,
                        until=format_datetime(self.env, paused[0], dt_format="short"),
                        reason=paused[1] or "-",
                    )
                )
                wakes.append(paused[0] + datetime.timedelta(seconds=1))
                continue
            try:
                self._poll(todo[:REFRESH_SUBMISSIONS], REFRESH_OPTIONS)
            except (api_client.MyInvoisError, UserError) as error:
                waiting.append(
                    self.env._(
                        "MyInvois could not be asked for the status now (%(reason)s). Nothing is lost: the "
                        "scheduled action asks again.",
                        reason=einvoice_error_guide.error_text(self.env, error),
                    )
                )
                wakes.append(fields.Datetime.now())
                continue
            asked = True
            if len(todo) > REFRESH_SUBMISSIONS:
                wakes.append(fields.Datetime.now())
        wake_at = min(wakes, default=None)
        if waiting and not asked:
            if wake_at:
                trigger_committed(self.env, POLL_CRON, wake_at)  # this request is rolled back
            raise UserError("\n".join(waiting))
        if wake_at:
            self.env.ref(POLL_CRON)._trigger(wake_at)
        if not waiting:
            return True
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning",
                "title": self.env._("MyInvois"),
                "message": "\n".join(waiting),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }
