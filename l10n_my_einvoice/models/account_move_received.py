"""A vendor bill made from a received e-invoice: its UUID, link and LHDN status on the
bill, the Reject button, and no posting of a bill whose e-invoice the supplier cancelled."""

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..myinvois import received


class AccountMoveReceived(models.Model):
    _inherit = "account.move"

    l10n_my_einvoice_received_id = fields.Many2one(
        "l10n_my_einvoice.received",
        string="Received e-invoice",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="restrict",
    )
    l10n_my_einvoice_received_uuid = fields.Char(related="l10n_my_einvoice_received_id.uuid", string="e-Invoice UUID")
    l10n_my_einvoice_received_state = fields.Selection(
        related="l10n_my_einvoice_received_id.state", string="e-Invoice status"
    )
    l10n_my_einvoice_received_link = fields.Char(
        related="l10n_my_einvoice_received_id.validation_link", string="e-Invoice validation link"
    )
    l10n_my_einvoice_received_validated_at = fields.Datetime(
        related="l10n_my_einvoice_received_id.validated_at", string="e-Invoice validated at"
    )
    l10n_my_einvoice_received_can_reject = fields.Boolean(related="l10n_my_einvoice_received_id.can_reject")
    l10n_my_einvoice_received_reject_deadline = fields.Datetime(
        related="l10n_my_einvoice_received_id.reject_deadline", string="Can be rejected until"
    )
    l10n_my_einvoice_received_notes = fields.Text(
        string="e-Invoice import notes",
        readonly=True,
        copy=False,
        help="What could not be matched when the bill was made from the e-invoice: check these lines.",
    )

    l10n_my_einvoice_received_difference = fields.Monetary(
        string="Difference from the e-invoice",
        compute="_compute_l10n_my_einvoice_received_difference",
        help="The supplier's e-invoice total less this bill's: not zero once the bill was changed away from it.",
    )
    l10n_my_einvoice_received_billed = fields.Monetary(
        related="l10n_my_einvoice_received_id.amount_billed", string="e-Invoice total"
    )

    @api.depends("amount_total", "currency_id", "l10n_my_einvoice_received_id.amount_billed")
    def _compute_l10n_my_einvoice_received_difference(self):
        for move in self:
            document = move.l10n_my_einvoice_received_id
            same_currency = document and document.currency_id == move.currency_id
            move.l10n_my_einvoice_received_difference = (
                move.currency_id.round(document.amount_billed - move.amount_total) if same_currency else 0.0
            )

    def _post(self, soft=True):
        cancelled = self.filtered(lambda m: m.l10n_my_einvoice_received_state == received.CANCELLED)
        if cancelled:
            document = cancelled[0].l10n_my_einvoice_received_id
            raise UserError(
                self.env._(
                    "%(bill)s cannot be posted: its supplier cancelled the e-invoice %(number)s at LHDN "
                    "(%(reason)s). Cancel the bill, or ask the supplier for the e-invoice that replaces it.",
                    bill=cancelled[0].display_name,
                    number=document.internal_id or document.uuid,
                    reason=document.status_reason or self.env._("no reason given"),
                )
            )
        return super()._post(soft)

    def action_l10n_my_einvoice_reject_received(self):
        self.ensure_one()
        return self.l10n_my_einvoice_received_id.action_reject()
