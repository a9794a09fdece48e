"""Document <-> UBL 2.1 XML (the ``Invoice`` root for all eight types).

Elements are written in the UBL 2.1 schema's sequence (LHDN's structure
validator enforces it), minified, as text (the parts are in ubl_text.py): the
bytes lxml would write for the same tree, without the cost of one lxml element
per node. ``signing.sign_document`` signs that text as written; ``to_tree``
parses it once for ``signing.sign_tree``. Amounts are written with two decimals,
quantities, prices and the exchange rate exactly as given, never in
scientific notation. ``from_xml`` reads a MyInvois document back (received
documents, round-trip tests; the reader is ubl_read.py), keeping what the
document declares so that validation can say when it does not add up.
"""

import datetime
from decimal import Decimal

from lxml import etree

from .document import Document
from .ubl_text import (
    NOT_XML_BYTES,
    NOT_XML_MESSAGE,
    Writer,
    amount_text,
    attributes_text,
    basic,
    escape_attribute,
    escape_text,
    number,
    render,
)

NS_INV = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
NS_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
NS_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
NSMAP = {None: NS_INV, "cac": NS_CAC, "cbc": NS_CBC}
NS = {"inv": NS_INV, "cac": NS_CAC, "cbc": NS_CBC}
SIGNATURE_ID = "urn:oasis:names:specification:ubl:signature:Invoice"
SIGNATURE_METHOD = "urn:oasis:names:specification:ubl:dsig:enveloped:xades"


_PARSER = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True)
_ROOT_START = f'Invoice xmlns="{NS_INV}" xmlns:cac="{NS_CAC}" xmlns:cbc="{NS_CBC}"'
ROOT_OPEN = f"<{_ROOT_START}>"
# Attributes in C14N order (by name), so that the written body is its own canonical
# form and signing_direct.py hashes it as written.
_TAX_SCHEME = '<cac:TaxScheme><cbc:ID schemeAgencyID="6" schemeID="UN/ECE 5153">OTH</cbc:ID></cac:TaxScheme>'
_DECLARATION = b"<?xml version='1.0' encoding='UTF-8'?>\n"


def to_xml(document: Document) -> bytes:
    """UTF-8 bytes of the unsigned UBL document (signing.py adds the signature)."""
    return _DECLARATION + unsigned_bytes(document)


def to_tree(document: Document):
    """The unsigned UBL document as an lxml ``Invoice`` element, for
    ``signing.sign_tree`` (which signs it in place)."""
    return tree_of(unsigned_bytes(document))


def tree_of(data):
    """The lxml tree of ``unsigned_bytes``."""
    return etree.fromstring(data, _PARSER)


def unsigned_bytes(document: Document) -> bytes:
    """UTF-8 of the unsigned UBL document, without XML declaration (what
    ``signing.sign_document`` signs as written)."""
    out = []
    render(_build(document), out)
    data = "".join(out).encode("utf-8")
    if len(data.translate(None, NOT_XML_BYTES)) != len(data):  # a C-speed scan of the whole text
        raise ValueError(NOT_XML_MESSAGE)
    return data


def restamp(data, issued_at):
    """``unsigned_bytes`` of a document with its issue date and time set to
    ``issued_at`` (aware): the bytes the writer gives for the document issued then.
    The root's IssueDate and IssueTime follow its cbc:ID, whose text has no "<"."""
    issued = issued_at.astimezone(datetime.timezone.utc)
    date_at = data.find(b"<cbc:IssueDate>") + len(b"<cbc:IssueDate>")
    time_at = data.find(b"<cbc:IssueTime>", date_at) + len(b"<cbc:IssueTime>")
    if (
        date_at < len(b"<cbc:IssueDate>")
        or time_at < len(b"<cbc:IssueTime>")
        or data[date_at + 10 : date_at + 26] != b"</cbc:IssueDate>"
        or data[time_at + 9 : time_at + 25] != b"</cbc:IssueTime>"
    ):
        raise ValueError("Not a document written by ubl.unsigned_bytes: no root IssueDate and IssueTime.")
    return b"".join(
        (
            data[:date_at],
            issued.strftime("%Y-%m-%d").encode(),
            data[date_at + 10 : time_at],
            issued.strftime("%H:%M:%SZ").encode(),
            data[time_at + 9 :],
        )
    )


