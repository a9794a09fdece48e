"""The JSON form of a document (docs/document-json.md) -> Document.

``Document.from_dict`` calls ``build``; every error is a DocumentError naming the
path of the field (``document.lines[0].quantity``), so the sender can fix the input.
"""

import datetime
from dataclasses import fields
from decimal import Decimal, InvalidOperation

from .document import (
    Address,
    AllowanceCharge,
    BillingReference,
    Delivery,
    DocumentError,
    Line,
    Party,
    Prepayment,
    Tax,
)

# Fields holding numbers, dates, nested objects or lists of objects.
_DECIMALS = {
    "exchange_rate",
    "rounding",
    "quantity",
    "unit_price",
    "amount",
    "rate",
    "percent",
    "taxable_amount",
    "per_unit_amount",
    "base_unit_measure",
}
_NESTED = {"supplier": Party, "buyer": Party, "address": Address, "delivery": Delivery, "prepayment": Prepayment}
_LISTS = {
    "lines": Line,
    "allowances": AllowanceCharge,
    "taxes": Tax,
    "billing_references": BillingReference,
    "other_charges": AllowanceCharge,
}


def to_decimal(value, path):
    """Decimal from a str/int/Decimal; floats are refused because they are not exact."""
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or isinstance(value, float):
        raise DocumentError(
            f"{path}: give the number as a string or integer, not {type(value).__name__} "
            f"({value!r}), so that it stays exact"
        )
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise DocumentError(f"{path}: {value!r} is not a number") from None
    if not number.is_finite():
        raise DocumentError(f"{path}: {value!r} is not a finite number")
    return number


def _parse_datetime(value, path):
    if isinstance(value, datetime.datetime):
        return value
    try:
        parsed = datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise DocumentError(f"{path}: {value!r} is not an ISO date-time like 2026-07-20T03:15:00Z") from None
    if parsed.tzinfo is None:
        raise DocumentError(f"{path}: {value!r} has no time zone; LHDN wants UTC, e.g. 2026-07-20T03:15:00Z")
    return parsed.astimezone(datetime.timezone.utc)


def _parse_date(value, path):
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise DocumentError(f"{path}: {value!r} is not a date like 2026-07-31") from None


def _value(klass, name, value, where):
    if name in _DECIMALS:
        return to_decimal(value, where)
    if name in ("issued_at", "paid_at"):
        return _parse_datetime(value, where)
    if name in ("period_start", "period_end"):
        return _parse_date(value, where)
    if name in _NESTED:
        return build(_NESTED[name], value, where)
    if name == "lines" and klass is Address:
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise DocumentError(f"{where}: expected a list of address lines (strings)")
        return value
    if name in _LISTS:
        if not isinstance(value, list):
            raise DocumentError(f"{where}: expected a list")
        return [build(_LISTS[name], item, f"{where}[{index}]") for index, item in enumerate(value)]
    if name in ("classifications", "customs_import_forms", "customs_k2_forms") and not isinstance(value, list):
        raise DocumentError(f"{where}: expected a list")
    return value


def build(klass, data, path):
    """``klass`` from the dict ``data`` found at ``path``."""
    if not isinstance(data, dict):
        raise DocumentError(f"{path}: expected an object, got {type(data).__name__}")
    # The declared* fields are what an XML document says of itself (ubl_read.py), not input.
    known = {f.name for f in fields(klass) if not f.name.startswith("declared")}
    unknown = sorted(set(data) - known)
    if unknown:
        raise DocumentError(f"{path}: unknown field(s) {', '.join(unknown)}")
    values = {name: _value(klass, name, value, f"{path}.{name}") for name, value in data.items() if value is not None}
    return klass(**values)
