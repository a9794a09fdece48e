"""Stored records as MyInvois shows them: document summaries (Get Submission,
Get Document, Details), list items (Recent, Search) and paging."""

import math

from .errors import bad_argument

SUMMARY_FIELDS = (
    "uuid",
    "submissionUid",
    "longId",
    "internalId",
    "typeName",
    "typeVersionName",
    "issuerTin",
    "issuerName",
    "receiverId",
    "receiverName",
    "dateTimeIssued",
    "dateTimeReceived",
    "dateTimeValidated",
    "totalExcludingTax",
    "totalDiscount",
    "totalNetAmount",
    "totalPayableAmount",
    "status",
    "cancelDateTime",
    "rejectRequestDateTime",
    "documentStatusReason",
    "createdByUserId",
)
MAX_PAGE_SIZE = 100
MAX_RESULTS = 10_000


def summary(record):
    """documentSummary item (reference §3.5 item 11); ``longId`` only once Valid."""
    item = {name: record.get(name) for name in SUMMARY_FIELDS}
    if record["status"] != "Valid":
        del item["longId"]
    return item


def raw(record):
    return {**summary(record), "document": record["document"]}


def details(record):
    results = record.get("validationResults") or {"status": record["status"], "validationSteps": []}
    return {**summary(record), "validationResults": results}


def list_item(record, *, search=False):
    """Recent/Search result item (reference §3.5 items 14 and 17)."""
    item = {
        "uuid": record["uuid"],
        "submissionUID": record["submissionUid"],
        "longId": record["longId"] if record["status"] == "Valid" else None,
        "internalId": record["internalId"],
        "typeName": record["typeName"],
        "typeVersionName": record["typeVersionName"],
        "issuerTin": record["issuerTin"],
        "issuerName": record["issuerName"],
        "receiverId": record["receiverId"],
        "receiverName": record["receiverName"],
        "dateTimeIssued": record["dateTimeIssued"],
        "dateTimeReceived": record["dateTimeReceived"],
        "dateTimeValidated": record["dateTimeValidated"],
        "totalSales": record["totalExcludingTax"],
        "totalDiscount": record["totalDiscount"],
        "netAmount": record["totalNetAmount"],
        "total": record["totalPayableAmount"],
        "status": record["status"],
        "cancelDateTime": record["cancelDateTime"],
        "rejectRequestDateTime": record["rejectRequestDateTime"],
        "documentStatusReason": record["documentStatusReason"],
        "createdByUserId": record["createdByUserId"],
        "supplierTin": record["supplierTin"],
        "supplierName": record["supplierName"],
        "submissionChannel": "ERP",
        "intermediaryName": record.get("intermediaryName"),
        "intermediaryTin": record.get("intermediaryTin"),
        "intermediaryRob": record.get("intermediaryRob"),
        "buyerName": record["buyerName"],
        "buyerTin": record["buyerTin"],
    }
    if search:
        item["supplierTIN"], item["buyerTIN"] = record["supplierTin"], record["buyerTin"]
    return item


def paging(request, default_size=MAX_PAGE_SIZE):
    """(pageNo, pageSize) from the query; 400 BadArgument when out of range."""
    try:
        page_no = int(request.param("pageNo") or 1)
        page_size = int(request.param("pageSize") or default_size)
    except ValueError:
        raise bad_argument("pageNo and pageSize must be whole numbers.", "pageNo") from None
    if page_no < 1:
        raise bad_argument("pageNo starts at 1.", "pageNo")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise bad_argument(f"pageSize must be between 1 and {MAX_PAGE_SIZE}.", "pageSize")
    return page_no, page_size


def page(items, page_no, page_size):
    """(slice, totalPages)."""
    total_pages = math.ceil(len(items) / page_size) if items else 0
    start = (page_no - 1) * page_size
    return items[start : start + page_size], total_pages
