"""A month of B2C sales -> consolidated, signed e-invoices inside a real Odoo 19 database:
wall time, SQL queries and peak RSS of the monthly consolidation (prints figures,
asserts nothing; not run by CI).

    createdb -T l10n_my_einvoice_tmpl_<key> myinv_cons    # the test template (tools/odoo_env.sh:
                                                           # odoo_template), or any database; then
    /opt/odoo/venv/bin/python /opt/odoo/odoo-bin -d myinv_cons \\
        --addons-path=/opt/odoo/addons,/opt/odoo/odoo/addons,. -i l10n_my_einvoice --stop-after-init
    /opt/odoo/venv/bin/python bench/consolidation.py --db myinv_cons [--count 100000] [--lines range|receipt]
    dropdb myinv_cons

Setup (timed apart, not measured below): a committed company of its own that consolidates
(``--lines``: one line per continuous number range, or per receipt), a walk-in customer
without TIN, three taxes (01 sales 10 %, 02 service 8 %, E exempt with its reason), two
sale journals; a few dozen varied invoices posted through the ORM (one or two lines,
discounts, the three taxes) and one refund of the same month, all dated two months
before today; then the invoices copied with set-based SQL up to ``--count`` sales
(moves, journal items and their taxes and tags; each journal's numbering continuous but
for three deliberate gaps, dates spread over the month in number order).

Measured, each with wall time, Odoo's SQL counter and the process's peak RSS
(``ru_maxrss``, never going down):
  consolidate  ``_consolidate(company, month)``: collect, plan, create the documents, mark
               every move; committed;
  sign         ``pipeline.submit._sign`` of all created documents (build, validate, sign; no HTTP).
Then the books against what was signed: Σ payable of the signed documents against
Σ ``amount_total_signed`` of the declared moves, and the tax and exempt base per LHDN type.
``--profile FILE`` writes a cProfile of both phases (``python -m pstats FILE``).
"""

import argparse
import cProfile
import datetime
import os
import resource
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ODOO_PATH = Path(os.environ.get("ODOO_PATH", "/opt/odoo"))
CLIENT_ID, CLIENT_SECRET, PASSWORD = "bench-erp", "bench-secret", "bench-pfx"
TIN, BRN = "C1357924680", "202201067890"
BASE_SALES = 40  # posted through the ORM, half in each journal; the rest are SQL copies of them
GAPS = 3  # deliberate gaps in each journal's numbering (a new range line after each)
CENT = Decimal("0.01")


def load_odoo(db):
    sys.path.insert(0, str(ODOO_PATH))
    import odoo  # noqa: F401
    from odoo.tools import config

    config.parse_config(["-d", db, f"--addons-path={ODOO_PATH / 'addons'},{ROOT}", "--log-level=warn"])
    from odoo.modules.registry import Registry

    return Registry(db)


def worker_env(registry):
    from odoo.addons.l10n_my_einvoice.tests.committed_data import worker_env as committed_env

    return committed_env(registry)


def query_count():
    from odoo import sql_db

    return sql_db.sql_counter


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def previous_month(day):
    return (day.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def make_setup(env, lines_mode):
    """The company, its taxes, journals and partner; BASE_SALES posted sales and a refund."""
    from odoo import Command

    from odoo.addons.l10n_my_einvoice.models.pipeline_consolidate import malaysia_today
    from odoo.addons.l10n_my_einvoice.tests.committed_data import make_company

    company = make_company(
        env,
        f"Consolidation bench {time.strftime('%Y%m%d-%H%M%S')} Sdn. Bhd.",
        "http://127.0.0.1:9",  # never called: signing needs no HTTP
        TIN,
        BRN,
        CLIENT_ID,
        CLIENT_SECRET,
        PASSWORD,
    )
    company.write({"l10n_my_einvoice_consolidate": True, "l10n_my_einvoice_consolidation_lines": lines_mode})
    env = env(context={"allowed_company_ids": company.ids})
    my = env.ref("base.my")
    walk_in = env["res.partner"].create({"name": "Walk-in customer", "country_id": my.id})
    common = {"type_tax_use": "sale", "amount_type": "percent", "company_id": company.id}
    Tax = env["account.tax"]
    taxes = [
        Tax.create({**common, "name": "ST 10 (bench)", "amount": 10, "l10n_my_tax_type": "01"}),
        Tax.create({**common, "name": "SVT 8 (bench)", "amount": 8, "l10n_my_tax_type": "02"}),
        Tax.create(
            {
                **common,
                "name": "Exempt (bench)",
                "amount": 0,
                "l10n_my_tax_type": "E",
                "l10n_my_tax_exemption_reason": "Exempt under Sales Tax Order 2018",
            }
        ),
    ]
    Product = env["product.product"]
    products = [Product.create({"name": "Nasi lemak", "list_price": 12.5}), Product.create({"name": "Teh tarik"})]
    journal = env["account.journal"].search([("company_id", "=", company.id), ("type", "=", "sale")], limit=1)
    journals = [journal, journal.copy({"name": "Shop 2", "code": "SHP2"})]
    month = previous_month(previous_month(malaysia_today()))

    def values(index):
        lines = [
            Command.create(
                {
                    "product_id": products[0].id,
                    "quantity": 1 + index % 3,
                    "price_unit": 10 + (index % 17) * 1.37,
                    "discount": 10 if index % 5 == 0 else 0,
                    "tax_ids": [Command.set(taxes[index % 3].ids)],
                }
            )
        ]
        if index % 2 == 0:  # a second line, of another tax type
            lines.append(
                Command.create(
                    {
                        "product_id": products[1].id,
                        "quantity": 1 + index % 2,
                        "price_unit": 4.99 + index % 7,
                        "discount": 5 if index % 3 == 0 else 0,
                        "tax_ids": [Command.set(taxes[(index + 1) % 3].ids)],
                    }
                )
            )
        return {
            "move_type": "out_invoice",
            "partner_id": walk_in.id,
            "journal_id": journals[index % 2].id,
            "invoice_date": month,
            "invoice_line_ids": lines,
        }

    Move = env["account.move"]
    sales = Move
    for index in range(BASE_SALES):  # one by one: each journal numbered in posting order
        move = Move.create(values(index))
        move.action_post()
        sales |= move
    refund = sales[7]._reverse_moves([{"invoice_date": month + datetime.timedelta(days=20), "ref": "Returned"}])
    refund.action_post()
    routes = set((sales | refund).mapped("l10n_my_einvoice_route"))
    if routes != {"consolidate"}:  # the setup itself is wrong: nothing to measure
        raise SystemExit(f"setup: the sales should wait for consolidation, their routes are {routes}")
    return company, month, sales, refund


def columns(cr, table):
    cr.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s ORDER BY ordinal_position",
        [table],
    )
    return [row[0] for row in cr.fetchall()]


def copy_sql(cr, table, alias, overrides):
    """INSERT INTO table (all columns) SELECT overrides, else alias.column."""
    names = columns(cr, table)
    return f"INSERT INTO {table} ({', '.join(names)}) SELECT " + ", ".join(
        overrides.get(name, f"{alias}.{name}") for name in names
    )


