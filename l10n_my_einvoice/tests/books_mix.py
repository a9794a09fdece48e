"""A seeded mix of the invoices Malaysian companies post, for the books = LHDN test.

Every move draws, from one ``random.Random(seed)``: a currency (MYR, USD, SGD, EUR),
1 to 4 lines with 0 to 3 taxes each (price-excluded and price-included percentages,
a fixed tourism tax per room-night, an exempt and a "not applicable" tax, a service
charge that is part of the base of the sales tax after it), discounts up to 100 %,
odd quantities, negative lines (a global discount, a sale order's down-payment
deduction), either of Odoo's cash roundings and an early-payment discount. The mix
is reproducible: a failure names the seed and the move.
"""

import random

from odoo.fields import Command

CURRENCY_RATES = {"USD": 4.4725, "SGD": 3.3147, "EUR": 4.8931}  # MYR per unit
QUANTITIES = (1, 1, 2, 3, 0.5, 7, 12.345, 0)
DISCOUNTS = (0, 0, 0, 5, 12.5, 33.33, 100)


def create_taxes(env, company):
    """The tax pool: {name: account.tax}, sale and purchase."""
    Tax = env["account.tax"].with_company(company)
    group = env["account.tax.group"].search([("company_id", "=", company.id)], limit=1)

    def tax(name, amount, tax_type, use="sale", **values):
        return Tax.create(
            {
                "name": f"{name} ({use})",
                "amount": amount,
                "amount_type": values.pop("amount_type", "percent"),
                "type_tax_use": use,
                "company_id": company.id,
                "country_id": env.ref("base.my").id,
                "tax_group_id": group.id,
                "l10n_my_tax_type": tax_type,
                "sequence": values.pop("sequence", 10),
                **values,
            }
        )

    pool = {}
    for use in ("sale", "purchase"):
        pool[f"st5_{use}"] = tax("Sales tax 5%", 5, "01", use)
        pool[f"st10_{use}"] = tax("Sales tax 10%", 10, "01", use)
        pool[f"sv8_{use}"] = tax("Service tax 8%", 8, "02", use)
    pool["sv6_incl"] = tax("Service tax 6% included", 6, "02", price_include_override="tax_included")
    pool["st10_incl"] = tax("Sales tax 10% included", 10, "01", price_include_override="tax_included")
    pool["tourism"] = tax("Tourism tax RM10 per night", 10, "03", amount_type="fixed")
    pool["exempt"] = tax(
        "Exempt schedule A", 0, "E", l10n_my_tax_exemption_reason="Exempted under Sales Tax Schedule A"
    )
    pool["na"] = tax("Not applicable", 0, "06")
    pool["charge"] = tax("Service charge 5% in the base", 5, "02", include_base_amount=True, sequence=1)
    return pool


# Tax combinations of one line (names in the pool); "charge" comes before the tax it bases.
SALE_COMBOS = (
    (),
    ("st5",),
    ("st10",),
    ("sv8",),
    ("sv6_incl",),
    ("st10_incl",),
    ("tourism",),
    ("exempt",),
    ("na",),
    ("st10", "sv8"),
    ("sv6_incl", "st5"),
    ("tourism", "sv8"),
    ("charge", "st10"),
    ("st5", "sv8", "tourism"),
    ("st10_incl", "sv6_incl", "na"),
)
PURCHASE_COMBOS = ((), ("st5",), ("st10",), ("sv8",), ("st10", "sv8"))


def _taxes(pool, combo, use):
    names = [name if name in pool else f"{name}_{use}" for name in combo]
    return [Command.set([pool[name].id for name in names])]


