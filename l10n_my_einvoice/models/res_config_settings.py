from odoo import fields, models
from odoo.exceptions import UserError

from ..myinvois import client as api_client
from . import einvoice_error_guide


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    # Identity of the company as the supplier on every document.
    l10n_my_einvoice_company_vat = fields.Char(related="company_id.vat", readonly=False, string="TIN")
    l10n_my_identification_type = fields.Selection(related="company_id.l10n_my_identification_type", readonly=False)
    l10n_my_identification_number = fields.Char(related="company_id.l10n_my_identification_number", readonly=False)
    sst_registration_number = fields.Char(related="company_id.sst_registration_number", readonly=False)
    ttx_registration_number = fields.Char(related="company_id.ttx_registration_number", readonly=False)
    l10n_my_einvoice_msic_id = fields.Many2one(related="company_id.l10n_my_einvoice_msic_id", readonly=False)
    l10n_my_einvoice_business_activity = fields.Char(
        related="company_id.l10n_my_einvoice_business_activity", readonly=False
    )

    # Connection (credentials: Settings administrators only).
    l10n_my_einvoice_environment = fields.Selection(related="company_id.l10n_my_einvoice_environment", readonly=False)
    l10n_my_einvoice_custom_url = fields.Char(related="company_id.l10n_my_einvoice_custom_url", readonly=False)
    l10n_my_einvoice_api_url = fields.Char(related="company_id.l10n_my_einvoice_api_url")
    l10n_my_einvoice_login_as = fields.Selection(related="company_id.l10n_my_einvoice_login_as", readonly=False)
    l10n_my_einvoice_onbehalfof = fields.Char(related="company_id.l10n_my_einvoice_onbehalfof", readonly=False)
    l10n_my_einvoice_client_id = fields.Char(
        related="company_id.l10n_my_einvoice_client_id", readonly=False, groups="base.group_system"
    )
    l10n_my_einvoice_client_secret = fields.Char(
        related="company_id.l10n_my_einvoice_client_secret", readonly=False, groups="base.group_system"
    )

    l10n_my_einvoice_fetch_received = fields.Boolean(
        related="company_id.l10n_my_einvoice_fetch_received", readonly=False
    )
    l10n_my_einvoice_log_retention_days = fields.Integer(
        related="company_id.l10n_my_einvoice_log_retention_days", readonly=False
    )

    # Certificate details (the file and its password go through the upload wizard).
    l10n_my_einvoice_cert_filename = fields.Char(related="company_id.l10n_my_einvoice_cert_filename")
    l10n_my_einvoice_cert_subject = fields.Char(related="company_id.l10n_my_einvoice_cert_subject")
    l10n_my_einvoice_cert_issuer = fields.Char(related="company_id.l10n_my_einvoice_cert_issuer")
    l10n_my_einvoice_cert_serial = fields.Char(related="company_id.l10n_my_einvoice_cert_serial")
    l10n_my_einvoice_cert_valid_from = fields.Datetime(related="company_id.l10n_my_einvoice_cert_valid_from")
    l10n_my_einvoice_cert_valid_to = fields.Datetime(related="company_id.l10n_my_einvoice_cert_valid_to")
    l10n_my_einvoice_cert_tin = fields.Char(related="company_id.l10n_my_einvoice_cert_tin")
    l10n_my_einvoice_cert_brn = fields.Char(related="company_id.l10n_my_einvoice_cert_brn")
    l10n_my_einvoice_cert_state = fields.Selection(related="company_id.l10n_my_einvoice_cert_state")
    l10n_my_einvoice_cert_warnings = fields.Text(related="company_id.l10n_my_einvoice_cert_warnings")

    def action_l10n_my_einvoice_upload_certificate(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Upload signing certificate"),
            "res_model": "l10n_my_einvoice.certificate.upload",
            "view_mode": "form",
            "target": "new",
            "context": {"default_company_id": self.company_id.id},
        }

    def action_l10n_my_einvoice_test_connection(self):
        """Log in with the saved credentials and read the document types: proves the
        URL, the client ID/secret and (for an intermediary) the onbehalfof right."""
        self.ensure_one()
        self.execute()  # test what is on the screen, saved
        company = self.company_id
        client = company._l10n_my_einvoice_client()
        client.tokens.invalidate(client.token_key)  # a real login, not a cached token
        try:
            client.login()
            types = client.document_types().get("result") or []
        except api_client.MyInvoisError as error:
            raise UserError(
                self.env._(
                    "MyInvois connection failed for %(company)s at %(url)s: %(reason)s",
                    company=company.name,
                    url=client.base_url,
                    reason=einvoice_error_guide.error_text(self.env, error),
                )
            ) from None
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": self.env._("Connected to MyInvois"),
                "message": self.env._(
                    "Logged in at %(url)s%(who)s; %(count)s document types available.",
                    url=client.base_url,
                    count=len(types),
                    who=self.env._(" on behalf of %s", client.onbehalfof) if client.onbehalfof else "",
                ),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }
