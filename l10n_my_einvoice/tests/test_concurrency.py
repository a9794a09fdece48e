"""Two cron runs at once, each in its own thread and database cursor, over 200
queued invoices: every document reaches LHDN exactly once.

The threads must see the invoices, so the data is committed, in a company of
its own (the test database is dropped after the run; nothing else reads that
company). The test transaction itself writes nothing, so it holds no lock a
thread could wait on."""

from odoo.tests import TransactionCase, tagged

from ..myinvois.emulator import Emulator
from .committed_data import make_company, make_posted_invoices, worker_env
from .common import LoopbackOnly
from .test_pipeline import run_in_threads

TIN, BRN = "C2468013570", "202101054321"
CLIENT_ID, CLIENT_SECRET = "selari-erp", "selari-secret-9e1"
PASSWORD = "selari-pfx"
INVOICES = 200


@tagged("post_install", "-at_install")
class TestParallelCronRuns(LoopbackOnly, TransactionCase):
    def setUp(self):
        super().setUp()
        self.emulator = Emulator(validation_delay=0)
        self.emulator.add_client(CLIENT_ID, CLIENT_SECRET, TIN, brn=BRN)
        self.url = self.emulator.start()
        self.addCleanup(self.emulator.stop)

    def test_two_cron_runs_submit_each_document_once(self):
        with worker_env(self.registry) as env:
            moves = self.queued_invoices(env)
            names, document_ids = moves.mapped("name"), moves.l10n_my_einvoice_document_id.ids
            company_id = moves.company_id.id
        self.addCleanup(self.leave_nothing_in_progress, company_id)
        taken = [[], []]
        runs = [0, 0]

        def cron_worker(index):
            # As the cron: run after run until the queue is empty. A run may take nothing
            # because the other worker took the rows meanwhile (see _lock_queued); the
            # cron is then woken again, which here is the next turn of the loop.
            for _turn in range(100):
                with worker_env(self.registry) as env:
                    documents = env["account.move"]._cron_l10n_my_einvoice_submit(batch_limit=40)
                    taken[index] += documents.ids
                    runs[index] += bool(documents)
                with worker_env(self.registry) as env:
                    if not env["l10n_my_einvoice.document"].search_count(
                        [("company_id", "=", company_id), ("state", "=", "queued")]
                    ):
                        return
            raise AssertionError("the queue never emptied")

        run_in_threads(2, cron_worker)
        self.assertEqual(sorted(taken[0] + taken[1]), sorted(document_ids), "every document taken once")
        self.assertTrue(taken[0] and taken[1], f"both runs worked in parallel ({runs})")
        for name in names:
            self.assertEqual(len(self.emulator.documents_by_code(name)), 1, f"LHDN holds {name} once")
        self.assertEqual(self.emulator.stats.requests("submit"), sum(runs), "one submission per run of 40")
        self.assertEqual(self.emulator.stats.logins_for(CLIENT_ID), 1, "the two workers shared one token")

        self.emulator.process_pending()
        with worker_env(self.registry) as env:
            env["account.move"]._cron_l10n_my_einvoice_poll()
            documents = env["l10n_my_einvoice.document"].browse(document_ids)
            self.assertEqual(set(documents.mapped("state")), {"valid"})
            self.assertEqual(len(set(documents.mapped("uuid"))), INVOICES)

    def test_rows_taken_after_this_snapshot_are_left_to_their_taker(self):
        """The race of REPEATABLE READ: worker B's snapshot predates worker A's commit of
        the rows it took. B takes nothing, raises nothing, and wakes the cron again."""
        with worker_env(self.registry) as env:
            moves = make_posted_invoices(
                env,
                make_company(env, "Selari Dua Sdn. Bhd.", self.url, TIN, BRN, CLIENT_ID, CLIENT_SECRET, PASSWORD),
                3,
            )
            moves.action_l10n_my_einvoice_submit()
            company_id, document_ids = moves.company_id.id, moves.l10n_my_einvoice_document_id.ids
        self.addCleanup(self.leave_nothing_in_progress, company_id)
        with worker_env(self.registry) as env_b:
            env_b.cr.execute("SELECT 1")  # B's snapshot is taken here
            with worker_env(self.registry) as env_a:
                taken_by_a = env_a["l10n_my_einvoice.document"]._lock_queued(100)
                taken_by_a.write({"state": "sending"})
            self.assertEqual(sorted(taken_by_a.ids), sorted(document_ids))
            cron = env_b.ref("l10n_my_einvoice.ir_cron_submit")
            triggers_before = env_b["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
            taken_by_b = env_b["l10n_my_einvoice.document"]._lock_queued(100)
            self.assertFalse(taken_by_b, "B leaves A's rows alone")
            self.assertEqual(
                env_b["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]),
                triggers_before + 1,
                "the cron is woken to go on from a fresh snapshot",
            )
            env_b.cr.execute("SELECT 1")  # B's transaction is still usable

    def leave_nothing_in_progress(self, company_id):
        """Whatever happened, later tests' crons find no work of this company."""
        with worker_env(self.registry) as env:
            env.cr.execute(
                "UPDATE l10n_my_einvoice_document SET state = 'cancelled' WHERE company_id = %s "
                "AND state IN ('queued', 'sending', 'submitted')",
                [company_id],
            )
            env.cr.execute("UPDATE l10n_my_einvoice_submission SET state = 'done' WHERE company_id = %s", [company_id])

    # --- committed data ---------------------------------------------------------------------
    def queued_invoices(self, env):
        company = make_company(env, "Selari Niaga Sdn. Bhd.", self.url, TIN, BRN, CLIENT_ID, CLIENT_SECRET, PASSWORD)
        moves = make_posted_invoices(env, company, INVOICES)
        moves.action_l10n_my_einvoice_submit()
        return moves
