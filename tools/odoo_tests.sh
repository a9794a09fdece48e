#!/usr/bin/env bash
# The Odoo half of `bash dev.sh test`, in two passes, each on a new, uniquely named copy of
# a template database (built once per Odoo), dropped afterwards:
#   1. l10n_my_einvoice: install it with --test-enable on a copy of the template holding its
#      dependencies (account, l10n_my, account_debit_note, portal), run its odoo.tests cases,
#      then the uninstall check;
#   2. l10n_my_einvoice_pos (the Point of Sale bridge): the same on a copy of a second
#      template that also holds point_of_sale, so the main pass never pays for POS and stock.
# Reports the counts of both on one last line, `odoo: N passed, M failed` (dev.sh and .ci/run
# read it: keep its format). Fails on any test failure or install error.
# Odoo comes from ODOO_PATH/ODOO_PYTHON, or is set up there from ../shared/odoo
# (tools/odoo_setup.sh). With neither it says so in one line and exits 0, except under
# CI=true, where the Odoo tests are required and it fails.
#
#   ODOO_PATH, ODOO_PYTHON, ODOO_DATA_DIR, ODOO_TEMPLATE_DB: see tools/odoo_env.sh
#   KEEP_DB=1    keep the databases afterwards (for a look at them)
#   ODOO_TEST_TAGS  which tests (default: both modules whole; e.g. /l10n_my_einvoice:TestSubmitFlow).
#                The specs naming l10n_my_einvoice_pos go to the POS pass, the others to the
#                main pass; a pass left with no spec, or with exclusions (-spec) only, is skipped
#                (so /l10n_my_einvoice_pos alone runs the POS pass only).
#   ODOO_POS_TESTS=0  skip the POS pass
set -uo pipefail
# shellcheck source=tools/odoo_env.sh
source "$(dirname "${BASH_SOURCE[0]}")/odoo_env.sh"

say() { printf '[odoo-tests] %s\n' "$*" >&2; }

# --- which passes run ----------------------------------------------------------------------
main_tags=/l10n_my_einvoice
pos_tags=/l10n_my_einvoice_pos
if [ -n "${ODOO_TEST_TAGS:-}" ]; then
  main_tags=$(tr ',' '\n' <<<"$ODOO_TEST_TAGS" | grep -v l10n_my_einvoice_pos | paste -sd, -)
  pos_tags=$(tr ',' '\n' <<<"$ODOO_TEST_TAGS" | grep l10n_my_einvoice_pos | paste -sd, -)
  # Exclusions alone make Odoo run every 'standard' test of every installed module: a pass
  # whose specs only exclude is skipped instead.
  tr ',' '\n' <<<"$main_tags" | grep -qv '^-' || main_tags=
  tr ',' '\n' <<<"$pos_tags" | grep -qv '^-' || pos_tags=
fi
[ "${ODOO_POS_TESTS:-1}" = 0 ] && pos_tags=
if [ -z "$main_tags" ] && [ -z "$pos_tags" ]; then
  say "no Odoo tests selected (ODOO_TEST_TAGS=${ODOO_TEST_TAGS:-}, ODOO_POS_TESTS=${ODOO_POS_TESTS:-1})"
  echo "odoo: 0 passed, 0 failed"
  exit 0
fi

odoo_ready
case $? in
  0) ;;
  3) echo "No Odoo 19 found (ODOO_PATH=$ODOO_PATH, ODOO_PYTHON=$ODOO_PYTHON) and none to set up: the Odoo tests were not run."
     exit 0 ;;
  *) exit 1 ;;
esac

# --- one fresh database per pass ------------------------------------------------------------
RUN="l10n_my_einvoice_test_$(date +%s)_$$"
DBS=()
cleanup() {
  local db
  for db in "${DBS[@]}"; do
    if [ "${KEEP_DB:-0}" = 1 ]; then say "kept database $db"; else odoo_drop_db "$db"; fi
  done
}
trap cleanup EXIT

# new_db SUFFIX [MODULES PREFIX]: sets DB (and FROM, for the log) to a new copy of the
# template of MODULES (default: the main one), or to an empty database under
# ODOO_TEMPLATE_DB=none (the install then brings every dependency).
new_db() {
  DB="${RUN}$1"
  if [ "${ODOO_TEMPLATE_DB:-}" = none ]; then
    FROM="an empty database"
  else
    local template
    template=$(odoo_template "${2:-}" "${3:-}") || return 1
    odoo_copy_db "$template" "$DB" || return 1
    FROM="a copy of $template"
  fi
  DBS+=("$DB")
}

