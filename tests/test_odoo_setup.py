"""tools/odoo_setup.sh and tools/odoo_tests.sh where there is no Odoo, or somebody
else's: the shell scripts run for real, on folders of the test's own."""

import os
import subprocess

from .conftest import ROOT


def run_script(script, tmp_path, **env):
    full_env = {key: value for key, value in os.environ.items() if key != "CI"}
    full_env.update({"ODOO_ARCHIVE": str(tmp_path / "no-such-archive.tar.xz"), **env})
    return subprocess.run(
        ["bash", str(ROOT / "tools" / script)], capture_output=True, text=True, env=full_env, timeout=120
    )


def test_ci_requires_odoo_and_says_why_in_one_line(tmp_path):
    result = run_script("odoo_tests.sh", tmp_path, CI="true", ODOO_PATH=str(tmp_path / "none"))
    assert result.returncode != 0
    lines = (result.stdout + result.stderr).strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("CI needs the Odoo tests, but there is no Odoo 19 at ODOO_PATH=")


def test_outside_ci_a_missing_odoo_is_one_notice_and_not_a_failure(tmp_path):
    result = run_script("odoo_tests.sh", tmp_path, ODOO_PATH=str(tmp_path / "none"))
    assert result.returncode == 0
    assert result.stdout.strip().splitlines() == [
        f"No Odoo 19 found (ODOO_PATH={tmp_path / 'none'}, ODOO_PYTHON={tmp_path / 'none'}/venv/bin/python) "
        "and none to set up: the Odoo tests were not run."
    ]
    assert not (tmp_path / "none").exists(), "nothing is created when there is nothing to set up"


def test_never_unpacks_over_an_odoo_it_did_not_set_up(tmp_path):
    theirs = tmp_path / "their-odoo"
    theirs.mkdir()
    (theirs / "odoo-bin").write_text("#!/usr/bin/env python3\n")
    archive = tmp_path / "odoo.tar.xz"
    archive.write_bytes(b"not really an archive")  # present: setup would be possible
    result = run_script(
        "odoo_setup.sh", tmp_path, ODOO_PATH=str(theirs), ODOO_PYTHON="/bin/false", ODOO_ARCHIVE=str(archive)
    )
    assert result.returncode == 1
    assert "cannot import Odoo from" in result.stderr and "set ODOO_PYTHON" in result.stderr
    assert sorted(p.name for p in theirs.iterdir()) == ["odoo-bin"], "their folder is left as it was"
