"""Faults a test asks for, handed out one request at a time.

``inject(endpoint, kind, times, **options)`` queues a fault; the next ``times``
requests to that endpoint take it, oldest injection first. The server applies
them (server.py) because they are about the connection, not about MyInvois.
"""

import collections
import threading
from dataclasses import dataclass, field

KINDS = ("status", "429", "delay", "drop", "drop_after_accept")


@dataclass
class Fault:
    kind: str
    options: dict = field(default_factory=dict)

    @property
    def status(self):
        return int(self.options.get("status", 503))

    @property
    def retry_after(self):
        return int(self.options.get("retry_after", 1))

    @property
    def seconds(self):
        return float(self.options.get("seconds", 1.0))


class Faults:
    def __init__(self, endpoints):
        self.endpoints = frozenset(endpoints)
        self._queues = collections.defaultdict(collections.deque)  # endpoint -> [[Fault, times left]]
        self._lock = threading.Lock()

    def inject(self, endpoint, kind, times=1, **options):
        kind = str(kind)
        if endpoint not in self.endpoints:
            raise ValueError(f"unknown endpoint {endpoint!r}; one of {', '.join(sorted(self.endpoints))}")
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; one of {', '.join(KINDS)}")
        if kind == "drop_after_accept" and endpoint != "submit":
            raise ValueError("drop_after_accept only makes sense for submit")
        fault = Fault(kind, dict(options))
        if kind == "status" and not 400 <= fault.status <= 599:
            raise ValueError("a status fault needs an HTTP error status (e.g. status=503)")
        if times < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._queues[endpoint].append([fault, int(times)])

    def take(self, endpoint):
        """The fault for this request, or None."""
        with self._lock:
            queue = self._queues.get(endpoint)
            if not queue:
                return None
            entry = queue[0]
            entry[1] -= 1
            if entry[1] <= 0:
                queue.popleft()
            return entry[0]

    def clear(self):
        with self._lock:
            self._queues.clear()
