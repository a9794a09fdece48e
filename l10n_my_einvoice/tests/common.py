import base64
import ipaddress
from urllib.parse import urlsplit

from odoo.tests.common import BlockedRequest, _super_send

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from ..models.api_state import autonomous_cursor
from ..myinvois import certificate as core_certificate
from ..myinvois import signing, ubl, xml_checks
from ..myinvois.emulator import Emulator
from .committed_data import malaysian_customer_values

COMPANY_TIN = "C1234567890"
COMPANY_BRN = "202001012345"
CERT_PASSWORD = "s3cret-pfx-password"
CLIENT_ID, CLIENT_SECRET = "odoo-erp", "odoo-secret-51c3"


def is_loopback(hostname):
    if hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return False


class LoopbackOnly:
    """HTTP allowed to loopback only (the emulator), never to LHDN or anything else."""

    @classmethod
    def _request_handler(cls, session, request, /, **kwargs):
        if is_loopback(urlsplit(request.url).hostname or ""):
            return _super_send(session, request, **kwargs)
        raise BlockedRequest(f"l10n_my_einvoice tests may only reach loopback, not {request.url}")


class MyInvoisTestCommon(LoopbackOnly, AccountTestInvoicingCommon):
    """A Malaysian company on l10n_my's chart; HTTP to loopback only."""

    @classmethod
    @AccountTestInvoicingCommon.setup_country("my")
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.company.write(
            {
                "vat": COMPANY_TIN,
                "l10n_my_identification_type": "BRN",
                "l10n_my_identification_number": COMPANY_BRN,
            }
        )

    @staticmethod
    def make_p12(**kwargs):
        kwargs.setdefault("tin", COMPANY_TIN)
        kwargs.setdefault("brn", COMPANY_BRN)
        kwargs.setdefault("password", CERT_PASSWORD.encode())
        return core_certificate.make_test_certificate(**kwargs)

    def upload_certificate(self, p12, password=CERT_PASSWORD, company=None):
        wizard = self.env["l10n_my_einvoice.certificate.upload"].create(
            {
                "company_id": (company or self.company).id,
                "certificate": base64.b64encode(p12),
                "filename": "company.p12",
                "password": password,
            }
        )
        return wizard.action_upload()


class MyInvoisFlowCase(MyInvoisTestCommon):
    """The company configured against a fresh emulator per test (over loopback),
    a Malaysian customer, a self-billed foreign supplier, classified products."""

    emulator_options = {}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        my, selangor = cls.env.ref("base.my"), cls.env.ref("base.state_my_sgr")
        cls.company.write(
            {
                "name": "Contoh Teknologi Sdn. Bhd.",
                "street": "Level 5, Menara Contoh",
                "city": "Petaling Jaya",
                "zip": "46200",
                "state_id": selangor.id,
                "country_id": my.id,
                "phone": "+60378901234",
                "l10n_my_einvoice_msic_id": cls.env.ref("l10n_my_einvoice.msic_62099").id,
                "l10n_my_einvoice_environment": "custom",
                "l10n_my_einvoice_client_id": CLIENT_ID,
                "l10n_my_einvoice_client_secret": CLIENT_SECRET,
                "l10n_my_einvoice_certificate": base64.b64encode(cls.make_p12()),
                "l10n_my_einvoice_certificate_password": CERT_PASSWORD,
            }
        )
        cls.customer = cls.env["res.partner"].create(malaysian_customer_values(cls.env))
        cls.foreign_supplier = cls.env["res.partner"].create(
            {
                "name": "Cloud Hosting Inc.",
                "is_company": True,
                "country_id": cls.env.ref("base.us").id,
                "state_id": cls.env.ref("base.state_us_5").id,
                "city": "San Francisco",
                "zip": "94105",
                "street": "500 Market Street",
                "phone": "+14155550100",
                "l10n_my_einvoice_self_billed": True,
            }
        )
        classification = cls.env.ref("l10n_my_einvoice.classification_022")
        (cls.product_a + cls.product_b).product_tmpl_id.l10n_my_einvoice_classification_id = classification

    def setUp(self):
        super().setUp()
        # A fresh LHDN per test: invoice numbers restart with every rolled-back test.
        self.emulator = Emulator(validation_delay=0, **self.emulator_options)
        self.emulator.add_client(CLIENT_ID, CLIENT_SECRET, COMPANY_TIN, brn=COMPANY_BRN)
        self.company.l10n_my_einvoice_custom_url = self.emulator.start()
        self.addCleanup(self.emulator.stop)

    # --- helpers ---------------------------------------------------------------------------
    def lhdn_is_back(self):
        """The time of every pause and 429 block has passed (they live in committed rows)."""
        with autonomous_cursor(self.registry) as cr:
            cr.execute("UPDATE l10n_my_einvoice_api_limit SET blocked_until = 0")

    def invoice(self, move_type="out_invoice", partner=None, **values):
        partner = partner or (self.foreign_supplier if move_type.startswith("in_") else self.customer)
        move = self.init_invoice(
            move_type,
            partner=partner,
            products=self.product_a + self.product_b,
            company=self.company,
            taxes=self.company_data["default_tax_sale"]
            if move_type.startswith("out_")
            else self.company_data["default_tax_purchase"],
        )
        if values:
            move.write(values)
        move.action_post()
        return move

    def send(self, moves):
        """What the button and the two crons do, with the emulator deciding in between."""
        moves.action_l10n_my_einvoice_submit()
        self.send_queued()

    def send_to_lhdn_an_hour_behind(self, moves):
        """Send while LHDN's clock is an hour behind ours: our issue time is "in the
        future" for it, and it answers Invalid."""
        self.emulator.clock.advance(-3600)
        try:
            self.send(moves)
        finally:
            self.emulator.clock.advance(3600)

    def send_queued(self):
        """The two crons on what is queued, with the emulator deciding in between."""
        self.env["account.move"]._cron_l10n_my_einvoice_submit()
        self.emulator.process_pending()
        self.env["account.move"]._cron_l10n_my_einvoice_poll()

    def read_back(self, document):
        """The document as sent: its signature verified, its XML read back."""
        signed = document.attachment_id.raw
        self.assertEqual(signing.verify(signed), [])
        return ubl.from_xml(signed)

    def assert_valid(self, move):
        self.assertEqual(move.l10n_my_einvoice_state, "valid", move.l10n_my_einvoice_errors)
        document = move.l10n_my_einvoice_document_id
        self.assertEqual(len(document.uuid), 26)
        self.assertTrue(document.long_id and document.validated_at)
        signed = document.attachment_id.raw
        self.assertEqual(signing.verify(signed), [])
        self.assertEqual(xml_checks.validate_xml(signed), [])
        self.assertIn(f"/{document.uuid}/share/{document.long_id}", move.l10n_my_einvoice_validation_link)
        return ubl.from_xml(signed)
