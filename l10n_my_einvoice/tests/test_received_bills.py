"""Received e-invoices become draft vendor bills equal to them, and can be rejected
within 72 hours: another taxpayer issues to the company through the emulator's API,
the cron fetches, LHDN and Odoo agree on every change."""

import datetime

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from ..myinvois.document import BillingReference, Document
from ..myinvois.emulator.cli import DEMO_COMPANY_AS_BUYER, DEMO_SUPPLIER, DEMO_SUPPLIER_PARTY, EXEMPTION
from ..myinvois.emulator.suppliers import line_item
from .common import MyInvoisFlowCase

SUPPLIER_TIN, SUPPLIER_BRN, SUPPLIER_NAME = DEMO_SUPPLIER  # the demo emulator's supplier


def supplier_document(number, lines, type_code="01", **header):
    """A document the supplier issues to the company (the core's JSON form)."""
    return Document.from_dict(
        {
            "type_code": type_code,
            "number": number,
            "issued_at": "2026-07-20T03:15:00Z",
            "currency": "MYR",
            "supplier": DEMO_SUPPLIER_PARTY,
            "buyer": DEMO_COMPANY_AS_BUYER,
            "lines": lines,
            **header,
        }
    )


line = line_item  # the emulator's, shared with its demo supplier


SST_LINES = [
    line("Network cabling service", "10", "12.50", "HUR", [{"type": "02", "percent": "8"}]),
    line(
        "Router AX3000",
        "3",
        "105.00",
        "C62",
        [{"type": "01", "percent": "10"}],
        allowances=[{"reason": "Promotion", "rate": "0.1"}],
    ),
    line("Cable ties, pack", "7", "3.125", "C62", [{"type": "01", "percent": "5"}]),
    line("Safety manual", "2", "15.00", "C62", [{"type": "E", "percent": "0", "exemption_reason": EXEMPTION}]),
]


class ReceivedCase(MyInvoisFlowCase):
    """A supplier that issues to the company through the emulator, and the fetch cron."""

    def setUp(self):
        super().setUp()
        self.supplier = self.emulator.add_supplier(SUPPLIER_TIN, SUPPLIER_BRN, SUPPLIER_NAME)
        self.Received = self.env["l10n_my_einvoice.received"]

    def fetch(self):
        self.Received._cron_l10n_my_einvoice_fetch_received()
        return self.Received.search([("company_id", "=", self.company.id)])


