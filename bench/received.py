"""Figures for received e-invoices in the core (prints, asserts nothing).

    .venv/bin/python bench/received.py [--documents 200] [--lines 1000]

- reading a received document (ubl.from_xml) and planning its bill (plan_bill), for a
  ten-line and a ``--lines``-line document: the fetch cron does both once per document;
- the whole fetch over the emulator on loopback: ``--documents`` issued to the company by
  another taxpayer, then listed (Get Recent Documents, Received, pages of 100), each read
  (Get Document) and planned, as models/pipeline_receive.py does, without Odoo. The rate
  limits are lifted on both sides, so the figure is what the calls and the planning cost;
  at LHDN's production limits (Get Document 60 a minute) the fetch of N new documents
  takes at least N seconds, spread over cron runs by the shared limiter.
"""

import argparse
import datetime
import json
import time
from decimal import Decimal

from core_checks import rate  # bench/ is the script's folder

from l10n_my_einvoice.myinvois import received, received_bill, ubl
from l10n_my_einvoice.myinvois.client import MemoryRateLimiter, MyInvoisClient
from l10n_my_einvoice.myinvois.demo import DOCUMENTS_DIR
from l10n_my_einvoice.myinvois.document import Document, Tax
from l10n_my_einvoice.myinvois.emulator import Emulator

COMPANY_TIN, COMPANY_BRN = "C1234567890", "202001012345"


def bought(number, lines):
    data = json.loads((DOCUMENTS_DIR / "invoice.json").read_text(encoding="utf-8"))
    data["number"] = number
    doc = Document.from_dict(data)
    doc.supplier.tin, doc.supplier.id_number = "C2584563200", "201901000005"
    doc.buyer.tin, doc.buyer.id_type, doc.buyer.id_number = COMPANY_TIN, "BRN", COMPANY_BRN
    template = doc.lines[0]
    doc.lines = [
        type(template)(
            description=f"Item {index}",
            quantity=Decimal(index % 7 + 1),
            unit_price=Decimal("3.125") + index,
            unit_code="C62",
            classifications=["022"],
            taxes=[Tax(type="01", percent=Decimal("10"))],
        )
        for index in range(lines)
    ]
    return doc


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--lines", type=int, default=1000)
    args = parser.parse_args()
    for lines in (10, args.lines):
        doc = bought("B-1", lines)
        doc.issued_at = datetime.datetime.now(datetime.UTC)
        data = ubl.to_xml(doc)
        rate(
            f"read + plan a {lines}-line received document",
            lambda d=data: received_bill.plan_bill(ubl.from_xml(d), COMPANY_TIN),
        )

    with Emulator(rate_limits={"recent": 10_000, "get_document": 10_000, "submit": 10_000}) as emu:
        emu.add_client("company", "secret", COMPANY_TIN, brn=COMPANY_BRN)
        supplier = emu.add_supplier("C2584563200", "201901000005", "Pembekal Sdn. Bhd.")
        for index in range(args.documents):
            supplier.issue(bought(f"B-{index:05d}", 10))
        # No waiting for the rate limits: the figure is what the calls and the planning cost.
        unlimited = MemoryRateLimiter(limits={"recent": None, "get_document": None})
        client = MyInvoisClient(emu.base_url, "company", "secret", rate_limiter=unlimited)
        start = time.perf_counter()
        items = list(received.iter_received(client, *received.listing_window(None, emu.clock.now())))
        listed = time.perf_counter() - start
        for item in items:
            received_bill.plan_bill(ubl.from_xml(client.get_document(item["uuid"])["document"].encode()), COMPANY_TIN)
        total = time.perf_counter() - start
        print(
            f"fetch {len(items)} received documents over loopback: list {1000 * listed:.0f} ms "
            f"({emu.stats.requests('recent')} calls), list + read + plan {total:.2f} s "
            f"({1000 * total / max(len(items), 1):.2f} ms per document)"
        )


if __name__ == "__main__":
    main()
