"""*Check with LHDN* and *Search TIN* on contacts, against the emulator's taxpayers."""

import datetime
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .committed_data import malaysian_customer_values
from .common import MyInvoisFlowCase

CUSTOMER_TIN, CUSTOMER_BRN = "C9876543210", "201901098765"


@tagged("post_install", "-at_install")
class TestTinCheck(MyInvoisFlowCase):
    def setUp(self):
        super().setUp()
        self.emulator.add_taxpayer(CUSTOMER_TIN, "Pelanggan Berhad", "BRN", CUSTOMER_BRN)

    def contact(self, **values):
        return self.env["res.partner"].create({**malaysian_customer_values(self.env), **values})

    def test_valid_tin(self):
        result = self.customer.action_l10n_my_einvoice_check_tin()
        self.assertEqual(self.customer.l10n_my_einvoice_tin_check_state, "valid")
        self.assertTrue(self.customer.l10n_my_einvoice_tin_checked_at)
        self.assertEqual(self.customer.l10n_my_einvoice_tin_checked_tin, CUSTOMER_TIN)
        self.assertEqual(self.customer.l10n_my_einvoice_tin_checked_id_number, CUSTOMER_BRN)
        self.assertTrue(self.customer.l10n_my_einvoice_tin_check_current)
        self.assertEqual(result["params"]["type"], "success")

    def test_valid_result_is_kept_on_the_commercial_partner(self):
        person = self.env["res.partner"].create({"name": "Aminah", "parent_id": self.customer.id})
        person.action_l10n_my_einvoice_check_tin()
        self.assertEqual(self.customer.l10n_my_einvoice_tin_check_state, "valid")
        self.assertEqual(person.l10n_my_einvoice_tin_check_state, "valid")

    def test_unknown_tin(self):
        partner = self.contact(name="Tiada Sdn. Bhd.", vat="C1111111110", l10n_my_identification_number="201801000001")
        result = partner.action_l10n_my_einvoice_check_tin()
        self.assertEqual(partner.l10n_my_einvoice_tin_check_state, "not_found")
        self.assertEqual(result["params"]["type"], "warning")
        self.assertIn("Tiada Sdn. Bhd.", result["params"]["message"])

    def test_known_tin_wrong_id(self):
        partner = self.contact(l10n_my_identification_number="201901000000")
        partner.action_l10n_my_einvoice_check_tin()
        self.assertEqual(partner.l10n_my_einvoice_tin_check_state, "mismatch")

    def test_valid_tin_is_not_asked_again_for_30_days(self):
        self.customer.action_l10n_my_einvoice_check_tin()
        result = self.customer.action_l10n_my_einvoice_check_tin()
        self.assertEqual(self.emulator.stats.requests("validate_tin"), 1)
        self.assertIn("(valid)", result["params"]["message"])
        self.customer.with_context(force=True).action_l10n_my_einvoice_check_tin()
        self.assertEqual(self.emulator.stats.requests("validate_tin"), 2, "force asks again")
        later = fields.Datetime.now() + datetime.timedelta(days=31)
        with patch.object(fields.Datetime, "now", return_value=later):
            self.customer.action_l10n_my_einvoice_check_tin()
        self.assertEqual(self.emulator.stats.requests("validate_tin"), 3, "after 30 days")

    def test_changed_id_is_asked_again(self):
        self.customer.action_l10n_my_einvoice_check_tin()
        self.customer.action_l10n_my_einvoice_check_tin()
        self.assertEqual(self.emulator.stats.requests("validate_tin"), 1)
        self.customer.l10n_my_identification_number = "201901000000"
        self.assertFalse(self.customer.l10n_my_einvoice_tin_check_current, "the old answer no longer applies")
        self.customer.action_l10n_my_einvoice_check_tin()
        self.assertEqual(self.emulator.stats.requests("validate_tin"), 2)
        self.assertEqual(self.customer.l10n_my_einvoice_tin_check_state, "mismatch")

    def test_search_tin_fills_the_tin(self):
        partner = self.contact(vat=False)
        result = partner.action_l10n_my_einvoice_search_tin()
        self.assertEqual(partner.vat, CUSTOMER_TIN)
        self.assertEqual(result["params"]["type"], "success")

    def test_search_tin_finds_none(self):
        partner = self.contact(vat=False, l10n_my_identification_number="201801000001")
        result = partner.action_l10n_my_einvoice_search_tin()
        self.assertFalse(partner.vat)
        self.assertEqual(result["params"]["type"], "warning")

    def test_outage_names_the_contact(self):
        self.emulator.inject("validate_tin", "status", status=503, times=5)
        with self.assertRaises(UserError) as caught:
            self.customer.action_l10n_my_einvoice_check_tin()
        self.assertIn("Pelanggan Berhad", str(caught.exception))
        self.assertIn("try again after", str(caught.exception))
        self.assertNotEqual(self.customer.l10n_my_einvoice_tin_check_state, "valid")
        # The company is paused now: the next click does not call LHDN at all.
        calls = self.emulator.stats.requests("validate_tin")
        with self.assertRaises(UserError):
            self.customer.action_l10n_my_einvoice_check_tin()
        self.assertEqual(self.emulator.stats.requests("validate_tin"), calls)

    def test_without_settings(self):
        self.company.l10n_my_einvoice_client_id = False
        with self.assertRaises(UserError) as caught:
            self.customer.action_l10n_my_einvoice_check_tin()
        self.assertIn("Client ID", str(caught.exception))
        self.assertEqual(self.emulator.stats.requests("validate_tin"), 0)

    def test_submit_warns_about_a_not_found_buyer(self):
        partner = self.contact(name="Tiada Sdn. Bhd.", vat="C1111111110", l10n_my_identification_number="201801000001")
        partner.action_l10n_my_einvoice_check_tin()
        move = self.invoice(partner=partner)
        result = move.action_l10n_my_einvoice_submit()
        self.assertEqual(move.l10n_my_einvoice_state, "queued")
        self.assertEqual(result["tag"], "display_notification")
        self.assertEqual(result["params"]["type"], "warning")
        self.assertIn("Tiada Sdn. Bhd.", result["params"]["message"])

    def test_submit_without_check_is_unchanged(self):
        move = self.invoice()
        result = move.action_l10n_my_einvoice_submit()
        self.assertEqual(result["params"]["type"], "info")
