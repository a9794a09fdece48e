"""*Check with LHDN* and *Search TIN* on contacts, and the warning at submission.

LHDN's Validate TIN answers 200 (the TIN and the ID belong together) or 404 for
both an unknown TIN and a known TIN with another ID. The difference matters to
the user (fix the TIN, or fix the ID), so a 404 is followed by at most two
Search TIN calls: the ID registered under another TIN, or the contact's name
registered under this TIN, both mean "ID mismatch"; otherwise "not found".

Every call is one short attempt (the user waits) made through
``run_unless_paused``, so an outage or a 429 pauses the company exactly as it
does for the pipeline, and a paused company is not called at all.
"""

import datetime

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_datetime

from ..myinvois import client as api_client
from ..myinvois import codes
from .api_state import run_unless_paused

CACHE_DAYS = 30  # a valid TIN is not asked again before this, unless TIN or ID changes
BUTTON_OPTIONS = {"timeout": (3, 10), "max_retries": 0}  # the user waits: one short attempt
SUBMIT_CRON = "l10n_my_einvoice.ir_cron_submit"  # woken when the pause we may cause ends
FLAGGED = ("not_found", "mismatch")
CHECK_FIELDS = (
    "l10n_my_einvoice_tin_check_state",
    "l10n_my_einvoice_tin_checked_at",
    "l10n_my_einvoice_tin_checked_tin",
    "l10n_my_einvoice_tin_checked_id_type",
    "l10n_my_einvoice_tin_checked_id_number",
)


