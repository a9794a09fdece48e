"""Which e-invoice declares a move: its own (individual), or its month's consolidated
one (reference §8). The route is decided when the move is posted and shown on it; the
consolidation itself is pipeline_consolidate.py. (Loaded after account_move_einvoice_lock.py,
whose lock it extends: the module names sort that way.)

A sale waits for consolidation when the company consolidates and the buyer did not ask
for an e-invoice (no Malaysian TIN, the general public TIN, or a contact marked so). LHDN
forbids it for a single sale above RM10,000, for the activities of §8.4 and for
self-billing outside §8.3: those stay individual, and the move says why.
"""

import datetime
from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..myinvois import codes, lifecycle

# SG §3.7 Table 3.6 (guideline v4.6, 5 Jan 2026): a single transaction *exceeding*
# RM10,000 needs an individual e-invoice; RM10,000.00 exactly may be consolidated.
# Compared with the total including tax, in MYR (reference §8.4 item 8).
CONSOLIDATION_LIMIT_MYR = Decimal("10000.00")
DEADLINE_DAYS = 7  # after the end of the month (reference §8.1)

INDIVIDUAL_REASONS = [
    ("requested", "The buyer asked for an individual e-invoice"),
    ("over_limit", "A single sale above RM10,000 cannot be consolidated"),
    ("excluded_activity", "LHDN excludes the company's activity from consolidation"),
    ("self_billed", "Self-billing outside LHDN's consolidation cases"),
]


def month_start(day):
    return day.replace(day=1)


def next_month_start(day):
    """The first day of the month after ``day``'s."""
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def consolidation_deadline(month):
    """The last day to submit the consolidated e-invoice of ``month``."""
    return next_month_start(month) + datetime.timedelta(days=DEADLINE_DAYS - 1)


