"""Soak: every ambiguous submission is reconciled, nothing is lost or sent twice.

    .venv/bin/python bench/soak.py [--documents 2000] [--fault-rate 0.15] [--batch-size 10] [--seed N]

The emulator runs in this process on 127.0.0.1 with random faults on every call of
the endpoints used (emulator/faults.py ``chaos``): 5xx before and after processing,
replies cut off halfway, connections closed or reset before and after processing,
429 with Retry-After, replies slower than the client's timeout. The documents are
signed, split in batches and submitted through the client by a caller loop that
does what the Odoo pipeline does (models/pipeline_submit.py, pipeline_reconcile.py):

* a batch whose outcome is unknown stays "sending"; once it is older than SETTLE
  (the pipeline's ``min_age``: a slow request may still be processed) it is looked
  up at LHDN: a few documents by code number, more by one paged scan of the
  submission dates; found documents take LHDN's UUID, the others are queued again;
* a batch refused unread (429, a login refused, a connection never made) is
  queued again; a 422 duplicate is reconciled, never resent blindly.

It ends when every document is held; then it counts, at the emulator, how many
times each code number is held: lost and doubled must be 0.
"""

import argparse
import collections
import copy
import datetime
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from l10n_my_einvoice.myinvois import certificate, lifecycle, signing, ubl  # noqa: E402
from l10n_my_einvoice.myinvois import client as api  # noqa: E402
from l10n_my_einvoice.myinvois.document import Document  # noqa: E402
from l10n_my_einvoice.myinvois.emulator import Emulator  # noqa: E402
from l10n_my_einvoice.myinvois.emulator.faults import CHAOS_KINDS  # noqa: E402

TIN, SECRET = "C1234567890", "soak-client-secret-value"
READ_TIMEOUT = 0.5  # seconds; the delay fault is longer, so the client times out...
DELAY = 0.8  # ...while the emulator still processes the request afterwards
SETTLE = 1.2  # seconds an unknown batch waits before it is looked up (the pipeline's min_age)
WINDOW = datetime.timedelta(seconds=5)  # the search starts this long before the first attempt
PER_DOCUMENT_UP_TO = 5  # as pipeline_reconcile: a few by number, more by one scan
FOUND = {"Submitted", *lifecycle.STATUS_EVENTS}
UNLIMITED = dict.fromkeys(("token", "submit", "search"), 100_000)  # the soak is about faults, not limits


def signed_documents(count, now, prefix="SOAK"):
    """``count`` copies of the sample invoice, numbered ``<prefix>-000000``..., signed at ``now``."""
    loaded = certificate.load_pkcs12(certificate.make_test_certificate(tin=TIN, password=b"pw"), "pw")
    template = Document.from_dict(json.loads((ROOT / "samples" / "documents" / "invoice.json").read_text()))
    documents = []
    for index in range(count):
        doc = copy.copy(template)
        doc.number, doc.issued_at = f"{prefix}-{index:06d}", now
        documents.append(
            api.SubmissionDocument(doc.number, signing.sign_xml(ubl.to_xml(doc), loaded, signing_time=now))
        )
    return documents


