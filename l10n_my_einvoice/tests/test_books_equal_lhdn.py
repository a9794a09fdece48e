"""What LHDN holds equals the books: a seeded mix of 200+ posted moves, all Valid at
the emulator, each declared with Odoo's own amounts to the sen."""

from decimal import Decimal

from odoo.tests import tagged

from ..models.mapping_amounts import decimal
from ..myinvois.document import money
from . import books_mix
from .common import MyInvoisFlowCase


@tagged("post_install", "-at_install")
class TestBooksEqualLhdn(MyInvoisFlowCase):
    SEED = 20261201
    COUNT = 170  # and a credit note of every fourth invoice: 200+ moves

    def send_all(self, moves):
        self.send(moves)
        self.assertFalse(
            moves.filtered(lambda m: m.l10n_my_einvoice_state != "valid").mapped(
                lambda m: (m.name, m.l10n_my_einvoice_state, m.l10n_my_einvoice_errors)
            ),
            f"every move of seed {self.SEED} is Valid",
        )

    def test_every_move_is_declared_as_booked(self):
        moves = books_mix.generate(self.env, self.company, self, self.COUNT, self.SEED)
        self.send_all(moves)
        originals = moves[::4]
        notes = originals._reverse_moves(
            default_values_list=[
                {"invoice_date": move.invoice_date, "ref": f"Return of {move.name}"} for move in originals
            ]
        )
        notes.action_post()
        self.send_all(notes)
        everything = moves + notes
        self.assertGreaterEqual(len(everything), 200)
        self.assert_mix_covers_every_case(everything)
        for move in everything:
            with self.subTest(move=move.name, seed=self.SEED):
                self.assert_declared_as_booked(move)
        for note, original in zip(notes, originals, strict=True):
            reference = self.sent(note).billing_references[0]
            self.assertEqual((reference.uuid, reference.number), (original.l10n_my_einvoice_uuid, original.name))

    # --- helpers -----------------------------------------------------------------------------
    def sent(self, move):
        return self.assert_valid(move)

    def assert_declared_as_booked(self, move):
        sent = self.sent(move)
        totals = sent.declared
        self.assertEqual(totals["PayableAmount"], money(decimal(move.amount_total)), "payable = Odoo's total")
        self.assertEqual(totals["TaxAmount"], money(decimal(move.amount_tax)), "tax = Odoo's tax")
        self.assertEqual(
            totals["TaxExclusiveAmount"] + totals.get("PayableRoundingAmount", Decimal(0)),
            money(decimal(move.amount_untaxed)),
            "untaxed (with a rounding line) = Odoo's untaxed",
        )
        declared_lines = move.line_ids.filtered(lambda line: line.display_type in ("product", "epd"))
        self.assertEqual(len(sent.lines), len(declared_lines), "sections, notes and rounding are not lines")
        # Each LHDN tax type = the tax journal items of that type, in the move currency.
        sign = -1 if move.is_inbound() else 1
        tax_lines = move.line_ids.filtered("tax_repartition_line_id")
        booked = {}
        for line in tax_lines:
            tax_type = line.tax_line_id.l10n_my_tax_type
            booked[tax_type] = booked.get(tax_type, Decimal("0.00")) + sign * decimal(line.amount_currency, 2)
        declared = {}
        for subtotal in sent.declared_tax_subtotals:
            declared[subtotal.type] = declared.get(subtotal.type, Decimal("0.00")) + subtotal.amount
        for tax_type in set(booked) | set(declared):
            self.assertEqual(declared.get(tax_type, 0), booked.get(tax_type, 0), f"tax type {tax_type}")
        # The MYR tax LHDN derives (tax x rate) against Odoo's company-currency tax: Odoo
        # converts and rounds every tax journal item, LHDN the total once, so they may
        # differ by half a sen per tax journal item (docs/workflows.md).
        if sent.currency != "MYR":
            myr_tax = money(totals["TaxAmount"] * sent.exchange_rate)
            company_tax = sum((sign * decimal(line.balance, 2) for line in tax_lines), Decimal("0.00"))
            self.assertLessEqual(abs(myr_tax - company_tax), Decimal("0.005") * max(len(tax_lines), 1))
            self.assertEqual(sent.exchange_rate, round(1 / decimal(move.invoice_currency_rate), 10).normalize())

    def assert_mix_covers_every_case(self, moves):
        lines = moves.invoice_line_ids
        taxes = lines.tax_ids
        cases = {
            "price-included tax": any(taxes.mapped("price_include")),
            "price-excluded tax": not all(taxes.mapped("price_include")),
            "three taxes on a line": any(len(line.tax_ids) == 3 for line in lines),
            "no tax on a line": any(not line.tax_ids for line in lines),
            "fixed tax": "fixed" in taxes.mapped("amount_type"),
            "exempt": "E" in taxes.mapped("l10n_my_tax_type"),
            "not applicable": "06" in taxes.mapped("l10n_my_tax_type"),
            "tax in the base of the next": any(taxes.mapped("include_base_amount")),
            "line discount": any(lines.mapped("discount")),
            "100% discount": 100 in lines.mapped("discount"),
            "global discount (negative price)": any(line.price_unit < 0 for line in lines),
            "down-payment deduction (negative quantity)": any(line.quantity < 0 for line in lines),
            "rounding line": "add_invoice_line" in moves.invoice_cash_rounding_id.mapped("strategy"),
            "rounding on the biggest tax": "biggest_tax" in moves.invoice_cash_rounding_id.mapped("strategy"),
            "early-payment discount": "epd" in moves.line_ids.mapped("display_type"),
            "section and note lines": {"line_section", "line_note"} <= set(moves.line_ids.mapped("display_type")),
            "credit notes": "out_refund" in moves.mapped("move_type"),
            "self-billed": "in_invoice" in moves.mapped("move_type"),
            "self-billed credit notes": "in_refund" in moves.mapped("move_type"),
        }
        for currency in ("MYR", "USD", "SGD", "EUR"):
            cases[currency] = currency in moves.currency_id.mapped("name")
        self.assertEqual([case for case, covered in cases.items() if not covered], [], "cases the mix never drew")
