"""Pre-submission validation of a Document: every problem in one pass.

Each Issue names the field path (``buyer.address.state``, ``lines[2].taxes[0].type``),
the rule, and says what is wrong in English and in Malay, so the Odoo layer can
point the accountant at the record and field to fix. The rules are LHDN's
(reference §5, §6, §10.2, §10.4); where LHDN is lenient but the value would be
wrong for the business (a negative quantity on an invoice), we say so.
"""

import datetime
import re
from dataclasses import dataclass

from . import codes
from .document import NOTE_TYPES, SELF_BILLED_TYPES, Document, money

SUBMISSION_WINDOW = datetime.timedelta(hours=72)
UUID_PATTERN = re.compile(r"^[A-Z0-9]{26}$")
EMAIL_PATTERN = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")
TARIFF_PATTERN = re.compile(r"^[0-9.]{1,12}$")
EXEMPTION_PATTERN = re.compile(r"^[A-Za-z0-9 .,()\-]+$")
FTA_PATTERN = re.compile(r"^[A-Za-z0-9 ()\-]+$")
INCOTERMS_PATTERN = re.compile(r"^[A-Za-z0-9]{1,3}$")
FORM_LIST_PATTERN = re.compile(r"^[^\s,]+(,[^\s,]+)*$")
MY_POSTCODE = re.compile(r"^\d{5}$")


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
            self.add(path, "required", f"{label} is required.", f"{label} wajib diisi.")
            return False
        return True

    def length(self, path, value, label, maximum):
        if value and len(value) > maximum:
            self.add(
                path,
                "too_long",
                f"{label} is {len(value)} characters long; LHDN accepts at most {maximum}.",
                f"{label} mempunyai {len(value)} aksara; LHDN menerima maksimum {maximum}.",
            )

    def code(self, path, value, table, label):
        if value and not codes.is_valid(table, value):
            self.add(
                path,
                "code",
                f"{value!r} is not a {label} code in LHDN's list.",
                f"{value!r} bukan kod {label} dalam senarai LHDN.",
            )

    def pattern(self, path, value, regex, label, expected, expected_ms):
        if value and not regex.match(value):
            self.add(
                path,
                "format",
                f"{label} {value!r} is not valid: {expected}.",
                f"{label} {value!r} tidak sah: {expected_ms}.",
            )

    def not_negative(self, path, value, label, hint="", hint_ms=""):
        if value is not None and value < 0:
            self.add(
                path, "negative", f"{label} is negative ({value}).{hint}", f"{label} adalah negatif ({value}).{hint_ms}"
            )


def validate(document: Document, *, now=None, for_submission=True):
    """All problems of ``document``. ``for_submission`` adds the rules that depend
    on the moment of sending (issue time within the last 72 hours, not ahead)."""
    check = _Checker()
    now = now or datetime.datetime.now(datetime.timezone.utc)
    _header(check, document, now, for_submission)
    _party(check, "supplier", document.supplier, document, is_supplier=True)
    _party(check, "buyer", document.buyer, document, is_supplier=False)
    if document.delivery:
        _delivery(check, document)
    amounts = document.amounts()
    _lines(check, document, amounts)
    _totals(check, document, amounts)
    return check.issues


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


def _general_tin_misuse(doc, tin, is_supplier):
    """Why a general TIN cannot stand where it is, or None (reference §6.6)."""
    self_billed = doc.type_code in SELF_BILLED_TYPES
    issuer = (not is_supplier) if self_billed else is_supplier
    if tin in codes.GENERAL_TINS and issuer:
        return "the issuer of the document needs its own TIN, not a general one"
    if tin == codes.FOREIGN_BUYER_TIN and is_supplier:
        return "EI00000000020 is for foreign buyers; a foreign supplier on a self-billed document uses EI00000000030"
    if tin == codes.FOREIGN_SUPPLIER_TIN and not (is_supplier and self_billed):
        return "EI00000000030 is only for the foreign supplier of a self-billed document"
    if tin == codes.GOVERNMENT_TIN and is_supplier:
        return "EI00000000040 is only for government buyers"
    return None


