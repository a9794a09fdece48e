"""Document <-> UBL 2.1 XML (the ``Invoice`` root for all eight types).

Elements are written in the UBL 2.1 schema's sequence (LHDN's structure
validator enforces it), minified, as text: the bytes lxml would write for the
same tree, without the cost of one lxml element per node; ``to_tree`` parses
them once for ``signing.sign_tree``. Amounts are written with two decimals,
quantities, prices and the exchange rate exactly as given, never in
scientific notation. ``from_xml`` reads a MyInvois document back (received
documents, round-trip tests; the reader is ubl_read.py), keeping what the
document declares so that validation can say when it does not add up.
"""

import datetime
import re
from decimal import Decimal

from lxml import etree

from .document import Document, money

NS_INV = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
NS_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
NS_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
NSMAP = {None: NS_INV, "cac": NS_CAC, "cbc": NS_CBC}
NS = {"inv": NS_INV, "cac": NS_CAC, "cbc": NS_CBC}
SIGNATURE_ID = "urn:oasis:names:specification:ubl:signature:Invoice"
SIGNATURE_METHOD = "urn:oasis:names:specification:ubl:dsig:enveloped:xades"


def number(value):
    """A Decimal as plain text, exactly as given (4.2150 stays 4.2150), never in
    scientific notation (LHDN refuses it)."""
    return format(value, "f")


def amount_text(value):
    return format(money(value), "f")


# What lxml's serialiser escapes, so the bytes are the ones it would write; and what
# it refuses (C0 controls but tab, newline and carriage return).
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTRIBUTE_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
)
_ATTRIBUTE_SPECIAL = re.compile('[&<>"\n\r\t]')
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_NOT_XML_MESSAGE = "All strings must be XML compatible: Unicode or ASCII, no NULL bytes or control characters"
_PARSER = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True)


def _text(value):
    """Element text as lxml writes it (control characters are refused once, on
    the whole document, by _write)."""
    if value.__class__ is not str:
        raise TypeError(f"Argument must be bytes or unicode, got '{type(value).__name__}'")
    if "&" in value or "<" in value or ">" in value or "\r" in value:
        return value.translate(_TEXT_ESCAPES)
    return value


def _attribute(value):
    if value.__class__ is not str:
        raise TypeError(f"Argument must be bytes or unicode, got '{type(value).__name__}'")
    if _ATTRIBUTE_SPECIAL.search(value):
        return value.translate(_ATTRIBUTE_ESCAPES)
    return value


def _render(node, out):
    """An aggregate element being written is a list: its start tag's content,
    then its children, as written text (basic elements) or further aggregates."""
    start = node[0]
    if len(node) == 1:
        out.append(f"<{start}/>")
        return
    out.append(f"<{start}>")
    for child in node[1:]:
        if child.__class__ is str:
            out.append(child)
        else:
            _render(child, out)
    out.append(f"</{start.partition(' ')[0]}>")


class _Writer:
    """Writes the minified UBL text directly, byte for byte what lxml writes for
    the same tree, at a fraction of the cost of one lxml element per node (the
    builder runs for every document). Basic elements become text at once."""

    def __init__(self, currency):
        self.currency = currency
        self._currency = f' currencyID="{_attribute(currency)}">'

    @staticmethod
    def cbc(parent, tag, text, **attributes):
        start = "<cbc:" + tag
        for key, value in attributes.items():
            if value:
                start += f' {key}="{_attribute(value)}"'
        if text is None:
            parent.append(start + "/>")
        else:
            parent.append(f"{start}>{_text(text)}</cbc:{tag}>")

    @staticmethod
    def cac(parent, tag):
        element = ["cac:" + tag]
        parent.append(element)
        return element

    def amount(self, parent, tag, value):
        parent.append(f"<cbc:{tag}{self._currency}{amount_text(value)}</cbc:{tag}>")


_ROOT_START = f'Invoice xmlns="{NS_INV}" xmlns:cac="{NS_CAC}" xmlns:cbc="{NS_CBC}"'
_TAX_SCHEME = '<cac:TaxScheme><cbc:ID schemeID="UN/ECE 5153" schemeAgencyID="6">OTH</cbc:ID></cac:TaxScheme>'
_DECLARATION = b"<?xml version='1.0' encoding='UTF-8'?>\n"


def to_xml(document: Document) -> bytes:
    """UTF-8 bytes of the unsigned UBL document (signing.py adds the signature)."""
    return _DECLARATION + _write(document)


