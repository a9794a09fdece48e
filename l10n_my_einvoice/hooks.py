from .models.account_chart_template import l10n_my_tax_values


def post_init_hook(env):
    """Defaults for what existed before the module: LHDN codes on Odoo's standard
    units, and LHDN tax types on the l10n_my taxes of companies whose chart is
    already loaded (new charts get them from the template)."""
    env["uom.uom"]._l10n_my_einvoice_set_standard_codes()
    values = l10n_my_tax_values()
    companies = env["res.company"].search([("chart_template", "=", "my")])
    data = (
        env["ir.model.data"]
        .sudo()
        .search_read(
            [
                ("module", "=", "account"),
                ("model", "=", "account.tax"),
                ("name", "in", [f"{company.id}_{xmlid}" for company in companies for xmlid in values]),
            ],
            ["name", "res_id"],
        )
    )
    taxes = env["account.tax"].with_context(active_test=False).browse([row["res_id"] for row in data])
    by_id = {row["res_id"]: values[row["name"].split("_", 1)[1]] for row in data}
    for tax in taxes.exists():
        tax.write(by_id[tax.id])
