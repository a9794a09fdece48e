"""The supplier of a received e-invoice as an Odoo contact: found by its TIN, or made
from what the document says about it (name, IDs, address, phone, e-mail)."""

from odoo.exceptions import ValidationError

from ..myinvois import codes
from .res_partner import ID_TYPES

KNOWN_ID_TYPES = {code for code, _label in ID_TYPES}


def find_or_create_supplier(env, company, party):
    """(res.partner, [note]) for the document's supplier ``party`` (core Party)."""
    tin = codes.normalize_tin(party.tin)
    Partner = env["res.partner"].with_company(company)
    domain = [("vat", "=ilike", tin), ("parent_id", "=", False), ("company_id", "in", [False, company.id])]
    if tin in codes.GENERAL_TINS:  # shared by many: the name tells them apart
        domain.append(("name", "=ilike", party.name))
    partner = Partner.search(domain, order="supplier_rank desc, id", limit=1)
    if partner:
        return partner, []
    values = _values(env, party, tin)
    try:
        with env.cr.savepoint():
            return Partner.create(values), [
                env._("New supplier contact %(name)s made from the e-invoice.", name=party.name or tin)
            ]
    except ValidationError as error:  # an identifier Odoo refuses: keep the contact, leave it out
        minimal = {key: values[key] for key in ("name", "vat", "is_company", "supplier_rank", "country_id")}
        return Partner.create(minimal), [
            env._(
                "New supplier contact %(name)s made from the e-invoice without its IDs and address: %(error)s",
                name=party.name or tin,
                error=error.args[0] if error.args else error,
            )
        ]


def _values(env, party, tin):
    address = party.address
    alpha2 = codes.country_alpha2(address.country) if address else None
    country = env["res.country"].search([("code", "=", alpha2)], limit=1) if alpha2 else env["res.country"]
    state = env["res.country.state"]
    if country.code == "MY" and address.state and address.state != codes.NOT_APPLICABLE_STATE:
        state = state.search([("country_id", "=", country.id), ("code", "=", f"MY-{address.state}")], limit=1)
    lines = [line for line in (address.lines if address else []) if line]
    values = {
        "name": party.name or tin,
        "vat": tin,
        "is_company": True,
        "supplier_rank": 1,
        "country_id": country.id or False,
        "state_id": state.id or False,
        "street": lines[0] if lines else False,
        "street2": ", ".join(lines[1:]) or False,
        "city": (address.city if address else "") or False,
        "zip": (address.postal_zone if address else "") or False,
        "phone": party.phone or False,
        "email": party.email or False,
    }
    if party.id_type in KNOWN_ID_TYPES and party.id_number:
        values.update(l10n_my_identification_type=party.id_type, l10n_my_identification_number=party.id_number)
    if party.sst and party.sst.upper() != "NA":
        values["sst_registration_number"] = party.sst
    if party.ttx and party.ttx.upper() != "NA":
        values["ttx_registration_number"] = party.ttx
    return values
