"""Fill a new database that has l10n_my_einvoice installed with a Malaysian company set up
against a local MyInvois emulator, customers, classified products and posted invoices
ready for *Submit to MyInvois*. Used by ``bash dev.sh odoo`` (tools/odoo_demo.sh).

    $ODOO_PYTHON tools/odoo_demo_data.py --odoo-path /opt/odoo --addons-path ... -d DB \
        --emulator-url http://127.0.0.1:8765

Run with Odoo's interpreter; the client ID and secret are the emulator's demo client's.
"""

import argparse
import base64
import datetime
import sys

CERT_PASSWORD = "demo-password"  # a self-signed demo certificate, for the emulator only


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--odoo-path", required=True)
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--emulator-url", required=True)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    sys.path.insert(0, args.odoo_path)
    import odoo  # noqa: PLC0415  (Odoo is on sys.path only from here)
    from odoo import api
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(
        ["-d", args.database, "--addons-path", args.addons_path, "--data-dir", args.data_dir, "--no-http"]
    )
    with Registry(args.database).cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {"tracking_disable": True})
        moves = fill(env, args.emulator_url)
        print(
            f"demo data: {moves[0].company_id.name}, {len(moves)} posted documents ready to submit: "
            + ", ".join(moves.mapped("name"))
        )


def fill(env, emulator_url):
    # As Odoo loads the addon (the registry is up): odoo.addons.l10n_my_einvoice.
    from odoo.addons.l10n_my_einvoice.myinvois import certificate
    from odoo.addons.l10n_my_einvoice.myinvois.emulator.cli import (
        DEMO_BRN,
        DEMO_BUYER,
        DEMO_CLIENT_ID,
        DEMO_CLIENT_SECRET,
        DEMO_NAME,
        DEMO_TIN,
    )

    ref = env.ref
    my = ref("base.my")
    company = env.company
    company.write({"name": DEMO_NAME, "country_id": my.id, "currency_id": ref("base.MYR").id})
    if company.chart_template != "my":
        env["account.chart.template"].try_loading("my", company, install_demo=False)
    company.write(
        {
            "street": "Level 5, Menara Contoh",
            "street2": "Jalan Teknologi",
            "city": "Petaling Jaya",
            "zip": "46200",
            "state_id": ref("base.state_my_sgr").id,
            "phone": "+60378901234",
            "email": "akaun@contoh.example",
            "vat": DEMO_TIN,
            "l10n_my_identification_type": "BRN",
            "l10n_my_identification_number": DEMO_BRN,
            "sst_registration_number": "B16-1809-22000036",
            "l10n_my_einvoice_msic_id": ref("l10n_my_einvoice.msic_62099").id,
            "l10n_my_einvoice_business_activity": "Software development and IT services",
            "l10n_my_einvoice_environment": "custom",
            "l10n_my_einvoice_custom_url": emulator_url,
            "l10n_my_einvoice_client_id": DEMO_CLIENT_ID,
            "l10n_my_einvoice_client_secret": DEMO_CLIENT_SECRET,
        }
    )
    p12 = certificate.make_test_certificate(
        tin=DEMO_TIN, brn=DEMO_BRN, organization=DEMO_NAME, password=CERT_PASSWORD.encode()
    )
    env["l10n_my_einvoice.certificate.upload"].create(
        {
            "company_id": company.id,
            "certificate": base64.b64encode(p12),
            "filename": "demo-certificate.p12",
            "password": CERT_PASSWORD,
        }
    ).action_upload()
    partners = _partners(env, DEMO_BUYER)
    products = _products(env)
    moves = _invoices(env, company, partners, products)
    _shop_month(env, company, partners, products)
    _portal_buyer(env, partners["local"])
    return moves


def _portal_buyer(env, partner):
    """The customer's portal login (pelanggan / pelanggan): its e-invoice requests at /my."""
    env["res.users"].create(
        {
            "login": "pelanggan",
            "password": "pelanggan",
            "partner_id": partner.id,
            "group_ids": [(6, 0, [env.ref("base.group_portal").id])],
        }
    )


