"""Hostile XML found by fuzzing (issue 16): each once crashed validate_xml, verify
or the XML reader. Now each is a finding, a DS problem or a DocumentError that
names the element, and what is valid behaves as before."""

import base64
import re

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from lxml import etree

from l10n_my_einvoice.myinvois import certificate, signing, ubl, xml_checks
from l10n_my_einvoice.myinvois.__main__ import document_findings
from l10n_my_einvoice.myinvois.document import DocumentError

from .fuzz_xml import odd_certificates, signed_documents, signer, with_serial

NS = signing.NS


@pytest.fixture(scope="module")
def signed():
    """A signed invoice (tests/doc_factory.py) that validates and verifies."""
    return signed_documents()[0]


def codes(problems):
    return sorted(problem.code for problem in problems)


def sub(data, pattern, replacement):
    changed, count = re.subn(pattern, replacement, data, count=1)
    assert count == 1, pattern
    return changed


def set_text(data, xpath, value):
    root = etree.fromstring(data)
    root.xpath(xpath, namespaces=NS)[0].text = value
    return etree.tostring(root)


def with_entity(data, value=None):
    """A DOCTYPE declaring an internal entity, used for the invoice number."""
    number = re.search(rb"<cbc:ID>([^<]+)</cbc:ID>", data).group(1)
    entity = (value or number).decode()
    data = sub(data, rb"<cbc:ID>[^<]+</cbc:ID>", b"<cbc:ID>&x;</cbc:ID>")
    return f'<!DOCTYPE Invoice [<!ENTITY x "{entity}">]>'.encode() + data


def with_certificate(data, der):
    return sub(data, rb"(<ds:X509Certificate>)[^<]+", rb"\g<1>" + base64.b64encode(der))


# --------------------------------------------------------------------------- the reproducers


def test_entity_reference_in_validate_is_a_finding(signed):
    data = with_entity(signed)
    findings = xml_checks.validate_xml(data)  # was XMLSchemaValidateError
    assert len(findings) == 1 and "DOCTYPE" in findings[0].message
    with pytest.raises(DocumentError, match="DOCTYPE"):
        ubl.from_xml(data)
    assert any("DOCTYPE" in finding for finding in document_findings(data))


def test_entity_reference_in_verify_is_ds300(signed):
    """Even an entity standing for the very value signed is refused: C14N does not
    expand it, so the bytes hashed would not be the text a reader sees."""
    for data in (with_entity(signed), with_entity(signed, b"INV-EVIL-1")):
        problems = signing.verify(data)  # was C14NError, or [] for the first
        assert codes(problems) == ["DS300"] and "DOCTYPE" in problems[0].message
        assert codes(signing.diagnose(signed=data)) == ["DS300"]
        assert not signing.verify_signature_value(data)


def test_5000_digit_serial_number_is_ds327(signed):
    data = sub(signed, rb"(<ds:X509SerialNumber>)[^<]+", rb"\g<1>" + b"9" * 5000)
    problems = signing.verify(data)  # was ValueError: exceeds the limit for integer string conversion
    assert "DS327" in codes(problems)
    message = next(p.message for p in problems if p.code == "DS327")
    assert "X509SerialNumber" in message and "5000 digits" in message
    # leading zeros do not make a long serial (int() would refuse 5,001 characters too)
    padded = sub(signed, rb"(<ds:X509SerialNumber>)", rb"\g<1>" + b"0" * 5000)
    assert "DS328" not in codes(signing.verify(padded)) and "DS320" in codes(signing.verify(padded))


def test_5000_digit_certificate_serial_is_ds305(signed):
    der = with_serial(signer().certificate.public_bytes(serialization.Encoding.DER), 10**4999 + 7)
    info = certificate.describe(x509.load_der_x509_certificate(der))  # was ValueError in str(serial)
    assert any(p.code == "DS305" and "5000 digits" in p.message for p in info.errors)
    problems = signing.verify(with_certificate(signed, der))
    assert any(p.code == "DS305" and "serial number has 5000 digits" in p.message for p in problems)
    assert "DS305" in codes(signing.diagnose(signed=with_certificate(signed, der)))


def test_signing_time_2026_02_30_is_ds336(signed):
    data = sub(signed, rb"(<xades:SigningTime>)[^<]+", rb"\g<1>2026-02-30T01:02:03Z")
    problems = signing.verify(data)  # was ValueError: day is out of range for month
    assert codes(problems) == ["DS320", "DS336"]
    assert "xades:SigningTime '2026-02-30T01:02:03Z'" in next(p.message for p in problems if p.code == "DS336")
    for impossible in (b"2026-07-20T24:00:00Z", b"0000-01-01T00:00:00Z", b"2026-12-31T23:59:60Z"):
        assert "DS336" in codes(signing.verify(sub(signed, rb"(<xades:SigningTime>)[^<]+", rb"\g<1>" + impossible)))


