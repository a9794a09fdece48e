"""Where the receipts of a consolidation come from: the posted moves that wait for it
(and, through ``_collect``, any other source a bridge module adds, e.g. POS orders).

A month may hold 100,000 sales, so nothing here reads a move through the ORM: one query
gives the waiting moves, one grouped query over their journal items (read once) every
move's tax per LHDN type (from the tax journal items, as booked), its taxable amount per
type (from the base journal items), its total excluding tax and its cash rounding, all in
the move currency; one UPDATE marks them all. Signs follow the document: a sale and its
refund are both positive receipts, the refund marked as such.
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
ZERO = Decimal("0.00")


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
        no_tax = (ZERO, frozenset())
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
            # Amounts of _move_amounts are already rounded to the cent (core.money).
            move_bases = bases.get(move_id, {})
            move_taxes = taxes.get(move_id, {})
            untaxed = move_bases.get(UNTAXED, no_tax)[0]
            receipt_taxes = []
            for (tax_type, reason), (taxable, percents) in sorted(move_bases.items()):
                if tax_type == UNTAXED[0] and reason == UNTAXED[1]:
                    continue
                amount, tax_percents = move_taxes.get((tax_type, reason), no_tax)
                rates = percents | tax_percents
                receipt_taxes.append(
                    core.ReceiptTax(
                        type=tax_type,
                        taxable=taxable,
                        amount=amount,
                        exemption_reason=reason,
                        percent=next(iter(rates)) if len(rates) == 1 and None not in rates else None,
                    )
                )
            for key, (amount, _percents) in move_taxes.items():
                if key not in move_bases:  # a tax without a base line (rare: a manual tax line)
                    receipt_taxes.append(core.ReceiptTax(type=key[0], taxable=ZERO, amount=amount))
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
                        rounding=rounding.get(move_id, ZERO),
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
        {move: cash rounding}), in the document's sign, from one grouped query: the journal
        items are read once, then grouped four ways. Amounts come rounded to the cent as
        text (ROUND, half away from zero, as core.money), never through floats."""
        cr = self.env.cr
        tax_type = SQL("COALESCE(NULLIF(tax.l10n_my_tax_type, ''), '06')")
        reason = SQL(
            "CASE WHEN tax.l10n_my_tax_type = 'E' THEN COALESCE(tax.l10n_my_tax_exemption_reason, '') ELSE '' END"
        )
        percent = SQL("CASE WHEN tax.amount_type = 'percent' THEN tax.amount END")
        cr.execute(
            SQL(
                """
                WITH item AS MATERIALIZED (
                    -- Journal items in the move currency -> the receipt's (positive) amounts: -1 for
                    -- sales and self-billed refunds (credits), +1 for customer refunds and self-billed bills.
                    SELECT line.id, line.move_id, line.display_type, line.tax_line_id,
                           CASE move.move_type WHEN 'out_invoice' THEN -1 WHEN 'in_refund' THEN -1 ELSE 1 END
                           * line.amount_currency AS amount
                      FROM account_move_line line
                      JOIN account_move move ON move.id = line.move_id
                     WHERE line.move_id = ANY(%(ids)s)
                       AND line.display_type IN ('tax', 'product', 'epd', 'rounding')
                )
                -- 0: the tax per LHDN type, from the tax journal items, as booked
                SELECT 0, item.move_id, %(type)s, %(reason)s, ARRAY_AGG(DISTINCT %(percent)s),
                       ROUND(SUM(item.amount), 2)::text
                  FROM item JOIN account_tax tax ON tax.id = item.tax_line_id
                 WHERE item.display_type = 'tax'
                 GROUP BY 2, 3, 4
                UNION ALL
                -- 1: each base item once per LHDN type it is taxed with; an item without tax is type 06
                SELECT 1, base.move_id, base.type, base.reason, ARRAY_AGG(DISTINCT base.percent),
                       ROUND(SUM(base.amount), 2)::text
                  FROM (SELECT DISTINCT ON (item.id, %(type)s, %(reason)s)
                               item.id, item.move_id, %(type)s AS type, %(reason)s AS reason,
                               %(percent)s AS percent, item.amount
                          FROM item
                          LEFT JOIN account_move_line_account_tax_rel rel ON rel.account_move_line_id = item.id
                          LEFT JOIN account_tax tax ON tax.id = rel.account_tax_id
                         WHERE item.display_type IN ('product', 'epd')
                       ) base
                 GROUP BY 2, 3, 4
                UNION ALL
                -- 2: the total excluding tax, each base item once
                SELECT 2, item.move_id, %(untaxed_type)s, %(untaxed_reason)s, NULL, ROUND(SUM(item.amount), 2)::text
                  FROM item WHERE item.display_type IN ('product', 'epd')
                 GROUP BY 2
                UNION ALL
                -- 3: the cash rounding
                SELECT 3, item.move_id, '', '', NULL, ROUND(SUM(item.amount), 2)::text
                  FROM item WHERE item.display_type = 'rounding'
                 GROUP BY 2""",
                type=tax_type,
                reason=reason,
                percent=percent,
                untaxed_type=UNTAXED[0],
                untaxed_reason=UNTAXED[1],
                ids=ids,
            )
        )
        taxes, bases, rounding = {}, {}, {}
        percents_of = {}  # the few distinct rate arrays, normalised once
        for kind, move_id, key_type, key_reason, rates, amount in cr.fetchall():
            if kind == 3:
                rounding[move_id] = Decimal(amount)
                continue
            rates = tuple(rates or ())
            percents = percents_of.get(rates)
            if percents is None:
                percents = percents_of[rates] = frozenset(self._percents(rates))
            (taxes if kind == 0 else bases).setdefault(move_id, {})[(key_type, key_reason)] = (
                Decimal(amount),
                percents,
            )
        return taxes, bases, rounding

    @staticmethod
    def _percents(values):
        return {None if value is None else Decimal(str(value)).normalize() for value in values or [None]}

    @api.model
    def _mark(self, document, sources):
        """Record that ``document`` declares ``sources`` (see _mark_documents)."""
        self._mark_documents([(document, sources)])

    @api.model
    def _mark_documents(self, marks):
        """Record, for each (document, sources) of ``marks``, that the document declares its
        sources: one UPDATE per source model for all the documents. A row taken meanwhile by
        another run (or already declared) aborts the whole run."""
        by_model = {}
        for document, sources in marks:
            for source in sources:
                ids, document_ids = by_model.setdefault(source.model, ([], []))
                ids.append(source.id)
                document_ids.append(document.id)
        for model, (ids, document_ids) in by_model.items():
            records = self.env[model]
            records.flush_model(["l10n_my_einvoice_consolidated_document_id"])
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE %(table)s target SET l10n_my_einvoice_consolidated_document_id = mark.document
                      FROM unnest(%(ids)s::int[], %(documents)s::int[]) AS mark(id, document)
                     WHERE target.id = mark.id
                       AND (target.l10n_my_einvoice_consolidated_document_id IS NULL
                            OR target.l10n_my_einvoice_consolidated_document_id IN (
                                SELECT id FROM l10n_my_einvoice_document WHERE state IN %(redeclare)s))""",
                    table=SQL.identifier(records._table),
                    ids=ids,
                    documents=document_ids,
                    redeclare=REDECLARE_STATES,
                )
            )
            if self.env.cr.rowcount != len(ids):
                raise ConcurrentConsolidationError()
            records.browse(ids).invalidate_recordset(["l10n_my_einvoice_consolidated_document_id"])
        self.env["l10n_my_einvoice.document"].browse(
            [document.id for document, _sources in marks]
        ).invalidate_recordset()


class ConcurrentConsolidationError(Exception):
    """Another run declared some of the same sales meanwhile: this run is rolled back."""
