"""The validator's Malay messages are Malay throughout: its English field labels
("The buyer's name") never end up inside them."""

import re

import pytest

from l10n_my_einvoice.myinvois import validation
from l10n_my_einvoice.myinvois.document import Address, Party
from l10n_my_einvoice.myinvois.validation_malay import label_ms, role_ms

from .doc_factory import invoice

ENGLISH = re.compile(r"\b(The|the|is|of|buyer|supplier|line|number|address|required|name|postcode)\b|'s\b")


def broken_documents():
    blank = invoice()
    blank.supplier, blank.buyer = Party(), Party(address=Address(lines=[], country="", state=""))
    blank.number, blank.currency, blank.payment_means = "", "XXX", "99"
    bad = invoice()
    bad.buyer.email, bad.buyer.phone, bad.buyer.name = "bad at mail", "12", "x" * 400
    bad.buyer.sst, bad.buyer.ttx, bad.buyer.address.state = "bad sst;;", "b a d", "99"
    line = bad.lines[0]
    line.unit_code, line.classifications, line.description, line.taxes = "PCS", [], "", []
    shapes = invoice()
    shapes.buyer.id_type, shapes.buyer.id_number = "BRN", "12 3"
    shapes.buyer.address.lines, shapes.buyer.address.city = ["x" * 200], "y" * 60
    shapes.buyer.address.postal_zone, shapes.incoterms, shapes.fta = "123456", "CIFX", "FTA; no"
    shapes.lines[0].tariff_code, shapes.lines[0].origin_country = "12-34", "ZZZ"
    return [blank, bad, shapes]


@pytest.mark.parametrize("doc", broken_documents(), ids=["blank", "bad values", "bad shapes"])
def test_every_malay_message_of_a_broken_document_is_malay(doc):
    issues = validation.validate(doc, now=doc.issued_at)
    assert len(issues) >= 8
    english = [(issue.path, issue.message_ms) for issue in issues if ENGLISH.search(issue.message_ms)]
    assert english == []
    assert all(issue.message_ms != issue.message for issue in issues)


def test_labels_in_the_malay_order():
    assert label_ms("The buyer's name") == "Nama pembeli"
    assert label_ms("The supplier's TIN") == "TIN pembekal"
    assert label_ms("unit of measure") == "unit ukuran"
    assert label_ms("Something new") == "Something new"  # unknown: as it is, never empty
    assert role_ms("shipping recipient") == "penerima penghantaran"
