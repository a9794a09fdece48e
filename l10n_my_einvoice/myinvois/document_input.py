"""The JSON form of a document (docs/document-json.md) -> Document.

``Document.from_dict`` calls ``build``; every error is a DocumentError naming the
path of the field (``document.lines[0].quantity``), so the sender can fix the input.

This is the one input boundary of the JSON form: before anything else runs, every
value has the type its field needs (a string where a string is expected, an object,
a list without nulls), text holds only characters XML can carry, numbers are plain
decimals of a sane size (input_checks.py) and dates are ISO dates from 2000 to 2100.
The rules of the document itself (a TIN's shape, a code in LHDN's tables, signs) are
validation's (validation.py), which names every problem at once.
"""

import datetime
from dataclasses import fields
from decimal import Decimal

from . import input_checks
from .document import (
    Address,
    AllowanceCharge,
    BillingReference,
    Delivery,
    Document,
    DocumentError,
    Line,
    Party,
    Prepayment,
    Tax,
    money,
)
from .input_checks import LIMIT, MAX_INTEGER_DIGITS, json_type

# Kept for callers of the former name.
to_decimal = input_checks.to_decimal

_NESTED = {Party, Address, Delivery, Prepayment}
# The items of each list field: an object class, or str.
_ITEMS = {
    (Document, "lines"): Line,
    (Document, "allowances"): AllowanceCharge,
    (Document, "billing_references"): BillingReference,
    (Document, "customs_import_forms"): str,
    (Document, "customs_k2_forms"): str,
    (Line, "allowances"): AllowanceCharge,
    (Line, "taxes"): Tax,
    (Line, "classifications"): str,
    (Address, "lines"): str,
    (Delivery, "other_charges"): AllowanceCharge,
}
# Free text, where a tab or a line break may belong; every other string is one line.
_MULTILINE = {(Line, "description"), (Document, "payment_terms"), (AllowanceCharge, "reason")}


def _list(klass, name, value, where):
    item_type = _ITEMS[(klass, name)]
    if not isinstance(value, list):
        what = "strings" if item_type is str else "objects"
        raise DocumentError(f"{where}: expected a list (of {what}), got {json_type(value)}")
    items = []
    for index, item in enumerate(value):
        at = f"{where}[{index}]"
        if item is None:
            raise DocumentError(f"{at}: null is not allowed in a list; remove it")
        if item_type is str:
            items.append(input_checks.check_text(item, at))
        else:
            items.append(build(item_type, item, at))
    return items


def _value(klass, field, value, where):
    kind = field.type
    if kind is Decimal:
        return input_checks.to_decimal(value, where)
    if kind is datetime.datetime:
        return input_checks.to_datetime(value, where)
    if kind is datetime.date:
        return input_checks.to_date(value, where)
    if kind is bool:
        return input_checks.check_bool(value, where)
    if kind in _NESTED:
        return build(kind, value, where)
    if (klass, field.name) in _ITEMS:
        return _list(klass, field.name, value, where)
    return input_checks.check_text(value, where, multiline=(klass, field.name) in _MULTILINE)


def build(klass, data, path):
    """``klass`` from the dict ``data`` found at ``path``."""
    if not isinstance(data, dict):
        raise DocumentError(f"{path}: expected an object, got {json_type(data)}")
    # The declared* fields are what an XML document says of itself (ubl_read.py), not input.
    known = {f.name: f for f in fields(klass) if not f.name.startswith("declared")}
    unknown = sorted(map(str, set(data) - set(known)))
    if unknown:  # a name with a space or a control character is shown quoted and escaped
        shown = ", ".join(name if name.isidentifier() else repr(name) for name in unknown)
        raise DocumentError(f"{path}: unknown field(s) {shown}")
    values = {
        name: _value(klass, known[name], value, f"{path}.{name}") for name, value in data.items() if value is not None
    }
    built = klass(**values)
    if klass is Document:
        _check_amounts(built, path)
    return built


def _fits(where, label, value):
    if abs(value) >= LIMIT:
        raise DocumentError(
            f"{where}: {label} comes to {value:.2E}; amounts have at most {MAX_INTEGER_DIGITS} digits "
            "before the decimal point"
        )


def _check_amounts(doc, path):
    """Every amount derived from the inputs fits in 15 digits too: each input does, but
    quantity x unit price of two 15-digit numbers has 30, which rounding to the cent
    (28 significant digits) cannot hold. Each product is checked before it is rounded."""
    for index, line in enumerate(doc.lines):
        where = f"{path}.lines[{index}]"
        subtotal = (line.quantity or 0) * (line.unit_price or 0)
        _fits(where, "quantity x unit price", subtotal)
        total = subtotal = money(subtotal)
        for position, allowance in enumerate(line.allowances):
            if allowance.rate is not None:
                _fits(f"{where}.allowances[{position}]", "rate x subtotal", allowance.rate * subtotal)
            amount = allowance.resolved_amount(subtotal)
            total += amount if allowance.charge else -amount
        _fits(where, "the line total", total)
        for position, tax in enumerate(line.taxes):
            at = f"{where}.taxes[{position}]"
            taxable = tax.taxable_amount if tax.taxable_amount is not None else total
            if tax.per_unit_amount is not None:
                _fits(at, "amount per unit x units", tax.per_unit_amount * (tax.base_unit_measure or 1))
            if tax.percent is not None:
                _fits(at, "taxable amount x percent", taxable * tax.percent / 100)
    line_extension = sum((line.amounts().total for line in doc.lines), Decimal(0))
    for index, allowance in enumerate(doc.allowances):
        if allowance.rate is not None:
            _fits(f"{path}.allowances[{index}]", "rate x the lines' total", allowance.rate * line_extension)
    for name, value in doc.amounts().totals().items():
        _fits(path, f"the {name}", value)
