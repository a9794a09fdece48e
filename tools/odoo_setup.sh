#!/usr/bin/env bash
# Make an Odoo 19 ready for the addon's Odoo tests and for `bash dev.sh odoo`:
#   - use the Odoo at ODOO_PATH/ODOO_PYTHON when one is there (the user's own, or ours);
#   - else set one up from ../shared/odoo/odoo-19.0-community.tar.xz: unpack it to ODOO_PATH,
#     create ODOO_PATH/venv and install requirements-py311.txt (--prefer-binary);
#   - install the Debian packages the tests need (postgresql, wkhtmltopdf, poppler-utils,
#     chromium) and start PostgreSQL with a role for this OS user.
# Idempotent: a stamp in ODOO_PATH holds the archive's sha256; the same archive reuses
# everything, a changed one re-installs. Prints nothing on stdout; exits 0 when Odoo is
# ready, 3 when there is no Odoo and nothing to set one up from, 1 on any failure.
#
#   ODOO_PATH     Odoo source folder with odoo-bin            (default /opt/odoo)
#   ODOO_PYTHON   interpreter with Odoo's requirements        (default $ODOO_PATH/venv/bin/python)
#   ODOO_ARCHIVE  the Odoo source archive   (default ../shared/odoo/odoo-19.0-community.tar.xz)
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ODOO_PATH="${ODOO_PATH:-/opt/odoo}"
ODOO_PYTHON="${ODOO_PYTHON:-$ODOO_PATH/venv/bin/python}"
ODOO_ARCHIVE="${ODOO_ARCHIVE:-$(dirname "$ROOT")/shared/odoo/odoo-19.0-community.tar.xz}"
STAMP="$ODOO_PATH/.l10n_my_einvoice-setup"

say() { printf '[odoo-setup] %s\n' "$*" >&2; }
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    say "need root for: $*"; return 1; fi
}
apt_updated=0
apt_install() {  # apt_install PACKAGE... : only the missing ones, one apt-get update per run
  local missing=() p
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} = 0 ] && return 0
  say "installing from Debian: ${missing[*]}"
  if [ "$apt_updated" = 0 ]; then as_root apt-get update -qq >/dev/null || return 1; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null 2>&1
}
odoo_usable() {
  [ -f "$ODOO_PATH/odoo-bin" ] && [ -x "$ODOO_PYTHON" ] &&
    "$ODOO_PYTHON" -c \
      "import sys; sys.path.insert(0, sys.argv[1]); import odoo.release, psycopg2, lxml, werkzeug, babel" \
      "$ODOO_PATH" 2>/dev/null
}

# --- Odoo itself ------------------------------------------------------------------------
archive_sum=""
[ -f "$ODOO_ARCHIVE" ] && archive_sum="$(sha256sum "$ODOO_ARCHIVE" | cut -d' ' -f1)"
if [ -f "$STAMP" ] && [ -n "$archive_sum" ] && [ "$(cat "$STAMP")" != "$archive_sum" ]; then
  say "the Odoo archive changed since $ODOO_PATH was set up: installing it again"
  rm -rf "${ODOO_PATH:?}/odoo" "${ODOO_PATH:?}/addons" "${ODOO_PATH:?}/venv" "$ODOO_PATH/odoo-bin" "$STAMP"
  touch "$STAMP.partial"
fi
if odoo_usable; then
  : # ours and current, or the user's own Odoo: use it as it is
elif [ -f "$ODOO_PATH/odoo-bin" ] && { [ -z "$archive_sum" ] || ! [ -f "$STAMP" ] && ! [ -f "$STAMP.partial" ]; }; then
  # Never unpack over somebody else's Odoo.
  say "$ODOO_PYTHON cannot import Odoo from $ODOO_PATH: set ODOO_PYTHON to the interpreter with Odoo's requirements"
  exit 1
elif [ -z "$archive_sum" ]; then
  exit 3  # nothing here, nothing to set up from: the caller decides what that means
