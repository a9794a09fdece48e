#!/usr/bin/env bash
# The project's entry point on a fresh Debian machine with Python 3.11:
#   bash dev.sh demo    the main job (no Odoo needed)
#   bash dev.sh test    every test: the linters, pytest, then the Odoo 19 tests (Odoo set
#                       up from ../shared/odoo when none is found; required under CI=true)
#   bash dev.sh lint    the linters alone: ruff (lint + format), pylint-odoo, the OCA hooks
#   bash dev.sh odoo    try it in Odoo: a demo database against the emulator, on 127.0.0.1
#   bash dev.sh i18n    the translation template from Odoo, merged into i18n/ms.po
# Each command creates or reuses .venv and installs what it needs.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="${VENV:-$ROOT/.venv}"
PY="${PYTHON:-python3}"

log() { printf '[dev] %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    log "need root for: $*"; return 1; fi
}

ensure_venv() {
  if [ ! -x "$VENV/bin/python" ]; then
    if ! "$PY" -c 'import venv, ensurepip' 2>/dev/null; then
      log "installing python3-venv (Debian keeps venv out of the base python3)"
      as_root apt-get update -qq && as_root apt-get install -y -qq python3-venv >/dev/null
    fi
    log "creating $VENV"
    "$PY" -m venv "$VENV"
  fi
  local stamp="$VENV/.installed" sum
  sum="$(cat "$ROOT/setup.cfg" "$ROOT/pyproject.toml" | sha256sum | cut -c1-16)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$sum" ]; then
    log "installing the project and its test tools into $VENV"
    if ! { "$VENV/bin/python" -m pip install -q --upgrade pip &&
           "$VENV/bin/python" -m pip install -q -e "$ROOT[test]"; } >"$VENV/install.log" 2>&1; then
      cat "$VENV/install.log" >&2
      log "installing into $VENV failed (log above)"
      exit 1
    fi
    echo "$sum" > "$stamp"
  fi
}

cmd_demo() {
  ensure_venv
  "$VENV/bin/python" -m l10n_my_einvoice.myinvois demo --out "$ROOT/out" "$@"
}

# "N passed", "N failed", "N error(s)" from a runner's closing line; 0 when absent.
count() { { grep -oE "[0-9]+ $2" "$1" || true; } | tail -1 | cut -d' ' -f1 | grep . || echo 0; }

# Every linter, all run even after one fails; returns 1 on any finding.
cmd_lint() {
  ensure_venv
  local bin="$VENV/bin" rc=0 po
  cd "$ROOT"
  "$bin/ruff" check . || rc=1
  "$bin/ruff" format --check --diff . || rc=1
  "$bin/pylint" --rcfile .pylintrc l10n_my_einvoice || rc=1
  "$bin/pylint" --rcfile .pylintrc-core l10n_my_einvoice/myinvois || rc=1
  "$bin/oca-checks-odoo-module" --no-verbose l10n_my_einvoice || rc=1
  po="$(git ls-files '*.po' '*.pot')"
  if [ -n "$po" ]; then "$bin/oca-checks-po" --no-verbose $po || rc=1; fi
  "$bin/python" tools/gen_readme.py --check || rc=1
  if [ "$rc" = 0 ]; then log "lint: no findings"; else log "lint: findings above"; fi
  return "$rc"
}

cmd_test() {
  ensure_venv
  local lint_rc tl
  tl=$(date +%s)
  lint_rc=0; cmd_lint || lint_rc=$?
  local out t0 t1 t2 t3 setup_rc py_rc odoo_rc
  out="$(mktemp -d)"
  t0=$(date +%s)
  # Odoo first (set up from ../shared/odoo when missing), so its time is counted apart.
  set +e
  bash "$ROOT/tools/odoo_setup.sh"; setup_rc=$?
  t1=$(date +%s)
  "$VENV/bin/python" -m pytest -q "$ROOT/tests" "$@" | tee "$out/pytest"
  py_rc=${PIPESTATUS[0]}
  t2=$(date +%s)
  if [ "$setup_rc" = 1 ]; then
    : > "$out/odoo"; odoo_rc=1
    log "setting Odoo up failed (above): the Odoo tests were not run"
  else
    bash "$ROOT/tools/odoo_tests.sh" | tee "$out/odoo"; odoo_rc=${PIPESTATUS[0]}
  fi
  t3=$(date +%s)
  set -e
  local py_failed odoo_passed odoo_failed
  py_failed=$(( $(count "$out/pytest" failed) + $(count "$out/pytest" 'errors?') ))
  odoo_passed=$(sed -nE 's/^odoo: ([0-9]+) passed.*/\1/p' "$out/odoo" | grep . || echo 0)
  odoo_failed=$(sed -nE 's/^odoo: [0-9]+ passed, ([0-9]+) failed.*/\1/p' "$out/odoo" | grep . || echo 0)
  # A part that failed before counting (pytest crashed, Odoo could not be set up) counts one.
  [ "$py_rc" = 0 ] || [ "$py_failed" -gt 0 ] || py_failed=1
  [ "$odoo_rc" = 0 ] || grep -q '^odoo: ' "$out/odoo" || odoo_failed=1
  local passed=$(( $(count "$out/pytest" passed) + odoo_passed )) failed=$(( py_failed + odoo_failed ))
  rm -rf "$out"
  log "lint $((t0 - tl)) s, Odoo setup $((t1 - t0)) s, pytest $((t2 - t1)) s, Odoo tests $((t3 - t2)) s; whole test command $((t3 - tl)) s"
  # Any linter finding fails the command and counts one.
  [ "$lint_rc" = 0 ] || { failed=$((failed + 1)); log "the linters found problems (above)"; }
  echo "total: $passed passed, $failed failed"
  [ "$lint_rc" = 0 ] && [ "$py_rc" = 0 ] && [ "$odoo_rc" = 0 ]
}

cmd_odoo() {
  bash "$ROOT/tools/odoo_demo.sh" "$@"
}

case "${1:-}" in
  demo) shift; cmd_demo "$@" ;;
  test) shift; cmd_test "$@" ;;
  lint) shift; cmd_lint ;;
  odoo) shift; cmd_odoo "$@" ;;
  i18n) shift; ensure_venv; VENV="$VENV" bash "$ROOT/tools/i18n_export.sh" ;;
  *) echo "usage: bash dev.sh demo|test|lint|odoo|i18n" >&2; exit 2 ;;
esac
