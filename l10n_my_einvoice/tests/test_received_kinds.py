"""Received e-invoices of every kind a supplier issues: debit and refund notes, a
document-level discount and charge, cash rounding, a prepayment, a currency not active
in Odoo, a unit Odoo does not know. Each bill equals its document, or says why not."""

from odoo.tests import tagged

from ..myinvois.document import BillingReference
from .test_received_bills import SST_LINES, ReceivedCase, line, supplier_document


@tagged("post_install", "-at_install")
class TestReceivedKinds(ReceivedCase):
    def setUp(self):
        super().setUp()

    def received(self, document):
        uuid = self.supplier.issue(document)
        self.Received._cron_l10n_my_einvoice_fetch_received()
        return self.Received.search([("uuid", "=", uuid)])

    def lhdn(self, document, field="totalPayableAmount"):
        return float(self.emulator.documents[document.uuid][field])

    def test_debit_and_refund_notes_point_at_the_original_bill(self):
        original = self.received(supplier_document("PJ-2026-0301", SST_LINES[:2]))
        reference = [BillingReference(uuid=original.uuid, number="PJ-2026-0301")]
        debit_note = supplier_document(
            "PJ-DN-0001", [line("Extra cabling", "2", "12.50", "HUR", [{"type": "02", "percent": "8"}])], type_code="03"
        )
        debit_note.billing_references = reference
        debit = self.received(debit_note)
        refund_note = supplier_document("PJ-RN-0001", SST_LINES[1:2], type_code="04")
        refund_note.billing_references = reference
        refund = self.received(refund_note)
        self.assertEqual((debit.move_id.move_type, debit.move_id.debit_origin_id), ("in_invoice", original.move_id))
        self.assertEqual((refund.move_id.move_type, refund.move_id.reversed_entry_id), ("in_refund", original.move_id))
        for document in (original, debit, refund):
            self.assertAlmostEqual(document.move_id.amount_total, self.lhdn(document), places=2)

    def test_document_discount_charge_and_rounding_are_lines_of_the_bill(self):
        document = self.received(
            supplier_document(
                "PJ-2026-0302",
                SST_LINES,
                allowances=[
                    {"reason": "Early payment", "amount": "10.00"},
                    {"reason": "Delivery", "amount": "25.00", "charge": True},
                ],
                rounding="0.03",
            )
        )
        bill = document.move_id
        names = bill.invoice_line_ids.mapped("name")
        self.assertIn("Early payment", names)
        self.assertIn("Delivery", names)
        self.assertIn("Rounding", names)
        rounding = bill.invoice_line_ids.filtered(lambda item: item.name == "Rounding")
        self.assertEqual((rounding.price_subtotal, rounding.tax_ids.ids), (0.03, []))
        # What LHDN holds: payable = tax inclusive + rounding, and the bill totals it.
        self.assertAlmostEqual(bill.amount_total, self.lhdn(document), places=2)
        self.assertAlmostEqual(bill.amount_untaxed, 460.38 - 10 + 25 + 0.03, places=2)
        self.assertNotIn("apart", bill.l10n_my_einvoice_received_notes or "", "no difference to report")

    def test_a_prepayment_is_written_on_the_bill(self):
        document = self.received(
            supplier_document(
                "PJ-2026-0303",
                SST_LINES[:1],
                prepayment={"amount": "50.00", "paid_at": "2026-07-01T02:00:00Z", "reference": "DP-7"},
            )
        )
        bill = document.move_id
        self.assertAlmostEqual(bill.amount_total, 135.0, places=2, msg="the invoice's total, before the prepayment")
        self.assertAlmostEqual(self.lhdn(document), 85.0, places=2)
        self.assertFalse(bill.l10n_my_einvoice_received_difference, "the bill is the invoice; the prepayment apart")
        self.assertIn("prepaid", bill.l10n_my_einvoice_received_notes)
        self.assertIn("85.00", bill.l10n_my_einvoice_received_notes)

    def test_an_inactive_currency_fails_with_the_way_out_then_the_bill_is_made(self):
        sgd = self.env.ref("base.SGD")
        sgd.active = False
        document = self.received(
            supplier_document(
                "PJ-2026-0304",
                [line("Consulting, Singapore office", "1", "1000.00", "HUR", [{"type": "02", "percent": "8"}])],
                currency="SGD",
                exchange_rate="3.4521",
            )
        )
        self.assertEqual(document.bill_state, "failed")
        self.assertIn("activate it", document.bill_message)
        self.assertFalse(document.move_id)
        sgd.active = True
        document.action_make_bill()
        self.assertEqual(document.bill_state, "done")
        self.assertNotIn("activate", document.bill_message or "", "the failure is gone")
        self.assertAlmostEqual(document.move_id.amount_total, 1080.0, places=2)
        self.assertAlmostEqual(abs(document.move_id.amount_total_signed), 3728.27, places=2)

    def test_an_unknown_unit_is_said_on_the_bill(self):
        document = self.received(
            supplier_document("PJ-2026-0305", [line("Bitumen", "2", "80.00", "BLL", [{"type": "01", "percent": "10"}])])
        )
        self.assertIn("BLL", document.move_id.l10n_my_einvoice_received_notes)
        self.assertAlmostEqual(document.move_id.amount_total, 176.0, places=2)

    def test_a_json_e_invoice_is_kept_and_says_the_bill_is_to_be_entered_by_hand(self):
        # The emulator takes XML only (docs/emulator.md): the record is made as the fetch makes it.
        # (as the fetch does, in sudo: nobody creates received e-invoices by hand)
        document = self.Received.sudo().create({"company_id": self.company.id, "uuid": "JSON0000000000000000000001"})
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .create({"name": "x.json", "raw": b'{"Invoice": []}', "res_model": document._name, "res_id": document.id})
        )
        document.write({"attachment_id": attachment.id, "document_format": "json"})
        document = document.with_env(self.env)
        document.action_make_bill()
        self.assertEqual(document.bill_state, "failed")
        self.assertIn("enter the bill by hand", document.bill_message)
        self.assertFalse(document.move_id)

    def test_a_posted_bill_hears_of_the_suppliers_cancellation(self):
        document = self.received(supplier_document("PJ-2026-0306", SST_LINES[:1]))
        bill = document.move_id
        bill.action_post()
        self.supplier.cancel(document.uuid, "Issued twice")
        self.fetch()
        self.assertEqual(bill.state, "posted", "Odoo does not undo the accountant's entry by itself")
        self.assertEqual(bill.l10n_my_einvoice_received_state, "cancelled")
        self.assertIn("Issued twice", " ".join(bill.message_ids.mapped("body")))
        self.assertTrue(bill.activity_ids, "someone is asked to reverse it")
