"""Document <-> UBL 2.1 XML (the ``Invoice`` root for all eight types).

Elements are written in the UBL 2.1 schema's sequence (LHDN's structure
validator enforces it), with lxml, minified. Amounts are written with two
decimals, quantities, prices and the exchange rate exactly as given, never in
scientific notation. ``from_xml`` reads a MyInvois document back (received
documents, round-trip tests), keeping the declared totals so that validation
can say when they do not add up.
"""

import datetime
from decimal import Decimal, InvalidOperation

from lxml import etree

from .document import (
    Address,
    AllowanceCharge,
    BillingReference,
    Delivery,
    Document,
    DocumentError,
    Line,
    Party,
    Prepayment,
    Tax,
    money,
)

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


_CBC = {}
_CAC = {}


class _Writer:
    """Thin helpers over lxml; the tag names are built once per process (a document
    has a few hundred elements, and the builder runs for every document)."""

    def __init__(self, currency):
        self.currency = currency

    @staticmethod
    def cbc(parent, tag, text, **attributes):
        name = _CBC.get(tag) or _CBC.setdefault(tag, f"{{{NS_CBC}}}{tag}")
        element = etree.SubElement(parent, name)
        for key, value in attributes.items():
            if value:
                element.set(key, value)
        element.text = text
        return element

    @staticmethod
    def cac(parent, tag):
        return etree.SubElement(parent, _CAC.get(tag) or _CAC.setdefault(tag, f"{{{NS_CAC}}}{tag}"))

    def amount(self, parent, tag, value):
        element = self.cbc(parent, tag, amount_text(value))
        element.set("currencyID", self.currency)
        return element


def to_xml(document: Document) -> bytes:
    """UTF-8 bytes of the unsigned UBL document (signing.py adds the signature)."""
    w = _Writer(document.currency)
    root = etree.Element(f"{{{NS_INV}}}Invoice", nsmap=NSMAP)
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
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


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
    w.cbc(w.cac(category, "TaxScheme"), "ID", "OTH", schemeID="UN/ECE 5153", schemeAgencyID="6")


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


# --- reading ---------------------------------------------------------------------------


def _text(node, path):
    found = node.find(path, NS)
    return (found.text or "").strip() if found is not None else ""


def _to_decimal(text, where):
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise DocumentError(f"{where}: {text!r} is not a number") from None
    if not value.is_finite():
        raise DocumentError(f"{where}: {text!r} is not a finite number")
    return value


def _decimal(node, path):
    text = _text(node, path)
    return _to_decimal(text, f"{node.getroottree().getpath(node)}/{path}") if text else None


def _required(node, path):
    found = node.find(path, NS)
    if found is None:
        raise DocumentError(f"{node.getroottree().getpath(node)}: {path} is missing")
    return found


def _datetime(date_text, time_text, where):
    try:
        value = datetime.datetime.fromisoformat(f"{date_text}T{(time_text or '00:00:00Z').replace('Z', '+00:00')}")
    except ValueError:
        raise DocumentError(
            f"{where}: {date_text!r} {time_text!r} is not a date YYYY-MM-DD and time hh:mm:ssZ"
        ) from None
    if value.tzinfo is None:
        raise DocumentError(f"{where}: the time {time_text!r} has no Z (UTC)")
    return value


def _date(text, where):
    try:
        return datetime.date.fromisoformat(text) if text else None
    except ValueError:
        raise DocumentError(f"{where}: {text!r} is not a date YYYY-MM-DD") from None


