import base64

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from ..models.res_company import CERTIFICATE_SECRETS
from .common import CERT_PASSWORD, MyInvoisTestCommon

SECRET_FIELDS = ("l10n_my_einvoice_client_id", "l10n_my_einvoice_client_secret") + CERTIFICATE_SECRETS
CLIENT_SECRET = "client-secret-7d1f0c2a"


@tagged("post_install", "-at_install")
class TestSecrets(MyInvoisTestCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoicing_user = new_test_user(
            cls.env, login="my_invoicing_user", groups="account.group_account_invoice,base.group_allow_export",
            company_id=cls.company.id, company_ids=[cls.company.id])
        cls.accountant = new_test_user(
            cls.env, login="my_accountant", groups="account.group_account_manager,base.group_allow_export",
            company_id=cls.company.id, company_ids=[cls.company.id])

    def setUp(self):
        super().setUp()
        self.company.write({"l10n_my_einvoice_client_id": "client-id-1", "l10n_my_einvoice_client_secret": CLIENT_SECRET})
        with self.assertLogs("odoo.addons.l10n_my_einvoice", level="DEBUG") as logs:
            self.upload_certificate(self.make_p12())
        self.assertNotIn(CERT_PASSWORD, "\n".join(logs.output), "the password is never logged")

    def assertNoSecretIn(self, value):
        text = repr(value)
        for secret in (CLIENT_SECRET, CERT_PASSWORD, self.company.sudo().l10n_my_einvoice_certificate.decode()[:40]):
            self.assertNotIn(secret, text)

    def test_users_below_settings_admin_cannot_read_secrets(self):
        for user in (self.invoicing_user, self.accountant):
            company = self.company.with_user(user)
            for name in SECRET_FIELDS:
                with self.subTest(user=user.login, field=name, via="read"), self.assertRaises(AccessError):
                    company.read([name])
                with self.subTest(user=user.login, field=name, via="search_read"), self.assertRaises(AccessError):
                    company.search_read([("id", "=", company.id)], [name])
                with self.subTest(user=user.login, field=name, via="export"), self.assertRaises(AccessError):
                    company.export_data([name])
                with self.subTest(user=user.login, field=name, via="search"), self.assertRaises(AccessError):
                    company.search([(name, "!=", False)])
            # Reading "everything" silently leaves the secrets out.
            values = company.read()[0]
            self.assertFalse(set(SECRET_FIELDS) & set(values))
            self.assertNoSecretIn(values)
            self.assertFalse(set(SECRET_FIELDS) & set(company.fields_get()))
            # The public details stay readable, for the users who must know when it expires.
            self.assertTrue(company.l10n_my_einvoice_cert_valid_to)

    def test_users_below_settings_admin_cannot_write_secrets(self):
        for user in (self.invoicing_user, self.accountant):
            company = self.company.with_user(user)
            for name in SECRET_FIELDS:
                with self.subTest(user=user.login, field=name), self.assertRaises(AccessError):
                    company.write({name: base64.b64encode(b"x") if name == "l10n_my_einvoice_certificate" else "x"})
            with self.assertRaises(AccessError):
                self.env["l10n_my_einvoice.certificate.upload"].with_user(user).create(
                    {"company_id": self.company.id, "certificate": base64.b64encode(self.make_p12())})
        self.assertEqual(self.company.sudo().l10n_my_einvoice_client_secret, CLIENT_SECRET)

    def test_settings_admin_reads_them(self):
        values = self.company.read(["l10n_my_einvoice_client_secret", "l10n_my_einvoice_certificate_password"])[0]
        self.assertEqual(values["l10n_my_einvoice_client_secret"], CLIENT_SECRET)
        self.assertEqual(values["l10n_my_einvoice_certificate_password"], CERT_PASSWORD)
