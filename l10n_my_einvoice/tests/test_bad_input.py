"""Bad input seen from Odoo: a control character pasted into an invoice line is named
before anything is sent, and sending works once it is fixed; the company's client keeps
the certificate password out of anything a server could echo back."""

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import CERT_PASSWORD, CLIENT_SECRET, MyInvoisFlowCase


@tagged("post_install", "-at_install")
class TestBadInput(MyInvoisFlowCase):
    def test_a_control_character_in_a_line_is_named_and_nothing_is_sent(self):
        move = self.invoice()
        move.button_draft()
        move.invoice_line_ids[0].name = "Laptop\x0bstand"  # a vertical tab, as pasted from a spreadsheet
        move.action_post()
        with self.assertRaises(UserError) as raised:
            move.action_l10n_my_einvoice_submit()
        message = str(raised.exception)
        self.assertIn(move.name, message)
        self.assertIn("lines[0].description", message)
        self.assertIn("U+000B", message)
        self.assertNotIn("Traceback", message)
        self.assertEqual(self.emulator.stats.requests("submit"), 0)

        move.button_draft()
        move.invoice_line_ids[0].name = "Laptop stand"
        move.action_post()
        self.send(move)
        self.assert_valid(move)

    def test_the_certificate_password_is_redacted_wherever_a_server_echoes_it(self):
        client = self.company._l10n_my_einvoice_client()
        echoed = f"bad request: password={CERT_PASSWORD}&client_secret={CLIENT_SECRET}"
        scrubbed = client.redactor.text(echoed)
        self.assertNotIn(CERT_PASSWORD, scrubbed)
        self.assertNotIn(CLIENT_SECRET, scrubbed)
        self.assertIn("bad request", scrubbed)
