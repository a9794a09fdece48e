"""A buyer asks for an e-invoice of their own for a sale waiting for the monthly
consolidated e-invoice (the public page: controllers/request_portal.py).

Under the ``auto`` policy a request for a waiting sale is issued at once: the buyer's
contact (matched by TIN or created) becomes the move's partner and the move an
individual e-invoice, queued for submission. A sale already declared in a consolidated
e-invoice is refused (SG §3.6.8). Under ``accountant`` every request waits for approval
with an activity. When the individual e-invoice is Valid, the buyer gets the invoice PDF
by e-mail.
"""

import datetime
import logging

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..myinvois import codes, lifecycle

_logger = logging.getLogger(__name__)

ATTEMPT_WINDOW = datetime.timedelta(hours=1)
ATTEMPT_LIMIT = 10  # per client IP and per receipt number, within ATTEMPT_WINDOW
ID_TYPES = [("BRN", "BRN"), ("NRIC", "NRIC"), ("PASSPORT", "Passport"), ("ARMY", "Army")]
MAIL_TEMPLATE = "l10n_my_einvoice.mail_template_einvoice_request_valid"


class ResCompany(models.Model):
    _inherit = "res.company"

    l10n_my_einvoice_request_policy = fields.Selection(
        [("auto", "Issue at once"), ("accountant", "An accountant approves")],
        string="Buyer e-invoice requests",
        default="auto",
        required=True,
        help="Issue at once: a request for a sale waiting for the consolidated e-invoice is issued at once "
        "(a sale already consolidated is refused). An accountant approves: every request waits for approval.",
    )


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    l10n_my_einvoice_request_policy = fields.Selection(
        related="company_id.l10n_my_einvoice_request_policy", readonly=False
    )


class AccountMove(models.Model):
    _inherit = "account.move"

    l10n_my_einvoice_request_ids = fields.One2many(
        "l10n_my_einvoice.request", "move_id", string="Buyer e-invoice requests", readonly=True
    )


