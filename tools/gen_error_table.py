"""Write the table of LHDN's error codes in docs/troubleshooting.md from the code
(l10n_my_einvoice/myinvois/error_guide_data.py and error_guide_signature.py, through
error_guide.markdown_table):
the part between the two "lhdn-errors" markers.

    python tools/gen_error_table.py          write it
    python tools/gen_error_table.py --check  exit 1 when the doc is not what the code gives
"""

import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from l10n_my_einvoice.myinvois.error_guide import markdown_table  # noqa: E402  (after the path is set)

DOC = ROOT / "docs" / "troubleshooting.md"
BEGIN = "<!-- lhdn-errors:start -->"
END = "<!-- lhdn-errors:end -->"


def rewritten(current):
    start, end = current.index(BEGIN), current.index(END)
    return f"{current[: start + len(BEGIN)]}\n{markdown_table()}{current[end:]}"


def main(argv):
    current = DOC.read_text(encoding="utf-8")
    if BEGIN not in current or END not in current:
        print(f"{DOC.relative_to(ROOT)} has no {BEGIN} ... {END} markers")
        return 1
    wanted = rewritten(current)
    if wanted == current:
        return 0
    if "--check" in argv:
        print(f"{DOC.relative_to(ROOT)} is not what error_guide.py gives: run tools/gen_error_table.py")
        return 1
    DOC.write_text(wanted, encoding="utf-8")
    print(f"wrote {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
