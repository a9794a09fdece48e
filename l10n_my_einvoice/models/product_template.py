from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    # The customs tariff code (PTC) is l10n_my's own l10n_my_tax_classification_code.
    l10n_my_einvoice_classification_id = fields.Many2one(
        "l10n_my_einvoice.classification",
        string="MyInvois classification",
        help="LHDN classification code sent on invoice lines of this product (022 Others when nothing "
        "more specific applies). Can be changed per invoice line.",
    )
