"""Cancel, rejection and the 72-hour windows: Odoo and LHDN never silently disagree."""

import datetime

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import MyInvoisFlowCase

HOURS_72 = 72 * 3600


@tagged("post_install", "-at_install")
class TestCancelReject(MyInvoisFlowCase):
    def valid_invoice(self, **values):
        move = self.invoice(**values)
        self.send(move)
        self.assert_valid(move)
        return move

    def cancel(self, move, reason="Wrong buyer: re-issued", **values):
        wizard = self.env["l10n_my_einvoice.cancel.wizard"].create({"move_id": move.id, "reason": reason, **values})
        return wizard.action_confirm()

    def at_lhdn(self, move):
        client = self.company._l10n_my_einvoice_client()
        return client.get_document_details(move.l10n_my_einvoice_document_id.uuid)

    def watch(self):
        self.env["l10n_my_einvoice.document"]._cron_l10n_my_einvoice_watch()

    # --- cancel ---------------------------------------------------------------------------
    def test_cancel_within_72_hours_then_correct_and_send_again(self):
        move = self.valid_invoice()
        self.assertTrue(move.l10n_my_einvoice_can_cancel)
        first = move.l10n_my_einvoice_document_id
        result = self.cancel(move, reason="Wrong buyer address")
        self.assertEqual(result["params"]["type"], "success")
        self.assertEqual(first.state, "cancelled")
        self.assertEqual(first.cancel_reason, "Wrong buyer address")
        details = self.at_lhdn(move)
        self.assertEqual(details["status"], "Cancelled", "the reason reached LHDN")
        move.button_draft()
        move.invoice_line_ids[0].price_unit = 999.0
        move.action_post()
        self.send(move)
        self.assert_valid(move)
        self.assertEqual(
            move.l10n_my_einvoice_document_ids.sorted("id").mapped("state"),
            ["cancelled", "valid"],
            "two versions in its history",
        )
        self.assertIn("cancelled", " ".join(move.message_ids.mapped("body")))

    def test_cancel_and_reset_to_draft_in_one_step(self):
        move = self.valid_invoice()
        self.cancel(move, reset_to_draft=True)
        self.assertEqual(move.state, "draft")
        self.assertEqual(move.l10n_my_einvoice_document_ids.state, "cancelled")

    def test_after_72_hours_there_is_no_cancel_only_notes(self):
        move = self.valid_invoice()
        document = move.l10n_my_einvoice_document_id
        document.validated_at = datetime.datetime.now() - datetime.timedelta(hours=72, seconds=1)
        self.assertFalse(move.l10n_my_einvoice_can_cancel)
        self.assertTrue(move.l10n_my_einvoice_is_final)
        with self.assertRaisesRegex(UserError, "credit note"):
            self.cancel(move)
        with self.assertRaisesRegex(UserError, "72 hours are over: correct it with a credit note"):
            move.button_draft()
        self.assertEqual(move.action_l10n_my_einvoice_credit_note()["res_model"], "account.move.reversal")
        self.assertEqual(document.state, "valid")

    def test_lhdn_refuses_a_late_cancel_with_the_actionable_message(self):
        move = self.valid_invoice()
        self.emulator.clock.advance(HOURS_72 + 1)  # LHDN's clock: past the window, Odoo's: not
        self.addCleanup(self.emulator.clock.advance, -(HOURS_72 + 1))
        with self.assertRaisesRegex(UserError, "no longer allows it to be cancelled. Correct it with a credit note"):
            self.cancel(move)
        self.assertEqual(move.l10n_my_einvoice_state, "valid", "nothing changed on either side")
        self.assertEqual(self.at_lhdn(move)["status"], "Valid")

    def test_an_outage_keeps_the_cancellation_pending_and_the_cron_sends_it(self):
        move = self.valid_invoice()
        self.emulator.inject("cancel", "status", status=503, times=20)
        result = self.cancel(move)
        self.assertEqual(result["params"]["type"], "warning")
        self.assertEqual(move.l10n_my_einvoice_state, "cancelling")
        with self.assertRaisesRegex(UserError, "cannot be reset to draft"):
            move.button_draft()
        self.emulator.faults.clear()
        self.lhdn_is_back()
        self.env["l10n_my_einvoice.document"]._cron_l10n_my_einvoice_cancel()
        self.assertEqual(move.l10n_my_einvoice_state, "cancelled")
        self.assertEqual(self.at_lhdn(move)["status"], "Cancelled")

    # --- the lock -------------------------------------------------------------------------
    def test_a_valid_move_cannot_be_reset_cancelled_or_changed(self):
        move = self.valid_invoice()
        self.assertFalse(move.show_reset_to_draft_button, "the form does not offer what would be refused")
        other = self.env["res.partner"].create({"name": "Someone else"})
        for attempt in (
            move.button_draft,
            move.button_cancel,
            lambda: move.write({"partner_id": other.id}),
            lambda: move.write({"ref": "PO-changed"}),
            lambda: move.write({"l10n_my_einvoice_frequency": "Yearly"}),
            lambda: move.invoice_line_ids[0].with_context(check_move_validity=False).write({"name": "Changed"}),
        ):
            with self.assertRaisesRegex(UserError, "Cancel the e-invoice first"):
                attempt()
        move.write({"ref": move.ref, "narration": "Internal note: allowed"})  # not declared, or not changed
        self.assertEqual(move.state, "posted")

    # --- watching the 72 hours --------------------------------------------------------------
    def test_a_buyers_rejection_appears_with_an_activity_and_can_be_accepted(self):
        move = self.valid_invoice()
        self.emulator.reject_as_buyer(move.l10n_my_einvoice_uuid, "Wrong quantity delivered")
        self.watch()
        document = move.l10n_my_einvoice_document_id
        self.assertEqual(document.state, "rejection_requested")
        self.assertEqual(move.l10n_my_einvoice_rejection_reason, "Wrong quantity delivered")
        activity = move.activity_ids.filtered(lambda a: "rejects" in (a.summary or ""))
        self.assertEqual(len(activity), 1)
        self.assertIn("Wrong quantity delivered", activity.note)
        self.watch()
        self.assertEqual(len(move.activity_ids), 1, "read again: no second activity")
        action = move.action_l10n_my_einvoice_accept_rejection()
        wizard = self.env["l10n_my_einvoice.cancel.wizard"].with_context(**action["context"]).create({})
        self.assertIn("Wrong quantity delivered", wizard.reason)
        wizard.action_confirm()
        self.assertEqual(document.state, "cancelled")
        self.assertEqual(self.at_lhdn(move)["status"], "Cancelled")

    def test_a_cancellation_in_the_portal_appears_in_odoo(self):
        move = self.valid_invoice()
        self.emulator.cancel_in_portal(move.l10n_my_einvoice_uuid, "Duplicate of INV/2026/00007")
        move.action_l10n_my_einvoice_check_lhdn()  # the button: what the watch cron does
        document = move.l10n_my_einvoice_document_id
        self.assertEqual(document.state, "cancelled")
        self.assertEqual(document.cancel_reason, "Duplicate of INV/2026/00007")
        self.assertTrue(document.cancelled_at)
        self.assertTrue(move.show_reset_to_draft_button)
        move.button_draft()  # Odoo follows LHDN: the move can be corrected now

    def test_after_the_windows_a_document_is_no_longer_read(self):
        move = self.valid_invoice()
        document = move.l10n_my_einvoice_document_id
        document.validated_at = datetime.datetime.now() - datetime.timedelta(hours=72, seconds=1)
        reads = self.emulator.stats.requests("get_details")
        self.watch()
        self.assertEqual(self.emulator.stats.requests("get_details"), reads)
        self.assertFalse(document.watched_at)
