"""Document types and notifications (reference §3.5 items 3-6).

The eight e-invoice types, each with versions 1.0 and 1.1 published, and the
72-hour workflow parameters. Ids are the emulator's own: the type id is the
type code as a number, a version id is type id x 10 + minor (11 = 1.1 of type 1).
"""

from .. import codes, lifecycle
from .errors import not_found

ACTIVE_FROM = "2024-08-01T00:00:00Z"  # mandatory e-invoicing started (reference §11)
VERSIONS = ("1.0", "1.1")
WORKFLOW_HOURS = (  # the windows the cancel/reject endpoint applies: the core's
    ("submissionDuration", 72),
    ("cancellationDuration", int(lifecycle.CANCELLATION_WINDOW.total_seconds() // 3600)),
    ("rejectionDuration", int(lifecycle.REJECTION_WINDOW.total_seconds() // 3600)),
)


def _type_codes():
    return sorted(codes.table("einvoice_types"))


def _version(type_id, name):
    return {
        "id": type_id * 10 + int(name.split(".")[1]),
        "name": name,
        "description": f"Version {name}",
        "activeFrom": ACTIVE_FROM,
        "activeTo": None,
        "versionNumber": float(name),
        "status": "published",
    }


def _type(code):
    type_id = int(code)
    return {
        "id": type_id,
        "invoiceTypeCode": type_id,
        "description": codes.describe("einvoice_types", code),
        "activeFrom": ACTIVE_FROM,
        "activeTo": None,
        "documentTypeVersions": [_version(type_id, name) for name in VERSIONS],
    }


def _find(type_id):
    for code in _type_codes():
        if str(int(code)) == str(type_id).lstrip("0") or code == type_id:
            return code
    raise not_found(f"Document type {type_id} was not found.", "id")


def document_types(emulator, request, principal):
    return 200, {"result": [_type(code) for code in _type_codes()]}


def document_type(emulator, request, principal, type_id):
    code = _find(type_id)
    return 200, {
        **_type(code),
        "workflowParameters": [
            {"id": index + 1, "parameter": name, "value": hours, "activeFrom": ACTIVE_FROM, "activeTo": None}
            for index, (name, hours) in enumerate(WORKFLOW_HOURS)
        ],
    }


def document_type_version(emulator, request, principal, type_id, version_id):
    code = _find(type_id)
    for version in _type(code)["documentTypeVersions"]:
        if str(version["id"]) == version_id:
            return 200, {
                "invoiceTypeCode": int(code),
                "name": version["name"],
                "description": version["description"],
                "versionNumber": version["versionNumber"],
                "status": version["status"],
                "activeFrom": version["activeFrom"],
                "activeTo": None,
            }
    raise not_found(f"Version {version_id} of document type {type_id} was not found.", "vid")


def notifications(emulator, request, principal):
    """Always empty: the emulator sends no notifications (the workflow must not need them)."""
    return 200, {"result": [], "metadata": {"hasNext": False}}