class ResPartner(models.Model):
    _inherit = "res.partner"

    l10n_my_einvoice_tin_check_state = fields.Selection(
        [
            ("valid", "Valid"),
            ("not_found", "Not found"),
            ("mismatch", "ID mismatch"),
            ("error", "Could not check"),
        ],
        string="LHDN TIN check",
        readonly=True,
        copy=False,
        help="What LHDN answered when this contact's TIN and ID were last checked.",
    )
    l10n_my_einvoice_tin_checked_at = fields.Datetime(string="TIN checked at", readonly=True, copy=False)
    l10n_my_einvoice_tin_checked_tin = fields.Char(string="Checked TIN", readonly=True, copy=False)
    l10n_my_einvoice_tin_checked_id_type = fields.Char(string="Checked ID type", readonly=True, copy=False)
    l10n_my_einvoice_tin_checked_id_number = fields.Char(string="Checked ID number", readonly=True, copy=False)
    l10n_my_einvoice_tin_check_current = fields.Boolean(
        string="TIN check applies",
        compute="_compute_l10n_my_einvoice_tin_check_current",
        help="The stored result was given for the contact's present TIN and ID (else it is stale and hidden).",
    )

    @api.model
    def _commercial_fields(self):
        # Kept on the commercial partner and copied to its contacts, like the TIN itself.
        return super()._commercial_fields() + list(CHECK_FIELDS)

    @api.depends("vat", "l10n_my_identification_type", "l10n_my_identification_number", *CHECK_FIELDS)
    def _compute_l10n_my_einvoice_tin_check_current(self):
        for partner in self:
            partner.l10n_my_einvoice_tin_check_current = bool(
                partner.l10n_my_einvoice_tin_check_state
                and partner._l10n_my_einvoice_tin_key() == partner._l10n_my_einvoice_checked_key()
            )

    # --- what is checked ----------------------------------------------------------------------
    def _l10n_my_einvoice_tin_key(self):
        """(TIN as LHDN stores it, ID type, ID number) of the commercial partner."""
        partner = self.commercial_partner_id
        return (
            codes.normalize_tin(partner.vat) if partner.vat else "",
            partner.l10n_my_identification_type or "",
            (partner.l10n_my_identification_number or "").strip(),
        )

    def _l10n_my_einvoice_checked_key(self):
        partner = self.commercial_partner_id
        return (
            partner.l10n_my_einvoice_tin_checked_tin or "",
            partner.l10n_my_einvoice_tin_checked_id_type or "",
            partner.l10n_my_einvoice_tin_checked_id_number or "",
        )

    def _l10n_my_einvoice_tin_cached(self):
        """A valid answer for the same TIN and ID, younger than CACHE_DAYS."""
        partner = self.commercial_partner_id
        return (
            partner.l10n_my_einvoice_tin_check_state == "valid"
            and partner._l10n_my_einvoice_tin_key() == partner._l10n_my_einvoice_checked_key()
            and partner.l10n_my_einvoice_tin_checked_at
            and partner.l10n_my_einvoice_tin_checked_at > fields.Datetime.now() - datetime.timedelta(days=CACHE_DAYS)
        )

    def _l10n_my_einvoice_tin_state_label(self):
        selection = dict(self._fields["l10n_my_einvoice_tin_check_state"]._description_selection(self.env))
        return selection.get(self.l10n_my_einvoice_tin_check_state, "-")

    # --- talking to LHDN ----------------------------------------------------------------------
    def _l10n_my_einvoice_call_lhdn(self, work):
        """``work(client)`` for this contact, through the current company's client and
        run_unless_paused. An outage, a 429 or a pause becomes a UserError naming the
        contact and when to try again (the pause itself was stored by run_unless_paused)."""
        self.ensure_one()
        company = self.env.company
        client = company._l10n_my_einvoice_client().with_options(**BUTTON_OPTIONS)  # the configuration message
        outcome = {}

        def call():
            try:
                outcome["value"] = work(client)
            except api_client.MyInvoisError as error:
                outcome["error"] = error  # run_unless_paused logs the others without a word to the user
                raise

        if run_unless_paused(company, call, "TIN check", SUBMIT_CRON):
            return outcome.get("value")
        paused = company._l10n_my_einvoice_paused()
        if paused:
            raise UserError(
                self.env._(
                    "LHDN could not be reached to check the TIN of %(contact)s (%(reason)s); try again after "
                    "%(until)s. Nothing was changed on the contact.",
                    contact=self.display_name,
                    reason=paused[1] or outcome.get("error") or "-",
                    until=format_datetime(self.env, paused[0], dt_format="short"),
                )
            )
        raise UserError(
            self.env._(
                "LHDN could not check the TIN of %(contact)s (%(reason)s); try again after a few minutes. "
                "Nothing was changed on the contact.",
                contact=self.display_name,
                reason=outcome.get("error") or "-",
            )
        )

    def _l10n_my_einvoice_ask_tin(self, client, tin, id_type, id_number):
        """(state, LHDN's message or None) for one TIN and ID; see the module docstring."""
        try:
            if client.validate_tin(tin, id_type, id_number):
                return "valid", None
        except api_client.ValidationError as error:  # 400: LHDN refuses the arguments themselves
            return "error", str(error)
        try:
            other = client.search_tin(id_type=id_type, id_value=id_number)
            if other and codes.normalize_tin(other) != tin:
                return "mismatch", None
            if self.name and client.search_tin(taxpayer_name=self.name) == tin:
                return "mismatch", None
        except api_client.ValidationError:  # several taxpayers match: no conclusion
            return "not_found", None
        return "not_found", None

    def _l10n_my_einvoice_check_tin(self):
        """Check this commercial partner; returns (state, asked LHDN?, LHDN's message)."""
        self.ensure_one()
        tin, id_type, id_number = self._l10n_my_einvoice_tin_key()
        if not (tin and id_type and id_number):
            raise UserError(
                self.env._(
                    "Contact %(contact)s: set the Tax ID (TIN), the ID type and the ID number before checking "
                    "them with LHDN.",
                    contact=self.display_name,
                )
            )
        if self._l10n_my_einvoice_tin_cached() and not self.env.context.get("force"):
            return "valid", False, None
        state, message = self._l10n_my_einvoice_call_lhdn(
            lambda client: self._l10n_my_einvoice_ask_tin(client, tin, id_type, id_number)
        )
        self.write(
            {
                "l10n_my_einvoice_tin_check_state": state,
                "l10n_my_einvoice_tin_checked_at": fields.Datetime.now(),
                "l10n_my_einvoice_tin_checked_tin": tin,
                "l10n_my_einvoice_tin_checked_id_type": id_type,
                "l10n_my_einvoice_tin_checked_id_number": id_number,
            }
        )
        return state, True, message

    def _l10n_my_einvoice_tin_message(self, state, asked, message):
        env = self.env
        if not asked:
            return env._(
                "%(contact)s: checked on %(date)s (valid); LHDN is asked again after %(days)s days or when the "
                "TIN or ID changes.",
                contact=self.display_name,
                date=format_datetime(env, self.l10n_my_einvoice_tin_checked_at, dt_format="short"),
                days=CACHE_DAYS,
            )
        texts = {
            "valid": env._("%(contact)s: LHDN confirms the TIN %(tin)s with this ID."),
            "not_found": env._("%(contact)s: LHDN does not know the TIN %(tin)s. Correct the Tax ID."),
            "mismatch": env._(
                "%(contact)s: LHDN knows the TIN %(tin)s, but not with the ID %(id)s. Correct the ID type or number."
            ),
            "error": env._("%(contact)s: LHDN could not check the TIN %(tin)s: %(message)s"),
        }
        return texts[state] % {
            "contact": self.display_name,
            "tin": self.l10n_my_einvoice_tin_checked_tin,
            "id": f"{self.l10n_my_einvoice_tin_checked_id_type} {self.l10n_my_einvoice_tin_checked_id_number}",
            "message": message or "-",
        }

    # --- buttons ------------------------------------------------------------------------------
    def action_l10n_my_einvoice_check_tin(self):
        """*Check with LHDN* (form button, and list action over several contacts)."""
        partners = self.commercial_partner_id
        skipped = partners.filtered(lambda p: not all(p._l10n_my_einvoice_tin_key())) if len(partners) > 1 else None
        lines, worst = [], "success"
        for partner in partners - (skipped or self.browse()):
            state, asked, message = partner._l10n_my_einvoice_check_tin()
            lines.append(partner._l10n_my_einvoice_tin_message(state, asked, message))
            if state != "valid":
                worst = "warning"
        if skipped:
            lines.append(
                self.env._(
                    "Not checked (no Tax ID, ID type or ID number): %(contacts)s",
                    contacts=", ".join(skipped.mapped("display_name")),
                )
            )
            worst = "warning"
        return self._l10n_my_einvoice_notify(self.env._("TIN check with LHDN"), "\n".join(lines), worst)

    def action_l10n_my_einvoice_search_tin(self):
        """*Search TIN*: the TIN LHDN registered for this ID type and number."""
        self.ensure_one()
        partner = self.commercial_partner_id
        _tin, id_type, id_number = partner._l10n_my_einvoice_tin_key()
        if not (id_type and id_number):
            raise UserError(
                self.env._(
                    "Contact %(contact)s: set the ID type and the ID number to search its TIN.",
                    contact=partner.display_name,
                )
            )

        def search(client):
            try:
                return client.search_tin(id_type=id_type, id_value=id_number)
            except api_client.ValidationError:  # several taxpayers share the ID: the name decides
                try:
                    return client.search_tin(id_type=id_type, id_value=id_number, taxpayer_name=partner.name)
                except api_client.ValidationError:  # still not one taxpayer: say none was found
                    return None

        tin = partner._l10n_my_einvoice_call_lhdn(search)
        if not tin:
            return self._l10n_my_einvoice_notify(
                self.env._("Search TIN"),
                self.env._(
                    "LHDN found no single TIN for %(contact)s with %(type)s %(number)s.",
                    contact=partner.display_name,
                    type=id_type,
                    number=id_number,
                ),
                "warning",
            )
        partner.vat = codes.normalize_tin(tin)
        return self._l10n_my_einvoice_notify(
            self.env._("Search TIN"),
            self.env._("%(contact)s: LHDN gives the TIN %(tin)s.", contact=partner.display_name, tin=partner.vat),
            "success",
        )

    def _l10n_my_einvoice_notify(self, title, message, kind):
        params = {
            "type": kind,
            "title": title,
            "message": message,
            "sticky": kind != "success",
            "next": {"type": "ir.actions.client", "tag": "soft_reload"},  # the badge and the TIN changed
        }
        return {"type": "ir.actions.client", "tag": "display_notification", "params": params}


class AccountMove(models.Model):
    _inherit = "account.move"

    def action_l10n_my_einvoice_submit(self):
        """Never blocked by a TIN check (LHDN decides); a stored "not found" or "ID
        mismatch" for the buyer's present TIN and ID is added to the notification."""
        result = super().action_l10n_my_einvoice_submit()
        flagged = self.commercial_partner_id.filtered(
            lambda p: p.l10n_my_einvoice_tin_check_state in FLAGGED and p.l10n_my_einvoice_tin_check_current
        )
        params = result.get("params") if isinstance(result, dict) else None
        if not flagged or result.get("tag") != "display_notification" or params is None:
            return result
        warnings = [
            self.env._(
                "Warning: LHDN answered %(state)s for the TIN of %(contact)s (checked on %(date)s); the e-invoice "
                "will probably be rejected. Correct the contact and click 'Check with LHDN'.",
                state=partner._l10n_my_einvoice_tin_state_label(),
                contact=partner.display_name,
                date=format_datetime(self.env, partner.l10n_my_einvoice_tin_checked_at, dt_format="short"),
            )
            for partner in flagged
        ]
        params["type"] = "warning"
        params["message"] = "\n\n".join([params.get("message") or "", *warnings]).strip()
        return result
