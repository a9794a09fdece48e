"""The screens in a real browser (Odoo's tours, static/tests/tours/): an invoicing user
creates, posts and submits an invoice and sees it Valid, on the form and on the printed
invoice; an administrator sets MyInvois up in Settings; an accountant cancels a Valid
e-invoice; a user whose language is Malay sees the MyInvois screens in Malay.

With L10N_MY_EINVOICE_SCREENSHOTS=<folder> the tours save their key screens there as
tour-<name>.png (tests/tour_helpers.py)."""

import pathlib

import polib

from odoo.tests import HttpCase, new_test_user, tagged

from .common import CERT_PASSWORD, CLIENT_ID, CLIENT_SECRET, COMPANY_BRN, COMPANY_TIN, MyInvoisFlowCase
from .test_error_guide import LHDN_ERRORS  # an Invalid document's errors, as LHDN gives them
from .tour_helpers import TourCaseMixin

MALAY_PO = pathlib.Path(__file__).resolve().parent.parent / "i18n" / "ms.po"
SUBMIT_BUTTON = "Submit to MyInvois"  # the string of the button in views/account_move_views.xml


@tagged("post_install", "-at_install")
class TestTours(TourCaseMixin, MyInvoisFlowCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        companies = {"company_id": cls.company.id, "company_ids": [(6, 0, cls.company.ids)]}
        cls.invoicing_user = new_test_user(
            cls.env,
            login="tour_invoicing",
            name="Invoicing User",
            groups="base.group_user,account.group_account_invoice",
            **companies,
        )
        cls.accountant = new_test_user(
            cls.env,
            login="tour_accountant",
            name="Accountant",
            groups="base.group_user,account.group_account_manager",
            **companies,
        )
        cls.administrator = new_test_user(
            cls.env,
            login="tour_admin",
            name="Administrator",
            groups="base.group_user,base.group_system,account.group_account_manager",
            **companies,
        )

    # --- helpers ---------------------------------------------------------------------------
    def state_label(self, state, lang="en_US"):
        """The label of a MyInvois state as the web client shows it to a user of ``lang``."""
        Move = self.env["account.move"].with_context(lang=lang)
        return dict(Move.fields_get(["l10n_my_einvoice_state"], ["selection"])["l10n_my_einvoice_state"]["selection"])[
            state
        ]

    def malay_user(self):
        """An invoicing user whose language is Malay, the addon's Malay terms loaded."""
        self.env["res.lang"]._activate_lang("ms_MY")
        self.env["ir.module.module"].search([("name", "=", "l10n_my_einvoice")])._update_translations(["ms_MY"])
        return new_test_user(
            self.env,
            login="tour_pengguna",
            name="Pengguna Invois",
            groups="base.group_user,account.group_account_invoice",
            company_id=self.company.id,
            company_ids=[(6, 0, self.company.ids)],
            lang="ms_MY",
        )

    def submit_in_the_browser(self, user):
        """Tour 1, first half: the user creates, posts and submits an invoice; returns it."""
        self.run_tour(
            "/odoo/action-account.action_move_out_invoice_type/new",
            "l10n_my_einvoice_submit_tour",
            user.login,
            customer=self.customer.name,
            product=self.product_a.name,
        )
        move = self.env["account.move"].search(
            [("partner_id", "=", self.customer.id), ("move_type", "=", "out_invoice")], order="id desc"
        )
        self.assertEqual(len(move), 1, "the tour created one invoice")
        self.assertEqual(move.create_uid, user)
        self.assertEqual((move.state, move.l10n_my_einvoice_state), ("posted", "queued"))
        self.assertEqual(move.invoice_line_ids.product_id, self.product_a)
        return move

    def see_it_valid_in_the_browser(self, move, user):
        """Tour 1, second half: the crons have run; the user sees the invoice Valid."""
        self.run_tour(
            f"/odoo/account.move/{move.id}",
            "l10n_my_einvoice_valid_tour",
            user.login,
            move_id=move.id,
            uuid=move.l10n_my_einvoice_uuid,
            link=move.l10n_my_einvoice_validation_link,
        )

    # --- the tours -------------------------------------------------------------------------
    def test_submit_tour(self):
        move = self.submit_in_the_browser(self.invoicing_user)
        self.assertEqual(self.tour_reads["submit_button"], SUBMIT_BUTTON)
        self.assertEqual(self.emulator.documents, {}, "nothing sent before the cron runs")

        self.send_queued()
        sent = self.assert_valid(move)
        self.assertEqual((sent.number, sent.buyer.tin), (move.name, self.customer.vat))
        self.assertEqual(len(self.emulator.documents), 1, "LHDN holds exactly one document")
        [record] = self.emulator.documents_by_code(move.name)
        self.assertEqual((record["uuid"], record["status"]), (move.l10n_my_einvoice_uuid, "Valid"))

        self.see_it_valid_in_the_browser(move, self.invoicing_user)
        self.assertEqual(self.tour_reads["state"], self.state_label("valid"))
        self.assertEqual(move.l10n_my_einvoice_state, "valid")
        self.assertEqual(len(self.emulator.documents), 1, "looking at it sent nothing")

    def test_settings_tour(self):
        url = self.company.l10n_my_einvoice_custom_url
        # The test chart has a cash-basis tax: without this, the settings refuse to open.
        self.company.tax_exigibility = True
        # A company with nothing of MyInvois set up yet: what the administrator fills in.
        self.company.write(
            {
                "l10n_my_einvoice_certificate": False,
                "l10n_my_einvoice_certificate_password": False,
                "l10n_my_einvoice_cert_filename": False,
            }
        )
        self.company.l10n_my_identification_number = False
        self.company.write(
            {
                "vat": False,
                "l10n_my_identification_type": False,
                "l10n_my_einvoice_msic_id": False,
                "l10n_my_einvoice_environment": "sandbox",
                "l10n_my_einvoice_custom_url": False,
                "l10n_my_einvoice_client_id": False,
                "l10n_my_einvoice_client_secret": False,
            }
        )
        self.assertEqual(self.company.l10n_my_einvoice_cert_state, "missing")
        p12 = self.env["ir.attachment"].create({"name": "company.p12", "raw": self.make_p12()})
        logins = self.emulator.stats.logins_for(CLIENT_ID)
        msic = self.env.ref("l10n_my_einvoice.msic_62099")
        options = self.env["res.config.settings"].fields_get(
            ["l10n_my_identification_type", "l10n_my_einvoice_environment"], ["selection"]
        )

        def place(field, value):  # the tour picks an option by its place, not its label
            return [key for key, _label in options[field]["selection"]].index(value)

        self.run_tour(
            "/odoo/action-account.action_account_config",
            "l10n_my_einvoice_settings_tour",
            self.administrator.login,
            tin=COMPANY_TIN,
            brn=COMPANY_BRN,
            brn_index=place("l10n_my_identification_type", "BRN"),
            custom_index=place("l10n_my_einvoice_environment", "custom"),
            msic=msic.code,
            api_url=url,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            attachment_id=p12.id,
            password=CERT_PASSWORD,
        )
        company = self.company.sudo()
        self.assertRecordValues(
            company,
            [
                {
                    "vat": COMPANY_TIN,
                    "l10n_my_identification_type": "BRN",
                    "l10n_my_identification_number": COMPANY_BRN,
                    "l10n_my_einvoice_msic_id": msic.id,
                    "l10n_my_einvoice_environment": "custom",
                    "l10n_my_einvoice_custom_url": url,
                    "l10n_my_einvoice_client_id": CLIENT_ID,
                    "l10n_my_einvoice_client_secret": CLIENT_SECRET,
                    "l10n_my_einvoice_certificate_password": CERT_PASSWORD,
                    "l10n_my_einvoice_cert_filename": "company.p12",
                    "l10n_my_einvoice_cert_state": "ok",
                    "l10n_my_einvoice_cert_tin": COMPANY_TIN,
                    "l10n_my_einvoice_cert_brn": COMPANY_BRN,
                }
            ],
        )
        self.assertEqual(company.l10n_my_einvoice_certificate, p12.datas, "the uploaded file, as it was")
        self.assertGreater(self.emulator.stats.logins_for(CLIENT_ID), logins, "Test connection logged in")
        self.assertIn(url, self.tour_reads["notification"])
        self.assertFalse(self.env["l10n_my_einvoice.certificate.upload"].search([]), "no wizard keeps the secret")

    def test_cancel_tour(self):
        move = self.invoice()
        self.send(move)
        self.assert_valid(move)
        self.run_tour(f"/odoo/account.move/{move.id}", "l10n_my_einvoice_cancel_tour", self.accountant.login)
        self.assertEqual(move.l10n_my_einvoice_state, "cancelled")
        self.assertEqual(move.l10n_my_einvoice_document_id.cancel_reason, "Wrong buyer: re-issued to the right company")
        [record] = self.emulator.documents_by_code(move.name)
        self.assertEqual(record["status"], "Cancelled", "cancelled at LHDN")
        self.assertEqual(record["documentStatusReason"], "Wrong buyer: re-issued to the right company")
        self.assertEqual(self.tour_reads["state"], self.state_label("cancelled"))

    def test_malay_user_sees_the_myinvois_tab_in_malay(self):
        """Tour 1 for a user whose language is Malay: the same selectors find the same
        screens, and the addon's Malay terms (i18n/ms.po) are on them."""
        # The expected Malay comes from the translation file itself, read at run time.
        self.assertTrue(MALAY_PO.exists(), f"waits for {MALAY_PO}: the Malay label of the Submit button comes from it")
        entry = polib.pofile(str(MALAY_PO)).find(SUBMIT_BUTTON)
        self.assertTrue(entry and entry.msgstr, f"{MALAY_PO.name} translates {SUBMIT_BUTTON!r}")
        submit_in_malay = entry.msgstr
        self.assertNotEqual(submit_in_malay, SUBMIT_BUTTON)
        malay_user = self.malay_user()
        self.screenshot_names = {"invoice-queued": None, "invoice-valid": "malay-invoice", "pdf-block": None}

        move = self.submit_in_the_browser(malay_user)
        self.send_queued()
        self.assert_valid(move)
        self.see_it_valid_in_the_browser(move, malay_user)
        self.assertEqual(self.tour_reads["state"], self.state_label("valid", "ms_MY"))

        self.assertNotEqual(self.tour_reads["state"], self.state_label("valid"), "the state, in Malay")
        self.assertEqual(self.tour_reads["submit_button"], submit_in_malay, "the Submit button, in Malay")

    def test_malay_user_reads_lhdn_errors_and_the_cancel_wizard_in_malay(self):
        """The red banner of an Invalid invoice (LHDN's errors on the records to fix, with
        LHDN's Malay and the Malay how-to-fix) and the cancel wizard, for a Malay user."""
        malay = {entry.msgid: entry.msgstr for entry in polib.pofile(str(MALAY_PO))}
        user = self.malay_user()
        invalid = self.invoice()
        self.send_to_lhdn_an_hour_behind(invalid)
        invalid.l10n_my_einvoice_document_id._set_errors(LHDN_ERRORS)
        self.screenshot_names = {"invalid": "malay-invalid"}
        customer = invalid.partner_id.commercial_partner_id
        self.run_tour(
            f"/odoo/account.move/{invalid.id}",
            "l10n_my_einvoice_invalid_tour",
            user.login,
            customer_url=f"/odoo/res.partner/{customer.id}",
        )
        self.assertEqual(self.tour_reads["fix_label"], malay["How to fix:"])
        self.assertIn("Kod negeri 10 tidak sah bagi negara SGP", self.tour_reads["errors"], "LHDN's own Malay")
        self.assertIn(f"{malay['Customer']} {customer.name}", self.tour_reads["errors"])
        self.assertNotIn("How to fix", self.tour_reads["errors"])

        valid = self.invoice()
        self.send(valid)
        self.assert_valid(valid)
        self.screenshot_names = {"cancel-wizard": "malay-cancel-wizard"}
        self.run_tour(f"/odoo/account.move/{valid.id}", "l10n_my_einvoice_cancel_tour", user.login)
        self.assertEqual(valid.l10n_my_einvoice_state, "cancelled")
        self.assertEqual(self.tour_reads["state"], self.state_label("cancelled", "ms_MY"))
        self.assertNotEqual(self.tour_reads["state"], self.state_label("cancelled"), "the state, in Malay")
