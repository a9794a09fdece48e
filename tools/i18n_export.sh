#!/usr/bin/env bash
# `bash dev.sh i18n`: the addon's translation template, as Odoo exports it, into
# l10n_my_einvoice/i18n/l10n_my_einvoice.pot, merged into i18n/ms.po: new terms come in
# empty (translate them: tests/test_translation_files.py and the Odoo test
# TestMalayTranslation fail until they are), terms the addon lost are dropped.
# Runs on a scratch copy of the test template database, dropped afterwards.
set -euo pipefail
# shellcheck source=tools/odoo_env.sh
source "$(dirname "${BASH_SOURCE[0]}")/odoo_env.sh"
odoo_ready
db="l10n_my_einvoice_i18n_$$"
trap 'odoo_drop_db "$db"' EXIT
odoo_copy_db "$(odoo_template)" "$db"
i18n="$ROOT/l10n_my_einvoice/i18n"
mkdir -p "$i18n"
odoo_bin -d "$db" -i l10n_my_einvoice --stop-after-init --log-level=warn
# The subcommand takes only --addons-path before it (not the server's --data-dir).
"$ODOO_PYTHON" "$ODOO_PATH/odoo-bin" --addons-path="$ADDONS" i18n export -d "$db" \
  -o "$i18n/l10n_my_einvoice.pot" l10n_my_einvoice 2>&1 | grep -v "security risk\|http-interface" >&2
if [ -f "$i18n/ms.po" ]; then
  # --no-fuzzy-matching: a changed English text comes in empty, never with a guess.
  msgmerge --quiet --no-fuzzy-matching --no-wrap --update --backup=none "$i18n/ms.po" "$i18n/l10n_my_einvoice.pot"
  msgattrib --no-obsolete --no-wrap -o "$i18n/ms.po" "$i18n/ms.po"
fi
# OCA's layout (oca-checks-po --fix, as `bash dev.sh lint` checks it): entries sorted, wrapped
# at 78, a translation equal to its English left empty (Odoo shows the English); such a
# term is marked "same in Malay" first, so the tests tell it from one nobody translated.
"$ODOO_PYTHON" - "$i18n/ms.po" <<'PY'
import sys
import polib
path = sys.argv[1]
po = polib.pofile(path)
for entry in po:
    if entry.msgstr and entry.msgstr == entry.msgid:
        entry.msgstr = ""
        entry.tcomment = "same in Malay"
po.save(path)
empty = [entry.msgid for entry in po if not entry.msgstr and "same in Malay" not in entry.tcomment]
print(f"[i18n] {len(po)} terms, {len(empty)} without Malay", *(f"  {msgid!r}" for msgid in empty), sep="\n")
PY
"${VENV:-$ROOT/.venv}/bin/oca-checks-po" --fix --no-verbose "$i18n/ms.po" "$i18n/l10n_my_einvoice.pot" >/dev/null || true