def from_xml(data: bytes) -> Document:
    """Read a MyInvois UBL document (signed or not) into a Document."""
    try:
        root = etree.fromstring(
            data, parser=etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True)
        )
    except etree.XMLSyntaxError as error:
        raise DocumentError(f"not well-formed XML: {error}") from None
    if etree.QName(root).namespace != NS_INV:
        raise DocumentError("the root element must be the UBL 2.1 Invoice")
    issued = _datetime(_text(root, "cbc:IssueDate"), _text(root, "cbc:IssueTime"), "/Invoice/cbc:IssueDate")
    type_code = _required(root, "cbc:InvoiceTypeCode")
    doc = Document(
        type_code=(type_code.text or "").strip(),
        version=type_code.get("listVersionID", ""),
        number=_text(root, "cbc:ID"),
        issued_at=issued,
        currency=_text(root, "cbc:DocumentCurrencyCode"),
        exchange_rate=_decimal(root, "cac:TaxExchangeRate/cbc:CalculationRate"),
        supplier=_read_party(_required(root, "cac:AccountingSupplierParty/cac:Party")),
        buyer=_read_party(_required(root, "cac:AccountingCustomerParty/cac:Party")),
        frequency=_text(root, "cac:InvoicePeriod/cbc:Description"),
        payment_means=_text(root, "cac:PaymentMeans/cbc:PaymentMeansCode"),
        bank_account=_text(root, "cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID"),
        payment_terms=_text(root, "cac:PaymentTerms/cbc:Note"),
        bill_reference=_text(root, "cac:BillingReference/cac:AdditionalDocumentReference/cbc:ID"),
        rounding=_decimal(root, "cac:LegalMonetaryTotal/cbc:PayableRoundingAmount") or Decimal("0.00"),
    )
    doc.supplier.certex = _text(root, "cac:AccountingSupplierParty/cbc:AdditionalAccountID")
    start, end = _text(root, "cac:InvoicePeriod/cbc:StartDate"), _text(root, "cac:InvoicePeriod/cbc:EndDate")
    doc.period_start = _date(start, "/Invoice/cac:InvoicePeriod/cbc:StartDate")
    doc.period_end = _date(end, "/Invoice/cac:InvoicePeriod/cbc:EndDate")
    doc.billing_references = [
        BillingReference(uuid=_text(ref, "cbc:UUID"), number=_text(ref, "cbc:ID"))
        for ref in root.iterfind("cac:BillingReference/cac:InvoiceDocumentReference", NS)
    ]
    for ref in root.iterfind("cac:AdditionalDocumentReference", NS):
        kind, value = _text(ref, "cbc:DocumentType"), _text(ref, "cbc:ID")
        if kind == "CustomsImportForm":
            doc.customs_import_forms = value.split(",")
        elif kind == "FreeTradeAgreement":
            doc.fta = _text(ref, "cbc:DocumentDescription")
        elif kind == "K2":
            doc.customs_k2_forms = value.split(",")
        elif not kind:
            doc.incoterms = value
    prepaid = root.find("cac:PrepaidPayment", NS)
    if prepaid is not None:
        paid_date, paid_time = _text(prepaid, "cbc:PaidDate"), _text(prepaid, "cbc:PaidTime")
        paid_at = _datetime(paid_date, paid_time, "/Invoice/cac:PrepaidPayment") if paid_date else None
        doc.prepayment = Prepayment(
            amount=_decimal(prepaid, "cbc:PaidAmount"), paid_at=paid_at, reference=_text(prepaid, "cbc:ID")
        )
    doc.allowances = [_read_allowance(node) for node in root.iterfind("cac:AllowanceCharge", NS)]
    delivery = root.find("cac:Delivery", NS)
    if delivery is not None:
        doc.delivery = _read_delivery(delivery)
    doc.lines = [_read_line(node) for node in root.iterfind("cac:InvoiceLine", NS)]
    totals = root.find("cac:LegalMonetaryTotal", NS)
    doc.declared = {
        etree.QName(child).localname: _to_decimal(child.text.strip(), totals.getroottree().getpath(child))
        for child in (totals if totals is not None else [])
        if (child.text or "").strip()
    }
    tax_amount = _decimal(root, "cac:TaxTotal/cbc:TaxAmount")
    if tax_amount is not None:
        doc.declared["TaxAmount"] = tax_amount
    return doc


def _read_address(node):
    if node is None:
        return None
    return Address(
        lines=[(line.text or "").strip() for line in node.iterfind("cac:AddressLine/cbc:Line", NS)],
        city=_text(node, "cbc:CityName"),
        postal_zone=_text(node, "cbc:PostalZone"),
        state=_text(node, "cbc:CountrySubentityCode"),
        country=_text(node, "cac:Country/cbc:IdentificationCode"),
    )


def _read_ids(node):
    return {
        (element.get("schemeID") or ""): (element.text or "").strip()
        for element in node.iterfind("cac:PartyIdentification/cbc:ID", NS)
    }


