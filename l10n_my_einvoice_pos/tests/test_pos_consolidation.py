"""A month of POS receipts in the monthly consolidated e-invoice, against the emulator:
every receipt declared once, one line per continuous range, refunds on lines of their
own, the totals equal to the orders' to the sen; a refund in a later month is a
consolidated credit note referencing the sale's document."""

import datetime
from decimal import Decimal

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.l10n_my_einvoice.models.account_move_route import month_start
from odoo.addons.l10n_my_einvoice.models.pipeline_consolidate import malaysia_today
from odoo.addons.l10n_my_einvoice.tests.common import MyInvoisFlowCase
from odoo.addons.point_of_sale.tests.common import TestPoSCommon

CENT = Decimal("0.01")


def previous_month(day):
    return month_start(month_start(day) - datetime.timedelta(days=1))


def receipt_number(order):
    return int(order.pos_reference.rsplit("-", 1)[1])


def amount(value):
    return Decimal(str(value)).quantize(CENT)


@tagged("post_install", "-at_install")
class TestPosConsolidation(MyInvoisFlowCase, TestPoSCommon):
    """The MyInvois company (MyInvoisFlowCase: l10n_my, configured against a fresh emulator)
    with point_of_sale's own test shop (TestPoSCommon: basic_config, cash and bank)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"l10n_my_einvoice_consolidate": True, "l10n_my_einvoice_consolidation_day": 3})
        Tax = cls.env["account.tax"]
        common = {"type_tax_use": "sale", "amount_type": "percent", "company_id": cls.company.id}
        cls.sales_tax = Tax.create({**common, "name": "ST 10", "amount": 10, "l10n_my_tax_type": "01"})
        cls.service_tax = Tax.create({**common, "name": "SVT 8", "amount": 8, "l10n_my_tax_type": "02"})
        cls.goods = cls.create_product("Kopi beans 1 kg", cls.categ_basic, 38.90, tax_ids=cls.sales_tax.ids)
        cls.service = cls.create_product("Latte art class", cls.categ_basic, 45.55, tax_ids=cls.service_tax.ids)
        cls.snack = cls.create_product("Kuih lapis", cls.categ_basic, 2.35)  # no tax: type 06
        (cls.goods | cls.service | cls.snack).is_storable = False
        # Two closed months: the sales in the first, a late refund of one of them in the second.
        cls.refund_month = previous_month(malaysia_today())
        cls.sales_month = previous_month(cls.refund_month)

    def setUp(self):
        super().setUp()
        self.config = self.basic_config

    # --- helpers ---------------------------------------------------------------------------
    def open_session(self):
        return self._start_pos_session(self.cash_pm1 | self.bank_pm1, 0)

    def close_session(self, session):
        cash = sum(
            session.order_ids.payment_ids.filtered(lambda p: p.payment_method_id == self.cash_pm1).mapped("amount")
        )
        session.post_closing_cash_details(cash)
        session.close_session_from_ui()
        self.assertEqual(session.state, "closed")

    def refund(self, order):
        refund = order._refund()
        self.make_payment(refund, self.cash_pm1, refund.amount_total)
        self.assertEqual(refund.state, "paid")
        return refund

    def date_in(self, orders, month):
        """The orders as sold on the 10th of ``month``, in their order, ten minutes apart."""
        start = datetime.datetime.combine(month.replace(day=10), datetime.time(1, 0))  # 09:00 Malaysia time
        for index, order in enumerate(orders.sorted("id")):
            order.date_order = start + datetime.timedelta(minutes=10 * index)

    def consolidate(self, month):
        """The daily cron, on the 3rd of the month after ``month`` (the company's day)."""
        today = month_start(month + datetime.timedelta(days=31)).replace(day=3)
        return self.env["l10n_my_einvoice.pipeline.consolidate"]._cron(today=today)

    def expected_lines(self, sales, refunds):
        """One line per continuous range of receipt numbers, then one per refund."""
        ranges = []
        for order in sales.sorted(receipt_number):
            if ranges and receipt_number(order) == receipt_number(ranges[-1][-1]) + 1:
                ranges[-1].append(order)
            else:
                ranges.append([order])
        lines = [
            f"Receipts {chunk[0].pos_reference} - {chunk[-1].pos_reference}"
            if len(chunk) > 1
            else f"Receipt {chunk[0].pos_reference}"
            for chunk in ranges
        ]
        return lines + [f"Refund {r.pos_reference} of {r.refunded_order_id.pos_reference}" for r in refunds]

    # --- the month ---------------------------------------------------------------------------
    def test_a_month_of_receipts_is_declared_once_to_the_sen(self):
        session = self.open_session()
        params = []
        for index in range(48):
            lines = [(self.goods, 1 + index % 3, 10 if index % 7 == 0 else 0)]
            if index % 2:  # two tax rates (and types) on one receipt
                lines.append((self.service, 1))
            if index % 5 == 0:
                lines.append((self.snack, 4))
            params.append({"pos_order_lines_ui_args": lines})
        # A buyer who asks for an e-invoice is invoiced in the POS: the invoice is the sale.
        params.insert(
            20, {"pos_order_lines_ui_args": [(self.goods, 2)], "customer": self.customer, "is_invoiced": True}
        )
        orders = self.env["pos.order"].browse([o.id for o in self._create_orders(params).values()]).sorted("id")
        invoiced = orders.filtered("account_move")
        self.assertEqual(len(invoiced), 1)
        sales = orders - invoiced
        refunds = self.refund(sales[3]) | self.refund(sales[40])
        self.close_session(session)
        receipts = sales | refunds
        self.assertEqual(len(receipts), 50)
        self.date_in(orders | refunds, self.sales_month)

        documents = self.consolidate(self.sales_month)
        self.assertTrue(documents)
        self.assertEqual(set(documents.mapped("type_code")), {"01"}, "the month's own refunds are on its invoice")
        self.assertTrue(all(receipts.mapped("l10n_my_einvoice_consolidated_document_id")), "every receipt declared")
        self.assertEqual(receipts.l10n_my_einvoice_consolidated_document_id, documents)
        self.assertEqual(documents.consolidated_pos_order_ids, receipts)
        self.assertFalse(invoiced.l10n_my_einvoice_consolidated_document_id, "the invoice declares that sale")
        self.assertEqual(sum(documents.mapped("receipt_count")), 50)
        books_total = sum(amount(order.amount_total) for order in receipts)
        self.assertEqual(sum(amount(document.amount_total) for document in documents), books_total)
        self.assertFalse(self.consolidate(self.sales_month), "a second run declares nothing")

        self.send_queued()
        self.assertEqual(documents.mapped("state"), ["valid"] * len(documents), documents.mapped("error_text"))
        self.assertEqual(set(receipts.mapped("l10n_my_einvoice_consolidated_state")), {"valid"})
        self.assertEqual(len(receipts[0].l10n_my_einvoice_consolidated_uuid), 26)
        self.assertTrue(receipts[0].l10n_my_einvoice_consolidated_link)

        sent = [self.read_back(document) for document in documents]
        self.assertTrue(all(document.consolidated for document in sent))
        self.assertEqual({document.buyer.tin for document in sent}, {"EI00000000010"})
        descriptions = [line.description for document in sent for line in document.lines]
        expected = self.expected_lines(sales, refunds)
        self.assertEqual(len(expected), 4, "two ranges (the invoiced order breaks the numbering), two refunds")
        self.assertCountEqual(descriptions, expected)
        # What LHDN holds equals the orders: the total and the tax of each type, to the sen.
        self.assertEqual(sum(document.amounts().payable for document in sent), books_total)
        for tax, tax_type in ((self.sales_tax, "01"), (self.service_tax, "02")):
            lines = receipts.lines.filtered(lambda line: tax in line.tax_ids)
            booked = sum(amount(line.price_subtotal_incl) - amount(line.price_subtotal) for line in lines)
            declared = sum(s.amount for d in sent for s in d.declared_tax_subtotals if s.type == tax_type)
            self.assertEqual(declared, booked, f"tax type {tax_type}")

        # A declared receipt cannot be invoiced as well: the sale would be declared twice.
        with self.assertRaisesRegex(UserError, "declared to LHDN in the consolidated e-invoice"):
            sales[0].action_pos_order_invoice()

        # Next month: a refund of a declared sale -> a consolidated credit note referencing it.
        session = self.open_session()
        late_refund = self.refund(sales[10])
        self.close_session(session)
        self.date_in(late_refund, self.refund_month)
        notes = self.consolidate(self.refund_month)
        self.assertEqual(notes.mapped("type_code"), ["02"])
        self.assertEqual(late_refund.l10n_my_einvoice_consolidated_document_id, notes)
        self.send_queued()
        self.assertEqual(notes.state, "valid", notes.error_text)
        note = self.read_back(notes)
        original = sales[10].l10n_my_einvoice_consolidated_document_id
        self.assertEqual([(r.uuid, r.number) for r in note.billing_references], [(original.uuid, original.code_number)])
        self.assertEqual(note.amounts().payable, -amount(late_refund.amount_total))
        self.assertEqual(
            [line.description for line in note.lines],
            [f"Refund {late_refund.pos_reference} of {sales[10].pos_reference}"],
        )

    def test_what_is_not_consolidated(self):
        """Another month, a sale above RM10,000 and a company that does not consolidate are
        left out; a receipt's amounts are the order's."""
        session = self.open_session()
        big = self.create_product("Espresso machine", self.categ_basic, 10500.00)
        big.is_storable = False
        params = [{"pos_order_lines_ui_args": [(self.goods, 1)]} for _index in range(3)]
        params.append({"pos_order_lines_ui_args": [(big, 1)]})
        orders = self.env["pos.order"].browse([o.id for o in self._create_orders(params).values()]).sorted("id")
        self.close_session(session)
        self.date_in(orders, self.sales_month)
        orders[2].date_order = datetime.datetime.combine(self.refund_month, datetime.time(1, 0))
        Consolidate = self.env["l10n_my_einvoice.pipeline.consolidate"]
        month_end = self.refund_month - datetime.timedelta(days=1)
        with self.assertLogs("odoo.addons.l10n_my_einvoice_pos", "WARNING") as logs:
            sources = Consolidate._collect(self.company, self.sales_month, month_end)
        self.assertIn("1 POS order(s)", logs.output[0])
        # ... and named to the accountant (the wizard, the reminder on the 5th).
        self.assertEqual(
            Consolidate._needs_individual(self.company, self.sales_month, month_end), [orders[3].pos_reference]
        )
        self.assertEqual([s.id for s in sources if s.model == "pos.order"], orders[:2].ids)
        receipt = sources[0].receipt
        self.assertEqual(receipt.number, orders[0].pos_reference)
        self.assertEqual(receipt.date, self.sales_month.replace(day=10))
        self.assertEqual([(t.type, t.taxable, t.amount) for t in receipt.taxes], [("01", amount(38.90), amount(3.89))])
        self.assertEqual(receipt.total, amount(orders[0].amount_total))
        # The month is due at the cron even though no move waits in it.
        due = Consolidate._months_due(self.company, month_start(malaysia_today()).replace(day=3))
        self.assertEqual(due, [self.sales_month, self.refund_month])
        self.company.l10n_my_einvoice_consolidate = False
        self.assertFalse(Consolidate._collect(self.company, self.sales_month, month_end))
