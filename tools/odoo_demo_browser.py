"""Walk the demo in headless Chromium as a newcomer would, against `bash dev.sh odoo`:
log in, open a posted invoice, click *Submit to MyInvois*, wait for Valid, and save
screenshots (docs/img/demo-*.png). Fails, with a screenshot, when any step does not happen.

    python -m venv /tmp/pw && /tmp/pw/bin/pip install playwright   # no browser download:
    /tmp/pw/bin/python tools/odoo_demo_browser.py [--url http://127.0.0.1:8069] [--invoice INV/2026/00001]

Uses Debian's Chromium (/usr/bin/chromium), which tools/odoo_setup.sh installs.
"""

import argparse
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

IMG = Path(__file__).resolve().parent.parent / "docs" / "img"
# As this machine's closed network needs: no background connections, no sandbox as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8069")
    parser.add_argument("--invoice", default="INV/2026/00001", help="name of a posted demo invoice")
    parser.add_argument("--emulator", default="http://127.0.0.1:8765", help="the demo's emulator")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--timeout", type=float, default=90, help="seconds to wait for Valid")
    args = parser.parse_args(argv)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        try:
            walk(page, args)
        except Exception:
            page.screenshot(path=str(IMG / "demo-failed.png"))
            print(f"failed; the page as it was: {IMG / 'demo-failed.png'}", file=sys.stderr)
            raise
        finally:
            browser.close()


def buyer_rejects(args, uuid):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from l10n_my_einvoice.myinvois.client import MyInvoisClient  # noqa: PLC0415 (needs the path above)
    from l10n_my_einvoice.myinvois.emulator.cli import DEMO_BUYER_CLIENT  # noqa: PLC0415

    MyInvoisClient(args.emulator, *DEMO_BUYER_CLIENT).reject(uuid, "Wrong quantity delivered: 18 units, not 20")


def walk(page, args):
    page.goto(f"{args.url}/web/login")
    page.fill("input[name=login]", args.login)
    page.fill("input[name=password]", args.password)
    page.click("button[type=submit]")
    page.wait_for_url("**/odoo**")
    page.goto(f"{args.url}/odoo/action-account.action_move_out_invoice_type")
    page.get_by_text(args.invoice, exact=True).first.click()
    submit = page.get_by_role("button", name="Submit to MyInvois")
    submit.wait_for()
    print(f"{args.invoice}: open, clicking Submit to MyInvois")
    submit.click()
    page.get_by_text("Sent to the MyInvois queue").wait_for()
    page.screenshot(path=str(IMG / "demo-submitted.png"))
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:  # the crons submit, then poll; the form shows the outcome on reload
        page.reload()
        page.get_by_role("tab", name="MyInvois").click()
        status = page.locator("div[name=l10n_my_einvoice_state]").first.inner_text().strip()
        if status in ("Valid", "Invalid"):
            break
        time.sleep(3)
    else:
        raise AssertionError(f"{args.invoice} was not decided within {args.timeout:g} s (status: {status})")
    page.screenshot(path=str(IMG / "demo-valid.png"), full_page=True)
    print(f"{args.invoice}: {status}; screenshots in {IMG}/demo-*.png")
    if status != "Valid":
        raise AssertionError(f"{args.invoice} is {status}")
    # The cancel wizard, as a user opens it (and discards it).
    page.get_by_role("button", name="Cancel e-invoice", exact=True).click()
    page.locator(".modal-dialog").get_by_text("LHDN will mark this e-invoice").wait_for()
    page.locator(".modal-dialog input").first.fill("Wrong buyer address: re-issued as a new invoice")
    page.locator(".modal-dialog").get_by_role("button", name="Discard").click()
    # The buyer rejects the e-invoice at LHDN (its own API client, real HTTP); "Check at
    # LHDN" (what the watch cron does every 30 minutes) brings the request to the invoice.
    uuid = page.locator("div[name=l10n_my_einvoice_uuid]").first.inner_text().strip()
    buyer_rejects(args, uuid)
    deadline = time.monotonic() + args.timeout
    banner = page.get_by_text("the buyer asks to reject this e-invoice")
    while time.monotonic() < deadline and not banner.count():
        page.get_by_role("button", name="Check at LHDN").click()  # what the watch cron does
        time.sleep(3)
    banner.wait_for(timeout=1000)
    page.screenshot(path=str(IMG / "rejection-requested.png"))
    # The journal's MyInvois payment mode (docs/workflows.md, "Odoo -> MyInvois").
    page.goto(f"{args.url}/odoo/action-account.action_account_journal_form")
    page.get_by_text("Bank", exact=True).first.click()
    page.locator("div[name=l10n_my_einvoice_payment_mode]").wait_for()
    page.screenshot(path=str(IMG / "journal-payment-mode.png"))
    request_page_and_tin_check(page, args)
    portal_buyer_asks_from_the_pdf(page, args)
    consolidate_last_month(page, args)


