"""Taxpayer endpoints (reference §3.5 items 7-9) over the taxpayers a test seeded
with ``Emulator.add_taxpayer``: validate a TIN, search a TIN, QR code info."""

from .. import codes
from . import clock
from .errors import ApiError, bad_argument, not_found

FILE_TYPES = {"1": True, "2": False}  # fileType -> individual (IG TIN)?
QR_FIELDS = (
    "sst",
    "email",
    "contactNumber",
    "ttx",
    "businessActivityDescriptionBM",
    "businessActivityDescriptionEN",
    "msic",
    "addressLine0",
    "addressLine1",
    "addressLine2",
    "postalZone",
    "city",
    "state",
    "country",
)


def _id_type(request, required):
    id_type = (request.param("idType") or "").strip().upper()
    id_value = (request.param("idValue") or "").strip()
    if (id_type or required) and id_type not in codes.ID_TYPES:
        raise bad_argument(f"idType must be one of {', '.join(codes.ID_TYPES)}.", "idType")
    if (id_type or required) and not id_value:
        raise bad_argument("idValue is required with idType.", "idValue")
    return id_type, id_value


def validate_tin(emulator, request, principal, tin):
    """200 with an empty body when the TIN and ID belong together, else 404."""
    id_type, id_value = _id_type(request, required=True)
    if not tin.strip():
        raise bad_argument("The TIN is required.", "tin")
    taxpayer = emulator.store.taxpayers.get(tin.strip().upper())
    if taxpayer and taxpayer["idType"] == id_type and (taxpayer["idValue"] or "") == id_value:
        return 200, None
    raise not_found("No taxpayer with this TIN and ID.", "tin")


def search_tin(emulator, request, principal):
    """``{"tin": ...}`` for exactly one match; several -> 400, none -> 404."""
    name = (request.param("taxpayerName") or "").strip().lower()
    id_type, id_value = _id_type(request, required=False)
    file_type = (request.param("fileType") or "").strip()
    if not name and not id_type:
        raise bad_argument("Give taxpayerName, or idType with idValue.", "taxpayerName")
    if file_type and file_type not in FILE_TYPES:
        raise bad_argument("fileType must be 1 (individual) or 2 (non-individual).", "fileType")
    matches = [
        t
        for t in emulator.store.taxpayers.values()
        if (not name or name in (t["name"] or "").lower())
        and (not id_type or (t["idType"] == id_type and t["idValue"] == id_value))
        and (not file_type or t["tin"].upper().startswith("IG") == FILE_TYPES[file_type])
    ]
    if len(matches) > 1:
        raise ApiError(
            400, "BadArgument", "Search criteria is not conclusive; more than one taxpayer matches.", "taxpayerName"
        )
    if not matches:
        raise not_found("No taxpayer matches.", "taxpayerName")
    return 200, {"tin": matches[0]["tin"]}


def qr_info(emulator, request, principal, text):
    for taxpayer in emulator.store.taxpayers.values():
        if taxpayer.get("qrCodeText") and taxpayer["qrCodeText"] == text:
            details = taxpayer.get("details") or {}
            return 200, {
                "tin": taxpayer["tin"],
                "name": taxpayer["name"],
                "idType": taxpayer["idType"],
                "idNumber": taxpayer["idValue"],
                **{key: details.get(key, "") for key in QR_FIELDS},
                "generatedTimestamp": clock.lhdn(emulator.clock.now()),
            }
    raise not_found("Unknown QR code.", "qrCodeText")
