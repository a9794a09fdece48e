"""Sign and verify MyInvois documents (XML and JSON, v1.1 signature).

LHDN's scheme borrows XAdES names but is not standard XMLDSig (reference §7.3):
the RSA-SHA256 ``SignatureValue`` is computed over the canonical *document*
bytes (whose SHA-256 is the document ``DigestValue``), not over ``SignedInfo``.
Standard libraries (xmlsec, signxml) can neither make nor check it, so the
structure is built by hand here with lxml and cryptography only.

* XML document digest: inclusive C14N of the invoice without ``UBLExtensions``
  and ``cac:Signature``, with whitespace-only text nodes dropped (§7.4 steps 2-5).
* XML SignedProperties digest: SHA-256 of the element serialised the way .NET's
  ``OuterXml`` writes it when taken out of the document (§7.4 step 9).
* JSON: SHA-256 of the minified invoice without the two signature keys, and of
  the minified ``QualifyingProperties`` object (§7.5).

Nothing secret (private key, password) ever reaches a message.
"""

from .certificate import Problem
from .signature_diagnose import diagnose
from .signature_verify import verify, verify_signature_value
from .signing_common import (
    C14N11,
    NS,
    PROPS_ID,
    PROPS_TYPE,
    RSA_SHA256,
    SHA256,
    SIGNATURE_INFO_ID,
    SIGNED_PROPERTIES_TEMPLATE,
    UBL_SIGNATURE_ID,
    XADES_URN,
    XPATH_TRANSFORM,
    SigningError,
)
from .signing_direct import sign_document, sign_unsigned
from .signing_json import sign_json
from .signing_xml import document_digest, sign_tree, sign_xml, signed_properties_xml

__all__ = [
    "Problem",
    "SigningError",
    "sign_document",
    "sign_unsigned",
    "sign_tree",
    "sign_xml",
    "sign_json",
    "verify",
    "verify_signature_value",
    "diagnose",
    "document_digest",
    "signed_properties_xml",
    "NS",
    "C14N11",
    "PROPS_ID",
    "PROPS_TYPE",
    "RSA_SHA256",
    "SHA256",
    "SIGNATURE_INFO_ID",
    "SIGNED_PROPERTIES_TEMPLATE",
    "UBL_SIGNATURE_ID",
    "XADES_URN",
    "XPATH_TRANSFORM",
]
