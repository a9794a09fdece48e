"""Who consolidates, and how: the settings of the monthly consolidated e-invoice
(reference §8). The work itself is in pipeline_consolidate.py."""

from odoo import api, fields, models
from odoo.exceptions import ValidationError

# LHDN's activities whose sales are never consolidated (reference §8.4, SG §3.7 Table 3.6).
# "Luxury goods and jewellery" is announced but on hold, so it is not offered.
EXCLUDED_ACTIVITIES = [
    ("automotive", "Automotive: sale of motor vehicles"),
    ("aviation", "Aviation: flight tickets, private charter"),
    ("construction", "Construction contractors"),
    ("construction_materials", "Wholesale or retail of construction materials"),
    ("betting", "Licensed betting and gaming: pay-outs to winners"),
    ("agents", "Payments to agents, dealers, distributors"),
    ("electricity", "Electricity supply (electricity service providers)"),
    ("telecommunications", "Telecommunications: postpaid plans, internet subscriptions, devices"),
]
# Self-billed documents may be consolidated only in these cases (reference §8.3, SG §3.6.5).
SELF_BILLED_CONSOLIDATION_CASES = [
    ("individual", "Individual not conducting a business"),
    ("interest", "Interest paid to the public at large"),
    ("insurance", "Insurance claims, compensation or benefits to individuals or government bodies"),
    ("overseas_branch", "The company's own overseas branch"),
]


class ResCompany(models.Model):
    _inherit = "res.company"

    l10n_my_einvoice_consolidate = fields.Boolean(
        string="Consolidate sales to buyers who do not ask for an e-invoice",
        help="Invoices of customers without a TIN (walk-in, general public, or contacts marked so) are not "
        "submitted one by one: they are declared in the monthly consolidated e-invoice, within 7 days after "
        "the month ends.",
    )
    l10n_my_einvoice_consolidation_lines = fields.Selection(
        [("range", "One line per continuous number range"), ("receipt", "One line per receipt")],
        string="Consolidated e-invoice lines",
        default="range",
        required=True,
        help="LHDN accepts both (reference §8.2). A range starts again at every gap in the numbering.",
    )
    l10n_my_einvoice_consolidation_day = fields.Integer(
        string="Consolidate on day",
        default=3,
        help="Day of the month (1 to 7) from which the previous month is consolidated: the days before leave "
        "time to post the month's last sales. LHDN's deadline is the 7th.",
    )
    l10n_my_einvoice_excluded_activity = fields.Selection(
        EXCLUDED_ACTIVITIES,
        string="Activity excluded from consolidation",
        help="LHDN requires an individual e-invoice for every sale of these activities: when set, no sale of "
        "the company is consolidated.",
    )

    @api.constrains("l10n_my_einvoice_consolidation_day")
    def _check_l10n_my_einvoice_consolidation_day(self):
        for company in self:
            if not 1 <= company.l10n_my_einvoice_consolidation_day <= 7:
                raise ValidationError(
                    self.env._(
                        "%(company)s, field 'Consolidate on day': give a day from 1 to 7 "
                        "(LHDN's deadline is the 7th of the next month).",
                        company=company.display_name,
                    )
                )


class ResPartner(models.Model):
    _inherit = "res.partner"

    l10n_my_einvoice_consolidate = fields.Boolean(
        string="Does not ask for e-invoices",
        help="Declare this customer's invoices in the monthly consolidated e-invoice (when the company "
        "consolidates), even though it has a TIN.",
    )
    l10n_my_einvoice_self_billed_case = fields.Selection(
        SELF_BILLED_CONSOLIDATION_CASES,
        string="Consolidated self-billing",
        help="The only cases in which LHDN lets self-billed e-invoices be consolidated. Without one, every "
        "self-billed bill of this supplier is an individual e-invoice.",
    )


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    l10n_my_einvoice_consolidate = fields.Boolean(related="company_id.l10n_my_einvoice_consolidate", readonly=False)
    l10n_my_einvoice_consolidation_lines = fields.Selection(
        related="company_id.l10n_my_einvoice_consolidation_lines", readonly=False
    )
    l10n_my_einvoice_consolidation_day = fields.Integer(
        related="company_id.l10n_my_einvoice_consolidation_day", readonly=False
    )
    l10n_my_einvoice_excluded_activity = fields.Selection(
        related="company_id.l10n_my_einvoice_excluded_activity", readonly=False
    )
