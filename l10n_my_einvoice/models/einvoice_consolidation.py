"""One company's consolidation of one month: its consolidated e-invoices (and credit
notes), its log and the accountant's reminders. Made by pipeline_consolidate.py; the
documents themselves go through the same submission pipeline as every e-invoice."""

from babel.dates import format_date

from odoo import api, fields, models

from ..myinvois import lifecycle
from .account_move_route import consolidation_deadline


class L10nMyEinvoiceConsolidation(models.Model):
    _name = "l10n_my_einvoice.consolidation"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _description = "MyInvois monthly consolidation"
    _order = "month desc, id desc"

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    month = fields.Date(required=True, readonly=True, help="First day of the consolidated month.")
    deadline = fields.Date(compute="_compute_deadline", store=True, help="LHDN's deadline: 7 days after the month.")
    run_count = fields.Integer(string="Runs", readonly=True, help="Consolidation runs of this month so far.")
    document_ids = fields.One2many("l10n_my_einvoice.document", "consolidation_id", string="Documents", readonly=True)
    document_count = fields.Integer(string="Active documents", compute="_compute_status")
    receipt_count = fields.Integer(string="Receipts", compute="_compute_status")
    status = fields.Selection(
        [
            ("empty", "Nothing consolidated yet"),
            ("sending", "On its way to LHDN"),
            ("valid", "Valid"),
            ("problem", "Needs attention"),
        ],
        compute="_compute_status",
    )

    _one_per_month = models.UniqueIndex("(company_id, month)", "A month is consolidated once per company.")

    @api.depends("month", "company_id")
    def _compute_name(self):
        for record in self:
            month = format_date(record.month, "MMMM yyyy", locale="en") if record.month else ""
            record.name = f"{month} - {record.company_id.name or ''}"

    @api.depends("month")
    def _compute_deadline(self):
        for record in self:
            record.deadline = consolidation_deadline(record.month) if record.month else False

    @api.depends("document_ids.state", "document_ids.receipt_count")
    def _compute_status(self):
        for record in self:
            documents = record.document_ids
            current = documents.filtered(lambda d: d.state in lifecycle.ACTIVE)
            # An Invalid document still declaring sales: they wait for the next run.
            stranded = documents.filtered(lambda d: d.state == "invalid" and d.consolidated_move_ids)
            record.document_count = len(current)
            record.receipt_count = sum(current.mapped("receipt_count"))
            if not documents:
                record.status = "empty"
            elif current.filtered(lambda d: d.state in (lifecycle.QUEUED, lifecycle.SENDING, lifecycle.SUBMITTED)):
                record.status = "sending"
            elif stranded or not current:
                record.status = "problem"
            else:
                record.status = "valid"

    def action_view_documents(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("l10n_my_einvoice.action_documents")
        action["domain"] = [("consolidation_id", "=", self.id)]
        action["context"] = {}
        return action
