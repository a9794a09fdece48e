"""Which purchase tax a received e-invoice's tax (LHDN tax type and rate) becomes.

A row of the table in Settings wins; without one, the company's only purchase tax of
that LHDN type and rate (price excluded) is taken, so a company on l10n_my's chart
needs no row for SST at 5 %, 6 %, 8 % or 10 %. A charged tax that matches nothing,
or more than one tax, is not guessed: the bill line says so.
"""

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .account_tax import TAX_TYPES


class L10nMyEinvoiceReceivedTax(models.Model):
    _name = "l10n_my_einvoice.received.tax"
    _description = "Tax of received e-invoices (MyInvois)"
    _order = "company_id, tax_type, rate"

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    tax_type = fields.Selection(TAX_TYPES, string="LHDN tax type", required=True)
    rate = fields.Float(
        digits=(16, 4),
        help="The percentage in the e-invoice (e.g. 8 for 8 %), or the amount per unit for a fixed tax.",
    )
    tax_id = fields.Many2one(
        "account.tax",
        string="Purchase tax",
        required=True,
        domain="[('type_tax_use', '=', 'purchase'), ('company_id', 'parent_of', company_id)]",
    )

    _type_rate_unique = models.Constraint(
        "UNIQUE(company_id, tax_type, rate)", "Each LHDN tax type and rate is mapped once per company."
    )

    @api.constrains("tax_id")
    def _check_tax(self):
        for row in self:
            if row.tax_id.type_tax_use != "purchase" or row.tax_id.price_include:
                raise ValidationError(
                    self.env._(
                        "Tax of received e-invoices %(type)s %(rate)s, field 'Purchase tax': choose a purchase tax "
                        "not included in the price (an e-invoice's prices exclude tax); %(tax)s is not.",
                        type=row.tax_type,
                        rate=row.rate,
                        tax=row.tax_id.display_name,
                    )
                )

    @api.model
    def _l10n_my_einvoice_taxes_for(self, company, keys):
        """{(type, rate): account.tax or None} for the e-invoice taxes ``keys`` of ``company``."""
        rows = self.search([("company_id", "=", company.id)])
        candidates = self.env["account.tax"].search(
            [
                ("type_tax_use", "=", "purchase"),
                ("company_id", "parent_of", company.id),
                ("l10n_my_tax_type", "in", sorted({tax_type for tax_type, _rate in keys})),
            ]
        )
        found = {}
        for tax_type, rate in keys:
            value = float(rate) if rate is not None else 0.0
            row = rows.filtered(lambda r, t=tax_type, v=value: r.tax_type == t and abs(r.rate - v) < 1e-6)[:1]
            if row:
                found[(tax_type, rate)] = row.tax_id
                continue
            match = candidates.filtered(
                lambda tax, t=tax_type, v=value: (
                    tax.l10n_my_tax_type == t
                    and not tax.price_include
                    and tax.amount_type in ("percent", "fixed")
                    and abs(tax.amount - v) < 1e-6
                )
            )
            found[(tax_type, rate)] = match if len(match) == 1 else None
        return found
