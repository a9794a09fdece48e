from odoo import fields, models


class L10nMyEinvoiceDocument(models.Model):
    _inherit = "l10n_my_einvoice.document"

    consolidated_pos_order_ids = fields.One2many(
        "pos.order",
        "l10n_my_einvoice_consolidated_document_id",
        string="Consolidated POS orders",
        readonly=True,
        help="The Point of Sale receipts this consolidated e-invoice declares.",
    )
