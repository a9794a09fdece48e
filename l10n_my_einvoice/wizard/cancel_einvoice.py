from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..myinvois import lifecycle


class L10nMyEinvoiceCancelWizard(models.TransientModel):
    """Cancel a Valid e-invoice at LHDN, with the reason LHDN shows the buyer."""

    _name = "l10n_my_einvoice.cancel.wizard"
    _description = "Cancel a MyInvois e-invoice"

    move_id = fields.Many2one("account.move", string="Invoice", required=True, readonly=True)
    document_id = fields.Many2one(related="move_id.l10n_my_einvoice_document_id")
    cancel_deadline = fields.Datetime(related="document_id.cancel_deadline")
    reason = fields.Char(required=True, size=lifecycle.MAX_REASON, help="LHDN shows it to the buyer (300 characters).")
    reset_to_draft = fields.Boolean(
        string="Then reset the invoice to draft", help="To correct it and post it again; a new e-invoice is sent then."
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        move = self.env["account.move"].browse(values.get("move_id") or self.env.context.get("active_id"))
        if move and "reason" in fields_list and move.l10n_my_einvoice_document_id.rejection_reason:
            values["reason"] = _(
                "Rejection accepted: %(reason)s", reason=move.l10n_my_einvoice_document_id.rejection_reason
            )[: lifecycle.MAX_REASON]
        return values

    def action_confirm(self):
        self.ensure_one()
        document = self.document_id
        if not document:
            raise UserError(_("%(move)s has no e-invoice to cancel.", move=self.move_id.display_name))
        cancelled = document._l10n_my_einvoice_request_cancel(self.reason)
        if cancelled and self.reset_to_draft:
            self.move_id.button_draft()
        if cancelled:
            message = _("The e-invoice %(number)s is cancelled at LHDN.", number=document.code_number)
        else:
            message = _(
                "LHDN cannot be reached now: the cancellation of %(number)s is pending and will be sent as "
                "soon as LHDN answers (the invoice shows it). Reset it to draft once it is cancelled.",
                number=document.code_number,
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success" if cancelled else "warning",
                "message": message,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }
