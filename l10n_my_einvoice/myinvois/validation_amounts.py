"""Validation of the lines, taxes and totals (reference §5.7, §5.8, §5.10).

Called by ``validation.validate`` with its checker and the document's Amounts.
Negative lines are allowed (LHDN allows negative values, §5.8): Odoo posts a global
discount as a line with a negative price and a down-payment deduction as quantity -1.
What must not be negative is the amount payable: that document is a credit note.

A document read from XML also declares its amounts (the ``declared*`` fields); each
must be what LHDN's "mathematical mappings" give from the lines, as Line.amounts()
and Document.amounts() compute them. Percent x TaxableAmount is not checked: with
Odoo's round-globally a line's tax may differ from rate x base by a cent.
"""

import re

from . import codes
from .document import money

# Whole strings: \Z, as "$" also matches before a final newline.
TARIFF_PATTERN = re.compile(r"\A[0-9.]{1,12}\Z")
EXEMPTION_PATTERN = re.compile(r"\A[A-Za-z0-9 .,()\-]+\Z")
# Tax fields that carry the line's sign: the field, in English and Malay.
_TAX_SIGNED = (
    ("taxable_amount", "The taxable amount", "Amaun bercukai"),
    ("amount", "The tax amount", "Amaun cukai"),
    ("per_unit_amount", "The tax per unit", "Cukai seunit"),
    ("base_unit_measure", "The number of units taxed", "Bilangan unit bercukai"),
)

# Line.declared key, the LineAmounts field it must equal, the rule, that field in English and Malay.
_LINE_DECLARED = (
    ("ItemPriceExtension.Amount", "subtotal", "line_subtotal", "unit price x quantity", "harga seunit x kuantiti"),
    (
        "LineExtensionAmount",
        "total",
        "line_extension",
        "the subtotal - discounts + charges",
        "subjumlah - diskaun + caj",
    ),
    (
        "TaxTotal.TaxAmount",
        "tax_total",
        "line_tax_total",
        "the sum of the line's tax subtotals",
        "jumlah subjumlah cukai baris",
    ),
)


def check_lines(check, doc, amounts):
    if not doc.lines:
        check.add("lines", "required", "The document has no lines.", "Dokumen tiada baris.")
    for index, (line, line_amounts) in enumerate(zip(doc.lines, amounts.lines, strict=True)):
        _line(check, f"lines[{index}]", line, line_amounts, doc)


def _line(check, path, line, line_amounts, doc):
    if check.required(f"{path}.description", line.description, "The line description"):
        check.length(f"{path}.description", line.description, "The line description", 300)
    # Any sign and 0 are quantities (returns, down-payment deductions); only a missing one is not.
    check.required(f"{path}.quantity", line.quantity, "The quantity")
    check.required(f"{path}.unit_price", line.unit_price, "The unit price")
    check.code(f"{path}.unit_code", line.unit_code, "units", "unit of measure")
    if check.required(f"{path}.classifications", line.classifications, "The line's LHDN classification"):
        for position, code in enumerate(line.classifications):
            check.code(f"{path}.classifications[{position}]", code, "classifications", "classification")
        if doc.consolidated and codes.CONSOLIDATED_CLASSIFICATION not in line.classifications:
            check.add(
                f"{path}.classifications",
                "consolidated",
                "Lines of a consolidated e-invoice are classified 004.",
                "Baris e-invois disatukan dikelaskan 004.",
            )
    check.pattern(
        f"{path}.tariff_code",
        line.tariff_code,
        TARIFF_PATTERN,
        "The tariff code",
        "digits and dots, at most 12",
        "digit dan titik, maksimum 12",
    )
    check.code(f"{path}.origin_country", line.origin_country, "countries", "country")
    _line_allowances(check, f"{path}.allowances", line, line_amounts)
    if check.required(f"{path}.taxes", line.taxes, "The line's tax type (06 when no tax applies)"):
        for position, tax in enumerate(line.taxes):
            _tax(check, f"{path}.taxes[{position}]", tax)
            if not doc.consolidated:  # a consolidated line sums receipts: one tax type may net negative
                _tax_signs(check, f"{path}.taxes[{position}]", tax, line_amounts.total)
    for key, field, rule, what, what_ms in _LINE_DECLARED:
        declared, computed = line.declared.get(key), getattr(line_amounts, field)
        if declared is not None and money(declared) != computed:
            check.add(
                f"{path}.{key}",
                rule,
                f"{key} is {declared} but {what} is {computed}.",
                f"{key} ialah {declared} tetapi {what_ms} ialah {computed}.",
            )


