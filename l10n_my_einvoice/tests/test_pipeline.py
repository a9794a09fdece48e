"""The submission pipeline under load and faults: audit log, outages and 429s,
tokens and rate limits shared by workers (threads with their own cursors)."""

import json
import sys
import threading
import time
import traceback

from odoo.exceptions import AccessError
from odoo.tests import tagged

from ..models.api_state import DatabaseRateLimiter, DatabaseTokenStore, autonomous_cursor, utc_datetime
from ..myinvois import client as api_client
from .common import CLIENT_ID, CLIENT_SECRET, MyInvoisFlowCase


def run_in_threads(count, work, timeout=120):
    """Start ``count`` threads at once on ``work(index)``; re-raise the first error.
    A thread still running after ``timeout`` fails the test with its stack."""
    barrier, errors = threading.Barrier(count), []

    def target(index):
        try:
            barrier.wait(timeout=30)
            work(index)
        except Exception as error:  # noqa: BLE001 - reported to the test below
            errors.append(error)

    threads = [threading.Thread(target=target, args=(index,), name=f"worker-{index}") for index in range(count)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(timeout=max(deadline - time.monotonic(), 0))
    stuck = [thread for thread in threads if thread.is_alive()]
    if stuck:
        frames = sys._current_frames()
        raise AssertionError(
            "workers still running:\n"
            + "\n".join(f"{thread.name}:\n" + "".join(traceback.format_stack(frames[thread.ident])) for thread in stuck)
        )
    if errors:
        raise errors[0]


@tagged("post_install", "-at_install")
class TestAuditLog(MyInvoisFlowCase):
    def test_every_call_is_recorded_and_shown_on_the_invoice(self):
        invoice = self.invoice()
        self.send(invoice)
        self.assert_valid(invoice)
        logs = self.env["l10n_my_einvoice.api.log"].search([("company_id", "=", self.company.id)])
        self.assertEqual(sorted(logs.mapped("endpoint")), ["get_submission", "submit", "token"])
        for log in logs:
            self.assertEqual((log.status < 300, log.outcome, log.user_id), (True, "ok", self.env.user))
            self.assertGreater(log.duration_ms, 0)
            self.assertTrue(log.correlation_id, "LHDN's correlationId, for support requests")
        token = logs.filtered(lambda log: log.endpoint == "token")
        self.assertEqual(json.loads(token.body)["access_token"], "***")
        submit = logs.filtered(lambda log: log.endpoint == "submit")
        self.assertEqual(submit.move_ids, invoice)
        self.assertEqual(json.loads(submit.body)["acceptedDocuments"][0]["invoiceCodeNumber"], invoice.name)
        # From the invoice: the calls about its document (the login is about none).
        self.assertEqual(invoice.l10n_my_einvoice_api_log_count, 2)
        action = invoice.action_l10n_my_einvoice_api_log()
        self.assertEqual(self.env["l10n_my_einvoice.api.log"].search(action["domain"]), logs - token)

    def test_failures_are_recorded_with_their_outcome(self):
        invoice = self.invoice()
        invoice.action_l10n_my_einvoice_submit()
        self.emulator.inject("submit", "status", status=503)
        self.env["account.move"]._cron_l10n_my_einvoice_submit()
        failed = self.env["l10n_my_einvoice.api.log"].search(
            [("endpoint", "=", "submit"), ("company_id", "=", self.company.id)]
        )
        self.assertEqual((failed.status, failed.outcome, failed.move_ids), (503, "unavailable", invoice))

    def test_accountants_read_the_log_and_old_calls_are_removed(self):
        self.send(self.invoice())
        logs = self.env["l10n_my_einvoice.api.log"].search([("company_id", "=", self.company.id)])
        accountant = self.env["res.users"].create(
            {
                "name": "Akauntan",
                "login": "akauntan",
                "company_id": self.company.id,
                "company_ids": [(6, 0, self.company.ids)],
                "group_ids": [
                    (6, 0, [self.env.ref("account.group_account_readonly").id, self.env.ref("base.group_user").id])
                ],
            }
        )
        self.assertEqual(logs.with_user(accountant).search([]), logs)
        self.assertFalse(self.env["l10n_my_einvoice.api.log"].with_user(accountant).has_access("write"))
        # Retention: a call older than the company's setting goes, a recent one stays.
        self.company.l10n_my_einvoice_log_retention_days = 30
        old, recent = logs[0], logs[1:]
        self.env.cr.execute(
            "UPDATE l10n_my_einvoice_api_log SET create_date = now() - interval '31 days' WHERE id = %s", [old.id]
        )
        self.env["l10n_my_einvoice.api.log"]._gc_old_calls()
        self.assertEqual(self.env["l10n_my_einvoice.api.log"].search([("id", "in", logs.ids)]), recent)


@tagged("post_install", "-at_install")
class TestOutages(MyInvoisFlowCase):
    def test_an_outage_pauses_the_company_and_logs_once(self):
        invoice = self.invoice()
        invoice.action_l10n_my_einvoice_submit()
        self.emulator.inject("submit", "status", status=503)
        with self.assertLogs("odoo.addons.l10n_my_einvoice", "WARNING") as logged:
            self.env["account.move"]._cron_l10n_my_einvoice_submit()
        self.assertEqual(len(logged.records), 1)
        self.assertIn("MyInvois unavailable", logged.output[0])
        # A 503 on a submission: LHDN may have taken it, so it waits to be reconciled.
        self.assertEqual(invoice.l10n_my_einvoice_state, "sending")
        self.assertTrue(invoice.l10n_my_einvoice_waiting_until, "waiting for LHDN until HH:MM")
        self.assertIn("HTTP 503", invoice.l10n_my_einvoice_waiting_reason)
        self.assertFalse(invoice.l10n_my_einvoice_errors, "an outage is not an error on the invoice")
        # While paused, runs make no call and log nothing at warning level.
        calls = self.emulator.stats.requests("submit") + self.emulator.stats.requests("search")
        with self.assertNoLogs("odoo.addons.l10n_my_einvoice", "WARNING"):
            for _run in range(3):
                self.env["account.move"]._l10n_my_einvoice_reconcile_sending(min_age=self.no_age)
                self.env["account.move"]._cron_l10n_my_einvoice_submit()
        self.assertEqual(self.emulator.stats.requests("submit") + self.emulator.stats.requests("search"), calls)
        # The pause ends: reconciled (it never arrived), sent once, Valid.
        self.lhdn_is_back()
        self.env["account.move"]._l10n_my_einvoice_reconcile_sending(min_age=self.no_age)
        self.send_queued()
        self.assert_valid(invoice)
        invoice.invalidate_recordset(["l10n_my_einvoice_waiting_until"])  # computed per request
        self.assertFalse(invoice.l10n_my_einvoice_waiting_until)
        self.assertEqual(len(self.emulator.documents_by_code(invoice.name)), 1)

    def test_pauses_grow_and_end_when_lhdn_answers(self):
        limiter = self.company._l10n_my_einvoice_limiter()
        error = api_client.ServiceUnavailableError("down")
        lengths = []
        for _attempt in range(7):
            until = self.company._l10n_my_einvoice_pause(error)
            lengths.append(round((until - utc_datetime(self._db_now())).total_seconds()))
        self.assertEqual(lengths, [60, 120, 240, 480, 960, 1800, 1800])
        self.assertEqual(limiter.resume(CLIENT_ID), 7)
        self.assertIsNone(self.company._l10n_my_einvoice_paused())
        self.assertEqual(limiter.resume(CLIENT_ID), 0, "nothing to end twice")

    def test_a_429_waits_for_retry_after_then_sends(self):
        invoices = self.invoice() + self.invoice()
        invoices.action_l10n_my_einvoice_submit()
        # Longer than the client waits in-process: the cron frees its worker and pauses.
        self.emulator.inject("submit", "429", retry_after=300)
        self.env["account.move"]._cron_l10n_my_einvoice_submit()
        self.assertEqual(set(invoices.mapped("l10n_my_einvoice_state")), {"queued"}, "refused unread: resend is safe")
        waiting = invoices[0].l10n_my_einvoice_waiting_until
        self.assertAlmostEqual((waiting - self.env.cr.now()).total_seconds(), 300, delta=30)
        cron = self.env.ref("l10n_my_einvoice.ir_cron_submit")
        self.assertTrue(
            self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id), ("call_at", ">=", waiting)]),
            "the cron wakes when the pause ends",
        )
        self.lhdn_is_back()
        self.send_queued()
        for invoice in invoices:
            self.assert_valid(invoice)
            self.assertEqual(len(self.emulator.documents_by_code(invoice.name)), 1)
        self.assertEqual(self.emulator.stats.too_many("submit"), 0, "only the injected 429")

    def test_a_short_429_and_5xx_on_reads_are_absorbed(self):
        invoice = self.invoice()
        invoice.action_l10n_my_einvoice_submit()
        self.emulator.inject("submit", "429", retry_after=1)
        self.env["account.move"]._cron_l10n_my_einvoice_submit()
        self.emulator.process_pending()
        self.emulator.inject("get_submission", "status", status=502, times=2)
        self.env["account.move"]._cron_l10n_my_einvoice_poll()
        self.assert_valid(invoice)
        self.assertIsNone(self.company._l10n_my_einvoice_paused())
        self.assertEqual(self.emulator.stats.injected("submit") + self.emulator.stats.injected("get_submission"), 3)

    # --- helpers ---------------------------------------------------------------------------
    @property
    def no_age(self):
        from datetime import timedelta

        return timedelta(0)

    def _db_now(self):
        with autonomous_cursor(self.registry) as cr:
            cr.execute("SELECT extract(epoch FROM clock_timestamp())::float8")
            return cr.fetchone()[0]


