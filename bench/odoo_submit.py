"""Posted to Valid inside a real Odoo 19 database: documents per second, Odoo's CPU
and SQL queries per document, the emulator's CPU apart (prints figures, asserts
nothing; not run by CI).

    createdb -T myinv_base myinv_bench     # or any database; then install the addon once
    # (l10n_my_edi too, in this scratch database only, for the side-by-side below;
    # after pulling changes to the addon's fields, the same command with -u l10n_my_einvoice):
    /opt/odoo/venv/bin/python /opt/odoo/odoo-bin -d myinv_bench \\
        --addons-path=/opt/odoo/addons,. -i l10n_my_einvoice,l10n_my_edi --stop-after-init
    /opt/odoo/venv/bin/python bench/odoo_submit.py --db myinv_bench [--count 1000] [--workers 2] [--lines 10]

Each run makes a company of its own (committed; the database is a scratch one)
with ``--count`` posted invoices, then measures, against the emulator running in
a process of its own on loopback:
  queue   the Submit button over all invoices (builds and checks every one, stores
          the build, queues them);
  submit  ``--workers`` processes running the submission cron until the queue
          is empty (sign, store, submit in batches of 100), as Odoo's cron
          workers would; they share the token and rate limits through the database;
  poll    the emulator validates, then the status cron (Get Submission) marks
          every document Valid.
Queries are Odoo's own SQL counter (every statement of every cursor, the
shared token/rate-limit cursors included). Odoo's CPU is this process's (queue,
poll) and the workers' (submit); the emulator's (LHDN's work: schema, rules,
signature) is its own process's, printed apart. Both share the machine's cores.

Then, side by side in the same database and on the same invoices (``--compare``
of them, in a transaction rolled back): Odoo's own l10n_my_edi XML generation
(``myinvois.document._myinvois_generate_xml_file()``, unsigned, as a reference
only: this addon does not depend on it) against this addon's build + sign.
"""

import argparse
import cProfile
import json
import os
import pstats
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


def worker(db, batch, profile):
    """One cron worker: run the submission cron until nothing is queued."""
    registry = load_odoo(db)
    with worker_env(registry):  # its imports (the test package) before the clock, as a server has them
        pass
    print("ready", flush=True)
    sys.stdin.readline()  # go: the registry is loaded before the clock starts
    taken = 0
    queries = query_count()
    start, cpu = time.perf_counter(), time.process_time()
    with Profiled(profile and Path(profile) / f"submit-{os.getpid()}.prof"):
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


class Profiled:
    """cProfile around a phase when ``path`` is given (``--profile``): the profile is
    dumped there, and print_profiles shows where the phase's time went."""

    def __init__(self, path):
        self.path = path
        self.profile = cProfile.Profile() if path else None

    def __enter__(self):
        if self.profile:
            self.profile.enable()

    def __exit__(self, *_exc):
        if self.profile:
            self.profile.disable()
            self.profile.dump_stats(str(self.path))


def print_profiles(directory, top=25):
    for phase in ("queue", "submit", "poll"):
        files = sorted(str(path) for path in Path(directory).glob(f"{phase}*.prof"))
        if files:
            print(f"--- profile of {phase} ({len(files)} process(es)), by own time:")
            pstats.Stats(*files).sort_stats("tottime").print_stats(top)


def emulator_process():
    """The emulator alone, in this process: one JSON command a line on stdin, one JSON
    answer a line on stdout (its CPU is then its own, apart from Odoo's)."""
    sys.path.insert(0, str(ODOO_PATH))
    from odoo.tools import config

    config.parse_config([f"--addons-path={ODOO_PATH / 'addons'},{ROOT}", "--log-level=warn"])
    from odoo.addons.l10n_my_einvoice.myinvois.emulator import Emulator

    with Emulator(validation_delay=0) as emulator:
        emulator.add_client(CLIENT_ID, CLIENT_SECRET, TIN, brn=BRN)
        print(json.dumps({"url": emulator.base_url}), flush=True)
        for line in sys.stdin:
            command = json.loads(line)
            if command["op"] == "process_pending":
                answer = emulator.process_pending()
            elif command["op"] == "sent_once":
                answer = all(len(emulator.documents_by_code(name)) == 1 for name in command["names"])
            else:  # cpu
                answer = None
            print(json.dumps({"answer": answer, "cpu": time.process_time()}), flush=True)


