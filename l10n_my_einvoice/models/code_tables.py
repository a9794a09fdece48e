from odoo import api, fields, models


class L10nMyEinvoiceClassification(models.Model):
    """LHDN product/service classification codes (``ItemClassificationCode``,
    listID CLASS). Records, not a selection, so an accountant can archive the
    codes the company never uses and reword descriptions; the code is what is sent."""

    _name = "l10n_my_einvoice.classification"
    _description = "MyInvois classification code"
    _order = "code"
    _rec_names_search = ["code", "name"]

    code = fields.Char(required=True, size=3)
    name = fields.Char(string="Description", required=True, translate=True)
    active = fields.Boolean(default=True)

    _code_unique = models.Constraint("UNIQUE(code)", "Each LHDN classification code exists once.")

    @api.depends("code", "name")
    def _compute_display_name(self):
        for record in self:
            record.display_name = f"{record.code} {record.name}"


class L10nMyEinvoiceMsic(models.Model):
    """Malaysia Standard Industrial Classification 2008, 5-digit codes, as LHDN
    publishes them (``IndustryClassificationCode`` of the supplier)."""

    _name = "l10n_my_einvoice.msic"
    _description = "MSIC code (MyInvois)"
    _order = "code"
    _rec_names_search = ["code", "name"]

    code = fields.Char(required=True, size=5)
    name = fields.Char(string="Description", required=True)
    category = fields.Char(string="MSIC category", size=1, help="Section letter A-U of MSIC 2008.")

    _code_unique = models.Constraint("UNIQUE(code)", "Each MSIC code exists once.")

    @api.depends("code", "name")
    def _compute_display_name(self):
        for record in self:
            record.display_name = f"{record.code} {record.name}"
