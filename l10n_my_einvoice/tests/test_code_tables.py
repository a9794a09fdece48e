from odoo.tests import tagged

from ..hooks import post_init_hook
from ..models.account_chart_template import L10N_MY_EXEMPTIONS, L10N_MY_TAX_TYPES
from ..models.uom_uom import STANDARD_UNIT_CODES
from ..myinvois import codes
from .common import MyInvoisTestCommon


@tagged("post_install", "-at_install")
class TestCodeTables(MyInvoisTestCommon):
    def test_every_classification_code_is_a_record(self):
        records = self.env["l10n_my_einvoice.classification"].with_context(active_test=False).search([])
        self.assertEqual(dict(records.mapped(lambda r: (r.code, r.name))), dict(codes.table("classifications")))
        self.assertEqual(len(records), 45)
        self.assertEqual(self.env.ref("l10n_my_einvoice.classification_004").display_name, "004 Consolidated e-Invoice")

    def test_every_msic_code_is_a_record(self):
        records = self.env["l10n_my_einvoice.msic"].search([])
        self.assertEqual(set(records.mapped("code")), set(codes.table("msic")))
        self.assertEqual(self.env.ref("l10n_my_einvoice.msic_00000").name, "NOT APPLICABLE")
        found = self.env["l10n_my_einvoice.msic"].name_search("62099")
        self.assertEqual(len(found), 1, "MSIC codes are searchable by code")

    def test_every_malaysian_state_maps_to_an_lhdn_code(self):
        states = self.env["res.country.state"].search([("country_id.code", "=", "MY")])
        self.assertEqual(len(states), 16)
        mapped = {codes.state_code("MY", state.code) for state in states}
        self.assertEqual(mapped, set(codes.table("states")) - {codes.NOT_APPLICABLE_STATE})
        self.assertEqual(codes.state_code("SG", False), "17")

    def test_every_odoo_country_and_currency_is_known_to_lhdn(self):
        countries = self.env["res.country"].search([])
        unknown = [c.code for c in countries if not codes.country_alpha3(c.code)]
        # Odoo-only pseudo-countries aside, every country Odoo ships must map.
        self.assertLessEqual(set(unknown), {"XI", "XU"}, unknown)
        self.assertEqual(codes.country_alpha3("my"), "MYS")
        currencies = self.env["res.currency"].with_context(active_test=False).search([])
        known = [c.name for c in currencies if codes.is_valid("currencies", c.name)]
        self.assertIn("MYR", known)
        self.assertIn("USD", known)

    def test_standard_units_carry_lhdn_codes(self):
        for xmlid, code in STANDARD_UNIT_CODES.items():
            uom = self.env.ref(xmlid)
            self.assertEqual(uom.l10n_my_unit_code, code, xmlid)
            self.assertTrue(codes.is_valid("units", code), code)

    def test_l10n_my_taxes_of_a_new_chart_get_lhdn_tax_types(self):
        taxes = self.env["account.tax"].with_context(active_test=False).search([("company_id", "=", self.company.id)])
        xmlids = taxes.get_external_id()
        by_xmlid = {xmlids[tax.id].split(".")[1].split("_", 1)[1]: tax for tax in taxes if xmlids[tax.id]}
        for xmlid, tax_type in L10N_MY_TAX_TYPES.items():
            self.assertEqual(by_xmlid[xmlid].l10n_my_tax_type, tax_type, xmlid)
        for xmlid, reason in L10N_MY_EXEMPTIONS.items():
            self.assertEqual(by_xmlid[xmlid].l10n_my_tax_type, "E", xmlid)
            self.assertEqual(by_xmlid[xmlid].l10n_my_tax_exemption_reason, reason, xmlid)

    def test_install_hook_types_taxes_of_an_existing_chart(self):
        taxes = self.env["account.tax"].with_context(active_test=False).search([("company_id", "=", self.company.id)])
        taxes.write({"l10n_my_tax_type": False, "l10n_my_tax_exemption_reason": False})
        self.env.ref("uom.product_uom_kgm").l10n_my_unit_code = False
        post_init_hook(self.env)
        card = self.env.ref(f"account.{self.company.id}_l10n_my_tax_sale_card_service")
        self.assertEqual(card.l10n_my_tax_type, "02", "the hook, not the shape-based default, types this tax")
        export = self.env.ref(f"account.{self.company.id}_l10n_my_tax_sale_exempt_export")
        self.assertEqual(
            (export.l10n_my_tax_type, export.l10n_my_tax_exemption_reason),
            ("E", L10N_MY_EXEMPTIONS["l10n_my_tax_sale_exempt_export"]),
        )
        self.assertEqual(self.env.ref("uom.product_uom_kgm").l10n_my_unit_code, "KGM")

    def test_new_tax_gets_a_default_type_from_its_shape(self):
        tax = self.env["account.tax"].create(
            {
                "name": "Service tax 8% (custom)",
                "amount": 8,
                "amount_type": "percent",
                "type_tax_use": "sale",
                "tax_scope": "service",
                "country_id": self.env.ref("base.my").id,
            }
        )
        self.assertEqual(tax.l10n_my_tax_type, "02")
        tax.l10n_my_tax_type = "06"  # the user's choice stands
        self.assertEqual(tax.l10n_my_tax_type, "06")
