"""The v1.1 signature, with real cryptography: LHDN's own signed samples verify,
tampering gives the DS code LHDN would, and what we sign verifies and still
validates against UBL 2.1."""

import base64
import datetime
import json
import re

import pytest
from cryptography.hazmat.primitives import serialization
from lxml import etree

from l10n_my_einvoice.myinvois import certificate, signing, xml_checks

from .conftest import ROOT

NS = signing.NS
PASSWORD = "pw-not-in-any-message"
OUR_TIN = "C20880050010"
OTHER_TIN = "C10000000009"
SAMPLES = ROOT / "samples" / "lhdn"
ALL_XML = [
    "1.1-Credit-Note-Sample.xml",
    "1.1-Debit-Note-Sample.xml",
    "1.1-Invoice-Consolidated-Sample.xml",
    "1.1-Invoice-ForeignCurrency-Sample.xml",
    "1.1-Invoice-MultiLineItem-Sample.xml",
    "1.1-Invoice-Sample.xml",
    "1.1-Refund-Note-Sample.xml",
    "1.1-Self-Billed-Credit-Sample.xml",
    "1.1-Self-Billed-Debit-Sample.xml",
    "1.1-Self-Billed-Invoice-Sample.xml",
    "1.1-Self-Billed-Refund-Sample.xml",
]
ALL_JSON = [name.replace(".xml", ".json") for name in ALL_XML] + ["sample-ul-invoice-2.1-signed.min.json"]
# Samples whose signature is sound but whose SigningTime lies outside the
# embedded certificate's validity (see the tests below for the evidence).
SIGNING_TIME_OUTSIDE_VALIDITY = {"1.1-Invoice-Consolidated-Sample.xml", "1.1-Invoice-ForeignCurrency-Sample.xml"}


def codes(problems):
    return sorted(problem.code for problem in problems)


def loaded(**kwargs):
    kwargs.setdefault("tin", OUR_TIN)
    return certificate.load_pkcs12(certificate.make_test_certificate(password=PASSWORD.encode(), **kwargs), PASSWORD)


@pytest.fixture(scope="module")
def cert():
    return loaded()


def unsigned_xml(name, supplier_tin=None, buyer_tin=None):
    """A signed sample made unsigned (no UBLExtensions, no cac:Signature), with
    the issuer's TIN swapped for the test certificate's. Kept pretty-printed."""
    root = etree.fromstring((SAMPLES / name).read_bytes())
    for node in root.xpath("ext:UBLExtensions | cac:Signature", namespaces=NS):
        root.remove(node)
    for party, tin in (("AccountingSupplierParty", supplier_tin), ("AccountingCustomerParty", buyer_tin)):
        if tin:
            root.find(f"cac:{party}/cac:Party/cac:PartyIdentification/cbc:ID[@schemeID='TIN']", NS).text = tin
    return etree.tostring(root, encoding="utf-8")


def unsigned_json(lhdn_data, name, supplier_tin=None, buyer_tin=None):
    document = json.loads((lhdn_data / name).read_bytes())
    invoice = document["Invoice"][0]
    del invoice["UBLExtensions"], invoice["Signature"]
    for party, tin in (("AccountingSupplierParty", supplier_tin), ("AccountingCustomerParty", buyer_tin)):
        for identification in invoice[party][0]["Party"][0]["PartyIdentification"] if tin else []:
            if identification["ID"][0]["schemeID"] == "TIN":
                identification["ID"][0]["_"] = tin
    return json.dumps(document, indent=2).encode()


def replace_text(data, pattern, replacement):
    changed, count = re.subn(pattern, replacement, data, count=1)
    assert count == 1, pattern
    return changed


# --------------------------------------------------------------------------- LHDN's samples


