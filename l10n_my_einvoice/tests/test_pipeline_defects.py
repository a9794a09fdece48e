"""Issue 13, items 5 and 6: what a refused login, an oversize document, a document found
at LHDN in any state, a slow LHDN behind the Refresh button and a rolled-back button do
to the pipeline. Against the emulator over loopback, as every flow test."""

import base64
import datetime
import time

from odoo import fields
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tests import TransactionCase, tagged

from ..myinvois import client as api_client
from ..myinvois.emulator import Emulator
from .committed_data import make_company, worker_env
from .common import CLIENT_ID, CLIENT_SECRET, COMPANY_BRN, COMPANY_TIN, LoopbackOnly, MyInvoisFlowCase

NO_AGE = datetime.timedelta(0)


@tagged("post_install", "-at_install")
class TestPipelineDefects(MyInvoisFlowCase):
    # --- 1. a refused login postpones, never invalidates ----------------------------------
    def test_a_refused_login_postpones_the_documents_and_says_what_to_fix(self):
        invoices = self.invoice() + self.invoice()
        invoices.action_l10n_my_einvoice_submit()
        self.emulator.add_client(CLIENT_ID, "rotated-at-lhdn", COMPANY_TIN, brn=COMPANY_BRN)  # changed at LHDN
        messages = self.env["mail.message"].search_count(
            [("model", "=", "account.move"), ("res_id", "in", invoices.ids)]
        )
        with self.assertLogs("odoo.addons.l10n_my_einvoice", "WARNING") as logged:
            self.env["account.move"]._cron_l10n_my_einvoice_submit()
        self.assertEqual(set(invoices.mapped("l10n_my_einvoice_state")), {"queued"}, "nothing failed")
        self.assertFalse(any(invoices.mapped("l10n_my_einvoice_errors")))
        self.assertEqual(len(logged.records), 1, logged.output)
        self.assertIn("refused the login", logged.output[0])
        # Every waiting invoice says what to correct, and where.
        for invoice in invoices:
            self.assertTrue(invoice.l10n_my_einvoice_waiting_until)
            reason = invoice.l10n_my_einvoice_waiting_reason
            self.assertIn("Client ID and Client secret", reason)
            self.assertIn("Settings > Invoicing > MyInvois (LHDN)", reason)
            self.assertNotIn(CLIENT_SECRET, reason)
        # Paused: later runs neither call LHDN nor repeat the warning nor write to the chatter.
        logins = self.emulator.stats.requests("token")
        with self.assertNoLogs("odoo.addons.l10n_my_einvoice", "WARNING"):
            for _run in range(3):
                self.env["account.move"]._cron_l10n_my_einvoice_submit()
        self.assertEqual(self.emulator.stats.requests("token"), logins)
        self.assertEqual(self.emulator.stats.requests("submit"), 0)
        self.assertEqual(
            self.env["mail.message"].search_count([("model", "=", "account.move"), ("res_id", "in", invoices.ids)]),
            messages,
        )
        # The admin enters the new secret: the pause ends, the documents go out.
        self.company.l10n_my_einvoice_client_secret = "rotated-at-lhdn"
        self.assertIsNone(self.company._l10n_my_einvoice_paused())
        self.env["account.move"]._cron_l10n_my_einvoice_submit()
        self.emulator.process_pending()
        self.env["account.move"]._cron_l10n_my_einvoice_poll()
        for invoice in invoices:
            self.assert_valid(invoice)

    # --- 2. an oversize document is refused alone ------------------------------------------
    def test_a_document_over_300_kb_is_refused_alone_and_the_rest_is_sent(self):
        small = self.invoice() + self.invoice()
        big = self.big_invoice(lines=400)
        (small + big).action_l10n_my_einvoice_submit()
        self.env["account.move"]._cron_l10n_my_einvoice_submit()
        self.assertEqual(big.l10n_my_einvoice_state, "invalid")
        self.assertRegex(
            big.l10n_my_einvoice_errors,
            rf"^{big.name} is \d+ KB signed; LHDN accepts at most 300 KB per document: split the invoice",
        )
        size = int(big.l10n_my_einvoice_errors.split(" is ")[1].split(" KB")[0])
        self.assertGreater(size, 300)
        self.assertEqual(self.emulator.documents_by_code(big.name), [], "nothing of it reached LHDN")
        self.assertEqual(set(small.mapped("l10n_my_einvoice_state")), {"submitted"})
        self.emulator.process_pending()
        self.env["account.move"]._cron_l10n_my_einvoice_poll()
        for invoice in small:
            self.assert_valid(invoice)
        # Nothing loops: later runs leave it alone.
        self.env["account.move"]._l10n_my_einvoice_reconcile_sending(min_age=NO_AGE)
        self.env["account.move"]._cron_l10n_my_einvoice_submit()
        self.assertEqual(big.l10n_my_einvoice_state, "invalid")
        self.assertEqual(self.emulator.stats.requests("submit"), 1)

    # --- 3. reconciliation takes any state found at LHDN -----------------------------------
    def test_reconciliation_takes_the_state_lhdn_holds(self):
        valid, cancelled = self.invoice(), self.invoice()
        self.send_dropped(valid + cancelled)
        self.emulator.process_pending()
        # Cancelled in the MyInvois portal before Odoo heard of the submission.
        portal = api_client.MyInvoisClient(self.emulator.base_url, CLIENT_ID, CLIENT_SECRET)
        portal.cancel(self.at_lhdn(cancelled)["uuid"], "Wrong buyer, cancelled in the portal")
        self.lhdn_is_back()
        self.env["account.move"]._l10n_my_einvoice_reconcile_sending(min_age=NO_AGE)
        self.assert_valid(valid)
        self.assertEqual(valid.l10n_my_einvoice_uuid, self.at_lhdn(valid)["uuid"])
        self.assertEqual(cancelled.l10n_my_einvoice_state, "cancelled")
        self.assertEqual(cancelled.l10n_my_einvoice_uuid, self.at_lhdn(cancelled)["uuid"])

        # A credit note of an invoice cancelled in the portal meanwhile: LHDN takes it, then
        # finds it Invalid (DR303, the referenced document is not Valid).
        original = self.invoice()
        self.lhdn_is_back()
        self.send(original)
        self.assert_valid(original)
        portal.cancel(original.l10n_my_einvoice_uuid, "Cancelled in the portal")
        invalid = self.invoice("out_refund", reversed_entry_id=original.id)
        self.send_dropped(invalid)
        self.emulator.process_pending()
        # Still being judged at LHDN when Odoo looks.
        self.emulator.validation_delay = 3600
        submitted = self.invoice()
        self.send_dropped(submitted)
        self.lhdn_is_back()
        self.env["account.move"]._l10n_my_einvoice_reconcile_sending(min_age=NO_AGE)
        self.assertEqual(invalid.l10n_my_einvoice_state, "invalid")
        self.assertEqual(invalid.l10n_my_einvoice_uuid, self.at_lhdn(invalid)["uuid"])
        self.assertIn("DR303", invalid.l10n_my_einvoice_errors)
        self.assertEqual(submitted.l10n_my_einvoice_state, "submitted")
        self.assertEqual(submitted.l10n_my_einvoice_document_id.submission_id.state, "in_progress")
        # The poll cron takes it from there; nothing was ever sent twice.
        self.emulator.clock.advance(3600)
        self.emulator.process_pending()
        self.env["account.move"]._cron_l10n_my_einvoice_poll()
        self.assert_valid(submitted)
        for move in (valid, cancelled, original, invalid, submitted):
            self.assertEqual(len(self.emulator.documents_by_code(move.name)), 1, move.name)

    # --- 4. Refresh is bounded -------------------------------------------------------------
    def test_refresh_asks_once_briefly_and_waits_out_a_pause(self):
        invoice = self.invoice()
        invoice.action_l10n_my_einvoice_submit()
        self.env["account.move"]._cron_l10n_my_einvoice_submit()
        self.assertEqual(invoice.l10n_my_einvoice_state, "submitted")
        # LHDN answers slowly: one short attempt, then the cron.
        self.emulator.inject("get_submission", "delay", seconds=8)
        asked_at, started = fields.Datetime.now(), time.monotonic()
        with self.assertRaisesRegex(UserError, "Nothing is lost"):
            invoice.action_l10n_my_einvoice_refresh()
        self.assertLess(time.monotonic() - started, 7, "the browser waited one short attempt")
        self.assertEqual(self.emulator.stats.requests("get_submission"), 1, "no retry inside the request")
        self.assertEqual(invoice.l10n_my_einvoice_state, "submitted")
        cron = self.env.ref("l10n_my_einvoice.ir_cron_poll")
        with worker_env(self.registry) as env:  # woken in a transaction of its own: the button's rolls back
            self.assertTrue(
                env["ir.cron.trigger"].search([("cron_id", "=", cron.id), ("call_at", ">=", asked_at)]),
                "the poll cron asks for the rest",
            )
        # Paused: the button says until when, and does not call LHDN.
        self.company._l10n_my_einvoice_pause(api_client.ServiceUnavailableError("LHDN down for maintenance"))
        with self.assertRaisesRegex(UserError, "LHDN is paused for .+ until .+LHDN down for maintenance"):
            invoice.action_l10n_my_einvoice_refresh()
        self.assertEqual(self.emulator.stats.requests("get_submission"), 1)
        # LHDN back: the button answers.
        self.lhdn_is_back()
        self.assertTrue(invoice.action_l10n_my_einvoice_refresh())
        self.assert_valid(invoice)

    # --- 5. the API log records the request (and survives a rollback: see the class below) --
    def test_the_api_log_records_the_request(self):
        invoice = self.invoice()
        self.send(invoice)
        logs = self.env["l10n_my_einvoice.api.log"].search([("company_id", "=", self.company.id)])
        submit = logs.filtered(lambda log: log.endpoint == "submit")
        self.assertEqual((submit.method, submit.path), ("POST", "/api/v1.0/documentsubmissions/"))
        self.assertEqual(submit.document_numbers, invoice.name)
        signed = invoice.l10n_my_einvoice_document_id.attachment_id.raw
        self.assertGreater(submit.request_size, len(signed), "the base64 document and its envelope")
        poll = logs.filtered(lambda log: log.endpoint == "get_submission")
        self.assertEqual((poll.method, poll.query_string), ("GET", "pageNo=1&pageSize=100"))
        self.assertEqual(poll.document_numbers, invoice.name)
        token = logs.filtered(lambda log: log.endpoint == "token")
        self.assertGreater(token.request_size, 0)
        self.assertFalse(token.document_numbers, "a login is about no document")
        text = repr(logs.read())
        for secret in (CLIENT_SECRET, base64.b64encode(signed).decode()[:200]):
            self.assertNotIn(secret, text, "no secret, no request body")

    # --- helpers ---------------------------------------------------------------------------
    def big_invoice(self, lines):
        """A posted invoice of ``lines`` lines with long descriptions: over 300 KB signed."""
        tax = self.company_data["default_tax_sale"]
        move = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "company_id": self.company.id,
                "partner_id": self.customer.id,
                "invoice_date": fields.Date.today(),
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": self.product_a.id,
                            "name": f"Site visit {index}: " + "inspection of the cabling and the racks, " * 5,
                            "quantity": 1 + index % 3,
                            "price_unit": 100 + index,
                            "tax_ids": [Command.set(tax.ids)],
                        }
                    )
                    for index in range(lines)
                ],
            }
        )
        move.action_post()
        return move

    def send_dropped(self, moves):
        """Queue and submit ``moves``: LHDN stores the submission, the answer never arrives."""
        self.lhdn_is_back()  # the previous dropped answer paused the company
        moves.action_l10n_my_einvoice_submit()
        self.emulator.inject("submit", "drop_after_accept")
        self.env["account.move"]._cron_l10n_my_einvoice_submit()
        self.assertEqual(set(moves.mapped("l10n_my_einvoice_state")), {"sending"})

    def at_lhdn(self, move):
        (record,) = self.emulator.documents_by_code(move.name)
        return record


