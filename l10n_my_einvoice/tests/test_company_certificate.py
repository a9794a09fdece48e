import base64
import datetime

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from ..myinvois import certificate as core_certificate
from .common import CERT_PASSWORD, COMPANY_BRN, COMPANY_TIN, MyInvoisTestCommon


@tagged("post_install", "-at_install")
class TestCompanyCertificate(MyInvoisTestCommon):
    def test_upload_shows_the_certificate_details(self):
        p12 = self.make_p12()
        expected = core_certificate.load_pkcs12(p12, CERT_PASSWORD).info
        self.upload_certificate(p12)
        company = self.company
        self.assertEqual(company.l10n_my_einvoice_cert_tin, COMPANY_TIN)
        self.assertEqual(company.l10n_my_einvoice_cert_brn, COMPANY_BRN)
        self.assertEqual(company.l10n_my_einvoice_cert_serial, expected.serial)
        self.assertTrue(company.l10n_my_einvoice_cert_serial.isdigit(), "serial is shown in decimal")
        self.assertEqual(
            company.l10n_my_einvoice_cert_issuer, "CN=Test LHDNM Sub CA, OU=Test CA for l10n_my_einvoice, O=LHDNM, C=MY"
        )
        self.assertIn("OID.2.5.4.97=C1234567890", company.l10n_my_einvoice_cert_subject)
        self.assertEqual(company.l10n_my_einvoice_cert_valid_to, expected.not_after.replace(microsecond=0))
        self.assertEqual(company.l10n_my_einvoice_cert_state, "ok")
        self.assertFalse(company.l10n_my_einvoice_cert_warnings)
        self.assertEqual(company.l10n_my_einvoice_cert_filename, "company.p12")
        self.assertEqual(base64.b64decode(company.sudo().l10n_my_einvoice_certificate), p12)
        self.assertEqual(
            self.env["l10n_my_einvoice.certificate.upload"].search_count([]),
            0,
            "the wizard row holding the password is gone after the upload",
        )

    def test_wrong_password_stores_nothing(self):
        good = self.make_p12()
        self.upload_certificate(good)
        serial = self.company.l10n_my_einvoice_cert_serial
        with self.assertRaises(UserError) as caught:
            self.upload_certificate(self.make_p12(), password="not-the-password")
        message = str(caught.exception)
        self.assertIn(self.company.name, message)
        self.assertIn("Signing certificate", message)
        self.assertIn("password is wrong", message)
        self.assertNotIn("not-the-password", message)
        self.assertEqual(self.company.l10n_my_einvoice_cert_serial, serial, "the working certificate stays")
        self.assertEqual(base64.b64decode(self.company.sudo().l10n_my_einvoice_certificate), good)
        self.assertEqual(self.company.sudo().l10n_my_einvoice_certificate_password, CERT_PASSWORD)

    def test_not_a_pkcs12_file(self):
        with self.assertRaises(UserError) as caught:
            self.upload_certificate(b"-----BEGIN CERTIFICATE-----\nMIIB...")
        self.assertIn("not a PKCS#12", str(caught.exception))
        self.assertFalse(self.company.sudo().l10n_my_einvoice_certificate)
        self.assertEqual(self.company.l10n_my_einvoice_cert_state, "missing")

    def test_changing_only_the_password_is_checked_against_the_stored_file(self):
        self.upload_certificate(self.make_p12())
        with self.assertRaises(UserError):
            self.company.write({"l10n_my_einvoice_certificate_password": "other"})
        self.assertEqual(self.company.sudo().l10n_my_einvoice_certificate_password, CERT_PASSWORD)

    def test_removing_the_certificate_clears_its_details(self):
        self.upload_certificate(self.make_p12())
        self.company.write({"l10n_my_einvoice_certificate": False, "l10n_my_einvoice_certificate_password": False})
        self.assertFalse(self.company.l10n_my_einvoice_cert_serial)
        self.assertEqual(self.company.l10n_my_einvoice_cert_state, "missing")

    def test_mismatched_tin_and_brn_are_warned(self):
        self.upload_certificate(self.make_p12(tin="C9999999990", brn="199901000001"))
        self.assertEqual(self.company.l10n_my_einvoice_cert_state, "warning")
        warnings = self.company.l10n_my_einvoice_cert_warnings
        self.assertIn("certificate's TIN C9999999990 differs from the company's TIN C1234567890", warnings)
        self.assertIn("certificate's BRN 199901000001 differs from the company's BRN 202001012345", warnings)
        self.assertIn("intermediary", warnings)
        # Correcting the company's identity clears the warning without a new upload.
        self.company.write({"vat": "C9999999990", "l10n_my_identification_number": "199901000001"})
        self.assertEqual(self.company.l10n_my_einvoice_cert_state, "ok")

    def test_expired_and_expiring_certificates(self):
        past = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=400)
        self.upload_certificate(self.make_p12(not_before=past, days=365))
        self.assertEqual(self.company.l10n_my_einvoice_cert_state, "error")
        self.assertIn("DS304: The certificate expired on", self.company.l10n_my_einvoice_cert_warnings)

        self.upload_certificate(self.make_p12(days=20))
        self.assertEqual(self.company.l10n_my_einvoice_cert_state, "warning")
        self.assertIn("EXPIRING: The certificate expires on", self.company.l10n_my_einvoice_cert_warnings)

    def test_personal_certificate_without_signing_usage(self):
        self.upload_certificate(self.make_p12(organisation=False, document_signing=False))
        self.assertEqual(self.company.l10n_my_einvoice_cert_state, "error")
        warnings = self.company.l10n_my_einvoice_cert_warnings
        self.assertIn("DS306", warnings)
        self.assertIn("DS307", warnings)
        self.assertIn("not an organisation certificate", warnings)
        self.assertIn("Document Signing", warnings)

    def test_settings_screen_saves_identity_and_connection(self):
        msic = self.env.ref("l10n_my_einvoice.msic_62099")
        with Form(self.env["res.config.settings"]) as settings:
            settings.sst_registration_number = "W10-1808-32000000"
            settings.ttx_registration_number = "NA"
            settings.l10n_my_einvoice_msic_id = msic
            settings.l10n_my_einvoice_environment = "custom"
            settings.l10n_my_einvoice_custom_url = "http://127.0.0.1:8765"
            settings.l10n_my_einvoice_login_as = "intermediary"
            settings.l10n_my_einvoice_onbehalfof = f"{COMPANY_TIN}:{COMPANY_BRN}"
            settings.l10n_my_einvoice_client_id = "client-123"
            settings.l10n_my_einvoice_client_secret = "very-secret"
        company = self.company
        self.assertEqual(company.partner_id.sst_registration_number, "W10-1808-32000000")
        self.assertEqual(company.l10n_my_einvoice_business_activity, msic.name)
        self.assertEqual(company.l10n_my_einvoice_api_url, "http://127.0.0.1:8765")
        self.assertEqual(company.l10n_my_einvoice_onbehalfof, "C1234567890:202001012345")
        self.assertEqual(company.sudo().l10n_my_einvoice_client_secret, "very-secret")
        company.l10n_my_einvoice_environment = "production"
        self.assertEqual(company.l10n_my_einvoice_api_url, "https://api.myinvois.hasil.gov.my")

    def test_bad_connection_settings_are_refused_with_the_field_named(self):
        self.company.write({"l10n_my_einvoice_environment": "custom", "l10n_my_einvoice_custom_url": False})
        self.assertFalse(self.company.l10n_my_einvoice_api_url)
        with self.assertRaisesRegex(
            UserError,
            "Company company_1_data: the MyInvois environment is Custom, so set the field 'MyInvois base URL'",
        ):
            self.company._l10n_my_einvoice_api_base_url()
        self.company.l10n_my_einvoice_environment = "sandbox"
        self.assertEqual(self.company._l10n_my_einvoice_api_base_url(), "https://preprod-api.myinvois.hasil.gov.my")
        cases = [
            (
                {"l10n_my_einvoice_environment": "custom", "l10n_my_einvoice_custom_url": "ftp://x"},
                "'MyInvois base URL' must be an http",
            ),
            ({"l10n_my_einvoice_onbehalfof": "C123 456"}, "'On behalf of' must be a TIN or TIN:BRN"),
            ({"l10n_my_einvoice_onbehalfof": "X1234567890"}, "is not a TIN LHDN would accept"),
        ]
        for values, message in cases:
            with self.subTest(values=values), self.assertRaisesRegex(ValidationError, message):
                self.company.write(values)
            # drop the refused values from the cache, as the rollback of a real request would
            self.env.invalidate_all(flush=False)
        self.assertEqual(self.company.l10n_my_einvoice_environment, "sandbox")
