"""The move follows its e-invoice: while a version is on its way to LHDN or stands
there (queued, sending, submitted, Valid, rejection requested, cancellation pending),
what it declared cannot change in Odoo, and the move cannot be reset or cancelled.
The way out is LHDN's: cancel the e-invoice within 72 hours (then reset, correct,
re-post, send again), or correct it with a credit or debit note.
"""

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..myinvois import lifecycle
from .einvoice_time import user_time

# What the e-invoice declares, on the move and on its lines (models/mapping*.py).
DECLARED_MOVE_FIELDS = frozenset(
    {
        "name",
        "move_type",
        "partner_id",
        "partner_shipping_id",
        "partner_bank_id",
        "currency_id",
        "invoice_date",
        "invoice_line_ids",
        "line_ids",
        "invoice_payment_term_id",
        "invoice_cash_rounding_id",
        "ref",
        "reversed_entry_id",
        "debit_origin_id",
        "l10n_my_einvoice_note_type",
        "l10n_my_einvoice_period_start",
        "l10n_my_einvoice_period_end",
        "l10n_my_einvoice_frequency",
    }
)
DECLARED_LINE_FIELDS = frozenset(
    {
        "name",
        "product_id",
        "product_uom_id",
        "quantity",
        "price_unit",
        "discount",
        "tax_ids",
        "display_type",
        "l10n_my_einvoice_classification_id",
    }
)


def _differs(record, name, value):
    field = record._fields[name]
    if field.type in ("one2many", "many2many"):
        return True  # commands: a change whatever they are
    current = record[name]
    if field.type == "many2one":
        return current.id != (value or False) if not isinstance(value, models.BaseModel) else current != value
    return field.convert_to_cache(value, record) != field.convert_to_cache(current, record)


class AccountMove(models.Model):
    _inherit = "account.move"

    l10n_my_einvoice_can_cancel = fields.Boolean(related="l10n_my_einvoice_document_id.can_cancel")
    l10n_my_einvoice_cancel_deadline = fields.Datetime(related="l10n_my_einvoice_document_id.cancel_deadline")
    l10n_my_einvoice_rejection_reason = fields.Char(related="l10n_my_einvoice_document_id.rejection_reason")
    l10n_my_einvoice_is_final = fields.Boolean(
        compute="_compute_l10n_my_einvoice_is_final",
        help="Valid and past LHDN's 72 hours: only a credit or debit note can correct it.",
    )

    @api.depends("l10n_my_einvoice_state", "l10n_my_einvoice_validated_at")
    def _compute_l10n_my_einvoice_is_final(self):
        now = fields.Datetime.now()
        for move in self:
            document = move.l10n_my_einvoice_document_id
            move.l10n_my_einvoice_is_final = document.state in lifecycle.AT_LHDN_VALID and lifecycle.is_final(
                document.state, document.validated_at, now
            )

    @api.depends("l10n_my_einvoice_state")
    def _compute_show_reset_to_draft_button(self):
        result = super()._compute_show_reset_to_draft_button()
        # Reset to Draft would be refused: the form offers the e-invoice's ways out instead.
        for move in self._l10n_my_einvoice_locked():
            move.show_reset_to_draft_button = False
        return result

    # --- the lock ------------------------------------------------------------------------
    def _l10n_my_einvoice_locked(self):
        return self.filtered(lambda move: move.l10n_my_einvoice_document_id.state in lifecycle.ACTIVE)

    def _l10n_my_einvoice_lock_message(self, doing):
        self.ensure_one()
        document = self.l10n_my_einvoice_document_id
        if document.state in lifecycle.AT_LHDN_VALID and document.can_cancel:
            way = _(
                "Cancel the e-invoice first (button 'Cancel e-invoice', possible until %(deadline)s), or "
                "correct it with a credit or debit note.",
                deadline=user_time(self.env, document.cancel_deadline),
            )
        elif document.state in lifecycle.AT_LHDN_VALID:
            way = _("Its 72 hours are over: correct it with a credit note or a debit note.")
        else:
            way = _("Wait for LHDN's answer (the invoice shows it); if it is Invalid, you can change it then.")
        return _(
            "%(move)s cannot be %(doing)s: its e-invoice is %(state)s at MyInvois (LHDN holds what was declared). "
            "%(way)s",
            move=self.display_name,
            doing=doing,
            state=document._l10n_my_einvoice_state_label(),
            way=way,
        )

    def _l10n_my_einvoice_check_unlocked(self, doing):
        if self.env.context.get("l10n_my_einvoice_unlocked"):
            return
        locked = self._l10n_my_einvoice_locked()
        if locked:
            raise UserError("\n\n".join(move._l10n_my_einvoice_lock_message(doing) for move in locked))

    def write(self, vals):
        declared = DECLARED_MOVE_FIELDS.intersection(vals)
        if declared and not self.env.context.get("l10n_my_einvoice_unlocked"):
            changed = self.filtered(lambda move: any(_differs(move, name, vals[name]) for name in declared))
            changed._l10n_my_einvoice_check_unlocked(_("changed"))
        return super().write(vals)

    def button_draft(self):
        self._l10n_my_einvoice_check_unlocked(_("reset to draft"))
        return super().button_draft()

    def button_cancel(self):
        self._l10n_my_einvoice_check_unlocked(_("cancelled"))
        return super().button_cancel()

    # --- the ways out ----------------------------------------------------------------------
    def _l10n_my_einvoice_cancel_wizard(self, **defaults):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("l10n_my_einvoice.action_cancel_wizard")
        action["context"] = {"default_move_id": self.id, **{f"default_{k}": v for k, v in defaults.items()}}
        return action

    def action_l10n_my_einvoice_cancel(self):
        return self._l10n_my_einvoice_cancel_wizard()

    def action_l10n_my_einvoice_cancel_and_reset(self):
        return self._l10n_my_einvoice_cancel_wizard(reset_to_draft=True)

    def action_l10n_my_einvoice_accept_rejection(self):
        """The buyer is right: cancel the e-invoice (the wizard proposes the buyer's reason)."""
        return self._l10n_my_einvoice_cancel_wizard()

    def action_l10n_my_einvoice_check_lhdn(self):
        """Read the Valid e-invoices at LHDN now (a cancellation in the portal, a rejection):
        what the watch cron does every 30 minutes."""
        self.l10n_my_einvoice_document_id.filtered(
            lambda d: lifecycle.is_watched(d.state, d.validated_at, fields.Datetime.now())
        )._l10n_my_einvoice_read_at_lhdn()
        return {"type": "ir.actions.client", "tag": "soft_reload"}

    def action_l10n_my_einvoice_credit_note(self):
        return self.action_reverse()


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    def write(self, vals):
        declared = DECLARED_LINE_FIELDS.intersection(vals)
        if declared and not self.env.context.get("l10n_my_einvoice_unlocked"):
            changed = self.filtered(lambda line: any(_differs(line, name, vals[name]) for name in declared))
            changed.move_id._l10n_my_einvoice_check_unlocked(_("changed"))
        return super().write(vals)
