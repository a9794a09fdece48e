"""LHDN's validation errors in the accountant's words.

MyInvois answers with error objects (reference §3.2) nested through ``innerError``, or
with ``{"error": {code, message, target, details}}`` for 4xx answers. ``explain``
flattens either into ``Explained`` entries, each with the code's ``Guide`` (what LHDN
refused and how to fix it in Odoo, in English and Malay) and ``where``: the property path
LHDN gave, normalised by ``core_path`` to the core validator's paths (``buyer.address.state``,
``lines[2].taxes[0].type``), so the Odoo layer can point at the record to correct.

``core_path`` reads three path styles: core paths (unchanged), XPaths as the XML checker
reports them (``/*/cac:InvoiceLine[2]/...``, 1-based) and LHDN's dotted paths
(``Invoice.InvoiceLine[1].Item...``, also ``$.Invoice[0]...``: 0-based). An element
without an index is taken as the first (XPath omits the index of an only child).

The table is error_guide_data.py and error_guide_signature.py (the DS codes);
docs/troubleshooting.md shows it (tools/gen_error_table.py).
"""

import re
from dataclasses import dataclass, fields

from .document import Document
from .error_guide_data import ROWS
from .error_guide_signature import SIGNATURE_ROWS


@dataclass(frozen=True)
class Guide:
    code: str
    validator: str
    meaning: str
    meaning_ms: str
    fix: str
    fix_ms: str
    field: str = ""


GUIDES = {
    code: Guide(code, validator, meaning, meaning_ms, fix, fix_ms, field)
    for code, validator, field, meaning, meaning_ms, fix, fix_ms in ROWS + SIGNATURE_ROWS
}
_BY_UPPER = {code.upper(): entry for code, entry in GUIDES.items()}


def guide(code):
    """The Guide of an LHDN error code (any case), None for an unknown code or None."""
    if not isinstance(code, str):
        return None
    return _BY_UPPER.get(code.strip().upper())


# --------------------------------------------------------------------------- paths

# The root element, dropped: Invoice for every MyInvois type (reference §5.1), and the UBL names of the others.
_ROOTS = frozenset(
    "invoice creditnote debitnote refundnote selfbilledinvoice selfbilledcreditnote selfbilleddebitnote "
    "selfbilledrefundnote *".split()
)
_CORE_ROOTS = frozenset(f.name for f in fields(Document) if not f.name.startswith("declared")) | {
    "totals",
    "amounts",
    "payable_amount",
    "signature",
}
_CORE_SEGMENT = re.compile(r"[a-z_]+(\[[0-9]+\])*")
_XPATH_STEP = re.compile(r"(@)?(?:[\w.-]+:)?([\w.-]+|\*)((?:\[[^\]]*\])*)")
_DOTTED_STEP = re.compile(r"(?:[^.\[]|\[[^\]]*\])+")
_PREDICATE = re.compile(r"\[([^\]]*)\]")
_SCHEME_VALUE = re.compile(r"@\w+\s*=\s*['\"]([^'\"]*)['\"]")
_ID_SCHEMES = {"TIN": "tin", "BRN": "id_number", "NRIC": "id_number", "PASSPORT": "id_number", "ARMY": "id_number"}
_ID_SCHEMES.update({"SST": "sst", "TTX": "ttx"})
_PARTY_ID_ORDER = ("tin", "id_number", "sst", "ttx")  # the order ubl._party writes them
_LINE_ELEMENTS = frozenset({"InvoiceLine", "CreditNoteLine", "DebitNoteLine"})
_QUANTITIES = frozenset({"InvoicedQuantity", "CreditedQuantity", "DebitedQuantity"})


@dataclass(frozen=True)
class _Step:
    name: str
    index: int | None  # 0-based
    scheme: str | None  # a predicate's attribute value: [@schemeID='TIN']


def _is_core(path):
    segments = path.split(".")
    head = segments[0].split("[")[0]
    if head not in _CORE_ROOTS or not all(_CORE_SEGMENT.fullmatch(s) for s in segments[:1]):
        return False
    if head == "totals":  # the validator names totals by element: totals.PayableAmount
        return len(segments) <= 2 and all(re.fullmatch(r"\w+", s) for s in segments[1:])
    if head == "lines":  # ... and a line's declared amounts too: lines[0].ItemPriceExtension.Amount
        return all(re.fullmatch(r"\w+(\[[0-9]+\])*", s) for s in segments[1:])
    return all(_CORE_SEGMENT.fullmatch(s) for s in segments[1:])


