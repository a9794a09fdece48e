"""Per-client, per-endpoint rate limits with a sliding window (reference §11).

LHDN limits each client ID per endpoint per minute and answers 429 with
``Retry-After``. The window runs on real monotonic time: limits are about load,
and a test that moves the emulator clock must not free or consume slots.
"""

import collections
import datetime
import math
import threading
import time
from dataclasses import dataclass

from ..environments import RATE_LIMITS as DEFAULT_LIMITS
from ..environments import UNPUBLISHED_RATE_LIMIT as UNPUBLISHED_LIMIT

ALIASES = {"login": "token"}


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    retry_after: int = 0  # whole seconds until a slot frees (429 only)

    def headers(self):
        headers = {"X-Rate-Limit-Limit": str(self.limit), "X-Rate-Limit-Remaining": str(self.remaining)}
        if not self.allowed:
            # LHDN sends the reset moment as a UTC timestamp once the limit is hit.
            reset = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=self.retry_after)
            headers["X-Rate-Limit-Reset"] = reset.strftime("%Y-%m-%dT%H:%M:%SZ")
            headers["Retry-After"] = str(self.retry_after)
        return headers


class RateLimiter:
    def __init__(self, window=60.0, limits=None):
        self.window = float(window)
        self.limits = dict(DEFAULT_LIMITS)
        for name, value in (limits or {}).items():
            self.limits[ALIASES.get(name, name)] = int(value)
        self._hits = collections.defaultdict(collections.deque)  # (client, endpoint) -> monotonic times
        self._lock = threading.Lock()

    def limit_for(self, endpoint):
        return self.limits.get(endpoint, UNPUBLISHED_LIMIT)

    def hit(self, client_id, endpoint):
        """Count one call; refused calls do not take a slot (as a gateway would)."""
        limit = self.limit_for(endpoint)
        now = time.monotonic()
        with self._lock:
            hits = self._hits[(client_id, endpoint)]
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= limit:
                wait = (hits[0] + self.window - now) if hits else self.window
                return Verdict(False, limit, 0, max(1, math.ceil(wait)))
            hits.append(now)
            return Verdict(True, limit, limit - len(hits))
