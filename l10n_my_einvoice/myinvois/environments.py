"""Where MyInvois lives (reference §1): API host (token and API share it) and
the portal host that validation links point to."""

API_URLS = {
    "sandbox": "https://preprod-api.myinvois.hasil.gov.my",
    "production": "https://api.myinvois.hasil.gov.my",
}
PORTAL_URLS = {
    "sandbox": "https://preprod.myinvois.hasil.gov.my",
    "production": "https://myinvois.hasil.gov.my",
}


# LHDN's published limits per client ID per endpoint per minute (reference §3.4, §11;
# production figures, sandbox is lower and unpublished). Endpoints without a
# published figure get UNPUBLISHED_RATE_LIMIT.
RATE_LIMITS = {
    "token": 12,
    "submit": 100,
    "get_submission": 300,
    "cancel": 12,
    "reject": 12,
    "recent": 12,
    "search": 12,
    "get_document": 60,
    "get_details": 125,
    "validate_tin": 60,
    "search_tin": 60,
    "qr_info": 60,
}
UNPUBLISHED_RATE_LIMIT = 300


def api_url(environment, custom_url=None):
    """Base URL of the API for an environment; ``custom`` uses ``custom_url``
    (the emulator, or a proxy the company runs itself)."""
    if environment == "custom":
        if not custom_url:
            raise ValueError("a custom environment needs its base URL")
        return custom_url.rstrip("/")
    try:
        return API_URLS[environment]
    except KeyError:
        raise ValueError(f"unknown MyInvois environment {environment!r}") from None


def validation_link(environment, uuid, long_id, custom_url=None):
    """``{portal}/{uuid}/share/{longId}``, the URL encoded in the invoice's QR code."""
    portal = PORTAL_URLS.get(environment) or (custom_url or "").rstrip("/")
    return f"{portal}/{uuid}/share/{long_id}"


def on_behalf_of(tin, brn=None):
    """The ``onbehalfof`` header value: the represented taxpayer's TIN, or TIN:BRN."""
    return f"{tin}:{brn}" if brn else tin
