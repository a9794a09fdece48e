"""Figures for the core's per-call costs (prints, asserts nothing).

    .venv/bin/python bench/core_checks.py

- opening the PKCS#12 certificate and reading its details: done on every view of the
  settings (the warnings are recomputed) and, later, once per signing batch;
- UBL 2.1 XSD + LHDN code checks of one document (LHDN's 1.1 invoice sample).
"""

import time
from pathlib import Path

from l10n_my_einvoice.myinvois import certificate, codes, xml_checks

ROOT = Path(__file__).resolve().parent.parent


def rate(label, func, seconds=2.0):
    func()  # warm up (schema parse, table load)
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        func()
        count += 1
    elapsed = time.perf_counter() - start
    print(f"{label:<48} {count / elapsed:10.1f} /s   {1000 * elapsed / count:8.3f} ms each")


def main():
    p12 = certificate.make_test_certificate(password=b"pw")
    rate("open PKCS#12 + describe certificate", lambda: certificate.load_pkcs12(p12, "pw"))
    sample = (ROOT / "samples" / "lhdn" / "1.1-Invoice-Sample.xml").read_bytes()
    rate("validate one invoice (XSD + code tables)", lambda: xml_checks.validate_xml(sample))
    start = time.perf_counter()
    codes.table.cache_clear()
    codes._rows.cache_clear()
    for name in codes.TABLE_FILES:
        codes.table(name)
    print(f"{'load all nine code tables (cold)':<48} {1000 * (time.perf_counter() - start):10.1f} ms")


if __name__ == "__main__":
    main()
