"""A bill made from a supplier's e-invoice, in a real browser: its UUID and link, what to
check, and the rejection sent to LHDN from the bill (static/tests/tours/received_tour.js).
With L10N_MY_EINVOICE_SCREENSHOTS=<folder> it saves tour-received-*.png there."""

from odoo.tests import HttpCase, new_test_user, tagged

from .common import MyInvoisFlowCase
from .test_received_bills import SST_LINES, SUPPLIER_BRN, SUPPLIER_NAME, SUPPLIER_TIN, supplier_document
from .tour_helpers import TourCaseMixin


@tagged("post_install", "-at_install")
class TestReceivedTour(TourCaseMixin, MyInvoisFlowCase, HttpCase):
    def test_a_bill_from_a_received_e_invoice_and_its_rejection(self):
        accountant = new_test_user(
            self.env,
            login="tour_received",
            name="Accountant",
            groups="base.group_user,account.group_account_manager",
            company_id=self.company.id,
            company_ids=[(6, 0, self.company.ids)],
        )
        supplier = self.emulator.add_supplier(SUPPLIER_TIN, SUPPLIER_BRN, SUPPLIER_NAME)
        uuid = supplier.issue(supplier_document("PJ-2026-0101", SST_LINES))
        Received = self.env["l10n_my_einvoice.received"]
        Received._cron_l10n_my_einvoice_fetch_received()
        document = Received.search([("uuid", "=", uuid)])
        self.run_tour(
            f"/odoo/account.move/{document.move_id.id}", "l10n_my_einvoice_received_tour", accountant.login, uuid=uuid
        )
        at_lhdn = self.emulator.documents[uuid]
        self.assertTrue(at_lhdn["rejectRequestDateTime"], "the rejection reached LHDN")
        self.assertEqual(at_lhdn["documentStatusReason"], "Wrong quantity: 8 routers delivered, not 10")
        self.assertEqual(document.state, "rejection_requested")
