# Sourced by tools/odoo_tests.sh and tools/odoo_demo.sh: where Odoo is, and its databases.
#   ODOO_PATH      Odoo source folder with odoo-bin             (default /opt/odoo)
#   ODOO_PYTHON    interpreter with Odoo's requirements         (default $ODOO_PATH/venv/bin/python)
#   ODOO_DATA_DIR  Odoo's data dir (filestores)                 (default Odoo's own default)
#   ODOO_ARCHIVE   Odoo's source archive to set up from  (default ../shared/odoo/odoo-19.0-community.tar.xz)
#   ODOO_TEMPLATE_DB  a database to copy instead of the built-in template; "none": install
#                  everything from scratch on an empty database
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ODOO_PATH="${ODOO_PATH:-/opt/odoo}"
ODOO_PYTHON="${ODOO_PYTHON:-$ODOO_PATH/venv/bin/python}"
ODOO_DATA_DIR="${ODOO_DATA_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/Odoo}"
ODOO_ARCHIVE="${ODOO_ARCHIVE:-$(dirname "$ROOT")/shared/odoo/odoo-19.0-community.tar.xz}"
ADDONS="$ODOO_PATH/addons,$ODOO_PATH/odoo/addons,$ROOT"
# What the template holds: the addon's dependencies, whose install is most of the wait.
TEMPLATE_MODULES="account,l10n_my,account_debit_note,portal"
# The POS bridge (l10n_my_einvoice_pos) is tested on a second template that also holds
# point_of_sale (and stock, which it pulls in): its own name, so neither evicts the other.
POS_TEMPLATE_MODULES="$TEMPLATE_MODULES,point_of_sale"
POS_TEMPLATE_PREFIX="l10n_my_einvoice_pos_tmpl"
export ODOO_PATH ODOO_PYTHON ODOO_ARCHIVE

# Odoo's command line with this project's paths; "${ODOO_CMD[@]}" ... & leaves $! on Odoo itself.
ODOO_CMD=("$ODOO_PYTHON" "$ODOO_PATH/odoo-bin" --addons-path="$ADDONS" --data-dir="$ODOO_DATA_DIR")
odoo_bin() { "${ODOO_CMD[@]}" "$@"; }