class AccountMove(models.Model):
    _inherit = "account.move"

    l10n_my_einvoice_route = fields.Selection(
        [("individual", "Individual e-invoice"), ("consolidate", "Monthly consolidated e-invoice")],
        string="MyInvois route",
        readonly=True,
        copy=False,
        index=True,
        help="Decided when the invoice is posted.",
    )
    l10n_my_einvoice_individual = fields.Boolean(
        string="Issue an individual e-invoice",
        copy=False,
        help="The buyer asked for an e-invoice of their own: do not declare this sale in the monthly "
        "consolidated e-invoice.",
    )
    l10n_my_einvoice_individual_reason = fields.Selection(
        INDIVIDUAL_REASONS, string="Why individual", readonly=True, copy=False
    )
    l10n_my_einvoice_consolidated_document_id = fields.Many2one(
        "l10n_my_einvoice.document",
        string="Consolidated e-invoice",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
    )
    l10n_my_einvoice_consolidated_state = fields.Selection(
        related="l10n_my_einvoice_consolidated_document_id.state", string="Consolidated e-invoice status"
    )
    l10n_my_einvoice_consolidated_uuid = fields.Char(
        related="l10n_my_einvoice_consolidated_document_id.uuid", string="Consolidated e-invoice UUID"
    )
    l10n_my_einvoice_consolidated_link = fields.Char(
        related="l10n_my_einvoice_consolidated_document_id.validation_link", string="Consolidated validation link"
    )
    l10n_my_einvoice_consolidation_due = fields.Date(
        string="Consolidated by", compute="_compute_l10n_my_einvoice_consolidation_due"
    )

    @api.depends("l10n_my_einvoice_route", "invoice_date")
    def _compute_l10n_my_einvoice_consolidation_due(self):
        for move in self:
            due = move.l10n_my_einvoice_route == "consolidate" and move.invoice_date
            move.l10n_my_einvoice_consolidation_due = consolidation_deadline(month_start(due)) if due else False

    # --- the route ---------------------------------------------------------------------
    def _l10n_my_einvoice_buyer_asks_none(self):
        """The counterpart gave no TIN for an e-invoice of its own (or is marked so)."""
        self.ensure_one()
        partner = self.partner_id.commercial_partner_id
        tin = codes.normalize_tin(partner.vat or "")
        if partner.l10n_my_einvoice_consolidate or tin == codes.GENERAL_PUBLIC_TIN:
            return True
        foreign_business = partner.is_company and partner.country_id and partner.country_id.code != "MY"
        return not codes.is_tin(tin) and not foreign_business

    def _l10n_my_einvoice_decide_route(self):
        """(route, reason why individual) of a posted, applicable move."""
        self.ensure_one()
        company = self.company_id
        if not company.l10n_my_einvoice_consolidate:
            return "individual", False
        origin = self.reversed_entry_id or self.debit_origin_id
        if origin:  # a note follows the sale it corrects
            return origin.l10n_my_einvoice_route or "individual", False
        if not self._l10n_my_einvoice_buyer_asks_none():
            return "individual", False
        self_billed = self.move_type in ("in_invoice", "in_refund")
        reason = (
            (self.l10n_my_einvoice_individual and "requested")
            or (company.l10n_my_einvoice_excluded_activity and "excluded_activity")
            or (
                self_billed
                and not self.partner_id.commercial_partner_id.l10n_my_einvoice_self_billed_case
                and "self_billed"
            )
            or (Decimal(str(abs(self.amount_total_signed))) > CONSOLIDATION_LIMIT_MYR and "over_limit")
        )
        return ("individual", reason) if reason else ("consolidate", False)

    def _l10n_my_einvoice_set_routes(self):
        by_route = {}
        for move in self._l10n_my_einvoice_applicable():
            by_route.setdefault(move._l10n_my_einvoice_decide_route(), []).append(move.id)
        for (route, reason), ids in by_route.items():
            self.browse(ids).write({"l10n_my_einvoice_route": route, "l10n_my_einvoice_individual_reason": reason})

    def _post(self, soft=True):
        posted = super()._post(soft)
        posted._l10n_my_einvoice_set_routes()
        return posted

    def button_draft(self):
        result = super().button_draft()  # refused while a consolidated e-invoice declares it (the lock)
        self.filtered("l10n_my_einvoice_route").write(
            {"l10n_my_einvoice_route": False, "l10n_my_einvoice_individual_reason": False}
        )
        return result

    # --- the lock of a declared move ------------------------------------------------------
    def _l10n_my_einvoice_locked(self):
        return super()._l10n_my_einvoice_locked() | self.filtered(
            lambda move: move.l10n_my_einvoice_consolidated_state in lifecycle.ACTIVE
        )

    def _l10n_my_einvoice_lock_message(self, doing):
        self.ensure_one()
        if self.l10n_my_einvoice_document_id.state in lifecycle.ACTIVE:
            return super()._l10n_my_einvoice_lock_message(doing)
        document = self.l10n_my_einvoice_consolidated_document_id
        return self.env._(
            "%(move)s cannot be %(doing)s: it is declared in the consolidated e-invoice %(number)s (%(state)s at "
            "MyInvois). Correct it with a credit note: the note is declared in the consolidated e-invoice of its "
            "own month.",
            move=self.display_name,
            doing=doing,
            number=document.code_number,
            state=document._l10n_my_einvoice_state_label(),
        )

    # --- buttons ---------------------------------------------------------------------------
    def _l10n_my_einvoice_waiting_for_consolidation(self):
        return self.filtered(
            lambda move: (
                move.l10n_my_einvoice_route == "consolidate"
                and move.l10n_my_einvoice_consolidated_state not in lifecycle.ACTIVE
            )
        )

    def action_l10n_my_einvoice_submit(self):
        waiting = self._l10n_my_einvoice_waiting_for_consolidation()
        declared = self.filtered(lambda move: move.l10n_my_einvoice_consolidated_state in lifecycle.ACTIVE)
        if waiting | declared and not self - waiting - declared:
            move = (waiting | declared)[0]
            if move in declared:
                raise UserError(
                    self.env._(
                        "%(move)s is declared in the consolidated e-invoice %(number)s; it is not sent on its own.",
                        move=move.display_name,
                        number=move.l10n_my_einvoice_consolidated_document_id.code_number,
                    )
                )
            raise UserError(
                self.env._(
                    "%(move)s waits for the consolidated e-invoice of its month (submitted by %(due)s): its buyer "
                    "did not ask for an e-invoice. To give the buyer an e-invoice of their own, click 'Issue an "
                    "individual e-invoice'.",
                    move=move.display_name,
                    due=move.l10n_my_einvoice_consolidation_due,
                )
            )
        # From a list: the consolidated ones are left to their month.
        return super(AccountMove, self - waiting - declared).action_l10n_my_einvoice_submit()

    def action_l10n_my_einvoice_issue_individual(self):
        """The buyer asks for an e-invoice of their own before the month is consolidated."""
        declared = self.filtered(lambda move: move.l10n_my_einvoice_consolidated_state in lifecycle.ACTIVE)
        if declared:
            raise UserError(
                self.env._(
                    "%(move)s is already declared in the consolidated e-invoice %(number)s. LHDN lets the seller "
                    "refuse an individual e-invoice after the month is consolidated; to issue one anyway, correct "
                    "the sale with a credit note and invoice it again to the buyer.",
                    move=declared[0].display_name,
                    number=declared[0].l10n_my_einvoice_consolidated_document_id.code_number,
                )
            )
        self.write(
            {
                "l10n_my_einvoice_individual": True,
                "l10n_my_einvoice_route": "individual",
                "l10n_my_einvoice_individual_reason": "requested",
            }
        )
        return self.action_l10n_my_einvoice_submit()