def multiply(cr, sales, count, month):
    """Copy ``sales`` (posted, of two journals) up to ``count`` sales, set-based. Each
    journal's numbering goes on from its last ORM number, continuous but for GAPS gaps."""
    copies = count - len(sales)
    if copies <= 0:
        return 0
    days = (previous_month(month + datetime.timedelta(days=40)) - month).days  # days in the month
    cr.execute(
        """
        CREATE TEMP TABLE bench_copy ON COMMIT DROP AS
        WITH base AS (
            SELECT id, journal_id, (row_number() OVER (ORDER BY id) - 1)::int AS i
              FROM account_move WHERE id = ANY(%(sales)s)
        ), journal AS (
            SELECT journal_id, MAX(sequence_number) AS last, MIN(sequence_prefix) AS prefix,
                   MIN(length(name) - length(sequence_prefix)) AS pad
              FROM account_move WHERE id = ANY(%(sales)s) GROUP BY journal_id
        ), ranked AS (
            SELECT base.id AS base_id, base.journal_id,
                   row_number() OVER (PARTITION BY base.journal_id ORDER BY c) AS rn,
                   count(*) OVER (PARTITION BY base.journal_id) AS total
              FROM generate_series(0, %(copies)s - 1) c JOIN base ON base.i = c %% %(bases)s
        ), numbered AS (
            SELECT ranked.*, journal.prefix, journal.pad,
                   journal.last + rn + rn * %(parts)s / (total + 1) AS seq,
                   rn * %(parts)s / (total + 1) <> (rn - 1) * %(parts)s / (total + 1) AS gap
              FROM ranked JOIN journal USING (journal_id)
        )
        SELECT nextval('account_move_id_seq')::int AS id, base_id, seq::int AS seq, gap,
               prefix || lpad(seq::text, GREATEST(pad, length(seq::text)), '0') AS name,
               %(month)s::date + ((rn - 1) * %(days)s / total)::int AS day
          FROM numbered
        """,
        {
            "sales": sales.ids,
            "copies": copies,
            "bases": len(sales),
            "parts": GAPS + 1,
            "month": month,
            "days": days,
        },
    )
    now = "(now() AT TIME ZONE 'UTC')"
    cr.execute(
        copy_sql(
            cr,
            "account_move",
            "move",
            {
                "id": "cp.id",
                "name": "cp.name",
                "sequence_number": "cp.seq",
                "made_sequence_gap": "cp.gap",
                "date": "cp.day",
                "invoice_date": "cp.day",
                "invoice_date_due": "cp.day",
                "payment_reference": "cp.name",
                "access_token": "NULL",
                "inalterable_hash": "NULL",
                "secure_sequence_number": "NULL",
                "message_main_attachment_id": "NULL",
                "l10n_my_einvoice_document_id": "NULL",
                "l10n_my_einvoice_consolidated_document_id": "NULL",
                "create_date": now,
                "write_date": now,
            },
        )
        + " FROM bench_copy cp JOIN account_move move ON move.id = cp.base_id"
    )
    cr.execute(
        """
        CREATE TEMP TABLE bench_line ON COMMIT DROP AS
        SELECT nextval('account_move_line_id_seq')::int AS id, line.id AS base_id, cp.id AS move_id, cp.name, cp.day
          FROM bench_copy cp JOIN account_move_line line ON line.move_id = cp.base_id
        """
    )
    cr.execute(
        copy_sql(
            cr,
            "account_move_line",
            "line",
            {
                "id": "bl.id",
                "move_id": "bl.move_id",
                "move_name": "bl.name",
                "date": "bl.day",
                "invoice_date": "bl.day",
                "date_maturity": "CASE WHEN line.date_maturity IS NULL THEN NULL ELSE bl.day END",
                "matching_number": "NULL",
                "full_reconcile_id": "NULL",
                "create_date": now,
                "write_date": now,
            },
        )
        + " FROM bench_line bl JOIN account_move_line line ON line.id = bl.base_id"
    )
    for rel, other in (
        ("account_move_line_account_tax_rel", "account_tax_id"),
        ("account_account_tag_account_move_line_rel", "account_account_tag_id"),
    ):
        cr.execute(
            f"""
            INSERT INTO {rel} (account_move_line_id, {other})
            SELECT bl.id, rel.{other} FROM bench_line bl JOIN {rel} rel ON rel.account_move_line_id = bl.base_id
            """
        )
    cr.execute("SELECT count(*) FROM bench_line")
    (lines,) = cr.fetchone()
    return lines


