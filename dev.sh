#!/usr/bin/env bash
# The project's entry point on a fresh Debian machine with Python 3.11:
#   bash dev.sh demo    the main job (no Odoo needed)
#   bash dev.sh test    every test: pytest, then the Odoo tests when an Odoo 19 is found
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

cmd_test() {
  ensure_venv
  local t0 t1 t2 rc
  t0=$(date +%s)
  local out; out="$(mktemp)"
  set +e
  "$VENV/bin/python" -m pytest -q "$ROOT/tests" "$@" | tee "$out"
  rc=${PIPESTATUS[0]}
  set -e
  t1=$(date +%s)
  log "pytest took $((t1 - t0)) s"
  [ "$rc" = 0 ] || { log "pytest failed (exit $rc)"; exit "$rc"; }
  local py_passed odoo_passed
  py_passed=$(grep -oE '[0-9]+ passed' "$out" | tail -1 | cut -d' ' -f1)
  bash "$ROOT/tools/odoo_tests.sh" | tee "$out"
  odoo_passed=$(sed -nE 's/^odoo: ([0-9]+) passed.*/\1/p' "$out")
  rm -f "$out"
  t2=$(date +%s)
  log "Odoo part took $((t2 - t1)) s; whole test command $((t2 - t0)) s"
  echo "total: $((py_passed + ${odoo_passed:-0})) passed, 0 failed"
}

case "${1:-}" in
  demo) shift; cmd_demo "$@" ;;
  test) shift; cmd_test "$@" ;;
  *) echo "usage: bash dev.sh demo|test" >&2; exit 2 ;;
esac
