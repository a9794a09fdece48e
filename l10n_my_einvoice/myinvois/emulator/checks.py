"""What the emulator checks on a submitted document, using the core's validators.

Nothing here re-implements a rule: structure and codes come from
``xml_checks``, document rules from ``validation``, the signature from
``signing`` and ``certificate``. This module only decides *when* each runs
(on receipt, or in the background as LHDN's Table 2.2 says) and writes the
results in MyInvois's shapes.

* On receipt (``check_on_receipt``, answer in ``rejectedDocuments``): size,
  XML structure and codes, readable document, issuer = authenticated taxpayer.
  Input no document holds (a 5,000-digit certificate serial) raises
  UnreadableDocument: the whole submission is refused with 400, unrecorded.
* In the background (``findings_at_submission`` computed at receipt with the
  receipt time, plus ``findings_against_store`` at decision time): document
  rules, signature, duplicate document (DV302), referenced documents (DR303).
"""

import base64
import datetime
import re

from cryptography import x509
from lxml import etree

from .. import certificate, codes, signing, ubl, validation, xml_checks
from ..document import DocumentError
from . import clock
from .errors import error_object

MAX_DOCUMENT_BYTES = 300 * 1024
# RFC 5280 4.1.2.2: a certificate serial is at most 20 octets, i.e. 49 decimal digits.
# Longer is no serial at all; the core's checks are not asked to read it.
MAX_SERIAL_DIGITS = 49
DUPLICATE_DOCUMENT_WINDOW = datetime.timedelta(hours=2)

# Background steps: (key, name, outer errorCode). LHDN's names were observed for
# Step03 and Step08 and its outer codes Error03/Error21; the rest are ours.
STEPS = (
    ("structure", "Step01-Structure Validator", "Error01"),
    ("core", "Step02-Core Fields Validator", "Error02"),
    ("duplicate", "Step03-Duplicated Submission Validator", "Error03"),
    ("taxpayer", "Step04-Taxpayer Validator", "Error04"),
    ("references", "Step05-Referenced Documents Validator", "Error05"),
    ("code", "Step06-Code Validator", "Error06"),
    ("currency", "Step07-Currency Validator", "Error07"),
    ("signature", "Step08-Document Signature Validator", "Error21"),
)
# validation.Issue.rule -> (step, errorCode). CV302/CV316/ERR208/DC501/DC502 are LHDN's
# codes (DC501: a tax amount not in TaxCurrencyCode; DC502: an amount not in the document
# currency); CF300/CV300/ERR200 are the emulator's catch-alls where LHDN publishes no
# number, as for the arithmetic rules (totals, line_*, tax_subtotal, per_unit_tax) and
# the exchange rate's currencies (exchange_currency), which fall to CF300.
RULE_CODES = {
    "code": ("code", "CV302"),
    "state_abroad": ("code", "CV316"),
    "state_17": ("code", "CV300"),
    "general_tin": ("taxpayer", "ERR208"),
    "tin": ("taxpayer", "ERR200"),
    "amount_currency": ("currency", "DC502"),
    "tax_currency": ("currency", "DC501"),
}
DEFAULT_RULE_CODE = ("core", "CF300")
ACCEPTED_VERSIONS = ("1.0", "1.1")  # 1.0 is unsigned and still accepted (reference §11)


def _last(path):
    """The element or field a path ends with: ``lines[0].quantity`` -> quantity,
    ``/*/cac:InvoiceLine[2]/cbc:ID`` -> ID (LHDN's propertyName)."""
    name = re.split(r"[/.]", re.sub(r"\[[^\]]*\]", "", path or ""))[-1]
    return name.split(":")[-1].lstrip("@") or None


def rejection(code, message, message_ms=None, name=None, inner=()):
    return error_object(code, message, message_ms, name=name, path=name, inner=inner)


# --------------------------------------------------------------------------- on receipt


def check_on_receipt(data, fmt, submitter_tin):
    """(Document, None) when the document passes the synchronous checks, else (None, error object)."""
    if fmt != "XML":
        return None, rejection(
            "NotSupportedByEmulator",
            "The emulator checks XML documents only; submit the document as XML.",
            name="format",
        )
    if len(data) > MAX_DOCUMENT_BYTES:
        return None, rejection(
            "MaximumSizeExceeded",
            f"The document is {len(data)} bytes; at most 300 KB per document.",
            "Dokumen melebihi 300 KB.",
            name="document",
        )
    findings = xml_checks.validate_xml(data)
    if findings:
        return None, _structure_error(data, findings)
    _refuse_unreadable_signature(data)
    try:
        doc = ubl.from_xml(data)
        doc.amounts()  # totals must be computable for the summary
    except (DocumentError, ArithmeticError, ValueError, TypeError) as error:
        return None, rejection("BadStructure", f"The document cannot be read: {error}", name="document")
    if (doc.issuer.tin or "").upper() != (submitter_tin or "").upper():
        role = "buyer (issuer of a self-billed document)" if doc.is_self_billed else "supplier"
        return None, rejection(
            "IncorrectSubmitter",
            f"The {role} TIN {doc.issuer.tin!r} is not the TIN of the authenticated taxpayer {submitter_tin!r}.",
            "TIN pengeluar bukan TIN pembayar cukai yang disahkan.",
            name="TIN",
        )
    return doc, None


class UnreadableDocument(ValueError):
    """Input beyond what any document holds: the submission is refused (400), unrecorded."""


def _refuse_unreadable_signature(data):
    root = etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    for serial in root.iter(f"{{{signing.NS['ds']}}}X509SerialNumber"):
        if len((serial.text or "").strip()) > MAX_SERIAL_DIGITS:
            raise UnreadableDocument(
                f"X509SerialNumber has {len(serial.text.strip())} characters; a certificate serial has at most "
                f"{MAX_SERIAL_DIGITS} digits (20 octets)."
            )


