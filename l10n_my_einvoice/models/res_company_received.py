from odoo import fields, models


class ResCompanyReceived(models.Model):
    _inherit = "res.company"

    l10n_my_einvoice_fetch_received = fields.Boolean(
        string="Fetch received e-invoices",
        default=True,
        help="Read the e-invoices suppliers issue to the company at MyInvois and make a draft vendor bill of each.",
    )
    l10n_my_einvoice_received_read_at = fields.Datetime(string="Received e-invoices read at", readonly=True, copy=False)
