import re

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..myinvois import codes

TAX_TYPES = [(code, f"{code} {name}") for code, name in codes.table("tax_types").items()]
EXEMPTION_REASON = re.compile(r"^[A-Za-z0-9 .,()\-]{1,300}$")


class AccountTax(models.Model):
    _inherit = "account.tax"

    # Same names as Odoo's l10n_my_edi, so both modules would share the columns.
    l10n_my_tax_type = fields.Selection(
        TAX_TYPES,
        string="LHDN tax type",
        compute="_compute_l10n_my_tax_type",
        store=True,
        readonly=False,
        help="Tax type reported to MyInvois for amounts under this tax. E = exempt (give the reason).",
    )
    l10n_my_tax_exemption_reason = fields.Char(
        string="Exemption reason",
        size=300,
        help="Why the amount is exempt, e.g. 'Exempt under Sales Tax (Persons Exempted from Payment of Tax) "
        "Order 2018'. Letters, digits, spaces and . , - ( ) only.",
    )

    @api.depends("amount", "amount_type", "tax_scope", "country_id")
    def _compute_l10n_my_tax_type(self):
        # A default from the tax's shape; l10n_my's own taxes get exact values from the
        # chart template (account_chart_template.py) and users can override any of them.
        for tax in self:
            if tax.country_id.code != "MY":
                tax.l10n_my_tax_type = tax.l10n_my_tax_type or False
            elif tax.amount_type == "percent" and not tax.amount:
                tax.l10n_my_tax_type = "E" if tax.tax_scope else "06"
            elif tax.tax_scope == "consu":
                tax.l10n_my_tax_type = "01"
            elif tax.tax_scope == "service":
                tax.l10n_my_tax_type = "02"
            else:
                tax.l10n_my_tax_type = "06"

    @api.constrains("l10n_my_tax_exemption_reason")
    def _check_l10n_my_tax_exemption_reason(self):
        for tax in self:
            reason = tax.l10n_my_tax_exemption_reason
            if reason and not EXEMPTION_REASON.match(reason):
                raise ValidationError(
                    _(
                        "Tax %(tax)s, field 'Exemption reason': LHDN accepts letters, digits, spaces and . , - ( ) "
                        "only, at most 300 characters.",
                        tax=tax.display_name,
                    )
                )