@tagged("post_install", "-at_install")
class TestApiLogSurvivesRollback(LoopbackOnly, TransactionCase):
    """Item 5, the rollback: the entry must be committed on its own, so the company it
    names must be committed too (an API log entry written for uncommitted rows stays in
    their transaction: they vanish together). MyInvoisFlowCase's company is not
    committed, and committing one while its test transaction holds rows of the same
    users and groups would wait forever; so, as in test_concurrency.py, a company of its
    own, committed, and a test transaction that writes nothing."""

    def setUp(self):
        super().setUp()
        self.emulator = Emulator(validation_delay=0)
        self.url = self.emulator.start()
        self.addCleanup(self.emulator.stop)

    def test_a_failed_button_keeps_its_api_log(self):
        tin, brn, client_id = "C1122334450", "202201011223", "tahan-erp"
        self.emulator.add_client(client_id, "right-secret", tin, brn=brn)
        with worker_env(self.registry) as env:
            company_id = make_company(
                env, "Log Tahan Sdn. Bhd.", self.url, tin, brn, client_id, "typo-secret", "tahan-pfx"
            ).id
        # Test connection with a wrong secret: a UserError, so the request is rolled back.
        with self.assertRaisesRegex(UserError, "MyInvois connection failed"), worker_env(self.registry) as env:
            env["res.config.settings"].with_company(company_id).create({}).action_l10n_my_einvoice_test_connection()
        with worker_env(self.registry) as env:
            log = env["l10n_my_einvoice.api.log"].search([("company_id", "=", company_id)])
            self.assertEqual(log.mapped("endpoint"), ["token"], "the refused login is in the log")
            self.assertEqual(
                (log.method, log.path, log.status, log.outcome), ("POST", "/connect/token", 400, "refused")
            )
            self.assertGreater(log.request_size, 50)
            self.assertEqual(log.user_id.id, env.uid)
            self.assertNotIn("typo-secret", repr(log.read()))
