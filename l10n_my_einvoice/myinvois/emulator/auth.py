"""POST /connect/token and the Bearer check on every API call (reference §2).

Tokens are random opaque strings (LHDN's are JWTs; clients must not read them),
bound to the client and the taxpayer it acts as: its own TIN, or the TIN in
the ``onbehalfof`` header when the client is registered to represent it.
"""

import datetime
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs

from . import clock
from .errors import ApiError, oauth_body

SCOPE = "InvoicingAPI"


@dataclass(frozen=True)
class Principal:
    client_id: str
    tin: str  # the taxpayer the token acts for
    brn: str = None
    intermediary: bool = False  # logged in with onbehalfof for another taxpayer
    own_tin: str = None  # the client's own TIN (the intermediary's, when intermediary)


def _oauth_error(status, error, description):
    return ApiError(status, error, description, body=oauth_body(error, description))


def login(emulator, request):
    form = {
        key: values[-1]
        for key, values in parse_qs(request.body.decode("utf-8", errors="replace"), keep_blank_values=True).items()
    }
    client_id = form.get("client_id", "").strip()
    # Per client ID, good credentials or not.
    limit_headers = emulator.api.rate_limit(client_id, "token") if client_id else {}
    if not client_id or not form.get("client_secret") or not form.get("grant_type"):
        raise _oauth_error(
            400, "invalid_request", "client_id, client_secret and grant_type are required (form-encoded)."
        )
    if form["grant_type"] != "client_credentials":
        raise _oauth_error(400, "unsupported_grant_type", "Only client_credentials is supported.")
    if form.get("scope") and form["scope"] != SCOPE:
        raise _oauth_error(400, "invalid_scope", f"The only scope is {SCOPE}.")
    client = emulator.store.clients.get(client_id)
    if client is None or not any(secrets.compare_digest(form["client_secret"], s) for s in client["secrets"]):
        raise _oauth_error(400, "invalid_client", None)

    onbehalfof = (request.headers.get("onbehalfof") or "").strip() or None
    tin, brn = client["tin"], client["brn"]
    if onbehalfof:
        tin, _, brn = onbehalfof.partition(":")
        tin, brn = tin.strip().upper(), brn.strip() or None
        if tin != (client["tin"] or "").upper() and tin not in client["represents"]:
            raise _oauth_error(403, "unauthorized_client", f"This client may not act on behalf of {tin}.")
    now = emulator.clock.now()
    token = emulator.store.issue_token(
        client_id, tin, brn, onbehalfof, now, datetime.timedelta(seconds=emulator.token_lifetime)
    )
    emulator.stats.login(client_id, onbehalfof)
    return (
        200,
        {"access_token": token, "token_type": "Bearer", "expires_in": int(emulator.token_lifetime), "scope": SCOPE},
        limit_headers,
    )


def authenticate(emulator, request):
    """The Principal of a valid, unexpired Bearer token, else 401."""
    header = request.headers.get("Authorization") or ""
    scheme, _, token = header.partition(" ")
    entry = emulator.store.tokens.get(token.strip()) if scheme.lower() == "bearer" else None
    if entry is None:
        raise _unauthorized("A valid Bearer access token is required.")
    if clock.parse(entry["expiresAt"]) <= emulator.clock.now():
        raise _unauthorized("The access token has expired; log in again.")
    client = emulator.store.clients.get(entry["clientId"], {})
    own_tin = client.get("tin")
    return Principal(
        client_id=entry["clientId"],
        tin=entry["tin"],
        brn=entry["brn"],
        intermediary=(entry["tin"] or "").upper() != (own_tin or "").upper(),
        own_tin=own_tin,
    )


def _unauthorized(message):
    return ApiError(401, "Unauthorized", message, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
