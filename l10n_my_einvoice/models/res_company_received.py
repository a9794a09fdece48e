from odoo import fields, models

from ..myinvois import qr


class ResCompanyReceived(models.Model):
    _inherit = "res.company"

    l10n_my_einvoice_fetch_received = fields.Boolean(
        string="Fetch received e-invoices",
        default=True,
        help="Read the e-invoices suppliers issue to the company at MyInvois and make a draft vendor bill of each.",
    )
    l10n_my_einvoice_received_read_at = fields.Datetime(string="Received e-invoices read at", readonly=True, copy=False)

    def _l10n_my_einvoice_validation_link(self, uuid, long_id):
        """The MyInvois validation link of a document of this company's environment (issued
        or received alike), or False before LHDN gave it a long ID."""
        self.ensure_one()
        if not (uuid and long_id and self.l10n_my_einvoice_environment):
            return False
        return qr.validation_link(self.l10n_my_einvoice_environment, uuid, long_id, self.l10n_my_einvoice_custom_url)