@pytest.mark.parametrize("name", [n for n in ALL_XML if n not in SIGNING_TIME_OUTSIDE_VALIDITY])
def test_lhdn_xml_samples_verify(lhdn_data, name):
    """Pretty-printed as published: they verify only because the digest drops
    whitespace-only text nodes (reference §7.4 step 3)."""
    assert signing.verify((lhdn_data / name).read_bytes()) == []


@pytest.mark.parametrize("name", ALL_JSON)
def test_lhdn_json_samples_verify(lhdn_data, name):
    assert signing.verify((lhdn_data / name).read_bytes()) == []


def test_one_doc_signed_verifies_fully(lhdn_data):
    """one-doc-signed.xml is byte-identical to 1.1-Invoice-Sample.xml. Its
    pretty-printing only added whitespace-only text nodes, which the digest
    drops, so the document digest DOES recompute: no DS322."""
    data = (lhdn_data / "one-doc-signed.xml").read_bytes()
    assert data == (lhdn_data / "1.1-Invoice-Sample.xml").read_bytes()
    assert signing.verify(data) == []
    assert signing.verify_signature_value(data)
    stored = etree.fromstring(data).findtext(".//ds:Reference[@URI='']/ds:DigestValue", namespaces=NS)
    assert signing.document_digest(data) == stored


def test_foreign_currency_sample_has_a_stale_signing_time(lhdn_data):
    """Its SigningTime (2024-07-23) was left from an older signature: the
    certificate is valid only from 2025-07-02, and the SignedProperties digest
    is exactly that of SigningTime 2025-07-30T06:34:28Z (found by search).
    Document digest, RSA signature, CertDigest, issuer and serial all hold."""
    data = (lhdn_data / "1.1-Invoice-ForeignCurrency-Sample.xml").read_bytes()
    assert codes(signing.verify(data)) == ["DS304", "DS320"]
    assert signing.verify_signature_value(data)
    fixed = replace_text(data, rb"2024-07-23T00:30:05Z", b"2025-07-30T06:34:28Z")
    assert signing.verify(fixed) == []


def test_consolidated_sample_was_signed_after_its_certificate_expired(lhdn_data):
    """Every digest and the signature hold, but SigningTime 2025-02-05 is after
    the trial certificate's notAfter (2024-09-06): LHDN's DS304."""
    problems = signing.verify((lhdn_data / "1.1-Invoice-Consolidated-Sample.xml").read_bytes())
    assert codes(problems) == ["DS304"]
    assert "2025-02-05T07:43:54Z" in problems[0].message and "2024-09-06" in problems[0].message


@pytest.mark.parametrize("name", [n for n in ALL_XML if n != "1.1-Invoice-ForeignCurrency-Sample.xml"])
def test_dotnet_serialisation_of_signed_properties_is_the_template(lhdn_data, name):
    """The generic .NET-OuterXml writer used by verify gives, for LHDN's
    samples, exactly the §7.4 step 9 template string."""
    root = etree.fromstring((lhdn_data / name).read_bytes())
    props = root.find(".//xades:SignedProperties", NS)
    value = lambda path: root.findtext(".//" + path, namespaces=NS).strip()  # noqa: E731
    expected = signing.SIGNED_PROPERTIES_TEMPLATE.format(
        signing_time=value("xades:SigningTime"),
        cert_digest=value("xades:CertDigest/ds:DigestValue"),
        issuer=value("ds:X509IssuerName"),
        serial=value("ds:X509SerialNumber"),
    )
    assert signing.signed_properties_xml(props) == expected


# --------------------------------------------------------------------------- tampering


def test_changed_amount_is_a_document_digest_mismatch(lhdn_data):
    data = (lhdn_data / "1.1-Invoice-Sample.xml").read_bytes()
    tampered = replace_text(data, rb'(<cbc:PayableAmount currencyID="MYR">)1436\.50', rb"\g<1>1437.50")
    assert codes(signing.verify(tampered)) == ["DS322"]
    # the signature still belongs to the stored digest: the content moved, not the signature
    assert signing.verify_signature_value(tampered)