@tagged("post_install", "-at_install")
class TestSharedByWorkers(MyInvoisFlowCase):
    """Workers are threads here, each with its own database cursor, as Odoo's
    cron and HTTP workers are; what they share is the database."""

    emulator_options = {"rate_window": 2.0, "rate_limits": {"document_types": 5}}

    def worker_client(self):
        """A client as another worker builds it: its own cursor-less stores on the database."""
        return api_client.MyInvoisClient(
            self.emulator.base_url,
            CLIENT_ID,
            CLIENT_SECRET,
            token_store=DatabaseTokenStore(self.registry),
            rate_limiter=DatabaseRateLimiter(
                self.registry, self.emulator.base_url, window=2.0, margin=0.3, limits={"document_types": 5}
            ),
        )

    def test_four_workers_make_one_login(self):
        clients = [self.worker_client() for _i in range(4)]
        tokens = [None] * 4

        def work(index):
            for _call in range(3):
                tokens[index] = clients[index].access_token()

        run_in_threads(4, work)
        self.assertEqual(self.emulator.stats.logins_for(CLIENT_ID), 1)
        self.assertEqual(len(set(tokens)), 1)
        # The token runs out: again one login for all.
        with autonomous_cursor(self.registry) as cr:
            cr.execute("UPDATE l10n_my_einvoice_api_token SET expires_at = 0")
        run_in_threads(4, work)
        self.assertEqual(self.emulator.stats.logins_for(CLIENT_ID), 2)
        self.assertEqual(len(set(tokens)), 1)
        # The token lives in a table only administrators may read.
        with self.assertRaises(AccessError):
            self.env["l10n_my_einvoice.api.token"].with_user(self._accountant()).search_read([])

    def test_a_burst_of_workers_stays_under_the_limit(self):
        clients = [self.worker_client() for _i in range(4)]
        run_in_threads(4, lambda index: [clients[index].document_types() for _call in range(4)])
        self.assertEqual(self.emulator.stats.requests("document_types"), 16)
        self.assertEqual(
            self.emulator.stats.too_many("document_types"),
            0,
            "16 calls at 5 per 2 s from 4 workers: the shared limiter spaced them",
        )

    def test_a_burst_recovers_from_forced_429_and_5xx(self):
        clients = [self.worker_client() for _i in range(4)]
        self.emulator.inject("document_types", "429", retry_after=1, times=2)
        self.emulator.inject("document_types", "status", status=503, times=2)
        results = [[] for _i in range(4)]
        run_in_threads(4, lambda index: [results[index].append(clients[index].document_types()) for _call in range(3)])
        self.assertEqual(sum(len(r) for r in results), 12, "every call answered in the end")
        self.assertEqual(self.emulator.stats.injected("document_types"), 4)
        self.assertEqual(self.emulator.stats.too_many("document_types"), 0, "no 429 beyond the forced ones")

    def _accountant(self):
        return self.env["res.users"].create(
            {
                "name": "Akauntan",
                "login": "akauntan-token",
                "company_id": self.company.id,
                "company_ids": [(6, 0, self.company.ids)],
                "group_ids": [(6, 0, [self.env.ref("account.group_account_manager").id])],
            }
        )