def _structure_error(data, findings):
    try:
        code_findings = set(xml_checks.check_codes(xml_checks.parse(data)))
    except ValueError:
        code_findings = set()
    inner = []
    for finding in findings:
        code = None  # LHDN gives structure errors no code
        if finding in code_findings:
            code = "CV316" if "CV316" in finding.message else "CV302"
        where = f"line {finding.line}: " if finding.line else ""
        inner.append(error_object(code, where + finding.message, name=_last(finding.path), path=finding.path))
    outer = "BadStructure" if any(item["errorCode"] is None for item in inner) else inner[0]["errorCode"]
    return rejection(outer, "Validation Error", "Ralat Pengesahan", inner=inner)


# --------------------------------------------------------------------------- background


def findings_at_submission(data, doc, now, principal):
    """[[step, error object], ...] from the document rules and the signature,
    judged at the submission time ``now``."""
    findings = []
    for issue in validation.validate(doc, now=now, for_submission=True):
        if issue.rule == "version" and doc.version in ACCEPTED_VERSIONS:
            continue  # the core signs 1.1 only; LHDN still takes 1.0
        step, code = RULE_CODES.get(issue.rule, DEFAULT_RULE_CODE)
        findings.append(
            [step, error_object(code, issue.message, issue.message_ms, name=_last(issue.path), path=issue.path)]
        )
    if doc.version != "1.0":  # 1.0 documents carry no signature
        findings += [["signature", error_object(p.code, p.message)] for p in _signature_problems(data, doc, principal)]
    return findings


def _signature_problems(data, doc, principal):
    problems = [p for p in signing.verify(data) if p.blocking]
    cert = _embedded_certificate(data)
    if cert is None:
        return problems
    info = certificate.describe(cert)
    # DS304 is about the signing time (signing.verify checks it), not about the
    # emulator clock, which tests may set anywhere.
    # verify() already reports the certificate's form problems (DS305/DS316): once is enough.
    seen = {(p.code, p.message) for p in problems}
    problems += [p for p in info.errors if p.code != "DS304" and (p.code, p.message) not in seen]
    # DS311: the certificate's TIN must be the issuer's, or the intermediary's own.
    allowed = {(doc.issuer.tin or "").upper()}
    if principal.intermediary:
        allowed.add((principal.own_tin or "").upper())
    if info.tin and info.tin.upper() not in allowed:
        problems.append(
            certificate.Problem(
                "DS311",
                f"The certificate's TIN {info.tin} is neither the issuer's "
                f"TIN {doc.issuer.tin} nor the submitting intermediary's.",
            )
        )
    return problems


def _embedded_certificate(data):
    try:
        root = etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False, no_network=True))
        text = root.findtext(".//ds:X509Certificate", namespaces=signing.NS)
        return x509.load_der_x509_certificate(base64.b64decode("".join((text or "").split()), validate=True))
    except (ValueError, TypeError, etree.XMLSyntaxError):
        return None


def findings_against_store(record, documents):
    """Duplicate document (DV302) and referenced documents (DR303), judged
    against the other stored documents at decision time."""
    findings = []
    received = clock.parse(record["dateTimeReceived"])
    key = _duplicate_key(record)
    for other in sorted(documents.values(), key=lambda r: r["seq"]):
        if other["seq"] >= record["seq"] or other["status"] not in ("Submitted", "Valid"):
            continue
        if (
            _duplicate_key(other) == key
            and received - clock.parse(other["dateTimeReceived"]) <= DUPLICATE_DOCUMENT_WINDOW
        ):
            findings.append(
                [
                    "duplicate",
                    error_object(
                        "DV302",
                        f"Duplicated submitted document with UUID {record['uuid']} matches the document with "
                        f"UUID {other['uuid']} (same type, version, issue date and time, internal ID and "
                        "issuer TIN).",
                        f"Dokumen pendua: UUID {record['uuid']} sepadan dengan dokumen UUID {other['uuid']}.",
                        name="InternalID",
                        path="Invoice.ID",
                    ),
                ]
            )
            break
    for index, uuid in enumerate(record["references"]):
        if uuid == "NA":
            continue
        original = documents.get(uuid)
        if original is None or original["status"] != "Valid":
            state = "unknown" if original is None else original["status"]
            findings.append(
                [
                    "references",
                    error_object(
                        "DR303",
                        f"The referenced document {uuid} is {state}; a note can only reference a Valid document.",
                        f"Dokumen rujukan {uuid} tidak sah untuk dirujuk ({state}).",
                        name="UUID",
                        path=f"Invoice.BillingReference[{index}].InvoiceDocumentReference.UUID",
                    ),
                ]
            )
    return findings


def _duplicate_key(record):
    return (
        record["typeCode"],
        record["typeVersionName"],
        record["dateTimeIssued"],
        record["internalId"],
        (record["issuerTin"] or "").upper(),
    )


def validation_results(findings):
    """``validationResults`` in LHDN's shape: one entry per step, the failed ones
    with a generic outer error and the specific codes in ``innerError``."""
    steps = []
    for key, name, outer in STEPS:
        errors = [error for step, error in findings if step == key]
        if errors:
            steps.append(
                {
                    "name": name,
                    "status": "Invalid",
                    "error": error_object(outer, "Step failed", "Langkah gagal", inner=errors),
                }
            )
        else:
            steps.append({"name": name, "status": "Valid"})
    return {"status": "Invalid" if findings else "Valid", "validationSteps": steps}


def type_name(type_code):
    return codes.describe("einvoice_types", type_code) or type_code
