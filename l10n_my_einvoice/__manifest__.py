{
    "name": "Malaysia - MyInvois e-Invoicing (direct)",
    "version": "19.0.1.0.0",
    "category": "Accounting/Localizations/EDI",
    "summary": "Submit invoices to LHDN MyInvois directly, with your own API credentials and certificate",
    "description": """
Malaysian e-invoicing through LHDN's MyInvois API, without a middleman: the
company's own client ID/secret (as taxpayer or intermediary) and its own
organisation signing certificate (PKCS#12).
""",
    "author": "l10n_my_einvoice developers",
    "license": "LGPL-3",
    "countries": ["my"],
    "depends": ["account", "l10n_my", "account_debit_note", "portal"],
    "external_dependencies": {"python": ["lxml", "cryptography", "requests", "qrcode", "Pillow"]},
    "data": [
        "security/ir.model.access.csv",
        "security/security.xml",
        "data/ir_cron.xml",
        "data/l10n_my_einvoice.classification.xml",
        "data/l10n_my_einvoice.msic.csv",
        "views/code_table_views.xml",
        "views/api_log_views.xml",
        "views/res_config_settings_views.xml",
        "views/res_partner_views.xml",
        "views/product_template_views.xml",
        "views/account_tax_views.xml",
        "views/uom_uom_views.xml",
        "views/account_move_views.xml",
        "wizard/certificate_upload_views.xml",
        "views/menus.xml",
        "report/report_invoice.xml",
    ],
    "post_init_hook": "post_init_hook",
    "installable": True,
    "application": False,
}
