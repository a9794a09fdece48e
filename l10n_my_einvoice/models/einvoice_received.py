"""An e-invoice a supplier issued to the company, as LHDN holds it.

One record per UUID and company, fetched by models/pipeline_receive.py with the signed
document attached; models/received_bill_builder.py makes its vendor bill. Its LHDN status
changes in one place, ``_transition``, along the core's table (myinvois/received.py),
and every change reaches the bill's chatter, so the bill never shows a document LHDN
no longer holds as Valid.
"""

from odoo import api, fields, models

from ..myinvois import received
from .einvoice_submission import lhdn_datetime
from .einvoice_time import malaysia_time

STATE_LABELS = {
    received.VALID: "Valid",
    received.REJECTION_REQUESTED: "Rejection requested",
    received.CANCELLED: "Cancelled by the supplier",
}
TYPES = [
    ("01", "Invoice"),
    ("02", "Credit note"),
    ("03", "Debit note"),
    ("04", "Refund note"),
    ("11", "Self-billed invoice"),
    ("12", "Self-billed credit note"),
    ("13", "Self-billed debit note"),
    ("14", "Self-billed refund note"),
]
BILL_STATES = [
    ("pending", "To create"),
    ("done", "Created"),
    ("skipped", "Not a bill"),
    ("failed", "Failed"),
]


