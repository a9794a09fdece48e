"""Where the receipts of a consolidation come from: the posted moves that wait for it
(and, through ``_collect``, any other source a bridge module adds, e.g. POS orders).

A month may hold 100,000 sales, so nothing here reads a move through the ORM: three
grouped queries give every move's totals, its tax per LHDN type (from the tax journal
items, as booked) and its taxable amount per type (from the base journal items), all in
the move currency. Signs follow the document: a sale and its refund are both positive
receipts, the refund marked as such.
"""

from collections import namedtuple
from decimal import Decimal

from odoo import api, models
from odoo.tools import SQL

from ..myinvois import consolidation as core

# model: source model; id: record id; receipt: core Receipt; original: for a refund of a
# sale declared in an earlier month's Valid consolidated e-invoice, that document (else
# False); self_billed: a self-billed purchase (consolidated as types 11/12, reference §8.3).
Source = namedtuple("Source", "model id receipt original self_billed", defaults=(False,))
REDECLARE_STATES = ("invalid", "cancelled")  # a sale whose consolidated e-invoice is one of these waits again
REFUND_TYPES = ("out_refund", "in_refund")
# The move's total excluding tax, each base item once (an item taxed with two types is in two groups).
UNTAXED = ("__untaxed__", "")


def _money(value):
    return core.money(Decimal(str(value or 0)))


