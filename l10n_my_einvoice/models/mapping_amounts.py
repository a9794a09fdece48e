"""The move's amounts as Odoo booked them -> core Lines, rounding and exchange rate.

Nothing is taxed or rounded here. Odoo's tax engine did the arithmetic when the move
was posted; ``_get_rounded_base_and_tax_lines`` returns the base lines with their tax
details *rounded from the tax journal items* (so round-globally cents, price-included
taxes, cash rounding on the biggest tax and early-payment discounts come out as booked),
and ``_aggregate_base_lines_tax_details`` groups each line's taxes by a key: here the
LHDN tax type. This module only chooses that key and lays the result out the way
LHDN's arithmetic (reference §5.8) reads it:

* ItemPriceExtension (gross) - line discount = LineExtensionAmount (Odoo's net);
* a unit price short enough to read, exact enough that price x quantity = gross;
* a cash-rounding line becomes PayableRoundingAmount, not an invoice line.

Every amount is in the move currency (``*_currency`` fields).
"""

from decimal import ROUND_HALF_UP, Decimal

from ..myinvois.document import AllowanceCharge, Line, Tax, money
from .mapping_issue import MappingIssue

# Lines Odoo adds without a product (early-payment discount) are classified "Others".
OTHERS_CLASSIFICATION = "022"
NOT_APPLICABLE = "06"
EXEMPT = "E"


def decimal(value, digits=None):
    """A float from the ORM as the Decimal it stands for (repr is the shortest exact form)."""
    number = Decimal(repr(value))
    return round(number, digits) if digits is not None else number


def exact_unit_amount(target, quantity, hint=None):
    """The shortest amount p (2 to 10 decimals) with money(p x quantity) == target:
    LHDN recomputes ItemPriceExtension = PriceAmount x quantity (and a fixed tax =
    PerUnitAmount x units), so a price-included or discounted line needs a price that
    multiplies back to the booked amount. ``hint`` (the price as typed) wins when it does."""
    if hint is not None and money(hint * quantity) == target:
        return hint
    if not quantity:
        return hint if hint is not None else Decimal("0")
    exact = target / quantity
    for places in range(2, 11):
        price = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        if money(price * quantity) == target:
            return price
    return exact.quantize(Decimal("1E-10"), rounding=ROUND_HALF_UP)


def lhdn_tax_key(base_line, tax_data):
    """Grouping key of Odoo's aggregation: (LHDN tax type, exemption reason)."""
    tax = tax_data and tax_data["tax"]
    if not tax:
        return (NOT_APPLICABLE, "")
    tax_type = tax.l10n_my_tax_type or NOT_APPLICABLE
    return (tax_type, (tax.l10n_my_tax_exemption_reason or "") if tax_type == EXEMPT else "")


def _net(base_line):
    details = base_line["tax_details"]
    return money(decimal(details["total_excluded_currency"] + details["delta_total_excluded_currency"]))


def _gross(base_line, net, price_included):
    """Unit price x quantity before the line discount, excluding tax (as Odoo's UBL does)."""
    discount = decimal(base_line["discount"] or 0.0)
    if not discount:
        return net
    if discount != 100:
        raw_net = decimal(base_line["tax_details"]["raw_total_excluded_currency"])
        return money(raw_net / (1 - discount / 100))
    if not price_included:
        return money(decimal(base_line["price_unit"]) * decimal(base_line["quantity"]))
    undiscounted = base_line["tax_ids"].compute_all(
        base_line["price_unit"], currency=base_line["currency_id"], quantity=base_line["quantity"]
    )
    return money(decimal(undiscounted["total_excluded"]))


def _taxes(key_values, quantity, issues):
    taxes = []
    for (tax_type, reason), values in key_values.items():
        records = [tax_data["tax"] for tax_data in values["taxes_data"]]
        tax = Tax(
            type=tax_type,
            exemption_reason=reason,
            taxable_amount=money(decimal(values["base_amount_currency"])),
            amount=money(decimal(values["tax_amount_currency"])),
        )
        if records and all(record.amount_type == "fixed" for record in records):
            # Tourism tax style: so much per room-night (PerUnitAmount x BaseUnitMeasure).
            tax.per_unit_amount = exact_unit_amount(tax.amount, decimal(quantity)) if quantity else None
            tax.base_unit_measure = decimal(quantity) if quantity else None
        elif records and all(record.amount_type == "percent" for record in records):
            tax.percent = sum((decimal(record.amount) for record in records), Decimal("0"))
        elif not records:
            tax.percent = Decimal("0")
        if tax_type == EXEMPT and not reason:
            issues.extend(
                MappingIssue(
                    record.display_name,
                    record.env._("Exemption reason"),
                    record.env._("The tax is an LHDN exemption (type E): give the exemption reason on the tax."),
                )
                for record in records
            )
        taxes.append(tax)
    return taxes


def _classification(record, move, issues):
    if not record.product_id and record.display_type != "product":
        return OTHERS_CLASSIFICATION
    code = record.l10n_my_einvoice_classification_id.code
    if not code:
        issues.append(
            MappingIssue(
                record.product_id.display_name or record.name or move.name,
                move.env._("MyInvois classification"),
                move.env._("Set the product's MyInvois classification (or the line's)."),
            )
        )
    return code


