"""From Post to Valid: every document type through the emulator over loopback HTTP."""

import base64
import shutil
import subprocess
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tests import tagged

from ..models import mapping
from .common import CLIENT_ID, COMPANY_TIN, MyInvoisFlowCase


@tagged("post_install", "-at_install")
class TestSubmitFlow(MyInvoisFlowCase):
    # --- the eight types ---------------------------------------------------------------------
    def test_every_type_goes_from_posted_to_valid(self):
        logins = self.emulator.stats.logins_for(CLIENT_ID)
        invoice = self.invoice()
        self.send(invoice)
        sent = self.assert_valid(invoice)
        self.assertEqual((sent.type_code, sent.number, sent.buyer.tin), ("01", invoice.name, "C9876543210"))

        credit = self.invoice("out_refund", reversed_entry_id=invoice.id)
        debit = self.invoice("out_invoice", debit_origin_id=invoice.id)
        refund = self.invoice("out_refund", reversed_entry_id=invoice.id, l10n_my_einvoice_note_type="refund")
        bill = self.invoice("in_invoice")
        self.send(credit + debit + refund + bill)
        for move, code in ((credit, "02"), (debit, "03"), (refund, "04"), (bill, "11")):
            sent = self.assert_valid(move)
            self.assertEqual(sent.type_code, code, move.name)
            if code != "11":
                reference = sent.billing_references[0]
                self.assertEqual(
                    (reference.uuid, reference.number),
                    (invoice.l10n_my_einvoice_uuid, invoice.name),
                    "the original as submitted",
                )
        self.assertEqual(sent.supplier.tin, "EI00000000030", "a foreign supplier's general TIN")
        self.assertEqual(sent.buyer.tin, COMPANY_TIN)

        sb_credit = self.invoice("in_refund", reversed_entry_id=bill.id)
        sb_debit = self.invoice("in_invoice", debit_origin_id=bill.id)
        sb_refund = self.invoice("in_refund", reversed_entry_id=bill.id, l10n_my_einvoice_note_type="refund")
        self.send(sb_credit + sb_debit + sb_refund)
        for move, code in ((sb_credit, "12"), (sb_debit, "13"), (sb_refund, "14")):
            sent = self.assert_valid(move)
            self.assertEqual(sent.type_code, code)
            self.assertEqual(sent.billing_references[0].uuid, bill.l10n_my_einvoice_uuid)
        self.assertLessEqual(self.emulator.stats.logins_for(CLIENT_ID) - logins, 1, "one token for all calls")
        self.assertIn("is Valid", invoice.message_ids[0].body)

    def test_amounts_sent_are_odoos(self):
        sent_move = self.invoice()
        self.send(sent_move)
        sent = self.assert_valid(sent_move)
        amounts = sent.amounts()
        self.assertEqual(float(amounts.tax_exclusive), sent_move.amount_untaxed)
        self.assertEqual(float(amounts.tax_total), sent_move.amount_tax)
        self.assertEqual(float(amounts.payable), sent_move.amount_total)

    # --- problems -----------------------------------------------------------------------------
    def test_each_document_is_built_once_unless_its_sources_changed(self):
        """The Submit button builds and checks each move; signing takes that build
        (issued when signed) instead of building the move again."""
        moves = self.invoice() + self.invoice()
        with patch.object(mapping, "move_to_document", wraps=mapping.move_to_document) as build:
            self.send(moves)
        self.assertEqual(build.call_count, 2, "one build per document, at queue time")
        for move in moves:
            sent = self.assert_valid(move)
            self.assertEqual(sent.issued_at.replace(tzinfo=None), move.l10n_my_einvoice_document_id.issued_at)
            self.assertFalse(move.l10n_my_einvoice_document_id.build_xml, "not kept once signed")
        # The customer written after the queueing (a later transaction, so a later
        # write_date): the document is built and checked again from what Odoo holds now.
        move = self.invoice()
        move.action_l10n_my_einvoice_submit()
        partner = move.partner_id.commercial_partner_id
        partner.email = "akaun@pelanggan.example"
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE res_partner SET write_date = write_date + interval '1 second' WHERE id = %s", [partner.id]
        )
        self.env.invalidate_all()
        with patch.object(mapping, "move_to_document", wraps=mapping.move_to_document) as build:
            self.send_queued()
        self.assertEqual(build.call_count, 1, "built again at signing")
        self.assertEqual(self.assert_valid(move).buyer.email, "akaun@pelanggan.example")

    def test_a_note_queued_before_its_original_was_valid_is_sent_with_its_uuid(self):
        """The credit note's build, stored when it was queued, says its original has no
        UUID yet (NA); once the original is Valid the note is built again with it."""
        invoice = self.invoice()
        credit = self.invoice("out_refund", reversed_entry_id=invoice.id)
        (invoice + credit).action_l10n_my_einvoice_submit()
        self.env["account.move"]._cron_l10n_my_einvoice_submit(batch_limit=1)  # the invoice alone
        self.emulator.process_pending()
        self.env["account.move"]._cron_l10n_my_einvoice_poll()
        self.assert_valid(invoice)
        self.assertEqual(credit.l10n_my_einvoice_state, "queued")
        with patch.object(mapping, "move_to_document", wraps=mapping.move_to_document) as build:
            self.send_queued()
        self.assertEqual(build.call_count, 1, "built again: its original is Valid now")
        reference = self.assert_valid(credit).billing_references[0]
        self.assertEqual((reference.uuid, reference.number), (invoice.l10n_my_einvoice_uuid, invoice.name))

    def test_missing_data_is_shown_at_once_and_nothing_is_sent(self):
        nobody = self.env["res.partner"].create(
            {
                "name": "Walk-in Sdn Bhd",
                "country_id": self.env.ref("base.my").id,
                "state_id": self.env.ref("base.state_my_sgr").id,
                "city": "Shah Alam",
                "street": "Jalan 1",
                "phone": "+60355551234",
            }
        )
        bare_product = self.env["product.product"].create({"name": "Unclassified thing", "lst_price": 10})
        submits = self.emulator.stats.requests("submit")
        chf = self.env.ref("base.CHF")
        chf.active = True
        self.env["res.currency.rate"].search([("currency_id", "=", chf.id)]).unlink()
        move = self.init_invoice(
            "out_invoice", partner=nobody, products=bare_product, company=self.company, currency=chf
        )
        move.action_post()
        with self.assertRaises(UserError) as caught:
            move.action_l10n_my_einvoice_submit()
        message = str(caught.exception)
        self.assertIn(move.display_name, message)
        self.assertIn("Walk-in Sdn Bhd, field 'Tax ID'", message)
        self.assertIn("Unclassified thing, field 'MyInvois classification'", message)
        self.assertIn("CHF, field 'Rates': No exchange rate of CHF", message)
        self.assertFalse(self.env["l10n_my_einvoice.document"].search([("move_id", "=", move.id)]))
        self.assertEqual(self.emulator.stats.requests("submit"), submits, "nothing was sent")

    def test_invalid_shows_lhdn_errors_then_valid_after_the_fix(self):
        invoice = self.invoice()
        self.send_to_lhdn_an_hour_behind(invoice)
        self.assertEqual(invoice.l10n_my_einvoice_state, "invalid")
        self.assertIn("future", invoice.l10n_my_einvoice_errors)
        self.assertEqual(invoice.state, "posted", "an Invalid result never unposts the move")
        self.send(invoice)
        self.assert_valid(invoice)
        self.assertEqual(invoice.l10n_my_einvoice_document_ids.sorted("id").mapped("state"), ["invalid", "valid"])

    def test_a_move_is_not_queued_twice(self):
        invoice = self.invoice()
        invoice.action_l10n_my_einvoice_submit()
        with self.assertRaisesRegex(UserError, "Already sent"):
            invoice.action_l10n_my_einvoice_submit()
        self.assertEqual(len(invoice.l10n_my_einvoice_document_ids), 1)

    def test_the_cron_sends_250_invoices_in_three_submissions(self):
        submits = self.emulator.stats.requests("submit")
        moves = self.env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": self.customer.id,
                    "invoice_date": "2026-11-20",
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": self.product_a.id,
                                "price_unit": 100 + i,
                                "tax_ids": [Command.set(self.company_data["default_tax_sale"].ids)],
                            }
                        )
                    ],
                }
                for i in range(250)
            ]
        )
        moves.action_post()
        self.send(moves)
        self.assertEqual(set(moves.mapped("l10n_my_einvoice_state")), {"valid"})
        self.assertEqual(len(moves.l10n_my_einvoice_document_id.submission_id), 3)
        self.assertEqual(
            sorted(len(s.document_ids) for s in moves.l10n_my_einvoice_document_id.submission_id), [50, 100, 100]
        )
        self.assertEqual(self.emulator.stats.requests("submit") - submits, 3)

    # --- the PDF ----------------------------------------------------------------------------------
    def test_the_pdf_of_a_valid_invoice_carries_the_qr_code_and_link(self):
        invoice = self.invoice()
        report = self.env["ir.actions.report"]
        html, _ = report._render_qweb_html("account.report_invoice", invoice.ids)
        self.assertNotIn(b"MyInvois e-Invoice", html, "nothing MyInvois before it is Valid")
        self.send(invoice)
        self.assert_valid(invoice)
        html, _ = report._render_qweb_html("account.report_invoice", invoice.ids)
        self.assertIn(invoice.l10n_my_einvoice_validation_link.encode(), html)
        self.assertIn(b'src="data:image/png;base64,', html)
        self.assertIn(invoice.l10n_my_einvoice_uuid.encode(), html)
        if not shutil.which("wkhtmltopdf") or not shutil.which("pdftotext"):
            self.fail("wkhtmltopdf and pdftotext are needed (tools/odoo_tests.sh installs them)")
        # wkhtmltopdf fetches assets from report.url: a closed loopback port, so that no
        # other server on this machine (a dev Odoo on 8069) answers instead.
        self.env["ir.config_parameter"].sudo().set_param("report.url", "http://127.0.0.1:9")
        pdf, _ = report.with_context(force_report_rendering=True)._render_qweb_pdf(
            "account.report_invoice", invoice.ids
        )
        self.assertTrue(pdf.startswith(b"%PDF"))
        self.assertIn(b"/Subtype /Image", pdf)
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
        self.assertIn(invoice.l10n_my_einvoice_uuid, text)
        self.assertIn("share", text)

    def test_access_by_role_and_company(self):
        from odoo.exceptions import AccessError
        from odoo.tests import new_test_user

        invoice = self.invoice()
        self.send(invoice)
        reader = new_test_user(
            self.env,
            login="my_reader",
            groups="account.group_account_readonly",
            company_id=self.company.id,
            company_ids=[self.company.id],
        )
        clerk = new_test_user(
            self.env,
            login="my_clerk",
            groups="account.group_account_invoice",
            company_id=self.company.id,
            company_ids=[self.company.id],
        )
        document = invoice.l10n_my_einvoice_document_id
        self.assertEqual(document.with_user(reader).state, "valid")
        with self.assertRaises(AccessError):
            self.env["l10n_my_einvoice.document"].with_user(reader).create({"move_id": invoice.id})
        other = self.setup_other_company(name="Other Sdn Bhd")["company"]
        outsider = new_test_user(
            self.env,
            login="my_outsider",
            groups="account.group_account_invoice",
            company_id=other.id,
            company_ids=[other.id],
        )
        self.assertFalse(self.env["l10n_my_einvoice.document"].with_user(outsider).search([("id", "=", document.id)]))
        second = self.invoice()
        second.with_user(clerk).action_l10n_my_einvoice_submit()
        self.assertEqual(second.l10n_my_einvoice_state, "queued")

    def test_the_database_refuses_a_second_active_document(self):
        import psycopg2

        from odoo.tools import mute_logger

        invoice = self.invoice()
        invoice.action_l10n_my_einvoice_submit()
        with self.assertRaises(psycopg2.errors.UniqueViolation), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self.env["l10n_my_einvoice.document"].create({"move_id": invoice.id, "state": "queued"})
            self.env.flush_all()

    def test_a_dropped_submission_is_reconciled_not_sent_twice(self):
        from datetime import timedelta

        # Six: more than reconciliation looks up one by one, so one paged scan finds them.
        invoices = self.env["account.move"].concat(*(self.invoice() for _i in range(6)))
        invoices.action_l10n_my_einvoice_submit()
        # LHDN stores the submission, then the connection drops before Odoo hears back.
        self.emulator.inject("submit", "drop_after_accept")
        self.env["account.move"]._cron_l10n_my_einvoice_submit()
        self.assertEqual(set(invoices.mapped("l10n_my_einvoice_state")), {"sending"})
        submits = self.emulator.stats.requests("submit")
        self.emulator.process_pending()
        self.lhdn_is_back()
        # The next run looks the documents up at LHDN before sending anything.
        self.env["account.move"]._l10n_my_einvoice_reconcile_sending(min_age=timedelta(0))
        self.env["account.move"]._cron_l10n_my_einvoice_submit()
        self.env["account.move"]._cron_l10n_my_einvoice_poll()
        self.assertEqual(set(invoices.mapped("l10n_my_einvoice_state")), {"valid"})
        self.assertEqual(self.emulator.stats.requests("submit"), submits, "nothing was sent again")
        self.assertEqual(self.emulator.stats.requests("search"), 1)
        for invoice in invoices:
            self.assertEqual(len(self.emulator.documents_by_code(invoice.name)), 1, "LHDN holds it once")

    def test_a_submission_that_never_arrived_is_queued_again_and_sent(self):
        from datetime import timedelta

        invoice = self.invoice()
        invoice.action_l10n_my_einvoice_submit()
        self.emulator.inject("submit", "drop")  # connection lost before LHDN took anything
        self.env["account.move"]._cron_l10n_my_einvoice_submit()
        self.assertEqual(invoice.l10n_my_einvoice_state, "sending")
        self.assertEqual(self.emulator.documents_by_code(invoice.name), [])
        self.lhdn_is_back()
        self.env["account.move"]._l10n_my_einvoice_reconcile_sending(min_age=timedelta(0))
        self.assertEqual(invoice.l10n_my_einvoice_state, "queued")
        self.env["account.move"]._cron_l10n_my_einvoice_submit()
        self.emulator.process_pending()
        self.env["account.move"]._cron_l10n_my_einvoice_poll()
        self.assertEqual(invoice.l10n_my_einvoice_state, "valid")
        self.assertEqual(len(self.emulator.documents_by_code(invoice.name)), 1)

    def test_connection_button(self):
        settings = self.env["res.config.settings"].create({})
        result = settings.action_l10n_my_einvoice_test_connection()
        self.assertEqual(result["params"]["type"], "success")
        self.assertIn("8 document types", result["params"]["message"])
        self.company.l10n_my_einvoice_client_secret = "wrong-secret-value"
        with self.assertRaises(UserError) as caught:
            self.env["res.config.settings"].create({}).action_l10n_my_einvoice_test_connection()
        self.assertIn("MyInvois connection failed for Contoh Teknologi Sdn. Bhd.", str(caught.exception))
        self.assertNotIn("wrong-secret-value", str(caught.exception))

    def test_an_unusable_certificate_is_reported_on_the_invoice(self):
        from datetime import datetime, timedelta, timezone

        invoice = self.invoice()
        invoice.action_l10n_my_einvoice_submit()
        expired = self.make_p12(not_before=datetime.now(timezone.utc) - timedelta(days=400), days=365)
        self.company.write({"l10n_my_einvoice_certificate": base64.b64encode(expired)})
        self.env["account.move"]._cron_l10n_my_einvoice_submit()
        self.assertEqual(invoice.l10n_my_einvoice_state, "invalid")
        self.assertIn("field 'Signing certificate (PKCS#12)'", invoice.l10n_my_einvoice_errors)
        self.assertIn("DS304", invoice.l10n_my_einvoice_errors)
        self.assertEqual(self.emulator.stats.requests("submit"), 0)

    def test_refresh_when_lhdn_is_down_says_so(self):
        invoice = self.invoice()
        invoice.action_l10n_my_einvoice_submit()
        self.env["account.move"]._cron_l10n_my_einvoice_submit()
        self.emulator.inject("get_submission", "status", status=503, times=7)
        with self.assertRaisesRegex(UserError, "Nothing is lost"):
            invoice.action_l10n_my_einvoice_refresh()
        self.assertEqual(invoice.l10n_my_einvoice_state, "submitted")
        self.env["account.move"]._cron_l10n_my_einvoice_poll()  # the outage pauses the company, not raised
        self.assertEqual(invoice.l10n_my_einvoice_document_id.submission_id.state, "in_progress")
        self.assertTrue(invoice.l10n_my_einvoice_waiting_until)
        self.lhdn_is_back()
        self.env["account.move"]._cron_l10n_my_einvoice_poll()
        self.assertEqual(invoice.l10n_my_einvoice_state, "valid")
