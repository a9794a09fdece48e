import base64
import datetime
import hashlib
import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..myinvois import lifecycle, qr, ubl, validation
from . import einvoice_error_guide, mapping

_logger = logging.getLogger(__name__)
ACTIVE_STATES = tuple(lifecycle.ACTIVE)


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


class AccountMove(models.Model):
    _inherit = "account.move"

    l10n_my_einvoice_document_ids = fields.One2many(
        "l10n_my_einvoice.document", "move_id", string="MyInvois documents", readonly=True
    )
    l10n_my_einvoice_document_id = fields.Many2one(
        "l10n_my_einvoice.document",
        string="MyInvois document",
        compute="_compute_l10n_my_einvoice_document_id",
        store=True,
        index="btree_not_null",
    )
    l10n_my_einvoice_state = fields.Selection(
        related="l10n_my_einvoice_document_id.state", string="MyInvois", store=True
    )
    l10n_my_einvoice_uuid = fields.Char(related="l10n_my_einvoice_document_id.uuid", string="MyInvois UUID")
    l10n_my_einvoice_validation_link = fields.Char(
        related="l10n_my_einvoice_document_id.validation_link", string="Validation link"
    )
    l10n_my_einvoice_validated_at = fields.Datetime(
        related="l10n_my_einvoice_document_id.validated_at", string="Validated at"
    )
    l10n_my_einvoice_errors = fields.Text(related="l10n_my_einvoice_document_id.error_text", string="LHDN errors")
    l10n_my_einvoice_error_html = fields.Html(
        related="l10n_my_einvoice_document_id.error_html", string="LHDN errors, explained"
    )
    l10n_my_einvoice_waiting_until = fields.Datetime(
        string="Waiting for LHDN until",
        compute="_compute_l10n_my_einvoice_waiting",
        help="LHDN is unavailable or asked us to slow down: the document waits, nothing failed.",
    )
    l10n_my_einvoice_waiting_reason = fields.Char(compute="_compute_l10n_my_einvoice_waiting")
    l10n_my_einvoice_api_log_count = fields.Integer(
        compute="_compute_l10n_my_einvoice_api_log_count",
        groups="account.group_account_readonly,account.group_account_invoice",
    )
    l10n_my_einvoice_note_type = fields.Selection(
        [("auto", "From the payments"), ("credit", "Credit note (02/12)"), ("refund", "Refund note (04/14)")],
        string="MyInvois note type",
        default="auto",
        copy=False,
        help="A credit note is sent as a refund note when the money is paid back (the note is reconciled with "
        "a payment); choose explicitly to override.",
    )

    # Recurring services: LHDN's optional billing period (reference §5.3).
    l10n_my_einvoice_period_start = fields.Date(
        string="Billing period start", copy=False, help="Sent to MyInvois as the billing period."
    )
    l10n_my_einvoice_period_end = fields.Date(string="Billing period end", copy=False)
    l10n_my_einvoice_frequency = fields.Selection(
        # The keys are LHDN's own words, sent as they are.
        [
            ("Daily", "Daily"),
            ("Weekly", "Weekly"),
            ("Biweekly", "Biweekly"),
            ("Monthly", "Monthly"),
            ("Bimonthly", "Bimonthly"),
            ("Quarterly", "Quarterly"),
            ("Half-yearly", "Half-yearly"),
            ("Yearly", "Yearly"),
            ("Others / Not Applicable", "Others / Not Applicable"),
        ],
        string="Billing frequency",
    )

    @api.constrains("l10n_my_einvoice_period_start", "l10n_my_einvoice_period_end")
    def _check_l10n_my_einvoice_period(self):
        for move in self:
            start, end = move.l10n_my_einvoice_period_start, move.l10n_my_einvoice_period_end
            if start and end and start > end:
                raise ValidationError(
                    _("%(move)s, field 'Billing period end': the period ends before it starts.", move=move.display_name)
                )

    @api.depends("l10n_my_einvoice_document_ids")
    def _compute_l10n_my_einvoice_document_id(self):
        for move in self:
            # the newest version; not [:1], the cache does not re-sort after a create
            documents = move.l10n_my_einvoice_document_ids
            move.l10n_my_einvoice_document_id = max(documents, key=lambda d: d.id) if documents else False

    def _compute_l10n_my_einvoice_waiting(self):
        pauses = {}
        for move in self:
            paused = None
            if move.l10n_my_einvoice_state in ("queued", "sending", "submitted"):
                company = move.company_id
                if company not in pauses:
                    try:
                        pauses[company] = company._l10n_my_einvoice_paused()
                    except UserError:  # settings incomplete: nothing is paused
                        pauses[company] = None
                paused = pauses[company]
            move.l10n_my_einvoice_waiting_until = paused[0] if paused else False
            move.l10n_my_einvoice_waiting_reason = paused[1] if paused else False

    def _compute_l10n_my_einvoice_api_log_count(self):
        # Shown on the form only: one count per displayed move.
        for move in self:
            move.l10n_my_einvoice_api_log_count = (
                self.env["l10n_my_einvoice.api.log"].search_count([("document_ids.move_id", "=", move.id)])
                if move.l10n_my_einvoice_document_ids
                else 0
            )

    def action_l10n_my_einvoice_api_log(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("l10n_my_einvoice.action_api_log")
        action["domain"] = [("document_ids.move_id", "=", self.id)]
        action["context"] = {}
        return action

    # --- what is sent ------------------------------------------------------------------
    def _l10n_my_einvoice_is_refund(self):
        """Money paid back: the note is reconciled with a payment (or the user says so)."""
        self.ensure_one()
        if self.l10n_my_einvoice_note_type != "auto":
            return self.l10n_my_einvoice_note_type == "refund"
        return self.payment_state in ("paid", "in_payment") and bool(self._get_reconciled_payments())

    def _l10n_my_einvoice_applicable(self):
        return self.filtered(
            lambda m: (
                m.state == "posted"
                and m.is_invoice(include_receipts=False)
                and not m.l10n_my_einvoice_received_id  # the supplier's e-invoice: LHDN has it already
                and m.company_id.account_fiscal_country_id.code == "MY"
                and (
                    m.move_type in ("out_invoice", "out_refund")
                    or m.partner_id.commercial_partner_id.l10n_my_einvoice_self_billed
                )
            )
        )

    def _l10n_my_einvoice_build(self, now):
        """(core Document, [problem message]) of the move issued at ``now``."""
        self.ensure_one()
        document, issues = mapping.move_to_document(self, now)
        # The core's "required" for what the mapping already named in Odoo's words is noise.
        core_issues = [
            issue
            for issue in validation.validate(document, now=now)
            if not (issues and issue.rule == "required" and issue.path.rsplit(".", 1)[-1] in mapping.NAMED_BY_MAPPING)
        ]
        line_ids = [line.id for line in document.lines]
        return document, einvoice_error_guide.problem_messages(self.env, issues, core_issues, self, line_ids)

    def _l10n_my_einvoice_prefetch(self):
        """Read, for all moves at once, the many2many values Odoo's base lines need
        (taxes and tax tags of every journal item); otherwise each move reads its own."""
        lines = self.line_ids
        lines.mapped("tax_ids")
        lines.mapped("tax_tag_ids")
        lines.mapped("matched_debit_ids")  # the payments of paid moves (payment mode)
        lines.mapped("matched_credit_ids")

    def _l10n_my_einvoice_problems(self, now):
        """{move: [message]} for every move that cannot be sent as it is."""
        builds = self._l10n_my_einvoice_builds(now)
        return {move: messages for move, (_document, messages) in builds.items() if messages}

    def _l10n_my_einvoice_builds(self, now):
        """{move: (core Document, [problem message])}, every move built once."""
        self._l10n_my_einvoice_prefetch()
        return {move: move._l10n_my_einvoice_build(now) for move in self}

    def _l10n_my_einvoice_fingerprint(self):
        """A digest of when each record the document is read from, besides the move
        itself, was last written (its journal items, partners, company, products, taxes,
        units), and of a note's original as it stands (its UUID once Valid): the build
        stored at queue time is signed only while it is unchanged."""
        self.ensure_one()
        lines = self.line_ids
        partners = self.partner_id | self.partner_shipping_id | self.company_id.partner_id
        sources = (
            lines,
            partners | partners.commercial_partner_id,
            self.company_id,
            lines.product_id,
            lines.product_id.product_tmpl_id,
            lines.tax_ids,
            lines.product_uom_id,
        )
        # mapped() reads each field once per recordset, not once per record (the cron
        # computes this for every document it signs).
        stamps = sorted(
            f"{records._name},{record_id},{written}"
            for records in sources
            for record_id, written in zip(records.ids, records.mapped("write_date"), strict=True)
        )
        # A note's original may become Valid (its UUID known) after the note was queued.
        stamps += [f"original,{ref.uuid},{ref.number}" for ref in mapping.original_reference(self)]
        return hashlib.sha256("|".join(stamps).encode()).hexdigest()

    def _l10n_my_einvoice_build_is_current(self, record):
        """True while the build stored on ``record`` (the move's queued document) can be
        signed as it is: nothing it was read from changed since it was queued."""
        self.ensure_one()
        return bool(
            record.build_xml
            and self.write_date <= record.create_date
            and record.build_fingerprint == self._l10n_my_einvoice_fingerprint()
        )

    @staticmethod
    def _l10n_my_einvoice_stored_build(record, now):
        """The unsigned UBL bytes stored on ``record``, issued at ``now``; None when they
        are not what the queueing stored (the move is then built again)."""
        try:
            return ubl.restamp(record.build_xml.encode("utf-8"), now)
        except ValueError:
            return None

    # --- buttons -------------------------------------------------------------------------
    def action_l10n_my_einvoice_submit(self):
        """Queue the moves for the submission cron, after showing every problem at once."""
        moves = self._l10n_my_einvoice_applicable()
        not_applicable = self - moves
        if not_applicable:
            raise UserError(
                _(
                    "These cannot be sent to MyInvois (posted customer invoices and credit/debit notes, "
                    "or bills of self-billed suppliers, of a Malaysian company): %s",
                    ", ".join(not_applicable.mapped("display_name")),
                )
            )
        moves = moves.filtered(lambda m: m.l10n_my_einvoice_state not in ACTIVE_STATES)
        if not moves:
            raise UserError(_("Already sent to MyInvois (or on its way)."))
        for company in moves.company_id:
            company._l10n_my_einvoice_check_configuration()
        builds = moves._l10n_my_einvoice_builds(utc_now())
        problems = {move: messages for move, (_document, messages) in builds.items() if messages}
        if problems:
            raise UserError(
                _(
                    "Fix these before sending to MyInvois:\n\n%s",
                    "\n\n".join(
                        f"{move.display_name}:\n" + "\n".join(f"- {message}" for message in messages)
                        for move, messages in problems.items()
                    ),
                )
            )
        # Pending state changes first: the database allows one active document per move.
        self.env["l10n_my_einvoice.document"].flush_model(["state"])
        self.env["l10n_my_einvoice.document"].create(
            [
                {
                    "move_id": move.id,
                    "code_number": move.name,
                    "state": "queued",
                    # Signing takes this build instead of building the move again.
                    "build_xml": ubl.unsigned_bytes(builds[move][0]).decode("utf-8"),
                    "build_fingerprint": move._l10n_my_einvoice_fingerprint(),
                    "type_code": builds[move][0].type_code,
                }
                for move in moves
            ]
        )
        self.env.ref("l10n_my_einvoice.ir_cron_submit")._trigger()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "title": _("Sent to the MyInvois queue"),
                "message": _(
                    "%s document(s) will be submitted to LHDN in a moment; the result appears on each invoice.",
                    len(moves),
                ),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_l10n_my_einvoice_refresh(self):
        """Ask LHDN once, briefly, for the verdict (models/pipeline_poll.py)."""
        return self.env["l10n_my_einvoice.pipeline.poll"]._refresh(self)

    def action_l10n_my_einvoice_download_xml(self):
        self.ensure_one()
        return self.l10n_my_einvoice_document_id.action_download_xml()

    # --- PDF --------------------------------------------------------------------------------
    def _l10n_my_einvoice_responsible(self):
        """Who answers for this move at LHDN: its salesperson or buyer, else the administrator
        (OdooBot, who posts what the crons make, answers nobody)."""
        self.ensure_one()
        user = self.invoice_user_id
        if not user or user == self.env.ref("base.user_root"):
            user = self.env.ref("base.user_admin", raise_if_not_found=False) or self.env.user
        return user

    def _l10n_my_einvoice_qr_base64(self):
        self.ensure_one()
        link = self.l10n_my_einvoice_validation_link
        return base64.b64encode(qr.qr_png(link)).decode() if link else False

    # --- scheduled actions ------------------------------------------------------------------
    # Entry points kept for callers of account.move; the jobs live in models/pipeline_*.py.
    @api.model
    def _cron_l10n_my_einvoice_submit(self, batch_limit=1000):
        return self.env["l10n_my_einvoice.pipeline.submit"]._cron(batch_limit)

    @api.model
    def _l10n_my_einvoice_reconcile_sending(self, in_cron=False, min_age=datetime.timedelta(minutes=2)):
        return self.env["l10n_my_einvoice.pipeline.reconcile"]._reconcile_sending(in_cron, min_age)

    @api.model
    def _cron_l10n_my_einvoice_poll(self):
        return self.env["l10n_my_einvoice.pipeline.poll"]._cron()
