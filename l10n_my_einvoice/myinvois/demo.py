"""The end-to-end demonstration (``bash dev.sh demo``), no Odoo needed.

Starts the MyInvois emulator on loopback, makes a certificate shaped like an
LHDN organisation certificate, builds, signs and submits the bundled documents
(an invoice, a credit note referencing the invoice's new UUID, a self-billed
invoice from a foreign supplier), polls until LHDN (the emulator) has decided,
and prints each document's UUID, status and validation link, writing the QR
codes as PNG files.
"""

import json
from pathlib import Path

from . import certificate, qr, signing, validation, xml_checks
from . import client as api
from .document import BillingReference, Document
from .emulator import Emulator

DOCUMENTS_DIR = Path(__file__).resolve().parents[2] / "samples" / "documents"
SAMPLES_DIR = DOCUMENTS_DIR.parent / "lhdn"
COMPANY_TIN, COMPANY_BRN = "C1234567890", "202001012345"
CLIENT_ID, CLIENT_SECRET = "demo-erp", "demo-secret"


def load(name):
    return Document.from_dict(json.loads((DOCUMENTS_DIR / f"{name}.json").read_text(encoding="utf-8")))


def sign_document(doc, loaded, now):
    """Stamp, validate, build, sign and check one document; raises with the problems."""
    doc.issued_at = now
    issues = validation.validate(doc, now=now)
    if issues:
        raise ValueError("; ".join(map(str, issues)))
    signed = signing.sign_document(doc, loaded, signing_time=now)
    problems = [str(f) for f in xml_checks.validate_xml(signed)] + [p.code for p in signing.verify(signed)]
    if problems:
        raise ValueError("; ".join(problems))
    return signed


def submit(client, emulator, doc, signed):
    """Submit one document and poll Get Submission until it leaves 'in progress'."""
    response = client.submit([api.SubmissionDocument(doc.number, signed)])
    if response["rejectedDocuments"]:
        raise ValueError(json.dumps(response["rejectedDocuments"]))
    for _ in range(100):
        submission = client.get_submission(response["submissionUid"])
        if submission["overallStatus"] != "in progress":
            return submission["documentSummary"][0]
        emulator.clock.advance(2)  # the emulator's clock stands in for the 3-5 s between polls
    raise TimeoutError(f"{doc.number} still in progress")


def run(out_dir):
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    print("1. A signing certificate shaped like an LHDN organisation certificate")
    password = "demo-password"
    p12 = certificate.make_test_certificate(
        tin=COMPANY_TIN, brn=COMPANY_BRN, organization="Contoh Teknologi Sdn. Bhd.", password=password.encode()
    )
    (out / "demo-certificate.p12").write_bytes(p12)
    loaded = certificate.load_pkcs12(p12, password, company_tin=COMPANY_TIN, company_brn=COMPANY_BRN)
    print(f"   {out / 'demo-certificate.p12'} (password {password!r}; self-signed, so only the emulator accepts it)")
    for line in loaded.info.summary():
        print(f"   {line}")

    with Emulator(validation_delay=3) as emulator:
        emulator.add_client(CLIENT_ID, CLIENT_SECRET, COMPANY_TIN, brn=COMPANY_BRN)
        client = api.MyInvoisClient(emulator.base_url, CLIENT_ID, CLIENT_SECRET)
        print(f"\n2. The MyInvois emulator at {emulator.base_url}: build, sign (v1.1), submit, poll")
        invoice, credit_note, self_billed = load("invoice"), load("credit-note"), load("self-billed-invoice")
        results = []
        for doc in (invoice, credit_note, self_billed):
            if doc is credit_note:  # a note references the original's UUID as LHDN gave it
                credit_note.billing_references = [BillingReference(uuid=results[0][1]["uuid"], number=invoice.number)]
            now = emulator.clock.now().replace(microsecond=0)
            signed = sign_document(doc, loaded, now)
            (out / f"{doc.number}.signed.xml").write_bytes(signed)
            results.append((doc, submit(client, emulator, doc, signed)))

        print()
        for doc, summary in results:
            link = (
                qr.validation_link(
                    "custom", summary["uuid"], summary.get("longId") or "-", custom_url=emulator.base_url
                )
                if summary.get("longId")
                else "-"
            )
            png = out / f"{doc.number}.qr.png"
            if summary.get("longId"):
                png.write_bytes(qr.qr_png(link))
            print(f"   {doc.type_code} {doc.number:<16} {summary['status']:<8} UUID {summary['uuid']}")
            print(f"      {doc.currency} {doc.payable_amount}, validation link {link}")
            if summary.get("longId"):
                print(f"      QR code {png}")
        valid = all(summary["status"] == "Valid" for _doc, summary in results)
        calls = sum(emulator.stats.requests(e) for e in ("submit", "get_submission"))
        print(
            f"\n   {sum(s['status'] == 'Valid' for _d, s in results)} of {len(results)} documents Valid; "
            f"{emulator.stats['logins']} login for {calls} submit/poll calls."
        )

    print("\n3. LHDN's published v1.1 samples: structure, codes and signature")
    for sample in sorted(SAMPLES_DIR.glob("*.xml")):
        data = sample.read_bytes()
        findings = [str(f) for f in xml_checks.validate_xml(data)] + [
            f"{p.code} {p.message}" for p in signing.verify(data)
        ]
        print(f"   {'OK  ' if not findings else 'FAIL'} {sample.name}")
        for finding in findings:
            print(f"        {finding}")
    print("   The findings above are errors in LHDN's own samples (docs/reference-notes.md).")
    return 0 if valid else 1
