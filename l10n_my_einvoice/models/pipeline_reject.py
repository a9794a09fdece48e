"""Rejecting a received e-invoice: the buyer's request to LHDN, within 72 hours of
validation (reference §3.5 item 13). The document stays Valid at LHDN until the
supplier cancels it; the fetch picks that cancellation up and shows it on the bill.
The request is sent while the user waits (one short attempt) and recorded only once
LHDN accepted it; should that record be lost, the next fetch reads the request back.
"""

from odoo import fields, models
from odoo.exceptions import UserError

from ..myinvois import client as api_client
from ..myinvois import lifecycle, received
from . import einvoice_error_guide
from .einvoice_time import user_time


class L10nMyEinvoiceReceivedReject(models.Model):
    _inherit = "l10n_my_einvoice.received"

    def _too_late_message(self):
        return self.env._(
            "The 72 hours to reject the e-invoice %(number)s ended on %(deadline)s: LHDN no longer accepts a "
            "rejection. Ask %(supplier)s for a credit note (or a refund note) that corrects it.",
            number=self.internal_id or self.uuid,
            deadline=user_time(self.env, self.reject_deadline) if self.reject_deadline else "-",
            supplier=self.supplier_name or self.env._("the supplier"),
        )

    def _l10n_my_einvoice_reject(self, reason):
        """Ask LHDN to reject this e-invoice with ``reason``; raises UserError saying what to
        do when it cannot be done. Nothing is recorded unless LHDN accepted the request."""
        self.ensure_one()
        reason = " ".join((reason or "").split())
        if not reason or len(reason) > lifecycle.MAX_REASON:
            raise UserError(
                self.env._("Give the reason for the rejection (1 to 300 characters); LHDN shows it to the supplier.")
            )
        if self.state == received.REJECTION_REQUESTED:
            raise UserError(
                self.env._(
                    "The rejection of %(number)s was already requested on %(when)s; the supplier has to cancel it.",
                    number=self.internal_id or self.uuid,
                    when=user_time(self.env, self.rejection_requested_at) if self.rejection_requested_at else "-",
                )
            )
        if self.state == received.CANCELLED:
            raise UserError(
                self.env._("The supplier already cancelled %(number)s.", number=self.internal_id or self.uuid)
            )
        if not received.can_reject(self.state, self.validated_at, fields.Datetime.now()):
            raise UserError(self._too_late_message())
        client = self.company_id._l10n_my_einvoice_client().with_options(timeout=(3, 10), max_retries=0)
        try:
            client.reject(self.uuid, reason)
        except api_client.OperationPeriodOverError:
            raise UserError(self._too_late_message()) from None
        except api_client.IncorrectStateError:
            raise UserError(
                self.env._(
                    "LHDN refuses to reject %(number)s: it is no longer Valid there, or its rejection was already "
                    "requested. Click 'Refresh from MyInvois' to see its status.",
                    number=self.internal_id or self.uuid,
                )
            ) from None
        except api_client.ActiveReferencingDocumentsError:
            raise UserError(
                self.env._(
                    "LHDN refuses to reject %(number)s: a Valid credit, debit or refund note of the supplier "
                    "references it. Ask the supplier to cancel that note first.",
                    number=self.internal_id or self.uuid,
                )
            ) from None
        except (api_client.ServiceUnavailableError, api_client.RateLimitedError):
            raise UserError(
                self.env._(
                    "LHDN cannot be reached now: the rejection of %(number)s was not sent. Try again in a few "
                    "minutes (before %(deadline)s).",
                    number=self.internal_id or self.uuid,
                    deadline=user_time(self.env, self.reject_deadline),
                )
            ) from None
        except api_client.MyInvoisError as error:
            raise UserError(
                self.env._(
                    "LHDN refuses to reject %(number)s: %(reason)s",
                    number=self.internal_id or self.uuid,
                    reason=einvoice_error_guide.error_text(self.env, error),
                )
            ) from None
        self._transition(
            "request_rejection", {"rejection_reason": reason, "rejection_requested_at": fields.Datetime.now()}
        )
        return True