def _allowance_fields(check, path, allowances):
    """What every discount or charge needs, on a line or on the document."""
    for index, allowance in enumerate(allowances):
        where = f"{path}[{index}]"
        label = "A charge" if allowance.charge else "A discount"
        if allowance.amount is None and allowance.rate is None:
            check.add(
                where,
                "required",
                f"{label} needs an amount or a rate.",
                f"{'Caj' if allowance.charge else 'Diskaun'} memerlukan amaun atau kadar.",
            )
        if allowance.rate is not None and not 0 <= allowance.rate <= 1:
            check.add(
                f"{where}.rate",
                "rate",
                f"The rate {allowance.rate} must be a fraction between 0 and 1 (0.1 for 10 %).",
                f"Kadar {allowance.rate} mesti pecahan antara 0 dan 1.",
            )
        check.length(f"{where}.reason", allowance.reason, "The reason", 300)


def _line_allowances(check, path, line, line_amounts):
    """A line's discounts and charges carry the line's sign (10 % off a -100.00 line is
    -10.00); a discount cannot be more than the line's subtotal."""
    before = len(check.issues)
    _allowance_fields(check, path, line.allowances)
    subtotal = line_amounts.subtotal
    for index, (allowance, amount) in enumerate(zip(line.allowances, line_amounts.allowances, strict=True)):
        if allowance.amount is None:
            continue  # from a rate: the subtotal's sign, and the rate rule bounds it
        where = f"{path}[{index}].amount"
        label, label_ms = ("A charge", "Caj") if allowance.charge else ("A discount", "Diskaun")
        if amount and subtotal and (amount < 0) != (subtotal < 0):
            check.add(
                where,
                "allowance_sign",
                f"{label} of {amount} has the opposite sign of the line's subtotal {subtotal}; "
                "on a negative line it is negative too.",
                f"{label_ms} {amount} bertentangan tanda dengan subjumlah baris {subtotal}; "
                "pada baris negatif ia juga negatif.",
            )
        elif not allowance.charge and abs(amount) > abs(subtotal):
            check.add(
                where,
                "allowance_exceeds",
                f"The discount of {amount} is more than the line's subtotal {subtotal}.",
                f"Diskaun {amount} melebihi subjumlah baris {subtotal}.",
            )
    total = line_amounts.total
    # Each discount fits, but together they turn the line over.
    if len(check.issues) == before and subtotal and total and (total < 0) != (subtotal < 0):
        check.add(
            path,
            "allowance_exceeds",
            f"The line's discounts together exceed its subtotal {subtotal} (the line would be {total}).",
            f"Diskaun baris bersama-sama melebihi subjumlahnya {subtotal} (baris menjadi {total}).",
        )


def _tax(check, path, tax):
    check.code(f"{path}.type", tax.type, "tax_types", "tax type")
    if tax.type == "E":
        if check.required(f"{path}.exemption_reason", tax.exemption_reason, "The tax exemption reason"):
            check.length(f"{path}.exemption_reason", tax.exemption_reason, "The exemption reason", 300)
            check.pattern(
                f"{path}.exemption_reason",
                tax.exemption_reason,
                EXEMPTION_PATTERN,
                "The exemption reason",
                "only letters, digits, spaces and . , - ( )",
                "hanya huruf, digit, ruang dan . , - ( )",
            )
    if tax.percent is not None and not 0 <= tax.percent <= 100:
        check.add(
            f"{path}.percent",
            "percent",
            f"The tax rate {tax.percent} % is outside 0-100.",
            f"Kadar cukai {tax.percent} % di luar 0-100.",
        )
    if tax.per_unit_amount is not None and tax.base_unit_measure is None:
        check.add(
            f"{path}.base_unit_measure",
            "required",
            "A fixed-rate tax needs the number of units it applies to.",
            "Cukai kadar tetap memerlukan bilangan unit.",
        )
    elif tax.per_unit_amount is not None and tax.amount is not None:
        # LHDN recomputes a fixed-rate tax as PerUnitAmount x BaseUnitMeasure (§5.10).
        expected = money(tax.per_unit_amount * tax.base_unit_measure)
        if money(tax.amount) != expected:
            check.add(
                f"{path}.amount",
                "per_unit_tax",
                f"The tax amount is {tax.amount} but {tax.per_unit_amount} per unit x "
                f"{tax.base_unit_measure} units is {expected}.",
                f"Amaun cukai ialah {tax.amount} tetapi {tax.per_unit_amount} seunit x "
                f"{tax.base_unit_measure} unit ialah {expected}.",
            )
    check.code(f"{path}.base_unit_code", tax.base_unit_code, "units", "unit of measure")