class L10nMyEinvoiceRequest(models.Model):
    _name = "l10n_my_einvoice.request"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _description = "Buyer's request for an e-invoice"
    _order = "id desc"
    _rec_name = "buyer_name"

    move_id = fields.Many2one("account.move", string="Invoice", required=True, readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    state = fields.Selection(
        [("pending_approval", "Waiting for approval"), ("issued", "Issued"), ("refused", "Refused")],
        string="Status",
        default="pending_approval",
        required=True,
        readonly=True,
        tracking=True,
    )
    refusal_reason = fields.Text()
    buyer_name = fields.Char(string="Buyer", required=True, readonly=True)
    buyer_tin = fields.Char(string="TIN", required=True, readonly=True)
    buyer_id_type = fields.Selection(ID_TYPES, string="ID type", required=True, readonly=True)
    buyer_id_number = fields.Char(string="ID number", required=True, readonly=True)
    buyer_sst = fields.Char(string="SST registration", readonly=True)
    buyer_street = fields.Char(string="Street", readonly=True)
    buyer_city = fields.Char(string="City", readonly=True)
    buyer_zip = fields.Char(string="Postcode", readonly=True)
    buyer_state_id = fields.Many2one("res.country.state", string="Buyer state", readonly=True)
    buyer_country_id = fields.Many2one("res.country", string="Country", readonly=True)
    buyer_email = fields.Char(string="E-mail", required=True, readonly=True)
    buyer_phone = fields.Char(string="Phone", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Buyer contact", readonly=True)
    portal_user_id = fields.Many2one(
        "res.users", string="Asked by portal user", readonly=True, help="Who sees this request in their portal."
    )
    requested_at = fields.Datetime(default=fields.Datetime.now, required=True, readonly=True)
    mailed = fields.Boolean(string="Invoice e-mailed", readonly=True, copy=False)

    # --- receiving a request -------------------------------------------------------------
    def _l10n_my_einvoice_decide(self):
        """What the company's policy does with a new request (in sudo, from the page)."""
        for req in self:
            declared = req.move_id.l10n_my_einvoice_consolidated_state in lifecycle.ACTIVE
            if req.company_id.l10n_my_einvoice_request_policy == "accountant":
                req._l10n_my_einvoice_ask_accountant()
            elif declared:
                req.write({"state": "refused", "refusal_reason": req._l10n_my_einvoice_declared_reason()})
            else:
                try:
                    with self.env.cr.savepoint():
                        req._l10n_my_einvoice_issue()
                except UserError as error:  # e.g. the total would change: left to an accountant
                    req.message_post(body=str(error))
                    req._l10n_my_einvoice_ask_accountant()

    def _l10n_my_einvoice_declared_reason(self):
        self.ensure_one()
        return self.env._(
            "This sale is already declared in the consolidated e-invoice %(number)s of its month. After the month "
            "is consolidated, LHDN lets the seller refuse an individual e-invoice (e-Invoice Specific Guideline "
            "§3.6.8).",
            number=self.move_id.l10n_my_einvoice_consolidated_document_id.code_number,
        )

    def _l10n_my_einvoice_ask_accountant(self):
        self.ensure_one()
        move = self.move_id
        user = move.invoice_user_id or move.create_uid
        if not user or user._is_public() or not user.has_group("account.group_account_invoice"):
            user = self.env["res.users"].search(
                [
                    ("group_ids", "in", self.env.ref("account.group_account_manager").id),
                    ("company_ids", "in", self.company_id.id),
                ],
                limit=1,
            )
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=self.env._("Buyer asks for an e-invoice"),
            note=self.env._(
                "%(buyer)s (TIN %(tin)s) asks for an individual e-invoice for %(move)s.",
                buyer=self.buyer_name,
                tin=self.buyer_tin,
                move=move.display_name,
            ),
            user_id=user.id or self.env.uid,
        )

    def _l10n_my_einvoice_buyer_partner(self):
        """The buyer's contact: the portal user's own, or the one with this TIN (what it
        lacks filled in from the request), or a new one."""
        self.ensure_one()
        tin = codes.normalize_tin(self.buyer_tin)
        Partner = self.env["res.partner"]
        own = self.portal_user_id.partner_id.commercial_partner_id
        candidates = own | Partner.search(
            [
                ("vat", "ilike", tin[-6:]),
                ("company_id", "in", [False, self.company_id.id]),
                ("parent_id", "=", False),
            ]
        )
        partner = candidates.filtered(lambda p: codes.normalize_tin(p.vat) == tin)[:1]
        values, checked = self._l10n_my_einvoice_partner_values()
        if not partner:
            return Partner.create(
                {"name": self.buyer_name, "is_company": self.buyer_id_type == "BRN", **values, **checked}
            )
        # Never overwrite the seller's data: fill only what the contact lacks, the address as a whole.
        address = ("street", "city", "zip", "state_id", "country_id")
        has_address = partner.street or partner.city
        gaps = {
            key: value
            for key, value in values.items()
            if value and not partner[key] and not (key in address and has_address)
        }
        partner.write({**gaps, **checked})  # LHDN has just confirmed this TIN with this ID
        return partner

    def _l10n_my_einvoice_partner_values(self):
        """(the buyer's details, LHDN's confirmation of their TIN) as contact values."""
        tin = codes.normalize_tin(self.buyer_tin)
        details = {
            "vat": tin,
            "l10n_my_identification_type": self.buyer_id_type,
            "l10n_my_identification_number": self.buyer_id_number,
            "sst_registration_number": self.buyer_sst or False,
            "street": self.buyer_street or False,
            "city": self.buyer_city or False,
            "zip": self.buyer_zip or False,
            "state_id": self.buyer_state_id.id,
            "country_id": self.buyer_country_id.id,
            "email": self.buyer_email,
            "phone": self.buyer_phone or False,
        }
        checked = {
            "l10n_my_einvoice_tin_check_state": "valid",
            "l10n_my_einvoice_tin_checked_at": fields.Datetime.now(),
            "l10n_my_einvoice_tin_checked_tin": tin,
            "l10n_my_einvoice_tin_checked_id_type": self.buyer_id_type,
            "l10n_my_einvoice_tin_checked_id_number": self.buyer_id_number,
        }
        return details, checked

    def _l10n_my_einvoice_issue(self):
        """The waiting move, invoiced again to the buyer as an individual e-invoice."""
        self.ensure_one()
        move = self.move_id.with_company(self.company_id)
        if move.l10n_my_einvoice_consolidated_state in lifecycle.ACTIVE:
            raise UserError(self._l10n_my_einvoice_declared_reason())
        if move.state != "posted" or move.l10n_my_einvoice_route != "consolidate":
            raise UserError(self.env._("%(move)s no longer waits for consolidation.", move=move.display_name))
        partner = self._l10n_my_einvoice_buyer_partner()
        total = move.amount_total
        move.button_draft()
        move.write({"partner_id": partner.id, "l10n_my_einvoice_individual": True})
        move.action_post()
        if move.currency_id.compare_amounts(move.amount_total, total):
            raise UserError(
                self.env._("%(move)s would change its total with this buyer: issue it by hand.", move=move.display_name)
            )
        move.action_l10n_my_einvoice_issue_individual()
        self.write({"state": "issued", "partner_id": partner.id})
        self.activity_unlink(["mail.mail_activity_data_todo"])

    # --- buttons -------------------------------------------------------------------------
    def action_approve(self):
        for req in self:
            if req.state != "pending_approval":
                raise UserError(self.env._("Only a request waiting for approval can be approved."))
            req._l10n_my_einvoice_issue()

    def action_refuse(self):
        for req in self:
            if req.state != "pending_approval":
                raise UserError(self.env._("Only a request waiting for approval can be refused."))
            reason = req.refusal_reason
            if not reason and req.move_id.l10n_my_einvoice_consolidated_state in lifecycle.ACTIVE:
                reason = req._l10n_my_einvoice_declared_reason()
            req.write({"state": "refused", "refusal_reason": reason or self.env._("Refused by the seller.")})
            req.activity_unlink(["mail.mail_activity_data_todo"])

    # --- the buyer gets the invoice ------------------------------------------------------
    def _l10n_my_einvoice_mail_valid(self):
        template = self.env.ref(MAIL_TEMPLATE, raise_if_not_found=False)
        if not template:
            return
        for req in self:
            try:
                with self.env.cr.savepoint():
                    # To the address the buyer gave on the page, not to the contact's.
                    template.sudo().send_mail(
                        req.move_id.id,
                        force_send=False,
                        email_values={"email_to": req.buyer_email, "recipient_ids": []},
                    )
                    req.mailed = True
            except Exception:  # never break the poll for a mail
                _logger.exception("MyInvois: the Valid e-invoice %s could not be e-mailed", req.move_id.name)


class L10nMyEinvoiceRequestAttempt(models.Model):
    """One try on the public page, to limit them per client IP and per receipt number."""

    _name = "l10n_my_einvoice.request.attempt"
    _description = "E-invoice request attempt"

    ip = fields.Char(index=True)
    receipt_number = fields.Char(index=True)

    @api.model
    def _l10n_my_einvoice_allow(self, ip, receipt_number):
        """Count this attempt; False when the IP or the receipt number had enough."""
        since = fields.Datetime.now() - ATTEMPT_WINDOW
        self.search([("create_date", "<", since)]).unlink()
        recent = [("create_date", ">=", since)]
        if self.search_count([*recent, ("ip", "=", ip)]) >= ATTEMPT_LIMIT:
            return False
        if self.search_count([*recent, ("receipt_number", "=", receipt_number)]) >= ATTEMPT_LIMIT:
            return False
        self.create({"ip": ip, "receipt_number": receipt_number})
        return True


class L10nMyEinvoiceDocument(models.Model):
    _inherit = "l10n_my_einvoice.document"

    def _transition(self, event, values=None, log=True):
        result = super()._transition(event, values, log)
        if event == "validate" and self.move_id:
            self.env["l10n_my_einvoice.request"].sudo().search(
                [("move_id", "in", self.move_id.ids), ("state", "=", "issued"), ("mailed", "=", False)]
            )._l10n_my_einvoice_mail_valid()
        return result
