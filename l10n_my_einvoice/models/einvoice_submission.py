import datetime

from odoo import fields, models


class L10nMyEinvoiceSubmission(models.Model):
    """One API submission to LHDN (up to 100 documents). Sent by pipeline_submit.py,
    asked for its verdict by pipeline_poll.py."""

    _name = "l10n_my_einvoice.submission"
    _description = "MyInvois submission"
    _order = "id desc"
    _rec_name = "uid"

    uid = fields.Char(string="Submission UID", readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    document_ids = fields.One2many("l10n_my_einvoice.document", "submission_id", readonly=True)
    state = fields.Selection(
        [("in_progress", "In progress"), ("done", "Done")],
        string="Status",
        default="in_progress",
        readonly=True,
        index=True,
    )
    submitted_at = fields.Datetime(readonly=True)
    checked_at = fields.Datetime(string="Last checked", readonly=True)


def lhdn_datetime(value):
    """LHDN's UTC timestamps ('2026-07-20T03:15:00Z', sometimes with fractions) as naive UTC."""
    if not value:
        return False
    parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed.astimezone(datetime.timezone.utc).replace(tzinfo=None, microsecond=0)
