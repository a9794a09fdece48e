"""account.move -> core Document: *what* to send. Everything about *how* MyInvois
wants it (XML, totals, rules) is in the core.

Amounts are the move's as booked (mapping_amounts.py), grouped into LHDN tax
types; nothing is taxed by hand here. Problems that the core cannot name in Odoo's words (a contact
without a TIN, a unit without an LHDN code) are returned as ``MappingIssue``s
naming the record and field to fix.
"""

from ..myinvois import codes
from ..myinvois.document import Address, BillingReference, Delivery, Document, Party
from .mapping_amounts import exchange_rate, lines_and_rounding
from .mapping_issue import MappingIssue, field_label

# Core paths (last segment) whose absence the mapping already reports in Odoo's words.
NAMED_BY_MAPPING = {"tin", "id_type", "id_number", "classifications", "exchange_rate", "state", "country", "msic"}


def type_code(move):
    """LHDN e-invoice type of a move (reference §5.1, §9)."""
    self_billed = move.move_type in ("in_invoice", "in_refund")
    if move.move_type in ("out_invoice", "in_invoice"):
        code = "03" if move.debit_origin_id else "01"
    else:
        code = "04" if move._l10n_my_einvoice_is_refund() else "02"
    return str(int(code) + 10) if self_billed else code


def _address(partner, issues, role):
    env = partner.env
    country = codes.country_alpha3(partner.country_id.code) if partner.country_id else None
    if not country:
        issues.append(
            MappingIssue(
                partner.display_name,
                field_label(partner, "country_id"),
                env._("The %(role)s's country is missing or unknown to LHDN.", role=role),
            )
        )
    state = codes.state_code(partner.country_id.code, partner.state_id.code) if partner.country_id else None
    if partner.country_id.code == "MY" and not state:
        issues.append(
            MappingIssue(
                partner.display_name,
                field_label(partner, "state_id"),
                env._("The %(role)s is in Malaysia but its state is missing or not a Malaysian state.", role=role),
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
                field_label(company, "l10n_my_einvoice_msic_id"),
                company.env._("Set the company's MSIC code in Settings > Invoicing > MyInvois (LHDN)."),
            )
        )
    return Party(
        name=company.name,
        tin=codes.normalize_tin(company.vat or ""),
        id_type=company.l10n_my_identification_type or "",
        id_number=company.l10n_my_identification_number or "",
        sst=company.sst_registration_number or "NA",
        ttx=company.ttx_registration_number or "NA",
        address=_address(partner, issues, company.env._("company")),
        phone=_phone(partner),
        email=partner.email or "",
        msic=company.l10n_my_einvoice_msic_id.code or "",
        activity=company.l10n_my_einvoice_business_activity or "",
    )


def counterpart_party(partner, issues, *, is_supplier):
    """The customer (or, on self-billed documents, the supplier)."""
    partner = partner.commercial_partner_id
    env = partner.env
    role = env._("supplier") if is_supplier else env._("customer")
    tin = codes.normalize_tin(partner.vat or "")
    id_type, id_number = partner.l10n_my_identification_type or "", partner.l10n_my_identification_number or ""
    foreign = partner.country_id and partner.country_id.code != "MY"
    if not codes.is_tin(tin):
        if foreign:
            # A foreign party without a Malaysian TIN takes the general TIN of its role (reference §6.6).
            tin = codes.FOREIGN_SUPPLIER_TIN if is_supplier else codes.FOREIGN_BUYER_TIN
            id_type, id_number = id_type or "BRN", id_number or "NA"
        elif id_type in ("NRIC", "ARMY") and id_number and not partner.is_company:
            # A Malaysian individual who gave only a MyKad/MyTentera (reference §6.6): e.g. the
            # walk-in buyer of a sale above RM10,000, which needs its own e-invoice.
            tin = codes.GENERAL_PUBLIC_TIN
        else:
            issues.append(
                MappingIssue(
                    partner.display_name,
                    field_label(partner, "vat"),
                    env._(
                        "The %(role)s has no Malaysian TIN in its Tax ID (%(vat)s). Add it, or invoice a "
                        "consolidated buyer.",
                        role=role,
                        vat=partner.vat or env._("empty"),
                    ),
                )
            )
    if not id_type and not foreign:
        issues.append(
            MappingIssue(
                partner.display_name,
                field_label(partner, "l10n_my_identification_type"),
                env._(
                    "Set the %(role)s's ID type and number (BRN, NRIC, passport or army) in its Invoicing tab.",
                    role=role,
                ),
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


def original_reference(move):
    """The original a note adjusts, as it was submitted (uuid and number), or NA."""
    original = move.reversed_entry_id or move.debit_origin_id
    if not original:
        return []
    valid = original.l10n_my_einvoice_document_ids.filtered(lambda d: d.state == "valid")[:1]
    if valid:
        return [BillingReference(uuid=valid.uuid, number=valid.code_number)]
    return [BillingReference(uuid="NA", number=original.name)]


def delivery(move, issues):
    """The delivery address as LHDN's shipping recipient, when it is not the buyer's own."""
    shipping = move.partner_shipping_id
    if not shipping or shipping == move.partner_id or move.move_type not in ("out_invoice", "out_refund"):
        return None
    commercial = shipping.commercial_partner_id
    tin = codes.normalize_tin(commercial.vat or "")
    own = commercial != move.partner_id.commercial_partner_id and codes.is_tin(tin)
    return Delivery(
        name=(shipping.name or commercial.name or "")[:300],
        tin=tin if own else "",
        id_type=(commercial.l10n_my_identification_type or "") if own else "",
        id_number=(commercial.l10n_my_identification_number or "") if own else "",
        address=_address(shipping, issues, move.env._("delivery address")),
    )


def payment_means(move):
    """LHDN payment mode: the journal of the payments registered on the move, else the
    journal of its preferred payment method; empty when Odoo does not know yet."""
    paid = move.payment_state != "not_paid"  # an unpaid move has no payment to look up
    journals = (paid and move._get_reconciled_payments().journal_id) or move.preferred_payment_method_line_id.journal_id
    return next(
        (journal.l10n_my_einvoice_payment_mode for journal in journals if journal.l10n_my_einvoice_payment_mode), ""
    )


def move_to_document(move, issued_at):
    """(Document, [MappingIssue]) for a posted move."""
    issues = []
    code = type_code(move)
    self_billed = int(code) > 10
    company = company_party(move.company_id, issues)
    other = counterpart_party(move.partner_id, issues, is_supplier=self_billed)
    lines, rounding = lines_and_rounding(move, issues)
    document = Document(
        type_code=code,
        number=move.name,
        issued_at=issued_at,
        currency=move.currency_id.name,
        exchange_rate=exchange_rate(move, issues),
        supplier=other if self_billed else company,
        buyer=company if self_billed else other,
        delivery=delivery(move, issues),
        lines=lines,
        rounding=rounding,
        billing_references=original_reference(move) if code not in ("01", "11") else [],
        bill_reference=(move.ref or "").strip()[:150],
        payment_means=payment_means(move),
        payment_terms=(move.invoice_payment_term_id.name or "")[:300],
        bank_account=(move.partner_bank_id.acc_number or "")[:150] if not self_billed else "",
        period_start=move.l10n_my_einvoice_period_start or None,
        period_end=move.l10n_my_einvoice_period_end or None,
        frequency=move.l10n_my_einvoice_frequency or "",
    )
    if other.is_general_public:
        # A sale to the general public is declared the consolidated way (reference §8.2).
        document.consolidated = True
        for line in document.lines:
            line.classifications = [codes.CONSOLIDATED_CLASSIFICATION]
    return document, issues
