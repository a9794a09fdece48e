"""Uninstall check, run by tools/odoo_tests.sh after the test run (Odoo's
``@standalone`` mechanism: module operations are not allowed inside test cases)."""

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests import standalone

MODULE = "l10n_my_einvoice"
OWN_TABLES = ("l10n_my_einvoice_classification", "l10n_my_einvoice_msic", "l10n_my_einvoice_certificate_upload")
EXTENDED_COLUMNS = {
    "res_company": (
        "l10n_my_einvoice_client_secret",
        "l10n_my_einvoice_certificate",
        "l10n_my_einvoice_certificate_password",
        "l10n_my_einvoice_cert_serial",
    ),
    "res_partner": ("l10n_my_identification_type", "sst_registration_number"),
    "account_tax": ("l10n_my_tax_type",),
    "uom_uom": ("l10n_my_unit_code",),
    "account_move_line": ("l10n_my_einvoice_classification_id",),
}


def _columns(cr, table):
    cr.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s", [table])
    return {row[0] for row in cr.fetchall()}


@standalone("l10n_my_einvoice_uninstall")
def test_uninstall_leaves_nothing_behind(env):
    module = env["ir.module.module"].search([("name", "=", MODULE)])
    assert module.state == "installed", f"{MODULE} is {module.state}, expected installed"
    for table, columns in EXTENDED_COLUMNS.items():
        missing = set(columns) - _columns(env.cr, table)
        assert not missing, f"before uninstall, {table} lacks {missing}"
    module.button_immediate_uninstall()

    with Registry(env.cr.dbname).cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        module = env["ir.module.module"].search([("name", "=", MODULE)])
        assert module.state == "uninstalled", f"{MODULE} is {module.state} after uninstall"
        assert "l10n_my_einvoice.classification" not in env.registry
        cr.execute("SELECT count(*) FROM ir_model_data WHERE module = %s", [MODULE])
        assert cr.fetchone()[0] == 0, "ir.model.data rows of the module remain"
        cr.execute("SELECT relname FROM pg_class WHERE relname = ANY(%s) AND relkind = 'r'", [list(OWN_TABLES)])
        assert not cr.fetchall(), "the module's tables remain"
        for table, columns in EXTENDED_COLUMNS.items():
            left = set(columns) & _columns(cr, table)
            assert not left, f"after uninstall, {table} still has {left}"
        views = env["ir.ui.view"].search_count([("arch_db", "ilike", "l10n_my_einvoice")])
        assert views == 0, f"{views} views still mention the module"
