"""Documents per second for build + sign + serialise of a 10-line invoice, on one core,
against the floor measured in the same run.

    .venv/bin/python bench/build_sign.py [SECONDS]

The goal (issue 3) is 2,000 documents/s; issue 17 wants the pipeline (build + sign +
serialise, validation apart) within 1.5x its floor: one RSA-2048 PKCS#1 v1.5 signature
of a SHA-256 digest plus one exclusive C14N of the same document, with the same
libraries (cryptography, lxml). This prints the figures and asserts nothing.
The certificate is opened once, as the submission pipeline does per batch.
"""

import copy
import datetime
import hashlib
import json
import statistics
import sys
import time
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, utils
from lxml import etree

from l10n_my_einvoice.myinvois import certificate, signing, ubl, validation
from l10n_my_einvoice.myinvois.document import Document

ROOT = Path(__file__).resolve().parent.parent


def ten_line_invoice():
    data = json.loads((ROOT / "samples" / "documents" / "invoice.json").read_text())
    lines = data["lines"]
    data["lines"] = [dict(copy.deepcopy(lines[i % len(lines)]), description=f"Item {i + 1}") for i in range(10)]
    return Document.from_dict(data)


def floor_once(loaded, root):
    """One exclusive C14N + SHA-256 + one RSA-2048 PKCS#1 v1.5 signature."""
    digest = hashlib.sha256(etree.tostring(root, method="c14n", exclusive=True)).digest()
    loaded.private_key.sign(digest, padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))


def _round(template, now, loaded, root, first, count):
    """ms per document of the pipeline (sign_document: build + sign + serialise) over
    ``count`` documents, the stages timed apart on the same documents, and of the
    floor, measured right after each document: both see the same state of the machine."""
    stages = {"validate": 0.0, "write text": 0.0, "pipeline": 0.0, "floor": 0.0}
    size = 0
    for index in range(first, first + count):
        doc = copy.copy(template)
        doc.number = f"INV-{index:08d}"
        doc.issued_at = now
        t0 = time.perf_counter()
        assert not validation.validate(doc, now=now)
        t1 = time.perf_counter()
        ubl.unsigned_bytes(doc)  # the writer alone, for the breakdown
        t2 = time.perf_counter()
        signed = signing.sign_document(doc, loaded, signing_time=now)
        t3 = time.perf_counter()
        floor_once(loaded, root)
        t4 = time.perf_counter()
        stages["validate"] += t1 - t0
        stages["write text"] += t2 - t1
        stages["pipeline"] += t3 - t2
        stages["floor"] += t4 - t3
        size = len(signed)
    return {stage: 1000 * spent / count for stage, spent in stages.items()}, size


def main(seconds=3.0):
    """Rounds of 50 documents, each followed by one floor, so that a machine whose
    speed drifts (shared cores) slows both alike; medians of the rounds."""
    loaded = certificate.load_pkcs12(certificate.make_test_certificate(password=b"pw"), "pw")
    template = ten_line_invoice()
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    root = ubl.to_tree(template)
    rounds, ratios, size, batch = [], [], 0, 50
    start = time.perf_counter()
    while time.perf_counter() - start < seconds or len(rounds) < 5:
        figures, size = _round(template, now, loaded, root, len(rounds) * batch, batch)
        rounds.append(figures)
        ratios.append(figures["pipeline"] / figures["floor"])
    pipeline = statistics.median(r["pipeline"] for r in rounds)
    print(
        f"10-line invoice, build + sign + serialise (signing.sign_document): {1000 / pipeline:.0f} documents/s "
        f"({pipeline:.3f} ms each, {size} bytes signed), one core; median of {len(rounds)} rounds of {batch}"
    )
    for stage in ("validate", "write text"):
        print(f"  {stage:<18} {statistics.median(r[stage] for r in rounds):6.3f} ms/document")
    print(f"  pipeline           {pipeline:6.3f} ms/document (build + sign + serialise, validation apart)")
    floor_ms = statistics.median(r["floor"] for r in rounds)
    print(f"  floor              {floor_ms:6.3f} ms/document (RSA-2048 signature + exclusive C14N)")
    print(f"  pipeline / floor   {statistics.median(ratios):6.2f} (median of the rounds' ratios; goal <= 1.5)")


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 3.0)
