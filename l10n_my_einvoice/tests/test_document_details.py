"""What else Odoo knows goes into the e-invoice: payment mode, bank account, payment
terms, delivery address, customer reference, billing period."""

import datetime

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import MyInvoisFlowCase


@tagged("post_install", "-at_install")
class TestDocumentDetails(MyInvoisFlowCase):
    def test_what_odoo_knows_is_sent(self):
        warehouse = self.env["res.partner"].create(
            {
                "name": "Pelanggan Warehouse",
                "parent_id": self.customer.id,
                "type": "delivery",
                "street": "Lot 7, Jalan Gudang",
                "city": "Klang",
                "zip": "41000",
                "state_id": self.env.ref("base.state_my_sgr").id,
                "country_id": self.env.ref("base.my").id,
            }
        )
        bank = self.env["res.partner.bank"].create(
            {"acc_number": "5140 1234 5678", "partner_id": self.company.partner_id.id}
        )
        move = self.init_invoice(
            "out_invoice",
            partner=self.customer,
            products=self.product_a,
            company=self.company,
            taxes=self.company_data["default_tax_sale"],
        )
        move.write(
            {
                "partner_shipping_id": warehouse.id,
                "partner_bank_id": bank.id,
                "ref": "PO-88123",
                "invoice_payment_term_id": self.env.ref("account.account_payment_term_30days").id,
                "l10n_my_einvoice_period_start": "2026-11-01",
                "l10n_my_einvoice_period_end": "2026-11-30",
                "l10n_my_einvoice_frequency": "Monthly",
            }
        )
        move.action_post()
        cash = self.company_data["default_journal_cash"]
        self.assertEqual(cash.l10n_my_einvoice_payment_mode, "01", "a cash journal pays in cash by default")
        self.env["account.payment.register"].with_context(active_model="account.move", active_ids=move.ids).create(
            {"journal_id": cash.id}
        )._create_payments()
        self.send(move)
        sent = self.assert_valid(move)
        self.assertEqual(sent.payment_means, "01", "the journal of the registered payment")
        self.assertEqual(sent.bank_account, "5140 1234 5678")
        self.assertEqual(sent.payment_terms, "30 Days")
        self.assertEqual(sent.bill_reference, "PO-88123")
        self.assertEqual(
            (sent.period_start, sent.period_end, sent.frequency),
            (datetime.date(2026, 11, 1), datetime.date(2026, 11, 30), "Monthly"),
        )
        self.assertEqual(sent.delivery.name, "Pelanggan Warehouse")
        self.assertEqual(sent.delivery.address.lines, ["Lot 7, Jalan Gudang"])
        self.assertEqual((sent.delivery.address.city, sent.delivery.address.state), ("Klang", "10"))
        self.assertFalse(sent.delivery.tin, "the buyer's own warehouse: no second TIN")

    def test_the_bank_journal_decides_before_any_payment(self):
        bank_journal = self.company_data["default_journal_bank"]
        bank_journal.l10n_my_einvoice_payment_mode = "06"  # the company takes e-wallets there
        move = self.init_invoice("out_invoice", partner=self.customer, products=self.product_a, company=self.company)
        move.preferred_payment_method_line_id = bank_journal.inbound_payment_method_line_ids[:1]
        move.action_post()
        self.send(move)
        self.assertEqual(self.assert_valid(move).payment_means, "06")

    def test_a_period_that_ends_before_it_starts_is_refused(self):
        move = self.init_invoice("out_invoice", partner=self.customer, products=self.product_a, company=self.company)
        with self.assertRaisesRegex(ValidationError, "Billing period end"):
            move.write({"l10n_my_einvoice_period_start": "2026-11-30", "l10n_my_einvoice_period_end": "2026-11-01"})

    def test_a_sale_to_the_general_public_is_declared_consolidated(self):
        public = self.env["res.partner"].create(
            {
                "name": "General Public",
                "vat": "EI00000000010",
                "l10n_my_identification_type": "BRN",
                "l10n_my_identification_number": "NA",
                "country_id": self.env.ref("base.my").id,
                "state_id": self.env.ref("base.state_my_sgr").id,
                "city": "NA",
                "street": "NA",
                "phone": "NA",
            }
        )
        move = self.invoice(partner=public)
        self.send(move)
        sent = self.assert_valid(move)
        self.assertTrue(sent.consolidated, "read back as LHDN reads it")
        self.assertEqual({code for line in sent.lines for code in line.classifications}, {"004"})
