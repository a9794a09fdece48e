"""The seeded XML fuzz run (tests/fuzz_xml.py): no crash, every refusal named,
nothing tampered verified, nothing harmless refused."""

import time

from . import fuzz_xml


def test_fuzzed_xml_is_refused_by_name_and_never_crashes():
    started = time.process_time()  # CPU time: other work on the machine does not count
    result = fuzz_xml.run()
    elapsed = time.process_time() - started
    assert result["failures"] == []
    assert result["variants"] == 2000
    assert result["refused"] > 0 and result["accepted"] > 0
    assert result["refused"] + result["accepted"] == result["variants"]
    assert elapsed < 30, f"the fuzz run took {elapsed:.1f} s of CPU"
