"""Where to fix it: a core Document path (``buyer.address.state``, ``lines[2].taxes[0].type``)
placed on the Odoo record and field an accountant opens ("Customer Pelanggan Berhad: State").

LHDN's paths and the XML checker's XPaths are first turned into core paths by
``myinvois.error_guide.core_path``; this module knows only how the mapping
(mapping.py, mapping_amounts.py) fills each core field from Odoo.
"""

import re
from dataclasses import dataclass

from .mapping_issue import field_label

_INDEXED = re.compile(r"^(?P<name>[a-z_]+)\[(?P<index>\d+)\](?:\.(?P<rest>.*))?$")

# Party field of the core Document -> field of res.partner / res.company.
PARTY_FIELDS = {
    "name": "name",
    "tin": "vat",
    "id_type": "l10n_my_identification_type",
    "id_number": "l10n_my_identification_number",
    "sst": "sst_registration_number",
    "ttx": "ttx_registration_number",
    "phone": "phone",
    "email": "email",
    "address.lines": "street",
    "address.city": "city",
    "address.postal_zone": "zip",
    "address.state": "state_id",
    "address.country": "country_id",
}
COMPANY_FIELDS = {"msic": "l10n_my_einvoice_msic_id", "activity": "l10n_my_einvoice_business_activity"}
# The company's fields that Settings > Invoicing > MyInvois (LHDN) shows (the address is on its form).
SETTINGS_FIELDS = {
    "vat",
    "l10n_my_identification_type",
    "l10n_my_identification_number",
    "sst_registration_number",
    "ttx_registration_number",
    "l10n_my_einvoice_msic_id",
    "l10n_my_einvoice_business_activity",
    "l10n_my_einvoice_certificate",
}
# Document header field -> field of account.move.
MOVE_FIELDS = {
    "number": "name",
    "currency": "currency_id",
    "issued_at": "invoice_date",
    "payment_terms": "invoice_payment_term_id",
    "bank_account": "partner_bank_id",
    "period_start": "l10n_my_einvoice_period_start",
    "period_end": "l10n_my_einvoice_period_end",
    "frequency": "l10n_my_einvoice_frequency",
    "bill_reference": "ref",
    "totals": "amount_total",
    "rounding": "invoice_cash_rounding_id",
    "prepayment": "amount_total",
}


@dataclass(frozen=True)
class Target:
    record: object  # the recordset to open
    field: str  # its technical field name, "" for the record as a whole
    label: str  # "Customer Pelanggan Berhad: TIN", in the user's language

    @property
    def url(self):
        model = self.record._name
        if model == "res.company" and self.field in SETTINGS_FIELDS:
            return "/odoo/action-account.action_account_config"  # where the company's MyInvois settings are
        return f"/odoo/{model if '.' in model else 'm-' + model}/{self.record.id}"


def _strip_index(path):
    """``address.lines[1]`` -> ``address.lines``; ``taxes[0].type`` -> ``taxes.type``."""
    return re.sub(r"\[\d+\]", "", path)


def _target(record, field, role):
    """A Target on ``record`` (``field`` may be ""), labelled "<role> <name>: <field label>"."""
    if not record:
        return None
    record = record[:1]
    name = f"{role} {record.display_name}" if role else record.display_name
    label = field_label(record, field)
    return Target(record, field if label else "", f"{name}: {label}" if label else name)


def _parties(move):
    """(supplier record, its role word, buyer record, its role word) as the mapping sends them."""
    env = move.env
    partner = move.partner_id.commercial_partner_id
    if move.move_type in ("in_invoice", "in_refund"):  # self-billed: the company is the buyer
        return partner, env._("Supplier"), move.company_id, env._("Company")
    return move.company_id, env._("Company"), partner, env._("Customer")


def _party_target(record, role, rest):
    field = _strip_index(rest)
    if record._name == "res.company" and field in COMPANY_FIELDS:
        return _target(record, COMPANY_FIELDS[field], role)
    return _target(record, PARTY_FIELDS.get(field, ""), role)


def move_lines(move, line_ids=None):
    """The journal items behind the document's lines, in order: ``line_ids`` (the core
    Line.id of each line, a journal item's id) when known, else the product lines."""
    if line_ids:
        by_id = {line.id: line for line in move.invoice_line_ids}
        return [by_id.get(int(line_id)) if str(line_id).isdigit() else None for line_id in line_ids]
    return list(move.invoice_line_ids.filtered(lambda line: line.display_type == "product"))


def _line_target(move, index, rest, line_ids):
    env = move.env
    lines = move_lines(move, line_ids)
    line = lines[index] if index < len(lines) else None
    if not line:
        return _target(move, "invoice_line_ids", env._("Invoice"))
    role = env._("Line %(number)s", number=index + 1)
    field = _strip_index(rest or "")
    product = line.product_id.product_tmpl_id
    if field == "classifications":
        if product and line.l10n_my_einvoice_classification_id != product.l10n_my_einvoice_classification_id:
            return _target(line, "l10n_my_einvoice_classification_id", role)
        return _target(product or line, "l10n_my_einvoice_classification_id", env._("Product") if product else role)
    if field == "unit_code":
        return _target(line.product_uom_id, "l10n_my_unit_code", env._("Unit")) or _target(line, "product_uom_id", role)
    if field.startswith("taxes"):
        tax_field = "l10n_my_tax_exemption_reason" if field.endswith("exemption_reason") else "l10n_my_tax_type"
        if len(line.tax_ids) == 1:
            return _target(line.tax_ids, tax_field, env._("Tax"))
        return _target(line, "tax_ids", role)
    if field == "tariff_code" and product:
        return _target(product, "l10n_my_tax_classification_code", env._("Product"))
    line_field = {"description": "name", "quantity": "quantity", "unit_price": "price_unit", "allowances": "discount"}
    return _target(line, line_field.get(field, ""), role)


def locate(move, where, line_ids=None):
    """The Target of core path ``where`` on ``move``; None when it cannot be placed."""
    if not where:
        return None
    env = move.env
    head, _dot, rest = where.partition(".")
    supplier, supplier_role, buyer, buyer_role = _parties(move)
    if head == "supplier":
        return _party_target(supplier, supplier_role, rest)
    if head == "buyer":
        return _party_target(buyer, buyer_role, rest)
    if head == "delivery":
        shipping = move.partner_shipping_id or move.partner_id
        return _party_target(shipping, env._("Delivery address"), rest)
    indexed = _INDEXED.match(where)
    if indexed and indexed["name"] == "lines":
        return _line_target(move, int(indexed["index"]), indexed["rest"], line_ids)
    head = _strip_index(head)
    invoice = env._("Invoice")
    if head == "signature":
        return _target(move.company_id, "l10n_my_einvoice_certificate", env._("Company"))
    if head == "exchange_rate":
        return _target(move.currency_id, "rate_ids", env._("Currency"))
    if head == "billing_references":
        original = move.reversed_entry_id or move.debit_origin_id
        return _target(original, "name", env._("Original")) if original else _target(move, "ref", invoice)
    if head == "payment_means":
        journal = move.preferred_payment_method_line_id.journal_id or move.journal_id
        return _target(journal, "l10n_my_einvoice_payment_mode", env._("Journal"))
    if head in MOVE_FIELDS:
        return _target(move, MOVE_FIELDS[head], invoice)
    return _target(move, "", invoice)