def _tax_signs(check, path, tax, total):
    """A line's taxes carry the line's sign, as its discounts do: a negative taxable
    amount, tax, amount per unit or number of units on a line that is not negative would
    lower the tax and the total (and on a negative line, a positive tax would raise them)."""
    if total >= 0:
        for name, label, label_ms in _TAX_SIGNED:
            value = getattr(tax, name)
            if value is not None and value < 0:
                check.add(
                    f"{path}.{name}",
                    "tax_sign",
                    f"{label} is negative ({value}) on a line of {total}; it would lower the tax and the total.",
                    f"{label_ms} adalah negatif ({value}) pada baris {total}; ia akan mengurangkan cukai dan jumlah.",
                )
        return
    fixed = None
    if tax.per_unit_amount is not None:
        fixed = tax.per_unit_amount * (tax.base_unit_measure if tax.base_unit_measure is not None else 1)
    for name, value, label, label_ms in (
        ("taxable_amount", tax.taxable_amount, "The taxable amount", "Amaun bercukai"),
        ("amount", tax.amount, "The tax amount", "Amaun cukai"),
        ("per_unit_amount", fixed, "The fixed-rate tax (per unit x units)", "Cukai kadar tetap (seunit x unit)"),
    ):
        if value is not None and value > 0:
            check.add(
                f"{path}.{name}",
                "tax_sign",
                f"{label} is positive ({value}) on a negative line ({total}); on a negative line it is negative too.",
                f"{label_ms} adalah positif ({value}) pada baris negatif ({total}); ia juga negatif.",
            )


def check_totals(check, doc, amounts):
    _allowance_fields(check, "allowances", doc.allowances)
    for index, allowance in enumerate(doc.allowances):
        check.not_negative(f"allowances[{index}].amount", allowance.amount, "A document discount or charge")
    if doc.lines and amounts.payable < 0:
        check.add(
            "payable_amount",
            "negative",
            f"The amount payable is negative ({amounts.payable}): issue a credit note instead; "
            "MyInvois amounts give the direction by the document type.",
            f"Amaun perlu dibayar adalah negatif ({amounts.payable}): keluarkan nota kredit; "
            "jenis dokumen MyInvois menentukan arah amaun.",
        )
    for name, computed in amounts.totals().items():
        declared = doc.declared.get(name)
        if declared is not None and money(declared) != computed:
            check.add(
                f"totals.{name}",
                "totals",
                f"{name} is {declared} but the lines add up to {computed}.",
                f"{name} ialah {declared} tetapi jumlah baris ialah {computed}.",
            )
    # TaxTotal/TaxAmount = Σ lines' tax = Σ subtotals once check_tax_subtotals passes.
    declared_tax = doc.declared.get("TaxAmount")
    if declared_tax is not None and money(declared_tax) != amounts.tax_total:
        check.add(
            "totals.TaxAmount",
            "totals",
            f"The tax total is {declared_tax} but the line taxes add up to {amounts.tax_total}.",
            f"Jumlah cukai ialah {declared_tax} tetapi cukai baris berjumlah {amounts.tax_total}.",
        )


def _tax_label(key, malay=False):
    tax_type, reason = key
    if tax_type != "E":
        return tax_type
    if malay:
        return f"E (sebab pengecualian {reason!r})" if reason else "E tanpa sebab pengecualian"
    return f"E (exemption reason {reason!r})" if reason else "E without an exemption reason"


def check_tax_subtotals(check, doc, amounts):
    """The document's TaxTotal/TaxSubtotal, one per tax type (and exemption reason for
    E), each the sum of the lines' subtotals of that type (§5.8)."""
    if doc.declared_tax_subtotals is None:  # built in Python: the writer derives them
        return
    from_lines = {(s.type, s.exemption_reason): s for s in amounts.tax_subtotals}
    seen = set()
    for index, declared in enumerate(doc.declared_tax_subtotals):
        path = f"TaxTotal.TaxSubtotal[{index}]"
        key = (declared.type, declared.exemption_reason if declared.type == "E" else "")
        label, label_ms, lines = _tax_label(key), _tax_label(key, malay=True), from_lines.get(key)
        if key in seen:
            check.add(
                path,
                "tax_subtotal",
                f"This is a second subtotal for tax type {label}; give one per tax type.",
                f"Ini subjumlah kedua untuk jenis cukai {label_ms}; berikan satu bagi setiap jenis cukai.",
            )
            continue
        seen.add(key)
        if lines is None:
            check.add(
                path,
                "tax_subtotal",
                f"This subtotal is for tax type {label}, which no line has.",
                f"Subjumlah ini untuk jenis cukai {label_ms}, yang tiada pada mana-mana baris.",
            )
            continue
        for name, value, computed in (
            ("TaxableAmount", declared.taxable_amount, lines.taxable_amount),
            ("TaxAmount", declared.amount, lines.amount),
        ):
            if value is not None and money(value) != computed:
                check.add(
                    f"{path}.{name}",
                    "tax_subtotal",
                    f"The {name} of tax type {label} is {value} but the lines' subtotals add up to {computed}.",
                    f"{name} jenis cukai {label_ms} ialah {value} tetapi subjumlah baris berjumlah {computed}.",
                )
    for key, lines in from_lines.items():
        if key not in seen:
            check.add(
                "TaxTotal.TaxSubtotal",
                "tax_subtotal",
                f"The lines have tax type {_tax_label(key)} (tax {lines.amount} on {lines.taxable_amount}) "
                "but the document's TaxTotal has no subtotal for it.",
                f"Baris mempunyai jenis cukai {_tax_label(key, malay=True)} tetapi TaxTotal dokumen "
                "tiada subjumlah untuknya.",
            )
