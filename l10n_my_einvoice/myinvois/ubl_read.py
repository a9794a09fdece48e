"""UBL 2.1 XML -> Document: the reader behind ``ubl.from_xml``.

Besides the document itself it keeps what the XML *declares* about its amounts
(line and document totals, tax subtotals, the currency of every amount, the tax
currency and the exchange rate's currencies) in the ``declared*`` fields, because
a received document is only right if those agree with its lines, and validation
(validation_amounts.py, validation_currency.py) says where they do not.

Bad input raises DocumentError naming the element (xml_safety.XMLInputError for
what the parser refuses, with its path): never another exception, so that callers
can report any document they receive.
"""

import datetime
from decimal import Decimal

from lxml import etree

from . import xml_safety
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
    TaxSubtotal,
)
from .ubl import NS, NS_CBC, NS_INV

ID_TYPES = ("BRN", "NRIC", "PASSPORT", "ARMY")


def _text(node, path):
    found = node.find(path, NS)
    return (found.text or "").strip() if found is not None else ""


def _decimal(node, path):
    found = node.find(path, NS)
    text = (found.text or "").strip() if found is not None else ""
    return xml_safety.decimal(text, xml_safety.path_of(found)) if text else None


def _required(node, path):
    found = node.find(path, NS)
    if found is None:
        raise DocumentError(f"{node.getroottree().getpath(node)}: {path} is missing")
    return found


def _datetime(date_text, time_text, where):
    try:
        value = datetime.datetime.fromisoformat(f"{date_text}T{(time_text or '00:00:00Z').replace('Z', '+00:00')}")
    except (ValueError, OverflowError):
        raise DocumentError(
            f"{where}: {date_text!r} {time_text!r} is not a date YYYY-MM-DD and time hh:mm:ssZ"
        ) from None
    if value.tzinfo is None:
        raise DocumentError(f"{where}: the time {time_text!r} has no Z (UTC)")
    return value


def _date(text, where):
    return xml_safety.iso_date(text, where) if text else None


def read(data: bytes) -> Document:
    """Read a MyInvois UBL document (signed or not) into a Document."""
    root = xml_safety.parse(data, remove_blank_text=True, strip_comments=True)
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
    _read_references(root, doc)
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
    _read_declared(root, doc)
    doc.consolidated = (doc.supplier if doc.is_self_billed else doc.buyer).is_general_public
    _check_computable(root, doc)
    return doc


def _check_computable(root, doc):
    """Every number has at most 28 digits, but a product or a sum of them may still
    not fit the 28-digit precision the amounts are computed with: say where."""
    where = xml_safety.path_of(root)
    try:
        for index, line in enumerate(doc.lines, 1):
            where = f"{xml_safety.path_of(root)}/cac:InvoiceLine[{index}]"
            line.amounts()
        where = f"{xml_safety.path_of(root)}/cac:LegalMonetaryTotal"
        doc.amounts()
    except ArithmeticError:
        raise DocumentError(f"{where}: its amounts are too large to compute (beyond 28 digits)") from None


def _read_references(root, doc):
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


def _read_declared(root, doc):
    totals = root.find("cac:LegalMonetaryTotal", NS)
    doc.declared = {
        etree.QName(child).localname: xml_safety.decimal(child.text, xml_safety.path_of(child))
        for child in (totals if totals is not None else [])
        if isinstance(child.tag, str) and (child.text or "").strip()  # not comments
    }
    # The first TaxTotal is the one in the document currency (the only one LHDN expects).
    tax_total = root.find("cac:TaxTotal", NS)
    if tax_total is not None and _text(tax_total, "cbc:TaxAmount"):
        doc.declared["TaxAmount"] = _decimal(tax_total, "cbc:TaxAmount")
    doc.declared_tax_subtotals = [
        TaxSubtotal(
            type=_text(subtotal, "cac:TaxCategory/cbc:ID"),
            taxable_amount=_decimal(subtotal, "cbc:TaxableAmount"),
            amount=_decimal(subtotal, "cbc:TaxAmount"),
            exemption_reason=_text(subtotal, "cac:TaxCategory/cbc:TaxExemptionReason"),
        )
        for subtotal in (tax_total.iterfind("cac:TaxSubtotal", NS) if tax_total is not None else ())
    ]
    # UBL names every amount element ...Amount; an amount without currencyID is kept as ""
    # so that the currency rules name it too.
    tree = root.getroottree()
    doc.declared_currencies = [
        (tree.getpath(element), element.get("currencyID", ""))
        for element in root.iter(f"{{{NS_CBC}}}*")
        if element.get("currencyID") is not None or etree.QName(element).localname.endswith("Amount")
    ]
    doc.declared_tax_currency = _text(root, "cbc:TaxCurrencyCode")
    rate = root.find("cac:TaxExchangeRate", NS)
    if rate is not None:
        doc.declared_exchange_currencies = (
            _text(rate, "cbc:SourceCurrencyCode"),
            _text(rate, "cbc:TargetCurrencyCode"),
        )


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
    id_type = next((scheme for scheme in ID_TYPES if scheme in ids), "")
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
    id_type = next((scheme for scheme in ID_TYPES if scheme in ids), "")
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
    declared = {
        name: _decimal(node, path)
        for name, path in (
            ("LineExtensionAmount", "cbc:LineExtensionAmount"),
            ("ItemPriceExtension.Amount", "cac:ItemPriceExtension/cbc:Amount"),
            ("TaxTotal.TaxAmount", "cac:TaxTotal/cbc:TaxAmount"),
        )
        if _text(node, path)
    }
    invoiced = _decimal(node, "cbc:InvoicedQuantity")
    return Line(
        id=_text(node, "cbc:ID"),
        description=_text(node, "cac:Item/cbc:Description"),
        quantity=invoiced if invoiced is not None else Decimal(1),  # 0 is a quantity (Odoo allows it)
        unit_code=quantity.get("unitCode", "") if quantity is not None else "",
        unit_price=_decimal(node, "cac:Price/cbc:PriceAmount") or Decimal(0),
        classifications=classes["CLASS"],
        tariff_code=",".join(classes["PTC"]),
        origin_country=_text(node, "cac:Item/cac:OriginCountry/cbc:IdentificationCode"),
        allowances=[_read_allowance(a) for a in node.iterfind("cac:AllowanceCharge", NS)],
        taxes=taxes,
        declared=declared,
    )