def _build(document):
    w = Writer(document.currency)
    root = [_ROOT_START]
    issued = document.issued_at.astimezone(datetime.timezone.utc)
    w.cbc(root, "ID", document.number)
    w.cbc(root, "IssueDate", issued.strftime("%Y-%m-%d"))
    w.cbc(root, "IssueTime", issued.strftime("%H:%M:%SZ"))
    w.cbc(root, "InvoiceTypeCode", document.type_code, listVersionID=document.version)
    w.cbc(root, "DocumentCurrencyCode", document.currency)
    if document.currency == "MYR":
        # Foreign-currency documents carry no TaxCurrencyCode: every amount is in the
        # document currency and the rate converts (reference §5.9, DC501/DC502).
        w.cbc(root, "TaxCurrencyCode", "MYR")
    _period(w, root, document)
    for ref in document.billing_references:
        reference = w.cac(w.cac(root, "BillingReference"), "InvoiceDocumentReference")
        w.cbc(reference, "ID", ref.number)
        w.cbc(reference, "UUID", ref.uuid)
    if document.bill_reference:
        w.cbc(w.cac(w.cac(root, "BillingReference"), "AdditionalDocumentReference"), "ID", document.bill_reference)
    _additional_references(w, root, document)
    signature = w.cac(root, "Signature")
    w.cbc(signature, "ID", SIGNATURE_ID)
    w.cbc(signature, "SignatureMethod", SIGNATURE_METHOD)
    supplier = w.cac(root, "AccountingSupplierParty")
    if document.supplier.certex:
        w.cbc(supplier, "AdditionalAccountID", document.supplier.certex, schemeAgencyName="CertEX")
    _party(w, w.cac(supplier, "Party"), document.supplier, with_msic=True)
    _party(w, w.cac(w.cac(root, "AccountingCustomerParty"), "Party"), document.buyer, with_msic=False)
    if document.delivery:
        _delivery(w, root, document)
    amounts = document.amounts()
    _payment(w, root, document, amounts)
    for allowance, amount in zip(document.allowances, amounts.allowances, strict=True):
        _allowance(w, root, allowance, amount, with_rate=False)
    if document.currency != "MYR" and document.exchange_rate is not None:
        rate = w.cac(root, "TaxExchangeRate")
        w.cbc(rate, "SourceCurrencyCode", document.currency)
        w.cbc(rate, "TargetCurrencyCode", "MYR")
        w.cbc(rate, "CalculationRate", number(document.exchange_rate))
    _tax_total(w, root, amounts)
    _monetary_total(w, root, amounts)
    for index, (line, line_amounts) in enumerate(zip(document.lines, amounts.lines, strict=True), start=1):
        _line(w, root, line, line_amounts, line.id or str(index))
    return root


def _period(w, root, doc):
    if not (doc.period_start or doc.period_end or doc.frequency):
        return
    period = w.cac(root, "InvoicePeriod")
    if doc.period_start:
        w.cbc(period, "StartDate", doc.period_start.isoformat())
    if doc.period_end:
        w.cbc(period, "EndDate", doc.period_end.isoformat())
    if doc.frequency:
        w.cbc(period, "Description", doc.frequency)


def _additional_references(w, root, doc):
    # LHDN's positions [1]..[4]: customs import form, FTA, K2, incoterms (reference §5.3).
    if doc.customs_import_forms:
        ref = w.cac(root, "AdditionalDocumentReference")
        w.cbc(ref, "ID", ",".join(doc.customs_import_forms))
        w.cbc(ref, "DocumentType", "CustomsImportForm")
    if doc.fta:
        ref = w.cac(root, "AdditionalDocumentReference")
        w.cbc(ref, "ID", "FTA")
        w.cbc(ref, "DocumentType", "FreeTradeAgreement")
        w.cbc(ref, "DocumentDescription", doc.fta)
    if doc.customs_k2_forms:
        ref = w.cac(root, "AdditionalDocumentReference")
        w.cbc(ref, "ID", ",".join(doc.customs_k2_forms))
        w.cbc(ref, "DocumentType", "K2")
    if doc.incoterms:
        w.cbc(w.cac(root, "AdditionalDocumentReference"), "ID", doc.incoterms)


