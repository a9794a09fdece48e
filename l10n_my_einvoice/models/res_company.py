import base64
import logging
import re

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..myinvois import certificate as core_certificate
from ..myinvois import certificate_cache, codes, environments
from ..myinvois import client as api_client
from .api_log import DEFAULT_RETENTION_DAYS, ApiLogRecorder
from .api_state import DatabaseRateLimiter, DatabaseTokenStore, utc_datetime

_logger = logging.getLogger(__name__)

# Writing either of these re-opens the certificate; see write().
CERTIFICATE_SECRETS = ("l10n_my_einvoice_certificate", "l10n_my_einvoice_certificate_password")
CREDENTIALS = ("l10n_my_einvoice_client_id", "l10n_my_einvoice_client_secret")
CERTIFICATE_DETAILS = tuple(
    f"l10n_my_einvoice_cert_{name}" for name in ("subject", "issuer", "serial", "valid_from", "valid_to", "tin", "brn")
)
ONBEHALFOF_PATTERN = re.compile(r"^[A-Z0-9]{2,14}(:[A-Za-z0-9-]{1,20})?$")


class ResCompany(models.Model):
    _inherit = "res.company"

    # --- identity (the supplier on every document) --------------------------------------
    l10n_my_identification_type = fields.Selection(related="partner_id.l10n_my_identification_type", readonly=False)
    l10n_my_identification_number = fields.Char(related="partner_id.l10n_my_identification_number", readonly=False)
    sst_registration_number = fields.Char(related="partner_id.sst_registration_number", readonly=False)
    ttx_registration_number = fields.Char(related="partner_id.ttx_registration_number", readonly=False)
    l10n_my_einvoice_msic_id = fields.Many2one(
        "l10n_my_einvoice.msic",
        string="MSIC code",
        help="Malaysia Standard Industrial Classification of the company's main activity; 00000 when not applicable.",
    )
    l10n_my_einvoice_business_activity = fields.Char(
        string="Business activity",
        size=300,
        compute="_compute_l10n_my_einvoice_business_activity",
        store=True,
        readonly=False,
        help="Description of the business activity, sent with the MSIC code. Defaults to the MSIC description.",
    )

    # --- connection -------------------------------------------------------------------
    l10n_my_einvoice_environment = fields.Selection(
        [
            ("sandbox", "Sandbox (pre-production)"),
            ("production", "Production"),
            ("custom", "Custom URL (emulator or own gateway)"),
        ],
        string="MyInvois environment",
        default="sandbox",
        required=True,
        help="Sandbox and production need different client credentials, issued in each MyInvois portal.",
    )
    l10n_my_einvoice_custom_url = fields.Char(
        string="MyInvois base URL",
        help="Base URL of the API when the environment is Custom, e.g. http://127.0.0.1:8765 for the bundled emulator.",
    )
    l10n_my_einvoice_api_url = fields.Char(string="MyInvois API URL", compute="_compute_l10n_my_einvoice_api_url")
    l10n_my_einvoice_login_as = fields.Selection(
        [
            ("taxpayer", "Taxpayer (our own ERP system)"),
            ("intermediary", "Intermediary (acting on behalf of this company)"),
        ],
        string="Log in as",
        default="taxpayer",
        required=True,
    )
    l10n_my_einvoice_onbehalfof = fields.Char(
        string="On behalf of",
        help="For an intermediary login: the represented taxpayer's TIN, or TIN:BRN, sent as the "
        "'onbehalfof' header. Empty means this company's TIN.",
    )
    l10n_my_einvoice_client_id = fields.Char(string="Client ID", groups="base.group_system", copy=False)
    l10n_my_einvoice_client_secret = fields.Char(string="Client secret", groups="base.group_system", copy=False)
    l10n_my_einvoice_log_retention_days = fields.Integer(
        string="Keep the MyInvois API log (days)",
        default=DEFAULT_RETENTION_DAYS,
        help="API calls older than this are removed by the daily clean-up; 0 keeps them forever.",
    )

    # --- signing certificate: secrets (admins only) ----------------------------------
    l10n_my_einvoice_certificate = fields.Binary(
        string="Signing certificate (PKCS#12)", attachment=False, groups="base.group_system", copy=False
    )
    l10n_my_einvoice_certificate_password = fields.Char(
        string="Certificate password", groups="base.group_system", copy=False
    )
    # --- signing certificate: public details, read from it when it is uploaded -----
    l10n_my_einvoice_cert_filename = fields.Char(string="Certificate file", copy=False)
    l10n_my_einvoice_cert_subject = fields.Char(string="Certificate subject", readonly=True, copy=False)
    l10n_my_einvoice_cert_issuer = fields.Char(string="Certificate issuer", readonly=True, copy=False)
    l10n_my_einvoice_cert_serial = fields.Char(string="Certificate serial (decimal)", readonly=True, copy=False)
    l10n_my_einvoice_cert_valid_from = fields.Datetime(string="Certificate valid from", readonly=True, copy=False)
    l10n_my_einvoice_cert_valid_to = fields.Datetime(string="Certificate valid until", readonly=True, copy=False)
    l10n_my_einvoice_cert_tin = fields.Char(
        string="Certificate TIN", readonly=True, copy=False, help="organizationIdentifier of the certificate's subject"
    )
    l10n_my_einvoice_cert_brn = fields.Char(
        string="Certificate BRN", readonly=True, copy=False, help="serialNumber of the certificate's subject"
    )
    l10n_my_einvoice_cert_state = fields.Selection(
        [
            ("missing", "No certificate"),
            ("ok", "Ready"),
            ("warning", "Check the warnings"),
            ("error", "Cannot be used"),
        ],
        string="Certificate status",
        compute="_compute_l10n_my_einvoice_cert_check",
    )
    l10n_my_einvoice_cert_warnings = fields.Text(
        string="Certificate warnings", compute="_compute_l10n_my_einvoice_cert_check"
    )

    # --- computes -----------------------------------------------------------------------

    @api.depends("l10n_my_einvoice_msic_id")
    def _compute_l10n_my_einvoice_business_activity(self):
        for company in self:
            if company.l10n_my_einvoice_msic_id:
                company.l10n_my_einvoice_business_activity = company.l10n_my_einvoice_msic_id.name

    @api.depends("l10n_my_einvoice_environment", "l10n_my_einvoice_custom_url")
    def _compute_l10n_my_einvoice_api_url(self):
        for company in self:
            try:
                company.l10n_my_einvoice_api_url = environments.api_url(
                    company.l10n_my_einvoice_environment, company.l10n_my_einvoice_custom_url
                )
            except ValueError:
                company.l10n_my_einvoice_api_url = False

    def _l10n_my_einvoice_brn(self):
        self.ensure_one()
        if self.l10n_my_identification_type == "BRN":
            return self.l10n_my_identification_number or False
        return False

    @api.depends(
        "l10n_my_einvoice_cert_valid_to",
        "l10n_my_einvoice_cert_tin",
        "l10n_my_einvoice_cert_brn",
        "vat",
        "l10n_my_identification_type",
        "l10n_my_identification_number",
    )
    @api.depends_context("uid")
    def _compute_l10n_my_einvoice_cert_check(self):
        # Re-open the file rather than trusting stored details: expiry moves with the clock and the
        # company's TIN/BRN may have changed since the upload. bin_size=False: the file, not its size.
        for company in self:
            secrets = company.sudo().with_context(bin_size=False)
            data = secrets.l10n_my_einvoice_certificate
            if not data:
                company.l10n_my_einvoice_cert_state = "missing"
                company.l10n_my_einvoice_cert_warnings = False
                continue
            try:
                info = core_certificate.load_pkcs12(
                    base64.b64decode(data),
                    secrets.l10n_my_einvoice_certificate_password or "",
                    company_tin=company.vat,
                    company_brn=company._l10n_my_einvoice_brn(),
                ).info
            except core_certificate.CertificateError as error:
                company.l10n_my_einvoice_cert_state = "error"
                company.l10n_my_einvoice_cert_warnings = str(error)
                continue
            company.l10n_my_einvoice_cert_state = "error" if info.errors else "warning" if info.warnings else "ok"
            company.l10n_my_einvoice_cert_warnings = "\n".join(f"{p.code}: {p.message}" for p in info.problems) or False

    # --- constraints --------------------------------------------------------------------

    def _l10n_my_einvoice_api_base_url(self):
        """The API base URL to call; says which field to fill when there is none.

        Not a constraint: the settings screen writes environment and URL one after
        the other, so a cross-field check there would refuse a valid save."""
        self.ensure_one()
        if not self.l10n_my_einvoice_api_url:
            raise UserError(
                _(
                    "Company %(company)s: the MyInvois environment is Custom, so set the field "
                    "'MyInvois base URL' in Settings > Invoicing > MyInvois (LHDN).",
                    company=self.name,
                )
            )
        return self.l10n_my_einvoice_api_url

    @api.constrains("l10n_my_einvoice_custom_url")
    def _check_l10n_my_einvoice_custom_url(self):
        for company in self:
            url = company.l10n_my_einvoice_custom_url
            if url and not re.match(r"^https?://[^\s/]+(/\S*)?$", url):
                raise ValidationError(
                    _(
                        "Company %(company)s: the field 'MyInvois base URL' must be an http(s) "
                        "URL such as http://127.0.0.1:8765, not %(url)r.",
                        company=company.name,
                        url=url,
                    )
                )

    @api.constrains("l10n_my_einvoice_onbehalfof")
    def _check_l10n_my_einvoice_onbehalfof(self):
        for company in self:
            value = company.l10n_my_einvoice_onbehalfof
            if value and not ONBEHALFOF_PATTERN.match(value):
                raise ValidationError(
                    _(
                        "Company %(company)s: the field 'On behalf of' must be a TIN or TIN:BRN "
                        "(e.g. C25845632020 or IG12345678912:201901234567), not %(value)r.",
                        company=company.name,
                        value=value,
                    )
                )
            tin = value.split(":")[0] if value else False
            if tin and not codes.is_tin(tin):
                raise ValidationError(
                    _(
                        "Company %(company)s: %(tin)r in the field 'On behalf of' is not a TIN LHDN would accept.",
                        company=company.name,
                        tin=tin,
                    )
                )

    # --- certificate upload -----------------------------------------------------------

    def _l10n_my_einvoice_certificate_error(self, reason):
        """The message for a certificate that cannot be used, naming company and field."""
        return _(
            "Company %(company)s, field 'Signing certificate (PKCS#12)': %(reason)s", company=self.name, reason=reason
        )

    def _l10n_my_einvoice_certificate_details(self, data_b64, password):
        """Open the certificate (base64 PKCS#12) and return the public details to store.

        Raises UserError naming the company and the field when the file cannot be
        opened, so nothing is stored: a bad upload never replaces a working one."""
        self.ensure_one()
        if not data_b64:
            return dict.fromkeys(CERTIFICATE_DETAILS, False)
        try:
            data = base64.b64decode(data_b64, validate=False)
            info = core_certificate.load_pkcs12(data, password or "").info
        except (core_certificate.CertificateError, ValueError) as error:
            raise UserError(self._l10n_my_einvoice_certificate_error(error)) from None
        return {
            "l10n_my_einvoice_cert_subject": info.subject,
            "l10n_my_einvoice_cert_issuer": info.issuer,
            "l10n_my_einvoice_cert_serial": info.serial,
            "l10n_my_einvoice_cert_valid_from": info.not_before,
            "l10n_my_einvoice_cert_valid_to": info.not_after,
            "l10n_my_einvoice_cert_tin": info.tin or False,
            "l10n_my_einvoice_cert_brn": info.brn or False,
        }

    def write(self, vals):
        if any(name in vals for name in CERTIFICATE_SECRETS):
            # Access first: a non-admin learns nothing about the file, not even that it is wrong.
            for name in CERTIFICATE_SECRETS:
                if name in vals:
                    self._check_field_access(self._fields[name], "write")
            # The file and its password are checked together, per company, before anything
            # is written; the parsed details are stored in the same write.
            for company in self:
                secrets = company.sudo()
                data = vals.get("l10n_my_einvoice_certificate", secrets.l10n_my_einvoice_certificate)
                password = vals.get(
                    "l10n_my_einvoice_certificate_password", secrets.l10n_my_einvoice_certificate_password
                )
                details = company._l10n_my_einvoice_certificate_details(data, password)
                super(ResCompany, company).write({**vals, **details})
                _logger.info(
                    "MyInvois signing certificate %s for company %s (id %s)",
                    "updated" if data else "removed",
                    company.name,
                    company.id,
                )
        else:
            super().write(vals)
        for company in self if any(name in vals for name in CREDENTIALS) else ():
            # New credentials end the pause a refused login started: the cron tries them at once.
            if company._l10n_my_einvoice_paused() and company._l10n_my_einvoice_resume():
                self.env.ref("l10n_my_einvoice.ir_cron_submit")._trigger()
        return True

    # --- talking to MyInvois ------------------------------------------------------------------

    def _l10n_my_einvoice_check_configuration(self):
        """Raise a UserError naming every missing setting of the company."""
        self.ensure_one()
        secrets = self.sudo()
        required = {
            "TIN": self.vat,
            "ID type": self.l10n_my_identification_type,
            "ID number": self.l10n_my_identification_number,
            "MSIC code": self.l10n_my_einvoice_msic_id,
            "Client ID": secrets.l10n_my_einvoice_client_id,
            "Client secret": secrets.l10n_my_einvoice_client_secret,
            "Signing certificate": secrets.l10n_my_einvoice_certificate,
        }
        missing = [label for label, value in required.items() if not value]
        if missing:
            raise UserError(
                _(
                    "Company %(company)s: set %(fields)s in Settings > Invoicing > MyInvois (LHDN) before "
                    "sending documents.",
                    company=self.name,
                    fields=", ".join(missing),
                )
            )
        self._l10n_my_einvoice_api_base_url()

    def _l10n_my_einvoice_client(self, documents=None):
        """The API client of this company. Its tokens and rate-limit windows live in
        the database, shared by every worker; each call is written to the API log,
        tied to ``documents`` (``client.on_response.documents`` may be reassigned)."""
        self.ensure_one()
        self._l10n_my_einvoice_check_configuration()
        secrets = self.sudo()
        onbehalfof = None
        if self.l10n_my_einvoice_login_as == "intermediary":
            onbehalfof = self.l10n_my_einvoice_onbehalfof or environments.on_behalf_of(self.vat)
        return api_client.MyInvoisClient(
            self._l10n_my_einvoice_api_base_url(),
            secrets.l10n_my_einvoice_client_id,
            secrets.l10n_my_einvoice_client_secret,
            onbehalfof=onbehalfof,
            token_store=DatabaseTokenStore(self.env.registry),
            rate_limiter=self._l10n_my_einvoice_limiter(),
            on_response=ApiLogRecorder(self, documents),
            # never echoed into an error or the API log, even by a misbehaving server
            extra_secrets=tuple(filter(None, [secrets.l10n_my_einvoice_certificate_password])),
        )

    def _l10n_my_einvoice_limiter(self):
        self.ensure_one()
        return DatabaseRateLimiter(self.env.registry, self._l10n_my_einvoice_api_base_url())

    # --- outages: a pause per API URL and client ID (a 429 or an LHDN outage concerns
    # every company sharing those credentials, e.g. through one intermediary) ----------------
    def _l10n_my_einvoice_paused(self):
        """(until as naive UTC datetime, reason) while LHDN calls of this company wait."""
        self.ensure_one()
        client_id = self.sudo().l10n_my_einvoice_client_id
        if not client_id or not self.l10n_my_einvoice_api_url:
            return None
        paused = self._l10n_my_einvoice_limiter().paused(client_id)
        return (utc_datetime(paused[0]).replace(microsecond=0), paused[1]) if paused else None

    def _l10n_my_einvoice_pause(self, error, reason=None):
        """LHDN is down, throttling or refuses our login: postpone this company's calls
        (growing pauses, see DatabaseRateLimiter.pause). Logs a warning when the pause
        starts, not at every postponed run; ``reason`` (default: the error) is what the
        moves show meanwhile. Returns the end of the pause (naive UTC)."""
        self.ensure_one()
        retry_after = error.retry_after if isinstance(error, api_client.RateLimitedError) else None
        reason = reason or str(error)
        until, failures = self._l10n_my_einvoice_limiter().pause(
            self.sudo().l10n_my_einvoice_client_id, reason[:500], retry_after
        )
        until = utc_datetime(until)
        log = _logger.warning if failures == 1 else _logger.info
        log(
            "MyInvois %s for company %s (%s, attempt %s): %s; its calls wait until %s UTC",
            "refused the login" if isinstance(error, api_client.AuthenticationError) else "unavailable",
            self.name,
            self.id,
            failures,
            reason,
            until.strftime("%H:%M:%S"),
        )
        return until

    def _l10n_my_einvoice_resume(self):
        self.ensure_one()
        ended = self._l10n_my_einvoice_limiter().resume(self.sudo().l10n_my_einvoice_client_id)
        if ended:
            _logger.info(
                "MyInvois reachable again for company %s (%s) after %s failed attempt(s)", self.name, self.id, ended
            )
        return ended

    def _l10n_my_einvoice_loaded_certificate(self):
        self.ensure_one()
        secrets = self.sudo()
        try:
            return certificate_cache.load_pkcs12(  # opened once per process, per file and password
                base64.b64decode(secrets.l10n_my_einvoice_certificate),
                secrets.l10n_my_einvoice_certificate_password or "",
            )
        except core_certificate.CertificateError as error:
            raise UserError(self._l10n_my_einvoice_certificate_error(error)) from None