else
  t0=$(date +%s)
  PY="${PYTHON:-python3}"
  if ! "$PY" -c 'import sys; assert sys.version_info[:2] >= (3, 10)' 2>/dev/null; then
    say "$PY is not Python 3.10+ (Odoo 19 needs it; the pins are for 3.11): set PYTHON"; exit 1
  fi
  if ! "$PY" -c 'import venv, ensurepip' 2>/dev/null; then apt_install python3-venv || exit 1; fi
  # libpq/libldap headers are not needed: psycopg2-binary and no python-ldap in the pins.
  say "unpacking $(basename "$ODOO_ARCHIVE") into $ODOO_PATH"
  mkdir -p "$ODOO_PATH" && touch "$STAMP.partial" && tar -xJf "$ODOO_ARCHIVE" -C "$ODOO_PATH" || { say "could not unpack into $ODOO_PATH"; exit 1; }
  say "creating $ODOO_PATH/venv and installing Odoo's requirements (about a minute)"
  log="$ODOO_PATH/venv-install.log"
  if ! { "$PY" -m venv "$ODOO_PATH/venv" &&
         "$ODOO_PATH/venv/bin/python" -m pip install -q --upgrade pip setuptools wheel &&
         "$ODOO_PATH/venv/bin/python" -m pip install -q --prefer-binary \
           -r "$(dirname "$ODOO_ARCHIVE")/requirements-py311.txt"; } >"$log" 2>&1; then
    tail -30 "$log" >&2; say "installing Odoo's requirements failed (log: $log)"; exit 1
  fi
  ODOO_PYTHON="$ODOO_PATH/venv/bin/python"
  odoo_usable || { say "the new venv cannot import Odoo (log: $log)"; exit 1; }
  echo "$archive_sum" > "$STAMP" && rm -f "$STAMP.partial"  # last: an interrupted setup is redone next time
  say "Odoo set up in $(( $(date +%s) - t0 )) s"
fi

# --- what Odoo's tests need from Debian --------------------------------------------------
# postgresql: the database; wkhtmltopdf + poppler-utils: the invoice PDF and reading it
# back; chromium: Odoo's browser tests (HttpCase tours) and the docs' screenshots.
need=()
command -v pg_lsclusters >/dev/null 2>&1 || need+=(postgresql)
command -v wkhtmltopdf >/dev/null 2>&1 || need+=(wkhtmltopdf)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  apt_install "${need[@]}" || { say "could not install from Debian: ${need[*]}"; exit 1; }
fi

# --- PostgreSQL: running, and a role for this OS user -------------------------------------
if ! pg_isready -q 2>/dev/null; then
  say "starting PostgreSQL"
  cluster=$(pg_lsclusters --no-header 2>/dev/null | awk 'NR==1 {print $1" "$2}')
  if [ -z "$cluster" ]; then
    as_root pg_createcluster "$(ls /usr/lib/postgresql | sort -V | tail -1)" main >/dev/null || exit 1
    cluster=$(pg_lsclusters --no-header | awk 'NR==1 {print $1" "$2}')
  fi
  # shellcheck disable=SC2086  # "version name", two words on purpose
  as_root pg_ctlcluster $cluster start || { say "could not start PostgreSQL"; exit 1; }
  for _ in $(seq 30); do pg_isready -q && break; sleep 1; done
fi
if ! psql -d postgres -tAc "select 1" >/dev/null 2>&1; then
  # Odoo refuses to connect as 'postgres'; give this OS user a role of its own.
  me="$(id -un)"
  if [ "$(id -u)" = 0 ]; then su postgres -c "createuser --superuser '$me'"; else
    sudo -u postgres createuser --superuser "$me"; fi || { say "could not create the PostgreSQL role $me"; exit 1; }
  psql -d postgres -tAc "select 1" >/dev/null 2>&1 || createdb "$me" 2>/dev/null
fi
exit 0
