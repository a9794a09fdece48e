import base64
import datetime
import logging
import re

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..myinvois import certificate as core_certificate
from ..myinvois import client as api_client
from ..myinvois import codes, environments, signing
from .account_move import utc_now
from .api_log import DEFAULT_RETENTION_DAYS, ApiLogRecorder
from .api_state import DatabaseRateLimiter, DatabaseTokenStore, utc_datetime

_logger = logging.getLogger(__name__)

# Writing either of these re-opens the certificate; see write().
CERTIFICATE_SECRETS = ("l10n_my_einvoice_certificate", "l10n_my_einvoice_certificate_password")
CERTIFICATE_DETAILS = (
    "l10n_my_einvoice_cert_subject",
    "l10n_my_einvoice_cert_issuer",
    "l10n_my_einvoice_cert_serial",
    "l10n_my_einvoice_cert_valid_from",
    "l10n_my_einvoice_cert_valid_to",
    "l10n_my_einvoice_cert_tin",
    "l10n_my_einvoice_cert_brn",
)
MAX_PAUSE_SECONDS = 30 * 60  # an outage is retried at least every half hour
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
        # Re-open the file rather than trusting stored details: expiry moves with the
        # clock and the company's TIN/BRN may have changed since the upload.
        for company in self:
            secrets = company.sudo()
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
        if not any(name in vals for name in CERTIFICATE_SECRETS):
            return super().write(vals)
        # Access first: a non-admin learns nothing about the file, not even that it is wrong.
        for name in CERTIFICATE_SECRETS:
            if name in vals:
                self._check_field_access(self._fields[name], "write")
        # The file and its password are checked together, per company, before anything
        # is written; the parsed details are stored in the same write.
        for company in self:
            secrets = company.sudo()
            data = vals.get("l10n_my_einvoice_certificate", secrets.l10n_my_einvoice_certificate)
            password = vals.get("l10n_my_einvoice_certificate_password", secrets.l10n_my_einvoice_certificate_password)
            details = company._l10n_my_einvoice_certificate_details(data, password)
            super(ResCompany, company).write({**vals, **details})
            _logger.info(
                "MyInvois signing certificate %s for company %s (id %s)",
                "updated" if data else "removed",
                company.name,
                company.id,
            )
        return True

    # --- talking to MyInvois ------------------------------------------------------------------

    def _l10n_my_einvoice_check_configuration(self):
        """Raise a UserError naming every missing setting of the company."""
        self.ensure_one()
        secrets = self.sudo()
        missing = [
            label
            for label, value in (
                ("TIN", self.vat),
                ("ID type", self.l10n_my_identification_type),
                ("ID number", self.l10n_my_identification_number),
                ("MSIC code", self.l10n_my_einvoice_msic_id),
                ("Client ID", secrets.l10n_my_einvoice_client_id),
                ("Client secret", secrets.l10n_my_einvoice_client_secret),
                ("Signing certificate", secrets.l10n_my_einvoice_certificate),
            )
            if not value
        ]
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

    def _l10n_my_einvoice_pause(self, error):
        """LHDN is down or throttling: postpone this company's calls with a growing
        pause (1, 2, 4 ... 30 minutes; a 429's Retry-After when given). Logs a
        warning when the outage starts, not at every postponed run. Returns the end
        of the pause (naive UTC)."""
        self.ensure_one()

        def seconds(failures):
            if isinstance(error, api_client.RateLimitedError) and error.retry_after:
                return error.retry_after
            return min(60 * 2 ** (failures - 1), MAX_PAUSE_SECONDS)

        until, failures = self._l10n_my_einvoice_limiter().pause(
            self.sudo().l10n_my_einvoice_client_id, seconds, str(error)[:500]
        )
        until = utc_datetime(until)
        log = _logger.warning if failures == 1 else _logger.info
        log(
            "MyInvois unavailable for company %s (%s, attempt %s): %s; its calls wait until %s UTC",
            self.name,
            self.id,
            failures,
            error,
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

    def _l10n_my_einvoice_loaded_certificate(self):
        self.ensure_one()
        secrets = self.sudo()
        try:
            return core_certificate.load_pkcs12(
                base64.b64decode(secrets.l10n_my_einvoice_certificate),
                secrets.l10n_my_einvoice_certificate_password or "",
            )
        except core_certificate.CertificateError as error:
            raise UserError(self._l10n_my_einvoice_certificate_error(error)) from None

    def _l10n_my_einvoice_reconcile(self, documents):
        """Documents left 'sending' (timeout, dropped connection, crash after the HTTP
        call) are looked up at LHDN by number before anything is sent again: found,
        they take LHDN's UUID and state; not found, they go back to the queue."""
        self.ensure_one()
        client = self._l10n_my_einvoice_client(documents)
        received = {}  # (number, issue time) -> LHDN's newest item: LHDN's own duplicate key
        for item in self._l10n_my_einvoice_search_sent(client, documents):
            if item.get("status") in ("Submitted", "Valid", "Invalid"):
                key = (item.get("internalId"), item.get("dateTimeIssued"))
                if (item.get("dateTimeReceived") or "") >= (received.get(key, {}).get("dateTimeReceived") or ""):
                    received[key] = item
        submissions = {}
        for document in documents:
            # An older document that reused the number has another issue time: not ours.
            issued = document.issued_at.strftime("%Y-%m-%dT%H:%M:%SZ") if document.issued_at else None
            item = received.get((document.code_number, issued))
            if not item:
                document.write({"state": "queued"})
                _logger.info("MyInvois: %s never reached LHDN; queued again", document.code_number)
                continue
            uid = item.get("submissionUID") or item.get("submissionUid")
            if uid not in submissions:
                submissions[uid] = self.env["l10n_my_einvoice.submission"].search(
                    [("uid", "=", uid), ("company_id", "=", self.id)], limit=1
                ) or self.env["l10n_my_einvoice.submission"].create(
                    {"uid": uid, "company_id": self.id, "submitted_at": fields.Datetime.now()}
                )
            submissions[uid].state = "in_progress"
            document.write({"state": "submitted", "uuid": item.get("uuid"), "submission_id": submissions[uid].id})
            document._post_state_message()

    @api.model
    def _l10n_my_einvoice_search_sent(self, client, documents, per_document_up_to=5):
        """LHDN's items for what we sent since the first of ``documents`` was signed.
        Search is limited to 12 calls a minute: a few documents are looked up by
        number, many by one paged scan of the submission dates."""
        sent = [(d.issued_at or d.write_date).replace(tzinfo=datetime.timezone.utc) for d in documents]
        window = {
            "invoiceDirection": "Sent",
            "submissionDateFrom": min(sent) - datetime.timedelta(minutes=5),
            "submissionDateTo": utc_now(),
        }
        if len(documents) <= per_document_up_to:
            return [
                item
                for document in documents
                for item in client.search_documents(searchQuery=document.code_number, **window).get("result") or []
            ]
        items, page = [], 1
        while True:
            body = client.search_documents(pageNo=page, pageSize=100, **window)
            items += body.get("result") or []
            if page >= int((body.get("metadata") or {}).get("totalPages") or 1):
                return items
            page += 1

    def _l10n_my_einvoice_sign_documents(self, documents):
        """Sign ``documents`` with the company's certificate. Those that cannot be
        built or signed are written 'invalid' with their problems; returns
        (document, payload, values) for the others."""
        certificate = self._l10n_my_einvoice_loaded_certificate()
        prepared, failed = [], self.env["l10n_my_einvoice.document"]
        documents.move_id._l10n_my_einvoice_prefetch()
        for document in documents:
            try:
                payload, problems, values = document.move_id._l10n_my_einvoice_sign(certificate, utc_now())
            except signing.SigningError as error:  # e.g. the certificate expired since the upload
                payload, problems = None, [self._l10n_my_einvoice_certificate_error(error)]
            if problems:
                document.error_text = "\n".join(problems)
                failed |= document
                continue
            prepared.append((document, payload, values))
        if failed:
            failed.write({"state": "invalid"})
            failed._post_state_message()
        return prepared

    def _l10n_my_einvoice_submit(self, documents, in_cron=False):
        """Sign and submit ``documents`` (queued, of this company). Each document is
        written 'sending' with its hash and committed (in a cron run) before the HTTP
        call, so a crash mid-send leaves a trace to reconcile instead of a resend.
        Writes are grouped per state so a batch costs a few queries, not a few per
        document."""
        self.ensure_one()
        Document = self.env["l10n_my_einvoice.document"]
        client = self._l10n_my_einvoice_client(documents)
        prepared = self._l10n_my_einvoice_sign_documents(documents)
        attachments = self.env["ir.attachment"].create(
            [
                {
                    "name": f"{values['code_number'].replace('/', '_')}-myinvois.xml",
                    "raw": payload.data,
                    "mimetype": "application/xml",
                    "res_model": Document._name,
                    "res_id": document.id,
                }
                for document, payload, values in prepared
            ]
        )
        for (document, _payload, values), attachment in zip(prepared, attachments, strict=True):
            document.write({**values, "attachment_id": attachment.id})
        Document.browse([document.id for document, _payload, _values in prepared]).write({"state": "sending"})
        if in_cron:
            self.env["ir.cron"]._commit_progress(0)
        by_code = {payload.code_number: document for document, payload, _values in prepared}
        for batch in api_client.split_batches([payload for _document, payload, _values in prepared]):
            batch_records = Document.browse([by_code[p.code_number].id for p in batch])
            client.on_response.documents = batch_records
            try:
                response = client.submit(batch)
            except api_client.ServiceUnavailableError as error:
                if not error.outcome_unknown:
                    batch_records.write({"state": "queued"})
                # Unknown outcome: the documents stay 'sending' until reconciled with LHDN.
                raise
            except api_client.DuplicateSubmissionError:
                continue  # the same payload arrived before: 'sending' rows are reconciled, never an error
            except api_client.RateLimitedError:
                batch_records.write({"state": "queued"})
                raise
            except api_client.MyInvoisError as error:
                batch_records.write({"state": "invalid"})
                for record in batch_records:
                    record._set_errors([{"errorCode": error.code, "error": str(error)}] + list(error.errors))
                batch_records._post_state_message()
                continue
            submission = self.env["l10n_my_einvoice.submission"].create(
                {"uid": response.get("submissionUid"), "company_id": self.id, "submitted_at": fields.Datetime.now()}
            )
            accepted = {item.get("invoiceCodeNumber"): item for item in response.get("acceptedDocuments") or []}
            rejected = {item.get("invoiceCodeNumber"): item for item in response.get("rejectedDocuments") or []}
            accepted_records = batch_records.filtered(lambda d: d.code_number in accepted)
            rejected_records = batch_records.filtered(lambda d: d.code_number in rejected)
            accepted_records.write({"state": "submitted", "submission_id": submission.id})
            rejected_records.write({"state": "invalid", "submission_id": submission.id})
            for record in accepted_records:
                record.uuid = accepted[record.code_number].get("uuid")
            for record in rejected_records:
                record._set_errors([rejected[record.code_number].get("error") or {}])
            if not accepted_records:
                submission.state = "done"
            (accepted_records | rejected_records)._post_state_message()
            if in_cron:
                self.env["ir.cron"]._commit_progress(len(batch))
