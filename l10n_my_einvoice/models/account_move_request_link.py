"""The way to the buyer's request page printed on a sale waiting for consolidation: a
short link to type and a QR code that opens the page with the receipt number and date
already filled (the buyer still gives the total: the page reveals nothing without all
three). Shown on the invoice PDF until the month's consolidation run."""

import base64
import datetime
from urllib.parse import urlencode

from odoo import api, fields, models

from ..myinvois import qr
from .account_move_route import next_month_start

SHORT_PATH = "/einvoice/%s"  # the page's short alias (controllers/request_portal.py)


class AccountMove(models.Model):
    _inherit = "account.move"

    l10n_my_einvoice_request_until = fields.Date(
        string="Buyer may ask until",
        compute="_compute_l10n_my_einvoice_request_until",
        help="The last day before this sale's month is consolidated: until then the buyer can ask for an "
        "individual e-invoice on the request page.",
    )

    @api.depends("l10n_my_einvoice_route", "invoice_date", "company_id.l10n_my_einvoice_consolidation_day")
    def _compute_l10n_my_einvoice_request_until(self):
        for move in self:
            day = move.l10n_my_einvoice_route == "consolidate" and move.invoice_date
            if not day:
                move.l10n_my_einvoice_request_until = False
                continue
            run_day = move.company_id.l10n_my_einvoice_consolidation_day or 1
            move.l10n_my_einvoice_request_until = next_month_start(day) + datetime.timedelta(days=run_day - 2)

    def _l10n_my_einvoice_shows_request_link(self):
        """A customer sale that still waits: the buyer may still ask."""
        self.ensure_one()
        return (
            self.move_type == "out_invoice"
            and self.state == "posted"
            and bool(self._l10n_my_einvoice_waiting_for_consolidation())
        )

    def _l10n_my_einvoice_request_short_url(self):
        self.ensure_one()
        return self.get_base_url() + SHORT_PATH % self.company_id.id

    def _l10n_my_einvoice_request_url(self):
        """The short link with this receipt's number and date, for the QR code."""
        self.ensure_one()
        query = urlencode({"n": self.name, "d": self.invoice_date.isoformat()})
        return f"{self._l10n_my_einvoice_request_short_url()}?{query}"

    def _l10n_my_einvoice_request_qr_base64(self):
        self.ensure_one()
        return base64.b64encode(qr.qr_png(self._l10n_my_einvoice_request_url())).decode()
