"""POS orders as sources of the monthly consolidated e-invoice (reference §8).

A POS order that was not invoiced is a receipt to a buyer who did not ask for an
e-invoice (one who asks is invoiced in the POS: the invoice is then the sale, declared
individually or consolidated by the main addon as any other move). Such receipts are
declared once a month in the consolidated e-invoice: one line per continuous range of
receipt numbers, every refund a line of its own.

A month can hold 100,000 orders, so the month is read in two queries whatever its size:
the orders (with, for a refund, the order it refunds), and their line amounts summed per
order and per set of taxes. The tax engine is asked once per distinct set of taxes and
fiscal position, never per order, and no order is read through the ORM.
"""

import datetime
import logging
import re
from collections import defaultdict
from decimal import Decimal

import pytz

from odoo import api, models
from odoo.tools import SQL

# The main addon's rules, not copies: RM10,000.00 (SG §3.7), what waits again, Malaysia time.
from odoo.addons.l10n_my_einvoice.models.account_move_route import CONSOLIDATION_LIMIT_MYR, month_start
from odoo.addons.l10n_my_einvoice.models.consolidation_sources import REDECLARE_STATES
from odoo.addons.l10n_my_einvoice.models.pipeline_consolidate import MALAYSIA, Source
from odoo.addons.l10n_my_einvoice.myinvois.consolidation import Receipt, ReceiptTax
from odoo.addons.l10n_my_einvoice.myinvois.document import money

_logger = logging.getLogger(__name__)
NOT_APPLICABLE = "06"
EXEMPT = "E"
ZERO = Decimal("0.00")
# The number on Odoo 19's printed receipt (pos_reference): "<2-digit year><device>-<pos.config
# id>-<number>", the number counted per device (the browser a cashier works in). Its prefix
# is the series, its number the sequence: consecutive receipts of one till form one line.
RECEIPT_NUMBER = re.compile(r"(?P<series>.+)-(?P<sequence>[0-9]+)")  # whole string (fullmatch), ASCII digits


def _decimal(value):
    """A float or numeric from the database as the Decimal it stands for, in sen."""
    return money(Decimal(str(value or 0)))


def _percent(tax):
    return Decimal(str(tax.amount)).normalize() if tax.amount_type == "percent" else None


def utc_bounds(date_from, date_to):
    """date_from 00:00 and the day after date_to 00:00, Malaysia time, as the naive UTC
    datetimes Odoo stores (pos.order.date_order)."""

    def utc(day):
        return MALAYSIA.localize(datetime.datetime.combine(day, datetime.time.min)).astimezone(pytz.utc)

    return utc(date_from).replace(tzinfo=None), utc(date_to + datetime.timedelta(days=1)).replace(tzinfo=None)


def malaysia_date(utc_naive):
    return pytz.utc.localize(utc_naive).astimezone(MALAYSIA).date()