def _party(check, path, party, doc, *, is_supplier):
    role = "supplier" if is_supplier else "buyer"
    general = party.tin in codes.GENERAL_TINS
    if check.required(f"{path}.name", party.name, f"The {role}'s name"):
        check.length(f"{path}.name", party.name, f"The {role}'s name", 300)
    if check.required(f"{path}.tin", party.tin, f"The {role}'s TIN"):
        if not codes.is_tin(party.tin):
            check.add(
                f"{path}.tin",
                "tin",
                f"The {role}'s TIN {party.tin!r} is not a TIN LHDN accepts "
                "(e.g. C1234567890, IG12345678901, or a general TIN EI000000000x0).",
                f"TIN {party.tin!r} bagi {role} tidak diterima LHDN.",
            )
        else:
            misuse = _general_tin_misuse(doc, party.tin, is_supplier)
            if misuse:
                check.add(
                    f"{path}.tin",
                    "general_tin",
                    f"The {role}'s TIN {party.tin}: {misuse}.",
                    f"TIN {party.tin} bagi {role} tidak boleh digunakan di sini.",
                )
    if check.required(f"{path}.id_type", party.id_type, f"The {role}'s ID type (BRN, NRIC, PASSPORT or ARMY)"):
        if party.id_type not in codes.ID_TYPES:
            check.add(
                f"{path}.id_type",
                "code",
                f"{party.id_type!r} is not an ID type LHDN knows (BRN, NRIC, PASSPORT, ARMY).",
                f"{party.id_type!r} bukan jenis ID yang dikenali LHDN.",
            )
    if (
        check.required(f"{path}.id_number", party.id_number, f"The {role}'s {party.id_type or 'ID'} number")
        and party.id_type in codes.ID_TYPES
        and not codes.is_id_number(party.id_type, party.id_number)
    ):
        limit = 20 if party.id_type == "BRN" else 12
        check.add(
            f"{path}.id_number",
            "format",
            f"The {role}'s {party.id_type} number {party.id_number!r} is not "
            f"valid (letters, digits and '-', at most {limit}, or NA).",
            f"Nombor {party.id_type} {party.id_number!r} bagi {role} tidak sah.",
        )
    check.pattern(
        f"{path}.sst",
        party.sst,
        codes.SST_PATTERN,
        f"The {role}'s SST number",
        "at most two numbers separated by ';', or NA",
        "maksimum dua nombor dipisahkan ';', atau NA",
    )
    check.pattern(
        f"{path}.ttx",
        party.ttx,
        codes.TTX_PATTERN,
        f"The {role}'s tourism tax number",
        "letters, digits and '-', at most 17, or NA",
        "huruf, digit dan '-', maksimum 17, atau NA",
    )
    phone_na_allowed = general and (doc.consolidated or party.tin == codes.GENERAL_PUBLIC_TIN)
    if check.required(f"{path}.phone", party.phone, f"The {role}'s phone number") and not (
        party.phone == "NA" and phone_na_allowed
    ):
        if not (codes.PHONE_PATTERN.match(party.phone) and 8 <= len(party.phone) <= 20):
            check.add(
                f"{path}.phone",
                "format",
                f"The {role}'s phone {party.phone!r} is not valid: digits with an "
                "optional leading +, 8 to 20 characters, e.g. +60123456789.",
                f"Telefon {party.phone!r} bagi {role} tidak sah: digit dengan + pilihan di hadapan.",
            )
    if party.email and party.email != "NA":
        check.length(f"{path}.email", party.email, f"The {role}'s e-mail", 320)
        check.pattern(
            f"{path}.email",
            party.email,
            EMAIL_PATTERN,
            f"The {role}'s e-mail",
            "one address, no spaces",
            "satu alamat, tanpa ruang",
        )
    _address(check, f"{path}.address", party.address, role, allow_17=general or doc.consolidated)
    if is_supplier:
        if check.required(f"{path}.msic", party.msic, "The supplier's MSIC code"):
            check.code(f"{path}.msic", party.msic, "msic", "MSIC")
        if check.required(f"{path}.activity", party.activity, "The supplier's business activity description"):
            check.length(f"{path}.activity", party.activity, "The supplier's business activity", 300)
        check.length(f"{path}.certex", party.certex, "The certified exporter number", 300)


def _address(check, path, address, role, *, allow_17):
    if address is None:
        check.add(path, "required", f"The {role}'s address is required.", f"Alamat {role} wajib diisi.")
        return
    if check.required(f"{path}.lines", address.lines, f"The {role}'s address line"):
        if len(address.lines) > 3:
            check.add(
                f"{path}.lines",
                "too_many",
                "LHDN takes at most 3 address lines.",
                "LHDN menerima maksimum 3 baris alamat.",
            )
        for index, line in enumerate(address.lines):
            check.length(f"{path}.lines[{index}]", line, "An address line", 150)
    if check.required(f"{path}.city", address.city, f"The {role}'s city"):
        check.length(f"{path}.city", address.city, "The city", 50)
    if check.required(f"{path}.country", address.country, f"The {role}'s country"):
        check.code(f"{path}.country", address.country, "countries", "country")
    if address.country and not codes.is_valid("countries", address.country):
        return  # the state can only be judged against a known country
    malaysian = address.country == codes.MALAYSIA
    if malaysian and address.postal_zone and address.postal_zone != "NA":
        check.pattern(
            f"{path}.postal_zone", address.postal_zone, MY_POSTCODE, "The Malaysian postcode", "5 digits", "5 digit"
        )
    else:
        check.length(f"{path}.postal_zone", address.postal_zone, "The postcode", 50)
    if not check.required(f"{path}.state", address.state, f"The {role}'s state"):
        return
    if malaysian:
        if not codes.is_valid("states", address.state):
            check.add(
                f"{path}.state",
                "code",
                f"{address.state!r} is not a Malaysian state code (01 Johor ... 16 Putrajaya).",
                f"{address.state!r} bukan kod negeri Malaysia.",
            )
        elif address.state == codes.NOT_APPLICABLE_STATE and not allow_17:
            check.add(
                f"{path}.state",
                "state_17",
                "State 17 (not applicable) is only for consolidated or foreign parties; give the Malaysian state.",
                "Negeri 17 hanya untuk pihak disatukan atau asing; nyatakan negeri Malaysia.",
            )
    elif address.state in codes.table("states") and address.state != codes.NOT_APPLICABLE_STATE:
        check.add(
            f"{path}.state",
            "state_abroad",
            f"State code {address.state} is Malaysian but the country is "
            f"{address.country}; use 17 or the foreign state's name.",
            f"Kod negeri {address.state} adalah Malaysia tetapi negaranya {address.country}.",
        )
    else:
        check.length(f"{path}.state", address.state, "The state", 50)


