"""account.move -> core Document: *what* to send. Everything about *how* MyInvois
wants it (XML, totals, rules) is in the core.

Amounts come from Odoo's own tax engine (``compute_all`` per line, the way the
move's tax lines were computed), grouped into LHDN tax types; nothing is taxed
by hand here. Problems that the core cannot name in Odoo's words (a contact
without a TIN, a unit without an LHDN code) are returned as ``MappingIssue``s
naming the record and field to fix.
"""

from dataclasses import dataclass
from decimal import Decimal

from ..myinvois import codes
from ..myinvois.document import Address, AllowanceCharge, BillingReference, Document, Line, Party, Tax, money

# Core paths (last segment) whose absence the mapping already reports in Odoo's words.
NAMED_BY_MAPPING = {"tin", "id_type", "id_number", "classifications", "exchange_rate", "state", "country", "msic"}


@dataclass(frozen=True)
class MappingIssue:
    record: str  # display name of the record to fix
    field: str  # the field's label
    message: str


def decimal(value, digits=None):
    """A float from the ORM as the Decimal it stands for (repr is the shortest exact form)."""
    number = Decimal(repr(value))
    return round(number, digits) if digits is not None else number


def type_code(move):
    """LHDN e-invoice type of a move (reference §5.1, §9)."""
    self_billed = move.move_type in ("in_invoice", "in_refund")
    if move.move_type in ("out_invoice", "in_invoice"):
        code = "03" if move.debit_origin_id else "01"
    else:
        code = "04" if move._l10n_my_einvoice_is_refund() else "02"
    return str(int(code) + 10) if self_billed else code


def _address(partner, issues, role):
    country = codes.country_alpha3(partner.country_id.code) if partner.country_id else None
    if not country:
        issues.append(
            MappingIssue(partner.display_name, "Country", f"The {role}'s country is missing or unknown to LHDN.")
        )
    state = codes.state_code(partner.country_id.code, partner.state_id.code) if partner.country_id else None
    if partner.country_id.code == "MY" and not state:
        issues.append(
            MappingIssue(
                partner.display_name,
                "State",
                f"The {role} is in Malaysia but its state is missing or not a Malaysian state.",
            )
        )
    elif partner.country_id and partner.country_id.code != "MY":
        state = partner.state_id.name or codes.NOT_APPLICABLE_STATE
    lines = [line for line in (partner.street, partner.street2) if line]
    return Address(
        lines=lines, city=partner.city or "", postal_zone=partner.zip or "", state=state or "", country=country or ""
    )


def _phone(partner):
    return codes.normalize_phone(partner.phone) or (partner.phone or "")


def company_party(company, issues):
    partner = company.partner_id
    if not company.l10n_my_einvoice_msic_id:
        issues.append(
            MappingIssue(
                company.display_name,
                "MSIC code",
                "Set the company's MSIC code in Settings > Invoicing > MyInvois (LHDN).",
            )
        )
    return Party(
        name=company.name,
        tin=codes.normalize_tin(company.vat or ""),
        id_type=company.l10n_my_identification_type or "",
        id_number=company.l10n_my_identification_number or "",
        sst=company.sst_registration_number or "NA",
        ttx=company.ttx_registration_number or "NA",
        address=_address(partner, issues, "company"),
        phone=_phone(partner),
        email=partner.email or "",
        msic=company.l10n_my_einvoice_msic_id.code or "",
        activity=company.l10n_my_einvoice_business_activity or "",
    )


def counterpart_party(partner, issues, *, is_supplier):
    """The customer (or, on self-billed documents, the supplier)."""
    partner = partner.commercial_partner_id
    role = "supplier" if is_supplier else "customer"
    tin = codes.normalize_tin(partner.vat or "")
    id_type, id_number = partner.l10n_my_identification_type or "", partner.l10n_my_identification_number or ""
    foreign = partner.country_id and partner.country_id.code != "MY"
    if not codes.is_tin(tin):
        if foreign:
            # A foreign party without a Malaysian TIN takes the general TIN of its role (reference §6.6).
            tin = codes.FOREIGN_SUPPLIER_TIN if is_supplier else codes.FOREIGN_BUYER_TIN
            id_type, id_number = id_type or "BRN", id_number or "NA"
        else:
            issues.append(
                MappingIssue(
                    partner.display_name,
                    "Tax ID",
                    f"The {role} has no Malaysian TIN in its Tax ID "
                    f"({partner.vat or 'empty'}). Add it, or invoice a consolidated buyer.",
                )
            )
    if not id_type and not foreign:
        issues.append(
            MappingIssue(
                partner.display_name,
                "ID type",
                f"Set the {role}'s ID type and number (BRN, NRIC, passport or army) in its Invoicing tab.",
            )
        )
    party = Party(
        name=partner.name or "",
        tin=tin,
        id_type=id_type,
        id_number=id_number,
        sst=partner.sst_registration_number or "NA",
        ttx=partner.ttx_registration_number or "NA",
        address=_address(partner, issues, role),
        phone=_phone(partner),
        email=partner.email or "",
    )
    if is_supplier:
        party.msic, party.activity = "00000", "NA"  # a supplier we self-bill for rarely gives its MSIC
    return party


