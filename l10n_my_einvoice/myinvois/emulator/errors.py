"""MyInvois's error shapes (reference §3.2) and ApiError, which carries one to the client.

* ``error_object``: the documented MyInvois error object, used in
  ``rejectedDocuments[].error`` and ``validationResults.validationSteps[].error``.
* ``error_body``: ``{"error": {code, message, target, details}}``, the body LHDN
  was observed to send with 4xx answers (envelope rejections, reads).
* ``refusal``: ``{"error": <error object>}`` for cancel/reject refusals, which §3.2
  item 1 and the SDK's "Standard Error Response" page give as the error object.
* ``oauth_body``: the OAuth error of ``/connect/token``.
"""

STATUS_CODES = {  # error code names for HTTP statuses (reference §3.3)
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    422: "DuplicateSubmission",
    429: "TooManyRequests",
    500: "InternalServerError",
    501: "NotImplemented",
    502: "BadGateway",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
}


def error_object(code, message, message_ms=None, *, name=None, path=None, inner=()):
    return {
        "propertyName": name,
        "propertyPath": path,
        "errorCode": code,
        "error": message,
        "errorMS": message_ms or message,
        "target": name,
        "innerError": list(inner),
    }


def error_body(code, message, target=None, details=None):
    return {"error": {"code": code, "message": message, "target": target, "details": details}}


def oauth_body(error, description=None):
    body = {"error": error}
    if description:
        body["error_description"] = description
    return body


class ApiError(Exception):
    """Raised by handlers; api.py turns it into the response."""

    def __init__(self, status, code, message, target=None, details=None, headers=None, body=None):
        super().__init__(message)
        self.status, self.code = status, code  # .code: what a test hook's caller checks
        self.headers = dict(headers or {})
        if body is None:
            details = details if details is not None else [{"code": code, "message": message, "target": target}]
            body = error_body(code, message, target, details)
        self.body = body


def refusal(status, code, message, message_ms=None, target=None):
    """A cancel/reject refusal: the MyInvois error object under ``error``."""
    return ApiError(status, code, message, body={"error": error_object(code, message, message_ms, name=target)})


def bad_argument(message, target=None):
    return ApiError(400, "BadArgument", message, target)


def not_found(message="The requested resource was not found.", target=None):
    return ApiError(404, "NotFound", message, target)


def forbidden(message, target=None):
    return ApiError(403, "Forbidden", message, target)


def bad_structure(reason, target="submission"):
    """Submit envelope rejection, in the shape LHDN was observed to send (§3.2 item 2)."""
    return ApiError(
        400,
        "BadStructure",
        reason,
        body=error_body(
            "ValidationError",
            "Invalid structure",
            "submission",
            [{"code": "BadStructure", "target": target, "message": f"Invalid structured submission. {reason}"}],
        ),
    )
