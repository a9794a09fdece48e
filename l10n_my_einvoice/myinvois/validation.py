"""Pre-submission validation of a Document: every problem in one pass.

Each Issue names the field path (``buyer.address.state``, ``lines[2].taxes[0].type``),
the rule, and says what is wrong in English and in Malay, so the Odoo layer can
point the accountant at the record and field to fix. The rules are LHDN's
(reference §5, §6, §10.2, §10.4); where LHDN is lenient but the value would be
wrong for the business (a negative amount payable), we say so.

This module holds the header rules and runs the others, one module per job:
validation_parties.py (supplier, buyer, shipping recipient, consolidated),
validation_amounts.py (lines, taxes, totals, declared amounts) and
validation_currency.py (the currencies an XML document declares).
"""

import datetime
import re
from dataclasses import dataclass, fields, is_dataclass

from . import codes, input_checks
from .document import NOTE_TYPES, Document
from .validation_amounts import check_lines, check_tax_subtotals, check_totals
from .validation_currency import check_currencies
from .validation_malay import label_ms
from .validation_parties import check_consolidated, check_delivery, check_party

SUBMISSION_WINDOW = datetime.timedelta(hours=72)
# Whole-string patterns: \Z, as "$" also matches before a final newline.
UUID_PATTERN = re.compile(r"\A[A-Z0-9]{26}\Z")
FTA_PATTERN = re.compile(r"\A[A-Za-z0-9 ()\-]+\Z")
INCOTERMS_PATTERN = re.compile(r"\A[A-Za-z0-9]{1,3}\Z")
FORM_LIST_PATTERN = re.compile(r"\A[^\s,]+(,[^\s,]+)*\Z")


@dataclass(frozen=True)
class Issue:
    path: str
    rule: str
    message: str
    message_ms: str

    def __str__(self):
        return f"{self.path}: {self.message}"


class _Checker:
    """Collects issues; one method per kind of rule, each with its Malay text."""

    def __init__(self):
        self.issues = []

    def add(self, path, rule, message, message_ms):
        self.issues.append(Issue(path, rule, message, message_ms))

    def required(self, path, value, label):
        if value is None or (isinstance(value, (str, list)) and not value):
            self.add(path, "required", f"{label} is required.", f"{label_ms(label)} wajib diisi.")
            return False
        return True

    def length(self, path, value, label, maximum):
        if value and len(value) > maximum:
            self.add(
                path,
                "too_long",
                f"{label} is {len(value)} characters long; LHDN accepts at most {maximum}.",
                f"{label_ms(label)} mempunyai {len(value)} aksara; LHDN menerima maksimum {maximum}.",
            )

    def code(self, path, value, table, label):
        if value and not codes.is_valid(table, value):
            self.add(
                path,
                "code",
                f"{value!r} is not a {label} code in LHDN's list.",
                f"{value!r} bukan kod {label_ms(label)} dalam senarai LHDN.",
            )

    def pattern(self, path, value, regex, label, expected, expected_ms):
        if value and not regex.fullmatch(value):
            self.add(
                path,
                "format",
                f"{label} {value!r} is not valid: {expected}.",
                f"{label_ms(label)} {value!r} tidak sah: {expected_ms}.",
            )

    def not_negative(self, path, value, label, hint="", hint_ms=""):
        if value is not None and value < 0:
            self.add(
                path,
                "negative",
                f"{label} is negative ({value}).{hint}",
                f"{label_ms(label)} adalah negatif ({value}).{hint_ms}",
            )


