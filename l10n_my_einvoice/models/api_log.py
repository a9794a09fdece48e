import datetime
import json
import logging

from odoo import api, fields, models
from odoo.tools import SQL

from .api_state import autonomous_cursor

_logger = logging.getLogger(__name__)
MAX_BODY_CHARS = 64 * 1024  # a raw document answer can be 300 KB; the start says enough
DEFAULT_RETENTION_DAYS = 180
# Written on its own cursor without the ORM: the columns, in this order.
COLUMNS = (
    "company_id",
    "user_id",
    "endpoint",
    "method",
    "path",
    "query_string",
    "request_size",
    "document_numbers",
    "status",
    "outcome",
    "failure",
    "duration_ms",
    "correlation_id",
    "body",
)


class L10nMyEinvoiceApiLog(models.Model):
    """One HTTP exchange with MyInvois, as the client reported it: secrets are
    removed by the client before the record reaches Odoo (client._redact), and
    of the request only its method, path, query, size and document numbers are kept."""

    _name = "l10n_my_einvoice.api.log"
    _description = "MyInvois API call"
    _order = "id desc"
    _rec_name = "endpoint"

    company_id = fields.Many2one("res.company", readonly=True, index=True, ondelete="cascade")
    user_id = fields.Many2one("res.users", readonly=True, ondelete="set null")
    endpoint = fields.Char(readonly=True, required=True)
    method = fields.Char(readonly=True)
    path = fields.Char(readonly=True)
    query_string = fields.Char(string="Query", readonly=True)
    request_size = fields.Integer(string="Request size (bytes)", readonly=True, aggregator="sum")
    document_numbers = fields.Char(string="Document numbers", readonly=True)
    status = fields.Integer(string="HTTP status", readonly=True, aggregator=False)
    outcome = fields.Selection(
        [
            ("ok", "OK"),
            ("refused", "Refused (4xx)"),
            ("throttled", "Too many requests"),
            ("unavailable", "LHDN unavailable"),
        ],
        readonly=True,
        index=True,
    )
    failure = fields.Char(string="Connection failure", readonly=True)
    duration_ms = fields.Float(string="Duration (ms)", readonly=True, aggregator="avg")
    correlation_id = fields.Char(
        string="Correlation ID",
        readonly=True,
        help="LHDN's correlationId: quote it when asking LHDN support about this call.",
    )
    body = fields.Text(string="Response (secrets removed)", readonly=True)
    document_ids = fields.Many2many("l10n_my_einvoice.document", string="Documents", readonly=True)
    move_ids = fields.Many2many(
        "account.move", string="Invoices", compute="_compute_move_ids", search="_search_move_ids"
    )

    @api.depends("document_ids.move_id")
    def _compute_move_ids(self):
        for log in self:
            log.move_ids = log.document_ids.move_id

    def _search_move_ids(self, operator, value):
        return [("document_ids.move_id", operator, value)]

    @api.model
    def _record(self, company, documents, record):
        """Store one exchange reported by the client's ``on_response`` hook, committed
        on its own so that the caller's rollback (a failed button) keeps it."""
        status = record.get("status")
        outcome = (
            "unavailable"
            if status is None or status >= 500
            else "throttled"
            if status == 429
            else "refused"
            if status >= 400
            else "ok"
        )
        body = json.dumps(record.get("body"), ensure_ascii=False, indent=1) if record.get("body") else False
        if body and len(body) > MAX_BODY_CHARS:
            body = body[:MAX_BODY_CHARS] + "\n... (cut)"
        numbers = record.get("documents") or (documents.mapped("code_number") if documents else [])
        values = {
            "company_id": company.id,
            "user_id": self.env.uid,
            "endpoint": record.get("endpoint"),
            "method": record.get("method"),
            "path": record.get("path"),
            "query_string": record.get("query") or False,
            "request_size": record.get("request_size") or 0,
            "document_numbers": ", ".join(dict.fromkeys(filter(None, numbers)))[:2000] or False,
            "status": status,
            "outcome": outcome,
            "failure": record.get("failure"),
            "duration_ms": record.get("duration_ms"),
            "correlation_id": record.get("correlation_id"),
            "body": body,
        }
        document_ids = sorted(set(documents.ids)) if documents else []
        if self._insert_committed(values, document_ids):
            return True
        # sudo: the invoicing user who clicks may read the log but not write it
        self.sudo().create({**values, "document_ids": [fields.Command.set(document_ids)] if document_ids else False})
        return False

    def _insert_committed(self, values, document_ids):
        """Insert the entry on a cursor of its own, committed at once. Only when every
        row it refers to is committed and not locked by someone (this very transaction,
        typically): waiting for our own locks would never end, and rows this transaction
        created vanish with its rollback anyway. Returns False when it did not insert:
        the caller's transaction then holds the entry, as before."""
        relation = self._fields["document_ids"]
        try:
            with autonomous_cursor(self.env.registry) as cr:
                cr.execute(
                    SQL(
                        """
                        WITH visible AS (
                            SELECT (SELECT count(*) FROM (SELECT 1 FROM res_company WHERE id = %(company)s
                                                          FOR KEY SHARE SKIP LOCKED) c) = 1
                               AND (SELECT count(*) FROM (SELECT 1 FROM res_users WHERE id = %(user)s
                                                          FOR KEY SHARE SKIP LOCKED) u) = 1
                               AND (SELECT count(*) FROM (SELECT 1 FROM l10n_my_einvoice_document
                                                           WHERE id = ANY(%(documents)s)
                                                          FOR KEY SHARE SKIP LOCKED) d) = %(count)s AS ok
                        ), entry AS (
                            INSERT INTO l10n_my_einvoice_api_log (%(columns)s, create_uid, write_uid,
                                                                 create_date, write_date)
                            SELECT %(values)s, %(user)s, %(user)s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
                             WHERE (SELECT ok FROM visible)
                         RETURNING id
                        ), links AS (
                            INSERT INTO %(relation)s (%(column1)s, %(column2)s)
                            SELECT entry.id, document FROM entry, unnest(%(documents)s::int[]) document
                        )
                        SELECT id FROM entry""",
                        company=values["company_id"],
                        user=values["user_id"],
                        documents=document_ids,
                        count=len(document_ids),
                        columns=SQL(", ").join(SQL.identifier(name) for name in COLUMNS),
                        values=SQL(", ").join(SQL("%s", values[name]) for name in COLUMNS),
                        relation=SQL.identifier(relation.relation),
                        column1=SQL.identifier(relation.column1),
                        column2=SQL.identifier(relation.column2),
                    )
                )
                return bool(cr.fetchone())
        except Exception:  # noqa: BLE001 - the log must never break the call it records
            _logger.warning(
                "MyInvois: API log entry not committed on its own; kept with the transaction", exc_info=True
            )
            return False

    @api.autovacuum
    def _gc_old_calls(self):
        """Forget calls older than each company's retention (Settings, MyInvois)."""
        # 0 days: keep forever
        companies = self.env["res.company"].sudo().search([("l10n_my_einvoice_log_retention_days", ">", 0)])
        for days in set(companies.mapped("l10n_my_einvoice_log_retention_days")):
            cutoff = fields.Datetime.now() - datetime.timedelta(days=days)
            old = self.sudo().search(
                [
                    (
                        "company_id",
                        "in",
                        companies.filtered(lambda c: c.l10n_my_einvoice_log_retention_days == days).ids,
                    ),
                    ("create_date", "<", cutoff),
                ]
            )
            if old:
                _logger.info("MyInvois: removing %s API log entries older than %s days", len(old), days)
                old.unlink()


class ApiLogRecorder:
    """The client's ``on_response`` hook: each exchange becomes an API log entry,
    tied to the documents the call was about (set ``documents`` before a call)."""

    def __init__(self, company, documents=None):
        self.company = company
        self.documents = documents

    def __call__(self, record):
        # A login is about the credentials, not about the documents that needed it.
        documents = None if record.get("endpoint") == "token" else self.documents
        self.company.env["l10n_my_einvoice.api.log"]._record(self.company, documents, record)
