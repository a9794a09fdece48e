import base64
import datetime
import logging

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from ..models.api_state import autonomous_cursor
from ..models.res_company import CERTIFICATE_SECRETS
from ..myinvois import client as api_client
from .common import CERT_PASSWORD, CLIENT_ID, MyInvoisFlowCase, MyInvoisTestCommon
from .common import CLIENT_SECRET as FLOW_CLIENT_SECRET

SECRET_FIELDS = ("l10n_my_einvoice_client_id", "l10n_my_einvoice_client_secret") + CERTIFICATE_SECRETS
CLIENT_SECRET = "client-secret-7d1f0c2a"


@tagged("post_install", "-at_install")
class TestSecrets(MyInvoisTestCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoicing_user = new_test_user(
            cls.env,
            login="my_invoicing_user",
            groups="account.group_account_invoice,base.group_allow_export",
            company_id=cls.company.id,
            company_ids=[cls.company.id],
        )
        cls.accountant = new_test_user(
            cls.env,
            login="my_accountant",
            groups="account.group_account_manager,base.group_allow_export",
            company_id=cls.company.id,
            company_ids=[cls.company.id],
        )

    def setUp(self):
        super().setUp()
        self.company.write(
            {"l10n_my_einvoice_client_id": "client-id-1", "l10n_my_einvoice_client_secret": CLIENT_SECRET}
        )
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
                    {"company_id": self.company.id, "certificate": base64.b64encode(self.make_p12())}
                )
        self.assertEqual(self.company.sudo().l10n_my_einvoice_client_secret, CLIENT_SECRET)

    def test_settings_admin_reads_them(self):
        values = self.company.read(["l10n_my_einvoice_client_secret", "l10n_my_einvoice_certificate_password"])[0]
        self.assertEqual(values["l10n_my_einvoice_client_secret"], CLIENT_SECRET)
        self.assertEqual(values["l10n_my_einvoice_certificate_password"], CERT_PASSWORD)


@tagged("post_install", "-at_install")
class TestNoSecretAfterAFullCycle(MyInvoisFlowCase):
    """A full cycle (login, submit, poll, a credit note, an outage, a refused login,
    the connection test) with known secrets, then every place they could leak."""

    def test_no_secret_in_logs_audit_chatter_errors_or_exports(self):
        first_message = self.env["mail.message"].search([], order="id desc", limit=1).id or 0
        # Everything at DEBUG, except Odoo's SQL log: --log-level=debug_sql prints every
        # statement with its values, any Odoo secret included (docs/troubleshooting.md).
        noisy = {name: logging.DEBUG for name in ("odoo", "odoo.addons.l10n_my_einvoice", "urllib3", "requests")}
        noisy["odoo.sql_db"] = logging.INFO
        levels = {name: logging.getLogger(name).level for name in noisy}
        for name, level in noisy.items():
            logging.getLogger(name).setLevel(level)
        errors = []
        try:
            with self.assertLogs(level="DEBUG") as captured:
                invoice = self.invoice()
                self.send(invoice)
                self.send(self.invoice("out_refund", reversed_entry_id=invoice.id))
                client = self.company._l10n_my_einvoice_client()
                token = client.tokens.get(client.token_key)[0]
                # An outage on a submission, then LHDN back.
                late = self.invoice()
                late.action_l10n_my_einvoice_submit()
                self.emulator.inject("submit", "status", status=503)
                self.env["account.move"]._cron_l10n_my_einvoice_submit()
                self.lhdn_is_back()
                # A refused login (the secret was changed at LHDN), from the cron and the button.
                self.emulator.add_client(CLIENT_ID, "rotated-at-lhdn", self.company.vat)
                client.tokens.invalidate(client.token_key)
                self.env["account.move"]._l10n_my_einvoice_reconcile_sending(min_age=datetime.timedelta(0))
                settings = self.env["res.config.settings"].create({})
                try:
                    settings.action_l10n_my_einvoice_test_connection()
                except UserError as error:
                    errors.append(str(error))
                try:
                    client.login()
                except api_client.MyInvoisError as error:
                    errors += [str(error), error.message_ms, repr(error.response), repr(error.__dict__)]
        finally:
            for name, level in levels.items():
                logging.getLogger(name).setLevel(level)
        self.assertEqual(len(errors), 5, "both refused logins raised")
        self.assertIn("MyInvois connection failed", errors[0])

        formatter = logging.Formatter("%(message)s %(exc_info)s")
        places = {
            "log": "\n".join(formatter.format(record) for record in captured.records),
            "errors": "\n".join(errors),
            "audit log": repr(
                self.env["l10n_my_einvoice.api.log"].search([("company_id", "=", self.company.id)]).read()
            ),
            "chatter": repr(
                self.env["mail.message"]
                .search([("id", ">", first_message)])
                .read(["body", "subject", "tracking_value_ids"])
            ),
            "signed XML": repr(
                self.env["l10n_my_einvoice.document"]
                .search([("company_id", "=", self.company.id)])
                .attachment_id.mapped("raw")
            ),
            "client repr": repr(client),
        }
        accountant = new_test_user(
            self.env,
            login="cycle_accountant",
            company_id=self.company.id,
            groups="account.group_account_manager,base.group_allow_export",
        )
        moves = self.env["account.move"].with_user(accountant).search([("company_id", "=", self.company.id)])
        places["exports"] = repr(
            moves.export_data(
                [
                    "name",
                    "l10n_my_einvoice_state",
                    "l10n_my_einvoice_uuid",
                    "l10n_my_einvoice_errors",
                    "l10n_my_einvoice_document_ids/error_text",
                    "l10n_my_einvoice_document_ids/document_hash",
                ]
            )
        ) + repr(
            self.env["l10n_my_einvoice.api.log"]
            .with_user(accountant)
            .search([])
            .export_data(["endpoint", "path", "body", "failure", "correlation_id", "user_id/name"])
        )
        with autonomous_cursor(self.registry) as cr:
            cr.execute("SELECT reason FROM l10n_my_einvoice_api_limit WHERE reason IS NOT NULL")
            places["pause reasons"] = repr(cr.fetchall())

        self.assertGreater(len(places["log"]), 1000, "debug logging was on")
        # The refused login paused the company after the outage: its reason replaced the 503's.
        self.assertIn("refused the login", places["pause reasons"])
        secrets = {
            "client secret": FLOW_CLIENT_SECRET,
            "certificate password": CERT_PASSWORD,
            "access token": token,
            "rotated secret": "rotated-at-lhdn",
            "certificate file": self.company.sudo().l10n_my_einvoice_certificate.decode()[20:80],
        }
        for place, text in places.items():
            for secret_name, secret in secrets.items():
                with self.subTest(place=place, secret=secret_name):
                    self.assertNotIn(secret, text)