class Caller:
    """The pipeline's loop over one client: submit, keep unknown batches 'sending',
    reconcile them once settled, queue again what LHDN does not hold."""

    def __init__(self, client, documents, batch_size, issued):
        self.client, self.issued = client, issued
        self.queue = collections.deque(documents[i : i + batch_size] for i in range(0, len(documents), batch_size))
        self.sending = []  # [batch, since (monotonic)]: outcome unknown, waiting to settle
        self.first_attempt = {}  # code number -> UTC time it was first sent
        self.held = {}  # code number -> LHDN's UUID, as the caller knows it
        self.counts = collections.Counter()

    def run(self, deadline):
        while (self.queue or self.sending) and time.monotonic() < deadline:
            settled = [entry for entry in self.sending if time.monotonic() - entry[1] >= SETTLE]
            for entry in settled:
                self.sending.remove(entry)
                self.reconcile(entry)
            if self.queue:
                self.submit(self.queue.popleft())
            elif self.sending:
                time.sleep(0.05)

    def submit(self, batch):
        now = datetime.datetime.now(datetime.timezone.utc)
        if any(d.code_number in self.first_attempt for d in batch):
            self.counts["resends"] += 1
            self.counts["resent documents"] += len(batch)
        for document in batch:
            self.first_attempt.setdefault(document.code_number, now)
        try:
            response = self.client.submit(batch)
        except api.ServiceUnavailableError as error:  # ProtocolError included
            if error.outcome_unknown:
                self.counts["outcome unknown"] += 1
                self.sending.append([batch, time.monotonic()])
            else:
                self.queue.append(batch)  # certainly not sent
            return
        except (api.RateLimitedError, api.AuthenticationError):
            self.queue.append(batch)  # refused unread: safe to send again
            return
        except api.DuplicateSubmissionError:
            self.counts["duplicates answered"] += 1
            self.sending.append([batch, time.monotonic()])  # it did arrive: reconcile, never resend blindly
            return
        except api.MyInvoisError as error:
            self.counts["refused"] += len(batch)
            print(f"refused {[d.code_number for d in batch]}: {error}", file=sys.stderr)
            return
        for item in response["acceptedDocuments"]:
            self.held[item["invoiceCodeNumber"]] = item["uuid"]
        self.counts["refused"] += len(response["rejectedDocuments"])

    def reconcile(self, entry):
        batch = entry[0]
        self.counts["reconciles"] += 1
        try:
            items = self.search(batch)
        except api.MyInvoisError:
            self.counts["reconciles postponed"] += 1
            self.sending.append([batch, time.monotonic()])  # LHDN unreachable now: ask again later
            return
        found = {}
        for item in items:
            if item.get("status") in FOUND and item.get("dateTimeIssued") == self.issued:
                found[item.get("internalId")] = item["uuid"]
        missing = [d for d in batch if d.code_number not in found]
        for document in batch:
            if document.code_number in found:
                self.held[document.code_number] = found[document.code_number]
        self.counts["found by reconcile"] += len(batch) - len(missing)
        if missing:
            self.queue.append(missing)

    def search(self, batch):
        since = min(self.first_attempt[d.code_number] for d in batch) - WINDOW
        window = {
            "invoiceDirection": "Sent",
            "submissionDateFrom": since,
            "submissionDateTo": datetime.datetime.now(datetime.timezone.utc) + WINDOW,
        }
        if len(batch) <= PER_DOCUMENT_UP_TO:
            return [
                item
                for d in batch
                for item in self.client.search_documents(searchQuery=d.code_number, **window).get("result") or []
            ]
        items, page = [], 1
        while True:
            body = self.client.search_documents(pageNo=page, pageSize=100, **window)
            items += body.get("result") or []
            if page >= int((body.get("metadata") or {}).get("totalPages") or 1):
                return items
            page += 1


def soak(documents=2000, fault_rate=0.15, batch_size=10, seed=20261201, timeout=600):
    """Run the soak; returns the counts (lost and doubled must be 0)."""
    started = time.monotonic()
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    signed = signed_documents(documents, now)
    signing_seconds = time.monotonic() - started
    with Emulator(validation_delay=0, rate_limits=UNLIMITED) as emulator:
        emulator.add_client("soak", SECRET, TIN)
        emulator.faults.chaos(
            fault_rate,
            seed=seed,
            kinds=(*CHAOS_KINDS, ("delay", {"seconds": DELAY})),
            endpoints=("token", "submit", "search"),
        )
        client = api.MyInvoisClient(
            emulator.base_url,
            "soak",
            SECRET,
            timeout=(2, READ_TIMEOUT),
            backoff=0.05,
            rate_limiter=api.MemoryRateLimiter(limits=UNLIMITED),
        )
        caller = Caller(client, signed, batch_size, now.strftime("%Y-%m-%dT%H:%M:%SZ"))
        loop_started = time.monotonic()
        caller.run(loop_started + timeout)
        loop_seconds = time.monotonic() - loop_started
        emulator.faults.clear()
        held_by = collections.Counter(record["codeNumber"] for record in emulator.documents.values())
        calls, injected = emulator.stats["requests"], emulator.stats["injected"]
    codes = [d.code_number for d in signed]
    agree = sum(1 for code in codes if held_by[code] == 1 and caller.held.get(code) is not None)
    return {
        "documents": documents,
        "batches": -(-documents // batch_size),
        "calls": calls,
        "faults injected": injected,
        "outcome-unknown": caller.counts["outcome unknown"],
        "reconciles": caller.counts["reconciles"],
        "found by reconcile": caller.counts["found by reconcile"],
        "reconciles postponed": caller.counts["reconciles postponed"],
        "duplicates answered": caller.counts["duplicates answered"],
        "resends": caller.counts["resends"],
        "resent documents": caller.counts["resent documents"],
        "refused": caller.counts["refused"],
        "held": sum(1 for code in codes if held_by[code] == 1),
        "known to the caller": agree,
        "lost": sum(1 for code in codes if held_by[code] == 0),
        "doubled": sum(1 for code in codes if held_by[code] > 1),
        "signing seconds": round(signing_seconds, 1),
        "soak seconds": round(loop_seconds, 1),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--fault-rate", type=float, default=0.15)
    parser.add_argument("--batch-size", type=int, default=10)
    parser.add_argument("--seed", type=int, default=20261201)
    args = parser.parse_args(argv)
    counts = soak(args.documents, args.fault_rate, args.batch_size, args.seed)
    width = max(map(len, counts))
    for name, value in counts.items():
        print(f"{name:<{width}}  {value}")
    return 0 if counts["lost"] == counts["doubled"] == 0 and counts["held"] == args.documents else 1


if __name__ == "__main__":
    sys.exit(main())
