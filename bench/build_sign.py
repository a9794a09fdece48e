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


def floor(loaded, root, seconds):
    """ms per document of exclusive C14N + SHA-256 + one RSA-2048 PKCS#1 v1.5 signature."""
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        digest = hashlib.sha256(etree.tostring(root, method="c14n", exclusive=True)).digest()
        loaded.private_key.sign(digest, padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))
        count += 1
    return 1000 * (time.perf_counter() - start) / count


def main(seconds=3.0):
    loaded = certificate.load_pkcs12(certificate.make_test_certificate(password=b"pw"), "pw")
    template = ten_line_invoice()
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    stages = {"validate": 0.0, "build tree": 0.0, "sign + serialise": 0.0}
    count, start, size = 0, time.perf_counter(), 0
    while time.perf_counter() - start < seconds:
        doc = copy.copy(template)
        doc.number = f"INV-{count:08d}"
        doc.issued_at = now
        t0 = time.perf_counter()
        assert not validation.validate(doc, now=now)
        t1 = time.perf_counter()
        root = ubl.to_tree(doc)
        t2 = time.perf_counter()
        signed = signing.sign_tree(root, loaded, signing_time=now)
        t3 = time.perf_counter()
        stages["validate"] += t1 - t0
        stages["build tree"] += t2 - t1
        stages["sign + serialise"] += t3 - t2
        size = len(signed)
        count += 1
    elapsed = time.perf_counter() - start
    print(
        f"10-line invoice, validate + build + sign + serialise: {count / elapsed:.0f} documents/s "
        f"({1000 * elapsed / count:.2f} ms each, {size} bytes signed), one core"
    )
    for stage, spent in stages.items():
        print(f"  {stage:<18} {1000 * spent / count:6.3f} ms/document")
    pipeline = 1000 * (stages["build tree"] + stages["sign + serialise"]) / count
    floor_ms = floor(loaded, ubl.to_tree(template), max(seconds / 3, 0.2))
    print(f"  pipeline           {pipeline:6.3f} ms/document (build + sign + serialise, validation apart)")
    print(f"  floor              {floor_ms:6.3f} ms/document (RSA-2048 signature + exclusive C14N)")
    print(f"  pipeline / floor   {pipeline / floor_ms:6.2f} (goal <= 1.5)")


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 3.0)