def _steps(path):
    """The path as _Steps (root element dropped), or None when it is no path we read."""
    xpath = path.startswith("/")
    if xpath:
        raw = [part for part in path.split("/") if part]
    else:
        raw = _DOTTED_STEP.findall(re.sub(r"\A\$\.?", "", path))
    steps = []
    for part in raw:
        match = _XPATH_STEP.fullmatch(part.strip())
        if not match:
            return None
        index = scheme = None
        for predicate in _PREDICATE.findall(match.group(3)):
            predicate = predicate.strip()
            if predicate.isdigit():
                index = int(predicate) - (1 if xpath else 0)
            else:
                value = _SCHEME_VALUE.search(predicate)
                scheme = value.group(1).upper() if value else scheme
        steps.append(_Step(match.group(2), index, scheme))
    if steps and steps[0].name.lower() in _ROOTS:
        steps = steps[1:]
    return steps or None


def core_path(path):
    """``path`` (a core path, an XPath or LHDN's dotted path) as a core Document path,
    None when it cannot be placed."""
    if not isinstance(path, str) or not path.strip():
        return None
    path = path.strip()
    if _is_core(path):
        return path
    steps = _steps(path)
    return _document(steps) if steps else None


def _join(*parts):
    return ".".join(part for part in parts if part)


def _names(steps):
    return [step.name for step in steps]


def _first(step):
    return step.index if step.index is not None and step.index >= 0 else 0


def _document(steps):
    head, rest = steps[0], steps[1:]
    name = head.name
    simple = {
        "ID": "number",
        "IssueDate": "issued_at",
        "IssueTime": "issued_at",
        "DocumentCurrencyCode": "currency",
        "TaxCurrencyCode": "currency",
        "TaxExchangeRate": "exchange_rate",
        "PaymentTerms": "payment_terms",
        "UBLExtensions": "signature",
        "Signature": "signature",
    }
    if name in simple:
        return simple[name]
    if name == "InvoiceTypeCode":
        return "version" if "listVersionID" in _names(rest) else "type_code"
    if name == "AccountingSupplierParty":
        return _party("supplier", rest)
    if name == "AccountingCustomerParty":
        return _party("buyer", rest)
    if name == "Delivery":
        return _delivery(rest)
    if name in _LINE_ELEMENTS:
        return _line(f"lines[{_first(head)}]", rest)
    if name == "BillingReference":
        return _billing_reference(head, rest)
    if name == "PaymentMeans":
        return "bank_account" if "PayeeFinancialAccount" in _names(rest) else "payment_means"
    if name == "PrepaidPayment":
        sub = {"PaidAmount": "amount", "ID": "reference", "PaidDate": "paid_at", "PaidTime": "paid_at"}
        return _join("prepayment", next((sub[n] for n in _names(rest) if n in sub), ""))
    if name == "InvoicePeriod":
        names = _names(rest)
        return "period_end" if "EndDate" in names else "frequency" if "Description" in names else "period_start"
    if name == "LegalMonetaryTotal":
        return f"totals.{rest[0].name}" if rest else "totals"
    if name == "TaxTotal":
        return _document_tax(rest)
    if name == "AllowanceCharge":
        return _allowance(f"allowances[{_first(head)}]", rest)
    return None


def _billing_reference(head, rest):
    if head.index is None and not rest:
        return "billing_references"
    names = _names(rest)
    leaf = "uuid" if "UUID" in names else "number" if "ID" in names else ""
    return _join(f"billing_references[{_first(head)}]", leaf)


def _document_tax(rest):
    if rest and rest[0].name == "TaxSubtotal":
        leaf = next((n for n in _names(rest[1:]) if n in ("TaxableAmount", "TaxAmount")), "")
        return _join(f"TaxTotal.TaxSubtotal[{_first(rest[0])}]", leaf)
    return "totals.TaxAmount"


def _party(role, steps):
    if steps and steps[0].name == "Party":
        steps = steps[1:]
    if not steps:
        return role
    head, rest = steps[0], steps[1:]
    names = _names(rest)
    if head.name == "IndustryClassificationCode":
        return f"{role}.activity" if "name" in names else f"{role}.msic"
    if head.name == "PartyIdentification":
        return _identification(role, head, rest)
    if head.name == "PostalAddress":
        return _address(f"{role}.address", rest)
    if head.name == "PartyLegalEntity":
        return f"{role}.name"
    if head.name == "Contact":
        if "Telephone" in names:
            return f"{role}.phone"
        return f"{role}.email" if "ElectronicMail" in names else role
    return role


def _identification(role, head, rest):
    scheme = head.scheme or next((step.scheme for step in rest if step.scheme), None)
    if scheme in _ID_SCHEMES:
        field = _ID_SCHEMES[scheme]
    elif head.index is not None and 0 <= head.index < len(_PARTY_ID_ORDER):
        field = _PARTY_ID_ORDER[head.index]
    else:  # which of the four identifications cannot be told
        return role
    if field == "id_number" and rest and rest[-1].name == "schemeID":
        field = "id_type"
    return f"{role}.{field}"


def _address(path, steps):
    if not steps:
        return path
    head = steps[0]
    if head.name == "AddressLine":
        return f"{path}.lines[{_first(head)}]"
    sub = {
        "CountrySubentityCode": "state",
        "CityName": "city",
        "PostalZone": "postal_zone",
        "Country": "country",
    }
    return f"{path}.{sub[head.name]}" if head.name in sub else path


