"""Consolidate now: the accountant picks a closed month, sees what would be declared
(receipts, lines, documents, totals per tax type), and declares it."""

import datetime

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.account_move_route import month_start
from ..models.pipeline_consolidate import malaysia_today


def _previous_month(_wizard=None):
    return month_start(month_start(malaysia_today()) - datetime.timedelta(days=1))


class L10nMyEinvoiceConsolidateWizard(models.TransientModel):
    _name = "l10n_my_einvoice.consolidate.wizard"
    _description = "MyInvois: consolidate a month now"

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    month = fields.Date(required=True, default=_previous_month, help="Any day of the month to consolidate.")
    receipt_count = fields.Integer(string="Receipts", compute="_compute_preview")
    line_count = fields.Integer(string="Lines", compute="_compute_preview")
    document_count = fields.Integer(string="Documents", compute="_compute_preview")
    credit_note_count = fields.Integer(string="Of which credit notes", compute="_compute_preview")
    preview_html = fields.Html(string="Totals", compute="_compute_preview", sanitize=False)
    problem = fields.Text(compute="_compute_preview")
    individual_note = fields.Text(string="Not consolidated", compute="_compute_preview")

    @api.depends("company_id", "month")
    def _compute_preview(self):
        room = self.env["l10n_my_einvoice.pipeline.consolidate"]
        for wizard in self:
            wizard.update(
                {
                    "receipt_count": 0,
                    "line_count": 0,
                    "document_count": 0,
                    "credit_note_count": 0,
                    "preview_html": False,
                    "problem": False,
                    "individual_note": False,
                }
            )
            if not (wizard.company_id and wizard.month):
                continue
            try:
                preview = room._preview(wizard.company_id, wizard.month)
            except UserError as error:
                wizard.problem = str(error)
                continue
            wizard.update(
                {
                    "receipt_count": preview["receipts"],
                    "line_count": preview["lines"],
                    "document_count": preview["documents"],
                    "credit_note_count": preview["credit_notes"],
                    "preview_html": wizard._totals_table(preview),
                    "individual_note": self.env._(
                        "These sales may not be consolidated and have no e-invoice yet; submit them "
                        "individually: %(sales)s",
                        sales=", ".join(preview["individual"]),
                    )
                    if preview["individual"]
                    else False,
                }
            )

    def _totals_table(self, preview):
        if not preview["taxes"]:
            return False
        tax_types = dict(self.env["account.tax"]._fields["l10n_my_tax_type"]._description_selection(self.env))
        rows = Markup("").join(
            Markup("<tr><td>%s</td><td>%s</td><td class='text-end'>%s</td><td class='text-end'>%s</td></tr>")
            % (currency, tax_types.get(tax_type, tax_type), f"{taxable:,.2f}", f"{amount:,.2f}")
            for (currency, tax_type), (taxable, amount) in sorted(preview["taxes"].items())
        )
        totals = Markup("").join(
            Markup("<tr class='fw-bold'><td>%s</td><td>%s</td><td></td><td class='text-end'>%s</td></tr>")
            % (currency, escape(self.env._("Total payable")), f"{total:,.2f}")
            for currency, total in sorted(preview["totals"].items())
        )
        head = Markup("<tr><th>%s</th><th>%s</th><th class='text-end'>%s</th><th class='text-end'>%s</th></tr>") % (
            self.env._("Currency"),
            self.env._("Tax type"),
            self.env._("Taxable"),
            self.env._("Tax"),
        )
        return Markup(
            "<table class='table table-sm o_l10n_my_einvoice_preview'><thead>%s</thead><tbody>%s%s</tbody></table>"
        ) % (
            head,
            rows,
            totals,
        )

    def action_consolidate(self):
        self.ensure_one()
        documents = self.env["l10n_my_einvoice.pipeline.consolidate"]._consolidate(self.company_id, self.month)
        if not documents:
            raise UserError(self.env._("Nothing waits for consolidation in %(month)s.", month=month_start(self.month)))
        return {
            "type": "ir.actions.act_window",
            "res_model": "l10n_my_einvoice.consolidation",
            "res_id": documents.consolidation_id[:1].id,
            "view_mode": "form",
            "target": "current",
        }
