"""The emulator's clock: real UTC time plus an offset that tests can move.

Everything LHDN times on the server side (token expiry, the 72-hour windows,
issue-time rules, the 10-minute duplicate-payload window, the 2-hour duplicate
document window, the validation delay) reads this clock, so a test can jump
three days ahead instead of waiting. Time keeps flowing between moves, so the
standalone emulator behaves like a real server. Rate limits do *not* use it:
they are about real load and use the monotonic clock (limits.py).
"""

import datetime
import threading

UTC = datetime.timezone.utc
LHDN_FORMAT = "%Y-%m-%dT%H:%M:%SZ"  # how MyInvois writes date-times in its JSON


class Clock:
    def __init__(self, start=None):
        self._lock = threading.Lock()
        self._offset = datetime.timedelta(0)
        if start is not None:
            self.set(start)

    def now(self):
        """Aware UTC datetime."""
        with self._lock:
            return datetime.datetime.now(UTC) + self._offset

    def advance(self, seconds):
        with self._lock:
            self._offset += datetime.timedelta(seconds=seconds)

    def set(self, when):
        """Make ``now()`` return ``when`` (aware) at this instant; time flows on from there."""
        if when.tzinfo is None:
            raise ValueError("Clock.set needs an aware datetime (UTC)")
        with self._lock:
            self._offset = when - datetime.datetime.now(UTC)


def lhdn(when):
    """``2026-07-20T03:15:00Z``, or None."""
    return when.astimezone(UTC).strftime(LHDN_FORMAT) if when else None


def exact(when):
    """Full-precision ISO text for internal timestamps (due times)."""
    return when.astimezone(UTC).isoformat()


def parse(text):
    """Aware UTC datetime from ISO text (``Z``, an offset, or none = UTC; a bare
    date means its midnight). Raises ValueError."""
    text = (text or "").strip()
    if not text:
        raise ValueError("empty date")
    parsed = datetime.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
