"""Secrets out of everything the client shows: error texts, audit records, echoed bodies.

Two rules, both needed:
* by key: the values under ``access_token``, ``client_secret``... are replaced,
  whatever they are (a token we never saw, from another worker's login);
* by value: the client secret, the certificate password and the tokens this client
  used are removed wherever they appear in any text, as a server or a proxy may echo
  the form, the Authorization header or a query into a message or a body.
The encodings they travel in (form/URL-encoded, JSON-escaped) are removed too.
"""

import json
import re
from urllib.parse import quote, quote_plus

SECRET_KEYS = {"access_token", "client_secret", "refresh_token", "id_token", "authorization"}
MASK = "***"
MIN_LENGTH = 4  # shorter values would mask ordinary words; no real secret or token is that short
MAX_DEPTH = 32  # answers nested deeper are cut, not recursed into (a hostile body must not crash us)


def variants(value):
    """The forms ``value`` can take in a text that echoes a request."""
    if not isinstance(value, str) or len(value) < MIN_LENGTH:
        return set()
    return {value, quote_plus(value), quote(value, safe=""), json.dumps(value)[1:-1]}


class Redactor:
    """Removes a set of secret values (and the values of secret keys) from any data."""

    def __init__(self, values=()):
        found = set()
        for value in values:
            found |= variants(value)
        ordered = sorted(found, key=len, reverse=True)  # the longest form first
        self._pattern = re.compile("|".join(map(re.escape, ordered)), re.IGNORECASE) if ordered else None

    def text(self, value):
        if not isinstance(value, str) or self._pattern is None:
            return value
        return self._pattern.sub(MASK, value)

    def __call__(self, value, depth=0):
        if isinstance(value, str):
            return self.text(value)
        if depth >= MAX_DEPTH and isinstance(value, (dict, list, tuple)):
            return "[nested too deep]"
        if isinstance(value, dict):
            return {
                self.text(k) if isinstance(k, str) else k: (
                    MASK if isinstance(k, str) and k.lower() in SECRET_KEYS else self(v, depth + 1)
                )
                for k, v in value.items()
            }
        if isinstance(value, (list, tuple)):
            return [self(v, depth + 1) for v in value]
        return value

    def error(self, error):
        """Scrub a MyInvoisError in place (its texts, LHDN's errors, the response) and return it."""
        error.message = self.text(error.message)
        error.message_ms = self.text(error.message_ms)
        error.code = self.text(error.code)
        error.errors = self(list(error.errors))
        error.response = self(error.response)
        error.correlation_id = self.text(error.correlation_id)
        error.args = tuple(self(arg) for arg in error.args)
        return error


def redact(value):
    """Key-based redaction only (no known values): the old ``client._redact``."""
    return Redactor()(value)
