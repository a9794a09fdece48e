import base64
import ipaddress
from urllib.parse import urlsplit

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.tests.common import BlockedRequest, _super_send

from ..myinvois import certificate as core_certificate

COMPANY_TIN = "C1234567890"
COMPANY_BRN = "202001012345"
CERT_PASSWORD = "s3cret-pfx-password"


def is_loopback(hostname):
    if hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return False


class MyInvoisTestCommon(AccountTestInvoicingCommon):
    """A Malaysian company on l10n_my's chart, and HTTP allowed to loopback only
    (the emulator), never to LHDN or anything else."""

    @classmethod
    def _request_handler(cls, session, request, /, **kwargs):
        if is_loopback(urlsplit(request.url).hostname or ""):
            return _super_send(session, request, **kwargs)
        raise BlockedRequest(f"l10n_my_einvoice tests may only reach loopback, not {request.url}")

    @classmethod
    @AccountTestInvoicingCommon.setup_country("my")
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.company.write({
            "vat": COMPANY_TIN,
            "l10n_my_identification_type": "BRN",
            "l10n_my_identification_number": COMPANY_BRN,
        })

    @staticmethod
    def make_p12(**kwargs):
        kwargs.setdefault("tin", COMPANY_TIN)
        kwargs.setdefault("brn", COMPANY_BRN)
        kwargs.setdefault("password", CERT_PASSWORD.encode())
        return core_certificate.make_test_certificate(**kwargs)

    def upload_certificate(self, p12, password=CERT_PASSWORD, company=None):
        wizard = self.env["l10n_my_einvoice.certificate.upload"].create({
            "company_id": (company or self.company).id,
            "certificate": base64.b64encode(p12),
            "filename": "company.p12",
            "password": password,
        })
        return wizard.action_upload()
