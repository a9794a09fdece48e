"""Submissions and documents per second through the client and the emulator on
loopback (prints figures, asserts nothing).

    .venv/bin/python bench/client_emulator.py [DOCUMENTS]

Documents are signed beforehand (bench/build_sign.py measures that); this measures
the API path: split into submissions of <= 100, submit, poll until Valid, and
also the raw rate of Get Submission calls. The emulator validates every document
with the core (XSD, rules, signature), as LHDN would, so its cost is included.
"""

import sys
import time

import soak  # bench/ is on the path when run as a script: the same signed documents

from l10n_my_einvoice.myinvois import client as api
from l10n_my_einvoice.myinvois.emulator import Emulator


def main(count=300):
    with Emulator(validation_delay=0) as emulator:
        emulator.add_client("bench", "secret", soak.TIN)
        client = api.MyInvoisClient(emulator.base_url, "bench", "secret")
        now = emulator.clock.now().replace(microsecond=0)
        documents = soak.signed_documents(count, now, prefix="BENCH")
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
