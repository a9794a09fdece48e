"""Consolidate: the monthly consolidated e-invoice (reference §8), built by a daily cron
or by the accountant's *Consolidate now*.

For one company and one month:
1. lock the month (l10n_my_einvoice.consolidation): two runs never declare a sale twice;
2. collect the waiting receipts (consolidation_sources.py, extended by bridge modules);
3. plan the documents in the core (myinvois/consolidation.py): sales and the month's own
   refunds in consolidated invoices, one per currency, split to LHDN's 300 KB; refunds
   of sales declared in an earlier month in consolidated credit notes that reference it;
4. create the documents queued, each with its plan, and mark every source with the
   document that declares it; commit. From there the submission pipeline signs, sends,
   reconciles and polls them like any other e-invoice: a crash is reconciled, not resent.
"""

import datetime
import logging
from decimal import Decimal

import pytz
from psycopg2 import errors as pg_errors
from psycopg2.extensions import TransactionRollbackError

from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..myinvois import consolidation as core
from ..myinvois.document import BillingReference
from ..myinvois.lifecycle import ACTIVE
from . import einvoice_error_guide, mapping
from .account_move_route import month_start, next_month_start

# Source is re-exported: bridge modules build their receipts with it.
from .consolidation_sources import ConcurrentConsolidationError, Source  # noqa: F401
from .einvoice_time import MALAYSIA_TZ

_logger = logging.getLogger(__name__)
SUBMIT_CRON = "l10n_my_einvoice.ir_cron_submit"
MALAYSIA = pytz.timezone(MALAYSIA_TZ)
REMINDER_DAY = 5  # an activity when a closed month is still not declared on the 5th
INVOICE_TYPES = {False: ("01", "02"), True: ("11", "12")}  # (invoice, credit note) by self-billed


def month_end(month):
    return next_month_start(month) - datetime.timedelta(days=1)


def malaysia_today():
    return datetime.datetime.now(MALAYSIA).date()