def _line(base_line, key_values, issues, move):
    record = base_line["record"]
    net = _net(base_line)
    price_included = any(tax.price_include for tax in base_line["tax_ids"])
    gross = _gross(base_line, net, price_included)
    quantity = decimal(base_line["quantity"])
    discount = decimal(base_line["discount"] or 0.0)
    code = _classification(record, move, issues)
    return Line(
        id=str(record.id),
        description=(record.name or record.product_id.display_name or "").replace("\n", " ").strip()[:300],
        quantity=quantity,
        unit_price=exact_unit_amount(
            gross, quantity, hint=None if price_included else decimal(base_line["price_unit"])
        ),
        unit_code=record.product_uom_id.l10n_my_unit_code or "",
        classifications=[code] if code else [],
        tariff_code=(record.product_id.product_tmpl_id.l10n_my_tax_classification_code or "").strip(),
        allowances=[AllowanceCharge(amount=gross - net, reason=f"Discount {discount:g}%", rate=discount / 100)]
        if gross != net
        else [],
        taxes=_taxes(key_values, base_line["quantity"], issues),
    )


# Journal items that make Odoo's base lines more than the product lines' own amounts.
_NOT_PLAIN = {"epd", "rounding", "non_deductible_product", "non_deductible_product_total"}


def _stored_base_lines(move):
    """Odoo's aggregated base lines of a plain move, read from the amounts stored on its
    journal items instead of running the tax engine again: lines rounded per line,
    without discount, each with at most one percent tax, not included in the price, and
    no early-payment, cash-rounding or non-deductible items. Then each line's tax is its
    price_total - price_subtotal, which is what ``_get_rounded_base_and_tax_lines``
    gives as long as, tax by tax, they add up to the tax journal items: checked to the
    cent. None when the move is not plain or they do not (a tax amount edited by hand):
    the tax engine is used."""
    if move.company_id.tax_calculation_rounding_method != "round_per_line":
        return None
    currency = move.currency_id
    products, booked = [], {}
    for line in move.line_ids:
        if line.display_type == "product":
            taxes = line.tax_ids
            if line.discount or len(taxes) > 1 or any(t.amount_type != "percent" or t.price_include for t in taxes):
                return None
            products.append(line)
        elif line.tax_repartition_line_id:
            amount = money(decimal(currency.round(line.amount_currency * move.direction_sign)))
            booked[line.tax_line_id] = booked.get(line.tax_line_id, Decimal("0.00")) + amount
        elif line.display_type in _NOT_PLAIN:
            return None
    aggregated, computed = [], {}
    for line in products:
        net = currency.round(line.price_subtotal)
        tax_amount = currency.round(line.price_total - line.price_subtotal)
        tax = line.tax_ids
        tax_data = {"tax": tax} if tax else None
        if tax:
            computed[tax] = computed.get(tax, Decimal("0.00")) + money(decimal(tax_amount))
        base_line = {
            "record": line,
            "tax_ids": tax,
            "discount": 0.0,
            "quantity": line.quantity,
            "price_unit": line.price_unit,
            "currency_id": currency,
            "special_type": False,
            "tax_details": {"total_excluded_currency": net, "delta_total_excluded_currency": 0.0},
        }
        key_values = {
            lhdn_tax_key(base_line, tax_data): {
                "taxes_data": [tax_data] if tax_data else [],
                "base_amount_currency": net,
                "tax_amount_currency": tax_amount,
            }
        }
        aggregated.append((base_line, key_values))
    if any(computed.get(tax, Decimal("0.00")) != amount for tax, amount in booked.items()) or any(
        amount != booked.get(tax, Decimal("0.00")) for tax, amount in computed.items()
    ):
        return None
    return aggregated


def lines_and_rounding(move, issues):
    """([core Line], PayableRoundingAmount) of a posted move, from its booked amounts."""
    aggregated = _stored_base_lines(move)
    if aggregated is None:
        base_lines, _tax_lines = move._get_rounded_base_and_tax_lines()
        aggregated = move.env["account.tax"]._aggregate_base_lines_tax_details(base_lines, lhdn_tax_key)
    lines, rounding = [], Decimal("0.00")
    for base_line, key_values in aggregated:
        if base_line["special_type"] == "cash_rounding":
            rounding += _net(base_line)
        elif base_line["special_type"] in (False, None, "early_payment"):
            lines.append(_line(base_line, key_values, issues, move))
        # Non-deductible lines only split a bill's tax between accounts; the supplier's
        # document does not know about them.
    return lines, rounding


def exchange_rate(move, issues):
    """MYR per unit of the move currency, as the move was booked (None for MYR)."""
    if move.currency_id == move.company_id.currency_id or move.currency_id.name == "MYR":
        return None
    has_rate = move.env["res.currency.rate"].search_count(
        [
            ("currency_id", "=", move.currency_id.id),
            ("name", "<=", move.invoice_date or move.date),
            ("company_id", "in", [False, move.company_id.root_id.id]),
        ],
        limit=1,
    )
    if not has_rate or not move.invoice_currency_rate:
        issues.append(
            MappingIssue(
                move.currency_id.name,
                move.env._("Rates"),
                move.env._(
                    "No exchange rate of %(currency)s on or before %(date)s: LHDN requires one for "
                    "foreign-currency documents.",
                    currency=move.currency_id.name,
                    date=move.invoice_date or move.date,
                ),
            )
        )
        return None
    # invoice_currency_rate is document currency per MYR (a float Odoo computed from the
    # rate the user typed as MYR per unit); 10 decimals give that rate back exactly.
    return round(1 / decimal(move.invoice_currency_rate), 10).normalize()
