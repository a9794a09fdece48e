"""Routing and the steps every call goes through: authenticate, rate-limit,
run the due background validations, call the endpoint, turn ApiError into
MyInvois's error answer. Paths and endpoint names are listed once, here."""

import json
import logging
import re
from dataclasses import dataclass, field

from . import auth, catalogue, documents, submission, taxpayers
from .errors import ApiError, error_body

log = logging.getLogger(__name__)
ID = r"(?P<{}>[^/]+)"
ROUTES = (  # (method, path pattern, endpoint name, handler)
    ("POST", r"/connect/token", "token", auth.login),
    ("GET", r"/api/v1\.0/documenttypes", "document_types", catalogue.document_types),
    ("GET", r"/api/v1\.0/documenttypes/" + ID.format("type_id"), "document_type", catalogue.document_type),
    (
        "GET",
        r"/api/v1\.0/documenttypes/" + ID.format("type_id") + "/versions/" + ID.format("version_id"),
        "document_type_version",
        catalogue.document_type_version,
    ),
    ("GET", r"/api/v1\.0/notifications/taxpayer", "notifications", catalogue.notifications),
    ("GET", r"/api/v1\.0/taxpayer/validate/" + ID.format("tin"), "validate_tin", taxpayers.validate_tin),
    ("GET", r"/api/v1\.0/taxpayer/search/tin", "search_tin", taxpayers.search_tin),
    ("GET", r"/api/v1\.0/taxpayers/qrcodeinfo/" + ID.format("text"), "qr_info", taxpayers.qr_info),
    ("POST", r"/api/v1\.0/documentsubmissions", "submit", submission.submit),
    (
        "GET",
        r"/api/v1\.0/documentsubmissions/" + ID.format("submission_uid"),
        "get_submission",
        documents.get_submission,
    ),
    ("PUT", r"/api/v1\.0/documents/state/" + ID.format("uuid") + "/state", "cancel", documents.change_state),
    ("GET", r"/api/v1\.0/documents/recent", "recent", documents.recent),
    ("GET", r"/api/v1\.0/documents/search", "search", documents.search),
    ("GET", r"/api/v1\.0/documents/" + ID.format("uuid") + "/raw", "get_document", documents.get_document),
    ("GET", r"/api/v1\.0/documents/" + ID.format("uuid") + "/details", "get_details", documents.get_details),
)
_COMPILED = tuple(
    (method, re.compile(pattern + "/?", re.IGNORECASE), name, handler) for method, pattern, name, handler in ROUTES
)
# One path serves cancel and reject; they have separate limits, so they are separate endpoints.
ENDPOINTS = tuple(name for _, _, name, _ in ROUTES) + ("reject",)


@dataclass
class Request:
    method: str
    path: str
    query: dict  # lower-cased names -> last value: ASP.NET binds query names case-insensitively
    headers: object  # email.message.Message-like, case-insensitive .get
    body: bytes = b""

    def param(self, name, default=None):
        return self.query.get(name.lower(), default)


@dataclass
class Response:
    status: int
    body: object = None  # JSON-able, or None for an empty body
    headers: dict = field(default_factory=dict)


@dataclass
class Route:
    endpoint: str
    handler: object
    params: dict


def _state_endpoint(request):
    """cancel or reject, from the body's status (anything else is answered by cancel's 400)."""
    try:
        status = json.loads(request.body.decode("utf-8") or "{}").get("status", "")
    except (ValueError, UnicodeDecodeError, AttributeError):
        return "cancel"
    return "reject" if str(status).strip().lower() == "rejected" else "cancel"


class Api:
    def __init__(self, emulator):
        self.emulator = emulator

    def resolve(self, request):
        for method, pattern, name, handler in _COMPILED:
            match = pattern.fullmatch(request.path)
            if match and method == request.method:
                if name == "cancel":
                    name = _state_endpoint(request)
                return Route(name, handler, match.groupdict())
        return None

    def rate_limit(self, client_id, endpoint):
        verdict = self.emulator.limiter.hit(client_id, endpoint)
        if not verdict.allowed:
            self.emulator.stats.count("too_many", (endpoint,))
            raise ApiError(
                429,
                "TooManyRequests",
                f"Too many requests to {endpoint}; retry after {verdict.retry_after} s.",
                headers=verdict.headers(),
            )
        return verdict.headers()

    def handle(self, route, request):
        emulator, headers = self.emulator, {}
        try:
            if route is None:
                raise ApiError(404, "NotFound", f"No endpoint {request.method} {request.path}.")
            if route.endpoint == "token":
                result = route.handler(emulator, request)
            else:
                principal = auth.authenticate(emulator, request)
                headers = self.rate_limit(principal.client_id, route.endpoint)
                emulator.process_pending()  # validation due by now is visible to this call
                result = route.handler(emulator, request, principal, **route.params)
            status, body, *more = result  # handlers may add headers as a third item
            return Response(status, body, {**headers, **(more[0] if more else {})})
        except ApiError as error:
            return Response(error.status, error.body, {**headers, **error.headers})
        except Exception:  # a bug in the emulator must still answer like a server would
            log.exception("emulator error on %s %s", request.method, request.path)
            return Response(500, error_body("InternalServerError", "The emulator failed on this request."))
