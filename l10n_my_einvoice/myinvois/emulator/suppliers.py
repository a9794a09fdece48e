"""Other taxpayers who sell to the company under test and issue their e-invoices to it.

A ``Supplier`` is what such a taxpayer has: an ERP registration (client ID and
secret), a certificate of its own TIN and BRN, and the core's client. It issues
through the emulator's real API, over HTTP, with every check LHDN runs, so what the
company then receives (Get Recent Documents, direction Received) is what another
ERP sent, not a record planted in the store.
"""

import secrets
import time

from .. import certificate, signing
from ..client import MyInvoisClient, SubmissionDocument


def line_item(description, quantity, price, unit, taxes, **extra):
    """One line of a supplier's document in the core's JSON form (docs/document-json.md)."""
    return {
        "description": description,
        "quantity": quantity,
        "unit_price": price,
        "unit_code": unit,
        "classifications": ["022"],
        "taxes": taxes,
        **extra,
    }


class SupplierRefused(AssertionError):
    """The emulator refused or invalidated what a test supplier issued: the test's document is wrong."""


class Supplier:
    def __init__(self, emulator, tin, brn, name):
        self.emulator, self.tin, self.brn, self.name = emulator, tin, brn, name
        password = secrets.token_urlsafe(12)
        p12 = certificate.make_test_certificate(tin=tin, brn=brn, organization=name, password=password.encode())
        self.certificate = certificate.load_pkcs12(p12, password, company_tin=tin, company_brn=brn)
        client_id, client_secret = f"erp-{tin.lower()}", secrets.token_urlsafe(16)
        emulator.add_client(client_id, client_secret, tin, brn=brn)
        emulator.add_taxpayer(tin, name, "BRN", brn)
        self.client = MyInvoisClient(emulator.base_url, client_id, client_secret, max_retries=0)

    def issue(self, document):
        """Sign ``document`` (issued now, by the emulator's clock) as this supplier, submit
        it and have it validated; returns its UUID. Raises SupplierRefused otherwise."""
        document.issued_at = self.emulator.clock.now().replace(microsecond=0)
        signed = signing.sign_document(document, self.certificate, signing_time=document.issued_at)
        answer = self.client.submit([SubmissionDocument(document.number, signed)])
        if answer.get("rejectedDocuments"):
            raise SupplierRefused(f"{document.number} refused on receipt: {answer['rejectedDocuments']}")
        uuid = answer["acceptedDocuments"][0]["uuid"]
        record = self.emulator.documents[uuid]
        waited_until = time.monotonic() + self.emulator.validation_delay + 5  # a demo emulator decides later
        while True:
            self.emulator.process_pending()
            if record["status"] != "Submitted" or time.monotonic() > waited_until:
                break
            time.sleep(0.05)
        if record["status"] != "Valid":
            raise SupplierRefused(f"{document.number} is {record['status']}: {record.get('validationResults')}")
        return uuid

    def cancel(self, uuid, reason):
        """Cancel one of its documents through the API (within its 72 hours)."""
        return self.client.cancel(uuid, reason)