def move_values(rng, ctx, index):
    """account.move create values for the index-th move of the mix."""
    self_billed = rng.random() < 0.1
    use = "purchase" if self_billed else "sale"
    combos = PURCHASE_COMBOS if self_billed else SALE_COMBOS
    currency = rng.choice(("MYR", "MYR", "MYR", "USD", "SGD", "EUR"))
    lines = []
    for _number in range(rng.randint(1, 4)):
        combo = rng.choice(combos)
        lines.append(
            {
                "product_id": ctx["product"].id,
                "name": f"Item {index}.{len(lines) + 1}",
                "quantity": rng.choice(QUANTITIES) or (1 if "tourism" in combo else 0),
                "price_unit": round(rng.uniform(0.01, 2500), 2),
                "discount": rng.choice(DISCOUNTS),
                "tax_ids": _taxes(ctx["taxes"], combo, use),
            }
        )
    positive = sum(line["quantity"] * line["price_unit"] * (1 - line["discount"] / 100) for line in lines)
    if positive > 10 and rng.random() < 0.15:
        # A global discount: one line, negative price, the taxes of the first line.
        lines.append(
            {
                "product_id": ctx["product"].id,
                "name": "Global discount",
                "quantity": 1,
                "price_unit": -round(positive * rng.uniform(0.05, 0.3), 2),
                "tax_ids": lines[0]["tax_ids"],
            }
        )
    elif positive > 10 and not self_billed and rng.random() < 0.12:
        # The deduction of a down payment already invoiced (as a sale order writes it).
        lines.append(
            {
                "product_id": ctx["product"].id,
                "name": "Down payment (ref: DP/2026/001)",
                "quantity": -1,
                "price_unit": round(positive * rng.uniform(0.1, 0.4), 2),
                "tax_ids": _taxes(ctx["taxes"], ("st5",), use),
            }
        )
    if rng.random() < 0.1:
        # Section and note lines: layout only, nothing to declare.
        lines[:0] = [{"display_type": "line_section", "name": "Hardware"}]
        lines.append({"display_type": "line_note", "name": "Delivered to site B"})
    values = {
        "move_type": "in_invoice" if self_billed else "out_invoice",
        "partner_id": (ctx["supplier"] if self_billed else ctx["customer"]).id,
        "invoice_date": ctx["date"],
        "currency_id": ctx["currencies"][currency].id,
        "invoice_line_ids": [Command.create(line) for line in lines],
    }
    draw = rng.random()
    if draw < 0.2:
        values["invoice_cash_rounding_id"] = ctx["rounding_line"].id
    elif draw < 0.35:
        values["invoice_cash_rounding_id"] = ctx["rounding_tax"].id
    elif not self_billed and currency == "MYR" and rng.random() < 0.2:
        # Only what Odoo 19 can post: with a cash rounding or in a foreign currency its
        # mixed early-payment discount can leave the entry unbalanced.
        values["invoice_payment_term_id"] = ctx["early_payment"].id
    return values


def create_context(env, company, test):
    """Currencies with rates, cash roundings, the early-payment term and the taxes."""
    currencies = {"MYR": company.currency_id}
    for code, myr_per_unit in CURRENCY_RATES.items():
        currency = env.ref(f"base.{code}")
        currency.active = True
        env["res.currency.rate"].search([("currency_id", "=", currency.id)]).unlink()
        env["res.currency.rate"].create(
            {"currency_id": currency.id, "company_id": company.id, "name": "2026-01-01", "rate": 1 / myr_per_unit}
        )
        currencies[code] = currency
    accounts = test.company_data
    rounding = {
        "rounding": 0.05,
        "rounding_method": "HALF-UP",
        "profit_account_id": accounts["default_account_revenue"].id,
        "loss_account_id": accounts["default_account_expense"].id,
    }
    return {
        "currencies": currencies,
        "rounding_line": env["account.cash.rounding"].create(
            {"name": "5 sen, rounding line", "strategy": "add_invoice_line", **rounding}
        ),
        "rounding_tax": env["account.cash.rounding"].create(
            {"name": "5 sen, on the biggest tax", "strategy": "biggest_tax", **rounding}
        ),
        "early_payment": env["account.payment.term"].create(
            {
                "name": "2% within 7 days, net 30",
                "company_id": company.id,
                "early_discount": True,
                "discount_percentage": 2,
                "discount_days": 7,
                "early_pay_discount_computation": "mixed",
                "line_ids": [Command.create({"value": "percent", "value_amount": 100, "nb_days": 30})],
            }
        ),
        "taxes": create_taxes(env, company),
        "product": test.product_a,
        "customer": test.customer,
        "supplier": test.foreign_supplier,
        "date": "2026-11-30",
    }


def generate(env, company, test, count, seed):
    """``count`` posted moves of the seeded mix."""
    rng = random.Random(seed)
    ctx = create_context(env, company, test)
    moves = env["account.move"]
    for index in range(count):
        values = move_values(rng, ctx, index)
        try:
            moves |= env["account.move"].with_company(company).create(values)
        except Exception as error:
            raise AssertionError(f"move {index} of seed {seed}: {values}") from error
    moves.action_post()
    return moves
