"""Validation of the currencies a document read from XML declares (reference §5.9).

LHDN's currency validator: every amount is in the document currency (DC502); when
cbc:TaxCurrencyCode is given, every tax amount is in it (DC501), so in practice it
can only repeat the document currency; the TaxExchangeRate converts the document
currency to MYR. A document built in Python declares nothing here: the writer puts
the document currency on every amount and writes the rate from it to MYR.
"""

import re

MYR = "MYR"
EXCHANGE_RATE = "/*/cac:TaxExchangeRate"


def _name(path):
    """Local name of the element an XPath ends with: .../cbc:TaxAmount -> TaxAmount."""
    return re.sub(r"\[[0-9]+\]\Z", "", path.rsplit("/", 1)[-1]).split(":")[-1]


def _report(check, rule, wrong, expected, what, what_ms):
    """One issue per rule, at the first element in the wrong currency."""
    if not wrong:
        return
    path, found = wrong[0]
    others = f" ({len(wrong) - 1} more amount(s) too)" if len(wrong) > 1 else ""
    others_ms = f" ({len(wrong) - 1} amaun lain juga)" if len(wrong) > 1 else ""
    check.add(
        path,
        rule,
        f"The amount is in {found or 'no currency'} but {what} is {expected}: every amount must be in it{others}.",
        f"Amaun dalam {found or 'tiada mata wang'} tetapi {what_ms} ialah {expected}: "
        f"setiap amaun mesti dalamnya{others_ms}.",
    )


def check_currencies(check, doc):
    currency, tax_currency = doc.currency, doc.declared_tax_currency
    if currency:
        _report(
            check,
            "amount_currency",
            [(path, found) for path, found in doc.declared_currencies if found != currency],
            currency,
            "the document currency",
            "mata wang dokumen",
        )
    if tax_currency:
        _report(
            check,
            "tax_currency",
            [
                (path, found)
                for path, found in doc.declared_currencies
                if _name(path) == "TaxAmount" and found != tax_currency
            ],
            tax_currency,
            "the tax currency (TaxCurrencyCode)",
            "mata wang cukai (TaxCurrencyCode)",
        )
    if not doc.declared_exchange_currencies:
        return
    source, target = doc.declared_exchange_currencies
    if source != currency:
        hint, hint_ms = (" (a MYR document needs no rate)", " (dokumen MYR tidak memerlukan kadar)")
        if currency != MYR:
            hint, hint_ms = "", ""
        check.add(
            f"{EXCHANGE_RATE}/cbc:SourceCurrencyCode",
            "exchange_currency",
            f"The exchange rate converts from {source or 'nothing'} but the document is in {currency}; "
            f"its source currency is the document currency{hint}.",
            f"Kadar pertukaran daripada {source or 'tiada'} tetapi dokumen dalam {currency}; "
            f"mata wang sumbernya ialah mata wang dokumen{hint_ms}.",
        )
    if target != MYR:
        check.add(
            f"{EXCHANGE_RATE}/cbc:TargetCurrencyCode",
            "exchange_currency",
            f"The exchange rate converts to {target or 'nothing'}; LHDN wants the rate to MYR.",
            f"Kadar pertukaran kepada {target or 'tiada'}; LHDN memerlukan kadar kepada MYR.",
        )