# odoo_ready: Odoo 19 usable (set up from ../shared/odoo when missing). Returns 0 when
# ready; 3 when there is none and nothing to set one up from (outside CI only); 1 otherwise.
odoo_ready() {
  bash "$ROOT/tools/odoo_setup.sh"
  local rc=$?
  if [ "$rc" = 3 ]; then
    if [ "${CI:-}" = true ]; then
      echo "CI needs the Odoo tests, but there is no Odoo 19 at ODOO_PATH=$ODOO_PATH and no $ODOO_ARCHIVE to set one up from." >&2
      return 1
    fi
    return 3
  fi
  [ "$rc" = 0 ] || return 1
  local version
  version=$("$ODOO_PYTHON" -c "import sys; sys.path.insert(0, sys.argv[1]); from odoo import release; print(release.major_version)" "$ODOO_PATH" 2>/dev/null)
  if [ "$version" != "19.0" ]; then
    echo "Odoo at $ODOO_PATH is version ${version:-unknown}, not 19.0." >&2
    [ "${CI:-}" = true ] && return 1
    return 3
  fi
  local missing
  missing=$("$ODOO_PYTHON" -c "
import importlib.util as u
print(' '.join(m for m in ('lxml', 'cryptography', 'requests', 'qrcode', 'PIL') if not u.find_spec(m)))")
  if [ -n "$missing" ]; then
    echo "Odoo's interpreter $ODOO_PYTHON lacks: $missing (pip install them there)" >&2
    return 1
  fi
}

db_exists() { [ "$(psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$1'")" = 1 ]; }

# odoo_copy_db TEMPLATE NEW: the database and its filestore, as Odoo's own duplicate does.
odoo_copy_db() {
  createdb -T "$1" "$2" || return 1
  if [ -d "$ODOO_DATA_DIR/filestore/$1" ]; then
    mkdir -p "$ODOO_DATA_DIR/filestore" && cp -a "$ODOO_DATA_DIR/filestore/$1" "$ODOO_DATA_DIR/filestore/$2"
  fi
}

odoo_drop_db() {
  dropdb --if-exists "$1" >/dev/null 2>&1
  rm -rf "${ODOO_DATA_DIR:?}/filestore/$1"
}

# template_name [MODULES [PREFIX]]: the template's name changes with Odoo itself: the setup
# stamp (the archive's sha256) for ours, the release and the modules' manifests for a user's
# own Odoo. Default: TEMPLATE_MODULES, prefix l10n_my_einvoice_tmpl.
template_name() {
  local modules="${1:-$TEMPLATE_MODULES}" prefix="${2:-l10n_my_einvoice_tmpl}" key manifests=() module
  if [ -f "$ODOO_PATH/.l10n_my_einvoice-setup" ]; then key=$(cat "$ODOO_PATH/.l10n_my_einvoice-setup"); else
    for module in ${modules//,/ }; do manifests+=("$ODOO_PATH/addons/$module/__manifest__.py"); done
    key=$(cat "$ODOO_PATH/odoo/release.py" "${manifests[@]}" 2>/dev/null | sha256sum | cut -d' ' -f1); fi
  key=$(printf '%s %s' "$key" "$modules" | sha256sum | cut -c1-12)
  echo "${prefix}_$key"
}

# odoo_template [MODULES [PREFIX]]: print the name of a database with MODULES (default
# TEMPLATE_MODULES) installed, building it once (under a temporary name, renamed when
# complete, so a crash never leaves a bad one). Templates of other Odoos with the same
# PREFIX are dropped then; each prefix has its own lock, so building one never waits on
# (or drops) another.
odoo_template() {
  if [ -n "${ODOO_TEMPLATE_DB:-}" ]; then echo "$ODOO_TEMPLATE_DB"; return 0; fi
  local modules="${1:-$TEMPLATE_MODULES}" prefix="${2:-l10n_my_einvoice_tmpl}" lock=.l10n_my_einvoice-template.lock
  [ "$prefix" = l10n_my_einvoice_tmpl ] || lock=".$prefix.lock"
  local name; name=$(template_name "$modules" "$prefix")
  mkdir -p "$ODOO_DATA_DIR"
  (
    flock 9
    db_exists "$name" && exit 0
    local tmp="${name}_building_$$" t0 log
    t0=$(date +%s); log="$ODOO_DATA_DIR/$name.log"
    printf '[odoo] building the template database %s (%s), once per Odoo\n' "$name" "$modules" >&2
    odoo_drop_db "$tmp"
    if ! odoo_bin -d "$tmp" -i "$modules" --stop-after-init --no-http --log-level=warn >"$log" 2>&1 ||
       grep -qE " (ERROR|CRITICAL) " "$log"; then
      grep -E " (ERROR|CRITICAL) |Traceback|Error" "$log" | head -30 >&2
      odoo_drop_db "$tmp"
      printf '[odoo] building the template failed (log: %s)\n' "$log" >&2
      exit 1
    fi
    # Old templates (another Odoo) are of no more use. ("_" is a LIKE wildcard: escaped.)
    for old in $(psql -d postgres -tAc "SELECT datname FROM pg_database WHERE datname LIKE '${prefix//_/\\_}\_%'"); do
      [ "$old" = "$tmp" ] || odoo_drop_db "$old"
    done
    psql -d postgres -qc "ALTER DATABASE \"$tmp\" RENAME TO \"$name\"" >/dev/null || exit 1
    [ -d "$ODOO_DATA_DIR/filestore/$tmp" ] && mv "$ODOO_DATA_DIR/filestore/$tmp" "$ODOO_DATA_DIR/filestore/$name"
    printf '[odoo] template built in %s s\n' "$(( $(date +%s) - t0 ))" >&2
  ) 9>"$ODOO_DATA_DIR/$lock" || return 1
  echo "$name"
}
