"""Write the addon's README from its readme/ folder (the OCA's layout: DESCRIPTION.md,
CONFIGURE.md, USAGE.md, CONTRIBUTORS.md), as oca-gen-addon-readme does:

- l10n_my_einvoice/README.md, the addon's own (shipped with it; pylint-odoo wants one);
- the section of the repository's README.md between the two "addon section" markers.

    python tools/gen_readme.py          write both
    python tools/gen_readme.py --check  exit 1 when either is not what readme/ gives
                                        (run by `bash dev.sh lint`)
"""

import ast
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
ADDON = ROOT / "l10n_my_einvoice"
SECTIONS = (("DESCRIPTION.md", None), ("CONFIGURE.md", "Configuration"), ("USAGE.md", "Usage"))
BEGIN = "<!-- addon section: written from l10n_my_einvoice/readme/ by tools/gen_readme.py, edit those -->"
END = "<!-- end of the addon section -->"


def _part(name):
    return (ADDON / "readme" / name).read_text(encoding="utf-8").strip()


def _body(level):
    """The readme/ parts under headings of ``level`` (2 or 3), then the contributors."""
    hashes = "#" * level
    parts = []
    for filename, title in SECTIONS:
        parts.append(_part(filename) if title is None else f"{hashes} {title}\n\n{_part(filename)}")
    parts.append(f"{hashes} Contributors\n\n{_part('CONTRIBUTORS.md')}")
    return "\n\n".join(parts) + "\n"


def addon_readme():
    manifest = ast.literal_eval((ADDON / "__manifest__.py").read_text(encoding="utf-8"))
    return (
        f"# {manifest['name']}\n\n"
        f"<!-- written from readme/ by tools/gen_readme.py: edit those files -->\n\n"
        f"{manifest['summary']}.\n\n"
        f"{_body(2)}\n"
        f"## Maintainers\n\n{_maintainers(manifest)}; license {manifest['license']}.\n"
    )


def _maintainers(manifest):
    # No website or GitHub handles in the manifest until the project has a public home:
    # an invented address would send users nowhere.
    names = ", ".join(manifest.get("maintainers", [])) or manifest["author"]
    return f"{names} ({manifest['website']})" if manifest.get("website") else names


def repository_readme(current):
    start, end = current.index(BEGIN), current.index(END)
    return f"{current[: start + len(BEGIN)]}\n## The addon\n\n{_body(3)}{current[end:]}"


def main(argv):
    check = "--check" in argv
    readme = ROOT / "README.md"
    wanted = {ADDON / "README.md": addon_readme(), readme: repository_readme(readme.read_text(encoding="utf-8"))}
    stale = [path for path, text in wanted.items() if not path.exists() or path.read_text(encoding="utf-8") != text]
    if check:
        for path in stale:
            print(f"{path.relative_to(ROOT)} is not what l10n_my_einvoice/readme/ gives: run tools/gen_readme.py")
        return 1 if stale else 0
    for path in stale:
        path.write_text(wanted[path], encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
