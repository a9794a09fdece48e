from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..myinvois import codes

ID_TYPES = [
    ("BRN", "Business registration number (BRN)"),
    ("NRIC", "MyKad / MyTentera / MyPR / MyKAS (NRIC)"),
    ("PASSPORT", "Passport"),
    ("ARMY", "Army number"),
]


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Same names as Odoo's own l10n_my_ubl_pint / l10n_my_edi fields, so a database that
    # has (or later gets) those modules shares one column instead of two twins.
    l10n_my_identification_type = fields.Selection(
        ID_TYPES,
        string="ID type",
        help="Registration or identity scheme LHDN knows this party by. MyPR and MyKAS holders use NRIC.",
    )
    l10n_my_identification_number = fields.Char(string="ID number")
    sst_registration_number = fields.Char(
        string="SST",
        help="Malaysian Sales and Service Tax registration number(s): at most two, "
        "separated by ';'. Empty when not registered (sent as NA).",
    )
    ttx_registration_number = fields.Char(
        string="TTx", help="Malaysian Tourism Tax registration number. Empty when not registered (sent as NA)."
    )
    l10n_my_einvoice_self_billed = fields.Boolean(
        string="Self-billed supplier",
        help="We issue self-billed e-invoices for this supplier's bills (foreign suppliers, agents, dealers, "
        "individuals not in business...): its vendor bills and their notes go to MyInvois as types 11-14.",
    )
    l10n_my_einvoice_warnings = fields.Char(
        string="MyInvois warnings",
        compute="_compute_l10n_my_einvoice_warnings",
        help="What LHDN would refuse in this contact's TIN or phone number.",
    )

    @api.depends("vat", "phone", "country_id", "is_company")
    def _compute_l10n_my_einvoice_warnings(self):
        for partner in self:
            warnings = []
            if partner.country_id.code == "MY" and partner.vat:
                tin = codes.normalize_tin(partner.vat)
                if not codes.is_tin(tin):
                    warnings.append(
                        _(
                            "The Tax ID %(vat)s is not a Malaysian TIN LHDN accepts (e.g. C1234567890, IG12345678901).",
                            vat=partner.vat,
                        )
                    )
                elif tin != partner.vat:
                    warnings.append(_("The Tax ID will be sent as %(tin)s.", tin=tin))
            if partner.phone and not codes.normalize_phone(partner.phone):
                warnings.append(
                    _(
                        "The phone %(phone)s cannot be sent: LHDN wants digits with an optional "
                        "leading + (e.g. +60123456789).",
                        phone=partner.phone,
                    )
                )
            partner.l10n_my_einvoice_warnings = " ".join(warnings) or False

    @api.constrains(
        "l10n_my_identification_type",
        "l10n_my_identification_number",
        "sst_registration_number",
        "ttx_registration_number",
    )
    def _check_l10n_my_einvoice_identifiers(self):
        for partner in self:
            id_type, number = partner.l10n_my_identification_type, partner.l10n_my_identification_number
            if number and not id_type:
                raise ValidationError(
                    _(
                        "Contact %(partner)s: set the field 'ID type' for the ID number %(number)s.",
                        partner=partner.display_name,
                        number=number,
                    )
                )
            if number and not codes.is_id_number(id_type, number):
                limit = 20 if id_type == "BRN" else 12
                raise ValidationError(
                    _(
                        "Contact %(partner)s, field 'ID number': %(number)r is not a valid %(type)s number "
                        "(letters, digits and '-', at most %(limit)s characters, or NA).",
                        partner=partner.display_name,
                        number=number,
                        type=id_type,
                        limit=limit,
                    )
                )
            sst = partner.sst_registration_number
            if sst and not codes.is_sst(sst):
                raise ValidationError(
                    _(
                        "Contact %(partner)s, field 'SST': %(sst)r is not an SST number LHDN accepts (at most two "
                        "numbers separated by ';', letters, digits and '-', at most 35 characters each).",
                        partner=partner.display_name,
                        sst=sst,
                    )
                )
            ttx = partner.ttx_registration_number
            if ttx and not codes.is_ttx(ttx):
                raise ValidationError(
                    _(
                        "Contact %(partner)s, field 'TTx': %(ttx)r is not a Tourism Tax number LHDN accepts "
                        "(letters, digits and '-', at most 17 characters).",
                        partner=partner.display_name,
                        ttx=ttx,
                    )
                )

    @api.model
    def _commercial_fields(self):
        return super()._commercial_fields() + [
            "l10n_my_identification_type",
            "l10n_my_identification_number",
            "sst_registration_number",
            "ttx_registration_number",
            "l10n_my_einvoice_self_billed",
        ]
