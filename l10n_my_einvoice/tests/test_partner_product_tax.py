from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import MyInvoisTestCommon


@tagged("post_install", "-at_install")
class TestPartnerProductTax(MyInvoisTestCommon):
    def test_partner_identifiers_are_checked_with_the_field_named(self):
        def new_partner():
            return self.env["res.partner"].create(
                {"name": "Pelanggan Berhad", "country_id": self.env.ref("base.my").id}
            )

        bad_values = [
            ({"l10n_my_identification_number": "201901098765"}, "set the field 'ID type'"),
            (
                {"l10n_my_identification_type": "NRIC", "l10n_my_identification_number": "8305031149231"},
                "field 'ID number'",
            ),
            ({"l10n_my_identification_type": "BRN", "l10n_my_identification_number": "2019 0109"}, "field 'ID number'"),
            ({"sst_registration_number": "W10-1808-32000000;A;B"}, "field 'SST'"),
            ({"ttx_registration_number": "141-1234-56789012345"}, "field 'TTx'"),
        ]
        for values, message in bad_values:
            with self.subTest(values=values), self.assertRaisesRegex(ValidationError, message):
                new_partner().write(values)
        partner = new_partner()
        partner.write(
            {
                "l10n_my_identification_type": "BRN",
                "l10n_my_identification_number": "201901098765",
                "sst_registration_number": "W10-1808-32000000;W10-1808-32000001",
                "ttx_registration_number": "NA",
            }
        )
        with self.assertRaisesRegex(ValidationError, "Contact Pelanggan Berhad, field 'SST'"):
            new_partner().write({"sst_registration_number": "A;B;C"})

    def test_identity_is_shared_with_contacts_of_the_company(self):
        company = self.env["res.partner"].create(
            {
                "name": "Pelanggan Berhad",
                "is_company": True,
                "l10n_my_identification_type": "BRN",
                "l10n_my_identification_number": "201901098765",
                "sst_registration_number": "W10-1808-32000000",
            }
        )
        contact = self.env["res.partner"].create({"name": "Aminah", "parent_id": company.id})
        self.assertEqual(contact.l10n_my_identification_number, "201901098765")
        self.assertEqual(contact.sst_registration_number, "W10-1808-32000000")

    def test_tin_and_phone_warnings(self):
        my = self.env.ref("base.my").id
        partner = self.env["res.partner"].create(
            {"name": "A", "country_id": my, "vat": "C01234567890", "phone": "+60 12-345 6789"}
        )
        self.assertEqual(partner.l10n_my_einvoice_warnings, "The Tax ID will be sent as C1234567890.")
        partner.write({"vat": "MY-SST-1", "phone": "call me"})
        self.assertIn("not a Malaysian TIN", partner.l10n_my_einvoice_warnings)
        self.assertIn("The phone call me cannot be sent", partner.l10n_my_einvoice_warnings)
        partner.write({"vat": "C1234567890", "phone": "+60123456789"})
        self.assertFalse(partner.l10n_my_einvoice_warnings)

    def test_classification_defaults_from_product_and_is_editable_per_line(self):
        software = self.env.ref("l10n_my_einvoice.classification_022")
        computer = self.env.ref("l10n_my_einvoice.classification_003")
        self.product_a.l10n_my_einvoice_classification_id = computer
        invoice = self.init_invoice("out_invoice", products=self.product_a + self.product_b)
        line_a, line_b = invoice.invoice_line_ids
        self.assertEqual(line_a.l10n_my_einvoice_classification_id, computer)
        self.assertFalse(line_b.l10n_my_einvoice_classification_id)
        line_b.l10n_my_einvoice_classification_id = software
        invoice.action_post()
        self.assertEqual(line_b.l10n_my_einvoice_classification_id, software)

    def test_archived_classification_is_hidden_but_kept(self):
        code = self.env.ref("l10n_my_einvoice.classification_033")
        code.active = False
        names = [name for _id, name in self.env["l10n_my_einvoice.classification"].name_search("Betting")]
        self.assertEqual(names, [])
        self.assertTrue(code.exists())

    def test_exemption_reason_and_unit_code_are_checked(self):
        tax = self.env["account.tax"].create(
            {
                "name": "Exempt",
                "amount": 0,
                "amount_type": "percent",
                "tax_scope": "consu",
                "country_id": self.env.ref("base.my").id,
            }
        )
        self.assertEqual(tax.l10n_my_tax_type, "E")
        with self.assertRaisesRegex(ValidationError, "Tax Exempt, field 'Exemption reason'"):
            tax.l10n_my_tax_exemption_reason = "Exempt; see Schedule A & B"
        tax.l10n_my_tax_exemption_reason = "Exempt under Schedule A (item 1), Sales Tax Order 2018."
        with self.assertRaisesRegex(ValidationError, "field 'LHDN unit code': 'PCS' is not in LHDN's unit list"):
            self.env.ref("uom.product_uom_unit").l10n_my_unit_code = "PCS"
        self.env.ref("uom.product_uom_unit").l10n_my_unit_code = "EA"