def books(cr, document_ids):
    """What the books hold for the moves these documents declare: (moves, Σ amount_total_signed,
    {type: tax}, {type: taxable})."""
    cr.execute(
        """
        SELECT count(*), SUM(amount_total_signed) FROM account_move
         WHERE l10n_my_einvoice_consolidated_document_id = ANY(%s)""",
        [document_ids],
    )
    moves, total = cr.fetchone()
    cr.execute(
        """
        SELECT tax.l10n_my_tax_type, -SUM(line.balance) FROM account_move_line line
          JOIN account_move move ON move.id = line.move_id
          JOIN account_tax tax ON tax.id = line.tax_line_id
         WHERE move.l10n_my_einvoice_consolidated_document_id = ANY(%s) AND line.display_type = 'tax'
         GROUP BY 1""",
        [document_ids],
    )
    tax = {kind: Decimal(str(amount)) for kind, amount in cr.fetchall()}
    cr.execute(
        """
        SELECT tax.l10n_my_tax_type, -SUM(line.balance) FROM account_move_line line
          JOIN account_move move ON move.id = line.move_id
          JOIN account_move_line_account_tax_rel rel ON rel.account_move_line_id = line.id
          JOIN account_tax tax ON tax.id = rel.account_tax_id
         WHERE move.l10n_my_einvoice_consolidated_document_id = ANY(%s) AND line.display_type = 'product'
         GROUP BY 1""",
        [document_ids],
    )
    taxable = {kind: Decimal(str(amount)) for kind, amount in cr.fetchall()}
    return moves, Decimal(str(total or 0)), tax, taxable