def test_changed_amount_in_json_is_a_document_digest_mismatch(lhdn_data):
    data = (lhdn_data / "1.1-Invoice-Sample.json").read_bytes()
    tampered = replace_text(data, rb'("PayableAmount": \[\s*\{\s*"_": )1436\.5', rb"\g<1>1437.5")
    assert codes(signing.verify(tampered)) == ["DS322"]


def test_replaced_certificate(lhdn_data, cert):
    """Another certificate in KeyInfo: its digest, key, issuer, serial and
    validity all disagree with what was signed."""
    data = (lhdn_data / "1.1-Invoice-Sample.xml").read_bytes()
    other = base64.b64encode(cert.certificate.public_bytes(serialization.Encoding.DER))
    tampered = replace_text(data, rb"<ds:X509Certificate>[^<]+<", b"<ds:X509Certificate>" + other + b"<")
    problems = signing.verify(tampered)
    assert codes(problems) == ["DS304", "DS318", "DS326", "DS328", "DS333"]
    assert not signing.verify_signature_value(tampered)


def test_changed_signing_time_is_a_properties_digest_mismatch(lhdn_data):
    data = (lhdn_data / "1.1-Invoice-Sample.xml").read_bytes()
    tampered = replace_text(data, rb"2024-07-23T16:31:06Z", b"2024-07-23T16:31:07Z")
    assert codes(signing.verify(tampered)) == ["DS320"]


def test_changed_signing_time_in_json(lhdn_data):
    data = (lhdn_data / "1.1-Invoice-Sample.json").read_bytes()
    tampered = replace_text(data, rb"2025-04-15T02:01:36Z", b"2025-04-15T02:01:37Z")
    assert codes(signing.verify(tampered)) == ["DS320"]


def test_unparsable_and_unsigned_documents(lhdn_data):
    assert codes(signing.verify(b"<Invoice><cbc:ID>")) == ["DS300"]
    assert codes(signing.verify(b'{"Invoice": [')) == ["DS300"]
    assert codes(signing.verify(unsigned_xml("1.1-Invoice-Sample.xml"))) == ["DS301"]
    assert codes(signing.verify(unsigned_json(lhdn_data, "1.1-Invoice-Sample.json"))) == ["DS301"]
    assert codes(signing.verify(b'{"Invoice": {"ID": 1}}')) == ["DS300"]
    assert codes(signing.verify(b'{"Invoice": [{"UBLExtensions": "x", "Signature": 3}]}')) == ["DS301"]


def test_missing_parts_are_named(lhdn_data):
    data = (lhdn_data / "1.1-Invoice-Sample.xml").read_bytes()
    no_value = replace_text(data, rb"<ds:SignatureValue>[^<]+</ds:SignatureValue>", b"")
    assert codes(signing.verify(no_value)) == ["DS332"]
    sha1 = replace_text(
        data, rb'(<ds:SignatureMethod Algorithm=")[^"]+', rb"\g<1>http://www.w3.org/2000/09/xmldsig#rsa-sha1"
    )
    assert codes(signing.verify(sha1)) == ["DS316"]


# --------------------------------------------------------------------------- signing XML


def test_sign_xml_round_trip(cert):
    signed = signing.sign_xml(unsigned_xml("1.1-Invoice-Sample.xml", supplier_tin=OUR_TIN), cert)
    assert signing.verify(signed) == []
    assert xml_checks.validate_xml(signed) == []
    assert not re.search(rb">\s+<", signed) and not signed.startswith(b"<?xml")  # minified, no declaration
    root = etree.fromstring(signed)
    assert etree.QName(root[0]).localname == "UBLExtensions"
    signature = root.find("cac:Signature", NS)
    assert etree.QName(signature.getprevious()).localname == "AdditionalDocumentReference"
    assert etree.QName(signature.getnext()).localname == "AccountingSupplierParty"
    assert signature.findtext("cbc:ID", namespaces=NS) == signing.UBL_SIGNATURE_ID
    assert signature.findtext("cbc:SignatureMethod", namespaces=NS) == signing.XADES_URN
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", root.findtext(".//xades:SigningTime", namespaces=NS))