class EmulatorProcess:
    def __init__(self):
        command = [sys.executable, __file__, "--emulator", "--db", "-"]
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.base_url = json.loads(self.process.stdout.readline())["url"]

    def ask(self, op, **values):
        """(answer, the emulator's CPU seconds so far)."""
        self.process.stdin.write(json.dumps({"op": op, **values}) + "\n")
        self.process.stdin.flush()
        reply = json.loads(self.process.stdout.readline())
        return reply["answer"], reply["cpu"]

    def close(self):
        self.process.stdin.close()
        self.process.wait()


def compare_l10n_my_edi(registry, move_ids):
    """(this addon's build + sign, l10n_my_edi's XML generation) in ms per document,
    over the same moves, in one transaction rolled back; None for l10n_my_edi when it
    is not installed in the database."""
    from odoo.addons.l10n_my_einvoice.models.account_move import utc_now

    with registry.cursor() as cr:
        from odoo import SUPERUSER_ID, api

        env = api.Environment(cr, SUPERUSER_ID, {})
        moves = env["account.move"].browse(move_ids)
        env = env(context={"allowed_company_ids": moves.company_id.ids})
        moves = moves.with_env(env)
        company = moves.company_id
        submit = env["l10n_my_einvoice.pipeline.submit"]
        certificate = company._l10n_my_einvoice_loaded_certificate()
        env.invalidate_all()
        start = time.process_time()
        moves._l10n_my_einvoice_prefetch()
        for move in moves:
            now = utc_now()
            document, problems = move._l10n_my_einvoice_build(now)
            assert not problems, problems
            submit._signed(document, company, certificate, now)
        ours = (time.process_time() - start) * 1000 / len(moves)
        theirs = None
        if "myinvois.document" in env:
            company.l10n_my_edi_industrial_classification = env["l10n_my_edi.industry_classification"].search(
                [("code", "=", "62099")], limit=1
            )
            moves.invoice_line_ids.product_id.product_tmpl_id.l10n_my_edi_classification_code = "022"
            documents = moves._create_myinvois_document()
            env.invalidate_all()
            start = time.process_time()
            for document in documents:
                document._myinvois_generate_xml_file()
            theirs = (time.process_time() - start) * 1000 / len(moves)
        cr.rollback()
    return ours, theirs


