"""Submissions and documents per second through the client and the emulator on
loopback (prints figures, asserts nothing).

    .venv/bin/python bench/client_emulator.py [DOCUMENTS]

Documents are signed beforehand (bench/build_sign.py measures that); this measures
the API path: split into submissions of <= 100, submit, poll until Valid, and
also the raw rate of Get Submission calls. The emulator validates every document
with the core (XSD, rules, signature), as LHDN would, so its cost is included.
"""

import copy
import json
import sys
import time
from pathlib import Path

from l10n_my_einvoice.myinvois import certificate, signing, ubl
from l10n_my_einvoice.myinvois import client as api
from l10n_my_einvoice.myinvois.document import Document
from l10n_my_einvoice.myinvois.emulator import Emulator

ROOT = Path(__file__).resolve().parent.parent


def main(count=300):
    loaded = certificate.load_pkcs12(certificate.make_test_certificate(password=b"pw"), "pw")
    template = Document.from_dict(json.loads((ROOT / "samples" / "documents" / "invoice.json").read_text()))
    with Emulator(validation_delay=0) as emulator:
        emulator.add_client("bench", "secret", "C1234567890")
        client = api.MyInvoisClient(emulator.base_url, "bench", "secret")
        now = emulator.clock.now().replace(microsecond=0)
        documents = []
        for index in range(count):
            doc = copy.copy(template)
            doc.number, doc.issued_at = f"BENCH-{index:06d}", now
            documents.append(
                api.SubmissionDocument(doc.number, signing.sign_xml(ubl.to_xml(doc), loaded, signing_time=now))
            )
        batches = api.split_batches(documents)
        start = time.perf_counter()
        uids = [client.submit(batch)["submissionUid"] for batch in batches]
        submitted = time.perf_counter()
        valid = 0
        for uid in uids:
            while True:
                submission = client.get_submission_all(uid)
                if submission["overallStatus"] != "in progress":
                    valid += sum(d["status"] == "Valid" for d in submission["documentSummary"])
                    break
        done = time.perf_counter()
        print(
            f"{count} documents in {len(batches)} submissions: submit {len(batches) / (submitted - start):.1f} "
            f"submissions/s ({count / (submitted - start):.0f} documents/s accepted), "
            f"submit to all Valid {count / (done - start):.0f} documents/s; {valid} Valid"
        )
        polls, start = 200, time.perf_counter()
        for _ in range(polls):
            client.get_submission(uids[0], page_size=10)
        print(
            f"Get Submission: {polls / (time.perf_counter() - start):.0f} calls/s; logins: {emulator.stats['logins']}"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
