"""The way to the request page and back: the PDF of a waiting sale prints a short link
and a QR code that opens the page with the receipt filled in; a logged-in portal user
finds their details filled in, sees their own requests and invoices and no one else's;
the buyer's e-mail links to the invoice in the portal."""

import datetime
import re
from html import unescape
from urllib.parse import urlsplit

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .test_einvoice_request import BUYER_EMAIL, CUSTOMER_BRN, CUSTOMER_TIN, EinvoiceRequestCase

OTHER_TIN, OTHER_BRN = "C2222222220", "201701022222"


@tagged("post_install", "-at_install")
class TestEinvoiceRequestPortal(EinvoiceRequestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The customer of the flow case (TIN C9876543210) logs in to the portal.
        cls.buyer_user = cls.portal_user("pelanggan", cls.customer)
        other = cls.customer.copy({"name": "Syarikat Lain Sdn Bhd", "vat": OTHER_TIN, "email": "lain@example.com"})
        other.l10n_my_identification_number = OTHER_BRN
        cls.other_user = cls.portal_user("lain", other)

    @classmethod
    def portal_user(cls, login, partner):
        return new_test_user(
            cls.env,
            login=login,
            password=f"{login}-pass-2026",
            groups="base.group_portal",
            partner_id=partner.id,
            name=partner.name,
        )

    def setUp(self):
        super().setUp()
        self.emulator.add_taxpayer(OTHER_TIN, "Syarikat Lain Sdn Bhd", "BRN", OTHER_BRN)

    def pdf_html(self, move):
        html, _format = self.env["ir.actions.report"]._render_qweb_html("account.account_invoices", move.ids)
        return html.decode()

    def form_of(self, page):
        """{field name: value} of the page's inputs, as the browser would post them."""
        values = {
            name: unescape(value) for name, value in re.findall(r'<input[^>]*name="(\w+)"[^>]*value="([^"]*)"', page)
        }
        for name, options in re.findall(r'<select[^>]*name="(\w+)"[^>]*>(.*?)</select>', page, re.S):
            chosen = re.search(r'<option value="([^"]*)" selected', options)
            if chosen:
                values[name] = chosen.group(1)
        return values

    def valid(self, move):
        self.send_queued()
        self.assertEqual(move.l10n_my_einvoice_state, "valid", move.l10n_my_einvoice_errors)

    # --- the PDF -------------------------------------------------------------------------
    def test_the_pdf_qr_code_opens_the_page_with_the_receipt_filled_in(self):
        move = self.sale()
        html = self.pdf_html(move)
        self.assertIn("Need an e-invoice for this sale?", html)
        short = f"/einvoice/{self.company.id}"
        self.assertIn(move.get_base_url() + short, html)
        until = move.invoice_date.replace(day=1) + datetime.timedelta(days=32)
        self.assertEqual(move.l10n_my_einvoice_request_until, until.replace(day=2), "the day before day 3's run")
        self.assertIn('alt="QR code: ask for your e-invoice"', html)

        link = urlsplit(move._l10n_my_einvoice_request_url())
        self.assertEqual(link.path, short)
        page = self.url_open(f"{link.path}?{link.query}").text
        form = self.form_of(page)
        self.assertEqual(form["receipt_number"], move.name)
        self.assertEqual(form["receipt_date"], move.invoice_date.isoformat())
        self.assertEqual(form.get("receipt_total", ""), "", "the total is the buyer's to give")

        self.url = short
        done = self.post(self.form_values(move))
        self.assertIn("being issued", done)
        self.assertNotIn("Need an e-invoice", self.pdf_html(move), "an individual e-invoice: nothing to ask")

    def test_a_consolidated_sale_prints_no_request_link(self):
        move = self.sale()
        individual = self.invoice()  # a buyer with a TIN: never waits
        self.consolidate_last_month()
        self.assertTrue(move.l10n_my_einvoice_consolidated_document_id)
        self.assertNotIn("Need an e-invoice", self.pdf_html(move))
        self.assertNotIn("Need an e-invoice", self.pdf_html(individual))

    # --- the portal ------------------------------------------------------------------------
    def test_a_portal_buyer_sees_only_their_own_requests_and_invoices(self):
        move = self.sale()
        self.authenticate("pelanggan", "pelanggan-pass-2026")
        form = self.form_of(self.url_open(self.url).text)
        self.assertEqual(form["buyer_tin"], CUSTOMER_TIN, "the portal user's own details are filled in")
        self.assertEqual(form["buyer_id_number"], CUSTOMER_BRN)
        self.assertEqual(form["buyer_id_type"], "BRN")
        form.update(receipt_number=move.name, receipt_date=move.invoice_date.isoformat())
        form["receipt_total"] = f"{move.amount_total:.2f}"
        self.assertIn("being issued", self.post(form, token=form["csrf_token"]))
        request = self.request_of(move)
        self.assertEqual(request.portal_user_id, self.buyer_user)
        self.assertEqual(move.partner_id, self.customer, "the portal user's own contact, not a new one")
        self.valid(move)

        mine = self.url_open("/my/einvoice-requests").text
        self.assertIn(move.name, mine)
        self.assertIn(move.l10n_my_einvoice_validation_link, unescape(mine))
        invoices = self.url_open("/my/invoices").text
        self.assertIn("Valid at LHDN", invoices)
        self.assertEqual(self.url_open(move.get_portal_url()).status_code, 200)

        self.authenticate("lain", "lain-pass-2026")
        theirs = self.url_open("/my/einvoice-requests").text
        self.assertIn("You have not asked for an e-invoice yet", theirs)
        self.assertNotIn(move.name, theirs)
        Request = self.env["l10n_my_einvoice.request"].with_user(self.other_user)
        self.assertFalse(Request.search([]))
        with self.assertRaises(AccessError):
            Request.browse(request.id).read(["buyer_tin"])
        with self.assertRaises(AccessError):
            self.env["l10n_my_einvoice.request"].with_user(self.buyer_user).browse(request.id).write(
                {"state": "refused"}
            )

    def test_the_buyers_mail_links_to_the_invoice_in_the_portal(self):
        move = self.sale()
        self.post(self.form_values(move))
        self.valid(move)
        mail = self.env["mail.mail"].search([("model", "=", "account.move"), ("res_id", "=", move.id)])
        self.assertEqual(mail.email_to, BUYER_EMAIL)
        link = re.search(rf'href="([^"]*/my/invoices/{move.id}[^"]*)"', mail.body_html)
        self.assertTrue(link, mail.body_html)
        self.assertIn("access_token=", link.group(1))
        self.authenticate(None, None)
        page = self.url_open(urlsplit(unescape(link.group(1)))._replace(scheme="", netloc="").geturl())
        self.assertEqual(page.status_code, 200)
        self.assertIn(move.name, page.text)

    def test_a_known_contact_gains_only_what_it_lacked(self):
        other = self.other_user.partner_id
        other.phone = False
        street = other.street
        move = self.sale()
        values = self.form_values(
            move,
            buyer_name="Syarikat Lain",
            buyer_tin=OTHER_TIN,
            buyer_id_number=OTHER_BRN,
            buyer_phone="+60312345678",
            buyer_street="Somewhere else 1",
        )
        self.assertIn("being issued", self.post(values))
        self.assertEqual(move.partner_id, other, "matched by TIN")
        self.assertEqual(other.phone, "+60312345678", "the phone it lacked")
        self.assertEqual(other.street, street, "the seller's address is kept")
        self.assertEqual(other.name, "Syarikat Lain Sdn Bhd")
        self.assertEqual(other.l10n_my_einvoice_tin_check_state, "valid")