def to_tree(document: Document):
    """The unsigned UBL document as an lxml ``Invoice`` element, for
    ``signing.sign_tree`` (which signs it in place)."""
    return etree.fromstring(_write(document), _PARSER)


def _write(document):
    out = []
    _render(_build(document), out)
    text = "".join(out)
    if _NOT_XML.search(text):
        raise ValueError(_NOT_XML_MESSAGE)
    return text.encode("utf-8")


def _build(document):
    w = _Writer(document.currency)
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
    w.cbc(w.cac(element, "Country"), "IdentificationCode", address.country, listID="ISO3166-1", listAgencyID="6")


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
    element = w.cac(parent, "AllowanceCharge")
    w.cbc(element, "ChargeIndicator", "true" if allowance.charge else "false")
    w.cbc(element, "AllowanceChargeReason", allowance.reason or ("Charge" if allowance.charge else "Discount"))
    if with_rate and allowance.rate is not None:
        w.cbc(element, "MultiplierFactorNumeric", number(allowance.rate))
    w.amount(element, "Amount", amount)


def _tax_category(w, parent, tax_type, exemption_reason):
    category = w.cac(parent, "TaxCategory")
    w.cbc(category, "ID", tax_type)
    if tax_type == "E" and exemption_reason:
        w.cbc(category, "TaxExemptionReason", exemption_reason)
    category.append(_TAX_SCHEME)


def _tax_total(w, root, amounts):
    total = w.cac(root, "TaxTotal")
    w.amount(total, "TaxAmount", amounts.tax_total)
    for subtotal in amounts.tax_subtotals:
        element = w.cac(total, "TaxSubtotal")
        w.amount(element, "TaxableAmount", subtotal.taxable_amount)
        w.amount(element, "TaxAmount", subtotal.amount)
        _tax_category(w, element, subtotal.type, subtotal.exemption_reason)


def _monetary_total(w, root, amounts):
    total = w.cac(root, "LegalMonetaryTotal")
    for name, value in amounts.totals().items():
        if name == "PrepaidAmount" and not value:
            continue
        w.amount(total, name, value)


def _line(w, root, line, amounts, line_id):
    element = w.cac(root, "InvoiceLine")
    w.cbc(element, "ID", line_id)
    w.cbc(element, "InvoicedQuantity", number(line.quantity), unitCode=line.unit_code)
    w.amount(element, "LineExtensionAmount", amounts.total)
    for allowance, amount in zip(line.allowances, amounts.allowances, strict=True):
        _allowance(w, element, allowance, amount, with_rate=True)
    tax_total = w.cac(element, "TaxTotal")
    w.amount(tax_total, "TaxAmount", amounts.tax_total)
    for tax, (taxable, tax_amount) in zip(line.taxes, amounts.taxes, strict=True):
        subtotal = w.cac(tax_total, "TaxSubtotal")
        w.amount(subtotal, "TaxableAmount", taxable)
        w.amount(subtotal, "TaxAmount", tax_amount)
        if tax.percent is not None and tax.per_unit_amount is None:
            w.cbc(subtotal, "Percent", number(tax.percent))
        if tax.per_unit_amount is not None:
            w.cbc(
                subtotal,
                "BaseUnitMeasure",
                number(tax.base_unit_measure or Decimal(1)),
                unitCode=tax.base_unit_code or line.unit_code,
            )
            w.cbc(subtotal, "PerUnitAmount", number(tax.per_unit_amount), currencyID=w.currency)
        _tax_category(w, subtotal, tax.type, tax.exemption_reason)
    item = w.cac(element, "Item")
    w.cbc(item, "Description", line.description)
    if line.origin_country:
        w.cbc(w.cac(item, "OriginCountry"), "IdentificationCode", line.origin_country)
    if line.tariff_code:
        w.cbc(w.cac(item, "CommodityClassification"), "ItemClassificationCode", line.tariff_code, listID="PTC")
    for code in line.classifications:
        w.cbc(w.cac(item, "CommodityClassification"), "ItemClassificationCode", code, listID="CLASS")
    w.cbc(w.cac(element, "Price"), "PriceAmount", number(line.unit_price), currencyID=w.currency)
    w.amount(w.cac(element, "ItemPriceExtension"), "Amount", amounts.subtotal)


def from_xml(data: bytes) -> Document:
    """Read a MyInvois UBL document (signed or not) into a Document (ubl_read.read)."""
    from .ubl_read import read  # ubl_read imports this module's namespaces

    return read(data)