def request_page_and_tin_check(page, args):
    """The buyer's request page, filled in (not sent), and a contact's TIN checked with LHDN."""
    page.goto(f"{args.url}/my-einvoice/request/1")
    page.fill("input[name=receipt_number]", "SHOP/2026/00002")
    page.fill("input[name=receipt_date]", "2026-11-02")
    page.fill("input[name=receipt_total]", "264.96")
    page.fill("input[name=buyer_name]", "Pelanggan Berhad")
    page.fill("input[name=buyer_tin]", "C9876543210")
    page.fill("input[name=buyer_id_number]", "201901098765")
    page.fill("input[name=buyer_email]", "akaun@pelanggan.example")
    page.screenshot(path=str(IMG / "einvoice-request.png"), full_page=True)
    page.goto(f"{args.url}/odoo/action-account.res_partner_action_customer")
    page.get_by_text("Pelanggan Berhad").first.click()
    page.get_by_role("button", name="Check with LHDN").click()
    page.locator("div[name=l10n_my_einvoice_tin_check_state]").filter(has_text="Valid").wait_for()
    page.screenshot(path=str(IMG / "partner-tin-check.png"))


def portal_buyer_asks_from_the_pdf(page, args, number="SHOP/2026/00003"):
    """The PDF of a waiting sale (its request block); the portal customer follows the QR
    code's link, gives the total, and sees the e-invoice Valid in its portal."""
    found = page.request.post(
        f"{args.url}/web/dataset/call_kw/account.move/search_read",
        data={
            "jsonrpc": "2.0",
            "method": "call",
            "params": {
                "model": "account.move",
                "method": "search_read",
                "args": [[["name", "=", number]], ["invoice_date", "amount_total"]],
                "kwargs": {},
            },
        },
    ).json()["result"][0]
    page.goto(f"{args.url}/report/html/account.report_invoice/{found['id']}")
    block = page.locator("#l10n_my_einvoice_request_block")
    block.wait_for()
    page.locator("div.page").first.screenshot(path=str(IMG / "request-on-pdf.png"))
    buyer = page.context.browser.new_context(viewport={"width": 1200, "height": 800})
    portal = buyer.new_page()
    try:
        portal.goto(f"{args.url}/web/login")
        portal.fill("input[name=login]", "pelanggan")
        portal.fill("input[name=password]", "pelanggan")
        portal.click("button[type=submit]")
        portal.wait_for_url("**/my**")
        portal.goto(f"{args.url}/einvoice/1?n={number}&d={found['invoice_date']}")  # what the QR code holds
        portal.fill("input[name=receipt_total]", f"{found['amount_total']:.2f}")
        portal.get_by_role("button", name="Ask for my e-invoice").click()
        portal.get_by_text("Your e-invoice is being issued").wait_for()
        deadline = time.monotonic() + args.timeout
        while time.monotonic() < deadline:  # the crons submit it, then poll
            portal.goto(f"{args.url}/my/einvoice-requests")
            if portal.locator("tr.o_einvoice_request_row a").filter(has_text="Valid").count():
                break
            time.sleep(3)
        else:
            raise AssertionError(f"{number}, asked for by the buyer, was not Valid within {args.timeout:g} s")
        portal.screenshot(path=str(IMG / "portal-einvoice-requests.png"))
    finally:
        buyer.close()
    print(f"{number}: asked for from the portal, Valid; screenshots request-on-pdf.png, portal-einvoice-requests.png")


def consolidate_last_month(page, args):
    """Consolidate now: the preview of last month's shop sales, then the month Valid."""
    page.goto(f"{args.url}/odoo/action-l10n_my_einvoice.action_consolidate_wizard")
    dialog = page.locator(".modal-dialog")
    dialog.locator("table.o_l10n_my_einvoice_preview").wait_for()
    dialog.get_by_text("Declares to LHDN").click()  # closes the month's date picker
    page.screenshot(path=str(IMG / "consolidate-now.png"))
    dialog.get_by_role("button", name="Consolidate now").click()
    page.locator(".o_form_view div[name=run_count]").wait_for()
    month_url = page.url
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:  # the submission and status crons run in the background
        if page.locator("div[name=document_ids] td").filter(has_text="Valid").count():
            break
        time.sleep(3)
        page.goto(month_url)
        page.locator(".o_form_view div[name=run_count]").wait_for()
    else:
        raise AssertionError(f"last month's consolidated e-invoice was not Valid within {args.timeout:g} s")
    page.screenshot(path=str(IMG / "consolidation-valid.png"))
    page.locator("div[name=document_ids] td[name=code_number]").first.click()
    page.get_by_text("Declared invoices").click()
    page.locator("div[name=consolidated_move_ids] td").first.wait_for()
    page.screenshot(path=str(IMG / "consolidated-document.png"))
    page.goto(f"{args.url}/odoo/action-account.action_move_out_invoice_type")
    page.get_by_text("SHOP/2026/00001", exact=True).first.click()
    page.get_by_text("declared in consolidated e-invoice").wait_for()
    page.screenshot(path=str(IMG / "consolidated-sale.png"))
    print("last month consolidated: Valid; screenshots consolidate-now.png, consolidation-valid.png")


if __name__ == "__main__":
    main()
