from odoo import api, fields, models

from ..myinvois import lifecycle


class L10nMyEinvoiceRejectReceivedWizard(models.TransientModel):
    """Reject a supplier's e-invoice at LHDN, with the reason LHDN shows the supplier."""

    _name = "l10n_my_einvoice.reject.received.wizard"
    _description = "Reject a received e-invoice"

    received_id = fields.Many2one("l10n_my_einvoice.received", string="e-Invoice", required=True, readonly=True)
    supplier_name = fields.Char(related="received_id.supplier_name")
    reject_deadline = fields.Datetime(related="received_id.reject_deadline")
    reason = fields.Char(
        required=True, size=lifecycle.MAX_REASON, help="LHDN shows it to the supplier (300 characters)."
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if not values.get("received_id") and self.env.context.get("active_model") == "account.move":
            move = self.env["account.move"].browse(self.env.context.get("active_id"))
            values["received_id"] = move.l10n_my_einvoice_received_id.id
        return values

    def action_confirm(self):
        self.ensure_one()
        self.received_id._l10n_my_einvoice_reject(self.reason)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "LHDN holds the rejection of %(number)s; the supplier has to cancel it.",
                    number=self.received_id.internal_id or self.received_id.uuid,
                ),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }
