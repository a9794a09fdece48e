"""The consolidated e-invoice equals the books for the invoices real users post: the
seeded mix of test_books_equal_lhdn (price-included and fixed taxes, several taxes on a
line, a tax in the base of another, discounts, negative lines, down payments, both cash
roundings, early-payment discounts, four currencies) sold to walk-in buyers, then
refunded in the next month."""

import datetime
import random
from collections import defaultdict
from decimal import Decimal

from odoo.tests import tagged

from ..models.pipeline_consolidate import malaysia_today
from ..myinvois import ubl
from . import books_mix
from .common import MyInvoisFlowCase
from .test_consolidation import previous_month

CENT = Decimal("0.01")


def booked(value):
    return Decimal(str(value)).quantize(CENT)


@tagged("post_install", "-at_install")
class TestConsolidatedBooks(MyInvoisFlowCase):
    SEED = 20261202
    COUNT = 90

    def test_the_consolidated_month_equals_the_books_per_currency_and_tax_type(self):
        self.company.l10n_my_einvoice_consolidate = True
        walk_in = self.env["res.partner"].create({"name": "Walk-in", "country_id": self.env.ref("base.my").id})
        sales_month = previous_month(previous_month(malaysia_today()))
        refund_month = previous_month(malaysia_today())
        rng = random.Random(self.SEED)
        ctx = books_mix.create_context(self.env, self.company, self)
        ctx.update(customer=walk_in, date=sales_month + datetime.timedelta(days=9))
        values = [books_mix.move_values(rng, ctx, index) for index in range(self.COUNT)]
        moves = self.env["account.move"].create([v for v in values if v["move_type"] == "out_invoice"])
        moves.action_post()
        declared = moves.filtered(lambda m: m.l10n_my_einvoice_route == "consolidate")
        self.assertGreater(len(declared), self.COUNT // 2)
        self.assertEqual(
            moves - declared,
            moves.filtered(lambda m: abs(m.amount_total_signed) > 10000),
            "only the sales above RM10,000 are individual",
        )
        pipeline = self.env["l10n_my_einvoice.pipeline.consolidate"]
        documents = pipeline._cron(today=refund_month + datetime.timedelta(days=3))
        self.assert_valid_and_booked(documents, declared, sign=1)

        # A quarter refunded the next month: consolidated credit notes, to the sen again.
        refunds = declared[::4]._reverse_moves(
            [{"invoice_date": refund_month + datetime.timedelta(days=2)}] * len(declared[::4])
        )
        refunds.action_post()
        notes = pipeline._cron(today=malaysia_today().replace(day=3))
        self.assertEqual(set(notes.mapped("type_code")), {"02"})
        self.assert_valid_and_booked(notes, refunds, sign=-1)

    def assert_valid_and_booked(self, documents, moves, sign):
        self.send_queued()
        invalid = documents.filtered(lambda d: d.state != "valid")
        self.assertFalse(invalid.mapped(lambda d: (d.code_number, d.error_text)), f"seed {self.SEED}")
        self.assertEqual(documents.consolidated_move_ids, moves)
        sent_total, sent_tax = defaultdict(Decimal), defaultdict(Decimal)
        for document in documents:
            sent = ubl.from_xml(document.attachment_id.raw)
            sent_total[sent.currency] += sent.declared["PayableAmount"]
            for subtotal in sent.declared_tax_subtotals:
                if subtotal.type != "E":
                    sent_tax[(sent.currency, subtotal.type)] += subtotal.amount
        books_total, books_tax = defaultdict(Decimal), defaultdict(Decimal)
        for move in moves:
            books_total[move.currency_id.name] += sign * booked(move.amount_total_in_currency_signed)
            for line in move.line_ids.filtered(lambda line: line.display_type == "tax"):
                key = (move.currency_id.name, line.tax_line_id.l10n_my_tax_type or "06")
                books_tax[key] -= sign * booked(line.amount_currency)
        self.assertEqual(dict(sent_total), dict(books_total), "payable per currency")
        self.assertEqual(
            {k: v for k, v in sent_tax.items() if v}, {k: v for k, v in books_tax.items() if v}, "tax per type"
        )
