"""The draft vendor bill of a received e-invoice, equal to it to the sen.

The lines come from the core's plan (myinvois/received_bill.py), which already fits
quantities, prices and discounts to Odoo's precision; here they meet Odoo: the
supplier by TIN (created from the document when unknown), units by LHDN code, taxes
through the mapping (models/received_tax_map.py), currency and the document's rate.
Odoo's tax engine computes the taxes; where its rounding differs from the supplier's
by a few sen, the tax line takes the document's amount, as Odoo's own UBL import does.
Whatever still differs, or could not be matched, is written on the bill, never hidden.
"""

from decimal import Decimal
from zoneinfo import ZoneInfo

from odoo import fields, models
from odoo.exceptions import UserError, ValidationError

from ..myinvois import received, received_bill, ubl
from ..myinvois.document import DocumentError
from .einvoice_time import MALAYSIA_TZ
from .received_partner import find_or_create_supplier

TAX_CORRECTION_PER_LINE = Decimal("0.01")  # what per-line against per-total rounding can differ by


class L10nMyEinvoiceReceivedBill(models.Model):
    _inherit = "l10n_my_einvoice.received"

    def action_make_bill(self):
        # Made as the cron makes them (the supplier's contact too), by whoever may create bills.
        self.env["account.move"].check_access("create")
        for document in self.sudo():
            if document.move_id:
                raise UserError(
                    self.env._(
                        "%(document)s already has its bill %(bill)s.",
                        document=document.display_name,
                        bill=document.move_id.display_name,
                    )
                )
            document.with_company(document.company_id)._l10n_my_einvoice_make_bill()
        if len(self) == 1 and self.move_id:
            return self.action_open_bill()
        return True

    def _l10n_my_einvoice_make_bill(self):
        """Make this document's draft bill, or record why there is none; never raises for
        the document's content, so one bad e-invoice does not stop the others."""
        self.ensure_one()
        # One bill per document, even with the cron and a user's click at the same time.
        self.env.cr.execute("SELECT id FROM l10n_my_einvoice_received WHERE id = %s FOR UPDATE", [self.id])
        self.invalidate_recordset(["move_id", "bill_state"])
        if self.move_id:
            return self.move_id
        if self.state == received.CANCELLED:
            self._set_bill_state("skipped", self.env._("The supplier cancelled this e-invoice before a bill was made."))
            return None
        try:
            with self.env.cr.savepoint():
                plan = self._plan()
                if plan is None:
                    return None
                bill = self._create_bill(plan)
        except (UserError, ValidationError) as error:
            self._set_bill_state("failed", str(error.args[0] if error.args else error))
            return None
        return bill

    def _plan(self):
        if not self.attachment_id:
            raise UserError(self.env._("LHDN sent no document for %(uuid)s.", uuid=self.uuid))
        if self.document_format != "xml":
            raise UserError(
                self.env._(
                    "The e-invoice %(uuid)s is in JSON, which cannot be read into a bill yet: enter the bill by hand "
                    "from the attached document.",
                    uuid=self.uuid,
                )
            )
        try:
            document = ubl.from_xml(self.attachment_id.raw)
        except (DocumentError, ValueError) as error:
            raise UserError(
                self.env._("The e-invoice %(uuid)s cannot be read: %(error)s", uuid=self.uuid, error=error)
            ) from None
        precision = self.env["decimal.precision"].precision_get
        try:
            return received_bill.plan_bill(
                document, self.company_id.vat, precision("Product Price"), precision("Discount")
            )
        except received_bill.NotABill as reason:
            message = (
                self.env._("A self-billed e-invoice your customer issued for what you sold to it: a sale, not a bill.")
                if reason.reason == "self_billed_sale"
                else self.env._(
                    "Its buyer is TIN %(buyer)s, not your company's TIN %(tin)s: not a bill of yours.",
                    buyer=reason.buyer_tin or "-",
                    tin=self.company_id.vat,
                )
            )
            self._set_bill_state("skipped", message)
            return None

    def _create_bill(self, plan):
        company, env = self.company_id, self.env
        currency = self.currency_id  # the document's, found when it was kept (active or not)
        if not currency.active:
            raise UserError(
                env._(
                    "The e-invoice %(uuid)s is in %(currency)s, which is not active in Odoo: activate it in "
                    "Accounting > Configuration > Currencies, then click 'Create bill'.",
                    uuid=self.uuid,
                    currency=plan.currency,
                )
            )
        partner, notes = find_or_create_supplier(env, company, plan.supplier)
        keys = {tax.key for line in plan.lines for tax in line.taxes}
        taxes = env["l10n_my_einvoice.received.tax"]._l10n_my_einvoice_taxes_for(company, keys)
        lines = self._line_commands(plan, taxes, notes)
        vals = {
            "move_type": "in_refund" if plan.is_refund else "in_invoice",
            "company_id": company.id,
            "partner_id": partner.id,
            "ref": plan.number,
            "invoice_date": _malaysia_date(plan.issued_at),
            "currency_id": currency.id,
            "invoice_line_ids": lines,
            "l10n_my_einvoice_received_id": self.id,
        }
        if not partner.property_supplier_payment_term_id:  # else Odoo leaves it at today, maybe before the date
            vals["invoice_date_due"] = vals["invoice_date"]
        original = self._originals(plan)
        if original and plan.is_refund:
            vals["reversed_entry_id"] = original.id
        elif original and plan.kind == "debit_note":
            vals["debit_origin_id"] = original.id
        if currency != company.currency_id and plan.exchange_rate:
            vals["invoice_currency_rate"] = float(1 / plan.exchange_rate)  # Odoo: document currency per MYR
        if plan.prepaid:
            notes.append(
                env._(
                    "The supplier records %(amount)s %(currency)s as prepaid: the amount payable is %(payable)s.",
                    amount=plan.prepaid,
                    currency=plan.currency,
                    payable=plan.payable,
                )
            )
        bill = env["account.move"].with_company(company).create(vals)
        self._correct_taxes(bill, plan, taxes)
        difference = plan.total - Decimal(str(currency.round(bill.amount_total)))
        if difference:
            notes.append(
                env._(
                    "The bill totals %(bill)s but the e-invoice %(document)s (%(difference)s apart): check the taxes "
                    "of its lines.",
                    bill=bill.amount_total,
                    document=plan.total,
                    difference=difference,
                )
            )
        bill.l10n_my_einvoice_received_notes = "\n".join(notes) or False
        self._set_bill_state("done", "\n".join(notes) or False)
        bill._message_log(
            body=env._(
                "Created from the e-invoice %(number)s (UUID %(uuid)s) %(supplier)s issued through MyInvois.",
                number=plan.number,
                uuid=self.uuid,
                supplier=partner.display_name,
            ),
            attachment_ids=self.attachment_id.copy({"res_model": "account.move", "res_id": bill.id}).ids,
        )
        return bill

    def _line_commands(self, plan, taxes, notes):
        """The bill's line commands; what cannot be matched is added to ``notes``."""
        env = self.env
        units = self._units({line.unit_code for line in plan.lines if line.unit_code})
        lines = []
        for line in plan.lines:
            tax_ids, missing = [], []
            for tax in line.taxes:
                if taxes.get(tax.key):
                    tax_ids.append(taxes[tax.key].id)
                elif tax.charged:
                    missing.append(tax)
            name = self._line_name(line)
            if missing:
                described = ", ".join(f"{tax.type} {tax.key[1]}" for tax in missing)
                name = env._("%(name)s [no purchase tax for LHDN tax %(taxes)s]", name=name, taxes=described)
                notes.append(
                    env._(
                        "Line %(line)s: no purchase tax matches LHDN tax %(taxes)s; set it in Settings > Invoicing > "
                        "MyInvois (LHDN) > Taxes of received e-invoices, then add it on the line.",
                        line=line.line_id or line.description,
                        taxes=described,
                    )
                )
            if line.unit_code and line.unit_code not in units:
                notes.append(
                    env._(
                        "Line %(line)s: no unit of measure has the LHDN code %(code)s.",
                        line=line.line_id or line.description,
                        code=line.unit_code,
                    )
                )
            values = {
                "name": name,
                "quantity": float(line.quantity),
                "price_unit": float(line.unit_price),
                "discount": float(line.discount),
                "tax_ids": [fields.Command.set(tax_ids)],
            }
            if line.unit_code in units:
                values["product_uom_id"] = units[line.unit_code].id
            lines.append(fields.Command.create(values))
        return lines

    def _line_name(self, line):
        """The line's description; the lines the plan adds, named in the user's language."""
        if line.kind == "adjustment":
            return self.env._("Rounding of line %(line)s: %(name)s", line=line.line_id or "?", name=line.description)
        if line.kind == "rounding":
            return self.env._("Rounding")
        if line.kind in ("allowance", "charge") and line.description in ("Discount", "Charge"):
            return self.env._("Discount") if line.kind == "allowance" else self.env._("Charge")
        return line.description

    def _units(self, codes):
        if not codes:
            return {}
        uoms = self.env["uom.uom"].search([("l10n_my_unit_code", "in", sorted(codes))], order="id")
        found = {}
        for uom in uoms:
            found.setdefault(uom.l10n_my_unit_code, uom)
        return found

    def _originals(self, plan):
        uuids = [uuid for uuid, _number in plan.references if uuid]
        if not uuids:
            return self.env["account.move"]
        originals = self.search([("company_id", "=", self.company_id.id), ("uuid", "in", uuids)])
        return originals.move_id[:1]

    def _correct_taxes(self, bill, plan, taxes):
        """Each tax line takes the tax the document charges under it, when Odoo's own rounding
        differs by no more than a sen per line (a larger gap is a wrong mapping: left, and reported)."""
        currency = bill.currency_id
        wanted = {}
        for key, amount in plan.tax_totals.items():
            tax = taxes.get(key)
            if tax:
                wanted[tax] = wanted.get(tax, Decimal(0)) + amount
        sign = bill.direction_sign  # tax lines of a bill are debits: +1; of a refund, credits
        for tax, amount in wanted.items():
            tax_lines = bill.line_ids.filtered(lambda line, tax=tax: line.tax_line_id == tax)
            if not tax_lines:
                continue
            current = Decimal(str(currency.round(sign * sum(tax_lines.mapped("amount_currency")))))
            lines_taxed = len(bill.invoice_line_ids.filtered(lambda line, tax=tax: tax in line.tax_ids))
            difference = amount - current
            if difference and abs(difference) <= TAX_CORRECTION_PER_LINE * max(lines_taxed, 1):
                tax_lines[0].amount_currency += sign * float(difference)


def _malaysia_date(issued_at):
    if not issued_at:
        return fields.Date.today()
    return issued_at.astimezone(ZoneInfo(MALAYSIA_TZ)).date()  # the date the supplier's invoice bears
