"""Received e-invoices when LHDN is down: nothing is lost, nothing is kept twice, and
a rejection that could not be sent says so and records nothing."""

from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..models import pipeline_receive
from .test_received_bills import SST_LINES, ReceivedCase, supplier_document


@tagged("post_install", "-at_install")
class TestReceivedOutages(ReceivedCase):
    def setUp(self):
        super().setUp()
        self.uuids = [
            self.supplier.issue(supplier_document(f"PJ-2026-02{index:02d}", SST_LINES[index : index + 1]))
            for index in range(3)
        ]

    def test_an_outage_while_listing_pauses_and_loses_nothing(self):
        self.emulator.inject("recent", "status", status=503, times=10)
        self.assertFalse(self.fetch())
        self.assertTrue(self.company._l10n_my_einvoice_paused(), "the company waits for LHDN")
        self.assertFalse(self.company.l10n_my_einvoice_received_read_at, "the window is read again")
        self.emulator.faults.clear()
        self.lhdn_is_back()
        documents = self.fetch()
        self.assertEqual(sorted(documents.mapped("uuid")), sorted(self.uuids))
        self.assertEqual(documents.mapped("bill_state"), ["done"] * 3)

    def test_an_outage_between_documents_keeps_each_once(self):
        self.emulator.inject("get_document", "status", status=503, times=10)
        self.assertFalse(self.fetch())
        self.emulator.faults.clear()
        self.lhdn_is_back()
        self.assertEqual(len(self.fetch()), 3)
        self.lhdn_is_back()
        self.assertEqual(len(self.fetch()), 3, "a second run keeps nothing twice")
        self.assertEqual(self.env["account.move"].search_count([("l10n_my_einvoice_received_id", "!=", False)]), 3)

    def test_a_backlog_is_read_over_several_runs(self):
        with patch.object(pipeline_receive, "FETCH_BATCH", 2):
            self.assertEqual(len(self.fetch()), 2, "a bounded number of documents per run")
            self.assertFalse(self.company.l10n_my_einvoice_received_read_at, "the window is read again")
            self.assertEqual(sorted(self.fetch().mapped("uuid")), sorted(self.uuids))
        self.assertTrue(self.company.l10n_my_einvoice_received_read_at)

    def test_a_rejection_during_an_outage_is_not_recorded(self):
        document = self.fetch()[:1]
        self.emulator.inject("reject", "status", status=503, times=10)
        wizard = self.env["l10n_my_einvoice.reject.received.wizard"].create(
            {"received_id": document.id, "reason": "Goods never delivered"}
        )
        with self.assertRaisesRegex(UserError, "cannot be reached"):
            wizard.action_confirm()
        self.assertEqual(document.state, "valid")
        self.assertFalse(self.emulator.documents[document.uuid]["rejectRequestDateTime"])
        self.emulator.faults.clear()
        wizard.action_confirm()
        self.assertEqual(document.state, "rejection_requested", "tried again, it is sent")
