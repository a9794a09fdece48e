"""The client against a hostile server (tests/fuzz_client.py): 600 seeded variants."""

import time

from .fuzz_client import run


def test_the_client_survives_a_hostile_server():
    started = time.monotonic()
    result = run(seed=20261201, variants=600)
    assert result["failures"] == [], "\n".join(result["failures"][:20])
    assert result["variants"] == 600 and result["refused"] > 0 and result["accepted"] > 0
    assert result["refused"] + result["accepted"] == 600
    assert time.monotonic() - started < 20