def _party(w, party_element, party, *, with_msic):
    if with_msic:
        w.cbc(party_element, "IndustryClassificationCode", party.msic, name=party.activity)
    for scheme, value in (
        ("TIN", party.tin),
        (party.id_type, party.id_number),
        ("SST", party.sst or "NA"),
        ("TTX", party.ttx or "NA"),
    ):
        w.cbc(w.cac(party_element, "PartyIdentification"), "ID", value, schemeID=scheme)
    _address(w, party_element, "PostalAddress", party.address)
    w.cbc(w.cac(party_element, "PartyLegalEntity"), "RegistrationName", party.name)
    contact = w.cac(party_element, "Contact")
    w.cbc(contact, "Telephone", party.phone)
    if party.email:
        w.cbc(contact, "ElectronicMail", party.email)


def _address(w, parent, name, address):
    element = w.cac(parent, name)
    w.cbc(element, "CityName", address.city)
    if address.postal_zone:
        w.cbc(element, "PostalZone", address.postal_zone)
    w.cbc(element, "CountrySubentityCode", address.state)
    for line in address.lines:
        w.cbc(w.cac(element, "AddressLine"), "Line", line)
    w.cbc(w.cac(element, "Country"), "IdentificationCode", address.country, listAgencyID="6", listID="ISO3166-1")


def _delivery(w, root, doc):
    delivery = doc.delivery
    element = w.cac(root, "Delivery")
    party = w.cac(element, "DeliveryParty")
    for scheme, value in (("TIN", delivery.tin), (delivery.id_type, delivery.id_number)):
        if value:
            w.cbc(w.cac(party, "PartyIdentification"), "ID", value, schemeID=scheme)
    if delivery.address is not None:
        _address(w, party, "PostalAddress", delivery.address)
    if delivery.name:
        w.cbc(w.cac(party, "PartyLegalEntity"), "RegistrationName", delivery.name)
    if delivery.other_charges or delivery.shipment_id:
        shipment = w.cac(element, "Shipment")
        w.cbc(shipment, "ID", delivery.shipment_id or doc.number)
        for charge in delivery.other_charges:
            freight = w.cac(shipment, "FreightAllowanceCharge")
            w.cbc(freight, "ChargeIndicator", "true")
            w.cbc(freight, "AllowanceChargeReason", charge.reason)
            w.amount(freight, "Amount", charge.amount)


def _payment(w, root, doc, amounts):
    if doc.payment_means or doc.bank_account:
        means = w.cac(root, "PaymentMeans")
        w.cbc(means, "PaymentMeansCode", doc.payment_means or "08")
        if doc.bank_account:
            w.cbc(w.cac(means, "PayeeFinancialAccount"), "ID", doc.bank_account)
    if doc.payment_terms:
        w.cbc(w.cac(root, "PaymentTerms"), "Note", doc.payment_terms)
    if doc.prepayment and amounts.prepaid:
        prepaid = w.cac(root, "PrepaidPayment")
        if doc.prepayment.reference:
            w.cbc(prepaid, "ID", doc.prepayment.reference)
        w.amount(prepaid, "PaidAmount", amounts.prepaid)
        if doc.prepayment.paid_at:
            paid = doc.prepayment.paid_at.astimezone(datetime.timezone.utc)
            w.cbc(prepaid, "PaidDate", paid.strftime("%Y-%m-%d"))
            w.cbc(prepaid, "PaidTime", paid.strftime("%H:%M:%SZ"))


def _allowance(w, parent, allowance, amount, *, with_rate):
    parent.append(_allowance_text(w, allowance, amount, with_rate))


def _allowance_text(w, allowance, amount, with_rate):
    reason = allowance.reason or ("Charge" if allowance.charge else "Discount")
    rate = ""
    if with_rate and allowance.rate is not None:
        rate = f"<cbc:MultiplierFactorNumeric>{escape_text(number(allowance.rate))}</cbc:MultiplierFactorNumeric>"
    return (
        f"<cac:AllowanceCharge><cbc:ChargeIndicator>{'true' if allowance.charge else 'false'}</cbc:ChargeIndicator>"
        f"{basic('AllowanceChargeReason', reason)}{rate}{w.amount_text('Amount', amount)}</cac:AllowanceCharge>"
    )