@tagged("post_install", "-at_install")
class TestReceivedBills(ReceivedCase):
    def setUp(self):
        super().setUp()
        self.env.ref("base.USD").active = True

    def lhdn_total(self, uuid):
        return float(self.emulator.documents[uuid]["totalPayableAmount"])

    def issue_three(self):
        first = self.supplier.issue(supplier_document("PJ-2026-0101", SST_LINES))
        usd = self.supplier.issue(
            supplier_document(
                "PJ-2026-0102",
                [line("Cloud consulting", "8", "150.00", "HUR", [{"type": "02", "percent": "8"}])],
                currency="USD",
                exchange_rate="4.4512",
            )
        )
        credit_note = supplier_document("PJ-CN-2026-0007", [SST_LINES[1]], type_code="02")
        credit_note.billing_references = [BillingReference(uuid=first, number="PJ-2026-0101")]
        credit = self.supplier.issue(credit_note)
        return first, usd, credit

    def reject(self, document, reason="Wrong quantity: 8 routers delivered, not 10"):
        wizard = self.env["l10n_my_einvoice.reject.received.wizard"].create(
            {"received_id": document.id, "reason": reason}
        )
        return wizard.action_confirm()

    # --- bills ---------------------------------------------------------------------------
    def test_three_received_documents_become_three_draft_bills_equal_to_them(self):
        first_uuid, usd_uuid, credit_uuid = self.issue_three()
        documents = self.fetch()
        self.assertEqual(sorted(documents.mapped("uuid")), sorted([first_uuid, usd_uuid, credit_uuid]))
        by_uuid = {document.uuid: document for document in documents}
        first, usd, credit = by_uuid[first_uuid], by_uuid[usd_uuid], by_uuid[credit_uuid]
        self.assertEqual(documents.mapped("bill_state"), ["done"] * 3, documents.mapped("bill_message"))
        for document in documents:
            bill = document.move_id
            self.assertEqual(bill.state, "draft")
            self.assertEqual(bill.l10n_my_einvoice_received_id, document)
            self.assertAlmostEqual(bill.amount_total, self.lhdn_total(document.uuid), places=2)
            self.assertAlmostEqual(document.amount_total, self.lhdn_total(document.uuid), places=2)
            self.assertIn(f"/{document.uuid}/share/{document.long_id}", bill.l10n_my_einvoice_received_link)
            self.assertEqual(document.attachment_id.raw, self.emulator.documents[document.uuid]["document"].encode())
        # The SST invoice: four lines (and the rounding of the 3.125 price on a line of its own).
        bill = first.move_id
        self.assertEqual(bill.move_type, "in_invoice")
        self.assertEqual(bill.ref, "PJ-2026-0101")
        issued = datetime.datetime.fromisoformat(self.emulator.documents[first_uuid]["dateTimeIssued"])
        self.assertEqual(bill.invoice_date, (issued + datetime.timedelta(hours=8)).date(), "the date in Malaysia")
        self.assertAlmostEqual(bill.amount_untaxed, 460.38, places=2)
        self.assertAlmostEqual(bill.amount_tax, 39.44, places=2)
        lines = {line.name: line for line in bill.invoice_line_ids}
        cabling, router = lines["Network cabling service"], lines["Router AX3000"]
        self.assertEqual(cabling.product_uom_id, self.env.ref("uom.product_uom_hour"))
        self.assertEqual(cabling.tax_ids.amount, 8.0)
        self.assertEqual((router.discount, router.tax_ids.amount, router.price_subtotal), (10.0, 10.0, 283.5))
        self.assertFalse(lines["Safety manual"].tax_ids, "exempt: no purchase tax, and nothing to say about it")
        self.assertAlmostEqual(
            sum(bill.invoice_line_ids.filtered(lambda item: "Cable ties" in item.name).mapped("price_subtotal")),
            21.88,
            places=2,
        )
        partner = bill.partner_id
        self.assertEqual((partner.vat, partner.name), (SUPPLIER_TIN, SUPPLIER_NAME))
        self.assertEqual(
            (partner.l10n_my_identification_type, partner.l10n_my_identification_number), ("BRN", SUPPLIER_BRN)
        )
        self.assertEqual(
            (partner.state_id, partner.city, partner.sst_registration_number),
            (self.env.ref("base.state_my_png"), "Bayan Lepas", "B16-1809-32000011"),
        )
        self.assertEqual((usd.move_id.partner_id, credit.move_id.partner_id), (partner, partner), "one contact")
        # USD at the document's rate.
        usd_bill = usd.move_id
        self.assertEqual(usd_bill.currency_id, self.env.ref("base.USD"))
        self.assertAlmostEqual(usd_bill.amount_total, 1296.0, places=2)
        self.assertAlmostEqual(abs(usd_bill.amount_total_signed), 5768.76, places=2)
        # The credit note refunds the first bill.
        self.assertEqual(credit.move_id.move_type, "in_refund")
        self.assertEqual(credit.move_id.reversed_entry_id, bill)
        self.assertAlmostEqual(credit.move_id.amount_total, 311.85, places=2)

    def test_an_invoicing_user_fetches_now_and_makes_a_bill_again(self):
        user = new_test_user(
            self.env,
            login="received_invoicing",
            groups="base.group_user,account.group_account_invoice",
            company_id=self.company.id,
            company_ids=[(6, 0, self.company.ids)],
        )
        first_uuid, _usd, _credit = self.issue_three()
        Received = self.Received.with_user(user)
        result = Received.action_fetch_now()
        self.assertEqual(result["params"]["type"], "success")
        document = Received.search([("uuid", "=", first_uuid)])
        self.assertEqual(document.bill_state, "done", document.bill_message)
        document.move_id.with_user(user).unlink()
        document.action_make_bill()
        self.assertAlmostEqual(document.move_id.amount_total, self.lhdn_total(first_uuid), places=2)
        with self.assertRaisesRegex(UserError, "already has its bill"):
            document.action_make_bill()

    def test_a_bill_changed_away_from_its_e_invoice_says_so(self):
        first_uuid, _usd, _credit = self.issue_three()
        documents = self.fetch()
        self.assertEqual(documents.move_id.mapped("l10n_my_einvoice_received_difference"), [0.0] * 3)
        bill = documents.filtered(lambda d: d.uuid == first_uuid).move_id
        router = bill.invoice_line_ids.filtered(lambda item: item.name == "Router AX3000")
        router.price_unit = 100.0  # 3 x 100 less 10 % = 270.00 instead of 283.50, tax 27.00 instead of 28.35
        # ... and Odoo recomputes every tax: the 5 % tax is its own 1.10 again, not the supplier's 1.09.
        self.assertAlmostEqual(bill.l10n_my_einvoice_received_difference, 14.85 - 0.01, places=2)
        router.price_unit = 105.0
        self.assertAlmostEqual(bill.l10n_my_einvoice_received_difference, -0.01, places=2, msg="still said")
        tax_5 = bill.line_ids.filtered(lambda item: item.tax_line_id.amount == 5.0)
        tax_5.amount_currency -= 0.01  # the accountant sets the supplier's tax amount again
        self.assertFalse(bill.l10n_my_einvoice_received_difference)

    def test_a_second_run_creates_nothing(self):
        self.issue_three()
        self.fetch()
        reads = self.emulator.stats.requests("get_document")
        bills = self.env["account.move"].search_count([("l10n_my_einvoice_received_id", "!=", False)])
        documents = self.fetch()
        self.assertEqual(len(documents), 3)
        self.assertEqual(self.env["account.move"].search_count([("l10n_my_einvoice_received_id", "!=", False)]), bills)
        self.assertEqual(self.emulator.stats.requests("get_document"), reads, "no document read twice")

    def test_a_bill_posts_without_going_back_to_lhdn(self):
        first_uuid, _usd, _credit = self.issue_three()
        bill = self.fetch().filtered(lambda d: d.uuid == first_uuid).move_id
        bill.partner_id.l10n_my_einvoice_self_billed = True  # even for a supplier we self-bill otherwise
        bill.action_post()
        self.assertFalse(bill.l10n_my_einvoice_document_id, "the supplier's e-invoice is not sent again")

    def test_a_deleted_bill_can_be_made_again(self):
        first_uuid, _usd, _credit = self.issue_three()
        document = self.fetch().filtered(lambda d: d.uuid == first_uuid)
        document.move_id.unlink()
        self.assertFalse(document.move_id)
        self.fetch()
        self.assertFalse(document.move_id, "the cron does not bring back what a user deleted")
        document.action_make_bill()
        self.assertAlmostEqual(document.move_id.amount_total, self.lhdn_total(first_uuid), places=2)

    def test_a_tax_without_a_purchase_tax_says_so_on_the_bill(self):
        uuid = self.supplier.issue(
            supplier_document("PJ-2026-0103", [line("Courier", "1", "40.00", "C62", [{"type": "02", "percent": "6"}])])
        )
        document = self.fetch().filtered(lambda d: d.uuid == uuid)
        bill = document.move_id
        self.assertIn("no purchase tax for LHDN tax 02 6", bill.invoice_line_ids.name)
        self.assertIn("Taxes of received e-invoices", bill.l10n_my_einvoice_received_notes)
        self.assertIn("42.4", bill.l10n_my_einvoice_received_notes, "and that the totals differ")
        # Mapped in Settings, the next bill of that kind is right.
        service_6 = self.company_data["default_tax_purchase"].copy({"name": "Service tax 6%", "amount": 6.0})
        self.env["l10n_my_einvoice.received.tax"].create(
            {"company_id": self.company.id, "tax_type": "02", "rate": 6.0, "tax_id": service_6.id}
        )
        document.move_id.unlink()
        document.action_make_bill()
        self.assertEqual(document.move_id.invoice_line_ids.tax_ids, service_6)
        self.assertAlmostEqual(document.move_id.amount_total, 42.4, places=2)

    def test_self_billed_documents_of_the_company_are_not_imported_back(self):
        own = self.invoice("in_invoice")  # self-billed for the foreign supplier, issued by the company
        self.send(own)
        self.assert_valid(own)
        self.assertFalse(self.fetch())

    # --- rejection and cancellation ---------------------------------------------------------
    def test_a_rejection_within_72_hours_reaches_lhdn(self):
        self.issue_three()
        credit = self.fetch().filtered(lambda d: d.type_code == "02")
        self.assertTrue(credit.can_reject)
        self.reject(credit, "Not ours: we returned nothing")
        at_lhdn = self.emulator.documents[credit.uuid]
        self.assertTrue(at_lhdn["rejectRequestDateTime"])
        self.assertEqual(at_lhdn["documentStatusReason"], "Not ours: we returned nothing")
        self.assertEqual(at_lhdn["status"], "Valid", "LHDN keeps it Valid until the supplier cancels")
        self.assertEqual(credit.state, "rejection_requested")
        self.assertIn("Not ours", " ".join(credit.move_id.message_ids.mapped("body")))
        with self.assertRaisesRegex(UserError, "already requested"):
            self.reject(credit)
        self.supplier.cancel(credit.uuid, "Rejection accepted")
        self.fetch()
        self.assertEqual((credit.state, credit.status_reason), ("cancelled", "Rejection accepted"))

    def test_after_72_hours_a_rejection_is_refused_with_guidance(self):
        self.issue_three()
        first, second = self.fetch().sorted("id")[:2]
        # Odoo knows the window is over: nothing is sent.
        first.validated_at = fields.Datetime.now() - datetime.timedelta(hours=73)
        with self.assertRaisesRegex(UserError, "credit note"):
            self.reject(first)
        self.assertFalse(self.emulator.documents[first.uuid]["rejectRequestDateTime"])
        # LHDN says the window is over (its clock ahead of ours): the same guidance.
        self.emulator.clock.advance(73 * 3600)
        with self.assertRaisesRegex(UserError, "credit note"):
            self.reject(second)
        self.assertEqual(second.state, "valid")
        self.assertFalse(self.emulator.documents[second.uuid]["rejectRequestDateTime"])

    def test_a_cancellation_by_the_supplier_shows_on_its_bill(self):
        _first, usd_uuid, _credit = self.issue_three()
        usd = self.fetch().filtered(lambda d: d.uuid == usd_uuid)
        self.supplier.cancel(usd_uuid, "Wrong exchange rate")
        self.fetch()
        bill = usd.move_id
        self.assertEqual(usd.state, "cancelled")
        self.assertEqual(bill.l10n_my_einvoice_received_state, "cancelled")
        self.assertIn("Wrong exchange rate", " ".join(bill.message_ids.mapped("body")))
        self.assertTrue(bill.activity_ids.filtered(lambda a: "cancelled" in (a.summary or "")))
        with self.assertRaisesRegex(UserError, "cancelled the e-invoice"):
            bill.action_post()

    def test_a_rejection_lost_on_our_side_is_read_back(self):
        _first, usd_uuid, _credit = self.issue_three()
        document = self.fetch().filtered(lambda d: d.uuid == usd_uuid)
        # Accepted by LHDN, but the transaction that recorded it never committed.
        self.company._l10n_my_einvoice_client().reject(usd_uuid, "Duplicate of PJ-2026-0099")
        self.assertEqual(document.state, "valid")
        self.fetch()
        self.assertEqual(document.state, "rejection_requested")
        self.assertEqual(document.rejection_reason, "Duplicate of PJ-2026-0099")

    def test_a_note_of_the_supplier_blocks_rejecting_its_original(self):
        first_uuid, _usd, _credit = self.issue_three()
        first = self.fetch().filtered(lambda d: d.uuid == first_uuid)
        with self.assertRaisesRegex(UserError, "references it"):
            self.reject(first)
        self.assertEqual(first.state, "valid")