def test_signed_xml_matches_the_template_and_the_certificate(cert):
    when = datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    cert = loaded(not_before=datetime.datetime(2029, 1, 1, tzinfo=datetime.timezone.utc), days=1000)
    signed = signing.sign_xml(unsigned_xml("1.1-Invoice-Sample.xml", supplier_tin=OUR_TIN), cert, signing_time=when)
    root = etree.fromstring(signed)
    info = cert.info
    assert root.findtext(".//xades:SigningTime", namespaces=NS) == "2030-01-01T19:04:05Z"  # +08:00 -> UTC
    assert root.findtext(".//ds:X509IssuerName", namespaces=NS) == info.issuer
    assert root.findtext(".//ds:X509SerialNumber", namespaces=NS) == info.serial
    assert root.findtext(".//xades:CertDigest/ds:DigestValue", namespaces=NS) == info.digest
    expected = signing.SIGNED_PROPERTIES_TEMPLATE.format(
        signing_time="2030-01-01T19:04:05Z", cert_digest=info.digest, issuer=info.issuer, serial=info.serial
    )
    assert signing.signed_properties_xml(root.find(".//xades:SignedProperties", NS)) == expected
    assert signing.verify(signed) == []


def test_signed_xml_still_verifies_when_pretty_printed(cert):
    signed = signing.sign_xml(unsigned_xml("1.1-Invoice-MultiLineItem-Sample.xml", supplier_tin=OUR_TIN), cert)
    root = etree.fromstring(signed)
    etree.indent(root)
    assert signing.verify(etree.tostring(root)) == []


def test_signed_xml_tampered_after_signing(cert):
    signed = signing.sign_xml(unsigned_xml("1.1-Invoice-Sample.xml", supplier_tin=OUR_TIN), cert)
    tampered = replace_text(signed, rb'(<cbc:PayableAmount currencyID="MYR">)1436\.50', rb"\g<1>1436.51")
    assert codes(signing.verify(tampered)) == ["DS322"]


def test_sign_xml_refuses_another_taxpayers_document(cert):
    with pytest.raises(signing.SigningError) as error:
        signing.sign_xml(unsigned_xml("1.1-Invoice-Sample.xml", supplier_tin=OTHER_TIN), cert)
    message = str(error.value)
    assert OTHER_TIN in message and OUR_TIN in message and "AccountingSupplierParty" in message
    assert PASSWORD not in message


def test_sign_xml_for_an_intermediary(cert):
    signed = signing.sign_xml(unsigned_xml("1.1-Invoice-Sample.xml", supplier_tin=OTHER_TIN), cert, intermediary=True)
    assert signing.verify(signed) == []
    problems = signing.diagnose(cert, signed)
    assert codes(problems) == ["DS311"] and not problems[0].blocking
    assert OTHER_TIN in problems[0].message and OUR_TIN in problems[0].message


def test_self_billed_is_issued_by_the_buyer(cert):
    """Type 11: the certificate must be the buyer's (AccountingCustomerParty)."""
    signed = signing.sign_xml(
        unsigned_xml("1.1-Self-Billed-Invoice-Sample.xml", supplier_tin=OTHER_TIN, buyer_tin=OUR_TIN), cert
    )
    assert signing.verify(signed) == []
    assert xml_checks.validate_xml(signed) == []
    with pytest.raises(signing.SigningError) as error:
        signing.sign_xml(
            unsigned_xml("1.1-Self-Billed-Invoice-Sample.xml", supplier_tin=OUR_TIN, buyer_tin=OTHER_TIN), cert
        )
    assert OTHER_TIN in str(error.value) and "AccountingCustomerParty" in str(error.value)