# Counts so far, for the last line.
total_passed=0
total_failed=0

# run_tests MODULE TAGS: install MODULE with --test-enable on $DB, the tests of TAGS; sets
# LOG, ran, failed, errored. On a failure (or no test run) it shows why, prints the last
# line with the counts so far and exits 1.
run_tests() {
  local module=$1 tags=$2 t0 t1 rc summary errors failing
  LOG="$(mktemp -t odoo-tests-XXXX.log)"
  say "installing $module with --test-enable on $DB, $FROM (log: $LOG)"
  t0=$(date +%s)
  odoo_bin -d "$DB" --http-interface=127.0.0.1 --http-port=0 --db-filter="^$DB\$" --no-database-list \
    -i "$module" --test-enable --test-tags "$tags" --stop-after-init --log-level=test >"$LOG" 2>&1
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
    say "$module: Odoo tests FAILED (exit $rc; ${summary:-no test summary: did the module install?})"
    # Odoo counts every failed subtest; the count here is of failing tests (distinct names).
    failing=$(grep -oE ": (FAIL|ERROR): (Subtest )?[A-Za-z0-9_]+\.[A-Za-z0-9_]+" "$LOG" | sed -E 's/.*: (FAIL|ERROR): (Subtest )?//' | sort -u | wc -l)
    failing=$(( failing > 0 ? failing : 1 ))
    failing=$(( ${ran:-0} > 0 && failing > ${ran:-0} ? ${ran:-0} : failing ))
    echo "odoo: $(( total_passed + (${ran:-0} > failing ? ${ran:-0} - failing : 0) )) passed, $(( total_failed + failing )) failed"
    exit 1
  fi
  say "$module: database ready, install + tests took $((t1 - t0)) s"
}

# --- pass 1: l10n_my_einvoice, then its uninstall, checked by its @standalone script ----------
if [ -n "$main_tags" ]; then
  t_db=$(date +%s)
  new_db "" || exit 1
  say "main template copied in $(( $(date +%s) - t_db )) s"
  run_tests l10n_my_einvoice "$main_tags"
  t1=$(date +%s)
  (cd "$ODOO_PATH" && "$ODOO_PYTHON" -m odoo.tests.test_module_operations -d "$DB" \
    --addons-path="$ADDONS" --data-dir="$ODOO_DATA_DIR" standalone l10n_my_einvoice_uninstall) >>"$LOG" 2>&1
  urc=$?
  t2=$(date +%s)
  if [ "$urc" != 0 ] || grep -q "Standalone script .* failed" "$LOG" || ! grep -q "1 standalone scripts executed" "$LOG"; then
    grep -A30 "Standalone script .* failed" "$LOG" | head -60 >&2
    say "uninstall check FAILED"
    echo "odoo: $((total_passed + ran - failed - errored)) passed, $((total_failed + 1)) failed"
    exit 1
  fi
  say "uninstall check passed in $((t2 - t1)) s"
  echo "Odoo: $ran tests, $failed failed, $errored errors; uninstall check passed"
  total_passed=$((total_passed + ran - failed - errored))
  total_failed=$((total_failed + failed + errored))
else
  say "l10n_my_einvoice: skipped (no spec for it in ODOO_TEST_TAGS=${ODOO_TEST_TAGS:-})"
fi

# --- pass 2: l10n_my_einvoice_pos on the template with point_of_sale ---------------------------
if [ -n "$pos_tags" ]; then
  t_db=$(date +%s)
  new_db _pos "$POS_TEMPLATE_MODULES" "$POS_TEMPLATE_PREFIX" || exit 1
  say "POS template copied in $(( $(date +%s) - t_db )) s"
  run_tests l10n_my_einvoice_pos "$pos_tags"
  echo "Odoo POS bridge: $ran tests, $failed failed, $errored errors"
  total_passed=$((total_passed + ran - failed - errored))
  total_failed=$((total_failed + failed + errored))
else
  say "l10n_my_einvoice_pos: skipped (ODOO_POS_TESTS=${ODOO_POS_TESTS:-1}, ODOO_TEST_TAGS=${ODOO_TEST_TAGS:-})"
fi

echo "odoo: $total_passed passed, $total_failed failed"