class L10nMyEinvoicePipelineConsolidate(models.AbstractModel):
    _inherit = "l10n_my_einvoice.pipeline.consolidate"

    # --- the cron ----------------------------------------------------------------------
    @api.model
    def _cron(self, today=None):
        """Consolidate every closed month that waits, company by company: the previous
        month from the company's day (1 to 7), older months at once (late sales). One
        commit per month; a month that fails is logged on it and retried the next day."""
        today = today or malaysia_today()
        in_cron = bool(self.env.context.get("cron_id"))
        companies = self.env["res.company"].search([("l10n_my_einvoice_consolidate", "=", True)])
        # The route was decided at posting: sales still waiting are declared even if the
        # company has turned consolidation off since.
        waiting = self.env["account.move"]._read_group(
            [
                ("l10n_my_einvoice_route", "=", "consolidate"),
                ("l10n_my_einvoice_consolidated_document_id", "=", False),
                ("state", "=", "posted"),
            ],
            ["company_id"],
        )
        companies |= self.env["res.company"].union(*(company for (company,) in waiting))
        done = self.env["l10n_my_einvoice.document"]
        for company in companies:
            for month in self._months_due(company, today):
                try:
                    with self.env.cr.savepoint():
                        done |= self._consolidate(company, month)
                except UserError as error:
                    self._month_record(company, month)._message_log(body=str(error))
                if in_cron:
                    self.env["ir.cron"]._commit_progress(1)
            self._remind(company, today)
        return done

    @api.model
    def _months_due(self, company, today):
        previous = month_start(month_start(today) - datetime.timedelta(days=1))
        self.env["account.move"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT date_trunc('month', move.invoice_date)::date FROM account_move move
                 WHERE move.id IN (%s)""",
                self._waiting_moves_sql(company, datetime.date(2000, 1, 1), previous - datetime.timedelta(days=1)),
            )
        )
        months = sorted(row[0] for row in self.env.cr.fetchall())
        if today.day >= company.l10n_my_einvoice_consolidation_day:
            months.append(previous)
        return months

    @api.model
    def _remind(self, company, today):
        """On the 5th and later, an activity when the previous month still waits."""
        if today.day < REMINDER_DAY:
            return
        previous = month_start(month_start(today) - datetime.timedelta(days=1))
        record = self.env["l10n_my_einvoice.consolidation"].search(
            [("company_id", "=", company.id), ("month", "=", previous)]
        )
        waiting = len(self._collect(company, previous, month_end(previous)))
        individual = self._needs_individual(company, previous, month_end(previous))
        if not waiting and not individual and record.status in ("valid", "sending", False):
            return
        record = record or self._month_record(company, previous)
        summary = self.env._("MyInvois: consolidated e-invoice of %(month)s not done", month=record.name)
        if record.activity_ids.filtered(lambda activity: activity.summary == summary):
            return
        user = self.env.ref("base.user_admin", raise_if_not_found=False) or self.env.user
        record.activity_schedule(
            "mail.mail_activity_data_todo",
            date_deadline=record.deadline,
            summary=summary,
            note=self.env._(
                "%(count)s sale(s) of %(month)s are not declared to LHDN yet, or its consolidated e-invoice needs "
                "attention. LHDN's deadline is %(deadline)s: open the consolidation and fix what it says, then "
                "run Consolidate now.",
                count=waiting,
                month=record.name,
                deadline=record.deadline,
            )
            + (
                "\n"
                + self.env._(
                    "These sales may not be consolidated and have no e-invoice yet: submit them individually: "
                    "%(sales)s",
                    sales=", ".join(individual),
                )
                if individual
                else ""
            ),
            user_id=user.id,
        )

    @api.model
    def _needs_individual(self, company, date_from, date_to):
        """Names of the sales of the period that LHDN does not let be consolidated (above
        RM10,000, excluded activity...) and that have no e-invoice yet: nobody may think the
        month declares them. Bridge modules add theirs."""
        moves = self.env["account.move"].search(
            [
                ("company_id", "=", company.id),
                ("state", "=", "posted"),
                ("l10n_my_einvoice_individual_reason", "!=", False),
                ("invoice_date", ">=", date_from),
                ("invoice_date", "<=", date_to),
            ]
        )
        return moves.filtered(lambda move: move.l10n_my_einvoice_state not in ACTIVE).mapped("display_name")

    # --- one month ---------------------------------------------------------------------
    @api.model
    def _month_record(self, company, month):
        Consolidation = self.env["l10n_my_einvoice.consolidation"]
        record = Consolidation.search([("company_id", "=", company.id), ("month", "=", month)])
        if not record:
            try:
                with self.env.cr.savepoint():
                    record = Consolidation.create({"company_id": company.id, "month": month})
            except pg_errors.UniqueViolation:  # another run created it meanwhile
                record = Consolidation.search([("company_id", "=", company.id), ("month", "=", month)])
        return record

    @api.model
    def _lock_month(self, company, month):
        """The month's record, locked for this transaction; another run on it is refused."""
        record = self._month_record(company, month)
        record.flush_recordset()
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    "SELECT id FROM l10n_my_einvoice_consolidation WHERE id = %s FOR UPDATE NOWAIT",
                    [record.id],
                    log_exceptions=False,
                )
        except (pg_errors.LockNotAvailable, TransactionRollbackError):
            raise UserError(
                self.env._(
                    "%(month)s is being consolidated by another run right now; try again in a minute.",
                    month=record.name,
                )
            ) from None
        return record

    @api.model
    def _consolidate(self, company, month):
        """Declare the waiting sales of ``company`` in ``month``: the documents created
        (queued for the submission cron). Nothing waits: nothing is created."""
        month = month_start(month)
        if month >= month_start(malaysia_today()):
            raise UserError(self.env._("%(month)s is not over yet: only closed months are consolidated.", month=month))
        record = self._lock_month(company, month)
        sources = self._collect(company, month, month_end(month))
        if not sources:
            return self.env["l10n_my_einvoice.document"]
        record.run_count += 1
        planned = self._plan(company, record, sources)
        documents = self._create_documents(company, record, planned)
        record._message_log(
            body=self.env._(
                "Consolidation run %(run)s: %(receipts)s receipt(s) in %(documents)s document(s): %(numbers)s.",
                run=record.run_count,
                receipts=len(sources),
                documents=len(documents),
                numbers=", ".join(documents.mapped("code_number")),
            )
        )
        self.env.ref(SUBMIT_CRON)._trigger()
        return documents

    @api.model
    def _issuer(self, company):
        """The company as a core Party; its missing settings as one UserError."""
        company._l10n_my_einvoice_check_configuration()
        issues = []
        party = mapping.company_party(company, issues)
        if issues:
            raise UserError("\n".join(einvoice_error_guide.problem_messages(self.env, issues, [])))
        return party

    @api.model
    def _plan(self, company, record, sources):
        """[(core Plan, [Source])]: invoices of the month's sales (and its own refunds), then
        credit notes of refunds of sales declared earlier, one group per original."""
        issuer = self._issuer(company)
        per_receipt = company.l10n_my_einvoice_consolidation_lines == "receipt"
        stamp = f"{record.month:%Y%m}-{record.run_count:02d}"
        groups = {}
        for source in sources:
            groups.setdefault((source.self_billed, source.original or False), []).append(source)
        planned = []
        for index, ((self_billed, original), members) in enumerate(sorted(groups.items(), key=_group_order)):
            invoice_type, note_type = INVOICE_TYPES[self_billed]
            by_receipt = {id(source.receipt): source for source in members}
            try:
                plans = core.plan_documents(
                    [source.receipt for source in members],
                    issuer=issuer,
                    number_prefix=(f"CN{index}-{stamp}" if original else f"{'SB' if self_billed else 'CONS'}-{stamp}"),
                    type_code=note_type if original else invoice_type,
                    per_receipt=per_receipt,
                    billing_references=(BillingReference(uuid=original.uuid, number=original.code_number),)
                    if original
                    else (),
                )
            except ValueError as error:
                raise UserError(
                    self.env._("%(month)s cannot be consolidated: %(error)s", month=record.name, error=error)
                ) from None
            planned += [(plan, [by_receipt[id(receipt)] for receipt in plan.receipts]) for plan in plans]
        return planned

    @api.model
    def _create_documents(self, company, record, planned):
        currencies = {
            currency.name: currency
            for currency in self.env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "in", list({plan.currency for plan, _sources in planned}))])
        }
        documents = self.env["l10n_my_einvoice.document"].create(
            [
                {
                    "consolidated": True,
                    "consolidation_id": record.id,
                    "company_id": company.id,
                    "code_number": plan.number,
                    "type_code": plan.type_code,
                    "plan_json": plan.to_json(),
                    "receipt_count": len(plan.receipts),
                    "currency_id": currencies[plan.currency].id,
                    "amount_total": float(plan_total(plan)),
                    "state": "queued",
                }
                for plan, _sources in planned
            ]
        )
        try:
            self._mark_documents(
                [(document, sources) for document, (_plan, sources) in zip(documents, planned, strict=True)]
            )
        except ConcurrentConsolidationError:
            raise UserError(
                self.env._(
                    "Some sales of %(month)s were declared by another run meanwhile; run it again.", month=record.name
                )
            ) from None
        return documents

    # --- the wizard's preview ---------------------------------------------------------------
    @api.model
    def _preview(self, company, month):
        """What Consolidate now would declare: counts and totals per currency and tax type."""
        month = month_start(month)
        sources = self._collect(company, month, month_end(month))
        record = self.env["l10n_my_einvoice.consolidation"].new({"company_id": company.id, "month": month})
        record.run_count = 1
        planned = self._plan(company, record, sources) if sources else []
        taxes, totals = {}, {}
        for plan, _sources in planned:
            document = core.to_document(plan, issuer=self._issuer(company), issued_at=None)
            amounts = document.amounts()
            sign = Decimal(-1) if plan.type_code in ("02", "12") else Decimal(1)
            totals[plan.currency] = totals.get(plan.currency, Decimal(0)) + sign * amounts.payable
            for subtotal in amounts.tax_subtotals:
                key = (plan.currency, subtotal.type)
                taxable, amount = taxes.get(key, (Decimal(0), Decimal(0)))
                taxes[key] = (taxable + sign * subtotal.taxable_amount, amount + sign * subtotal.amount)
        return {
            "individual": self._needs_individual(company, month, month_end(month)),
            "receipts": len(sources),
            "lines": sum(len(core.consolidated_lines(plan.receipts, plan.per_receipt)) for plan, _s in planned),
            "documents": len(planned),
            "credit_notes": sum(1 for plan, _s in planned if plan.type_code in ("02", "12")),
            "taxes": taxes,
            "totals": totals,
        }


def _group_order(item):
    (self_billed, original), _members = item
    return (bool(original), self_billed, original.id if original else 0)


def plan_total(plan):
    """The plan's payable total in its currency (refunds count negative in an invoice)."""
    note = plan.type_code in ("02", "12")
    return sum(((r.total if note or not r.refund else -r.total) for r in plan.receipts), Decimal("0.00"))
