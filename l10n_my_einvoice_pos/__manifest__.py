{
    "name": "Malaysia - MyInvois e-Invoicing (direct): Point of Sale",
    "summary": "Declare POS receipts in the monthly consolidated MyInvois e-invoice",
    "version": "19.0.1.0.0",
    "category": "Accounting/Localizations/EDI",
    "author": "l10n_my_einvoice developers",
    "license": "LGPL-3",
    "countries": ["my"],
    "depends": ["l10n_my_einvoice", "point_of_sale"],
    "auto_install": True,
    "data": [
        "views/pos_order_views.xml",
        "views/einvoice_document_views.xml",
    ],
}
