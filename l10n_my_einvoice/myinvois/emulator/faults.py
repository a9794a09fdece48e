"""Faults a test asks for, handed out one request at a time.

``inject(endpoint, kind, times, **options)`` queues a fault; the next ``times``
requests to that endpoint take it, oldest injection first. ``chaos(rate, ...)``
adds random faults on top: each request with no queued fault takes one with
probability ``rate`` (a seeded ``random.Random``, so a soak can be replayed).
The server applies them (server.py) because they are about the connection, not
about MyInvois.

Kinds, and whether the request is processed (stored, for a submission):
* before processing: ``status`` (an error status, default 503), ``429``
  (Retry-After ``retry_after``), ``drop`` (close without a byte), ``delay``
  (``seconds``, then the normal answer: processed late);
* after processing: ``drop_after_accept`` (submit only: stored, then closed),
  ``truncate`` (the answer is cut halfway, its Content-Length promising more),
  ``status_after_accept`` (processed, then an error status, default 500, as a
  gateway that timed out after LHDN took the request).
``drop`` and ``drop_after_accept`` take ``reset=True`` to reset the connection
(TCP RST) instead of closing it.
"""

import collections
import random
import threading
from dataclasses import dataclass, field

KINDS = ("status", "429", "delay", "drop", "drop_after_accept", "truncate", "status_after_accept")
AFTER_PROCESSING = ("drop_after_accept", "truncate", "status_after_accept")
SUBMIT_ONLY = ("drop_after_accept",)
CHAOS_KINDS = (  # a realistic mix of what a network and a gateway do
    ("status", {"status": 503}),
    ("status", {"status": 502}),
    ("429", {"retry_after": 1}),
    ("drop", {}),
    ("drop", {"reset": True}),
    ("truncate", {}),
    ("drop_after_accept", {"reset": True}),
    ("status_after_accept", {"status": 500}),
    ("status_after_accept", {"status": 504}),
)


@dataclass
class Fault:
    kind: str
    options: dict = field(default_factory=dict)

    @property
    def status(self):
        return int(self.options.get("status", 500 if self.kind == "status_after_accept" else 503))

    @property
    def retry_after(self):
        return int(self.options.get("retry_after", 1))

    @property
    def seconds(self):
        return float(self.options.get("seconds", 1.0))

    @property
    def reset(self):
        return bool(self.options.get("reset", False))

    @property
    def after_processing(self):
        return self.kind in AFTER_PROCESSING


class Faults:
    def __init__(self, endpoints):
        self.endpoints = frozenset(endpoints)
        self._queues = collections.defaultdict(collections.deque)  # endpoint -> [[Fault, times left]]
        self._lock = threading.Lock()
        self._chaos = None  # (rate, random.Random, kinds, endpoints)

    def _fault(self, endpoint, kind, options):
        kind = str(kind)
        if endpoint not in self.endpoints:
            raise ValueError(f"unknown endpoint {endpoint!r}; one of {', '.join(sorted(self.endpoints))}")
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; one of {', '.join(KINDS)}")
        if kind in SUBMIT_ONLY and endpoint != "submit":
            raise ValueError(f"{kind} only makes sense for submit")
        fault = Fault(kind, dict(options))
        if kind in ("status", "status_after_accept") and not 400 <= fault.status <= 599:
            raise ValueError("a status fault needs an HTTP error status (e.g. status=503)")
        return fault

    def inject(self, endpoint, kind, times=1, **options):
        fault = self._fault(endpoint, kind, options)
        if times < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._queues[endpoint].append([fault, int(times)])

    def chaos(self, rate, seed=None, kinds=CHAOS_KINDS, endpoints=None):
        """Fault each request with probability ``rate`` (0 turns it off), drawing
        from ``kinds`` ((kind, options) pairs); ``endpoints``: where (default: all)."""
        if not 0 <= rate <= 1:
            raise ValueError("rate is a probability, 0 to 1")
        wanted = frozenset(endpoints or self.endpoints)
        unknown = wanted - self.endpoints
        if unknown:
            raise ValueError(f"unknown endpoint(s) {', '.join(sorted(unknown))}")
        for kind, options in kinds:
            self._fault("submit", kind, options)  # refuse a bad plan now, not mid-run
        with self._lock:
            self._chaos = (rate, random.Random(seed), tuple(kinds), wanted) if rate else None

    def take(self, endpoint):
        """The fault for this request, or None."""
        with self._lock:
            queue = self._queues.get(endpoint)
            if queue:
                entry = queue[0]
                entry[1] -= 1
                if entry[1] <= 0:
                    queue.popleft()
                return entry[0]
            if self._chaos is None:
                return None
            rate, rng, kinds, endpoints = self._chaos
            if endpoint not in endpoints or rng.random() >= rate:
                return None
            usable = [(kind, options) for kind, options in kinds if kind not in SUBMIT_ONLY or endpoint == "submit"]
            kind, options = rng.choice(usable)
            return Fault(kind, dict(options))

    def clear(self):
        with self._lock:
            self._queues.clear()
            self._chaos = None