def _tax_category(tax_type, exemption_reason):
    reason = basic("TaxExemptionReason", exemption_reason) if tax_type == "E" and exemption_reason else ""
    return f"<cac:TaxCategory>{basic('ID', tax_type)}{reason}{_TAX_SCHEME}</cac:TaxCategory>"


def _tax_total(w, root, amounts):
    out = ["<cac:TaxTotal>", w.amount_text("TaxAmount", amounts.tax_total)]
    for subtotal in amounts.tax_subtotals:
        out += (
            "<cac:TaxSubtotal>",
            w.amount_text("TaxableAmount", subtotal.taxable_amount),
            w.amount_text("TaxAmount", subtotal.amount),
            _tax_category(subtotal.type, subtotal.exemption_reason),
            "</cac:TaxSubtotal>",
        )
    out.append("</cac:TaxTotal>")
    root.append("".join(out))


def _monetary_total(w, root, amounts):
    out = ["<cac:LegalMonetaryTotal>"]
    for name, value in amounts.totals().items():
        if name == "PrepaidAmount" and not value:
            continue
        out.append(w.amount_text(name, value))
    out.append("</cac:LegalMonetaryTotal>")
    root.append("".join(out))


def _line(w, root, line, amounts, line_id):
    # Written as text whole, with the formatting inlined: this runs for every line.
    currency = w._currency
    unit = f' unitCode="{escape_attribute(line.unit_code)}"' if line.unit_code else ""
    out = [
        f"<cac:InvoiceLine>{basic('ID', line_id)}{basic('InvoicedQuantity', number(line.quantity), unit)}"
        f"<cbc:LineExtensionAmount{currency}{amount_text(amounts.total)}</cbc:LineExtensionAmount>"
    ]
    for allowance, amount in zip(line.allowances, amounts.allowances, strict=True):
        out.append(_allowance_text(w, allowance, amount, with_rate=True))
    out.append(f"<cac:TaxTotal><cbc:TaxAmount{currency}{amount_text(amounts.tax_total)}</cbc:TaxAmount>")
    for tax, (taxable, tax_amount) in zip(line.taxes, amounts.taxes, strict=True):
        out.append(
            f"<cac:TaxSubtotal><cbc:TaxableAmount{currency}{amount_text(taxable)}</cbc:TaxableAmount>"
            f"<cbc:TaxAmount{currency}{amount_text(tax_amount)}</cbc:TaxAmount>"
        )
        if tax.per_unit_amount is None:
            if tax.percent is not None:
                out.append(f"<cbc:Percent>{number(tax.percent)}</cbc:Percent>")
        else:
            base_unit = attributes_text({"unitCode": tax.base_unit_code or line.unit_code})
            out.append(basic("BaseUnitMeasure", number(tax.base_unit_measure or Decimal(1)), base_unit))
            out.append(basic("PerUnitAmount", number(tax.per_unit_amount), w.currency_attribute))
        out.append(_tax_category(tax.type, tax.exemption_reason) + "</cac:TaxSubtotal>")
    out.append(f"</cac:TaxTotal><cac:Item>{basic('Description', line.description)}")
    if line.origin_country:
        out.append(f"<cac:OriginCountry>{basic('IdentificationCode', line.origin_country)}</cac:OriginCountry>")
    codes = [(line.tariff_code, ' listID="PTC"')] if line.tariff_code else []
    for code, attributes in codes + [(code, ' listID="CLASS"') for code in line.classifications]:
        classification = basic("ItemClassificationCode", code, attributes)
        out.append(f"<cac:CommodityClassification>{classification}</cac:CommodityClassification>")
    price = basic("PriceAmount", number(line.unit_price), w.currency_attribute)
    out.append(
        f"</cac:Item><cac:Price>{price}</cac:Price><cac:ItemPriceExtension>"
        f"<cbc:Amount{currency}{amount_text(amounts.subtotal)}</cbc:Amount></cac:ItemPriceExtension></cac:InvoiceLine>"
    )
    root.append("".join(out))


def from_xml(data: bytes) -> Document:
    """Read a MyInvois UBL document (signed or not) into a Document (ubl_read.read)."""
    from .ubl_read import read  # ubl_read imports this module's namespaces

    return read(data)