def validate(document: Document, *, now=None, for_submission=True):
    """All problems of ``document``. ``for_submission`` adds the rules that depend
    on the moment of sending (issue time within the last 72 hours, not ahead)."""
    check = _Checker()
    now = now or datetime.datetime.now(datetime.timezone.utc)
    _header(check, document, now, for_submission)
    check_party(check, "supplier", document.supplier, document, is_supplier=True)
    check_party(check, "buyer", document.buyer, document, is_supplier=False)
    check_consolidated(check, document)
    if document.delivery:
        check_delivery(check, document)
    check_currencies(check, document)
    _characters(check, document, "")
    try:
        amounts = document.amounts()
    except ArithmeticError:  # amounts of 26 digits and more, from XML or Python (the JSON form stops them)
        check.add(
            "amounts",
            "too_large",
            "The amounts are too large to compute; LHDN's amounts have at most 15 digits before the point.",
            "Amaun terlalu besar untuk dikira; amaun LHDN mempunyai maksimum 15 digit sebelum titik.",
        )
        return check.issues
    check_lines(check, document, amounts)
    check_totals(check, document, amounts)
    check_tax_subtotals(check, document, amounts)
    return check.issues


_FIELD_NAMES = {}  # class -> names of the fields _characters reads (() for a value that is not a dataclass)


def _checked_fields(value):
    """The fields of ``value`` whose texts are checked: all but the declared* ones
    (what an XML document says of itself), () when it is not a dataclass."""
    names = _FIELD_NAMES.get(value.__class__)
    if names is None:
        names = _FIELD_NAMES[value.__class__] = (
            tuple(f.name for f in fields(value) if not f.name.startswith("declared")) if is_dataclass(value) else ()
        )
    return names


def _texts(value, out):
    """Every string of ``value``, collected without the paths (most documents have no
    bad character: naming where is left to _named_characters)."""
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, list):
        for item in value:
            _texts(item, out)
    else:
        for name in _checked_fields(value):
            _texts(getattr(value, name), out)


def _characters(check, document, path):
    """Text XML cannot carry (a control character pasted into a name) in any field: the
    JSON form refuses it at its boundary; a document built in Python is checked here."""
    texts = []
    _texts(document, texts)
    if input_checks.bad_character("".join(texts)):
        _named_characters(check, document, path)


def _named_characters(check, value, path):
    if isinstance(value, str):
        found = input_checks.bad_character(value)
        if found:
            where, char = found
            check.add(
                path,
                "character",
                f"The text has the control character U+{ord(char):04X} at position {where}; remove it.",
                f"Teks mempunyai aksara kawalan U+{ord(char):04X} pada kedudukan {where}; buangkannya.",
            )
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _named_characters(check, item, f"{path}[{index}]")
    else:
        for name in _checked_fields(value):
            _named_characters(check, getattr(value, name), f"{path}.{name}" if path else name)


