import os

import polib
from markupsafe import escape

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..myinvois import error_guide
from .common import MyInvoisFlowCase

MS_PO = os.path.join(os.path.dirname(os.path.dirname(__file__)), "i18n", "ms.po")

# LHDN's error object (reference §3.2) as Get Document Details returns it for an Invalid
# document: a step, and inside it the fields, with LHDN's own dotted paths.
LHDN_ERRORS = [
    {
        "propertyName": None,
        "propertyPath": None,
        "errorCode": "Error06",
        "error": "Step06-Code Validator",
        "errorMS": "Langkah06-Pengesah Kod",
        "innerError": [
            {
                "propertyName": "CountrySubentityCode",
                "propertyPath": "Invoice.AccountingCustomerParty.Party.PostalAddress.CountrySubentityCode",
                "errorCode": "CV316",
                "error": "State code 10 is not valid for country SGP",
                "errorMS": "Kod negeri 10 tidak sah bagi negara SGP",
                "innerError": None,
            },
            {
                "propertyName": "ItemClassificationCode",
                "propertyPath": "Invoice.InvoiceLine[1].Item.CommodityClassification.ItemClassificationCode",
                "errorCode": "CV302",
                "error": "Classification code 999 is not in the code list",
                "errorMS": "Kod klasifikasi 999 tiada dalam senarai kod",
                "innerError": None,
            },
            {
                "propertyName": "Frobnication",
                "propertyPath": "Invoice.Frobnication.Level",
                "errorCode": "XY901",
                "error": "A rule LHDN added after this release",
                "innerError": None,
            },
        ],
    }
]


@tagged("post_install", "-at_install")
class TestErrorGuide(MyInvoisFlowCase):
    """LHDN's errors and the checks before sending, on the Odoo record and field to fix,
    in the user's language, with how to fix them and a link."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("ms_MY")
        cls.env["ir.module.module"]._load_module_terms(["l10n_my_einvoice"], ["ms_MY"], overwrite=True)
        cls.malay = polib.pofile(MS_PO)

    def ms(self, msgid):
        entry = self.malay.find(msgid)
        self.assertTrue(entry and entry.msgstr, f"no Malay for {msgid!r}")
        return entry.msgstr

    def invalid_invoice(self):
        """An invoice LHDN found Invalid: its clock an hour behind ours (issue time 'in the future')."""
        invoice = self.invoice()
        self.send_to_lhdn_an_hour_behind(invoice)
        self.assertEqual(invoice.l10n_my_einvoice_state, "invalid")
        return invoice

    def test_lhdn_errors_name_the_record_and_field_with_a_link_and_the_fix(self):
        invoice = self.invalid_invoice()
        invoice.l10n_my_einvoice_document_id._set_errors(LHDN_ERRORS)
        html = str(invoice.l10n_my_einvoice_error_html)
        customer = invoice.partner_id.commercial_partner_id
        self.assertIn(f'href="/odoo/res.partner/{customer.id}"><strong>Customer {customer.name}: State</strong>', html)
        self.assertIn("State code 10 is not valid for country SGP", html)
        self.assertIn("[CV316]", html)
        self.assertIn(escape(error_guide.guide("CV316").fix), html)
        # LHDN's InvoiceLine[1] is the second line as sent: product_b's classification.
        second = invoice.invoice_line_ids.filtered(lambda line: line.product_id == self.product_b)
        template = second.product_id.product_tmpl_id
        self.assertIn(
            f'href="/odoo/product.template/{template.id}"><strong>Product {template.display_name}: '
            "MyInvois classification</strong>",
            html,
        )
        self.assertIn(escape(error_guide.guide("CV302").fix), html)
        # What the guide does not know still shows LHDN's code, text and path.
        self.assertIn("A rule LHDN added after this release", html)
        self.assertIn("[XY901]", html)
        self.assertIn("(Invoice.Frobnication.Level)", html)
        # The raw text stays for lists and searches.
        self.assertIn("[CV316] State code 10 is not valid for country SGP", invoice.l10n_my_einvoice_errors)

    def test_a_malay_user_reads_lhdn_errors_and_the_fix_in_malay(self):
        invoice = self.invalid_invoice()
        invoice.l10n_my_einvoice_document_id._set_errors(LHDN_ERRORS)
        html = str(invoice.with_context(lang="ms_MY").l10n_my_einvoice_error_html)
        self.assertIn("Kod negeri 10 tidak sah bagi negara SGP", html, "LHDN's own Malay (errorMS)")
        self.assertNotIn("State code 10 is not valid", html)
        self.assertIn(escape(error_guide.guide("CV316").fix_ms), html)
        self.assertIn(self.ms("How to fix:"), html)
        self.assertIn(self.ms("Customer"), html)
        # No Malay from LHDN: its English text, never an empty line.
        self.assertIn("A rule LHDN added after this release", html)

    def test_the_emulators_invalid_answer_is_placed_on_the_invoice(self):
        invoice = self.invalid_invoice()
        html = str(invoice.l10n_my_einvoice_error_html)
        self.assertIn(f'href="/odoo/account.move/{invoice.id}"><strong>Invoice {invoice.display_name}', html)
        self.assertIn("future", html)

    def test_problems_before_sending_name_the_record_in_the_users_language(self):
        self.customer.email = "akaun at pelanggan"
        invoice = self.invoice()
        with self.assertRaises(UserError) as caught:
            invoice.action_l10n_my_einvoice_submit()
        self.assertIn(f"Customer {self.customer.name}: Email:", str(caught.exception))
        self.assertIn("(buyer.email)", str(caught.exception))
        with self.assertRaises(UserError) as caught:
            invoice.with_context(lang="ms_MY").action_l10n_my_einvoice_submit()
        message = str(caught.exception)
        self.assertIn(f"{self.ms('Customer')} {self.customer.name}", message)
        self.assertIn("tidak sah", message, "the core's Malay text")
        self.assertNotIn("is not valid", message)

    def test_a_missing_tin_is_named_with_the_fields_label_in_malay(self):
        walk_in = self.customer.copy({"name": "Kedai Runcit Ah Seng", "vat": False})
        invoice = self.invoice(partner=walk_in)
        with self.assertRaises(UserError) as caught:
            invoice.with_context(lang="ms_MY").action_l10n_my_einvoice_submit()
        message = str(caught.exception)
        self.assertIn("Kedai Runcit Ah Seng", message)
        self.assertNotIn("has no Malaysian TIN", message)
        self.assertIn(self.ms("customer"), message)

    def test_a_signature_error_points_to_the_companys_certificate_in_the_settings(self):
        invoice = self.invalid_invoice()
        invoice.l10n_my_einvoice_document_id._set_errors(
            [{"errorCode": "DS311", "error": "The certificate's TIN is not the issuer's", "propertyPath": None}]
        )
        html = str(invoice.l10n_my_einvoice_error_html)
        self.assertIn(
            f'href="/odoo/action-account.action_account_config"><strong>Company {self.company.name}: '
            "Signing certificate (PKCS#12)</strong>",
            html,
        )
        self.assertIn(escape(error_guide.guide("DS311").fix), html)
