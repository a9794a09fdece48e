import base64
import datetime

import pytest
from cryptography import x509
from lxml import etree

from l10n_my_einvoice.myinvois import certificate, certificate_cache

DS = {"ds": "http://www.w3.org/2000/09/xmldsig#", "xades": "http://uri.etsi.org/01903/v1.3.2#"}
PASSWORD = b"pfx-password"


def p12(**kwargs):
    kwargs.setdefault("password", PASSWORD)
    return certificate.make_test_certificate(**kwargs)


@pytest.mark.parametrize(
    "sample", ["one-doc-signed.xml", "1.1-Invoice-Sample.xml", "1.1-Self-Billed-Invoice-Sample.xml"]
)
def test_lhdn_sample_certificate_reads_as_lhdn_wrote_it(lhdn_data, sample):
    """Issuer name, decimal serial and CertDigest of LHDN's own signed samples are
    what describe() computes from the embedded certificate."""
    tree = etree.parse(str(lhdn_data / sample))
    der = base64.b64decode("".join(tree.findtext(".//ds:X509Certificate", namespaces=DS).split()))
    info = certificate.describe(x509.load_der_x509_certificate(der), now=datetime.datetime(2024, 7, 1))
    assert info.issuer == tree.findtext(".//ds:X509IssuerName", namespaces=DS).strip()
    assert info.serial == tree.findtext(".//ds:X509SerialNumber", namespaces=DS).strip()
    assert info.digest == tree.findtext(".//xades:CertDigest/ds:DigestValue", namespaces=DS).strip()
    assert info.issuer == "CN=Trial LHDNM Sub CA V1, OU=Terms of use at http://www.posdigicert.com.my, O=LHDNM, C=MY"
    assert info.key_usage_ok and info.document_signing_ok and info.is_rsa
    assert info.tin and info.brn, "the sample certificate is an organisation certificate"


def test_generated_certificate_opens_with_its_details():
    loaded = certificate.load_pkcs12(
        p12(tin="C2584563200", brn="201901234567", organization="Syarikat Ujian"),
        PASSWORD.decode(),
        company_tin="C2584563200",
        company_brn="201901234567",
    )
    info = loaded.info
    assert (info.tin, info.brn, info.organization) == ("C2584563200", "201901234567", "Syarikat Ujian")
    assert info.serial.isdigit() and int(info.serial) == loaded.certificate.serial_number
    assert info.issuer == "CN=Test LHDNM Sub CA, OU=Test CA for l10n_my_einvoice, O=LHDNM, C=MY"
    assert info.problems == ()
    assert loaded.private_key.key_size == 2048


def test_wrong_password_is_a_clear_error_without_the_password():
    with pytest.raises(certificate.CertificateError) as caught:
        certificate.load_pkcs12(p12(), "hunter2")
    assert "password is wrong" in str(caught.value)
    assert "hunter2" not in str(caught.value)


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "No certificate file"),
        (b"-----BEGIN CERTIFICATE-----", "not a PKCS#12"),
        (b"\x30\x03\x02\x01\x03", "could not be opened"),
    ],
)
def test_not_a_certificate(data, message):
    with pytest.raises(certificate.CertificateError, match=message):
        certificate.load_pkcs12(data, "x")


def test_file_without_private_key_is_refused():
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12

    loaded = certificate.load_pkcs12(p12(), PASSWORD)
    only_cert = pkcs12.serialize_key_and_certificates(
        b"c", None, loaded.certificate, None, BestAvailableEncryption(PASSWORD)
    )
    with pytest.raises(certificate.CertificateError, match="no private key"):
        certificate.load_pkcs12(only_cert, PASSWORD)


def codes_of(info):
    return [problem.code for problem in info.problems]


def test_mismatch_with_company_is_a_warning_naming_both_values():
    info = certificate.load_pkcs12(
        p12(tin="C1111111110", brn="1"), PASSWORD, company_tin="C2222222220", company_brn="2"
    ).info
    assert codes_of(info) == ["DS311", "DS312"]
    assert not info.errors, "an intermediary's certificate legitimately differs"
    assert "C1111111110" in info.warnings[0].message and "C2222222220" in info.warnings[0].message


def test_expired_not_yet_valid_and_expiring():
    now = datetime.datetime(2026, 6, 1)
    data = p12(not_before=datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc), days=365)
    assert codes_of(certificate.load_pkcs12(data, PASSWORD, now=now).info) == ["DS304"]
    assert "expired on 2026-01-01" in certificate.load_pkcs12(data, PASSWORD, now=now).info.errors[0].message
    assert codes_of(certificate.load_pkcs12(data, PASSWORD, now=datetime.datetime(2024, 12, 1)).info) == ["DS304"]
    expiring = certificate.load_pkcs12(data, PASSWORD, now=datetime.datetime(2025, 12, 20)).info
    assert codes_of(expiring) == ["EXPIRING"] and not expiring.errors
    assert "in 12 day(s)" in expiring.warnings[0].message


def test_personal_certificate_without_document_signing():
    info = certificate.load_pkcs12(p12(organisation=False, document_signing=False), PASSWORD).info
    assert codes_of(info) == ["DS306", "DS307", "DS305"]
    assert all(problem.blocking for problem in info.problems)


def test_unencrypted_pkcs12_opens_with_empty_password():
    info = certificate.load_pkcs12(certificate.make_test_certificate(password=None), "").info
    assert info.tin == "C1234567890"


def test_issuer_name_quotes_special_characters():
    from cryptography.x509.oid import NameOID

    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "MY"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Raff, Comm Sdn Bhd"),
            x509.NameAttribute(NameOID.EMAIL_ADDRESS, "ca@example.my"),
        ]
    )
    assert certificate.issuer_name(name) == 'E=ca@example.my, O="Raff, Comm Sdn Bhd", C=MY'


def test_an_opened_certificate_is_kept_per_file_and_password():
    certificate_cache.forget()
    first = certificate.make_test_certificate(password=b"pw")
    second = certificate.make_test_certificate(password=b"pw")
    loaded = certificate_cache.load_pkcs12(first, "pw")
    assert certificate_cache.load_pkcs12(first, b"pw") is loaded  # opened once
    assert certificate_cache.load_pkcs12(second, "pw") is not loaded  # another file
    with pytest.raises(certificate.CertificateError, match="password is wrong"):
        certificate_cache.load_pkcs12(first, "other")  # another password: opened, refused
    with pytest.raises(certificate.CertificateError, match="password is wrong"):
        certificate_cache.load_pkcs12(first, "other")  # and the refusal was not kept
    for index in range(10):  # a few companies per process, not every file ever seen
        certificate_cache.load_pkcs12(certificate.make_test_certificate(password=str(index).encode()), str(index))
    assert certificate_cache.load_pkcs12(first, "pw") is not loaded
    certificate_cache.forget()
