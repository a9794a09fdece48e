"""Issue 16: the seeded fuzzing of the JSON form (fuzz_json.py) finds no traceback, no
unnamed refusal and no invalid variant accepted; the CLI ``build`` of fuzzed files
agrees with it and never prints a traceback."""

import io
import json
import random
import time
from contextlib import redirect_stderr, redirect_stdout

from l10n_my_einvoice.myinvois.__main__ import main

from .fuzz_json import attempt, bases, variant


def test_fuzzing_the_json_form_finds_nothing():
    from .fuzz_json import run

    started = time.perf_counter()
    result = run()
    elapsed = time.perf_counter() - started
    assert result["failures"] == [], "\n".join(result["failures"][:20])
    assert result["variants"] == result["refused"] + result["accepted"] == 3000
    assert result["refused"] > 0 and result["accepted"] > 0
    assert elapsed < 15, f"the fuzzing took {elapsed:.1f} s"


def test_the_cli_build_of_fuzzed_files(tmp_path):
    rng, documents, exits = random.Random(7), bases(), set()
    for index in range(200):
        data, _ = variant(rng, rng.choice(documents))
        try:
            source = json.dumps(data)  # lone surrogates and control characters as \u escapes
        except ValueError:  # a 10,000-digit integer: Python cannot write it as JSON text
            continue
        path = tmp_path / f"{index}.json"
        path.write_text(source)
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = main(["build", str(path), "-o", str(tmp_path / f"{index}.xml")])
        exits.add(code)
        outcome, messages = attempt(json.loads(source))
        assert "Traceback" not in err.getvalue()
        if code == 2:  # refused at the boundary: one line naming the file and the field
            assert err.getvalue() == f"{path}: {messages[0]}\n"
        else:  # 1: the validation's issues on stdout; 0: built
            assert (code, err.getvalue()) == ({"refused": 1, "accepted": 0}[outcome], "")
    assert exits == {0, 1, 2}
