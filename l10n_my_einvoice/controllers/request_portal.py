"""The public page where a buyer asks for an e-invoice of their own for a receipt
(models/einvoice_request.py). It reveals nothing about a receipt unless its number,
date and total all match; tries are limited per client IP and per receipt number.

The invoice PDF of a waiting sale prints the short alias (/einvoice/<company>) and a QR
code that opens the page with the receipt's number and date filled in. A logged-in
portal user finds their own details filled in, and their requests at /my/einvoice-requests
(controllers/portal_requests.py)."""

import datetime
import re
from decimal import Decimal, InvalidOperation

from odoo import http
from odoo.exceptions import UserError
from odoo.http import request

from ..models.einvoice_request import ID_TYPES
from ..myinvois import codes

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
FIELDS = (
    "receipt_number",
    "receipt_date",
    "receipt_total",
    "buyer_name",
    "buyer_tin",
    "buyer_id_type",
    "buyer_id_number",
    "buyer_sst",
    "buyer_street",
    "buyer_city",
    "buyer_zip",
    "buyer_state_id",
    "buyer_country_id",
    "buyer_email",
    "buyer_phone",
)


class EinvoiceRequestPortal(http.Controller):
    @http.route(
        ["/my-einvoice/request/<int:company_id>", "/einvoice/<int:company_id>"],
        type="http",
        auth="public",
        website=False,
        methods=["GET", "POST"],
        sitemap=False,
    )
    def einvoice_request(self, company_id, **post):
        company = request.env["res.company"].sudo().browse(company_id).exists()
        if not company:
            return request.not_found()
        values = {name: (post.get(name) or "").strip() for name in FIELDS}
        if request.httprequest.method != "POST":
            return self._render(company, self._initial_values(values, post))
        errors, parsed = self._validate(values)
        if errors:
            return self._render(company, values, errors=errors)
        env = request.env(su=True)
        allowed = env["l10n_my_einvoice.request.attempt"]._l10n_my_einvoice_allow(
            request.httprequest.remote_addr or "", parsed["receipt_number"]
        )
        if not allowed:
            return self._render(
                company, values, message=request.env._("Too many attempts. Please try again in an hour.")
            )
        move = self._find_receipt(env, company, parsed)
        if not move:
            return self._render(company, values, message=request.env._("No receipt matches these details."))
        if move.l10n_my_einvoice_request_ids.filtered(lambda r: r.state == "pending_approval"):
            return self._render(
                company, values, message=request.env._("A request for this receipt already waits for the seller.")
            )
        problem = self._check_tin(env, company, parsed)
        if problem:
            return self._render(company, values, errors={"buyer_tin": problem})
        einvoice_request = (
            env["l10n_my_einvoice.request"]
            .with_company(company)
            .create(
                {
                    "move_id": move.id,
                    "company_id": company.id,
                    "portal_user_id": request.env.user.id if request.env.user._is_portal() else False,
                    **{key: parsed[key] for key in FIELDS if key.startswith("buyer_")},
                }
            )
        )
        try:
            einvoice_request._l10n_my_einvoice_decide()
        except UserError as error:
            return self._render(company, values, message=str(error))
        return self._render(company, values, done=einvoice_request)

    # --- steps ---------------------------------------------------------------------------
    def _initial_values(self, values, query):
        """The QR code's receipt number (n) and date (d); a portal user's own details."""
        values["receipt_number"] = values["receipt_number"] or (query.get("n") or "").strip()
        values["receipt_date"] = values["receipt_date"] or (query.get("d") or "").strip()
        values["buyer_country_id"] = str(request.env.ref("base.my").id)
        user = request.env.user
        if not user._is_portal():  # not an employee's details: they ask for a buyer
            return values
        partner = user.sudo().partner_id.commercial_partner_id
        known = {
            "buyer_name": partner.name,
            "buyer_tin": partner.vat,
            "buyer_id_type": partner.l10n_my_identification_type,
            "buyer_id_number": partner.l10n_my_identification_number,
            "buyer_sst": partner.sst_registration_number,
            "buyer_street": partner.street,
            "buyer_city": partner.city,
            "buyer_zip": partner.zip,
            "buyer_state_id": partner.state_id and str(partner.state_id.id),
            "buyer_country_id": partner.country_id and str(partner.country_id.id),
            "buyer_email": user.partner_id.email or partner.email,
            "buyer_phone": partner.phone,
        }
        values.update({key: value for key, value in known.items() if value})
        return values

    def _validate(self, values):
        _ = request.env._
        errors, parsed = {}, dict(values)
        if not values["receipt_number"]:
            errors["receipt_number"] = _("Receipt number: required.")
        try:
            parsed["receipt_date"] = datetime.date.fromisoformat(values["receipt_date"])
        except ValueError:
            errors["receipt_date"] = _("Receipt date: enter a date (YYYY-MM-DD).")
        try:
            parsed["receipt_total"] = Decimal(values["receipt_total"].replace(",", "")).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            errors["receipt_total"] = _("Receipt total: enter an amount such as 123.45.")
        if not values["buyer_name"]:
            errors["buyer_name"] = _("Name: required.")
        tin = codes.normalize_tin(values["buyer_tin"])
        parsed["buyer_tin"] = tin
        if not codes.is_tin(tin):
            errors["buyer_tin"] = _("TIN: not a Malaysian TIN (such as C1234567890 or IG12345678901).")
        if values["buyer_id_type"] not in dict(ID_TYPES):
            errors["buyer_id_type"] = _("ID type: choose BRN, NRIC, passport or army.")
        if not values["buyer_id_number"]:
            errors["buyer_id_number"] = _("ID number: required.")
        elif values["buyer_id_type"] in dict(ID_TYPES) and not codes.is_id_number(
            values["buyer_id_type"], values["buyer_id_number"]
        ):
            errors["buyer_id_number"] = _("ID number: not the shape of a %(type)s.", type=values["buyer_id_type"])
        if not EMAIL_PATTERN.match(values["buyer_email"]):
            errors["buyer_email"] = _("E-mail: enter an address such as name@example.com.")
        for key in ("buyer_state_id", "buyer_country_id"):
            parsed[key] = int(values[key]) if values[key].isdigit() else False
        countries = request.env["res.country"].sudo().browse([parsed["buyer_country_id"] or 0]).exists()
        parsed["buyer_country_id"] = countries.id
        states = request.env["res.country.state"].sudo().browse([parsed["buyer_state_id"] or 0]).exists()
        parsed["buyer_state_id"] = states.id if states and states.country_id == countries else False
        return errors, parsed

    def _find_receipt(self, env, company, parsed):
        moves = env["account.move"].search(
            [
                ("company_id", "=", company.id),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("l10n_my_einvoice_route", "=", "consolidate"),
                ("name", "=", parsed["receipt_number"]),
                ("invoice_date", "=", parsed["receipt_date"]),
            ]
        )
        return moves.filtered(
            lambda move: Decimal(str(move.amount_total)).quantize(Decimal("0.01")) == parsed["receipt_total"]
        )[:1]

    def _check_tin(self, env, company, parsed):
        """A message when LHDN does not confirm the TIN with this ID, else None."""
        _ = request.env._
        probe = env["res.partner"].with_company(company).new({"name": parsed["buyer_name"], "vat": parsed["buyer_tin"]})
        tin, id_type, id_number = parsed["buyer_tin"], parsed["buyer_id_type"], parsed["buyer_id_number"]
        try:
            state, message = probe._l10n_my_einvoice_call_lhdn(
                lambda client: probe._l10n_my_einvoice_ask_tin(client, tin, id_type, id_number)
            )
        except UserError:
            return _("LHDN cannot be reached now, try again later.")
        if state == "valid":
            return None
        if state == "mismatch":
            return _("TIN: LHDN knows the TIN %(tin)s, but not with this ID. Check the ID type and number.", tin=tin)
        if state == "not_found":
            return _("TIN: LHDN says %(tin)s is not a valid TIN. Check it.", tin=tin)
        return _("TIN: LHDN could not check %(tin)s: %(message)s", tin=tin, message=message or "-")

    def _render(self, company, values, errors=None, message=None, done=None):
        env = request.env(su=True)
        malaysia = env.ref("base.my")
        return request.render(
            "l10n_my_einvoice.einvoice_request_page",
            {
                "company": company,
                "values": values,
                "errors": errors or {},
                "message": message,
                "done": done,
                "id_types": ID_TYPES,
                "countries": env["res.country"].search([]),
                "states": env["res.country.state"].search([("country_id", "=", malaysia.id)]),
            },
        )