class L10nMyEinvoicePipelineConsolidate(models.AbstractModel):
    _inherit = "l10n_my_einvoice.pipeline.consolidate"

    @api.model
    def _collect(self, company, date_from, date_to):
        return super()._collect(company, date_from, date_to) + self._collect_pos_orders(company, date_from, date_to)

    @api.model
    def _months_due(self, company, today):
        """The main addon finds late months by their waiting moves; a month whose only
        late sales are POS orders is due as well."""
        months = super()._months_due(company, today)
        if not self._pos_consolidates(company):
            return months
        previous = month_start(month_start(today) - datetime.timedelta(days=1))
        self.env["pos.order"].flush_model()
        self.env["l10n_my_einvoice.document"].flush_model(["state"])
        # An order above the limit is never consolidated: it would make its month due forever.
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT date_trunc('month', o.date_order AT TIME ZONE 'UTC' AT TIME ZONE %s)::date %s
                   AND ABS(o.amount_total) / COALESCE(NULLIF(o.currency_rate, 0), 1) <= %s""",
                MALAYSIA.zone,
                self._waiting_pos_orders_sql(company, None, utc_bounds(previous, previous)[0]),
                CONSOLIDATION_LIMIT_MYR,
            )
        )
        return sorted(set(months) | {row[0] for row in self.env.cr.fetchall()})

    @api.model
    def _needs_individual(self, company, date_from, date_to):
        """The POS orders above RM10,000 of the period that were not invoiced: LHDN wants an
        individual e-invoice (invoice them from the POS order)."""
        names = super()._needs_individual(company, date_from, date_to)
        if not self._pos_consolidates(company):
            return names
        start, end = utc_bounds(date_from, date_to)
        self.env["pos.order"].flush_model()
        self.env.cr.execute(
            SQL(
                """SELECT COALESCE(NULLIF(o.pos_reference, ''), o.name)
                   FROM pos_order o
                  WHERE o.company_id = %(company)s AND o.state IN ('paid', 'done') AND o.account_move IS NULL
                    AND o.date_order >= %(start)s AND o.date_order < %(end)s
                    AND ABS(o.amount_total / COALESCE(NULLIF(o.currency_rate, 0), 1)) > %(limit)s
                  ORDER BY o.id""",
                company=company.id,
                start=start,
                end=end,
                limit=CONSOLIDATION_LIMIT_MYR,
            )
        )
        return names + [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _pos_consolidates(self, company):
        """As for a move (the main addon's route of a move): a company that does not consolidate,
        or whose activity LHDN excludes, invoices every sale individually."""
        return company.l10n_my_einvoice_consolidate and not company.l10n_my_einvoice_excluded_activity

    @api.model
    def _waiting_pos_orders_sql(self, company, start, end):
        """FROM ... WHERE of the orders of ``company`` (alias o) that wait for consolidation:
        paid, not invoiced, dated ``start`` (UTC, inclusive; None: any) to ``end`` (exclusive),
        declared in no document or in one that LHDN refused or cancelled."""
        return SQL(
            """
              FROM pos_order o
         LEFT JOIN l10n_my_einvoice_document cons ON cons.id = o.l10n_my_einvoice_consolidated_document_id
             WHERE o.company_id = %(company)s
               AND o.state IN ('paid', 'done')
               AND o.account_move IS NULL
               AND (%(start)s::timestamp IS NULL OR o.date_order >= %(start)s) AND o.date_order < %(end)s
               AND (cons.id IS NULL OR cons.state IN %(redeclare)s)""",
            company=company.id,
            start=start,
            end=end,
            redeclare=REDECLARE_STATES,
        )

    @api.model
    def _collect_pos_orders(self, company, date_from, date_to):
        """[Source] of the POS orders of ``company`` dated date_from..date_to (Malaysia time)
        that wait for consolidation (see _waiting_pos_orders_sql)."""
        if not self._pos_consolidates(company):
            return []
        for model in ("pos.order", "pos.order.line", "l10n_my_einvoice.document"):
            self.env[model].flush_model()
        start, end = utc_bounds(date_from, date_to)
        self.env.cr.execute(
            SQL(
                """
                SELECT o.id, o.pos_reference, o.name, o.sequence_number, o.config_id, o.date_order,
                       o.amount_total, o.amount_tax, o.fiscal_position_id, o.currency_rate, currency.name,
                       refunded.reference, refunded.date_order, refunded.invoiced, refunded.document_id,
                       refunded.document_state
                  FROM pos_order o
                  JOIN pos_config config ON config.id = o.config_id
                  JOIN res_currency currency ON currency.id = config.currency_id
             LEFT JOIN LATERAL (
                       -- Odoo's refunded_order_id: the order of the first refunded line
                       SELECT COALESCE(NULLIF(ro.pos_reference, ''), ro.name) AS reference, ro.date_order,
                              ro.account_move IS NOT NULL AS invoiced, rd.id AS document_id, rd.state AS document_state
                         FROM pos_order_line line
                         JOIN pos_order_line sold ON sold.id = line.refunded_orderline_id
                         JOIN pos_order ro ON ro.id = sold.order_id
                    LEFT JOIN l10n_my_einvoice_document rd ON rd.id = ro.l10n_my_einvoice_consolidated_document_id
                        WHERE line.order_id = o.id
                     ORDER BY ro.id
                        LIMIT 1
                       ) refunded ON TRUE
                 WHERE o.id IN (SELECT o.id %s)
              ORDER BY o.id""",
                self._waiting_pos_orders_sql(company, start, end),
            )
        )
        orders = self.env.cr.fetchall()
        if not orders:
            return []
        untaxed_by_order, taxes_by_order = self._pos_amounts(orders)
        Document = self.env["l10n_my_einvoice.document"]
        sources, over_limit = [], 0
        for row in orders:
            (order_id, reference, name, sequence_number, config_id, date_order, amount_total, amount_tax) = row[:8]
            (currency_rate, currency, refunded_reference, refunded_date, refunded_invoiced) = row[9:14]
            (refunded_document, refunded_state) = row[14:16]
            refund = amount_total < 0
            sign = -1 if refund else 1
            total, tax_total = _decimal(sign * amount_total), _decimal(sign * amount_tax)
            total_myr = _decimal(sign * amount_total / currency_rate) if currency != "MYR" and currency_rate else None
            if (total if total_myr is None else total_myr) > CONSOLIDATION_LIMIT_MYR:
                over_limit += 1  # LHDN: an individual e-invoice (the order is to be invoiced)
                continue
            original = False
            if refund and refunded_date and not refunded_invoiced and malaysia_date(refunded_date) < date_from:
                if refunded_state != "valid":
                    continue  # its sale is not declared yet: the refund waits for it
                original = Document.browse(refunded_document)
            untaxed = sign * untaxed_by_order.get(order_id, ZERO)
            taxes = self._pos_receipt_taxes(taxes_by_order.get(order_id, {}), sign, untaxed, tax_total)
            match = RECEIPT_NUMBER.fullmatch(reference or "")
            receipt = Receipt(
                number=reference or name,
                series=f"pos:{match['series']}" if match else f"pos.config:{config_id}",
                sequence=int(match["sequence"]) if match else sequence_number or 0,
                date=malaysia_date(date_order),
                currency=currency,
                untaxed=untaxed,
                taxes=taxes,
                # What the lines and their taxes leave of the order's total: its cash rounding
                # (Odoo's "add a rounding line" strategy), else 0.00.
                rounding=total - untaxed - tax_total,
                total_myr=total_myr,
                refund=refund,
                refund_of=(refunded_reference or "") if refund else "",
            )
            sources.append(Source("pos.order", order_id, receipt, original))
        if over_limit:
            _logger.warning(
                "MyInvois: %s POS order(s) of %s above RM%s are not consolidated: invoice them.",
                over_limit,
                company.name,
                CONSOLIDATION_LIMIT_MYR,
            )
        return sources

    @api.model
    def _pos_amounts(self, orders):
        """({order: untaxed}, {order: {(LHDN type, exemption reason): [taxable, tax, {percent}]}}),
        signed as the order lines are, from one grouped query over every order's lines."""
        field = self.env["pos.order.line"]._fields["tax_ids"]
        self.env.cr.execute(
            SQL(
                """
                SELECT line.order_id, taxes.ids, SUM(line.price_subtotal), SUM(line.price_subtotal_incl)
                  FROM pos_order_line line
             LEFT JOIN LATERAL (
                       SELECT ARRAY_AGG(rel.%(tax)s ORDER BY rel.%(tax)s) AS ids
                         FROM %(relation)s rel
                        WHERE rel.%(line)s = line.id
                       ) taxes ON TRUE
                 WHERE line.order_id = ANY(%(orders)s)
              GROUP BY line.order_id, taxes.ids""",
                relation=SQL.identifier(field.relation),
                line=SQL.identifier(field.column1),
                tax=SQL.identifier(field.column2),
                orders=[row[0] for row in orders],
            )
        )
        fiscal_positions = {row[0]: row[8] for row in orders}
        shares, untaxed = {}, defaultdict(Decimal)
        amounts = defaultdict(lambda: defaultdict(lambda: [ZERO, ZERO, set()]))
        for order_id, tax_ids, excluded, included in self.env.cr.fetchall():
            combination = (fiscal_positions[order_id], tuple(tax_ids or ()))
            if combination not in shares:
                shares[combination] = self._pos_tax_shares(*combination)
            excluded, included = _decimal(excluded), _decimal(included)
            untaxed[order_id] += excluded
            for key, percents, tax_share, base_share in shares[combination]:
                totals = amounts[order_id][key]
                totals[0] += money(excluded * base_share)
                totals[1] += money((included - excluded) * tax_share)
                totals[2] |= percents
        return untaxed, amounts

    @api.model
    def _pos_tax_shares(self, fiscal_position_id, tax_ids):
        """How a line's amounts under ``tax_ids`` split between LHDN tax types: [((type,
        reason), {percent}, share of the line's tax, share of its base taxable)]. The taxes
        are mapped by the order's fiscal position, as Odoo's POS taxes the line."""
        taxes = self.env["account.tax"].browse(tax_ids)
        if fiscal_position_id:
            taxes = self.env["account.fiscal.position"].browse(fiscal_position_id).map_tax(taxes)
        taxes = taxes.flatten_taxes_hierarchy()
        keys, percents = {}, defaultdict(set)
        for tax in taxes:
            tax_type = tax.l10n_my_tax_type or NOT_APPLICABLE
            keys[tax.id] = (tax_type, (tax.l10n_my_tax_exemption_reason or "") if tax_type == EXEMPT else "")
            percents[keys[tax.id]].add(_percent(tax))
        if len(set(keys.values())) <= 1:
            key = next(iter(keys.values()), (NOT_APPLICABLE, ""))
            return [(key, percents[key] or {None}, Decimal(1), Decimal(1))]
        # Taxes of several LHDN types on one line: split as the tax engine does on 100.00.
        result = taxes.compute_all(100.0, handle_price_include=False)
        amounts, bases = defaultdict(Decimal), {}
        for tax in result["taxes"]:
            amounts[keys[tax["id"]]] += Decimal(str(tax["amount"]))
            bases.setdefault(keys[tax["id"]], Decimal(str(tax["base"])) / 100)
        total = sum(amounts.values())
        ordered = sorted(amounts, key=lambda key: (amounts[key], key))
        return [
            (key, percents[key], amounts[key] / total if total else Decimal(key == ordered[-1]), bases[key])
            for key in ordered
        ]

    @api.model
    def _pos_receipt_taxes(self, amounts, sign, untaxed, tax_total):
        """The order's ReceiptTax tuple, one per (type, exemption reason), positive for a
        refund too. They add up to the order's own tax: a sen the split moved goes to the
        biggest tax."""
        taxes = [
            [key, sign * taxable, sign * amount, percents]
            for key, (taxable, amount, percents) in sorted(amounts.items())
        ] or [[(NOT_APPLICABLE, ""), untaxed, ZERO, {None}]]
        delta = tax_total - sum(tax[2] for tax in taxes)
        if delta:
            max(taxes, key=lambda tax: abs(tax[2]))[2] += delta
        return tuple(
            ReceiptTax(
                type=tax_type,
                taxable=taxable,
                amount=amount,
                exemption_reason=reason,
                percent=next(iter(percents)) if len(percents) == 1 else None,
            )
            for (tax_type, reason), taxable, amount, percents in taxes
        )
