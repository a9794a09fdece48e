"""A portal user's own e-invoice requests (/my/einvoice-requests) and their count on
/my. What a portal user may read is the record rule's job (security/security.xml); the
invoice of an issued request links to Odoo's own portal invoice page."""

from odoo.http import request, route

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

REQUESTS_PER_PAGE = 20


class EinvoiceRequestCustomerPortal(CustomerPortal):
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "einvoice_request_count" in counters:
            Request = request.env["l10n_my_einvoice.request"]
            values["einvoice_request_count"] = Request.search_count([]) if Request.has_access("read") else 0
        return values

    @route(["/my/einvoice-requests", "/my/einvoice-requests/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_einvoice_requests(self, page=1, **kw):
        Request = request.env["l10n_my_einvoice.request"]
        if not Request.has_access("read"):
            return request.redirect("/my")
        total = Request.search_count([])
        pager = portal_pager(url="/my/einvoice-requests", total=total, page=page, step=REQUESTS_PER_PAGE)
        requests = Request.search([], limit=REQUESTS_PER_PAGE, offset=pager["offset"])
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "einvoice_requests": requests,
                "invoices": self._readable_invoices(requests),
                "pager": pager,
                "page_name": "einvoice_request",
                "default_url": "/my/einvoice-requests",
            }
        )
        return request.render("l10n_my_einvoice.portal_my_einvoice_requests", values)

    def _readable_invoices(self, requests):
        """{request id: its invoice}, for the invoices this user may open in the portal."""
        move_of = {req.id: req.sudo().move_id.id for req in requests}
        readable = request.env["account.move"].search([("id", "in", list(move_of.values()))])
        return {req_id: readable.browse(move_id) for req_id, move_id in move_of.items() if move_id in readable.ids}
