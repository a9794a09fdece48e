from odoo import fields, models


class CertificateUpload(models.TransientModel):
    """Takes the PKCS#12 file and its password together, so that they are checked
    as a pair before either is stored (res.company.write refuses a bad pair)."""

    _name = "l10n_my_einvoice.certificate.upload"
    _description = "Upload a MyInvois signing certificate"

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    certificate = fields.Binary(string="Certificate file (.p12 / .pfx)", required=True, attachment=False)
    filename = fields.Char()
    password = fields.Char()

    def action_upload(self):
        self.ensure_one()
        self.company_id.write(
            {
                "l10n_my_einvoice_certificate": self.certificate,
                "l10n_my_einvoice_certificate_password": self.password or False,
                "l10n_my_einvoice_cert_filename": self.filename or "certificate.p12",
            }
        )
        # The wizard row held the secret only for this request; remove it now rather
        # than waiting for the transient vacuum.
        self.unlink()
        return {"type": "ir.actions.client", "tag": "soft_reload"}
