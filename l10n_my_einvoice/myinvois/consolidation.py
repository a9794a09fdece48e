"""Consolidated e-invoices (reference §8): the receipts of a month -> MyInvois Documents.

Sales whose buyer asked no e-invoice are aggregated monthly into documents to the general
public (§8.2; on self-billed types the general public is the supplier, §8.3). A line names
its receipts: one per continuous range of a numbering series (a new line at every break)
or, with ``per_receipt``, one per receipt; each refund is a line of its own.

``plan_documents`` splits the receipts, per currency, into documents that stay under
MyInvois's 300 KB once signed. A ``Plan`` is what the database stores at consolidation
time (``to_json``); ``to_document`` rebuilds the same Document at signing time.
"""

import copy
import datetime
import json
from collections import defaultdict, deque
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from operator import attrgetter

from . import codes, ubl
from .client import MAX_DOCUMENT_BYTES
from .document import INVOICE, SELF_BILLED_TYPES, Address, BillingReference, Document, Line, Party, Tax, money

# LHDN's 300 KB is for the signed document. Signing drops the XML declaration and adds
# ext:UBLExtensions: 4,444 bytes measured with the 2048-bit test certificate, 5,468 with
# a 4096-bit key; LHDN-issued certificates have longer names and more extensions. 16 KB
# covers those and small changes of the issuer's details between planning and signing.
MAX_UNSIGNED_BYTES = MAX_DOCUMENT_BYTES - 16 * 1024
ZERO = Decimal("0.00")
_neg = ZERO.__sub__  # 0 - x, not -x: a zero stays 0.00, never -0.00 in the XML
# Credit and refund notes (also self-billed) run the refund's way: refunds +, sales -.
REFUND_SIDE_TYPES = frozenset({"02", "04", "12", "14"})
# Header bytes a document may need beyond the bound measured for its whole currency
# (minus signs, rate digits, a longer number); each document's size is checked after.
HEADER_SLACK = 256


@dataclass(frozen=True)
class ReceiptTax:
    type: str  # LHDN tax type "01".."06" or "E"
    taxable: Decimal
    amount: Decimal
    exemption_reason: str = ""  # for type E
    percent: Decimal | None = None  # the rate when the receipt has one rate for this type


@dataclass(frozen=True)
class Receipt:
    number: str  # as printed
    series: str  # consecutive sequences in one series form a range
    sequence: int
    date: datetime.date
    currency: str
    untaxed: Decimal  # positive, also for a refund
    taxes: tuple = ()  # ReceiptTax, one per (type, exemption_reason)
    rounding: Decimal = ZERO
    total_myr: Decimal | None = None  # total incl. tax in MYR as booked (foreign currency)
    refund: bool = False
    refund_of: str = ""

    @property
    def total(self) -> Decimal:
        # An exempt (E) tax is stated, not charged (as in document.Line.amounts).
        return self.untaxed + sum((t.amount for t in self.taxes if t.type != "E"), ZERO) + self.rounding


@dataclass(frozen=True)
class Plan:
    """One consolidated document to build: stored at consolidation time, rebuilt identically at signing."""

    number: str  # cbc:ID
    type_code: str  # "01" invoice, "02" credit note; "11"/"12" self-billed
    currency: str
    receipts: tuple  # Receipt
    per_receipt: bool = False
    billing_references: tuple = ()  # BillingReference (credit notes)

    def to_json(self) -> str:
        # Receipts as rows, not objects: a range plan may hold a month of receipts. Decimals
        # as strings keep their exponent (1.50 stays 1.50): the round trip is exact.
        refs = [[r.uuid, r.number] for r in self.billing_references]
        data = dict(number=self.number, type_code=self.type_code, currency=self.currency, per_receipt=self.per_receipt)
        data.update(billing_references=refs, receipt_fields=RECEIPT_FIELDS, receipts=[_row(r) for r in self.receipts])
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_json(cls, text) -> "Plan":
        data = json.loads(text)
        del data["receipt_fields"]  # for whoever reads the stored JSON
        data["billing_references"] = tuple(BillingReference(*ref) for ref in data["billing_references"])
        data["receipts"] = tuple(_receipt(row) for row in data["receipts"])
        return cls(**data)


RECEIPT_FIELDS = "number series sequence date currency untaxed taxes(type taxable amount exemption_reason percent) "
RECEIPT_FIELDS += "rounding total_myr refund refund_of"


def _text(value):
    return None if value is None else str(value)


def _row(r):
    taxes = [[t.type, str(t.taxable), str(t.amount), t.exemption_reason, _text(t.percent)] for t in r.taxes]
    head = [r.number, r.series, r.sequence, r.date.isoformat(), r.currency, str(r.untaxed), taxes]
    return head + [str(r.rounding), _text(r.total_myr), r.refund, r.refund_of]


def _receipt(row):
    number, series, sequence, date, currency, untaxed, taxes, rounding, total_myr, refund, refund_of = row
    # x and Decimal(x): None stays None (a stored text is never empty).
    taxes = tuple(ReceiptTax(t, Decimal(b), Decimal(a), e, p and Decimal(p)) for t, b, a, e, p in taxes)
    head = (number, series, sequence, datetime.date.fromisoformat(date), currency, Decimal(untaxed), taxes)
    return Receipt(*head, Decimal(rounding), total_myr and Decimal(total_myr), refund, refund_of)


def general_public_party() -> Party:
    """The §8.2 counterpart; with msic 00000 and activity NA also the §8.3 supplier."""
    address = Address(lines=["NA"], city="NA", state=codes.NOT_APPLICABLE_STATE, country=codes.MALAYSIA)
    # SST and TTX are NA by default; no e-mail (the SDK sample's "NA" is not an address).
    return Party(
        name="General Public", tin=codes.GENERAL_PUBLIC_TIN, id_type="BRN", id_number="NA", phone="NA", address=address
    )


def _signed(receipts, value, type_code):
    """Σ value(r), negated for the receipts against the document's direction."""
    flip = type_code in REFUND_SIDE_TYPES
    along = sum((value(r) for r in receipts if r.refund == flip), ZERO)
    return along - sum((value(r) for r in receipts if r.refund != flip), ZERO)


def _groups(receipts, per_receipt):
    """The receipts of each line, in line order: sales by series and sequence, one
    group per continuous run (or per receipt); then each refund alone, by number."""
    sales = sorted((r for r in receipts if not r.refund), key=attrgetter("series", "sequence", "number"))
    refunds = [(r,) for r in sorted((r for r in receipts if r.refund), key=attrgetter("number", "series", "sequence"))]
    if per_receipt:
        return [(r,) for r in sales] + refunds
    groups, previous = [], None
    for r in sales:
        if previous is None or r.series != previous.series or r.sequence != previous.sequence + 1:
            groups.append([r])
        else:
            groups[-1].append(r)
        previous = r
    return groups + refunds


def _description(group):
    first = group[0]
    if first.refund:
        text = f"Refund {first.number}" + (f" of {first.refund_of}" if first.refund_of else "")
    elif len(group) == 1:
        text = f"Receipt {first.number}"
    else:
        text = f"Receipts {first.number} - {group[-1].number}"
    if len(text) > 300:
        raise ValueError(f"The line description {text[:60]!r}... is longer than LHDN's 300 characters.")
    return text


def _aggregate(group, type_code):
    """A line's content, signed: (description, untaxed, ((type, reason, taxable, amount,
    percent), ...) by type and reason, amount payable with the receipts' rounding)."""
    untaxed = charged = rounding = ZERO
    sums, percents = {}, {}  # percents: the one rate of all the receipts, else None
    for r in group:
        untaxed += r.untaxed
        rounding += r.rounding
        # A receipt without tax still needs a tax type on its line: 06, not applicable.
        for t in r.taxes or (ReceiptTax("06", r.untaxed, ZERO),):
            key = (t.type, t.exemption_reason)
            taxable, amount = sums.get(key, (ZERO, ZERO))
            sums[key] = (taxable + t.taxable, amount + t.amount)
            percents[key] = t.percent if percents.get(key, t.percent) == t.percent else None
            if t.type != "E":
                charged += t.amount
    sign = _neg if group[0].refund != (type_code in REFUND_SIDE_TYPES) else (lambda v: v)
    taxes = tuple((*key, sign(sums[key][0]), sign(sums[key][1]), percents[key]) for key in sorted(sums))
    return _description(group), sign(untaxed), taxes, sign(untaxed + charged + rounding)


def _make_line(line_id, description, untaxed, taxes):
    line = Line(description=description, unit_price=untaxed, classifications=[codes.CONSOLIDATED_CLASSIFICATION])
    line.taxes = [Tax(type=t, exemption_reason=e, taxable_amount=b, amount=a, percent=p) for t, e, b, a, p in taxes]
    line.id = line_id
    return line  # quantity 1, no unit (none is required)


def consolidated_lines(receipts, per_receipt=False, *, type_code=INVOICE) -> list:
    """The lines of ``receipts``; ``type_code`` sets the direction (refund lines negative
    on an invoice, positive on a credit note)."""
    groups = enumerate(_groups(receipts, per_receipt), start=1)
    return [_make_line(str(i), *_aggregate(group, type_code)[:3]) for i, group in groups]