def test_sign_xml_refuses_unusable_certificates():
    expired = loaded(not_before=datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=400), days=365)
    with pytest.raises(signing.SigningError, match="DS304"):
        signing.sign_xml(unsigned_xml("1.1-Invoice-Sample.xml", supplier_tin=OUR_TIN), expired)
    personal = loaded(organisation=False)
    with pytest.raises(signing.SigningError, match="DS307") as error:
        signing.sign_xml(unsigned_xml("1.1-Invoice-Sample.xml", supplier_tin=OUR_TIN), personal)
    assert PASSWORD not in str(error.value)


def test_sign_xml_refuses_a_signed_document(lhdn_data, cert):
    with pytest.raises(signing.SigningError, match="already"):
        signing.sign_xml((lhdn_data / "1.1-Invoice-Sample.xml").read_bytes(), cert)


# --------------------------------------------------------------------------- signing JSON


def test_sign_json_round_trip(lhdn_data, cert):
    unsigned = unsigned_json(lhdn_data, "1.1-Invoice-Sample.json", supplier_tin=OUR_TIN)
    signed = signing.sign_json(unsigned, cert)
    assert signing.verify(signed) == []
    outside_strings = re.sub(rb'"(?:[^"\\]|\\.)*"', b'""', signed)
    assert not re.search(rb"\s", outside_strings)  # minified
    invoice = json.loads(signed)["Invoice"][0]
    assert list(invoice)[-2:] == ["UBLExtensions", "Signature"]
    assert list(invoice)[:-2] == list(json.loads(unsigned)["Invoice"][0])
    assert b'"_":1436.5,' in signed  # numbers as written


def test_sign_json_self_billed_and_refusal(lhdn_data, cert):
    signed = signing.sign_json(
        unsigned_json(lhdn_data, "1.1-Self-Billed-Invoice-Sample.json", supplier_tin=OTHER_TIN, buyer_tin=OUR_TIN), cert
    )
    assert signing.verify(signed) == []
    with pytest.raises(signing.SigningError) as error:
        signing.sign_json(unsigned_json(lhdn_data, "1.1-Invoice-Sample.json", supplier_tin=OTHER_TIN), cert)
    assert OTHER_TIN in str(error.value) and OUR_TIN in str(error.value)


def test_sign_json_tampered_after_signing(lhdn_data, cert):
    signed = signing.sign_json(unsigned_json(lhdn_data, "1.1-Invoice-Sample.json", supplier_tin=OUR_TIN), cert)
    assert codes(signing.verify(signed.replace(b'"_":1436.5,', b'"_":1436.6,', 1))) == ["DS322"]


# --------------------------------------------------------------------------- diagnose


def test_diagnose_expired_certificate():
    expired = loaded(not_before=datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=400), days=365)
    assert "DS304" in codes(signing.diagnose(expired))


def test_diagnose_personal_certificate():
    assert {"DS306", "DS307"} <= set(codes(signing.diagnose(loaded(organisation=False))))


def test_diagnose_tampered_document(lhdn_data):
    data = (lhdn_data / "1.1-Invoice-Sample.xml").read_bytes()
    tampered = replace_text(data, rb'(<cbc:PayableAmount currencyID="MYR">)1436\.50', rb"\g<1>1437.50")
    # LHDN's samples name the supplier "Supplier's TIN", not the certificate's C29702635060
    assert codes(signing.diagnose(signed=tampered)) == ["DS311", "DS322"]


def test_diagnose_good_signature_and_company_mismatch(cert):
    signed = signing.sign_xml(unsigned_xml("1.1-Invoice-Sample.xml", supplier_tin=OUR_TIN), cert)
    assert signing.diagnose(cert, signed, company_tin=OUR_TIN) == []
    assert codes(signing.diagnose(cert, company_tin=OTHER_TIN)) == ["DS311"]
