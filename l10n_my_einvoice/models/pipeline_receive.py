"""Fetching the e-invoices suppliers issued to the company, and keeping their status.

The cron lists what LHDN received for each company (Get Recent Documents, direction
Received, paged, inside the shared rate limits and outage pauses), keeps each new UUID
once with its signed document, applies a cancellation or rejection LHDN holds to the
ones it has, then makes the bills still to be made. A document the company issued
itself (a self-billed one listed back) is not kept: it is in the company's own
e-invoices. The listing reaches back to the previous read and at least as far as a
document can still change (72 hours after validation), so a supplier's cancellation
is always seen.
"""

import datetime

from psycopg2 import IntegrityError

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..myinvois import received, received_bill, ubl
from .api_state import run_unless_paused
from .einvoice_submission import lhdn_datetime

FETCH_CRON = "l10n_my_einvoice.ir_cron_fetch_received"
# New documents read per company and run: Get Document allows 60 a minute, so a first
# fetch of a busy month is spread over runs that each end well inside the cron's time limit.
FETCH_BATCH = 200


def _utc(naive):
    return naive.replace(tzinfo=datetime.UTC) if naive else None


def _amount(value):
    try:
        return float(value or 0.0)
    except (TypeError, ValueError):
        return 0.0


class L10nMyEinvoiceReceivedFetch(models.Model):
    _inherit = "l10n_my_einvoice.received"

    @api.model
    def _fetch_companies(self):
        companies = self.env["res.company"].sudo().search([("l10n_my_einvoice_fetch_received", "=", True)])
        return companies.filtered(
            lambda c: c.account_fiscal_country_id.code == "MY" and c.l10n_my_einvoice_client_id and c.vat
        )

    @api.model
    def _cron_l10n_my_einvoice_fetch_received(self):
        self._fetch_and_make_bills(self._fetch_companies(), [])

    @api.model
    def _fetch_and_make_bills(self, companies, bill_domain):
        """Fetch for ``companies`` and make the bills still to be made (``bill_domain``), as
        the system does it; returns the names of the companies LHDN did not answer for."""
        unreachable = [
            company.name for company in companies if not self.sudo().with_company(company)._fetch_for(company)
        ]
        pending = self.sudo().search([("bill_state", "=", "pending"), *bill_domain], order="validated_at, id")
        for done, document in enumerate(pending, start=1):
            document.with_company(document.company_id)._l10n_my_einvoice_make_bill()
            if self.env.context.get("cron_id"):
                self.env["ir.cron"]._commit_progress(1, remaining=len(pending) - done)
        return unreachable

    def _fetch_for(self, company):
        """List, keep and update the received documents of ``company``; True when LHDN answered."""
        now = fields.Datetime.now()
        since, until = received.listing_window(_utc(company.l10n_my_einvoice_received_read_at), _utc(now))

        def fetch():
            client = company._l10n_my_einvoice_client()
            items = [
                item
                for item in received.iter_received(client, since, until)
                if not received.issued_by(item, company.vat) and received.status_of(item)
            ]
            listed = [item["uuid"] for item in items]
            known = {
                document.uuid: document
                for document in self.search([("company_id", "=", company.id), ("uuid", "in", listed)])
            }
            kept = 0
            for item in reversed(items):  # oldest first: an original before its note
                document = known.get(item["uuid"])
                if document:
                    document._apply_lhdn(item)
                    continue
                if kept == FETCH_BATCH:  # the rest next run, soon: the window is read again
                    self.env.ref(FETCH_CRON)._trigger()
                    return
                known[item["uuid"]] = self._keep(company, client, item)
                kept += 1
                if self.env.context.get("cron_id"):  # what is kept stays kept, whatever comes next
                    self.env["ir.cron"]._commit_progress(1)
            company.l10n_my_einvoice_received_read_at = now

        return run_unless_paused(company, fetch, "received e-invoices", FETCH_CRON)

    def _keep(self, company, client, item):
        """A record of the new document ``item`` with its signed file (one Get Document)."""
        raw = client.get_document(item["uuid"])
        raw = raw if isinstance(raw, dict) else {}
        content = raw.get("document")
        data = content.encode("utf-8") if isinstance(content, str) else b""
        values = {
            "company_id": company.id,
            "uuid": item["uuid"],
            "long_id": item.get("longId") or raw.get("longId") or False,
            "submission_uid": item.get("submissionUID") or item.get("submissionUid") or False,
            "internal_id": item.get("internalId") or False,
            "supplier_tin": item.get("supplierTin") or item.get("issuerTin") or False,
            "supplier_name": item.get("supplierName") or item.get("issuerName") or False,
            "issued_at": lhdn_datetime(item.get("dateTimeIssued")),
            "received_at": lhdn_datetime(item.get("dateTimeReceived")),
            "validated_at": lhdn_datetime(item.get("dateTimeValidated")),
            "amount_untaxed": _amount(item.get("totalSales")) - _amount(item.get("totalDiscount")),
            "amount_total": _amount(item.get("total")),
        }
        values["amount_tax"] = values["amount_total"] - _amount(item.get("netAmount"))
        try:
            with self.env.cr.savepoint():
                document = self.create(values)
        except IntegrityError:  # kept meanwhile by another fetch (the button while the cron runs)
            return self.search([("company_id", "=", company.id), ("uuid", "=", item["uuid"])])
        if data:
            # Told by its content: Odoo may store an XML attachment of a non-admin as text/plain.
            document_format = "json" if data.lstrip()[:1] in (b"{", b"[") else "xml"
            attachment = self.env["ir.attachment"].create(
                {
                    "name": f"{item.get('internalId') or item['uuid']}.{document_format}",
                    "raw": data,
                    "mimetype": f"application/{document_format}",
                    "res_model": self._name,
                    "res_id": document.id,
                }
            )
            document.write({"attachment_id": attachment.id, "document_format": document_format})
        document._read_document()
        status = received.status_of(item)
        if status != received.VALID:
            document._apply_lhdn(item)
        return document

    def _read_document(self):
        """Type, totals and currency from the signed document itself (the listing's totals
        are kept when it cannot be read; the bill then says why)."""
        for document in self:
            if not document.attachment_id or document.document_format != "xml":
                continue
            try:
                doc = ubl.from_xml(document.attachment_id.raw)
            except ValueError:
                continue
            untaxed, tax, billed, payable = received_bill.totals(doc)
            currency = (
                self.env["res.currency"].with_context(active_test=False).search([("name", "=", doc.currency)], limit=1)
            )
            document.write(
                {
                    "type_code": doc.type_code if doc.type_code in dict(self._fields["type_code"].selection) else False,
                    "currency_code": doc.currency,
                    "currency_id": currency.id or False,
                    "amount_untaxed": float(untaxed),
                    "amount_tax": float(tax),
                    "amount_total": float(payable),
                    "amount_billed": float(billed),
                }
            )

    # --- buttons --------------------------------------------------------------------------
    @api.model
    def action_fetch_now(self):
        """Fetch for the user's companies now, then make their bills."""
        companies = self._fetch_companies() & self.env.companies
        if not companies:
            raise UserError(
                self.env._(
                    "No company of yours fetches received e-invoices: set the MyInvois credentials and tick "
                    "'Fetch received e-invoices' in Settings > Invoicing > MyInvois (LHDN)."
                )
            )
        self.env["account.move"].check_access("create")  # the bills are made for the user
        unreachable = self._fetch_and_make_bills(companies, [("company_id", "in", companies.ids)])
        message = self.env._("Received e-invoices are up to date.")
        if unreachable:
            message = self.env._(
                "LHDN could not be reached for %(companies)s; the scheduled fetch tries again.",
                companies=", ".join(unreachable),
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning" if unreachable else "success",
                "message": message,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_refresh(self):
        """Read this document's status at LHDN now (Get Document Details)."""
        for company in self.company_id:
            documents = self.filtered(lambda d, company=company: d.company_id == company)

            def read(company=company, documents=documents):
                client = company._l10n_my_einvoice_client().with_options(timeout=(3, 10), max_retries=0)
                for document in documents:
                    document._apply_lhdn(client.get_document_details(document.uuid))

            if not run_unless_paused(company, read, "received e-invoice status", FETCH_CRON):
                raise UserError(
                    self.env._("LHDN cannot be reached now; try again in a few minutes (nothing was changed).")
                )
        return True
