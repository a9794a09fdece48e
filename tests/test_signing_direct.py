"""Signing a Document as written, without a tree (issue 17): ``sign_document``
gives the bytes of ``sign_tree(ubl.to_tree(doc))`` for every kind of document,
signs the C14N lxml computes, falls back to the tree where the written text is
not its own canonical form, refuses what the tree path refuses, and the emulator
takes what it signs as Valid."""

import copy
import datetime
import re
from decimal import Decimal

import pytest
from lxml import etree

from l10n_my_einvoice.myinvois import certificate, signing, signing_direct, ubl
from l10n_my_einvoice.myinvois.document import Tax
from l10n_my_einvoice.myinvois.emulator import Emulator

from . import doc_factory
from .test_emulator import SUPPLIER_TIN, Api, build, seed

WHEN = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


@pytest.fixture(scope="module")
def cert():
    return certificate.load_pkcs12(certificate.make_test_certificate(tin=SUPPLIER_TIN, password=b"pw"), "pw")


def documents():
    docs = dict(doc_factory.all_types())
    docs["rich"] = doc_factory.rich_invoice()
    docs["consolidated"] = doc_factory.consolidated()
    foreign = doc_factory.invoice(currency="USD", exchange_rate="4.7125")
    docs["foreign"] = foreign
    per_unit = doc_factory.invoice()
    per_unit.lines[0].taxes = [Tax(type="03", per_unit_amount=Decimal("10.00"), base_unit_measure=Decimal("2"))]
    docs["per-unit tax"] = per_unit
    return docs


def both(doc, cert):
    doc.issued_at = WHEN
    direct = signing.sign_document(doc, cert, signing_time=WHEN, intermediary=True)
    tree = signing.sign_tree(ubl.to_tree(doc), cert, signing_time=WHEN, intermediary=True)
    return direct, tree


@pytest.mark.parametrize("name", sorted(documents()))
def test_sign_document_gives_the_bytes_of_sign_tree(cert, name):
    doc = documents()[name]
    assert signing_direct._canonical_as_written(ubl.unsigned_bytes(doc)), "this one takes the direct path"
    direct, tree = both(doc, cert)
    assert direct == tree
    assert signing.verify(direct) == [] and signing.verify_signature_value(direct)


@pytest.mark.parametrize("name", ["invoice", "rich", "foreign"])
def test_the_written_body_is_the_c14n_lxml_makes(name):
    doc = documents()["01" if name == "invoice" else name]
    data = ubl.unsigned_bytes(doc)
    root = ubl.tree_of(data)
    for node in root.findall("cac:Signature", ubl.NS):
        root.remove(node)
    assert etree.tostring(root, method="c14n", exclusive=False) == data.replace(signing_direct._SIGNATURE, b"")


def _with(doc, **changes):
    doc = copy.deepcopy(doc)
    for path, value in changes.items():
        target = doc
        *parents, last = path.split("__")
        for part in parents:
            target = target[int(part)] if part.isdigit() else getattr(target, part)
        setattr(target, last, value)
    return doc


@pytest.mark.parametrize(
    "changes",
    [
        {"buyer__name": "Kedai\rRuncit"},  # &#13; in text
        {"supplier__activity": "Retail > wholesale"},  # ">" in an attribute
        {"supplier__activity": "Retail\tand\nwholesale"},  # character references in an attribute
        {"buyer__email": None, "buyer__phone": None},  # empty elements
        {"lines__0__description": " \u00a0 "},  # whitespace-only, a no-break space among it
        {"lines__0__description": ""},
    ],
    ids=["cr-in-text", "gt-in-attribute", "tab-newline-in-attribute", "empty-elements", "blank-text", "empty-text"],
)
def test_what_is_not_canonical_as_written_is_signed_through_the_tree(cert, changes):
    doc = _with(doc_factory.invoice(), **changes)
    if "lines__0__description" not in changes and "buyer__email" not in changes:
        assert not signing_direct._canonical_as_written(ubl.unsigned_bytes(doc))
    direct, tree = both(doc, cert)
    assert direct == tree
    assert signing.verify(direct) == [] and signing.verify_signature_value(direct)


def _refusal(sign):
    with pytest.raises(ValueError) as caught:
        sign()
    return type(caught.value), str(caught.value)


def test_refusals_are_those_of_the_tree_path(cert):
    other = certificate.load_pkcs12(certificate.make_test_certificate(tin="C10000000009", password=b"pw"), "pw")
    self_billed = doc_factory.self_billed()
    self_billed.buyer.tin = "C99999999990"  # the issuer of a self-billed document is its buyer
    bad_name = doc_factory.invoice()
    bad_name.buyer.name = "bad\x01name"
    cases = [
        (doc_factory.invoice(), other, WHEN, "DS311"),
        (
            doc_factory.invoice(),
            cert,
            cert.info.not_after + datetime.timedelta(days=1),
            "DS304: The certificate expired",
        ),
        (doc_factory.invoice(), cert, "20 July 2026", "YYYY-MM-DDThh:mm:ssZ"),
        (self_billed, cert, WHEN, "C99999999990 \\(AccountingCustomerParty\\)"),
        (bad_name, cert, WHEN, "XML compatible"),
    ]
    for doc, signer, when, message in cases:
        direct = _refusal(lambda: signing.sign_document(doc, signer, signing_time=when))  # noqa: B023
        assert re.search(message, direct[1]), direct
        if message != "XML compatible":  # to_tree refuses that one before sign_tree
            assert direct == _refusal(lambda: signing.sign_tree(ubl.to_tree(doc), signer, signing_time=when))  # noqa: B023


def test_the_emulator_takes_a_directly_signed_document_as_valid(cert):
    with Emulator(validation_delay=30) as emu:
        seed(emu)
        supplier = Api(emu, "supplier", "s3cret")
        uuid = supplier.submit_one(signing.sign_document(build(emu, number="INV-DIRECT-1"), cert))
        emu.clock.advance(30)
        assert emu.process_pending() == 1
        assert supplier.details(uuid)["validationResults"]["status"] == "Valid"


def test_a_stored_text_restamped_signs_as_the_document_issued_then(cert):
    queued_at = WHEN - datetime.timedelta(hours=5, minutes=7)
    for doc in (doc_factory.invoice(), doc_factory.self_billed(), doc_factory.rich_invoice()):
        doc.issued_at = queued_at
        stored = ubl.unsigned_bytes(doc)
        doc.issued_at = WHEN
        assert ubl.restamp(stored, WHEN) == ubl.unsigned_bytes(doc)
        signed = signing.sign_unsigned(ubl.restamp(stored, WHEN), cert, signing_time=WHEN, intermediary=True)
        assert signed == signing.sign_document(doc, cert, signing_time=WHEN, intermediary=True)
    with pytest.raises(ValueError, match="IssueDate"):
        ubl.restamp(b"<Invoice><cbc:IssueDate>1 July</cbc:IssueDate></Invoice>", WHEN)
