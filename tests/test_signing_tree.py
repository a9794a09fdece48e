"""Signing the tree as built (issue 17): ``sign_tree`` on ``ubl.to_tree`` gives
the bytes ``sign_xml`` gives for ``ubl.to_xml``, they verify, and the emulator
takes them as Valid. The text writer of ubl.py writes what lxml would."""

import copy
import datetime
import json

import pytest
from lxml import etree

from l10n_my_einvoice.myinvois import certificate, signing, ubl
from l10n_my_einvoice.myinvois.document import Document
from l10n_my_einvoice.myinvois.emulator import Emulator

from .conftest import ROOT
from .test_emulator import SUPPLIER_TIN, Api, build, seed

WHEN = datetime.datetime(2026, 12, 1, 10, 0, tzinfo=datetime.timezone.utc)
NAMES = ("invoice", "credit-note", "self-billed-invoice")


@pytest.fixture(scope="module")
def cert():
    return certificate.load_pkcs12(certificate.make_test_certificate(tin=SUPPLIER_TIN, password=b"pw"), "pw")


def document(name="invoice", **changes):
    data = json.loads((ROOT / "samples" / "documents" / f"{name}.json").read_text())
    data.update(changes)
    doc = Document.from_dict(data)
    doc.issued_at = WHEN
    return doc


@pytest.mark.parametrize("name", NAMES)
def test_sign_tree_gives_the_bytes_of_sign_xml(cert, name):
    doc = document(name)
    root = ubl.to_tree(doc)
    signed = signing.sign_tree(root, cert, signing_time=WHEN, intermediary=True)
    assert signed == signing.sign_xml(ubl.to_xml(doc), cert, signing_time=WHEN, intermediary=True)
    assert signing.verify(signed) == []
    assert signing.verify_signature_value(signed)
    assert etree.tostring(root, encoding="utf-8") == signed  # the tree is now the signed document


def test_sign_tree_of_a_parsed_pretty_document(cert):
    pretty = etree.tostring(ubl.to_tree(document()), pretty_print=True)
    root = etree.fromstring(pretty)
    signed = signing.sign_tree(root, cert, signing_time="2026-12-01T10:00:00Z")
    assert signed == signing.sign_xml(pretty, cert, signing_time="2026-12-01T10:00:00Z")
    assert b"\n" not in signed and signing.verify(signed) == []


def test_sign_tree_refusals(cert):
    with pytest.raises(signing.SigningError, match="root element"):
        signing.sign_tree(etree.fromstring(b"<Other/>"), cert)
    root = etree.fromstring(signing.sign_xml(ubl.to_xml(document()), cert, signing_time=WHEN))
    with pytest.raises(signing.SigningError, match="already has ext:UBLExtensions"):
        signing.sign_tree(root, cert)


def test_the_cached_certificate_description_keeps_the_time_checks(cert):
    signing.sign_tree(ubl.to_tree(document()), cert, signing_time=WHEN)  # cached now
    late = cert.info.not_after + datetime.timedelta(days=1)
    with pytest.raises(signing.SigningError, match="DS304: The certificate expired"):
        signing.sign_tree(ubl.to_tree(document()), cert, signing_time=late)
    other = certificate.load_pkcs12(certificate.make_test_certificate(tin="C10000000009", password=b"pw"), "pw")
    with pytest.raises(signing.SigningError, match="DS311"):
        signing.sign_tree(ubl.to_tree(document()), other, signing_time=WHEN)


def test_the_text_writer_writes_what_lxml_writes():
    doc = document()
    doc.buyer = copy.copy(doc.buyer)
    doc.buyer.name = 'A & B <Sdn> "Bhd" \u00e9\u4e2d\r\n\tend'
    doc.supplier = copy.copy(doc.supplier)
    doc.supplier.activity = 'x & <y> "z"\n\r\t'
    xml = ubl.to_xml(doc)
    root = etree.fromstring(xml)
    assert etree.tostring(root, xml_declaration=True, encoding="UTF-8") == xml
    assert etree.tostring(ubl.to_tree(doc)) == etree.tostring(root)
    name = root.findtext(
        "cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName", None, ubl.NS
    )
    assert name == doc.buyer.name
    doc.buyer.name = "bad\x01name"
    with pytest.raises(ValueError, match="XML compatible"):
        ubl.to_xml(doc)


def test_the_emulator_takes_a_signed_tree_as_valid(cert):
    with Emulator(validation_delay=30) as emu:
        seed(emu)
        supplier = Api(emu, "supplier", "s3cret")
        xml = signing.sign_tree(ubl.to_tree(build(emu, number="INV-TREE-1")), cert)
        uuid = supplier.submit_one(xml)
        emu.clock.advance(30)
        assert emu.process_pending() == 1
        assert supplier.details(uuid)["validationResults"]["status"] == "Valid"