def _read_party(node):
    ids = _read_ids(node)
    id_type = next((scheme for scheme in ("BRN", "NRIC", "PASSPORT", "ARMY") if scheme in ids), "")
    msic = node.find("cbc:IndustryClassificationCode", NS)
    return Party(
        name=_text(node, "cac:PartyLegalEntity/cbc:RegistrationName"),
        tin=ids.get("TIN", ""),
        id_type=id_type,
        id_number=ids.get(id_type, ""),
        sst=ids.get("SST", "NA"),
        ttx=ids.get("TTX", "NA"),
        address=_read_address(node.find("cac:PostalAddress", NS)),
        phone=_text(node, "cac:Contact/cbc:Telephone"),
        email=_text(node, "cac:Contact/cbc:ElectronicMail"),
        msic=(msic.text or "").strip() if msic is not None else "",
        activity=msic.get("name", "") if msic is not None else "",
    )


def _read_delivery(node):
    party = node.find("cac:DeliveryParty", NS)
    ids = _read_ids(party) if party is not None else {}
    id_type = next((scheme for scheme in ("BRN", "NRIC", "PASSPORT", "ARMY") if scheme in ids), "")
    return Delivery(
        name=_text(node, "cac:DeliveryParty/cac:PartyLegalEntity/cbc:RegistrationName"),
        tin=ids.get("TIN", ""),
        id_type=id_type,
        id_number=ids.get(id_type, ""),
        address=_read_address(party.find("cac:PostalAddress", NS)) if party is not None else None,
        shipment_id=_text(node, "cac:Shipment/cbc:ID"),
        other_charges=[
            AllowanceCharge(
                amount=_decimal(charge, "cbc:Amount"), charge=True, reason=_text(charge, "cbc:AllowanceChargeReason")
            )
            for charge in node.iterfind("cac:Shipment/cac:FreightAllowanceCharge", NS)
        ],
    )


def _read_allowance(node):
    return AllowanceCharge(
        amount=_decimal(node, "cbc:Amount"),
        reason=_text(node, "cbc:AllowanceChargeReason"),
        charge=_text(node, "cbc:ChargeIndicator") == "true",
        rate=_decimal(node, "cbc:MultiplierFactorNumeric"),
    )


def _read_line(node):
    quantity = node.find("cbc:InvoicedQuantity", NS)
    taxes = []
    for subtotal in node.iterfind("cac:TaxTotal/cac:TaxSubtotal", NS):
        base = subtotal.find("cbc:BaseUnitMeasure", NS)
        taxes.append(
            Tax(
                type=_text(subtotal, "cac:TaxCategory/cbc:ID"),
                percent=_decimal(subtotal, "cbc:Percent"),
                amount=_decimal(subtotal, "cbc:TaxAmount"),
                taxable_amount=_decimal(subtotal, "cbc:TaxableAmount"),
                per_unit_amount=_decimal(subtotal, "cbc:PerUnitAmount"),
                base_unit_measure=_decimal(subtotal, "cbc:BaseUnitMeasure"),
                base_unit_code=base.get("unitCode", "") if base is not None else "",
                exemption_reason=_text(subtotal, "cac:TaxCategory/cbc:TaxExemptionReason"),
            )
        )
    classes = {"CLASS": [], "PTC": []}
    for code in node.iterfind("cac:Item/cac:CommodityClassification/cbc:ItemClassificationCode", NS):
        classes.setdefault(code.get("listID", ""), []).append((code.text or "").strip())
    return Line(
        id=_text(node, "cbc:ID"),
        description=_text(node, "cac:Item/cbc:Description"),
        quantity=_decimal(node, "cbc:InvoicedQuantity") or Decimal(1),
        unit_code=quantity.get("unitCode", "") if quantity is not None else "",
        unit_price=_decimal(node, "cac:Price/cbc:PriceAmount") or Decimal(0),
        classifications=classes["CLASS"],
        tariff_code=",".join(classes["PTC"]),
        origin_country=_text(node, "cac:Item/cac:OriginCountry/cbc:IdentificationCode"),
        allowances=[_read_allowance(a) for a in node.iterfind("cac:AllowanceCharge", NS)],
        taxes=taxes,
    )
