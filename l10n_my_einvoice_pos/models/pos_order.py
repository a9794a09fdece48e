from odoo import fields, models
from odoo.exceptions import UserError

from odoo.addons.l10n_my_einvoice.myinvois import lifecycle


class PosOrder(models.Model):
    _inherit = "pos.order"

    # Written by the consolidation (l10n_my_einvoice.pipeline.consolidate._mark, by SQL):
    # the monthly consolidated e-invoice that declares this receipt. An order pointing to an
    # Invalid or Cancelled document waits for the next consolidation run again.
    l10n_my_einvoice_consolidated_document_id = fields.Many2one(
        "l10n_my_einvoice.document",
        string="Consolidated e-invoice",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        help="The monthly consolidated MyInvois e-invoice that declares this receipt to LHDN.",
    )
    l10n_my_einvoice_consolidated_state = fields.Selection(
        related="l10n_my_einvoice_consolidated_document_id.state", string="MyInvois status"
    )
    l10n_my_einvoice_consolidated_uuid = fields.Char(
        related="l10n_my_einvoice_consolidated_document_id.uuid", string="MyInvois UUID"
    )
    l10n_my_einvoice_consolidated_link = fields.Char(
        related="l10n_my_einvoice_consolidated_document_id.validation_link", string="MyInvois validation link"
    )

    def _generate_pos_order_invoice(self):
        # A receipt already declared to LHDN (or on its way) cannot become an invoice too:
        # the sale would be declared twice. Its correction is a refund at the till.
        declared = self.filtered(lambda order: order.l10n_my_einvoice_consolidated_state in lifecycle.ACTIVE)
        if declared:
            order = declared[0]
            raise UserError(
                self.env._(
                    "%(order)s cannot be invoiced: it is declared to LHDN in the consolidated e-invoice %(number)s. "
                    "To give the buyer an e-invoice, refund the order and sell it again to the buyer.",
                    order=order.display_name,
                    number=order.l10n_my_einvoice_consolidated_document_id.code_number,
                )
            )
        return super()._generate_pos_order_invoice()