def _line(line, move, issues):
    currency = move.currency_id
    taxes_result = line.tax_ids.compute_all(
        line.price_unit * (1 - (line.discount or 0.0) / 100.0),
        currency=currency,
        quantity=line.quantity,
        product=line.product_id,
        partner=move.partner_id,
        is_refund=move.move_type in ("out_refund", "in_refund"),
    )
    subtotal = money(decimal(line.price_unit) * decimal(line.quantity))
    total = money(decimal(taxes_result["total_excluded"]))
    allowances = (
        [
            AllowanceCharge(
                amount=subtotal - total, reason=f"Discount {line.discount:g}%", rate=decimal(line.discount) / 100
            )
        ]
        if line.discount
        else []
    )
    by_type = {}
    for tax_values in taxes_result["taxes"]:
        tax = line.env["account.tax"].browse(tax_values["id"])
        tax_type = tax.l10n_my_tax_type or "06"
        key = (tax_type, tax.l10n_my_tax_exemption_reason or "")
        entry = by_type.setdefault(
            key,
            Tax(
                type=tax_type,
                amount=Decimal("0.00"),
                taxable_amount=total,
                exemption_reason=tax.l10n_my_tax_exemption_reason or "",
                percent=decimal(tax.amount) if tax.amount_type == "percent" else None,
            ),
        )
        entry.amount += money(decimal(tax_values["amount"]))
    classification = line.l10n_my_einvoice_classification_id.code
    if not classification:
        issues.append(
            MappingIssue(
                line.product_id.display_name or line.name or move.name,
                "MyInvois classification",
                "Set the product's MyInvois classification (or the line's).",
            )
        )
    unit_code = line.product_uom_id.l10n_my_unit_code or ""
    return Line(
        id=str(line.id),
        description=(line.name or line.product_id.display_name or "").strip()[:300],
        quantity=decimal(line.quantity),
        unit_price=decimal(line.price_unit),
        unit_code=unit_code,
        classifications=[classification] if classification else [],
        tariff_code=(line.product_id.product_tmpl_id.l10n_my_tax_classification_code or "").strip(),
        allowances=allowances,
        taxes=list(by_type.values()) or [Tax(type="06", amount=Decimal("0.00"))],
    )


def _exchange_rate(move, issues):
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
                "Rates",
                f"No exchange rate of {move.currency_id.name} on or before "
                f"{move.invoice_date or move.date}: LHDN requires one for foreign-currency "
                "documents.",
            )
        )
        return None
    # invoice_currency_rate is document currency per MYR; LHDN wants MYR per unit.
    return round(1 / decimal(move.invoice_currency_rate), 10).normalize()


def original_reference(move):
    """The original a note adjusts, as it was submitted (uuid and number), or NA."""
    original = move.reversed_entry_id or move.debit_origin_id
    if not original:
        return []
    valid = original.l10n_my_einvoice_document_ids.filtered(lambda d: d.state == "valid")[:1]
    if valid:
        return [BillingReference(uuid=valid.uuid, number=valid.code_number)]
    return [BillingReference(uuid="NA", number=original.name)]


def move_to_document(move, issued_at):
    """(Document, [MappingIssue]) for a posted move."""
    issues = []
    code = type_code(move)
    self_billed = int(code) > 10
    company = company_party(move.company_id, issues)
    other = counterpart_party(move.partner_id, issues, is_supplier=self_billed)
    lines = [_line(line, move, issues) for line in move.invoice_line_ids if line.display_type == "product"]
    document = Document(
        type_code=code,
        number=move.name,
        issued_at=issued_at,
        currency=move.currency_id.name,
        exchange_rate=_exchange_rate(move, issues),
        supplier=other if self_billed else company,
        buyer=company if self_billed else other,
        lines=lines,
        billing_references=original_reference(move) if code not in ("01", "11") else [],
        payment_terms=(move.invoice_payment_term_id.name or "")[:300],
        bank_account=(move.partner_bank_id.acc_number or "")[:150] if not self_billed else "",
    )
    return document, issues
