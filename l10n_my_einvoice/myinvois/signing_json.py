"""Sign a MyInvois UBL JSON invoice (reference §7.5): SHA-256 of the minified
invoice without the two signature keys, and of the minified
``QualifyingProperties`` object. Numbers keep the lexemes they were given."""

import json

from .signing_common import (
    PROPS_ID,
    PROPS_TYPE,
    RSA_SHA256,
    SHA256,
    SIGNATURE_INFO_ID,
    UBL_SIGNATURE_ID,
    XADES_URN,
    SigningError,
    _certificate_values,
    _check_signer,
    _document_signature,
    _issuer_party,
    _sha256_b64,
    _signing_time,
)


class _Number(str):
    """A JSON number kept as written: the digest covers its lexeme, and a float
    round trip could change it (1436.50 -> 1436.5, 1e2 -> 100.0)."""


def _load_json(data):
    return json.loads(data, parse_float=_Number, parse_int=_Number)


def _dump_json(value):
    """Minified JSON, key order kept, UTF-8 strings unescaped (§7.5 step 2)."""
    if isinstance(value, dict):
        return "{" + ",".join(_dump_json(str(k)) + ":" + _dump_json(v) for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_dump_json(v) for v in value) + "]"
    if isinstance(value, _Number):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _at(value, *path):
    """Walk dicts and lists; None when any step is missing."""
    for step in path:
        if isinstance(step, int):
            value = value[step] if isinstance(value, list) and len(value) > step else None
        else:
            value = value.get(step) if isinstance(value, dict) else None
        if value is None:
            return None
    return value


def _text(value, *path):
    found = _at(value, *path, 0, "_")
    return None if found is None else str(found)


def _json_invoice(document):
    invoice = _at(document, "Invoice", 0)
    return invoice if isinstance(invoice, dict) else None


def _json_tin(invoice, party):
    for identification in _at(invoice, party, 0, "Party", 0, "PartyIdentification") or []:
        if _at(identification, "ID", 0, "schemeID") == "TIN":
            return (_text(identification, "ID") or "").strip()
    return ""


def _json_body(document):
    """The minified document without the invoice's UBLExtensions and Signature
    keys: what the validator re-serialises and hashes (§7.5)."""
    stripped = dict(document)
    stripped["Invoice"] = [
        {k: v for k, v in _json_invoice(document).items() if k not in ("UBLExtensions", "Signature")}
    ] + document["Invoice"][1:]
    return _dump_json(stripped).encode("utf-8")


def _json_qualifying(values):
    return {
        "Target": "signature",
        "SignedProperties": [
            {
                "Id": PROPS_ID,
                "SignedSignatureProperties": [
                    {
                        "SigningTime": [{"_": values["signing_time"]}],
                        "SigningCertificate": [
                            {
                                "Cert": [
                                    {
                                        "CertDigest": [
                                            {
                                                "DigestMethod": [{"_": "", "Algorithm": SHA256}],
                                                "DigestValue": [{"_": values["cert_digest"]}],
                                            }
                                        ],
                                        "IssuerSerial": [
                                            {
                                                "X509IssuerName": [{"_": values["issuer"]}],
                                                "X509SerialNumber": [{"_": values["serial"]}],
                                            }
                                        ],
                                    }
                                ]
                            }
                        ],
                    }
                ],
            }
        ],
    }


def _json_extensions(values, qualifying):
    digest_method = [{"_": "", "Algorithm": SHA256}]
    signature = {
        "Id": "signature",
        "Object": [{"QualifyingProperties": [qualifying]}],
        "KeyInfo": [
            {
                "X509Data": [
                    {
                        "X509Certificate": [{"_": values["certificate"]}],
                        "X509SubjectName": [{"_": values["subject"]}],
                        "X509IssuerSerial": [
                            {"X509IssuerName": [{"_": values["issuer"]}], "X509SerialNumber": [{"_": values["serial"]}]}
                        ],
                    }
                ]
            }
        ],
        "SignatureValue": [{"_": values["signature_value"]}],
        "SignedInfo": [
            {
                "SignatureMethod": [{"_": "", "Algorithm": RSA_SHA256}],
                "Reference": [
                    {
                        "Type": PROPS_TYPE,
                        "URI": "#" + PROPS_ID,
                        "DigestMethod": digest_method,
                        "DigestValue": [{"_": values["props_digest"]}],
                    },
                    {
                        "Type": "",
                        "URI": "",
                        "DigestMethod": digest_method,
                        "DigestValue": [{"_": values["doc_digest"]}],
                    },
                ],
            }
        ],
    }
    return [
        {
            "UBLExtension": [
                {
                    "ExtensionURI": [{"_": XADES_URN}],
                    "ExtensionContent": [
                        {
                            "UBLDocumentSignatures": [
                                {
                                    "SignatureInformation": [
                                        {
                                            "ID": [{"_": SIGNATURE_INFO_ID}],
                                            "ReferencedSignatureID": [{"_": UBL_SIGNATURE_ID}],
                                            "Signature": [signature],
                                        }
                                    ]
                                }
                            ]
                        }
                    ],
                }
            ]
        }
    ]


def sign_json(json_bytes, loaded_certificate, signing_time=None, intermediary=False):
    """Sign an unsigned MyInvois UBL JSON invoice (§7.5); returns minified UTF-8
    bytes with ``UBLExtensions`` and ``Signature`` as the invoice's last keys.
    Numbers keep the lexemes they were given. Same refusals as sign_xml."""
    try:
        document = _load_json(json_bytes)
    except ValueError as error:
        raise SigningError(f"The document is not valid JSON: {error}") from None
    invoice = _json_invoice(document) if isinstance(document, dict) else None
    if invoice is None or len(document["Invoice"]) != 1:
        raise SigningError('The JSON must hold exactly one invoice object under "Invoice".')
    if "UBLExtensions" in invoice:
        raise SigningError("The invoice already has UBLExtensions (is it signed already?). Sign the unsigned document.")
    time_text, when = _signing_time(signing_time)
    party = _issuer_party((_text(invoice, "InvoiceTypeCode") or "").strip())
    info = _check_signer(loaded_certificate, when, _json_tin(invoice, party), party, intermediary)

    invoice.pop("Signature", None)  # re-added last, so stripping both restores the body
    body = _json_body(document)
    values = dict(
        _certificate_values(loaded_certificate, info),
        signing_time=time_text,
        **_document_signature(loaded_certificate.private_key, body),
    )
    qualifying = _json_qualifying(values)
    values["props_digest"] = _sha256_b64(_dump_json(qualifying).encode("utf-8"))
    invoice["UBLExtensions"] = _json_extensions(values, qualifying)
    invoice["Signature"] = [{"ID": [{"_": UBL_SIGNATURE_ID}], "SignatureMethod": [{"_": XADES_URN}]}]
    return _dump_json(document).encode("utf-8")
