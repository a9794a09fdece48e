"""Times as people read them: on screen in the user's zone, printed in Malaysia time,
always naming the zone (LHDN and the database work in UTC)."""

import datetime

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import MyInvoisFlowCase

MALAYSIA = datetime.timedelta(hours=8)  # Asia/Kuala_Lumpur: UTC+8 all year


@tagged("post_install", "-at_install")
class TestTimes(MyInvoisFlowCase):
    def local_text(self, utc):
        """How the user's language writes a UTC time in Malaysia, by its own formats."""
        lang = self.env["res.lang"]._lang_get(self.env.lang or "en_US")
        return (utc + MALAYSIA).strftime(f"{lang.date_format} {lang.time_format}")

    def valid_invoice(self):
        move = self.invoice()
        self.send(move)
        self.assert_valid(move)
        return move

    def test_the_pdf_prints_the_validation_time_in_malaysia_time_and_says_so(self):
        move = self.valid_invoice()
        validated = move.l10n_my_einvoice_validated_at
        # A validation at 20:30 UTC is 04:30 the next day in Malaysia: the date moves too.
        move.l10n_my_einvoice_document_id.validated_at = validated.replace(hour=20, minute=30, second=0)
        html, _ = self.env["ir.actions.report"]._render_qweb_html("account.report_invoice", move.ids)
        local = self.local_text(validated.replace(hour=20, minute=30, second=0))
        self.assertIn(f"{local}</span> Malaysia time (UTC+8)".encode(), html)
        self.assertNotIn(b"(UTC)", html)

    def test_a_refusal_names_the_deadline_in_the_users_zone(self):
        move = self.valid_invoice()
        deadline = move.l10n_my_einvoice_cancel_deadline
        for zone, offset in (("Asia/Kuala_Lumpur", True), ("Europe/London", False)):
            with self.assertRaises(UserError) as caught:
                move.with_context(tz=zone).button_draft()
            message = str(caught.exception)
            self.assertIn(f"({zone})", message)
            if offset:
                self.assertIn(f"{self.local_text(deadline)} ({zone})", message)
        self.assertNotIn("UTC", message)

    def test_the_rejection_note_gives_the_deadline_in_malaysia_time(self):
        move = self.valid_invoice()
        self.emulator.reject_as_buyer(move.l10n_my_einvoice_uuid, "Wrong quantity delivered")
        self.env["l10n_my_einvoice.document"]._cron_l10n_my_einvoice_watch()
        deadline = self.local_text(move.l10n_my_einvoice_cancel_deadline)
        note = move.message_ids.filtered(lambda m: "reject" in (m.body or ""))[:1].body
        self.assertIn(f"before {deadline} Malaysia time (UTC+8)", note)

    def test_the_form_shows_datetimes_the_web_client_converts(self):
        """The MyInvois tab's times are Datetime fields (the web client shows them in the
        user's zone), never texts fixed in UTC."""
        for name in ("l10n_my_einvoice_validated_at", "l10n_my_einvoice_cancel_deadline"):
            self.assertEqual(self.env["account.move"]._fields[name].type, "datetime", name)
        self.assertEqual(self.env["l10n_my_einvoice.document"]._fields["issued_at"].string, "Issued at")
