"""The soak (bench/soak.py) in small: 200 documents through the client into the
emulator with random faults; every ambiguous submission reconciled, none lost or
held twice."""

import importlib.util

from .conftest import ROOT


def load_soak():
    spec = importlib.util.spec_from_file_location("soak", ROOT / "bench" / "soak.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_ambiguous_submission_is_reconciled_nothing_lost_or_doubled():
    counts = load_soak().soak(documents=200, fault_rate=0.25, batch_size=10, seed=20261201, timeout=60)
    assert counts["faults injected"] > 0 and counts["outcome-unknown"] > 0, counts
    assert counts["lost"] == 0 and counts["doubled"] == 0, counts
    assert counts["held"] == counts["known to the caller"] == 200 and counts["refused"] == 0, counts
