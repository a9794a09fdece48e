#!/usr/bin/env bash
# The Odoo half of `bash dev.sh test`: install the addon with --test-enable on a
# fresh, uniquely named database, run its odoo.tests cases, then the uninstall
# check, report the counts, drop the database. Fails on any test failure or
# install error. Without an Odoo 19 it says so in one line and exits 0.
#
#   ODOO_PATH    Odoo source folder with odoo-bin   (default /opt/odoo)
#   ODOO_PYTHON  interpreter with Odoo's requirements (default /opt/odoo/venv/bin/python)
#   ODOO_TEMPLATE_DB  optional database to copy (createdb -T) instead of a fresh one,
#                 e.g. one with account + l10n_my installed: about a minute faster.
#   KEEP_DB=1    keep the database afterwards (for a look at it)
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ODOO_PATH="${ODOO_PATH:-/opt/odoo}"
ODOO_PYTHON="${ODOO_PYTHON:-$ODOO_PATH/venv/bin/python}"

say() { printf '[odoo-tests] %s\n' "$*" >&2; }

if [ ! -f "$ODOO_PATH/odoo-bin" ] || [ ! -x "$ODOO_PYTHON" ]; then
  echo "No Odoo 19 found (ODOO_PATH=$ODOO_PATH, ODOO_PYTHON=$ODOO_PYTHON): the Odoo tests were not run."
  exit 0
fi
version=$("$ODOO_PYTHON" -c "import sys; sys.path.insert(0, '$ODOO_PATH'); from odoo import release; print(release.major_version)" 2>/dev/null)
if [ -z "$version" ]; then
  say "$ODOO_PYTHON cannot import Odoo from $ODOO_PATH: set ODOO_PYTHON to the interpreter with Odoo's requirements"
  exit 1
fi
if [ "$version" != "19.0" ]; then
  echo "Odoo at $ODOO_PATH is version $version, not 19.0: the Odoo tests were not run."
  exit 0
fi
missing=$("$ODOO_PYTHON" -c "
import importlib.util as u
print(' '.join(m for m in ('lxml', 'cryptography', 'requests', 'qrcode', 'PIL') if not u.find_spec(m)))")
if [ -n "$missing" ]; then
  say "Odoo's interpreter $ODOO_PYTHON lacks: $missing (pip install them there)"
  exit 1
fi

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi
}
as_postgres() {
  if [ "$(id -u)" = 0 ]; then su postgres -c "$*"; else sudo -u postgres sh -c "$*"; fi
}

# --- PostgreSQL: installed, running, and a role for this OS user -------------------
if ! command -v pg_lsclusters >/dev/null 2>&1; then
  say "installing PostgreSQL from Debian"
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null \
    || { say "could not install PostgreSQL"; exit 1; }
fi
if ! pg_isready -q 2>/dev/null; then
  say "starting PostgreSQL"
  cluster=$(pg_lsclusters --no-header 2>/dev/null | awk 'NR==1 {print $1" "$2}')
  if [ -z "$cluster" ]; then
    as_root pg_createcluster "$(ls /usr/lib/postgresql | sort -V | tail -1)" main >/dev/null || exit 1
    cluster=$(pg_lsclusters --no-header | awk 'NR==1 {print $1" "$2}')
  fi
  as_root pg_ctlcluster $cluster start || { say "could not start PostgreSQL"; exit 1; }
  for _ in $(seq 30); do pg_isready -q && break; sleep 1; done
fi
# wkhtmltopdf renders the invoice PDFs (QR code test); pdftotext reads them back.
if ! command -v wkhtmltopdf >/dev/null 2>&1 || ! command -v pdftotext >/dev/null 2>&1; then
  say "installing wkhtmltopdf and poppler-utils from Debian"
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wkhtmltopdf \
    poppler-utils >/dev/null || { say "could not install wkhtmltopdf"; exit 1; }
fi
me="$(id -un)"
if ! psql -d postgres -tAc "select 1" >/dev/null 2>&1; then
  # Odoo refuses to connect as 'postgres'; give this OS user a role of its own.
  as_postgres "createuser --superuser '$me'" || { say "could not create the PostgreSQL role $me"; exit 1; }
fi

# --- one fresh database per run -------------------------------------------------------
DB="l10n_my_einvoice_test_$(date +%s)_$$"
LOG="$(mktemp -t odoo-tests-XXXX.log)"
cleanup() {
  if [ "${KEEP_DB:-0}" = 1 ]; then say "kept database $DB"; else dropdb --if-exists "$DB" >/dev/null 2>&1; fi
}
trap cleanup EXIT
if [ -n "${ODOO_TEMPLATE_DB:-}" ]; then
  createdb -T "$ODOO_TEMPLATE_DB" "$DB" || exit 1
fi
ADDONS="$ODOO_PATH/addons,$ODOO_PATH/odoo/addons,$ROOT"
common=(--addons-path="$ADDONS" -d "$DB" --http-interface=127.0.0.1 --http-port=0 --db-filter="^$DB\$" --no-database-list)

say "installing l10n_my_einvoice with --test-enable on $DB (log: $LOG)"
t0=$(date +%s)
"$ODOO_PYTHON" "$ODOO_PATH/odoo-bin" "${common[@]}" -i l10n_my_einvoice --test-enable \
  --test-tags /l10n_my_einvoice --stop-after-init --log-level=test >"$LOG" 2>&1
rc=$?
t1=$(date +%s)

# Odoo's own summary lines: "odoo.tests.result: 0 failed, 0 error(s) of 42 tests ..."
summary=$(grep -E "odoo\.tests\.result: [0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests" "$LOG" | tail -1)
errors=$(grep -E " (ERROR|CRITICAL) " "$LOG" | grep -v "odoo.tests.result" || true)
ran=$(sed -nE 's/.* of ([0-9]+) tests.*/\1/p' <<<"$summary")
failed=$(sed -nE 's/.*: ([0-9]+) failed, ([0-9]+) error.*/\1/p' <<<"$summary")
errored=$(sed -nE 's/.*: ([0-9]+) failed, ([0-9]+) error.*/\2/p' <<<"$summary")

if [ "$rc" != 0 ] || [ -n "$errors" ] || [ -z "$summary" ] || [ "${ran:-0}" = 0 ] || [ "$failed" != 0 ] || [ "$errored" != 0 ]; then
  grep -E " (ERROR|CRITICAL|FAIL)|Traceback|^  File|Error:|assert" "$LOG" | head -120 >&2
  say "Odoo tests FAILED (exit $rc; ${summary:-no test summary: did the module install?})"
  exit 1
fi
say "install + tests took $((t1 - t0)) s"

# --- uninstall, checked by the module's @standalone script ------------------------------
(cd "$ODOO_PATH" && "$ODOO_PYTHON" -m odoo.tests.test_module_operations -d "$DB" \
  --addons-path="$ADDONS" standalone l10n_my_einvoice_uninstall) >>"$LOG" 2>&1
urc=$?
t2=$(date +%s)
if [ "$urc" != 0 ] || grep -q "Standalone script .* failed" "$LOG" || ! grep -q "1 standalone scripts executed" "$LOG"; then
  grep -A30 "Standalone script .* failed" "$LOG" | head -60 >&2
  say "uninstall check FAILED"
  exit 1
fi
say "uninstall check passed in $((t2 - t1)) s"
echo "Odoo: $ran tests, $failed failed, $errored errors; uninstall check passed"
echo "odoo: $((ran - failed - errored)) passed, $((failed + errored)) failed"