def make_invoices(registry, company_id, count, lines, chunk=100):
    """``count`` posted invoices, committed ``chunk`` at a time with the tables analysed
    in between: in one transaction, PostgreSQL plans the payment-state queries of each
    post on statistics that know none of the rows just created, and slows down."""
    from odoo.addons.l10n_my_einvoice.tests.committed_data import make_posted_invoices

    ids = []
    for start in range(0, count, chunk):
        with worker_env(registry) as env:
            company = env["res.company"].browse(company_id)
            ids += make_posted_invoices(env, company, min(chunk, count - start), lines).ids
        with worker_env(registry) as env:
            env.cr.execute("ANALYZE account_move, account_move_line, account_partial_reconcile")
    return ids


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--lines", type=int, default=10)
    parser.add_argument("--batch", type=int, default=100, help="documents a cron run takes")
    parser.add_argument("--compare", type=int, default=200, help="invoices of the l10n_my_edi side-by-side")
    parser.add_argument("--profile", metavar="DIR", help="profile each phase into DIR and print the top functions")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--emulator", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args.db, args.batch, args.profile)
    if args.emulator:
        return emulator_process()

    if args.profile:
        Path(args.profile).mkdir(parents=True, exist_ok=True)
        for old in Path(args.profile).glob("*.prof"):
            old.unlink()
    registry = load_odoo(args.db)
    from odoo.addons.l10n_my_einvoice.tests.committed_data import make_company

    emulator = EmulatorProcess()
    try:
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
            company_id = company.id
        ids = make_invoices(registry, company_id, args.count + args.compare, args.lines)
        move_ids, compare_ids = ids[: args.count], ids[args.count :]
        print(
            f"setup: {args.count} + {args.compare} posted invoices of {args.lines} line(s) in "
            f"{time.perf_counter() - started:.1f} s (not measured below)"
        )

        figures, cpu, emulator_cpu = {}, {}, {}
        _answer, e0 = emulator.ask("cpu")
        t0, c0 = time.perf_counter(), time.process_time()
        q0 = query_count()
        with worker_env(registry) as env, Profiled(args.profile and Path(args.profile) / "queue.prof"):
            env["account.move"].browse(move_ids).action_l10n_my_einvoice_submit()
        figures["queue"] = (time.perf_counter() - t0, query_count() - q0)
        cpu["queue"] = time.process_time() - c0
        _answer, e1 = emulator.ask("cpu")
        emulator_cpu["queue"] = e1 - e0

        command = [sys.executable, __file__, "--worker", "--db", args.db, "--batch", str(args.batch)]
        command += ["--profile", args.profile] if args.profile else []
        processes = [
            subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            for _i in range(args.workers)
        ]
        for process in processes:
            assert process.stdout.readline().strip() == "ready"
        t1 = time.perf_counter()
        for process in processes:
            process.stdin.write("go\n")
            process.stdin.close()
        results = [json.loads(process.stdout.read().strip().splitlines()[-1]) for process in processes]
        for process in processes:
            process.wait()
        figures["submit"] = (time.perf_counter() - t1, sum(result["queries"] for result in results))
        cpu["submit"] = sum(result["cpu"] for result in results)

        t2 = time.perf_counter()
        _answer, e2 = emulator.ask("process_pending")  # documents were checked on receipt; this decides them
        emulator_cpu["submit"] = e2 - e1  # receiving and deciding
        validated = time.perf_counter() - t2
        q2, c2 = query_count(), time.process_time()
        with worker_env(registry) as env, Profiled(args.profile and Path(args.profile) / "poll.prof"):
            env["account.move"]._cron_l10n_my_einvoice_poll()
        figures["poll"] = (time.perf_counter() - t2 - validated, query_count() - q2)
        cpu["poll"] = time.process_time() - c2
        with worker_env(registry) as env:
            moves = env["account.move"].browse(move_ids)
            valid = moves.mapped("l10n_my_einvoice_state").count("valid")
            sent_once, e3 = emulator.ask("sent_once", names=moves.mapped("name"))
        emulator_cpu["poll"] = e3 - e2
    finally:
        emulator.close()

    count = args.count
    print(
        f"documents: {count} of {args.lines} line(s), Valid: {valid}, each at LHDN exactly once: {sent_once}, "
        f"workers: {args.workers} ({', '.join(str(r['documents']) for r in results)} documents each)"
    )
    for phase, (seconds, queries) in figures.items():
        print(
            f"  {phase:<7} {seconds:7.2f} s  {count / seconds:8.1f} documents/s  "
            f"{queries:7d} queries  {queries / count:6.2f} queries/document  "
            f"Odoo CPU {cpu[phase] * 1000 / count:5.2f} ms/document  "
            f"emulator CPU {emulator_cpu[phase] * 1000 / count:5.2f} ms/document"
        )
    seconds = sum(s for s, _q in figures.values())
    queries = sum(q for _s, q in figures.values())
    odoo_cpu = sum(cpu.values()) / count
    print(
        f"posted -> Valid: {seconds:.2f} s = {count / seconds:.1f} documents/s end to end on this machine "
        f"({os.cpu_count()} cores, shared with the emulator); {queries / count:.2f} queries/document"
    )
    print(
        f"Odoo's own CPU: {odoo_cpu * 1000:.2f} ms/document = {1 / odoo_cpu:.0f} documents/s per core "
        f"(queue + the workers' submit + poll)"
    )
    print(
        f"The emulator's CPU (LHDN's work: schema, rules, signature), its own process: "
        f"{sum(emulator_cpu.values()) * 1000 / count:.2f} ms/document"
    )
    ours, theirs = compare_l10n_my_edi(registry, compare_ids)
    print(f"side by side over {len(compare_ids)} invoices of {args.lines} line(s), CPU per document:")
    print(f"  l10n_my_einvoice build + sign (signature included): {ours:6.2f} ms")
    if theirs is None:
        print("  l10n_my_edi: not installed in this database (install it there for the comparison)")
    else:
        print(f"  l10n_my_edi _myinvois_generate_xml_file (XML only, unsigned): {theirs:6.2f} ms")
        print(f"  ratio: this addon is {theirs / ours:.1f}x faster per document")
    if args.profile:
        print_profiles(args.profile)


if __name__ == "__main__":
    main()
