"""The monthly consolidated e-invoice, against the emulator: a month of B2C sales in two
journals is declared once, by range, to the sen; what may not be consolidated is not;
refunds of a later month are a consolidated credit note referencing the UUID."""

import datetime
from decimal import Decimal

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from ..models.account_move_route import month_start
from ..models.pipeline_consolidate import malaysia_today
from ..myinvois import ubl
from .common import MyInvoisFlowCase

NO_AGE = datetime.timedelta(0)


def previous_month(day):
    return month_start(month_start(day) - datetime.timedelta(days=1))


@tagged("post_install", "-at_install")
class TestConsolidation(MyInvoisFlowCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"l10n_my_einvoice_consolidate": True, "l10n_my_einvoice_consolidation_day": 3})
        my = cls.env.ref("base.my")
        cls.walk_in = cls.env["res.partner"].create({"name": "Walk-in customer", "country_id": my.id})
        cls.big_buyer = cls.env["res.partner"].create(
            {
                "name": "Tan Ah Kow",
                "country_id": my.id,
                "state_id": cls.env.ref("base.state_my_sgr").id,
                "city": "Shah Alam",
                "zip": "40000",
                "street": "No. 3, Jalan Kenari",
                "phone": "+60123456789",
                "l10n_my_identification_type": "NRIC",
                "l10n_my_identification_number": "800101145678",
            }
        )
        Tax = cls.env["account.tax"]
        common = {"type_tax_use": "sale", "amount_type": "percent", "company_id": cls.company.id}
        cls.sales_tax = Tax.create({**common, "name": "ST 10", "amount": 10, "l10n_my_tax_type": "01"})
        cls.service_tax = Tax.create({**common, "name": "SVT 8", "amount": 8, "l10n_my_tax_type": "02"})
        cls.exempt = Tax.create(
            {
                **common,
                "name": "Exempt",
                "amount": 0,
                "l10n_my_tax_type": "E",
                "l10n_my_tax_exemption_reason": "Exempt under Sales Tax Order 2018",
            }
        )
        cls.shop_journal = cls.company_data["default_journal_sale"].copy({"name": "Shop 2", "code": "SHP2"})
        # Two closed months: the sales in the first, refunds of some of them in the second.
        cls.sales_month = previous_month(previous_month(malaysia_today()))
        cls.refund_month = previous_month(malaysia_today())

    # --- helpers ---------------------------------------------------------------------------
    def sale_values(self, index, journal, partner=None, price=None, day=None):
        taxes = [self.sales_tax, self.service_tax, self.exempt]
        lines = [
            Command.create(
                {
                    "product_id": self.product_a.id,
                    "quantity": 1 + index % 3,
                    "price_unit": price or 10 + (index % 17) * 1.37,
                    "discount": 10 if index % 5 == 0 else 0,
                    "tax_ids": [Command.set(taxes[index % 3].ids)],
                }
            )
        ]
        if index % 4 == 0:  # a second line of another tax type
            lines.append(
                Command.create(
                    {
                        "product_id": self.product_b.id,
                        "price_unit": 4.99,
                        "tax_ids": [Command.set(taxes[(index + 1) % 3].ids)],
                    }
                )
            )
        return {
            "move_type": "out_invoice",
            "partner_id": (partner or self.walk_in).id,
            "journal_id": journal.id,
            "invoice_date": day or self.sales_month + datetime.timedelta(days=index % 28),
            "invoice_line_ids": lines,
        }

    def post_sales(self, journal, count, special=None):
        """``count`` sales in ``journal``, created and posted at once (Odoo numbers them by
        date); ``special``: {index: extra values} for the ones that are not walk-in sales."""
        values = [{**self.sale_values(index, journal), **(special or {}).get(index, {})} for index in range(count)]
        moves = self.env["account.move"].create(values)
        moves.action_post()
        return moves

    def run_cron(self, today):
        return self.env["l10n_my_einvoice.pipeline.consolidate"]._cron(today=today)

    # --- the month ---------------------------------------------------------------------------
    def test_a_month_of_sales_is_declared_once_by_range_to_the_sen(self):
        big = {
            "partner_id": self.big_buyer.id,
            "invoice_line_ids": self.sale_values(0, self.shop_journal, price=12000)["invoice_line_ids"],
        }
        moves_a = self.post_sales(
            self.company_data["default_journal_sale"],
            250,
            special={99: big, 199: {"l10n_my_einvoice_individual": True, "partner_id": self.big_buyer.id}},
        )
        moves_b = self.post_sales(self.shop_journal, 250, special={149: {"partner_id": self.customer.id}})
        same_month_refund = moves_a[10]._reverse_moves(
            [{"invoice_date": self.sales_month + datetime.timedelta(days=27), "ref": "Returned"}]
        )
        same_month_refund.action_post()
        individual = moves_a[99] | moves_a[199] | moves_b[149]
        consolidated = (moves_a | moves_b | same_month_refund) - individual

        self.assertEqual(set(consolidated.mapped("l10n_my_einvoice_route")), {"consolidate"})
        self.assertEqual(individual.mapped("l10n_my_einvoice_route"), ["individual"] * 3)
        self.assertEqual(moves_a[99].l10n_my_einvoice_individual_reason, "over_limit")
        self.assertEqual(moves_a[199].l10n_my_einvoice_individual_reason, "requested")
        self.assertFalse(moves_b[149].l10n_my_einvoice_individual_reason, "a buyer with a TIN: an ordinary e-invoice")
        with self.assertRaisesRegex(UserError, "waits for the consolidated e-invoice"):
            moves_a[0].action_l10n_my_einvoice_submit()

        documents = self.run_cron(self.refund_month + datetime.timedelta(days=2))
        self.assertEqual(len(documents), 1, "one MYR document: 500 receipts by range fit in one")
        document = documents
        self.assertEqual(document.receipt_count, len(consolidated))
        self.assertEqual(consolidated.l10n_my_einvoice_consolidated_document_id, document)
        self.assertFalse(individual.l10n_my_einvoice_consolidated_document_id)
        self.assertFalse(self.run_cron(self.refund_month + datetime.timedelta(days=3)), "a second run declares nothing")

        self.send_queued()
        self.assertEqual(document.state, "valid", document.error_text)
        self.assertEqual(consolidated.mapped("l10n_my_einvoice_consolidated_state"), ["valid"] * len(consolidated))
        self.assertTrue(consolidated[0].l10n_my_einvoice_consolidated_link)
        sent = self.read_back(document)
        self.assertTrue(sent.consolidated)
        self.assertEqual(sent.buyer.tin, "EI00000000010")

        # Lines: one per continuous range per journal, a new one at every gap; the refund alone.
        def ranges(moves):
            ordered = moves.sorted("sequence_number")
            chunks, chunk = [], [ordered[0]]
            for move in ordered[1:]:
                if move.sequence_number == chunk[-1].sequence_number + 1:
                    chunk.append(move)
                else:
                    chunks.append(chunk)
                    chunk = [move]
            return chunks + [chunk]

        expected = [f"Receipts {chunk[0].name} - {chunk[-1].name}" for chunk in ranges(moves_a - individual)]
        expected += [f"Receipts {chunk[0].name} - {chunk[-1].name}" for chunk in ranges(moves_b - individual)]
        self.assertEqual(len(expected), 5, "gaps at the big sale, the requested one and the B2B sale")
        descriptions = [line.description for line in sent.lines]
        self.assertCountEqual(descriptions[:5], expected)
        self.assertEqual(descriptions[5], f"Refund {same_month_refund.name} of {moves_a[10].name}")
        self.assertEqual({code for line in sent.lines for code in line.classifications}, {"004"})

        # What LHDN holds equals the books: the total and the tax of every type, to the sen.
        books_total = sum(Decimal(str(move.amount_total_signed)) for move in consolidated)
        self.assertEqual(sent.amounts().payable, books_total.quantize(Decimal("0.01")))
        self.assertEqual(sent.declared["PayableAmount"], sent.amounts().payable)
        tax_lines = consolidated.line_ids.filtered(lambda line: line.display_type == "tax")
        for tax_type in ("01", "02"):
            booked = -sum(
                Decimal(str(line.balance)) for line in tax_lines if line.tax_line_id.l10n_my_tax_type == tax_type
            )
            declared = sum(s.amount for s in sent.declared_tax_subtotals if s.type == tax_type)
            self.assertEqual(declared, booked.quantize(Decimal("0.01")), f"tax type {tax_type}")
        exempt_base = -sum(
            Decimal(str(line.balance))
            for line in consolidated.line_ids
            if line.display_type == "product" and self.exempt in line.tax_ids
        )
        self.assertEqual(
            sum(s.taxable_amount for s in sent.declared_tax_subtotals if s.type == "E"),
            exempt_base.quantize(Decimal("0.01")),
        )

        # The big sale and the requested one: individual e-invoices, Valid.
        self.send(moves_a[99] | moves_a[199])
        self.assert_valid(moves_a[99])
        self.assert_valid(moves_a[199])
        self.assertEqual(
            ubl.from_xml(moves_a[99].l10n_my_einvoice_document_id.attachment_id.raw).buyer.id_number, "800101145678"
        )

        # A declared sale is locked; its correction is a credit note.
        with self.assertRaisesRegex(UserError, "consolidated e-invoice"):
            consolidated[0].button_draft()

        # Next month: two refunds of declared sales -> one consolidated credit note referencing it.
        refunds = (moves_a[20] | moves_b[30])._reverse_moves(
            [{"invoice_date": self.refund_month + datetime.timedelta(days=4)}] * 2
        )
        refunds.action_post()
        self.assertEqual(refunds.mapped("l10n_my_einvoice_route"), ["consolidate"] * 2)
        notes = self.run_cron(malaysia_today().replace(day=3))
        self.assertEqual(notes.mapped("type_code"), ["02"])
        self.send_queued()
        self.assertEqual(notes.state, "valid", notes.error_text)
        note = self.read_back(notes)
        self.assertEqual([(r.uuid, r.number) for r in note.billing_references], [(document.uuid, document.code_number)])
        self.assertEqual(note.amounts().payable, sum(Decimal(str(-m.amount_total_signed)) for m in refunds))
        self.assertEqual(refunds.l10n_my_einvoice_consolidated_document_id, notes)

    def test_a_crash_between_signing_and_sending_is_reconciled_not_resent(self):
        self.post_sales(self.company_data["default_journal_sale"], 12)
        # Turned off after posting: what waits is still declared (the route was decided then).
        self.company.l10n_my_einvoice_consolidate = False
        (document,) = self.run_cron(self.refund_month + datetime.timedelta(days=3))
        self.emulator.inject("submit", "drop_after_accept")
        self.env["account.move"]._cron_l10n_my_einvoice_submit()
        self.assertEqual(document.state, "sending")
        self.lhdn_is_back()
        self.env["account.move"]._l10n_my_einvoice_reconcile_sending(min_age=NO_AGE)
        self.send_queued()
        self.assertEqual(document.state, "valid", document.error_text)
        self.assertEqual(len(self.emulator.documents_by_code(document.code_number)), 1, "sent once")
        move = document.consolidated_move_ids[0]
        with self.assertRaisesRegex(UserError, "consolidated e-invoice"):
            move.button_draft()

    def test_what_may_not_be_consolidated_stays_individual_and_says_why(self):
        self.company.l10n_my_einvoice_excluded_activity = "automotive"
        move = self.post_sales(self.company_data["default_journal_sale"], 1)
        self.assertEqual(move.l10n_my_einvoice_route, "individual")
        self.assertEqual(move.l10n_my_einvoice_individual_reason, "excluded_activity")
        self.company.l10n_my_einvoice_excluded_activity = False
        # Exactly RM10,000.00 including tax may be consolidated (the guideline: "exceeding").
        exact = self.env["account.move"].create(
            {
                **self.sale_values(1, self.company_data["default_journal_sale"]),
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": self.product_a.id,
                            "price_unit": 10000,
                            "tax_ids": [Command.set(self.exempt.ids)],
                        }
                    )
                ],
            }
        )
        exact.action_post()
        self.assertEqual(exact.l10n_my_einvoice_route, "consolidate")
        # The accountant is told what the month does not declare.
        wizard = self.env["l10n_my_einvoice.consolidate.wizard"].create({"month": self.sales_month})
        self.assertIn(move.name, wizard.individual_note)
        # A waiting sale whose buyer now asks: an individual e-invoice, once.
        waiting = self.post_sales(self.company_data["default_journal_sale"], 1, {0: {"partner_id": self.big_buyer.id}})
        self.assertEqual(waiting.l10n_my_einvoice_route, "consolidate", "an NRIC without a TIN asks for nothing")
        waiting.action_l10n_my_einvoice_issue_individual()
        self.assertEqual(waiting.l10n_my_einvoice_route, "individual")
        self.assertEqual(waiting.l10n_my_einvoice_state, "queued")

    def test_consolidate_now_previews_then_declares(self):
        self.post_sales(self.company_data["default_journal_sale"], 30)
        self.assertEqual(
            self.env["l10n_my_einvoice.consolidate.wizard"].create({}).month, self.refund_month, "last month"
        )
        wizard = self.env["l10n_my_einvoice.consolidate.wizard"].create({"month": self.sales_month})
        self.assertFalse(wizard.problem)
        self.assertEqual((wizard.receipt_count, wizard.line_count, wizard.document_count), (30, 1, 1))
        self.assertIn("Sales Tax", wizard.preview_html)
        action = wizard.action_consolidate()
        record = self.env["l10n_my_einvoice.consolidation"].browse(action["res_id"])
        self.assertEqual(record.receipt_count, 30)
        again = self.env["l10n_my_einvoice.consolidate.wizard"].create({"month": self.sales_month})
        self.assertEqual(again.receipt_count, 0, "nothing left to declare")
        with self.assertRaisesRegex(UserError, "Nothing waits"):
            again.action_consolidate()
        current = self.env["l10n_my_einvoice.consolidate.wizard"].create({"month": malaysia_today()})
        with self.assertRaisesRegex(UserError, "not over yet"):
            current.action_consolidate()

    def test_an_unconsolidated_closed_month_gets_an_activity_on_the_5th(self):
        self.company.l10n_my_einvoice_msic_id = False  # consolidation fails: the company's MSIC is missing
        self.post_sales(self.company_data["default_journal_sale"], 3)
        self.run_cron(self.refund_month + datetime.timedelta(days=4))
        record = self.env["l10n_my_einvoice.consolidation"].search([("month", "=", self.sales_month)])
        self.assertIn("MSIC", " ".join(record.message_ids.mapped("body")))
        self.assertEqual(len(record.activity_ids), 1)
        self.run_cron(self.refund_month + datetime.timedelta(days=5))
        self.assertEqual(len(record.activity_ids), 1, "one reminder, not one per run")

    def test_foreign_currency_and_consolidated_self_billing_get_their_own_documents(self):
        usd = self.setup_other_currency("USD", rates=[("2000-01-01", 0.25)])  # MYR 4.00 per USD
        journal = self.company_data["default_journal_sale"]
        myr_sales = self.post_sales(journal, 3)
        usd_sales = self.post_sales(journal, 2, {0: {"currency_id": usd.id}, 1: {"currency_id": usd.id}})
        farmer = self.env["res.partner"].create(
            {
                "name": "Pak Ali (smallholder)",
                "country_id": self.env.ref("base.my").id,
                "l10n_my_einvoice_self_billed": True,
                "l10n_my_einvoice_self_billed_case": "individual",
            }
        )
        bill = self.env["account.move"].create(
            {
                "move_type": "in_invoice",
                "partner_id": farmer.id,
                "invoice_date": self.sales_month + datetime.timedelta(days=3),
                "invoice_line_ids": [
                    Command.create({"product_id": self.product_a.id, "price_unit": 850.0, "tax_ids": [Command.clear()]})
                ],
            }
        )
        bill.action_post()
        self.assertEqual(bill.l10n_my_einvoice_route, "consolidate")
        documents = self.run_cron(self.refund_month + datetime.timedelta(days=3))
        self.assertEqual(sorted(documents.mapped("type_code")), ["01", "01", "11"])
        self.send_queued()
        self.assertEqual(set(documents.mapped("state")), {"valid"}, documents.mapped("error_text"))
        by_currency = {d.currency_id.name: d for d in documents if d.type_code == "01"}
        usd_doc = self.read_back(by_currency["USD"])
        self.assertEqual(usd_doc.currency, "USD")
        self.assertEqual(usd_doc.exchange_rate, Decimal("4"))
        self.assertEqual(
            usd_doc.amounts().payable, sum(Decimal(str(m.amount_total)) for m in usd_sales).quantize(Decimal("0.01"))
        )
        self.assertEqual(by_currency["MYR"].consolidated_move_ids, myr_sales)
        self_billed = self.read_back(documents.filtered(lambda d: d.type_code == "11"))
        self.assertEqual((self_billed.supplier.tin, self_billed.supplier.msic), ("EI00000000010", "00000"))
        self.assertEqual(self_billed.buyer.tin, self.company.vat)
        self.assertEqual(self_billed.amounts().payable, Decimal("850.00"))
        # A declared sale prints as a normal receipt: no MyInvois QR code of its own.
        self.assertFalse(myr_sales[0]._l10n_my_einvoice_qr_base64())

    def test_a_run_working_from_a_stale_view_declares_nothing_twice(self):
        """What a second, concurrent run would hold: the sales it collected before the first
        run declared them. Marking them is refused and its documents are rolled back."""
        self.post_sales(self.company_data["default_journal_sale"], 5)
        room = self.env["l10n_my_einvoice.pipeline.consolidate"]
        stale = room._collect(self.company, self.sales_month, self.refund_month - datetime.timedelta(days=1))
        (first,) = room._consolidate(self.company, self.sales_month)
        record = first.consolidation_id
        planned = room._plan(self.company, record, stale)
        Document = self.env["l10n_my_einvoice.document"]
        before = Document.search_count([])
        with self.assertRaisesRegex(UserError, "declared by another run meanwhile"):
            with self.env.cr.savepoint():
                room._create_documents(self.company, record, planned)
        self.assertEqual(Document.search_count([]), before)
        self.assertEqual(sorted(first.consolidated_move_ids.ids), sorted(s.id for s in stale))
