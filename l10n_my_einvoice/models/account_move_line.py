from odoo import api, fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    l10n_my_einvoice_classification_id = fields.Many2one(
        "l10n_my_einvoice.classification",
        string="MyInvois classification",
        compute="_compute_l10n_my_einvoice_classification_id",
        store=True,
        readonly=False,
        precompute=True,
        help="LHDN classification code of this line; defaults to the product's.",
    )

    @api.depends("product_id")
    def _compute_l10n_my_einvoice_classification_id(self):
        for line in self:
            line.l10n_my_einvoice_classification_id = line.product_id.product_tmpl_id.l10n_my_einvoice_classification_id
