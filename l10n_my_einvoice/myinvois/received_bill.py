"""What a vendor bill must hold for a received e-invoice to equal it, to the sen.

``plan_bill`` reads the Document LHDN validated (ubl.from_xml of the signed file)
and gives the bill's lines as an ERP writes them: quantity, unit price and a
discount percentage rounded to the ERP's precision. Where that rounding would move a
line's amount away from the document's, an adjustment line with the same taxes
carries the difference, so every tax base and the untaxed total are the document's.
The tax each (type, rate) must total is given too; the ERP corrects its own rounding
of the tax to it (as Odoo's UBL import does). Document-level allowances and charges
and the rounding amount become lines without tax, as they are in the document.

A document that is no purchase of the company (a self-billed document issued to it
as the supplier, or one where it is not the buyer) raises NotABill.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from . import codes
from .document import CREDIT_NOTE, DEBIT_NOTE, INVOICE, REFUND_NOTE, money

KINDS = {INVOICE: "invoice", CREDIT_NOTE: "credit_note", DEBIT_NOTE: "debit_note", REFUND_NOTE: "refund_note"}
REFUND_KINDS = frozenset({"credit_note", "refund_note"})
HUNDRED = Decimal(100)


class NotABill(ValueError):
    """The document is no purchase of the company; ``reason``: "self_billed_sale" or "not_buyer"."""

    def __init__(self, reason, message, buyer_tin=""):
        super().__init__(message)
        self.reason, self.buyer_tin = reason, buyer_tin


@dataclass(frozen=True)
class BillTax:
    type: str
    percent: Decimal = None  # None for a fixed amount per unit
    per_unit: Decimal = None
    amount: Decimal = Decimal("0.00")
    exemption_reason: str = ""

    @property
    def key(self):
        """(type, rate) a tax mapping is looked up by: the percent, or the amount per unit."""
        return self.type, self.percent if self.percent is not None else self.per_unit

    @property
    def charged(self):
        return self.type != "E" and bool(self.amount)


@dataclass(frozen=True)
class BillLine:
    description: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal  # excluding tax: what the ERP's line must come to
    discount: Decimal = Decimal(0)  # percent
    unit_code: str = ""
    taxes: tuple = ()  # BillTax
    kind: str = "line"  # line | adjustment | allowance | charge | rounding
    line_id: str = ""  # the document line's cbc:ID (the adjustment's too)


@dataclass
class BillPlan:
    kind: str
    number: str
    issued_at: object
    currency: str
    exchange_rate: Decimal
    supplier: object  # document.Party
    lines: list = field(default_factory=list)
    references: list = field(default_factory=list)  # (uuid, number) of the documents a note corrects
    untaxed: Decimal = Decimal("0.00")
    tax: Decimal = Decimal("0.00")
    total: Decimal = Decimal("0.00")  # untaxed + tax + rounding: what the bill totals
    prepaid: Decimal = Decimal("0.00")
    payable: Decimal = Decimal("0.00")
    payment_terms: str = ""
    tax_totals: dict = field(default_factory=dict)  # BillTax.key -> tax the document charges under it

    @property
    def is_refund(self):
        return self.kind in REFUND_KINDS


def plan_bill(document, company_tin, price_digits=2, discount_digits=2):
    """The BillPlan of ``document`` for the company with ``company_tin``, the ERP
    rounding unit prices to ``price_digits`` and discounts to ``discount_digits``."""
    tin = codes.normalize_tin(company_tin)
    if document.is_self_billed:
        raise NotABill(
            "self_billed_sale",
            "a self-billed e-invoice your customer issued for what you sold to it: it is a sale, not a bill",
        )
    if codes.normalize_tin(document.buyer.tin) != tin:
        raise NotABill(
            "not_buyer",
            f"its buyer is TIN {document.buyer.tin or '-'}, not the company's TIN {tin}",
            document.buyer.tin,
        )
    amounts = document.amounts()
    plan = BillPlan(
        kind=KINDS[document.type_code],
        number=document.number,
        issued_at=document.issued_at,
        currency=document.currency or "MYR",
        exchange_rate=document.exchange_rate,
        supplier=document.supplier,
        references=[(ref.uuid, ref.number) for ref in document.billing_references],
        payment_terms=document.payment_terms,
    )
    for line, line_amounts in zip(document.lines, amounts.lines, strict=True):
        plan.lines += _bill_lines(line, line_amounts, price_digits, discount_digits)
    for allowance, amount in zip(document.allowances, amounts.allowances, strict=True):
        sign = 1 if allowance.charge else -1
        reason = allowance.reason or ("Charge" if allowance.charge else "Discount")
        plan.lines.append(_plain_line(reason, sign * amount, "charge" if allowance.charge else "allowance"))
    if amounts.rounding:
        plan.lines.append(_plain_line("Rounding", amounts.rounding, "rounding"))
    plan.untaxed, plan.tax, plan.total, plan.payable = totals(document, amounts)
    plan.prepaid = amounts.prepaid
    for line in plan.lines:
        if line.kind == "line":
            for tax in line.taxes:
                if tax.charged:
                    plan.tax_totals[tax.key] = plan.tax_totals.get(tax.key, Decimal("0.00")) + tax.amount
    return plan


def totals(document, amounts=None):
    """(untaxed, tax, bill total, payable) of a received document: what it declares, else
    what its lines give. The bill total is the untaxed amount, the tax and the rounding:
    what a vendor bill of it totals, before any prepayment."""
    amounts = amounts or document.amounts()
    declared = document.declared or {}

    def value(name, computed):
        found = declared.get(name)
        return money(found) if found is not None else computed

    untaxed = value("TaxExclusiveAmount", amounts.tax_exclusive)
    tax = value("TaxAmount", amounts.tax_total)
    return untaxed, tax, untaxed + tax + amounts.rounding, value("PayableAmount", amounts.payable)


def _bill_lines(line, line_amounts, price_digits, discount_digits):
    taxes = tuple(
        BillTax(
            type=tax.type,
            percent=tax.percent if tax.per_unit_amount is None else None,
            per_unit=tax.per_unit_amount,
            amount=money(amount),
            exemption_reason=tax.exemption_reason,
        )
        for tax, (_taxable, amount) in zip(line.taxes, line_amounts.taxes, strict=True)
    )
    declared = line.declared.get("LineExtensionAmount")
    amount = money(declared) if declared is not None else line_amounts.total
    quantity = line.quantity if line.quantity is not None else Decimal(1)
    price = _round(line.unit_price or Decimal(0), price_digits)
    discount = Decimal(0)
    given = line_amounts.subtotal - line_amounts.total  # the supplier's own discounts less charges
    if line.allowances and line_amounts.subtotal and Decimal(0) < given <= abs(line_amounts.subtotal):
        discount = _round(given / line_amounts.subtotal * HUNDRED, discount_digits)
    written = money(price * quantity * (1 - discount / HUNDRED))
    main = BillLine(
        description=line.description or "-",
        quantity=quantity,
        unit_price=price,
        amount=written,
        discount=discount,
        unit_code=line.unit_code,
        taxes=taxes,
        line_id=line.id,
    )
    if written == amount:
        return [main]
    # Quantity x price x discount, each rounded as the ERP keeps it, misses the amount the
    # supplier declared: the rest goes on a line of its own, taxed alike.
    adjustment = BillLine(
        description=line.description or "-",  # the ERP names it "rounding of line <line_id>"
        quantity=Decimal(1),
        unit_price=amount - written,
        amount=amount - written,
        # a fixed tax per unit is charged on the main line's quantity, not again here
        taxes=tuple(
            BillTax(t.type, t.percent, None, Decimal("0.00"), t.exemption_reason) for t in taxes if t.per_unit is None
        ),
        kind="adjustment",
        line_id=line.id,
    )
    return [main, adjustment]


def _plain_line(description, amount, kind):
    return BillLine(description=description, quantity=Decimal(1), unit_price=amount, amount=amount, kind=kind)


def _round(value, digits):
    return Decimal(value).quantize(Decimal(1).scaleb(-int(digits)), rounding=ROUND_HALF_UP)
