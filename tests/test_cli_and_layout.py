import ast
import subprocess
import sys

from l10n_my_einvoice.myinvois import certificate

from .conftest import ROOT

SAMPLES = ROOT / "samples" / "lhdn"


def run(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "l10n_my_einvoice.myinvois", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )


def test_build_then_validate(tmp_path):
    built = []
    for name in ("invoice", "credit-note", "self-billed-invoice"):
        out = tmp_path / f"{name}.xml"
        result = run("build", str(ROOT / "samples" / "documents" / f"{name}.json"), "-o", str(out))
        assert result.returncode == 0, result.stdout
        built.append(str(out))
    good = run("validate", *built)
    assert good.returncode == 0 and good.stdout.count(": OK") == 3, good.stdout
    bad = run("validate", "-q", built[0], str(SAMPLES / "1.1-Invoice-ForeignCurrency-Sample.xml"), "missing.xml")
    # An unreadable file is bad input (exit 2, on stderr); the other files are still checked.
    assert bad.returncode == 2
    lines = bad.stdout.splitlines()
    assert len(lines) == 2, lines
    assert bad.stderr == "missing.xml: cannot read: No such file or directory\n"
    # LHDN's own sample: placeholder TINs and totals that do not add up (its line's
    # ItemPriceExtension, LineExtensionAmount and tax subtotals are refused too).
    sample = run("validate", str(SAMPLES / "1.1-Invoice-Sample.xml"))
    assert sample.returncode == 1
    assert "supplier.tin: The supplier's TIN \"Supplier's TIN\" is not a TIN" in sample.stdout
    assert "totals.PayableAmount: PayableAmount is 1436.50 but the lines add up to 16.30." in sample.stdout


def test_build_refuses_an_invalid_document_and_writes_nothing(tmp_path):
    import json

    data = json.loads((ROOT / "samples" / "documents" / "invoice.json").read_text())
    data["buyer"]["tin"] = "12345"
    data["lines"][0]["unit_price"] = "-5000"  # a negative line is allowed, a negative payable is not
    source = tmp_path / "bad.json"
    source.write_text(json.dumps(data))
    result = run("build", str(source), "-o", str(tmp_path / "bad.xml"))
    assert result.returncode == 1
    assert "buyer.tin: The buyer's TIN '12345' is not a TIN LHDN accepts" in result.stdout
    assert "payable_amount: The amount payable is negative" in result.stdout
    assert not (tmp_path / "bad.xml").exists()
    stale = run("build", str(ROOT / "samples" / "documents" / "invoice.json"), "-o", str(tmp_path / "x.xml"), "--now")
    assert stale.returncode == 0, stale.stdout


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
    assert wrong.returncode == 2 and "password is wrong" in wrong.stderr and "Traceback" not in wrong.stderr


def test_codes_command():
    assert run("codes", "states", "10").stdout.strip() == "10: Selangor"
    assert run("codes", "units", "ZZZ9").returncode == 1
    assert run("codes", "nope").returncode == 2


