import ast
import subprocess
import sys

from l10n_my_einvoice.myinvois import certificate

from .conftest import ROOT

SAMPLES = ROOT / "samples" / "lhdn"


def run(*args, env=None):
    return subprocess.run([sys.executable, "-m", "l10n_my_einvoice.myinvois", *args], capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=120)


def test_validate_exit_code_follows_the_findings():
    good = run("validate", str(SAMPLES / "1.1-Invoice-Sample.xml"), str(SAMPLES / "1.1-Credit-Note-Sample.xml"))
    assert good.returncode == 0 and good.stdout.count(": OK") == 2
    bad = run("validate", "-q", str(SAMPLES / "1.1-Invoice-Sample.xml"),
              str(SAMPLES / "1.1-Invoice-ForeignCurrency-Sample.xml"), "missing.xml")
    assert bad.returncode == 1
    lines = bad.stdout.splitlines()
    assert len(lines) == 3, lines
    assert lines[-1] == "missing.xml: cannot read: No such file or directory"


def test_certificate_command(tmp_path):
    path = tmp_path / "c.p12"
    path.write_bytes(certificate.make_test_certificate(password=b"pw"))
    env = {"PFX_PASSWORD": "pw", "PATH": "/usr/bin:/bin"}
    ok = run("certificate", "--p12", str(path), "--password-env", "PFX_PASSWORD", "--tin", "C1234567890", env=env)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "TIN / BRN   C1234567890 / 202001012345" in ok.stdout
    mismatch = run("certificate", "--p12", str(path), "--password-env", "PFX_PASSWORD", "--tin", "C5555555550", env=env)
    assert mismatch.returncode == 0 and "warning DS311" in mismatch.stdout
    wrong = run("certificate", "--p12", str(path), "--password-env", "NO_SUCH_VAR", env=env)
    assert wrong.returncode == 1 and "password is wrong" in wrong.stdout


def test_codes_command():
    assert run("codes", "states", "10").stdout.strip() == "10: Selangor"
    assert run("codes", "units", "ZZZ9").returncode == 1
    assert run("codes", "nope").returncode == 2


def test_demo_runs(tmp_path):
    result = run("demo", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "9 of 11 samples pass" in result.stdout
    assert (tmp_path / "demo-certificate.p12").exists()


def test_the_core_never_imports_odoo():
    for path in (ROOT / "l10n_my_einvoice" / "myinvois").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not any(n == "odoo" or n.startswith("odoo.") for n in names), f"{path} imports odoo"


def test_importing_the_addon_outside_odoo_loads_no_odoo_layer():
    code = ("import sys, l10n_my_einvoice, l10n_my_einvoice.myinvois.codes; "
            "print(any(m.startswith(('odoo', 'l10n_my_einvoice.models')) for m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.stdout.strip() == "False", result.stderr


def test_manifest():
    manifest = ast.literal_eval((ROOT / "l10n_my_einvoice" / "__manifest__.py").read_text())
    assert manifest["version"] == "19.0.1.0.0"
    assert manifest["license"] == "LGPL-3"
    assert manifest["depends"] == ["account", "l10n_my", "account_debit_note", "portal"]
    for data_file in manifest["data"]:
        assert (ROOT / "l10n_my_einvoice" / data_file).is_file(), data_file