@pytest.mark.parametrize("algorithm", ["DSA", "Ed25519", "EC"])
def test_dsa_ed25519_and_ec_keys_are_ds316(signed, algorithm):
    der = odd_certificates()[algorithm]
    problems = signing.verify(with_certificate(signed, der))
    key = next(p.message for p in problems if p.code == "DS316")
    assert key.startswith(f"The certificate's key is {algorithm}") and "MyInvois wants RSA" in key
    assert "DS333" not in codes(problems), "DS316 already says why no RSA signature can hold"
    assert any(p.code == "DS316" for p in certificate.describe(x509.load_der_x509_certificate(der)).errors)


@pytest.mark.parametrize(
    "uri",
    [
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
        "http://www.w3.org/2000/09/xmldsig#dsa-sha1",
        "http://www.w3.org/2000/09/xmldsig#hmac-sha1",
        "",
        "urn:x:" + "a" * 5000,
    ],
)
def test_signature_method_other_than_rsa_sha256_is_ds316(signed, uri):
    data = sub(signed, rb'(<ds:SignatureMethod Algorithm=")[^"]+', rb"\g<1>" + uri.encode())
    problems = signing.verify(data)
    assert codes(problems) == ["DS316"] and "SignatureMethod/@Algorithm" in problems[0].message


def test_29_digit_amount_in_validate_is_a_finding(signed):
    data = sub(signed, rb"(<cbc:PayableAmount currencyID=\"MYR\">)[^<]+", rb"\g<1>" + b"1" * 29 + b".00")
    findings = xml_checks.validate_xml(data)
    assert [f.path for f in findings] == ["/*/cac:LegalMonetaryTotal/cbc:PayableAmount"]
    assert "31 digits" in findings[0].message and "at most 28" in findings[0].message
    with pytest.raises(DocumentError, match=r"cac:LegalMonetaryTotal/cbc:PayableAmount"):
        ubl.from_xml(data)
    # the CLI validate command: was InvalidOperation from the rounding of the amounts
    assert document_findings(data) == [str(f) for f in findings]


# --------------------------------------------------------------------------- related


def test_line_amount_path_and_amounts_too_large_to_compute(signed):
    line = set_text(signed, "cac:InvoiceLine[1]/cbc:LineExtensionAmount", "9" * 30)
    assert [f.path for f in xml_checks.validate_xml(line)] == ["/*/cac:InvoiceLine[1]/cbc:LineExtensionAmount"]
    # 20 digits each is allowed, but the product does not fit 28 digits once rounded to cents
    big = set_text(signed, "cac:InvoiceLine[1]/cbc:InvoicedQuantity", "9" * 20)
    big = set_text(big, "cac:InvoiceLine[1]/cac:Price/cbc:PriceAmount", "9" * 20)
    assert xml_checks.validate_xml(big) == []
    with pytest.raises(DocumentError, match=r"cac:InvoiceLine\[1\]: its amounts are too large"):
        ubl.from_xml(big)
    assert document_findings(big) and "too large" in document_findings(big)[0]


def test_exponent_and_impossible_dates_are_named(signed):
    exponent = sub(signed, rb"(<cbc:PayableAmount currencyID=\"MYR\">)[^<]+", rb"\g<1>1E+400")
    with pytest.raises(DocumentError, match="PayableAmount: '1E\\+400' is not a decimal number"):
        ubl.from_xml(exponent)
    date = sub(signed, rb"(<cbc:IssueDate>)[^<]+", rb"\g<1>2026-02-30")
    assert [f.path for f in xml_checks.validate_xml(date)] == ["/*/cbc:IssueDate"]
    with pytest.raises(DocumentError, match="cbc:IssueDate: '2026-02-30'"):
        ubl.from_xml(date)


def test_syntax_errors_name_the_open_element(signed):
    data = sub(signed, rb"(<cbc:PayableAmount currencyID=\"MYR\">)", b"\\g<1>\x01")
    (finding,) = xml_checks.validate_xml(data)
    assert finding.path == "/*/cac:LegalMonetaryTotal/cbc:PayableAmount" and finding.line
    assert "not well-formed" in finding.message
    assert "cbc:PayableAmount" in signing.verify(data)[0].message
    with pytest.raises(DocumentError, match="cbc:PayableAmount: not well-formed"):
        ubl.from_xml(data)


def test_a_comment_inside_a_value_reads_as_the_signature_does(signed):
    """C14N drops comments, so 1<!-- -->436.50 is signed as 1436.50; the reader and
    the checks must read it so too, or a verified document could say another amount."""
    amount = re.search(rb'<cbc:PayableAmount currencyID="MYR">([^<]+)<', signed).group(1)
    data = signed.replace(amount + b"<", amount[:1] + b"<!-- -->" + amount[1:] + b"<", 1)
    assert signing.verify(data) == [] and xml_checks.validate_xml(data) == []
    assert ubl.from_xml(data) == ubl.from_xml(signed)


def test_deeply_nested_json_is_ds300():
    assert codes(signing.verify(b'{"Invoice": ' + b"[" * 100000)) == ["DS300"]


def test_signed_documents_are_unchanged(signed):
    """The hardened parser changes nothing for a sound document."""
    root = etree.fromstring(signed)
    assert xml_checks.validate_xml(signed) == [] and signing.verify(signed) == []
    assert signing.document_digest(signed) == root.findtext(".//ds:Reference[@URI='']/ds:DigestValue", namespaces=NS)