def test_demo_runs_end_to_end_against_the_emulator(tmp_path):
    result = run("demo", "--out", str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 of 3 documents Valid; 1 login" in result.stdout
    for number in ("INV-2026-000123", "CN-2026-000007", "SB-2026-000042"):
        line = next(line for line in result.stdout.splitlines() if number in line and "UUID" in line)
        assert " Valid " in line
        assert (tmp_path / f"{number}.qr.png").read_bytes().startswith(b"\x89PNG")
    signed = sorted(tmp_path.glob("*.signed.xml"))
    assert len(signed) == 3
    assert run("verify", *map(str, signed)).returncode == 0
    assert (tmp_path / "demo-certificate.p12").exists()


def test_qr_and_validation_link():
    from l10n_my_einvoice.myinvois import qr

    link = qr.validation_link("production", "F9D425P6DS7D8IU4R2X8WQNK10", "LIJAF97HJJKH8298KHADH09908570FDKK9S2LSIRK")
    assert link == (
        "https://myinvois.hasil.gov.my/F9D425P6DS7D8IU4R2X8WQNK10/share/LIJAF97HJJKH8298KHADH09908570FDKK9S2LSIRK"
    )
    assert qr.validation_link("sandbox", "U", "L") == "https://preprod.myinvois.hasil.gov.my/U/share/L"
    assert qr.qr_png(link).startswith(b"\x89PNG\r\n\x1a\n")
    import pytest

    with pytest.raises(ValueError):
        qr.validation_link("production", "F9D425P6DS7D8IU4R2X8WQNK10", "")


def test_sign_verify_diagnose(tmp_path):
    p12 = tmp_path / "company.p12"
    p12.write_bytes(certificate.make_test_certificate(tin="C1234567890", password=b"pw"))
    env = {"PFX": "pw", "PATH": "/usr/bin:/bin"}
    doc = tmp_path / "invoice.xml"
    assert run("build", str(ROOT / "samples" / "documents" / "invoice.json"), "-o", str(doc)).returncode == 0
    signed = tmp_path / "invoice.signed.xml"
    result = run("sign", str(doc), "--p12", str(p12), "--password-env", "PFX", "-o", str(signed), env=env)
    assert result.returncode == 0, result.stdout
    assert run("verify", str(signed)).stdout.strip() == f"{signed}: OK"
    tampered = tmp_path / "tampered.xml"
    tampered.write_bytes(signed.read_bytes().replace(b">3656.58<", b">3656.59<"))
    bad = run("verify", str(signed), str(tampered))
    assert bad.returncode == 1 and f"{tampered}: DS322" in bad.stdout and f"{signed}: OK" in bad.stdout
    assert run("diagnose", "--p12", str(p12), "--password-env", "PFX", str(signed), env=env).returncode == 0
    other = tmp_path / "other.p12"
    other.write_bytes(certificate.make_test_certificate(tin="C5555555550", password=b"pw"))
    refused = run(
        "sign", str(doc), "--p12", str(other), "--password-env", "PFX", "-o", str(tmp_path / "x.xml"), env=env
    )
    assert refused.returncode == 2 and "C1234567890" in refused.stderr and "C5555555550" in refused.stderr
    assert not (tmp_path / "x.xml").exists()
    personal = tmp_path / "personal.p12"
    personal.write_bytes(certificate.make_test_certificate(organisation=False, password=b"pw"))
    diagnosed = run("diagnose", "--p12", str(personal), "--password-env", "PFX", env=env)
    assert diagnosed.returncode == 1 and "ERROR DS306" in diagnosed.stdout and "ERROR DS307" in diagnosed.stdout


def test_the_core_never_imports_odoo():
    for path in (ROOT / "l10n_my_einvoice" / "myinvois").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            assert not any(n == "odoo" or n.startswith("odoo.") for n in names), f"{path} imports odoo"


def test_importing_the_addon_outside_odoo_loads_no_odoo_layer():
    code = (
        "import sys, l10n_my_einvoice, l10n_my_einvoice.myinvois.codes; "
        "print(any(m.startswith(('odoo', 'l10n_my_einvoice.models')) for m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.stdout.strip() == "False", result.stderr


def test_manifest():
    manifest = ast.literal_eval((ROOT / "l10n_my_einvoice" / "__manifest__.py").read_text())
    assert manifest["version"] == "19.0.1.0.0"
    assert manifest["license"] == "LGPL-3"
    assert manifest["depends"] == ["account", "l10n_my", "account_debit_note", "portal"]
    for data_file in manifest["data"]:
        assert (ROOT / "l10n_my_einvoice" / data_file).is_file(), data_file


def test_emulator_command_serves_on_loopback():
    import requests

    process = subprocess.Popen(
        [sys.executable, "-m", "l10n_my_einvoice.myinvois", "emulator", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        first = process.stdout.readline().strip()
        assert first.startswith("MyInvois emulator at http://127.0.0.1:")
        base = first.split(" at ")[1]
        assert requests.get(base + "/api/v1.0/documenttypes", timeout=5).status_code == 401
        token = requests.post(
            base + "/connect/token",
            timeout=5,
            data={
                "client_id": "emulator-demo",
                "client_secret": "emulator-demo-secret",
                "grant_type": "client_credentials",
                "scope": "InvoicingAPI",
            },
        ).json()["access_token"]
        types = requests.get(
            base + "/api/v1.0/documenttypes", timeout=5, headers={"Authorization": f"Bearer {token}"}
        ).json()
        assert len(types["result"]) == 8
    finally:
        process.terminate()
        process.wait(timeout=10)
