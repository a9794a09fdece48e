"""Counters tests read to prove client behaviour (one login, no 429, ...).

``stats["logins"]`` and the other totals read like a dict; the per-endpoint and
per-client counts have methods. ``requests`` counts every request that reached
the server (faulted ones too); ``too_many`` only the 429s the rate limiter gave,
not injected ones (``injected`` counts those); ``logins`` only issued tokens.
"""

import collections
import threading


class Stats:
    def __init__(self):
        self._lock = threading.Lock()
        self._totals = collections.Counter()
        self._by_key = collections.Counter()

    # --- recording (the emulator) ---
    def count(self, total, key=None):
        with self._lock:
            self._totals[total] += 1
            if key is not None:
                self._by_key[(total, *key)] += 1

    def login(self, client_id, onbehalfof):
        tin = onbehalfof.split(":", 1)[0] if onbehalfof else None
        with self._lock:
            self._totals["logins"] += 1
            self._by_key[("logins", client_id, onbehalfof)] += 1
            if onbehalfof and tin != onbehalfof:  # TIN:BRN also counts for the bare TIN
                self._by_key[("logins", client_id, tin)] += 1

    # --- reading (tests) ---
    def logins_for(self, client_id, onbehalfof=None):
        """Tokens issued to ``client_id``: without ``onbehalfof`` the taxpayer's own
        logins; with a TIN (or TIN:BRN) the logins on behalf of that taxpayer."""
        with self._lock:
            return self._by_key[("logins", client_id, onbehalfof)]

    def requests(self, endpoint):
        with self._lock:
            return self._by_key[("requests", endpoint)]

    def too_many(self, endpoint):
        with self._lock:
            return self._by_key[("too_many", endpoint)]

    def injected(self, endpoint):
        with self._lock:
            return self._by_key[("injected", endpoint)]

    def __getitem__(self, name):
        with self._lock:
            return self._totals[name]

    def get(self, name, default=0):
        with self._lock:
            return self._totals.get(name, default)

    def keys(self):
        with self._lock:
            return list(self._totals)

    def items(self):
        with self._lock:
            return list(self._totals.items())

    def __iter__(self):
        return iter(self.keys())

    def __len__(self):
        with self._lock:
            return len(self._totals)

    def __repr__(self):
        return f"Stats({dict(self.items())})"
