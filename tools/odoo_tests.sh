#!/usr/bin/env bash
# The Odoo half of `bash dev.sh test`: install the addon with --test-enable on a new,
# uniquely named copy of the template database (account, l10n_my, account_debit_note and
# portal installed, built once per Odoo), run its odoo.tests cases, then the uninstall
# check, report the counts, drop the database. Fails on any test failure or install error.
# Odoo comes from ODOO_PATH/ODOO_PYTHON, or is set up there from ../shared/odoo
# (tools/odoo_setup.sh). With neither it says so in one line and exits 0, except under
# CI=true, where the Odoo tests are required and it fails.
#
#   ODOO_PATH, ODOO_PYTHON, ODOO_DATA_DIR, ODOO_TEMPLATE_DB: see tools/odoo_env.sh
#   KEEP_DB=1    keep the database afterwards (for a look at it)
#   ODOO_TEST_TAGS  which tests (default /l10n_my_einvoice; e.g. /l10n_my_einvoice:TestSubmitFlow)
set -uo pipefail
# shellcheck source=tools/odoo_env.sh
source "$(dirname "${BASH_SOURCE[0]}")/odoo_env.sh"

say() { printf '[odoo-tests] %s\n' "$*" >&2; }

odoo_ready
case $? in
  0) ;;
  3) echo "No Odoo 19 found (ODOO_PATH=$ODOO_PATH, ODOO_PYTHON=$ODOO_PYTHON) and none to set up: the Odoo tests were not run."
     exit 0 ;;
  *) exit 1 ;;
esac

# --- one fresh database per run -------------------------------------------------------
DB="l10n_my_einvoice_test_$(date +%s)_$$"
LOG="$(mktemp -t odoo-tests-XXXX.log)"
cleanup() {
  if [ "${KEEP_DB:-0}" = 1 ]; then say "kept database $DB"; else odoo_drop_db "$DB"; fi
}
trap cleanup EXIT
t_db=$(date +%s)
if [ "${ODOO_TEMPLATE_DB:-}" = none ]; then
  from="an empty database"
else
  template=$(odoo_template) || exit 1
  odoo_copy_db "$template" "$DB" || exit 1
  from="a copy of $template"
fi
common=(-d "$DB" --http-interface=127.0.0.1 --http-port=0 --db-filter="^$DB\$" --no-database-list)

say "installing l10n_my_einvoice with --test-enable on $DB, $from (log: $LOG)"
t0=$(date +%s)
odoo_bin "${common[@]}" -i l10n_my_einvoice --test-enable \
  --test-tags "${ODOO_TEST_TAGS:-/l10n_my_einvoice}" --stop-after-init --log-level=test >"$LOG" 2>&1
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
  # Odoo counts every failed subtest; the count here is of failing tests (distinct names).
  failing=$(grep -oE ": (FAIL|ERROR): (Subtest )?[A-Za-z0-9_]+\.[A-Za-z0-9_]+" "$LOG" | sed -E 's/.*: (FAIL|ERROR): (Subtest )?//' | sort -u | wc -l)
  failing=$(( failing > 0 ? failing : 1 ))
  failing=$(( ${ran:-0} > 0 && failing > ${ran:-0} ? ${ran:-0} : failing ))
  echo "odoo: $(( ${ran:-0} > failing ? ${ran:-0} - failing : 0 )) passed, $failing failed"
  exit 1
fi
say "database ready in $((t0 - t_db)) s; install + tests took $((t1 - t0)) s"

# --- uninstall, checked by the module's @standalone script ------------------------------
(cd "$ODOO_PATH" && "$ODOO_PYTHON" -m odoo.tests.test_module_operations -d "$DB" \
  --addons-path="$ADDONS" --data-dir="$ODOO_DATA_DIR" standalone l10n_my_einvoice_uninstall) >>"$LOG" 2>&1
urc=$?
t2=$(date +%s)
if [ "$urc" != 0 ] || grep -q "Standalone script .* failed" "$LOG" || ! grep -q "1 standalone scripts executed" "$LOG"; then
  grep -A30 "Standalone script .* failed" "$LOG" | head -60 >&2
  say "uninstall check FAILED"
  echo "odoo: $((ran - failed - errored)) passed, 1 failed"
  exit 1
fi
say "uninstall check passed in $((t2 - t1)) s"
echo "Odoo: $ran tests, $failed failed, $errored errors; uninstall check passed"
echo "odoo: $((ran - failed - errored)) passed, $((failed + errored)) failed"