class L10nMyEinvoiceReceived(models.Model):
    _name = "l10n_my_einvoice.received"
    _description = "Received e-invoice (MyInvois)"
    _inherit = ["mail.thread"]
    _order = "validated_at desc, id desc"

    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    uuid = fields.Char(string="UUID", required=True, readonly=True, copy=False)
    long_id = fields.Char(string="Long ID", readonly=True, copy=False)
    submission_uid = fields.Char(string="Submission UID", readonly=True)
    internal_id = fields.Char(string="Supplier's number", readonly=True, help="The supplier's own invoice number.")
    type_code = fields.Selection(TYPES, string="e-Invoice type", readonly=True)
    supplier_tin = fields.Char(string="Supplier TIN", readonly=True, index=True)
    supplier_name = fields.Char(string="Supplier", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Supplier contact", readonly=True, index="btree_not_null")
    currency_id = fields.Many2one("res.currency", readonly=True)
    currency_code = fields.Char(string="Currency code", readonly=True)
    amount_untaxed = fields.Monetary(string="Total excluding tax", readonly=True)
    amount_tax = fields.Monetary(string="Tax", readonly=True)
    amount_total = fields.Monetary(string="Total payable", readonly=True)
    amount_billed = fields.Monetary(
        string="Bill total",
        readonly=True,
        help="What its vendor bill totals: the total including tax and the rounding, before any prepayment.",
    )
    state = fields.Selection(
        [(state, STATE_LABELS[state]) for state in received.STATES],
        string="Status",
        default=received.VALID,
        required=True,
        readonly=True,
        index=True,
        tracking=True,
    )
    issued_at = fields.Datetime(string="Issued at", readonly=True)
    received_at = fields.Datetime(string="Received by LHDN at", readonly=True)
    validated_at = fields.Datetime(string="Validated at", readonly=True)
    cancelled_at = fields.Datetime(string="Cancelled at", readonly=True)
    status_reason = fields.Char(string="Reason at LHDN", readonly=True, help="The reason given with a cancellation.")
    rejection_reason = fields.Char(string="Our rejection reason", readonly=True)
    rejection_requested_at = fields.Datetime(string="Rejection requested at", readonly=True)
    attachment_id = fields.Many2one("ir.attachment", string="Signed document", readonly=True)
    document_format = fields.Selection([("xml", "XML"), ("json", "JSON")], string="Format", readonly=True)
    bill_state = fields.Selection(BILL_STATES, string="Bill", default="pending", required=True, readonly=True)
    bill_message = fields.Text(string="Bill problems", readonly=True)
    # The bill points here (account.move.l10n_my_einvoice_received_id): one pointer, read both ways.
    move_ids = fields.One2many("account.move", "l10n_my_einvoice_received_id", string="Vendor bills", readonly=True)
    move_id = fields.Many2one(
        "account.move", string="Vendor bill", compute="_compute_move_id", store=True, index="btree_not_null"
    )
    validation_link = fields.Char(compute="_compute_validation_link")
    reject_deadline = fields.Datetime(string="Can be rejected until", compute="_compute_reject_deadline")
    can_reject = fields.Boolean(compute="_compute_reject_deadline")

    _uuid_unique = models.Constraint(
        "UNIQUE(company_id, uuid)", "A received e-invoice is kept once per company (its UUID)."
    )

    @api.depends("supplier_name", "internal_id", "type_code")
    def _compute_display_name(self):
        types = dict(self._fields["type_code"]._description_selection(self.env))
        for document in self:
            document.display_name = (
                " ".join(filter(None, [types.get(document.type_code), document.internal_id, document.supplier_name]))
                or document.uuid
            )

    @api.depends("move_ids")
    def _compute_move_id(self):
        for document in self:
            document.move_id = document.move_ids[:1]

    @api.depends("uuid", "long_id")
    def _compute_validation_link(self):
        for document in self:
            document.validation_link = document.company_id._l10n_my_einvoice_validation_link(
                document.uuid, document.long_id
            )

    @api.depends("state", "validated_at")
    def _compute_reject_deadline(self):
        now = fields.Datetime.now()
        for document in self:
            document.reject_deadline = received.rejection_deadline(document.validated_at) or False
            document.can_reject = received.can_reject(document.state, document.validated_at, now)

    # --- the one place the LHDN status changes ---------------------------------------------
    def _transition(self, event, values=None):
        """``event`` (myinvois/received.py) on each document, ``values`` written with it;
        the bill hears of it. An event the table does not allow raises TransitionError."""
        for document in self:
            state = received.next_state(document.state, event)
            document.write({**(values or {}), "state": state})
            document._announce_on_bill()
        return self

    def _apply_lhdn(self, item):
        """Bring this document to what LHDN's listing or details ``item`` says."""
        self.ensure_one()
        values = {"long_id": item.get("longId") or self.long_id}
        reason = (item.get("documentStatusReason") or "").strip()
        for event in received.events_towards(self.state, received.status_of(item)):
            if event == "cancel_done":
                values.update(
                    cancelled_at=lhdn_datetime(item.get("cancelDateTime")) or fields.Datetime.now(),
                    status_reason=reason[:300] or False,
                )
            else:  # a rejection LHDN holds that we did not record (sent elsewhere, or our commit was lost)
                values.update(
                    rejection_requested_at=lhdn_datetime(item.get("rejectRequestDateTime")) or fields.Datetime.now(),
                    rejection_reason=self.rejection_reason or reason[:300] or False,
                )
            self._transition(event, values)
            values = {}
        if values.get("long_id") != self.long_id:
            self.write(values)

    def _announce_on_bill(self):
        """The bill's chatter (and, for a cancellation, an activity) says what LHDN now holds."""
        self.ensure_one()
        bill = self.move_id
        if not bill:
            return
        if self.state == received.CANCELLED:
            todo = (
                self.env._("reverse this bill with a credit note")
                if bill.state == "posted"
                else self.env._("cancel this bill")
            )
            note = self.env._(
                "The supplier cancelled the e-invoice %(number)s (UUID %(uuid)s) at LHDN on %(when)s: "
                "%(reason)s. It is no longer a valid e-invoice: %(todo)s, or ask the supplier for the "
                "e-invoice that replaces it.",
                number=self.internal_id or "-",
                uuid=self.uuid,
                when=malaysia_time(self.env, self.cancelled_at),
                reason=self.status_reason or self.env._("(no reason given)"),
                todo=todo,
            )
            bill._message_log(body=note)
            bill.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("MyInvois: the supplier cancelled %(number)s", number=self.internal_id or "-"),
                note=note,
                user_id=bill._l10n_my_einvoice_responsible().id,
            )
        elif self.state == received.REJECTION_REQUESTED:
            bill._message_log(
                body=self.env._(
                    'LHDN holds our request to reject the e-invoice %(number)s: "%(reason)s" (%(when)s). It stays '
                    "Valid until the supplier cancels it.",
                    number=self.internal_id or "-",
                    reason=self.rejection_reason or "-",
                    when=malaysia_time(self.env, self.rejection_requested_at),
                )
            )

    def _set_bill_state(self, bill_state, message=False):
        """The one place the bill's progress is written."""
        self.write({"bill_state": bill_state, "bill_message": message or False})

    # --- buttons --------------------------------------------------------------------------
    def action_open_bill(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.move_id.id,
            "view_mode": "form",
        }

    def action_download(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self.attachment_id.id}?download=true",
            "target": "self",
        }

    def action_reject(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Reject e-invoice"),
            "res_model": "l10n_my_einvoice.reject.received.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_received_id": self.id},
        }
