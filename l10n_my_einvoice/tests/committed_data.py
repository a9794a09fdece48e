"""Committed data and worker environments, for code that must commit (threads
and processes see only committed rows): the concurrency tests and
bench/odoo_submit.py. Not a test module."""

import base64
import contextlib
import datetime

from odoo import SUPERUSER_ID, api
from odoo.fields import Command
from odoo.orm.environments import Transaction

from ..myinvois.certificate import make_test_certificate


@contextlib.contextmanager
def worker_env(registry):
    """A superuser environment on a cursor of its own, committed on exit, as a cron
    worker has. The transaction is given the registry: Registry(dbname) would wait
    on the registry lock, which the test runner holds while post-install tests run."""
    with registry.cursor() as cr:
        cr.transaction = Transaction(registry)
        yield api.Environment(cr, SUPERUSER_ID, {})


def malaysian_customer_values(env, name="Pelanggan Berhad"):
    """A Malaysian company customer known to the emulator's taxpayers (TIN C9876543210)."""
    return {
        "name": name,
        "is_company": True,
        "vat": "C9876543210",
        "country_id": env.ref("base.my").id,
        "state_id": env.ref("base.state_my_jhr").id,
        "city": "Johor Bahru",
        "zip": "80000",
        "street": "No. 8, Jalan Pelanggan",
        "phone": "+6071234567",
        "l10n_my_identification_type": "BRN",
        "l10n_my_identification_number": "201901098765",
    }


def make_company(env, name, url, tin, brn, client_id, client_secret, password):
    """A company on l10n_my's chart, set up to send to the MyInvois API at ``url``."""
    my = env.ref("base.my")
    company = env["res.company"].create(
        {
            "name": name,
            "country_id": my.id,
            "currency_id": env.ref("base.MYR").id,
            "street": "No. 1, Jalan Selari",
            "city": "Shah Alam",
            "zip": "40000",
            "state_id": env.ref("base.state_my_sgr").id,
            "phone": "+60355501234",
        }
    )
    env["account.chart.template"].try_loading("my", company=company, install_demo=False)
    company.write(
        {
            "vat": tin,
            "l10n_my_identification_type": "BRN",
            "l10n_my_identification_number": brn,
            "l10n_my_einvoice_msic_id": env.ref("l10n_my_einvoice.msic_62099").id,
            "l10n_my_einvoice_environment": "custom",
            "l10n_my_einvoice_custom_url": url,
            "l10n_my_einvoice_client_id": client_id,
            "l10n_my_einvoice_client_secret": client_secret,
            "l10n_my_einvoice_certificate": base64.b64encode(
                make_test_certificate(tin=tin, brn=brn, password=password.encode())
            ),
            "l10n_my_einvoice_certificate_password": password,
        }
    )
    return company


def make_posted_invoices(env, company, count, lines=1):
    """``count`` posted customer invoices of ``company``, ``lines`` lines each."""
    env = env(context={"allowed_company_ids": company.ids})
    customer = env["res.partner"].create(malaysian_customer_values(env, f"Pelanggan {company.name}"))
    product = env["product.product"].create(
        {
            "name": "Consulting hour",
            "list_price": 150.0,
            "l10n_my_einvoice_classification_id": env.ref("l10n_my_einvoice.classification_022").id,
        }
    )
    tax = company.account_sale_tax_id
    moves = env["account.move"].create(
        [
            {
                "move_type": "out_invoice",
                "company_id": company.id,
                "partner_id": customer.id,
                "invoice_date": datetime.date.today(),
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "quantity": 1 + (i + line) % 5,
                            "price_unit": 150.0,
                            "tax_ids": [Command.set(tax.ids)],
                        }
                    )
                    for line in range(lines)
                ],
            }
            for i in range(count)
        ]
    )
    moves.action_post()
    return moves