def _exchange_rate(plan):
    receipts = plan.receipts
    if plan.currency == "MYR" or not receipts or any(r.total_myr is None for r in receipts):
        return None
    myr, total = (_signed(receipts, attrgetter(name), plan.type_code) for name in ("total_myr", "total"))
    if not total:  # refunds cancel the sales out: the average rate of both still holds
        myr, total = (sum((abs(getattr(r, name)) for r in receipts), ZERO) for name in ("total_myr", "total"))
    return (myr / total).quantize(Decimal("1E-10"), rounding=ROUND_HALF_UP) if total else None


def _document(plan, lines, issuer, issued_at):
    public = general_public_party()
    if plan.type_code in SELF_BILLED_TYPES:
        public.msic, public.activity = "00000", "NA"
        supplier, buyer = public, copy.deepcopy(issuer)
    else:
        supplier, buyer = copy.deepcopy(issuer), public
    doc = Document(plan.type_code, plan.number, issued_at, plan.currency, _exchange_rate(plan), supplier, buyer)
    doc.lines, doc.consolidated = lines, True
    doc.rounding = _signed(plan.receipts, attrgetter("rounding"), plan.type_code)
    doc.billing_references = [copy.copy(r) for r in plan.billing_references]
    return doc


def to_document(plan, *, issuer: Party, issued_at) -> Document:
    """The consolidated Document of ``plan``, issued by ``issuer`` at ``issued_at`` (aware, UTC)."""
    lines = consolidated_lines(plan.receipts, plan.per_receipt, type_code=plan.type_code)
    return _document(plan, lines, issuer, issued_at)


@dataclass(slots=True)
class _Item:  # one line as the planner sees it: its _aggregate, its bytes but for the cbc:ID
    index: int  # position in the currency's line order
    receipts: tuple
    description: str
    untaxed: Decimal
    taxes: tuple
    total: Decimal  # signed amount payable
    size: int = 0


def _text_len(text):
    # UTF-8 bytes once lxml has escaped & < > and CR in a text node.
    return len(text.encode()) + 4 * (text.count("&") + text.count("\r")) + 3 * (text.count("<") + text.count(">"))


def _len(value, amount=True):
    # len(ubl.amount_text(value)) or len(ubl.number(value)), 10x faster: str() gives the
    # same text when it has no exponent (and, for an amount, 2 decimals).
    text = str(value)
    if "E" not in text and (not amount or text[-3:-2] == "."):
        return len(text)
    return len(ubl.amount_text(value) if amount else ubl.number(value))


def _texts_len(item):
    """Bytes of the variable texts ubl writes for a consolidated line (its ID aside)."""
    size = _text_len(item.description) + 2 * _len(item.untaxed) + _len(item.untaxed, amount=False)
    charged = ZERO
    for kind, reason, taxable, amount, percent in item.taxes:
        size += _len(taxable) + _len(amount) + len(kind)
        if percent is not None:
            size += _len(percent, amount=False)
        if kind == "E":
            size += _text_len(reason)
        else:
            charged += money(amount)
    return size + _len(charged)


def _id_len(count):
    return sum(len(str(i)) for i in range(1, count + 1))  # the line IDs "1".."count"


class _Sizer:
    """Exact XML sizes without serialising every line: a line is a skeleton per tax structure
    (measured once) plus its texts; a document, a header (measured with one line) plus lines."""

    def __init__(self, type_code, currency, issuer, issued_at):
        self.blank = Plan("-", type_code, currency, ())
        self.issuer, self.issued_at, self.skeletons = issuer, issued_at, {}

    def _split(self, plan, lines):
        data = ubl.to_xml(_document(plan, lines, self.issuer, self.issued_at))
        start = data.rindex(b"<cac:InvoiceLine>")  # the last line ends right before </Invoice>
        return start + len(b"</Invoice>"), len(data) - start - len(b"</Invoice>")  # header, last line

    def line(self, item):
        shape = tuple((kind == "E" and bool(reason), percent is not None) for kind, reason, _, _, percent in item.taxes)
        if shape not in self.skeletons:
            line = _make_line("1", item.description, item.untaxed, item.taxes)
            self.skeletons[shape] = self._split(self.blank, [line])[1] - 1 - _texts_len(item)
        return self.skeletons[shape] + _texts_len(item)

    def header(self, plan, items, fix=lambda v: v):
        untaxed, sums = ZERO, {}  # fix=abs: a bound for the header of any part of ``items``
        for item in items:
            untaxed += fix(item.untaxed)
            for kind, reason, taxable, amount, _ in item.taxes:
                old = sums.get((kind, reason), (ZERO, ZERO))
                sums[(kind, reason)] = (old[0] + fix(taxable), old[1] + fix(amount))
        taxes = [(*key, taxable, amount, None) for key, (taxable, amount) in sums.items()]
        return self._split(plan, [_make_line("1", "-", untaxed, taxes)])[0]

    def computed(self, plan, chunk):
        return self.header(plan, chunk) + sum(item.size for item in chunk) + _id_len(len(chunk))

    def measured(self, plan, chunk):
        """The real size, of the lines to_document builds (in line order, numbered again)."""
        ordered = sorted(chunk, key=attrgetter("index"))
        lines = [_make_line(str(n), i.description, i.untaxed, i.taxes) for n, i in enumerate(ordered, start=1)]
        return len(ubl.to_xml(_document(plan, lines, self.issuer, self.issued_at)))


