"""The buyer's public request for an e-invoice, through Odoo's own HTTP server and
against the emulator: issued at once, Valid, e-mailed, not consolidated; a wrong total
reveals nothing; tries are limited; a consolidated month is refused or waits."""

import datetime
import re

from odoo.tests import HttpCase, tagged

from ..models.account_move_route import month_start
from ..models.pipeline_consolidate import malaysia_today
from .common import MyInvoisFlowCase

CUSTOMER_TIN, CUSTOMER_BRN = "C9876543210", "201901098765"
BUYER_EMAIL = "accounts@pelanggan.example.com"


class EinvoiceRequestCase(MyInvoisFlowCase, HttpCase):
    """A consolidating company, a walk-in buyer, the page's form (no tests of its own)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"l10n_my_einvoice_consolidate": True, "l10n_my_einvoice_consolidation_day": 3})
        my = cls.env.ref("base.my")
        cls.walk_in = cls.env["res.partner"].create({"name": "Walk-in customer", "country_id": my.id})
        cls.this_month = month_start(malaysia_today())
        cls.last_month = month_start(cls.this_month - datetime.timedelta(days=1))

    def setUp(self):
        super().setUp()
        self.emulator.add_taxpayer(CUSTOMER_TIN, "Pelanggan Berhad", "BRN", CUSTOMER_BRN)
        self.url = f"/my-einvoice/request/{self.company.id}"

    # --- helpers ---------------------------------------------------------------------------
    def sale(self):
        move = self.init_invoice(
            "out_invoice",
            partner=self.walk_in,
            invoice_date=self.last_month + datetime.timedelta(days=4),
            products=self.product_a,
            company=self.company,
            taxes=self.company_data["default_tax_sale"],
            post=True,
        )
        self.assertEqual(move.l10n_my_einvoice_route, "consolidate")
        return move

    def form_values(self, move, **overrides):
        values = {
            "receipt_number": move.name,
            "receipt_date": move.invoice_date.isoformat(),
            "receipt_total": f"{move.amount_total:.2f}",
            "buyer_name": "Pelanggan Berhad",
            "buyer_tin": CUSTOMER_TIN,
            "buyer_id_type": "BRN",
            "buyer_id_number": CUSTOMER_BRN,
            "buyer_email": BUYER_EMAIL,
            "buyer_street": "No. 8, Jalan Pelanggan",
            "buyer_city": "Johor Bahru",
            "buyer_zip": "80000",
            "buyer_country_id": str(self.env.ref("base.my").id),
        }
        values.update(overrides)
        return values

    def csrf_token(self, url=None):
        response = self.url_open(url or self.url)
        self.assertEqual(response.status_code, 200)
        match = re.search(r'name="csrf_token" value="([^"]+)"', response.text)
        self.assertTrue(match, "the form carries a CSRF token")
        return match.group(1)

    def post(self, values, token=None):
        response = self.url_open(self.url, data={**values, "csrf_token": token or self.csrf_token()}, timeout=60)
        self.assertEqual(response.status_code, 200, response.text[:2000])
        self.env.invalidate_all()
        return response.text

    def consolidate_last_month(self):
        today = self.this_month + datetime.timedelta(days=2)
        return self.env["l10n_my_einvoice.pipeline.consolidate"]._cron(today=today)

    def request_of(self, move):
        return self.env["l10n_my_einvoice.request"].search([("move_id", "=", move.id)])


@tagged("post_install", "-at_install")
class TestEinvoiceRequest(EinvoiceRequestCase):
    def test_a_waiting_sale_is_issued_mailed_and_not_consolidated(self):
        move = self.sale()
        page = self.post(self.form_values(move))
        self.assertIn("being issued", page)
        request = self.request_of(move)
        self.assertEqual(request.state, "issued")
        self.assertEqual(move.partner_id, request.partner_id)
        self.assertEqual(move.partner_id.vat, CUSTOMER_TIN)
        self.assertEqual(move.l10n_my_einvoice_route, "individual")
        self.assertEqual(move.l10n_my_einvoice_individual_reason, "requested")
        self.assertTrue(move.l10n_my_einvoice_individual)
        self.assertEqual(move.l10n_my_einvoice_state, "queued")

        self.env["account.move"]._cron_l10n_my_einvoice_submit()
        self.emulator.process_pending()
        # force_report_rendering: a real PDF (wkhtmltopdf) instead of the HTML tests get by default
        self.env["account.move"].with_context(force_report_rendering=True)._cron_l10n_my_einvoice_poll()
        self.assertEqual(move.l10n_my_einvoice_state, "valid", move.l10n_my_einvoice_errors)
        self.assertTrue(request.mailed, "the Valid hook sent the template")
        mail = self.env["mail.mail"].search([("model", "=", "account.move"), ("res_id", "=", move.id)])
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.email_to, BUYER_EMAIL)
        self.assertFalse(mail.recipient_ids, "the address given on the page, not the contact's")
        self.assertEqual(mail.state, "outgoing", "queued, not forced")
        pdf = mail.attachment_ids.filtered(lambda attachment: attachment.name.endswith(".pdf"))
        self.assertEqual(len(pdf), 1, mail.attachment_ids.mapped("name"))
        self.assertTrue(pdf.raw.startswith(b"%PDF"))

        self.consolidate_last_month()
        self.assertFalse(move.l10n_my_einvoice_consolidated_document_id)

    def test_a_wrong_total_reveals_nothing(self):
        move = self.sale()
        page = self.post(self.form_values(move, receipt_total=f"{move.amount_total + 0.01:.2f}"))
        self.assertIn("No receipt matches these details", page)
        self.assertFalse(self.request_of(move))
        self.assertEqual(move.l10n_my_einvoice_route, "consolidate")
        self.assertEqual(self.emulator.stats.requests("validate_tin"), 0, "LHDN is not asked for a wrong receipt")

    def test_a_field_is_named(self):
        move = self.sale()
        page = self.post(self.form_values(move, buyer_tin="12345", buyer_email="nobody"))
        self.assertIn("TIN: not a Malaysian TIN", page)
        self.assertIn("E-mail: enter an address", page)
        self.assertFalse(self.request_of(move))

    def test_a_tin_lhdn_does_not_know_is_refused(self):
        move = self.sale()
        page = self.post(self.form_values(move, buyer_tin="C1111111110", buyer_id_number="201801000001"))
        self.assertIn("is not a valid TIN", page)
        self.assertFalse(self.request_of(move))

    def test_an_outage_says_try_again_later(self):
        move = self.sale()
        self.emulator.inject("validate_tin", "status", status=503, times=5)
        page = self.post(self.form_values(move))
        self.assertIn("LHDN cannot be reached now, try again later", page)
        self.assertFalse(self.request_of(move))

    def test_the_eleventh_attempt_within_an_hour_is_refused(self):
        move = self.sale()
        token = self.csrf_token()
        wrong = self.form_values(move, receipt_total="1.00")
        for _attempt in range(10):
            self.assertIn("No receipt matches these details", self.post(wrong, token))
        page = self.post(self.form_values(move), token)
        self.assertIn("Too many attempts", page)
        self.assertFalse(self.request_of(move))

    def test_a_consolidated_sale_is_refused_under_auto(self):
        move = self.sale()
        self.consolidate_last_month()
        self.assertTrue(move.l10n_my_einvoice_consolidated_document_id)
        page = self.post(self.form_values(move))
        self.assertIn("refused", page)
        self.assertIn("3.6.8", page)
        request = self.request_of(move)
        self.assertEqual(request.state, "refused")
        self.assertEqual(move.partner_id, self.walk_in)

    def test_a_consolidated_sale_waits_for_the_accountant(self):
        self.company.l10n_my_einvoice_request_policy = "accountant"
        move = self.sale()
        self.consolidate_last_month()
        page = self.post(self.form_values(move))
        self.assertIn("waits for the seller", page)
        request = self.request_of(move)
        self.assertEqual(request.state, "pending_approval")
        self.assertEqual(len(request.activity_ids), 1)
        request.action_refuse()
        self.assertEqual(request.state, "refused")
        self.assertIn("3.6.8", request.refusal_reason)
        self.assertFalse(request.activity_ids)
