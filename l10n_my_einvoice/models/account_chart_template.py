from odoo import models

from odoo.addons.account.models.chart_template import template

# l10n_my's taxes (template ids) and their LHDN tax type; exemption reasons for the
# exempt ones. Anything not listed gets the computed default (account_tax.py).
SALES_TAX = "01"
SERVICE_TAX = "02"
NOT_APPLICABLE = "06"
EXEMPT = "E"
L10N_MY_TAX_TYPES = {
    "l10n_my_tax_sale_0": NOT_APPLICABLE,
    "l10n_my_tax_purchase_0": NOT_APPLICABLE,
    "l10n_my_tax_sale_5": SALES_TAX,
    "l10n_my_tax_sale_10": SALES_TAX,
    "l10n_my_tax_sale_x_per_l": SALES_TAX,
    "l10n_my_tax_sale_x_per_kg": SALES_TAX,
    "l10n_my_tax_sale_x_ad_volerem": SALES_TAX,
    "l10n_my_tax_sale_goods_disposed_5": SALES_TAX,
    "l10n_my_tax_sale_goods_disposed_10": SALES_TAX,
    "l10n_my_tax_purchase_5": SALES_TAX,
    "l10n_my_tax_purchase_10": SALES_TAX,
    "l10n_my_tax_purchase_5_deduction": SALES_TAX,
    "l10n_my_tax_purchase_10_deduction": SALES_TAX,
    "l10n_my_tax_purchase_5_sub_contracting": SALES_TAX,
    "l10n_my_tax_purchase_10_sub_contracting": SALES_TAX,
    "l10n_my_tax_sale_6": SERVICE_TAX,
    "l10n_my_tax_sale_8_ot_group_h": SERVICE_TAX,
    "l10n_my_tax_sale_8_group_h": SERVICE_TAX,
    "l10n_my_tax_sale_card_service": SERVICE_TAX,
    "l10n_my_tax_sale_goods_disposed_6": SERVICE_TAX,
    "l10n_my_tax_sale_goods_disposed_8": SERVICE_TAX,
    "l10n_my_tax_purchase_6": SERVICE_TAX,
    "l10n_my_tax_purchase_8": SERVICE_TAX,
    "l10n_my_tax_purchase_imported_service": SERVICE_TAX,
    "l10n_my_tax_purchase_other_imported_service": SERVICE_TAX,
}
L10N_MY_EXEMPTIONS = {
    "l10n_my_tax_sale_exempt_export": "Export of goods, exempted from sales tax",
    "l10n_my_tax_sale_exempt_schedule_a": "Sales tax exemption, Schedule A",
    "l10n_my_tax_sale_exempt_schedule_b": "Sales tax exemption, Schedule B",
    "l10n_my_tax_sale_exempt_schedule_c_12": "Sales tax exemption, Schedule C, items 1 and 2",
    "l10n_my_tax_sale_exempt_schedule_c_34": "Sales tax exemption, Schedule C, items 3 and 4",
    "l10n_my_tax_sale_exempt_schedule_c_5": "Sales tax exemption, Schedule C, item 5",
    "l10n_my_tax_service_exempt_schedule_c_5": "Service tax exemption, Schedule C, item 5",
    "l10n_my_tax_purchase_exempt_schedule_c_12": "Sales tax exemption, Schedule C, items 1 and 2",
    "l10n_my_tax_purchase_exempt_schedule_c_34": "Sales tax exemption, Schedule C, items 3 and 4",
    "l10n_my_tax_purchase_exempt_schedule_c_5": "Sales tax exemption, Schedule C, item 5",
}


def l10n_my_tax_values():
    """``{template id: values}`` for l10n_my's taxes."""
    values = {xmlid: {"l10n_my_tax_type": tax_type} for xmlid, tax_type in L10N_MY_TAX_TYPES.items()}
    values.update(
        {
            xmlid: {"l10n_my_tax_type": EXEMPT, "l10n_my_tax_exemption_reason": reason}
            for xmlid, reason in L10N_MY_EXEMPTIONS.items()
        }
    )
    return values


class AccountChartTemplate(models.AbstractModel):
    _inherit = "account.chart.template"

    @template("my", "account.tax")
    def _get_my_l10n_my_einvoice_account_tax(self):
        return l10n_my_tax_values()