def _delivery(check, doc):
    delivery = doc.delivery
    check.length("delivery.name", delivery.name, "The shipping recipient's name", 300)
    if delivery.tin and not codes.is_tin(delivery.tin):
        check.add(
            "delivery.tin",
            "tin",
            f"The shipping recipient's TIN {delivery.tin!r} is not a TIN LHDN accepts.",
            f"TIN penerima penghantaran {delivery.tin!r} tidak diterima LHDN.",
        )
    if delivery.address is not None:
        _address(check, "delivery.address", delivery.address, "shipping recipient", allow_17=True)
    for index, charge in enumerate(delivery.other_charges):
        check.not_negative(f"delivery.other_charges[{index}].amount", charge.amount, "A shipping charge")


def _lines(check, doc, amounts):
    if not doc.lines:
        check.add("lines", "required", "The document has no lines.", "Dokumen tiada baris.")
    for index, (line, line_amounts) in enumerate(zip(doc.lines, amounts.lines, strict=True)):
        path = f"lines[{index}]"
        if check.required(f"{path}.description", line.description, "The line description"):
            check.length(f"{path}.description", line.description, "The line description", 300)
        if line.quantity is None or line.quantity <= 0:
            check.add(
                f"{path}.quantity",
                "quantity",
                f"The quantity {line.quantity} is not positive. Amounts on "
                "MyInvois documents are positive: give a discount as a discount, "
                "a return as a credit note.",
                f"Kuantiti {line.quantity} tidak positif. Berikan diskaun sebagai diskaun, pemulangan "
                "sebagai nota kredit.",
            )
        check.not_negative(
            f"{path}.unit_price",
            line.unit_price,
            "The unit price",
            " Use a discount or a credit note instead.",
            " Gunakan diskaun atau nota kredit.",
        )
        check.code(f"{path}.unit_code", line.unit_code, "units", "unit of measure")
        if check.required(f"{path}.classifications", line.classifications, "The line's LHDN classification"):
            for position, code in enumerate(line.classifications):
                check.code(f"{path}.classifications[{position}]", code, "classifications", "classification")
            if doc.consolidated and "004" not in line.classifications:
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
        before = len(check.issues)
        _allowances(check, f"{path}.allowances", line.allowances)
        if len(check.issues) == before and line.allowances and line_amounts.total < 0:
            check.add(
                f"{path}.allowances",
                "negative",
                "The line's discounts exceed its amount.",
                "Diskaun baris melebihi amaunnya.",
            )
        if check.required(f"{path}.taxes", line.taxes, "The line's tax type (06 when no tax applies)"):
            for position, tax in enumerate(line.taxes):
                _tax(check, f"{path}.taxes[{position}]", tax)


def _allowances(check, path, allowances):
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
        check.not_negative(f"{where}.amount", allowance.amount, label)
        if allowance.rate is not None and not 0 <= allowance.rate <= 1:
            check.add(
                f"{where}.rate",
                "rate",
                f"The rate {allowance.rate} must be a fraction between 0 and 1 (0.1 for 10 %).",
                f"Kadar {allowance.rate} mesti pecahan antara 0 dan 1.",
            )
        check.length(f"{where}.reason", allowance.reason, "The reason", 300)


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
    check.not_negative(f"{path}.amount", tax.amount, "The tax amount")
    check.code(f"{path}.base_unit_code", tax.base_unit_code, "units", "unit of measure")


def _totals(check, doc, amounts):
    _allowances(check, "allowances", doc.allowances)
    # A negative line was already named; a negative total would only repeat it.
    line_sign_issue = any(i.rule in ("quantity", "negative") for i in check.issues)
    if doc.lines and not line_sign_issue and amounts.payable < 0:
        check.add(
            "payable_amount",
            "negative",
            f"The amount payable is negative ({amounts.payable}); "
            "MyInvois amounts are positive, the document type gives the direction.",
            f"Amaun perlu dibayar adalah negatif ({amounts.payable}).",
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
    declared_tax = doc.declared.get("TaxAmount")
    if declared_tax is not None and money(declared_tax) != amounts.tax_total:
        check.add(
            "totals.TaxAmount",
            "totals",
            f"The tax total is {declared_tax} but the line taxes add up to {amounts.tax_total}.",
            f"Jumlah cukai ialah {declared_tax} tetapi cukai baris berjumlah {amounts.tax_total}.",
        )
