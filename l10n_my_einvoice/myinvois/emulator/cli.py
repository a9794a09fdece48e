"""``python -m l10n_my_einvoice.myinvois.emulator``: run the emulator standalone
with one demo client, until Ctrl-C."""

import argparse
import contextlib
import sys
import threading

from ..document import Document
from .app import Emulator
from .suppliers import line_item

DEMO_CLIENT_ID = "emulator-demo"
DEMO_CLIENT_SECRET = "emulator-demo-secret"
DEMO_TIN, DEMO_BRN, DEMO_NAME = "C1234567890", "202001012345", "Contoh Teknologi Sdn. Bhd."
# The buyer of the bundled sample documents, so TIN validation has someone to find.
DEMO_BUYER = ("C9876543210", "Pelanggan Berhad", "BRN", "201901098765")
# That buyer's own API client: what it does at LHDN (reject a Valid e-invoice) is real HTTP.
DEMO_BUYER_CLIENT = ("emulator-demo-buyer", "emulator-demo-buyer-secret")
# A supplier of the demo company: it issues two e-invoices to it (received e-invoices).
DEMO_SUPPLIER = ("C2584563200", "201901000005", "Pembekal Jaya Sdn. Bhd.")
EXEMPTION = "Exempt under Sales Tax (Persons Exempted from Payment of Tax) Order 2018"
# The demo supplier and the demo company as parties of the supplier's documents (core JSON form).
DEMO_SUPPLIER_PARTY = {
    "name": DEMO_SUPPLIER[2],
    "tin": DEMO_SUPPLIER[0],
    "id_type": "BRN",
    "id_number": DEMO_SUPPLIER[1],
    "sst": "B16-1809-32000011",
    "msic": "46510",
    "activity": "Wholesale of computer hardware",
    "phone": "+6046431234",
    "email": "billing@pembekal.example",
    "address": {
        "lines": ["Lot 12, Jalan Perusahaan 3", "Kawasan Perindustrian Bayan Lepas"],
        "city": "Bayan Lepas",
        "postal_zone": "11900",
        "state": "07",
        "country": "MYS",
    },
}
DEMO_COMPANY_AS_BUYER = {
    "name": DEMO_NAME,
    "tin": DEMO_TIN,
    "id_type": "BRN",
    "id_number": DEMO_BRN,
    "phone": "+60378901234",
    "address": {
        "lines": ["Level 5, Menara Contoh"],
        "city": "Petaling Jaya",
        "postal_zone": "46200",
        "state": "10",
        "country": "MYS",
    },
}


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m l10n_my_einvoice.myinvois.emulator",
        description="A local MyInvois double on 127.0.0.1 for tests, demos and offline work.",
    )
    parser.add_argument("--port", type=int, default=8089, help="port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--state", metavar="FILE", help="keep the state in this JSON file across restarts")
    parser.add_argument(
        "--delay",
        type=float,
        default=3.0,
        metavar="SECONDS",
        help="seconds between submission and the Valid/Invalid decision (default 3)",
    )
    parser.add_argument("--client-id", default=DEMO_CLIENT_ID)
    parser.add_argument("--client-secret", default=DEMO_CLIENT_SECRET)
    return parser


def main(argv=None, stop_event=None):
    """Serve until Ctrl-C (or until ``stop_event`` is set); returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--"]:  # a delegating CLI may pass its "--" separator through
        argv = argv[1:]
    args = build_parser().parse_args(argv)
    emulator = Emulator(port=args.port, validation_delay=args.delay, state_file=args.state)
    emulator.add_client(args.client_id, args.client_secret, DEMO_TIN, DEMO_BRN)
    emulator.add_taxpayer(DEMO_TIN, DEMO_NAME, "BRN", DEMO_BRN)
    emulator.add_taxpayer(*DEMO_BUYER)
    emulator.add_client(*DEMO_BUYER_CLIENT, DEMO_BUYER[0], DEMO_BUYER[3])
    try:
        base_url = emulator.start()
    except OSError as error:
        print(f"cannot listen on 127.0.0.1:{args.port}: {error}", file=sys.stderr)
        return 1
    print(f"MyInvois emulator at {base_url}", flush=True)
    print(f"  client_id     {args.client_id}", flush=True)
    print(f"  client_secret {args.client_secret}", flush=True)
    print(f"  taxpayer      TIN {DEMO_TIN}, BRN {DEMO_BRN} ({DEMO_NAME})", flush=True)
    print(f"  buyer client  {DEMO_BUYER_CLIENT[0]} / {DEMO_BUYER_CLIENT[1]} (TIN {DEMO_BUYER[0]})", flush=True)
    print(f"  state         {args.state or 'in memory only'}; validation delay {args.delay:g} s", flush=True)
    print("Ctrl-C stops it.", flush=True)
    stop_event = stop_event or threading.Event()
    try:
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C: the way to stop it
            for uuid in seed_received(emulator) if args.state else ():
                print(f"  received      {DEMO_SUPPLIER[2]} issued {uuid} to {DEMO_NAME}", flush=True)
            while not stop_event.wait(0.5):
                pass
    finally:
        emulator.stop()
    print("emulator stopped", flush=True)
    return 0


def seed_received(emulator):
    """Two e-invoices the demo supplier issues to the demo company (once per state file),
    through the API like any supplier's ERP; returns their UUIDs."""
    tin, brn, name = DEMO_SUPPLIER
    if any(record["issuerTin"] == tin for record in emulator.documents.values()):
        return []
    supplier = emulator.add_supplier(tin, brn, name)
    sst = {"type": "01", "percent": "10"}
    service = {"type": "02", "percent": "8"}
    exempt = {"type": "E", "percent": "0", "exemption_reason": EXEMPTION}
    documents = [
        {
            "number": "PJ-2026-0101",
            "currency": "MYR",
            "lines": [
                line_item("Network cabling service", "10", "12.50", "HUR", [service]),
                line_item(
                    "Router AX3000", "3", "105.00", "C62", [sst], allowances=[{"reason": "Promotion", "rate": "0.1"}]
                ),
                line_item("Safety manual", "2", "15.00", "C62", [exempt]),
            ],
        },
        {
            "number": "PJ-2026-0102",
            "currency": "USD",
            "exchange_rate": "4.4512",
            "lines": [
                line_item("Cloud consulting", "8", "150.00", "HUR", [service]),
            ],
        },
    ]
    return [
        supplier.issue(
            Document.from_dict(
                {
                    "type_code": "01",
                    "issued_at": "2026-01-01T00:00:00Z",
                    "supplier": DEMO_SUPPLIER_PARTY,
                    "buyer": DEMO_COMPANY_AS_BUYER,
                    **data,
                }
            )
        )
        for data in documents
    ]
