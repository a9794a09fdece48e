"""A MyInvois document as plain data: parties, lines, taxes, totals.

Money is ``Decimal``. Totals follow LHDN's "mathematical mappings" (reference
§5.8): every line amount is rounded to 2 decimals once, tax per type is the sum
of the line taxes, and the monetary total is derived from those, so the numbers
LHDN recomputes are the numbers we send. The exchange rate is kept exact.

``Document.from_dict`` reads the JSON form described in docs/document-json.md
(document_input.py); ``validate`` (validation.py) lists every problem before
anything is sent.

The ``declared*`` fields hold what an XML document read back (ubl_read.py) says
about its own amounts, so that validation can compare it with what the lines give;
a document built in Python leaves them empty and the writer derives every amount.
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from . import codes

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
INVOICE, CREDIT_NOTE, DEBIT_NOTE, REFUND_NOTE = "01", "02", "03", "04"
SELF_BILLED_INVOICE, SELF_BILLED_CREDIT_NOTE, SELF_BILLED_DEBIT_NOTE, SELF_BILLED_REFUND_NOTE = "11", "12", "13", "14"
NOTE_TYPES = frozenset(
    {CREDIT_NOTE, DEBIT_NOTE, REFUND_NOTE, SELF_BILLED_CREDIT_NOTE, SELF_BILLED_DEBIT_NOTE, SELF_BILLED_REFUND_NOTE}
)
SELF_BILLED_TYPES = frozenset(
    {SELF_BILLED_INVOICE, SELF_BILLED_CREDIT_NOTE, SELF_BILLED_DEBIT_NOTE, SELF_BILLED_REFUND_NOTE}
)
VERSION = "1.1"


class DocumentError(ValueError):
    """Input that cannot even be read as a document (wrong type, bad number...)."""


def money(value):
    """Round to 2 decimals the way LHDN does (half up)."""
    if value.__class__ is not Decimal:  # most amounts are Decimals already: no copy
        value = Decimal(value)
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class Address:
    lines: list = field(default_factory=list)  # 1 to 3 address lines
    city: str = ""
    postal_zone: str = ""
    state: str = ""  # LHDN state code 01-17 (Malaysia), or state name/17 abroad
    country: str = codes.MALAYSIA  # ISO 3166-1 alpha-3


@dataclass
class Party:
    name: str = ""
    tin: str = ""
    id_type: str = ""  # BRN, NRIC, PASSPORT, ARMY
    id_number: str = ""
    sst: str = "NA"
    ttx: str = "NA"
    address: Address = field(default_factory=Address)
    phone: str = ""
    email: str = ""
    msic: str = ""  # supplier only
    activity: str = ""  # supplier only: business activity description
    certex: str = ""  # supplier only: certified exporter authorisation number

    @property
    def is_general_public(self):
        """The consolidated e-invoice's counterpart (reference §8.2, §8.3): the general
        public TIN *and* no ID. An individual identified by an NRIC may also carry the
        general TIN; that is an ordinary document, not a consolidated one."""
        return self.tin == codes.GENERAL_PUBLIC_TIN and self.id_number == "NA"


@dataclass
class AllowanceCharge:
    """A discount (``charge=False``) or a fee (``charge=True``), on a line or the document."""

    amount: Decimal = None
    reason: str = ""
    charge: bool = False
    rate: Decimal = None  # fraction (0.1 = 10 %); amount = base x rate when amount is not given

    def resolved_amount(self, base):
        if self.amount is not None:
            return money(self.amount)
        if self.rate is not None:
            return money(base * self.rate)
        return Decimal("0.00")  # neither given: validation names it


@dataclass
class Tax:
    """One tax type on one line. ``amount`` is the tax as the accounting computed it
    (taken as is, rounded to 2 decimals); without it, rate x taxable amount."""

    type: str = "06"
    percent: Decimal = None
    amount: Decimal = None
    taxable_amount: Decimal = None  # defaults to the line total excluding tax
    per_unit_amount: Decimal = None  # fixed-rate taxes (tourism tax per night...)
    base_unit_measure: Decimal = None
    base_unit_code: str = ""
    exemption_reason: str = ""

    def resolved_taxable(self, line_total):
        return money(self.taxable_amount) if self.taxable_amount is not None else line_total

    def resolved_amount(self, line_total):
        if self.amount is not None:
            return money(self.amount)
        if self.per_unit_amount is not None:
            return money(self.per_unit_amount * (self.base_unit_measure or Decimal(1)))
        if self.percent is not None:
            return money(self.resolved_taxable(line_total) * self.percent / 100)
        return Decimal("0.00")


@dataclass
class Line:
    description: str = ""
    quantity: Decimal = Decimal(1)
    unit_price: Decimal = Decimal(0)
    unit_code: str = ""
    classifications: list = field(default_factory=list)  # LHDN CLASS codes
    tariff_code: str = ""  # PTC (HS code)
    origin_country: str = ""
    allowances: list = field(default_factory=list)  # AllowanceCharge
    taxes: list = field(default_factory=list)  # Tax
    id: str = ""
    # Read from XML: LineExtensionAmount, ItemPriceExtension.Amount, TaxTotal.TaxAmount.
    declared: dict = field(default_factory=dict)

    def amounts(self):
        """Every amount of this line, computed once (LineAmounts)."""
        # A missing price or quantity counts as 0 here; validation names it.
        subtotal = money((self.unit_price or 0) * (self.quantity or 0))
        resolved = tuple(a.resolved_amount(subtotal) for a in self.allowances)
        discounts = charges = ZERO  # summed from ZERO as sum() did: the same signs of zero
        for allowance, amount in zip(self.allowances, resolved, strict=True):
            if allowance.charge:
                charges += amount
            else:
                discounts += amount
        total = subtotal - discounts + charges
        taxes = tuple((tax.resolved_taxable(total), tax.resolved_amount(total)) for tax in self.taxes)
        # An exempt (E) subtotal may state the tax that would have been due; it is not
        # charged, so it is not in the line's tax (reference §5.8, LHDN's MultiLineItem sample).
        tax_total = ZERO
        for tax, (_taxable, amount) in zip(self.taxes, taxes, strict=True):
            if tax.type != "E":
                tax_total += amount
        return LineAmounts(subtotal=subtotal, allowances=resolved, total=total, taxes=taxes, tax_total=tax_total)

    @property
    def subtotal(self):
        """Unit price x quantity (ItemPriceExtension/Amount)."""
        return self.amounts().subtotal

    @property
    def total_excluding_tax(self):
        """LineExtensionAmount = subtotal - discounts + charges."""
        return self.amounts().total

    @property
    def tax_total(self):
        return self.amounts().tax_total


@dataclass(frozen=True)
class LineAmounts:
    subtotal: Decimal
    allowances: tuple  # resolved amount of each line allowance/charge, in order
    total: Decimal  # excluding tax
    taxes: tuple  # (taxable, amount) of each tax, in order
    tax_total: Decimal


@dataclass
class BillingReference:
    """The original document a note adjusts: its LHDN UUID (``NA`` when it was issued
    before e-invoicing) and its own number, as stored when it was submitted."""

    uuid: str = ""
    number: str = ""


@dataclass
class Prepayment:
    amount: Decimal = None
    paid_at: datetime.datetime = None  # UTC
    reference: str = ""


@dataclass
class Delivery:
    """Shipping recipient (all optional)."""

    name: str = ""
    tin: str = ""
    id_type: str = ""
    id_number: str = ""
    address: Address = None
    shipment_id: str = ""
    other_charges: list = field(default_factory=list)  # AllowanceCharge with charge=True


@dataclass
class TaxSubtotal:
    type: str
    taxable_amount: Decimal
    amount: Decimal
    exemption_reason: str = ""


@dataclass(frozen=True)
class Amounts:
    lines: tuple  # LineAmounts per line
    allowances: tuple  # resolved amount of each document-level allowance/charge
    line_extension: Decimal
    allowance_total: Decimal
    charge_total: Decimal
    tax_exclusive: Decimal
    tax_total: Decimal
    tax_inclusive: Decimal
    prepaid: Decimal
    rounding: Decimal
    payable: Decimal
    tax_subtotals: tuple

    def totals(self):
        """The LegalMonetaryTotal, by element name."""
        return {
            "LineExtensionAmount": self.line_extension,
            "TaxExclusiveAmount": self.tax_exclusive,
            "TaxInclusiveAmount": self.tax_inclusive,
            "AllowanceTotalAmount": self.allowance_total,
            "ChargeTotalAmount": self.charge_total,
            "PrepaidAmount": self.prepaid,
            "PayableRoundingAmount": self.rounding,
            "PayableAmount": self.payable,
        }


@dataclass
class Document:
    type_code: str = INVOICE
    number: str = ""
    issued_at: datetime.datetime = None  # aware, UTC
    currency: str = "MYR"
    exchange_rate: Decimal = None  # MYR per 1 unit of the document currency; exact
    supplier: Party = field(default_factory=Party)
    buyer: Party = field(default_factory=Party)
    delivery: Delivery = None
    lines: list = field(default_factory=list)
    allowances: list = field(default_factory=list)  # document-level AllowanceCharge
    prepayment: Prepayment = None
    rounding: Decimal = Decimal("0.00")
    period_start: datetime.date = None
    period_end: datetime.date = None
    frequency: str = ""
    payment_means: str = ""  # LHDN payment mode code
    bank_account: str = ""
    payment_terms: str = ""
    billing_references: list = field(default_factory=list)  # BillingReference, notes only
    bill_reference: str = ""  # supplier's own billing reference
    customs_import_forms: list = field(default_factory=list)
    fta: str = ""
    customs_k2_forms: list = field(default_factory=list)
    incoterms: str = ""
    consolidated: bool = False
    version: str = VERSION
    # Read from XML (empty when built in Python): the LegalMonetaryTotal by element name
    # and the document TaxTotal/TaxAmount ("TaxAmount") ...
    declared: dict = field(default_factory=dict)
    # ... the document's TaxTotal/TaxSubtotal as TaxSubtotal (taxable_amount None when
    # absent); None when not read from XML, [] when the XML has none ...
    declared_tax_subtotals: list = None
    # ... (XPath, currencyID) of every amount element, cbc:TaxCurrencyCode, and the
    # TaxExchangeRate's (SourceCurrencyCode, TargetCurrencyCode) when it has one.
    declared_currencies: list = field(default_factory=list)
    declared_tax_currency: str = ""
    declared_exchange_currencies: tuple = ()

    # --- who is who ----------------------------------------------------------------
    @property
    def is_self_billed(self):
        return self.type_code in SELF_BILLED_TYPES

    @property
    def is_note(self):
        return self.type_code in NOTE_TYPES

    @property
    def issuer(self):
        """The party that signs and submits: the buyer on self-billed documents."""
        return self.buyer if self.is_self_billed else self.supplier

    # --- totals, the LHDN way -----------------------------------------------------
    def amounts(self):
        """Every amount of the document, computed once (Amounts): the writer and the
        validator use one snapshot instead of re-summing the lines per total."""
        lines = tuple(line.amounts() for line in self.lines)
        line_extension = sum((amounts.total for amounts in lines), ZERO)
        resolved = tuple(a.resolved_amount(line_extension) for a in self.allowances)
        allowance_total = charge_total = ZERO
        for allowance, amount in zip(self.allowances, resolved, strict=True):
            if allowance.charge:
                charge_total += amount
            else:
                allowance_total += amount
        groups = {}
        tax_total = ZERO
        for line, amounts in zip(self.lines, lines, strict=True):
            tax_total += amounts.tax_total
            for tax, (taxable, amount) in zip(line.taxes, amounts.taxes, strict=True):
                key = (tax.type, tax.exemption_reason if tax.type == "E" else "")
                group_taxable, group_amount = groups.get(key, (ZERO, ZERO))
                groups[key] = (group_taxable + taxable, group_amount + amount)
        tax_exclusive = line_extension - allowance_total + charge_total
        prepaid = (
            money(self.prepayment.amount) if self.prepayment and self.prepayment.amount is not None else Decimal("0.00")
        )
        rounding = money(self.rounding or 0)
        return Amounts(
            lines=lines,
            allowances=resolved,
            line_extension=line_extension,
            allowance_total=allowance_total,
            charge_total=charge_total,
            tax_exclusive=tax_exclusive,
            tax_total=tax_total,
            tax_inclusive=tax_exclusive + tax_total,
            prepaid=prepaid,
            rounding=rounding,
            payable=tax_exclusive + tax_total - prepaid + rounding,
            tax_subtotals=tuple(
                TaxSubtotal(type_, taxable, amount, reason) for (type_, reason), (taxable, amount) in groups.items()
            ),
        )

    @property
    def line_extension_total(self):
        return self.amounts().line_extension

    @property
    def allowance_total(self):
        return self.amounts().allowance_total

    @property
    def charge_total(self):
        return self.amounts().charge_total

    @property
    def tax_exclusive_total(self):
        return self.amounts().tax_exclusive

    @property
    def tax_subtotals(self):
        """Per tax type (and exemption reason): Σ taxable and Σ tax of the lines."""
        return list(self.amounts().tax_subtotals)

    @property
    def tax_total(self):
        return self.amounts().tax_total

    @property
    def tax_inclusive_total(self):
        return self.amounts().tax_inclusive

    @property
    def prepaid_amount(self):
        return self.amounts().prepaid

    @property
    def payable_amount(self):
        return self.amounts().payable

    def totals(self):
        """The LegalMonetaryTotal, by element name."""
        return self.amounts().totals()

    # --- the JSON input form ------------------------------------------------------
    @classmethod
    def from_dict(cls, data):
        """Build a Document from the documented JSON form (docs/document-json.md).
        Raises DocumentError naming the path of anything that is not readable."""
        from .document_input import build  # it imports the classes above

        return build(cls, data, "document")
