import json
import logging

from lxml import etree
from psycopg2.extensions import TransactionRollbackError

from odoo import api, fields, models

from ..myinvois import error_guide, lifecycle
from . import einvoice_error_guide

_logger = logging.getLogger(__name__)

# Labels of the core's states (myinvois/lifecycle.py holds what may happen in each).
STATE_LABELS = {
    lifecycle.QUEUED: "Queued",
    lifecycle.SENDING: "Sending",
    lifecycle.SUBMITTED: "Submitted",
    lifecycle.VALID: "Valid",
    lifecycle.REJECTION_REQUESTED: "Rejection requested",
    lifecycle.CANCELLING: "Cancellation pending",
    lifecycle.INVALID: "Invalid",
    lifecycle.CANCELLED: "Cancelled",
}
STATES = [(state, STATE_LABELS[state]) for state in lifecycle.STATES]
ACTIVE_SQL = ", ".join(f"'{state}'" for state in sorted(lifecycle.ACTIVE))


class L10nMyEinvoiceDocument(models.Model):
    """One version of one move as sent to MyInvois. An Invalid document stays as
    history; the corrected move is sent as a new version."""

    _name = "l10n_my_einvoice.document"
    _description = "MyInvois document"
    _order = "id desc"
    _rec_name = "code_number"

    # A consolidated e-invoice (models/consolidation.py) has no move of its own: it
    # declares many (consolidated_move_ids) and is rebuilt from its stored plan.
    move_id = fields.Many2one("account.move", readonly=True, index=True, ondelete="restrict")
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    consolidated = fields.Boolean(readonly=True, help="A monthly consolidated e-invoice of receipts.")
    consolidation_id = fields.Many2one(
        "l10n_my_einvoice.consolidation", readonly=True, index="btree_not_null", ondelete="restrict"
    )
    consolidated_move_ids = fields.One2many(
        "account.move", "l10n_my_einvoice_consolidated_document_id", string="Declared invoices", readonly=True
    )
    plan_json = fields.Text(readonly=True, help="The receipts this consolidated e-invoice declares (core Plan).")
    build_xml = fields.Text(
        readonly=True,
        help="The unsigned UBL document as built and checked when the move was queued; signed as it is "
        "(issued when signed) unless the move or what it reads from changed since.",
    )
    build_fingerprint = fields.Char(readonly=True, help="What the stored build was read from, as it was then.")
    receipt_count = fields.Integer(string="Receipts", readonly=True)
    amount_total = fields.Monetary(string="Total", readonly=True, currency_field="currency_id")
    currency_id = fields.Many2one("res.currency", readonly=True)
    state = fields.Selection(STATES, string="Status", default="queued", required=True, readonly=True, index=True)
    type_code = fields.Char(string="e-Invoice type", readonly=True)
    code_number = fields.Char(string="Number", readonly=True, help="The move's number, sent as cbc:ID.")
    uuid = fields.Char(string="UUID", readonly=True, index="btree_not_null", copy=False)
    long_id = fields.Char(string="Long ID", readonly=True, copy=False)
    submission_id = fields.Many2one("l10n_my_einvoice.submission", readonly=True, index="btree_not_null")
    document_hash = fields.Char(readonly=True, help="SHA-256 of the exact bytes sent.")
    issued_at = fields.Datetime(string="Issued at", readonly=True)
    validated_at = fields.Datetime(readonly=True)
    attachment_id = fields.Many2one("ir.attachment", string="Signed XML", readonly=True)
    error_json = fields.Text(readonly=True)
    error_text = fields.Text(string="LHDN errors", readonly=True)
    error_html = fields.Html(
        string="LHDN errors, explained",
        compute="_compute_error_html",
        sanitize=False,  # built from escaped parts (einvoice_error_guide.errors_html)
        help="Each error on the record and field to fix, with LHDN's text and code and how to fix it.",
    )
    validation_link = fields.Char(compute="_compute_validation_link")

    # A move has at most one document on its way or Valid: two clicks, two workers or
    # a retry can never put the same invoice in front of LHDN twice.
    _one_active_per_move = models.UniqueIndex(
        f"(move_id) WHERE state IN ({ACTIVE_SQL})",
        "This invoice is already queued, being sent, submitted or Valid in MyInvois.",
    )

    _move_or_consolidated = models.Constraint(
        "CHECK (move_id IS NOT NULL OR consolidated)",
        "A MyInvois document declares an invoice, or is a consolidated e-invoice.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        moves = self.env["account.move"].browse([vals["move_id"] for vals in vals_list if vals.get("move_id")])
        companies = {move.id: move.company_id.id for move in moves}
        for vals in vals_list:
            if not vals.get("company_id") and vals.get("move_id"):
                vals["company_id"] = companies[vals["move_id"]]
        return super().create(vals_list)

    @api.model
    def _lock_queued(self, limit):
        """Queued documents this worker takes: rows locked, skipping those another
        worker holds, so two cron runs never take the same document.

        Odoo's transactions are REPEATABLE READ: a row that another worker took and
        committed after this transaction's snapshot cannot be locked here
        (SerializationFailure). As Odoo's cron does for its own jobs, that means
        "taken by another worker": this run takes nothing and the cron is woken
        again, to go on from a fresh snapshot."""
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    """
                    SELECT id FROM l10n_my_einvoice_document
                     WHERE state = 'queued'
                     ORDER BY id
                     LIMIT %s
                       FOR UPDATE SKIP LOCKED""",
                    [limit],
                    log_exceptions=False,
                )
                ids = [row[0] for row in self.env.cr.fetchall()]
        except TransactionRollbackError:
            _logger.debug("MyInvois: queued documents taken by another worker meanwhile; submit cron re-triggered")
            self.env.ref("l10n_my_einvoice.ir_cron_submit")._trigger()
            return self.browse()
        return self.browse(ids)

    def _transition(self, event, values=None, log=True):
        """The one place a document changes state: ``event`` (a lifecycle event) on every
        document of ``self``, with ``values`` written alongside; one write per resulting
        state. An event the lifecycle does not allow raises TransitionError (a bug, not
        a user error). Outcomes get their chatter line."""
        groups = {}
        for document in self:
            groups.setdefault(lifecycle.next_state(document.state, event), []).append(document.id)
        for state, ids in groups.items():
            extra = {"cancelled_at": fields.Datetime.now()} if state == lifecycle.CANCELLED else {}
            self.browse(ids).write({**extra, **(values or {}), "state": state})
        if log:
            self._post_state_message()
        return self

    def _l10n_my_einvoice_state_label(self):
        """The state as the user reads it (translated)."""
        self.ensure_one()
        return dict(self._fields["state"]._description_selection(self.env)).get(self.state)

    @api.depends("uuid", "long_id", "state")
    def _compute_validation_link(self):
        for document in self:
            document.validation_link = (
                document.company_id._l10n_my_einvoice_validation_link(document.uuid, document.long_id)
                if document.state in lifecycle.AT_LHDN_VALID
                else False
            )

    def _set_errors(self, errors):
        """LHDN's error objects, kept raw (json) and as lines an accountant can read:
        flattened as the error guide reads them (error_guide.explain), one line each."""
        lines = [
            "  " * item.depth
            + " ".join(
                filter(None, [f"[{item.code}]" if item.code else "", item.text, f"({item.path})" if item.path else ""])
            )
            for item in error_guide.explain(errors)
            if item.text
        ]
        self.write({"error_json": json.dumps(errors, ensure_ascii=False), "error_text": "\n".join(lines) or False})

    @api.depends("error_json", "attachment_id", "build_xml")
    @api.depends_context("lang")
    def _compute_error_html(self):
        for document in self:
            errors = json.loads(document.error_json) if document.error_json else None
            document.error_html = (
                einvoice_error_guide.errors_html(self.env, document.move_id, errors, document._line_ids())
                if errors
                else False
            )

    def _line_ids(self):
        """The cbc:ID of each line as sent (the journal item's id), from the signed file or
        the stored build; None when neither can be read."""
        raw = self.attachment_id.raw or (self.build_xml or "").encode()
        if not raw:
            return None
        try:
            root = etree.fromstring(raw, parser=etree.XMLParser(resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError:
            return None
        return [
            line.findtext("{*}ID")
            for line in root
            if isinstance(line.tag, str) and etree.QName(line).localname == "InvoiceLine"
        ]

    def action_download_xml(self):
        self.ensure_one()
        if not self.attachment_id:
            return False
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self.attachment_id.id}?download=true",
            "target": "download",
        }

    def _post_state_message(self):
        """One chatter line per outcome, on the move (never a secret); one INSERT for
        the whole batch. 'Submitted' is not an outcome: the MyInvois tab shows it, and
        a line per document per state costs month-end runs a third of their time."""
        bodies = {}
        for document in self:
            # Only the body of the document's own state (most transitions post none).
            if document.state == "valid":
                body = self.env._(
                    "MyInvois: %(number)s is Valid. UUID %(uuid)s.", number=document.code_number, uuid=document.uuid
                )
            elif document.state == "invalid":
                body = self.env._(
                    "MyInvois: %(number)s is Invalid: %(errors)s",
                    number=document.code_number,
                    errors=document.error_text or "-",
                )
            elif document.state == "cancelled":
                body = self.env._(
                    "MyInvois: %(number)s cancelled at LHDN (%(reason)s).",
                    number=document.code_number,
                    reason=document.cancel_reason or "-",
                )
            else:
                continue
            if document.move_id:
                bodies[document.move_id.id] = body
            else:  # a consolidated e-invoice: its month's consolidation keeps the log
                document.consolidation_id._message_log(body=body)
        if bodies:
            self.env["account.move"].browse(bodies)._message_log_batch(bodies=bodies)
