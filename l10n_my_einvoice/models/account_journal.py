from odoo import api, fields, models

from ..myinvois import codes

PAYMENT_MODES = [(code, f"{code} {name}") for code, name in codes.table("payment_modes").items()]
# Odoo's journal types that say how the money moves (LHDN codes, reference §6.3).
MODE_OF_JOURNAL_TYPE = {"cash": "01", "bank": "03", "credit": "04"}


class AccountJournal(models.Model):
    _inherit = "account.journal"

    l10n_my_einvoice_payment_mode = fields.Selection(
        PAYMENT_MODES,
        string="MyInvois payment mode",
        compute="_compute_l10n_my_einvoice_payment_mode",
        store=True,
        readonly=False,
        help="Sent to MyInvois as the payment mode of invoices paid (or to be paid) through this journal.",
    )

    @api.depends("type")
    def _compute_l10n_my_einvoice_payment_mode(self):
        for journal in self:
            journal.l10n_my_einvoice_payment_mode = journal.l10n_my_einvoice_payment_mode or MODE_OF_JOURNAL_TYPE.get(
                journal.type, False
            )