class L10nMyEinvoicePipelineConsolidate(models.AbstractModel):
    """The consolidation room (its jobs: pipeline_consolidate.py); here, its sources."""

    _name = "l10n_my_einvoice.pipeline.consolidate"
    _description = "MyInvois: monthly consolidated e-invoices"

    @api.model
    def _collect(self, company, date_from, date_to):
        """[Source] of the sales of ``company`` dated ``date_from``..``date_to`` that wait for
        consolidation. Bridge modules extend it (super() + their own sources)."""
        return self._collect_moves(company, date_from, date_to)

    @api.model
    def _waiting_moves_sql(self, company, date_from, date_to):
        return SQL(
            """
            SELECT move.id FROM account_move move
              LEFT JOIN l10n_my_einvoice_document cons ON cons.id = move.l10n_my_einvoice_consolidated_document_id
             WHERE move.company_id = %(company)s AND move.state = 'posted'
               AND move.l10n_my_einvoice_route = 'consolidate'
               AND move.invoice_date BETWEEN %(date_from)s AND %(date_to)s
               AND (cons.id IS NULL OR cons.state IN %(redeclare)s)""",
            company=company.id,
            date_from=date_from,
            date_to=date_to,
            redeclare=REDECLARE_STATES,
        )

    @api.model
    def _collect_moves(self, company, date_from, date_to):
        self.env["account.move"].flush_model()
        self.env["account.move.line"].flush_model()
        self.env["l10n_my_einvoice.document"].flush_model(["state"])
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                SELECT move.id, move.name, move.journal_id, move.sequence_prefix, move.sequence_number,
                       move.invoice_date, currency.name, move.move_type, move.amount_total_signed,
                       origin.name, origin.invoice_date, origin_doc.id, origin_doc.state
                  FROM account_move move
                  JOIN res_currency currency ON currency.id = move.currency_id
                  LEFT JOIN account_move origin ON origin.id = move.reversed_entry_id
                  LEFT JOIN l10n_my_einvoice_document origin_doc
                         ON origin_doc.id = origin.l10n_my_einvoice_consolidated_document_id
                 WHERE move.id IN (%s)
                 ORDER BY move.id""",
                self._waiting_moves_sql(company, date_from, date_to),
            )
        )
        moves = cr.fetchall()
        if not moves:
            return []
        ids = [row[0] for row in moves]
        taxes, bases, rounding = self._move_amounts(ids)
        Document = self.env["l10n_my_einvoice.document"]
        sources = []
        for (
            move_id,
            name,
            journal_id,
            prefix,
            number,
            date,
            currency,
            move_type,
            total_signed,
            origin_name,
            origin_date,
            origin_doc,
            origin_state,
        ) in moves:
            refund = move_type in REFUND_TYPES
            original = False
            if refund and origin_date and origin_date < date_from:
                if origin_state != "valid":
                    continue  # its sale is not declared yet: the refund waits for it
                original = Document.browse(origin_doc)
            move_bases = dict(bases.get(move_id, {}))
            untaxed = move_bases.pop(UNTAXED, (Decimal("0.00"), set()))[0]
            receipt_taxes = []
            for (tax_type, reason), (taxable, percents) in sorted(move_bases.items()):
                amount, tax_percents = taxes.get(move_id, {}).get((tax_type, reason), (Decimal(0), set()))
                rates = percents | tax_percents
                receipt_taxes.append(
                    core.ReceiptTax(
                        type=tax_type,
                        taxable=_money(taxable),
                        amount=_money(amount),
                        exemption_reason=reason,
                        percent=next(iter(rates)) if len(rates) == 1 and None not in rates else None,
                    )
                )
            for key, (amount, _percents) in taxes.get(move_id, {}).items():
                if key not in move_bases:  # a tax without a base line (rare: a manual tax line)
                    receipt_taxes.append(core.ReceiptTax(type=key[0], taxable=Decimal("0.00"), amount=_money(amount)))
            sources.append(
                Source(
                    "account.move",
                    move_id,
                    core.Receipt(
                        number=name,
                        series=f"{journal_id}:{prefix}",
                        sequence=number or 0,
                        date=date,
                        currency=currency,
                        untaxed=untaxed,
                        taxes=tuple(receipt_taxes),
                        rounding=_money(rounding.get(move_id, 0)),
                        total_myr=_money(abs(total_signed)) if currency != "MYR" else None,
                        refund=refund,
                        refund_of=origin_name or "",
                    ),
                    original,
                    move_type.startswith("in_"),
                )
            )
        return sources

    @api.model
    def _move_amounts(self, ids):
        """({move: {(type, reason): (tax, {percent})}}, {move: {(type, reason): (taxable, {percent})}},
        {move: cash rounding}), in the document's sign, from three grouped queries."""
        cr = self.env.cr
        # Journal items in the move currency -> the receipt's (positive) amounts: -1 for sales
        # and self-billed refunds (credits), +1 for customer refunds and self-billed bills.
        sign = SQL("CASE move.move_type WHEN 'out_invoice' THEN -1 WHEN 'in_refund' THEN -1 ELSE 1 END")
        tax_type = SQL("COALESCE(NULLIF(tax.l10n_my_tax_type, ''), '06')")
        reason = SQL(
            "CASE WHEN tax.l10n_my_tax_type = 'E' THEN COALESCE(tax.l10n_my_tax_exemption_reason, '') ELSE '' END"
        )
        percent = SQL("CASE WHEN tax.amount_type = 'percent' THEN tax.amount END")
        cr.execute(
            SQL(
                """
                SELECT line.move_id, %(type)s, %(reason)s, ARRAY_AGG(DISTINCT %(percent)s),
                       SUM(%(sign)s * line.amount_currency)
                  FROM account_move_line line
                  JOIN account_move move ON move.id = line.move_id
                  JOIN account_tax tax ON tax.id = line.tax_line_id
                 WHERE line.move_id = ANY(%(ids)s) AND line.display_type = 'tax'
                 GROUP BY 1, 2, 3""",
                type=tax_type,
                reason=reason,
                percent=percent,
                sign=sign,
                ids=ids,
            )
        )
        taxes = {}
        for move_id, key_type, key_reason, percents, amount in cr.fetchall():
            taxes.setdefault(move_id, {})[(key_type, key_reason)] = (_money(amount), self._percents(percents))
        # Each base item once per LHDN type it is taxed with; an item without tax is type 06.
        cr.execute(
            SQL(
                """
                SELECT item.move_id, item.type, item.reason, ARRAY_AGG(DISTINCT item.percent), SUM(item.amount)
                  FROM (SELECT DISTINCT ON (line.id, %(type)s, %(reason)s)
                               line.id, line.move_id, %(type)s AS type, %(reason)s AS reason,
                               %(percent)s AS percent, %(sign)s * line.amount_currency AS amount
                          FROM account_move_line line
                          JOIN account_move move ON move.id = line.move_id
                          LEFT JOIN account_move_line_account_tax_rel rel ON rel.account_move_line_id = line.id
                          LEFT JOIN account_tax tax ON tax.id = rel.account_tax_id
                         WHERE line.move_id = ANY(%(ids)s) AND line.display_type IN ('product', 'epd')
                       ) item
                 GROUP BY 1, 2, 3
                UNION ALL
                SELECT line.move_id, '__untaxed__', '', ARRAY[NULL::numeric], SUM(%(sign)s * line.amount_currency)
                  FROM account_move_line line
                  JOIN account_move move ON move.id = line.move_id
                 WHERE line.move_id = ANY(%(ids)s) AND line.display_type IN ('product', 'epd')
                 GROUP BY 1""",
                type=tax_type,
                reason=reason,
                percent=percent,
                sign=sign,
                ids=ids,
            )
        )
        bases = {}
        for move_id, key_type, key_reason, percents, amount in cr.fetchall():
            bases.setdefault(move_id, {})[(key_type, key_reason)] = (_money(amount), self._percents(percents))
        cr.execute(
            SQL(
                """
                SELECT line.move_id, SUM(%(sign)s * line.amount_currency)
                  FROM account_move_line line
                  JOIN account_move move ON move.id = line.move_id
                 WHERE line.move_id = ANY(%(ids)s) AND line.display_type = 'rounding'
                 GROUP BY 1""",
                sign=sign,
                ids=ids,
            )
        )
        return taxes, bases, dict(cr.fetchall())

    @staticmethod
    def _percents(values):
        return {None if value is None else Decimal(str(value)).normalize() for value in values or [None]}

    @api.model
    def _mark(self, document, sources):
        """Record that ``document`` declares ``sources``, one UPDATE per source model. A row
        taken meanwhile by another run (or already declared) aborts the whole run."""
        by_model = {}
        for source in sources:
            by_model.setdefault(source.model, []).append(source.id)
        for model, ids in by_model.items():
            records = self.env[model]
            records.flush_model(["l10n_my_einvoice_consolidated_document_id"])
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE %(table)s SET l10n_my_einvoice_consolidated_document_id = %(document)s
                     WHERE id = ANY(%(ids)s)
                       AND (l10n_my_einvoice_consolidated_document_id IS NULL
                            OR l10n_my_einvoice_consolidated_document_id IN (
                                SELECT id FROM l10n_my_einvoice_document WHERE state IN %(redeclare)s))""",
                    table=SQL.identifier(records._table),
                    document=document.id,
                    ids=ids,
                    redeclare=REDECLARE_STATES,
                )
            )
            if self.env.cr.rowcount != len(ids):
                raise ConcurrentConsolidationError()
            records.browse(ids).invalidate_recordset(["l10n_my_einvoice_consolidated_document_id"])
        document.invalidate_recordset()


class ConcurrentConsolidationError(Exception):
    """Another run declared some of the same sales meanwhile: this run is rolled back."""
