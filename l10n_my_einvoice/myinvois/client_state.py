"""What the MyInvois client keeps between calls and how it cuts a submission: the
in-memory token store and rate limiter (the Odoo layer plugs in database ones,
models/api_state.py), the document as submitted, and the split into batches LHDN
accepts (100 documents, 5 MB, 300 KB per document)."""

import base64
import hashlib
import threading
import time
from collections import deque
from dataclasses import dataclass

from . import environments
from .client_errors import DocumentTooLargeError

MAX_SUBMISSION_DOCUMENTS = 100
MAX_SUBMISSION_BYTES = 5 * 1024 * 1024
MAX_DOCUMENT_BYTES = 300 * 1024


# --- pluggable token store and rate limiter -----------------------------------------------


class MemoryTokenStore:
    """Tokens of this process. ``get(key)`` -> (token, expires_at epoch) or None."""

    def __init__(self):
        self._tokens = {}
        self._login_locks = {}
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            return self._tokens.get(key)

    def set(self, key, token, expires_at):
        with self._lock:
            self._tokens[key] = (token, expires_at)

    def invalidate(self, key, token=None):
        with self._lock:
            if token is None or self._tokens.get(key, (None,))[0] == token:
                self._tokens.pop(key, None)

    def lock(self, key):
        """A lock held while logging in, so concurrent callers make one login."""
        with self._lock:
            return self._login_locks.setdefault(key, threading.Lock())


class MemoryRateLimiter:
    """Sliding window per (client ID, endpoint): ``acquire`` waits until a slot is
    free, so a burst stays under LHDN's limits instead of collecting 429s."""

    def __init__(self, limits=None, window=60.0, margin=1.0, clock=time.monotonic, sleep=time.sleep):
        """``margin``: seconds added to the window. LHDN counts a call when it arrives,
        we when we send it; without the margin, network delay lets LHDN see one call
        too many in its window."""
        self.limits = {**environments.RATE_LIMITS, **(limits or {})}
        self.window = window + margin
        self._clock, self._sleep = clock, sleep
        self._calls = {}
        self._blocked_until = {}
        self._lock = threading.Lock()

    def acquire(self, client_id, endpoint):
        key = (client_id, endpoint)
        limit = self.limits.get(endpoint, environments.UNPUBLISHED_RATE_LIMIT)  # None: no limit
        while True:
            with self._lock:
                now = self._clock()
                calls = self._calls.setdefault(key, deque())
                while calls and calls[0] <= now - self.window:
                    calls.popleft()
                wait = self._blocked_until.get(key, 0) - now
                if wait <= 0 and (limit is None or len(calls) < limit):
                    calls.append(now)
                    return
                if wait <= 0:
                    wait = calls[0] + self.window - now
            self._sleep(max(wait, 0.01))

    def block(self, client_id, endpoint, seconds):
        """LHDN said 429: nobody of this process calls that endpoint before ``seconds``."""
        with self._lock:
            key = (client_id, endpoint)
            self._blocked_until[key] = max(self._blocked_until.get(key, 0), self._clock() + seconds)


# --- submission documents and batches ----------------------------------------------------


@dataclass(frozen=True)
class SubmissionDocument:
    """One document to submit: the exact signed bytes and our code number."""

    code_number: str
    data: bytes
    format: str = "XML"

    @property
    def hash(self):
        return hashlib.sha256(self.data).hexdigest()

    def payload(self):
        return {
            "format": self.format,
            "document": base64.b64encode(self.data).decode("ascii"),
            "documentHash": self.hash,
            "codeNumber": self.code_number,
        }

    @property
    def payload_size(self):
        # base64 length plus the JSON around it
        return 4 * ((len(self.data) + 2) // 3) + len(self.code_number) + 150


def split_batches(documents, max_documents=MAX_SUBMISSION_DOCUMENTS, max_bytes=MAX_SUBMISSION_BYTES):
    """Split into submissions of at most 100 documents and 5 MB (as sent, base64).
    A document over 300 KB is refused with the code numbers named."""
    too_large = [d.code_number for d in documents if len(d.data) > MAX_DOCUMENT_BYTES]
    if too_large:
        raise DocumentTooLargeError(
            f"Document(s) {', '.join(too_large)} exceed the 300 KB MyInvois accepts per document: split the lines "
            "over several documents.",
            message_ms=f"Dokumen {', '.join(too_large)} melebihi 300 KB: pecahkan baris kepada beberapa dokumen.",
        )
    batches, batch, size = [], [], 20
    for document in documents:
        if batch and (len(batch) >= max_documents or size + document.payload_size > max_bytes):
            batches.append(batch)
            batch, size = [], 20
        batch.append(document)
        size += document.payload_size
    if batch:
        batches.append(batch)
    return batches