def _delivery(steps):
    if steps and steps[0].name == "DeliveryParty":
        steps = steps[1:]
        if steps and steps[0].name == "PartyLegalEntity":
            return "delivery.name"
        return _party("delivery", steps)
    if steps and steps[0].name == "Shipment":
        freight = next((step for step in steps if step.name == "FreightAllowanceCharge"), None)
        if freight is not None:
            return f"delivery.other_charges[{_first(freight)}].amount"
        return "delivery.shipment_id"
    return "delivery"


def _allowance(path, steps):
    sub = {"Amount": "amount", "AllowanceChargeReason": "reason", "MultiplierFactorNumeric": "rate"}
    return _join(path, next((sub[n] for n in _names(steps) if n in sub), ""))


def _line(path, steps):
    if not steps:
        return path
    head, rest = steps[0], steps[1:]
    names = _names(rest)
    if head.name == "ID":
        return f"{path}.id"
    if head.name in _QUANTITIES:
        return f"{path}.unit_code" if "unitCode" in names else f"{path}.quantity"
    if head.name == "LineExtensionAmount":
        return f"{path}.LineExtensionAmount"
    if head.name == "ItemPriceExtension":
        return f"{path}.ItemPriceExtension.Amount"
    if head.name == "Price":
        return f"{path}.unit_price"
    if head.name == "AllowanceCharge":
        return _allowance(f"{path}.allowances[{_first(head)}]", rest)
    if head.name == "TaxTotal":
        return _line_tax(path, rest)
    if head.name == "Item":
        return _item(path, rest)
    return path


def _item(path, steps):
    if not steps:
        return f"{path}.description"
    head = steps[0]
    if head.name == "CommodityClassification":
        schemes = {step.scheme for step in steps if step.scheme}
        return f"{path}.tariff_code" if "PTC" in schemes else f"{path}.classifications"
    if head.name == "OriginCountry":
        return f"{path}.origin_country"
    return f"{path}.description"


def _line_tax(path, steps):
    if not steps or steps[0].name != "TaxSubtotal":
        return f"{path}.TaxTotal.TaxAmount"
    tax = f"{path}.taxes[{_first(steps[0])}]"
    names = _names(steps[1:])
    for element, field in (
        ("TaxExemptionReason", "exemption_reason"),
        ("Percent", "percent"),
        ("PerUnitAmount", "per_unit_amount"),
        ("BaseUnitMeasure", "base_unit_measure"),
        ("TaxableAmount", "taxable_amount"),
        ("TaxAmount", "amount"),
        ("ID", "type"),
    ):
        if element in names:
            return f"{tax}.{field}"
    return f"{tax}.type"


# --------------------------------------------------------------------------- errors


@dataclass(frozen=True)
class Explained:
    code: str | None
    text: str
    text_ms: str
    path: str | None
    where: str | None
    guide: Guide | None
    depth: int


def _text(value):
    return value.strip() if isinstance(value, str) else ""


def explain(errors):
    """Every error of ``errors`` (a list of error objects of either shape, or one dict;
    validation steps, ``validationResults`` and rejected documents are read through),
    depth-first, with the guide of its code and its core path."""
    out = []
    for error in [errors] if isinstance(errors, dict) else list(errors or ()):
        _walk(error, 0, out)
    return out


def _walk(error, depth, out):
    if not isinstance(error, dict):
        return
    if isinstance(error.get("validationSteps"), list):  # validationResults
        for step in error["validationSteps"]:
            _walk(step, depth, out)
        return
    code = _text(error.get("errorCode")) or _text(error.get("code"))
    wrapped = error.get("error")
    if isinstance(wrapped, dict) and not code:  # a 4xx body, a validation step, a rejected document
        _walk(wrapped, depth, out)
        return
    text = _text(error.get("error")) or _text(error.get("message"))
    if code or text:
        path = _text(error.get("propertyPath")) or _text(error.get("propertyName")) or _text(error.get("target"))
        entry = guide(code)
        where = core_path(path) if path else ((entry.field or None) if entry else None)
        out.append(
            Explained(
                code=code or None,
                text=text,
                text_ms=_text(error.get("errorMS")) or _text(error.get("errorMs")),
                path=path or None,
                where=where,
                guide=entry,
                depth=depth,
            )
        )
    for key in ("innerError", "details"):
        children = error.get(key)
        for child in [children] if isinstance(children, dict) else children if isinstance(children, list) else ():
            _walk(child, depth + 1, out)


def markdown_table():
    """The guides as the Markdown table of docs/troubleshooting.md, sorted by code."""
    rows = ["| Code | Validator | What LHDN refused | How to fix it |", "|---|---|---|---|"]
    for code in sorted(GUIDES):
        entry = GUIDES[code]
        cells = (f"`{code}`", entry.validator, entry.meaning, entry.fix)
        rows.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(rows) + "\n"
