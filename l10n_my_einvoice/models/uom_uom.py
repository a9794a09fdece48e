from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..myinvois import codes

# Odoo's standard units (uom module) and their UN/ECE Rec 20 codes in LHDN's list.
STANDARD_UNIT_CODES = {
    "uom.product_uom_unit": "C62",
    "uom.product_uom_dozen": "DZN",
    "uom.product_uom_hour": "HUR",
    "uom.product_uom_day": "DAY",
    "uom.product_uom_minute": "MIN",
    "uom.product_uom_millimeter": "MMT",
    "uom.product_uom_cm": "CMT",
    "uom.product_uom_meter": "MTR",
    "uom.product_uom_km": "KMT",
    "uom.product_uom_square_meter": "MTK",
    "uom.product_uom_milliliter": "MLT",
    "uom.product_uom_litre": "LTR",
    "uom.product_uom_cubic_meter": "MTQ",
    "uom.product_uom_gram": "GRM",
    "uom.product_uom_kgm": "KGM",
    "uom.product_uom_ton": "TNE",
    "uom.product_uom_oz": "ONZ",
    "uom.product_uom_lb": "LBR",
    "uom.product_uom_inch": "INH",
    "uom.product_uom_foot": "FOT",
    "uom.product_uom_yard": "YRD",
    "uom.product_uom_mile": "SMI",
    "uom.product_uom_square_foot": "FTK",
    "uom.product_uom_floz": "OZA",
    "uom.product_uom_qt": "QTL",
    "uom.product_uom_gal": "GLL",
    "uom.product_uom_cubic_inch": "INQ",
    "uom.product_uom_cubic_foot": "FTQ",
    "uom.product_uom_kwh": "KWH",
}


class UomUom(models.Model):
    _inherit = "uom.uom"

    l10n_my_unit_code = fields.Char(
        string="LHDN unit code",
        size=3,
        help="UN/ECE Recommendation 20/21 code from LHDN's unit list (e.g. C62 one, KGM kilogram, HUR hour).",
    )

    @api.constrains("l10n_my_unit_code")
    def _check_l10n_my_unit_code(self):
        for uom in self:
            if uom.l10n_my_unit_code and not codes.is_valid("units", uom.l10n_my_unit_code):
                raise ValidationError(
                    _(
                        "Unit %(uom)s, field 'LHDN unit code': %(code)r is not in LHDN's unit list.",
                        uom=uom.display_name,
                        code=uom.l10n_my_unit_code,
                    )
                )

    def _l10n_my_einvoice_set_standard_codes(self):
        """Fill the LHDN code of Odoo's standard units where nobody set one."""
        for xmlid, code in STANDARD_UNIT_CODES.items():
            uom = self.env.ref(xmlid, raise_if_not_found=False)
            if uom and not uom.l10n_my_unit_code:
                uom.l10n_my_unit_code = code
