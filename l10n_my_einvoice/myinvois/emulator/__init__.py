"""A local MyInvois (LHDN) server for tests, the demo and offline work.

It serves LHDN's paths on 127.0.0.1 only, with LHDN's status codes and JSON
shapes (docs: myinvois-reference.md §2-4, §10, §11), and checks what LHDN
checks that can be checked offline, with the core's own validators: UBL
structure and codes (xml_checks), document rules (validation), the v1.1
signature (signing, certificate), duplicate payloads and documents, referenced
documents, and the 72-hour windows. It is an honest double, not a place to make
tests pass::

    from l10n_my_einvoice.myinvois.emulator import Emulator
    with Emulator(validation_delay=0.0) as emu:
        emu.add_client("id", "secret", tin="C1234567890", brn="202001012345")
        requests.post(emu.base_url + "/connect/token", data={...})

Modules: app (Emulator), server (HTTP), api (routing, auth/limit/error
pipeline), auth (token), submission (submit), documents (reads, cancel/reject,
lists), suppliers (other taxpayers issuing to the company), lifecycle (states,
windows, access), checks (the core's validators), views (JSON shapes), taxpayers (TIN, QR), catalogue (document types,
notifications), state (store, persistence), limits, faults, stats, clock,
errors, cli.

Where it differs from LHDN
--------------------------
* Signatures: any certificate is accepted; the CA chain is not checked (DS329),
  so self-signed test certificates pass. Not checked either: DS308/DS309
  (certificate type vs channel), DS310/DS312 (submitter vs certificate
  serialNumber), DS330. Checked: everything ``signing.verify`` checks (DS304
  included: signing time within the certificate's validity), the certificate's
  own problems (``certificate.describe``: key usage, TIN/BRN present, RSA) and
  DS311 (certificate TIN is the issuer's, or the submitting intermediary's).
* XML only: JSON documents are rejected on receipt with the emulator's own code
  ``NotSupportedByEmulator`` (the core has no UBL-JSON reader to check them with).
* Timing of validators: LHDN answers core-field errors in the submit response;
  the emulator reports all document rules (``validation.validate``) in the
  background result (Invalid + validationResults), with the structure/code
  schema checks (``xml_checks``), size, hash and issuer TIN on receipt.
* Error codes: DS3xx, CV302, CV316, ERR208, DV302, DR303, IncorrectSubmitter and
  the HTTP error names are LHDN's. CF300, CV300 and ERR200 are the emulator's
  catch-alls for rules LHDN publishes no number for; step names other than
  Step03/Step08 and outer step codes other than Error03/Error21 are the
  emulator's; ``BadArgument`` for a bad base64/documentHash is the emulator's
  choice (LHDN's code for it is not documented).
* Taxpayer validator: TINs inside documents are checked for form, not looked
  up; the seeded taxpayers serve only the TIN/QR endpoints. Intermediaries have
  every permission for the TINs in ``represents``.
* Version 1.0 documents are accepted without a signature check (LHDN still
  takes unsigned 1.0); the core's "sign 1.1" rule is not applied to them.
* HTTP error bodies other than the token endpoint's and the cancel/reject
  endpoint's are ``{"error": {code, message, target, details}}``, the shape LHDN
  was seen to send; 401 has the same body plus ``WWW-Authenticate``. Cancel/reject
  refusals are ``{"error": <MyInvois error object>}`` (errorCode, error, errorMS...),
  as §3.2 item 1 and the SDK's Standard Error Response page give them.
* Notifications are always empty; QR info knows only seeded taxpayers; tokens
  are opaque random strings, not JWTs; document type and version ids are the
  emulator's own; uuid/submissionUid/longId are random.
* Time: all server-side time rules run on ``emulator.clock`` (movable); rate
  limits run on real time with LHDN's production figures (sandbox is lower and
  unpublished). Documents are decided ``validation_delay`` seconds after
  receipt (dateTimeValidated = that moment). No 3-month data retention.
* Cancel and reject are both refused while a Valid note references the
  document (LHDN documents it for cancel; §4 says both). The 72-hour windows
  are the core's (``myinvois/lifecycle.py``) and close at 72 h exactly
  (LHDN's behaviour at that very second is not documented). A document issued
  to a general TIN cannot be rejected (no taxpayer receives it): 403 Forbidden.
* ``Emulator.add_supplier`` registers another taxpayer (client, certificate of its
  own TIN) whose ``issue`` signs and submits over the API like any ERP: documents
  the company under test then receives (Recent, direction Received; Get Document).
* Test hooks ``Emulator.reject_as_buyer`` and ``cancel_in_portal`` stand for
  what the buyer and the MyInvois portal do; they run the cancel/reject
  endpoint's code without a token or rate limit.
* The 10-minute duplicate-payload rule keys on the authenticated taxpayer TIN;
  a fully rejected submission (no accepted document) answers 202 with
  ``submissionUid: null`` and still counts as received.
* Unreadable input: a document the emulator's readers cannot take safely (a
  certificate serial beyond 20 octets, or anything the core raises on) refuses
  the whole submission with 400 BadStructure, recording nothing; LHDN's answer to
  such input is not documented (it may reject that document alone).
* State file: clients, taxpayers, tokens, submissions and documents persist;
  the clock offset, stats, faults and rate-limit windows do not.
"""

from .app import Emulator
from .cli import main  # python -m l10n_my_einvoice.myinvois emulator ... delegates here
from .errors import ApiError  # what reject_as_buyer / cancel_in_portal raise

__all__ = ["ApiError", "Emulator", "main"]