def _header(check, doc, now, for_submission):
    check.code("type_code", doc.type_code, "einvoice_types", "e-invoice type")
    if doc.version != "1.1":
        check.add(
            "version",
            "version",
            f"Version {doc.version!r} cannot be submitted; this addon signs version 1.1.",
            f"Versi {doc.version!r} tidak boleh dihantar; addon ini menandatangani versi 1.1.",
        )
    if check.required("number", doc.number, "The e-invoice number"):
        check.length("number", doc.number, "The e-invoice number", 50)
    if check.required("issued_at", doc.issued_at, "The issue date and time"):
        if doc.issued_at.tzinfo is None:
            check.add(
                "issued_at",
                "timezone",
                "The issue time has no time zone; LHDN wants UTC.",
                "Masa dikeluarkan tiada zon waktu; LHDN memerlukan UTC.",
            )
        elif for_submission and doc.issued_at > now:
            check.add(
                "issued_at",
                "future",
                f"The issue time {doc.issued_at:%Y-%m-%d %H:%M:%S}Z is in the future (local time written as UTC?).",
                f"Masa dikeluarkan {doc.issued_at:%Y-%m-%d %H:%M:%S}Z adalah pada masa hadapan.",
            )
        elif for_submission and now - doc.issued_at > SUBMISSION_WINDOW:
            check.add(
                "issued_at",
                "too_old",
                f"The issue time {doc.issued_at:%Y-%m-%d %H:%M}Z is more than 72 hours "
                "ago; LHDN refuses it. Stamp the document again before sending.",
                f"Masa dikeluarkan {doc.issued_at:%Y-%m-%d %H:%M}Z melebihi 72 jam; LHDN menolaknya.",
            )
    if check.required("currency", doc.currency, "The currency"):
        check.code("currency", doc.currency, "currencies", "currency")
    if doc.currency and doc.currency != "MYR" and codes.is_valid("currencies", doc.currency):
        if doc.exchange_rate is None:
            check.add(
                "exchange_rate",
                "required",
                f"The exchange rate to MYR is required for a {doc.currency} document.",
                f"Kadar pertukaran ke MYR wajib diisi untuk dokumen {doc.currency}.",
            )
        elif doc.exchange_rate <= 0:
            check.add(
                "exchange_rate",
                "positive",
                f"The exchange rate must be positive, not {doc.exchange_rate}.",
                f"Kadar pertukaran mesti positif, bukan {doc.exchange_rate}.",
            )
    check.length("frequency", doc.frequency, "The billing frequency", 50)
    if doc.period_start and doc.period_end and doc.period_start > doc.period_end:
        check.add(
            "period_end",
            "period",
            "The billing period ends before it starts.",
            "Tempoh pengebilan berakhir sebelum ia bermula.",
        )
    check.code("payment_means", doc.payment_means, "payment_modes", "payment mode")
    check.length("bank_account", doc.bank_account, "The bank account", 150)
    check.length("payment_terms", doc.payment_terms, "The payment terms", 300)
    check.length("bill_reference", doc.bill_reference, "The bill reference", 150)
    if doc.prepayment:
        check.not_negative("prepayment.amount", doc.prepayment.amount, "The prepayment")
        check.length("prepayment.reference", doc.prepayment.reference, "The prepayment reference", 150)
    for name, forms, label in (
        ("customs_import_forms", doc.customs_import_forms, "The customs form 1/9 numbers"),
        ("customs_k2_forms", doc.customs_k2_forms, "The customs form 2 numbers"),
    ):
        joined = ",".join(forms)
        check.length(name, joined, label, 1000)
        check.pattern(name, joined, FORM_LIST_PATTERN, label, "numbers without spaces", "nombor tanpa ruang")
    check.length("fta", doc.fta, "The FTA information", 300)
    check.pattern(
        "fta",
        doc.fta,
        FTA_PATTERN,
        "The FTA information",
        "only letters, digits, spaces, - ( )",
        "hanya huruf, digit, ruang, - ( )",
    )
    check.pattern(
        "incoterms",
        doc.incoterms,
        INCOTERMS_PATTERN,
        "The incoterms",
        "at most 3 letters, e.g. CIF",
        "maksimum 3 huruf, cth. CIF",
    )
    _references(check, doc)


def _references(check, doc):
    if doc.type_code in NOTE_TYPES:
        if not doc.billing_references:
            check.add(
                "billing_references",
                "required",
                "A credit, debit or refund note must reference the original document (its LHDN UUID and number).",
                "Nota kredit, debit atau bayaran balik mesti merujuk dokumen asal (UUID LHDN dan nombornya).",
            )
        for index, ref in enumerate(doc.billing_references):
            path = f"billing_references[{index}]"
            if check.required(f"{path}.uuid", ref.uuid, "The original's LHDN UUID") and ref.uuid != "NA":
                check.pattern(
                    f"{path}.uuid",
                    ref.uuid,
                    UUID_PATTERN,
                    "The original's UUID",
                    "26 upper-case letters and digits, or NA for a document from before e-invoicing",
                    "26 huruf besar dan digit, atau NA untuk dokumen sebelum e-invois",
                )
            if check.required(f"{path}.number", ref.number, "The original's number"):
                check.length(f"{path}.number", ref.number, "The original's number", 50)
    elif doc.billing_references:
        check.add(
            "billing_references",
            "not_allowed",
            "Only credit, debit and refund notes reference an original document.",
            "Hanya nota kredit, debit dan bayaran balik merujuk dokumen asal.",
        )