def _shop_month(env, company, partners, products):
    """Last month's counter sales to walk-in buyers, in a journal of their own: they wait
    for the monthly consolidated e-invoice (Accounting > Configuration > MyInvois >
    Consolidate now)."""
    company.l10n_my_einvoice_consolidate = True
    shop = env["account.journal"].create({"name": "Shop counter", "code": "SHOP", "type": "sale"})
    first = (env.cr.now().date().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    sale_tax = company.account_sale_tax_id
    sales = env["account.move"].create(
        [
            {
                "move_type": "out_invoice",
                "journal_id": shop.id,
                "partner_id": partners["walk_in"].id,
                "invoice_date": first + datetime.timedelta(days=index),
                "invoice_line_ids": [
                    (
                        0,
                        0,
                        {
                            "product_id": products["laptop" if index % 3 == 0 else "service"].id,
                            "quantity": 1 + index % 2,
                            "price_unit": 3899.0 if index % 3 == 0 else 120.0 + index,
                            "tax_ids": [(6, 0, sale_tax.ids)],
                        },
                    )
                ],
            }
            for index in range(24)
        ]
    )
    sales.action_post()
    refund = sales[5]._reverse_moves([{"invoice_date": first + datetime.timedelta(days=25)}])
    refund.action_post()


def _partners(env, buyer):
    ref, Partner = env.ref, env["res.partner"]
    tin, name, id_type, id_value = buyer
    common = {"is_company": True}
    return {
        "local": Partner.create(
            {
                **common,
                "name": name,
                "vat": tin,
                "l10n_my_identification_type": id_type,
                "l10n_my_identification_number": id_value,
                "street": "No. 8, Jalan Pelanggan",
                "city": "Johor Bahru",
                "zip": "80000",
                "state_id": ref("base.state_my_jhr").id,
                "country_id": ref("base.my").id,
                "phone": "+6071234567",
                "email": "ap@pelanggan.example",
            }
        ),
        "foreign": Partner.create(
            {
                **common,
                "name": "Lion City Trading Pte. Ltd.",
                "street": "1 Raffles Place",
                "city": "Singapore",
                "zip": "048616",
                "country_id": ref("base.sg").id,
                "phone": "+6561234567",
            }
        ),
        "walk_in": Partner.create(
            {
                "name": "Walk-in customer",
                "vat": "EI00000000010",
                "l10n_my_identification_type": "BRN",
                "l10n_my_identification_number": "NA",
                "street": "NA",
                "city": "Kuala Lumpur",
                "zip": "50000",
                "state_id": ref("base.state_my_kul").id,
                "country_id": ref("base.my").id,
                "phone": "NA",
            }
        ),
        "supplier": Partner.create(
            {
                **common,
                "name": "Cloud Hosting Inc.",
                "street": "500 Market Street",
                "city": "San Francisco",
                "zip": "94105",
                "state_id": ref("base.state_us_5").id,
                "country_id": ref("base.us").id,
                "phone": "+14155550100",
                "l10n_my_einvoice_self_billed": True,
            }
        ),
    }


def _products(env):
    others = env.ref("l10n_my_einvoice.classification_022")
    Product = env["product.product"]
    return {
        "service": Product.create(
            {
                "name": "Software development (man-day)",
                "type": "service",
                "list_price": 1500.0,
                "l10n_my_einvoice_classification_id": others.id,
            }
        ),
        "laptop": Product.create(
            {
                "name": "Laptop 14-inch",
                "type": "consu",
                "list_price": 3899.0,
                "l10n_my_einvoice_classification_id": others.id,
            }
        ),
        "hosting": Product.create(
            {
                "name": "Cloud hosting (monthly)",
                "type": "service",
                "list_price": 420.0,
                "standard_price": 420.0,
                "l10n_my_einvoice_classification_id": others.id,
            }
        ),
    }


def _invoices(env, company, partners, products):
    sale_tax, purchase_tax = company.account_sale_tax_id, company.account_purchase_tax_id
    usd = env.ref("base.USD")
    usd.active = True
    if not usd.rate_ids.filtered(lambda r: r.company_id == company):
        env["res.currency.rate"].create({"currency_id": usd.id, "company_id": company.id, "rate": 0.2237})

    def line(product, quantity, price, tax, **extra):
        return (
            0,
            0,
            {
                "product_id": product.id,
                "quantity": quantity,
                "price_unit": price,
                "tax_ids": [(6, 0, tax.ids)],
                **extra,
            },
        )

    today = env.cr.now().date()
    moves = env["account.move"].create(
        [
            {
                "move_type": "out_invoice",
                "partner_id": partners["local"].id,
                "invoice_date": today,
                "invoice_line_ids": [
                    line(products["service"], 12, 1500.0, sale_tax),
                    line(products["laptop"], 3, 3899.0, sale_tax, discount=5.0),
                ],
            },
            {
                "move_type": "out_invoice",
                "partner_id": partners["foreign"].id,
                "currency_id": usd.id,
                "invoice_date": today,
                "invoice_line_ids": [line(products["service"], 5, 350.0, env["account.tax"])],
            },
            {
                "move_type": "out_invoice",
                "partner_id": partners["walk_in"].id,
                "invoice_date": today,
                "invoice_line_ids": [line(products["laptop"], 1, 3899.0, sale_tax)],
            },
            {
                # A monthly service, its down payment deducted as Odoo's sale order does.
                "move_type": "out_invoice",
                "partner_id": partners["local"].id,
                "invoice_date": today,
                "ref": "PO-88123",
                "l10n_my_einvoice_period_start": today.replace(day=1),
                "l10n_my_einvoice_period_end": today,
                "l10n_my_einvoice_frequency": "Monthly",
                "invoice_line_ids": [
                    line(products["service"], 20, 1500.0, sale_tax),
                    line(products["service"], -1, 5000.0, sale_tax, name="Down payment (DP/2026/001)"),
                ],
            },
            {
                "move_type": "in_invoice",
                "partner_id": partners["supplier"].id,
                "currency_id": usd.id,
                "invoice_date": today,
                "ref": "CH-2026-1187",
                "invoice_line_ids": [line(products["hosting"], 1, 420.0, purchase_tax)],
            },
        ]
    )
    moves.action_post()
    return moves


if __name__ == "__main__":
    main()
