"""Watching Valid e-invoices for their 72 hours: what happens at LHDN without us.

The buyer may ask to reject a Valid e-invoice, and the company may cancel it in the
MyInvois portal. Neither reaches Odoo by itself, so this cron re-reads every document
still inside its windows (the oldest-read first, a bounded batch per run, inside the
shared rate limits) and records what LHDN says: a cancellation, or a rejection request
with the buyer's reason and an activity for the person who must answer it. After the
windows the document is final and no longer read.
"""

from odoo import _, api, fields, models

from ..myinvois import lifecycle
from .api_state import run_unless_paused
from .einvoice_submission import lhdn_datetime
from .einvoice_time import malaysia_time

WATCH_CRON = "l10n_my_einvoice.ir_cron_watch"
WATCH_BATCH = 50  # Get Document Details calls per company and run


class L10nMyEinvoiceDocumentWatch(models.Model):
    _inherit = "l10n_my_einvoice.document"

    rejection_reason = fields.Char(string="Buyer's rejection reason", readonly=True)
    rejection_requested_at = fields.Datetime(string="Rejection requested at", readonly=True)
    watched_at = fields.Datetime(string="Last read at LHDN", readonly=True)

    def _l10n_my_einvoice_watch_domain(self):
        window = max(lifecycle.CANCELLATION_WINDOW, lifecycle.REJECTION_WINDOW)
        return [
            ("state", "in", sorted(lifecycle.AT_LHDN_VALID)),
            ("validated_at", ">", fields.Datetime.now() - window),
            ("uuid", "!=", False),
        ]

    @api.model
    def _cron_l10n_my_einvoice_watch(self):
        watched = self.search(self._l10n_my_einvoice_watch_domain(), order="watched_at asc nulls first, id")
        batch = self.browse()
        for company in watched.company_id:
            batch |= watched.filtered(lambda d, company=company: d.company_id == company)[:WATCH_BATCH]
        batch._l10n_my_einvoice_read_at_lhdn()
        if self.env.context.get("cron_id"):
            self.env["ir.cron"]._commit_progress(len(batch))

    def _l10n_my_einvoice_read_at_lhdn(self):
        """Read the documents at LHDN, company by company, and record what changed; a
        company whose calls are paused (outage, 429, refused login) waits."""
        for company in self.company_id:
            documents = self.filtered(lambda d, company=company: d.company_id == company)

            def read(company=company, documents=documents):
                client = company._l10n_my_einvoice_client(documents)
                for document in documents:
                    document._l10n_my_einvoice_record_details(client.get_document_details(document.uuid))

            run_unless_paused(company, read, "watch", WATCH_CRON)

    def _l10n_my_einvoice_record_details(self, details):
        """Apply LHDN's Get Document Details answer to this document."""
        self.ensure_one()
        values = {"watched_at": fields.Datetime.now()}
        status = details.get("status")
        reason = (details.get("documentStatusReason") or "").strip()
        if status == "Cancelled" and lifecycle.allowed(self.state, "cancel_done"):
            values.update(cancelled_at=lhdn_datetime(details.get("cancelDateTime")) or fields.Datetime.now())
            values.update(cancel_reason=self.cancel_reason or reason[: lifecycle.MAX_REASON])
            self._transition("cancel_done", values)
            return
        requested = details.get("rejectRequestDateTime")
        if status == "Valid" and requested and self.state == lifecycle.VALID:
            values.update(
                rejection_reason=reason or _("(no reason given)"), rejection_requested_at=lhdn_datetime(requested)
            )
            self._transition("request_rejection", values, log=False)
            self._l10n_my_einvoice_announce_rejection()
            return
        self.write(values)

    def _l10n_my_einvoice_announce_rejection(self):
        """A line in the chatter and an activity for whoever answers the buyer."""
        move = self.move_id
        deadline = lifecycle.cancellation_deadline(self.validated_at)
        note = _(
            'The buyer asks LHDN to reject the e-invoice %(number)s: "%(reason)s". Either accept it '
            "(cancel the e-invoice, before %(deadline)s) or issue a credit note.",
            number=self.code_number,
            reason=self.rejection_reason,
            deadline=malaysia_time(self.env, deadline) if deadline else "-",
        )
        move._message_log(body=note)
        move.activity_schedule(
            "mail.mail_activity_data_todo",
            date_deadline=deadline.date() if deadline else fields.Date.today(),
            summary=_("MyInvois: the buyer rejects %(number)s", number=self.code_number),
            note=note,
            user_id=move._l10n_my_einvoice_responsible().id,
        )