def _chunk(items, capacity, currency):
    """Fill documents in line order up to ``capacity`` bytes of lines; a line against the
    direction (a refund) joins the first one whose lines so far cover it: none is negative."""
    chunks, pending = [], deque(item for item in items if item.total < 0)  # chunk: [items, bytes, balance]

    def fits(chunk, item, balance=True):
        room = chunk[1] + item.size + len(str(len(chunk[0]) + 1)) <= capacity
        return room and (not balance or chunk[2] + item.total >= 0)

    def add(chunk, item):
        chunk[0].append(item)
        chunk[1] += item.size + len(str(len(chunk[0])))
        chunk[2] += item.total

    for item in (item for item in items if item.total >= 0):
        if not chunks or not fits(chunks[-1], item, balance=False):
            chunks.append([[], 0, ZERO])
        add(chunks[-1], item)
        while pending and fits(chunks[-1], pending[0]):
            add(chunks[-1], pending.popleft())
    for item in pending:  # left over: the first document that can still take it
        chunk = next((c for c in chunks if fits(c, item)), None)
        if chunk is None:
            raise ValueError(f"No {currency} document has the sales to cover the refund {item.description!r}.")
        add(chunk, item)
    return [chunk[0] for chunk in chunks]


def _fit(items, capacity, max_bytes, make_plan, size_of, currency):
    """(plans, chunks, sizes): chunk, then check every document's size; a chunk over
    the limit is chunked again, smaller."""
    chunks = _chunk(items, capacity, currency)
    while True:
        plans = [make_plan(n, chunk) for n, chunk in enumerate(chunks, start=1)]
        sizes = [size_of(plan, chunk) for plan, chunk in zip(plans, chunks, strict=True)]
        over = [i for i, size in enumerate(sizes) if size > max_bytes]
        if not over:
            return plans, chunks, sizes
        for i in reversed(over):  # less room than the chunk's own lines take, so it splits
            if len(chunks[i]) == 1:
                raise ValueError(f"The line {chunks[i][0].description!r} alone exceeds the {currency} size limit.")
            room = sum(item.size for item in chunks[i]) + _id_len(len(chunks[i])) - (sizes[i] - max_bytes)
            chunks[i : i + 1] = _chunk(chunks[i], max(room, 1), currency)


def plan_documents(
    receipts,
    *,
    issuer: Party,
    number_prefix: str,
    type_code=INVOICE,
    per_receipt=False,
    billing_references=(),
    max_bytes=MAX_UNSIGNED_BYTES,
    issued_at=None,
) -> list:
    """The consolidated documents of ``receipts``: per currency (sorted by code), numbered
    ``{number_prefix}-{currency}-001``..., each at most ``max_bytes`` of unsigned XML. Raises
    ValueError when a currency's receipts add up to a negative amount, or a line cannot fit."""
    issued_at = issued_at or datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    by_currency = defaultdict(list)
    for receipt in receipts:
        by_currency[receipt.currency].append(receipt)
    plans = []
    for currency in sorted(by_currency):

        def make_plan(n, chunk, currency=currency):
            receipts = tuple(r for item in chunk for r in item.receipts)
            number = f"{number_prefix}-{currency}-{n:03d}"
            return Plan(number, type_code, currency, receipts, per_receipt, tuple(billing_references))

        sizer = _Sizer(type_code, currency, issuer, issued_at)
        groups = enumerate(_groups(by_currency[currency], per_receipt))
        items = [_Item(i, group, *_aggregate(group, type_code)) for i, group in groups]
        for item in items:
            item.size = sizer.line(item)
        total = sum((item.total for item in items), ZERO)
        if total < 0:  # more refunds than sales (on a credit note, the reverse)
            raise ValueError(f"The {currency} receipts add up to {total}: a consolidated document cannot be negative.")
        capacity = max_bytes - sizer.header(make_plan(1, items), items, fix=abs) - HEADER_SLACK
        found, chunks, sizes = _fit(items, capacity, max_bytes, make_plan, sizer.computed, currency)
        # One document serialised for real checks the sizer against ubl.py; should the
        # writer ever change shape, every document is measured for real instead.
        if sizer.measured(found[0], chunks[0]) != sizes[0]:
            found = _fit(items, capacity, max_bytes, make_plan, sizer.measured, currency)[0]
        plans += found
    return plans
