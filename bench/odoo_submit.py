"""Posted to Valid inside a real Odoo 19 database: documents per second and SQL
queries per document (prints figures, asserts nothing; not run by CI).

    createdb -T myinv_base myinv_bench     # or any database; then install the addon once:
    /opt/odoo/venv/bin/python /opt/odoo/odoo-bin -d myinv_bench \\
        --addons-path=/opt/odoo/addons,. -i l10n_my_einvoice --stop-after-init
    /opt/odoo/venv/bin/python bench/odoo_submit.py --db myinv_bench [--count 1000] [--workers 2] [--lines 1]

Each run makes a company of its own (committed; the database is a scratch one)
with ``--count`` posted invoices, then measures, against the emulator on
loopback in this process:
  queue   the Submit button over all invoices (checks every one, queues them);
  submit  ``--workers`` processes running the submission cron until the queue
          is empty (sign, store, submit in batches of 100), as Odoo's cron
          workers would; they share the token and rate limits through the database;
  poll    the emulator validates, then the status cron (Get Submission) marks
          every document Valid.
Queries are Odoo's own SQL counter (every statement of every cursor, the
shared token/rate-limit cursors included). The emulator validates each
document (XSD, rules, signature) on the same machine, so its CPU is included.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ODOO_PATH = Path(os.environ.get("ODOO_PATH", "/opt/odoo"))
CLIENT_ID, CLIENT_SECRET, PASSWORD = "bench-erp", "bench-secret", "bench-pfx"
TIN, BRN = "C1357924680", "202201067890"


def load_odoo(db):
    sys.path.insert(0, str(ODOO_PATH))
    import odoo  # noqa: F401
    from odoo.tools import config

    config.parse_config(["-d", db, f"--addons-path={ODOO_PATH / 'addons'},{ROOT}", "--log-level=warn"])
    from odoo.modules.registry import Registry

    return Registry(db)


def worker_env(registry):
    """A superuser environment on its own committed cursor (imported once load_odoo
    has put Odoo on the path)."""
    from odoo.addons.l10n_my_einvoice.tests.committed_data import worker_env as committed_env

    return committed_env(registry)


def query_count():
    from odoo import sql_db

    return sql_db.sql_counter


def worker(db, batch):
    """One cron worker: run the submission cron until nothing is queued."""
    registry = load_odoo(db)
    print("ready", flush=True)
    sys.stdin.readline()  # go: the registry is loaded before the clock starts
    taken = 0
    queries = query_count()
    start, cpu = time.perf_counter(), time.process_time()
    while True:
        with worker_env(registry) as env:
            documents = env["account.move"]._cron_l10n_my_einvoice_submit(batch_limit=batch)
            taken += len(documents)
        if not documents:
            break
    print(
        json.dumps(
            {
                "documents": taken,
                "queries": query_count() - queries,
                "seconds": time.perf_counter() - start,
                "cpu": time.process_time() - cpu,
            }
        )
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--lines", type=int, default=1)
    parser.add_argument("--batch", type=int, default=100, help="documents a cron run takes")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args.db, args.batch)

    registry = load_odoo(args.db)
    from odoo.addons.l10n_my_einvoice.myinvois.emulator import Emulator
    from odoo.addons.l10n_my_einvoice.tests.committed_data import make_company, make_posted_invoices

    with Emulator(validation_delay=0) as emulator:
        emulator.add_client(CLIENT_ID, CLIENT_SECRET, TIN, brn=BRN)
        with worker_env(registry) as env:
            started = time.perf_counter()
            company = make_company(
                env,
                f"Bench {time.strftime('%Y%m%d-%H%M%S')} Sdn. Bhd.",
                emulator.base_url,
                TIN,
                BRN,
                CLIENT_ID,
                CLIENT_SECRET,
                PASSWORD,
            )
            moves = make_posted_invoices(env, company, args.count, args.lines)
            move_ids = moves.ids
            print(
                f"setup: {args.count} posted invoices of {args.lines} line(s) in "
                f"{time.perf_counter() - started:.1f} s (not measured below)"
            )

        figures = {}
        t0, c0 = time.perf_counter(), time.process_time()
        q0 = query_count()
        with worker_env(registry) as env:
            env["account.move"].browse(move_ids).action_l10n_my_einvoice_submit()
        figures["queue"] = (time.perf_counter() - t0, query_count() - q0)
        cpu = {"queue": time.process_time() - c0}

        command = [sys.executable, __file__, "--worker", "--db", args.db, "--batch", str(args.batch)]
        processes = [
            subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            for _i in range(args.workers)
        ]
        for process in processes:
            assert process.stdout.readline().strip() == "ready"
        t1, c1 = time.perf_counter(), time.process_time()
        for process in processes:
            process.stdin.write("go\n")
            process.stdin.close()
        results = [json.loads(process.stdout.read().strip().splitlines()[-1]) for process in processes]
        for process in processes:
            process.wait()
        figures["submit"] = (time.perf_counter() - t1, sum(result["queries"] for result in results))
        cpu["submit"] = sum(result["cpu"] for result in results)
        emulator_cpu = time.process_time() - c1  # this process only serves the emulator meanwhile

        t2 = time.perf_counter()
        emulator.process_pending()  # documents were checked on receipt; this decides them
        validated = time.perf_counter() - t2
        q2, c2 = query_count(), time.process_time()
        with worker_env(registry) as env:
            env["account.move"]._cron_l10n_my_einvoice_poll()
        figures["poll"] = (time.perf_counter() - t2 - validated, query_count() - q2)
        cpu["poll"] = time.process_time() - c2  # includes the emulator's answers (same process)

        with worker_env(registry) as env:
            moves = env["account.move"].browse(move_ids)
            valid = moves.mapped("l10n_my_einvoice_state").count("valid")
            sent_once = all(len(emulator.documents_by_code(name)) == 1 for name in moves.mapped("name"))

    count = args.count
    print(
        f"documents: {count}, Valid: {valid}, each at LHDN exactly once: {sent_once}, "
        f"workers: {args.workers} ({', '.join(str(r['documents']) for r in results)} documents each)"
    )
    for phase, (seconds, queries) in figures.items():
        print(
            f"  {phase:<7} {seconds:7.2f} s  {count / seconds:8.1f} documents/s  "
            f"{queries:7d} queries  {queries / count:6.2f} queries/document  "
            f"CPU {cpu[phase] * 1000 / count:5.2f} ms/document"
        )
    seconds = sum(s for s, _q in figures.values())
    queries = sum(q for _s, q in figures.values())
    odoo_cpu = sum(cpu.values()) / count
    print(
        f"posted -> Valid: {seconds:.2f} s = {count / seconds:.1f} documents/s on this machine "
        f"({os.cpu_count()} cores, the emulator's checks included); {queries / count:.2f} queries/document"
    )
    print(
        f"The emulator's CPU while receiving (LHDN's work: schema, rules, signature): "
        f"{emulator_cpu * 1000 / count:.2f} ms/document"
    )
    print(
        f"Odoo's own CPU: {odoo_cpu * 1000:.2f} ms/document = {1 / odoo_cpu:.0f} documents/s per core "
        f"(the workers' CPU; queue and poll include the in-process emulator's answers)"
    )


if __name__ == "__main__":
    main()
