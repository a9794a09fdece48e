#!/usr/bin/env bash
# `bash dev.sh i18n`: each addon's translation template, as Odoo exports it, into
# <addon>/i18n/<addon>.pot, merged into <addon>/i18n/ms.po: new terms come in empty
# (translate them: tests/test_translation_files.py and the Odoo tests TestMalayTranslation
# fail until they are), terms the addon lost are dropped. The POS bridge is exported from
# a database that also has point_of_sale. Runs on scratch copies of the test template
# databases, dropped afterwards.
set -euo pipefail
# shellcheck source=tools/odoo_env.sh
source "$(dirname "${BASH_SOURCE[0]}")/odoo_env.sh"
odoo_ready
dbs=()
trap 'for db in "${dbs[@]}"; do odoo_drop_db "$db"; done' EXIT

# export_addon ADDON TEMPLATE: install ADDON on a copy of TEMPLATE, export its .pot, merge.
export_addon() {
  local addon="$1" db="l10n_my_einvoice_i18n_$$_$1" i18n="$ROOT/$1/i18n"
  dbs+=("$db")
  odoo_copy_db "$2" "$db"
  mkdir -p "$i18n"
  odoo_bin -d "$db" -i "$addon" --stop-after-init --log-level=warn
  # The subcommand takes only --addons-path before it (not the server's --data-dir).
  "$ODOO_PYTHON" "$ODOO_PATH/odoo-bin" --addons-path="$ADDONS" i18n export -d "$db" \
    -o "$i18n/$addon.pot" "$addon" 2>&1 | grep -v "security risk\|http-interface" >&2
  if [ -f "$i18n/ms.po" ]; then
    # --no-fuzzy-matching: a changed English text comes in empty, never with a guess.
    msgmerge --quiet --no-fuzzy-matching --no-wrap --update --backup=none "$i18n/ms.po" "$i18n/$addon.pot"
    msgattrib --no-obsolete --no-wrap -o "$i18n/ms.po" "$i18n/ms.po"
  else
    msginit --no-translator --no-wrap --locale=ms -i "$i18n/$addon.pot" -o "$i18n/ms.po"
  fi
  # OCA's layout (oca-checks-po --fix, as `bash dev.sh lint` checks it): entries sorted,
  # wrapped at 78, a translation equal to its English left empty (Odoo shows the English);
  # such a term is marked "same in Malay" first, so the tests tell it from one nobody
  # translated.
  "$ODOO_PYTHON" - "$i18n/ms.po" <<'PY'
import sys
import polib
path = sys.argv[1]
po = polib.pofile(path)
po.metadata["Language"] = "ms"
po.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
for entry in po:
    if entry.msgstr and entry.msgstr == entry.msgid:
        entry.msgstr = ""
        entry.tcomment = "same in Malay"
po.save(path)
empty = [entry.msgid for entry in po if not entry.msgstr and "same in Malay" not in entry.tcomment]
print(f"[i18n] {path}: {len(po)} terms, {len(empty)} without Malay", *(f"  {msgid!r}" for msgid in empty), sep="\n")
PY
  "${VENV:-$ROOT/.venv}/bin/oca-checks-po" --fix --no-verbose "$i18n/ms.po" "$i18n/$addon.pot" >/dev/null || true
}

export_addon l10n_my_einvoice "$(odoo_template)"
export_addon l10n_my_einvoice_pos "$(odoo_template "$POS_TEMPLATE_MODULES" "$POS_TEMPLATE_PREFIX")"
