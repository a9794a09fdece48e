"""Cancelling a Valid e-invoice at LHDN (the issuer, within 72 hours of validation).

The request is recorded first (state *cancellation pending*, with the reason), then
sent at once with one bounded attempt. LHDN's refusals put the document back to Valid
with a message saying what to do; an outage keeps it pending, and the cancel cron
sends it when LHDN answers again. A cancellation is idempotent at LHDN (setting the
same state twice), so resending a pending one is safe.
"""

import datetime

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..myinvois import client as api_client
from ..myinvois import lifecycle
from . import einvoice_error_guide
from .api_state import run_unless_paused

CANCEL_CRON = "l10n_my_einvoice.ir_cron_cancel"


class L10nMyEinvoiceDocumentCancel(models.Model):
    _inherit = "l10n_my_einvoice.document"

    cancel_reason = fields.Char(string="Cancellation reason", readonly=True, size=lifecycle.MAX_REASON)
    cancelled_at = fields.Datetime(string="Cancelled at", readonly=True)
    cancel_deadline = fields.Datetime(
        string="Can be cancelled until",
        compute="_compute_cancel_deadline",
        help="LHDN allows the issuer to cancel within 72 hours of validation; after that, issue a note.",
    )
    can_cancel = fields.Boolean(compute="_compute_cancel_deadline")

    @api.depends("state", "validated_at")
    def _compute_cancel_deadline(self):
        now = fields.Datetime.now()
        for document in self:
            document.cancel_deadline = lifecycle.cancellation_deadline(document.validated_at) or False
            document.can_cancel = lifecycle.can_cancel(document.state, document.validated_at, now)

    def _l10n_my_einvoice_final_message(self):
        return _(
            "The e-invoice %(number)s was validated more than 72 hours ago: LHDN no longer allows it to be "
            "cancelled. Correct it with a credit note (or a debit note) referencing it.",
            number=self.code_number,
        )

    def _l10n_my_einvoice_request_cancel(self, reason):
        """Record the cancellation (reason required) and send it now. Raises UserError
        when it is not possible or LHDN refuses it; returns True when cancelled, False
        when it waits for LHDN (outage)."""
        self.ensure_one()
        reason = " ".join((reason or "").split())
        if not reason or len(reason) > lifecycle.MAX_REASON:
            raise UserError(
                _("Give the reason for the cancellation (1 to 300 characters); LHDN shows it to the buyer.")
            )
        if not lifecycle.can_cancel(self.state, self.validated_at, fields.Datetime.now()):
            if self.state in lifecycle.AT_LHDN_VALID:
                raise UserError(self._l10n_my_einvoice_final_message())
            raise UserError(
                _(
                    "Only a Valid e-invoice can be cancelled; %(number)s is %(state)s.",
                    number=self.code_number,
                    state=self._l10n_my_einvoice_state_label(),
                )
            )
        self._transition("request_cancel", {"cancel_reason": reason}, log=False)
        return self._l10n_my_einvoice_send_cancellations(interactive=True)

    def _l10n_my_einvoice_send_cancellations(self, interactive=False):
        """Send the pending cancellations of ``self``; True when all were sent.
        Interactive: one refusal raises (rolling the request back); in the cron a
        refusal is written on the move. A pause (outage, 429, refused login) keeps
        them pending, through the same mechanism as every pipeline job."""
        done = True
        for document in self.filtered(lambda d: d.state == lifecycle.CANCELLING):
            refusals = []
            company = document.company_id
            sent = run_unless_paused(
                company,
                lambda document=document, refusals=refusals: refusals.extend(
                    document._l10n_my_einvoice_cancel_at_lhdn(interactive)
                ),
                "cancellation",
                CANCEL_CRON,
            )
            if not sent:
                paused = company._l10n_my_einvoice_paused()
                if paused:  # wake this cron, not only the one that paused the company
                    self.env.ref(CANCEL_CRON)._trigger(paused[0] + datetime.timedelta(seconds=1))
                done = False
            elif refusals:
                document._transition("cancel_refused", log=False)
                if document.rejection_requested_at:  # the buyer's request still stands
                    document._transition("request_rejection", log=False)
                if interactive:
                    raise UserError(refusals[0])
                document.move_id._message_log(body=refusals[0])
            else:
                document._transition("cancel_done", {"cancelled_at": fields.Datetime.now()})
        return done

    def _l10n_my_einvoice_cancel_at_lhdn(self, interactive):
        """The cancel call; LHDN's refusal as the message to show ([] when cancelled)."""
        client = self.company_id._l10n_my_einvoice_client(self)
        if interactive:  # the user waits: one short attempt, the cron does the rest
            client = client.with_options(timeout=(3, 10), max_retries=0)
        try:
            client.cancel(self.uuid, self.cancel_reason)
        except api_client.StateError as error:
            return [_refusal_text(self, error)]
        return []

    @api.model
    def _cron_l10n_my_einvoice_cancel(self):
        pending = self.search([("state", "=", lifecycle.CANCELLING)], order="id")
        for done, document in enumerate(pending, start=1):
            document._l10n_my_einvoice_send_cancellations()
            if self.env.context.get("cron_id"):
                self.env["ir.cron"]._commit_progress(1, remaining=len(pending) - done)


def _refusal_text(document, error):
    """LHDN's refusal in words that say what to do next."""
    env = document.env
    if isinstance(error, api_client.OperationPeriodOverError):
        return document._l10n_my_einvoice_final_message()
    if isinstance(error, api_client.ActiveReferencingDocumentsError):
        return env._(
            "LHDN refuses to cancel %(number)s: a credit, debit or refund note that references it is still "
            "Valid. Cancel that note first, then this e-invoice.",
            number=document.code_number,
        )
    if isinstance(error, api_client.IncorrectStateError):
        return env._(
            "LHDN refuses to cancel %(number)s: it is no longer Valid there (already cancelled, or rejected). "
            "Click 'Refresh MyInvois status' to see its state.",
            number=document.code_number,
        )
    return env._(
        "LHDN refuses to cancel %(number)s: %(reason)s",
        number=document.code_number,
        reason=einvoice_error_guide.error_text(env, error),
    )
