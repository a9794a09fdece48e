"""Submit: where a submission is sent. The submission cron signs the queued documents
and sends them to LHDN in submissions of at most 100 documents / 5 MB.

Per company, in this order:
1. log in (a refused login leaves every document queued and pauses the company);
2. sign; a document that cannot be built or signed, or is over LHDN's 300 KB per
   document once signed, is refused alone (Invalid, with the reason);
3. write the others 'sending' with their hash and commit, before any HTTP call: a
   crash mid-send leaves rows to reconcile (pipeline_reconcile.py), never a resend;
4. one submission per batch, committed per batch.

An AbstractModel rather than plain functions: the cron needs a model to call, and
another module can extend one job (e.g. what is signed) with ``_inherit``.
"""

import datetime
import math

from odoo import api, fields, models

from ..myinvois import client as api_client
from ..myinvois import consolidation, signing, ubl, validation
from . import einvoice_error_guide, mapping
from .account_move import utc_now
from .api_state import run_unless_paused

SUBMIT_CRON = "l10n_my_einvoice.ir_cron_submit"
POLL_CRON = "l10n_my_einvoice.ir_cron_poll"


class L10nMyEinvoicePipelineSubmit(models.AbstractModel):
    _name = "l10n_my_einvoice.pipeline.submit"
    _description = "MyInvois: submit queued documents"

    @api.model
    def _cron(self, batch_limit=1000):
        """Reconcile what is left 'sending', then sign and submit queued documents,
        company by company; commit per batch when run by the cron. A company whose
        LHDN calls are paused keeps its documents queued. Returns the documents taken."""
        in_cron = bool(self.env.context.get("cron_id"))
        Document = self.env["l10n_my_einvoice.document"]
        self.env["l10n_my_einvoice.pipeline.reconcile"]._reconcile_sending(in_cron)
        Document.flush_model()
        documents = Document._lock_queued(batch_limit)
        for company in documents.company_id:
            run_unless_paused(
                company,
                lambda: self._submit(company, documents.filtered(lambda d: d.company_id == company), in_cron),
                "submission",
                SUBMIT_CRON,
            )
        if Document.search_count([("state", "=", "submitted")], limit=1):
            self.env.ref(POLL_CRON)._trigger(fields.Datetime.now() + datetime.timedelta(seconds=3))
        return documents

    def _submit(self, company, documents, in_cron=False):
        """Sign and submit ``documents`` (queued, of ``company``). Writes are grouped
        per state so a batch costs a few queries, not a few per document."""
        Document = self.env["l10n_my_einvoice.document"]
        client = company._l10n_my_einvoice_client(documents)
        # Log in before anything is signed or marked: a refused login (or an outage of
        # the login) leaves the documents queued, untouched.
        client.access_token()
        prepared = self._sign(company, documents)
        attachments = self.env["ir.attachment"].create(
            [
                {
                    "name": f"{values['code_number'].replace('/', '_')}-myinvois.xml",
                    "raw": payload.data,
                    "mimetype": "application/xml",
                    "res_model": Document._name,
                    "res_id": document.id,
                }
                for document, payload, values in prepared
            ]
        )
        for (document, _payload, values), attachment in zip(prepared, attachments, strict=True):
            document.write({**values, "attachment_id": attachment.id})
        Document.browse([document.id for document, _payload, _values in prepared])._transition("send")
        if in_cron:
            self.env["ir.cron"]._commit_progress(0)
        by_code = {payload.code_number: document for document, payload, _values in prepared}
        batches = [
            (batch, Document.browse([by_code[payload.code_number].id for payload in batch]))
            for batch in api_client.split_batches([payload for _document, payload, _values in prepared])
        ]
        for index, (batch, records) in enumerate(batches):
            client.on_response.documents = records
            untried = Document.concat(*(later for _batch, later in batches[index + 1 :]))
            try:
                response = client.submit(batch)
            except api_client.ServiceUnavailableError as error:
                # Unknown outcome: the batch stays 'sending' until reconciled with LHDN.
                (untried if error.outcome_unknown else records | untried)._transition("requeue")
                raise
            except (api_client.RateLimitedError, api_client.AuthenticationError):
                (records | untried)._transition("requeue")  # refused unread: resending is safe
                raise
            except api_client.DuplicateSubmissionError:
                continue  # the same payload arrived before: 'sending' rows are reconciled, never an error
            except api_client.MyInvoisError as error:
                for record in records:
                    record._set_errors(
                        [{"errorCode": error.code, "error": str(error), "errorMS": error.message_ms}]
                        + list(error.errors)
                    )
                records._transition("refuse")
                continue
            self._record_response(company, records, response)
            if in_cron:
                self.env["ir.cron"]._commit_progress(len(batch))

    def _record_response(self, company, records, response):
        """LHDN's 202: the accepted documents are Submitted (with their UUID), the
        rejected ones Invalid with LHDN's error."""
        submission = self.env["l10n_my_einvoice.submission"].create(
            {"uid": response.get("submissionUid"), "company_id": company.id, "submitted_at": fields.Datetime.now()}
        )
        accepted = {item.get("invoiceCodeNumber"): item for item in response.get("acceptedDocuments") or []}
        rejected = {item.get("invoiceCodeNumber"): item for item in response.get("rejectedDocuments") or []}
        accepted_records = records.filtered(lambda d: d.code_number in accepted)
        rejected_records = records.filtered(lambda d: d.code_number in rejected)
        for record in rejected_records:
            record._set_errors([rejected[record.code_number].get("error") or {}])
        for record in accepted_records:
            record.uuid = accepted[record.code_number].get("uuid")
        rejected_records._transition("refuse", {"submission_id": submission.id})
        accepted_records._transition("accept", {"submission_id": submission.id})
        if not accepted_records:
            submission.state = "done"

    def _sign(self, company, documents):
        """(document, payload, values) for each of ``documents`` that can be sent. The
        others are refused alone (Invalid, with the reason); nothing of them reaches LHDN."""
        certificate = company._l10n_my_einvoice_loaded_certificate()
        prepared, refused = [], self.env["l10n_my_einvoice.document"]
        of_moves = documents.filtered(lambda d: not d.consolidated)
        of_moves.move_id.line_ids.mapped("tax_ids")  # what the fingerprints read, for all at once
        current = {d.id for d in of_moves if d.move_id._l10n_my_einvoice_build_is_current(d)}
        # Only the moves built again need what the mapping reads (tax tags, payments).
        of_moves.filtered(lambda d: d.id not in current).move_id._l10n_my_einvoice_prefetch()
        limit = api_client.MAX_DOCUMENT_BYTES
        for document in documents:
            try:
                if document.consolidated:
                    payload, problems, values = self._sign_consolidated(document, certificate, utc_now())
                else:
                    record = document if document.id in current else None
                    payload, problems, values = self._sign_move(document.move_id, certificate, utc_now(), record)
            except signing.SigningError as error:  # e.g. the certificate expired since the upload
                payload, problems = None, [company._l10n_my_einvoice_certificate_error(error)]
            if not problems and len(payload.data) > limit:
                # LHDN would refuse the whole submission: this one waits for nothing.
                problems = [
                    self.env._(
                        "%(number)s is %(size)s KB signed; LHDN accepts at most %(limit)s KB per document: "
                        "split the invoice into several invoices.",
                        number=payload.code_number,
                        size=math.ceil(len(payload.data) / 1024),
                        limit=limit // 1024,
                    )
                ]
            if problems:
                document.error_text = "\n".join(problems)
                refused |= document
                continue
            prepared.append((document, payload, values))
        refused._transition("refuse")
        return prepared

    @api.model
    def _sign_move(self, move, certificate, now, record=None):
        """Sign ``move`` now (issue time = now, as LHDN wants): (SubmissionDocument,
        problems, document values to store). ``record`` is the queued document when the
        build stored on it is current (``_build_is_current``): it is signed as it is;
        otherwise the move is built and checked again from what Odoo holds now."""
        stored = move._l10n_my_einvoice_stored_build(record, now) if record else None
        if stored is not None:
            return self._signed_bytes(stored, record.code_number, record.type_code, move.company_id, certificate, now)
        document, problems = move._l10n_my_einvoice_build(now)
        if problems:
            return None, problems, None
        return self._signed(document, move.company_id, certificate, now)

    @api.model
    def _sign_consolidated(self, record, certificate, now):
        """A consolidated e-invoice, rebuilt from the plan stored when it was consolidated."""
        company = record.company_id
        issues = []
        issuer = mapping.company_party(company, issues)
        document = consolidation.to_document(
            consolidation.Plan.from_json(record.plan_json), issuer=issuer, issued_at=now
        )
        problems = einvoice_error_guide.problem_messages(self.env, issues, validation.validate(document, now=now))
        if problems:
            return None, problems, None
        return self._signed(document, company, certificate, now)

    @api.model
    def _signed(self, document, company, certificate, now):
        return self._signed_bytes(
            ubl.unsigned_bytes(document), document.number, document.type_code, company, certificate, now
        )

    @api.model
    def _signed_bytes(self, unsigned, code_number, type_code, company, certificate, now):
        """Sign the unsigned UBL bytes of the document ``code_number`` issued at ``now``."""
        signed = signing.sign_unsigned(
            unsigned,
            certificate,
            signing_time=now,
            intermediary=company.l10n_my_einvoice_login_as == "intermediary",
        )
        payload = api_client.SubmissionDocument(code_number, signed)
        return (
            payload,
            [],
            {
                "type_code": type_code,
                "code_number": code_number,
                "issued_at": now.replace(tzinfo=None),
                "document_hash": payload.hash,
                "build_xml": False,  # signed: the attachment holds what was sent
            },
        )