class Phase:
    """Wall time, queries and peak RSS of a block (optionally under cProfile)."""

    def __init__(self, name, figures, profile):
        self.name, self.figures, self.profile = name, figures, profile

    def __enter__(self):
        self.queries, self.started = query_count(), time.perf_counter()
        if self.profile:
            self.profile.enable()

    def __exit__(self, *exc):
        if self.profile:
            self.profile.disable()
        self.figures[self.name] = (time.perf_counter() - self.started, query_count() - self.queries, peak_rss_mb())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--count", type=int, default=100000, help="posted sales of the month")
    parser.add_argument("--lines", choices=("range", "receipt"), default="range")
    parser.add_argument("--profile", help="write a cProfile of the measured phases to this file")
    args = parser.parse_args()

    registry = load_odoo(args.db)
    from odoo.addons.l10n_my_einvoice.myinvois import ubl

    started = time.perf_counter()
    with worker_env(registry) as env:
        company, month, sales, refund = make_setup(env, args.lines)
        company_id, refund_ids = company.id, refund.ids
        orm_done = time.perf_counter()
        lines = multiply(env.cr, sales, args.count, month)
        env.cr.execute("ANALYZE account_move, account_move_line, account_move_line_account_tax_rel")
    with worker_env(registry) as env:  # a fresh cursor and cache: the ORM sees the copies
        waiting = env["account.move"].search_count(
            [
                ("company_id", "=", company_id),
                ("state", "=", "posted"),
                ("l10n_my_einvoice_route", "=", "consolidate"),
                ("invoice_date", ">=", month),
                ("invoice_date", "<", month + datetime.timedelta(days=40)),
            ]
        )
        env.cr.execute(
            """
            SELECT journal.code, count(*), MIN(move.name), MAX(move.name), count(*) FILTER (WHERE made_sequence_gap)
              FROM account_move move JOIN account_journal journal ON journal.id = move.journal_id
             WHERE move.company_id = %s AND move.move_type = 'out_invoice' GROUP BY 1 ORDER BY 1""",
            [company_id],
        )
        numbering = "; ".join(
            f"{code}: {n} sales {first}..{last}, {gaps} gaps" for code, n, first, last, gaps in env.cr.fetchall()
        )
    print(
        f"setup: {waiting} waiting moves of {month:%Y-%m} ({max(args.count, len(sales))} sales, "
        f"{len(refund_ids)} refund; {numbering}): {BASE_SALES} sales and the refund through the ORM "
        f"in {orm_done - started:.1f} s, {max(args.count - len(sales), 0)} copies ({lines} journal items) "
        f"by SQL in {time.perf_counter() - orm_done:.1f} s (not measured below); "
        f"peak RSS so far {peak_rss_mb():.0f} MB"
    )

    figures, profile = {}, cProfile.Profile() if args.profile else None
    with Phase("consolidate", figures, profile), worker_env(registry) as env:
        company = env["res.company"].browse(company_id)
        documents = env["l10n_my_einvoice.pipeline.consolidate"]._consolidate(company, month)
        document_ids = documents.ids
    with Phase("sign", figures, profile), worker_env(registry) as env:
        company = env["res.company"].browse(company_id)
        documents = env["l10n_my_einvoice.document"].browse(document_ids)
        prepared = env["l10n_my_einvoice.pipeline.submit"]._sign(company, documents)
        signed = [(document.type_code, payload.data) for document, payload, _values in prepared]
        refused = len(documents) - len(prepared)
        receipts = sum(documents.mapped("receipt_count"))
    if profile:
        profile.dump_stats(args.profile)

    # --- what was signed against the books (not timed) ---------------------------------
    payable, declared_tax, declared_taxable, line_count = Decimal(0), {}, {}, 0
    for type_code, data in signed:
        sent = ubl.from_xml(data)
        sign = -1 if type_code in ("02", "12") else 1
        line_count += len(sent.lines)
        payable += sign * sent.declared["PayableAmount"]
        for subtotal in sent.declared_tax_subtotals:
            declared_tax[subtotal.type] = declared_tax.get(subtotal.type, 0) + sign * subtotal.amount
            declared_taxable[subtotal.type] = declared_taxable.get(subtotal.type, 0) + sign * subtotal.taxable_amount
    with worker_env(registry) as env:
        moves, booked, booked_tax, booked_taxable = books(env.cr, document_ids)

    biggest = max((len(data) for _type, data in signed), default=0)
    print(
        f"--lines {args.lines}: {len(document_ids)} documents ({refused} refused at signing), {line_count} lines, "
        f"{receipts} receipts; biggest signed document {biggest} bytes ({biggest / 1024:.1f} KB)"
    )
    for phase, (seconds, queries, rss) in figures.items():
        print(f"  {phase:<12} {seconds:7.2f} s  {queries:6d} queries  peak RSS {rss:6.0f} MB")
    seconds = sum(s for s, _q, _r in figures.values())
    queries = sum(q for _s, q, _r in figures.values())
    print(
        f"  {'total':<12} {seconds:7.2f} s  {queries:6d} queries  peak RSS {figures['sign'][2]:6.0f} MB  "
        f"({receipts / seconds:.0f} receipts/s; {os.cpu_count()} cores)"
    )
    equal = payable == booked.quantize(CENT)
    print(
        f"books: {moves} declared moves, Σ amount_total_signed {booked.quantize(CENT)}; "
        f"signed: Σ PayableAmount {payable} -> {'equal' if equal else f'DIFFERENT by {payable - booked}'}"
    )
    for kind in sorted(set(booked_tax) | set(declared_tax) | set(booked_taxable)):
        tax_b, tax_d = booked_tax.get(kind, Decimal(0)).quantize(CENT), declared_tax.get(kind, Decimal(0))
        base_b, base_d = booked_taxable.get(kind, Decimal(0)).quantize(CENT), declared_taxable.get(kind, Decimal(0))
        same = "equal" if (tax_b, base_b) == (tax_d, base_d) else "DIFFERENT"
        print(f"  type {kind:<3} tax books {tax_b} / signed {tax_d}; taxable books {base_b} / signed {base_d}: {same}")


if __name__ == "__main__":
    main()
