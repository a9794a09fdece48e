#!/usr/bin/env bash
# `bash dev.sh odoo`: try the addon in Odoo 19. Sets Odoo up like the tests do (or uses
# ODOO_PATH), creates a demo database from the template with the addon installed and a
# Malaysian company configured against the MyInvois emulator (its own process, state kept
# beside the database), customers, classified products and posted invoices; then serves
# Odoo on 127.0.0.1 until Ctrl-C, which stops both processes.
#
#   ODOO_DEMO_DB     database name                  (default l10n_my_einvoice_demo)
#   ODOO_PORT        Odoo's HTTP port               (default 8069)
#   EMULATOR_PORT    the emulator's port            (default 8765)
#   bash dev.sh odoo --reset    drop the demo database (and the emulator's state) first
set -uo pipefail
# shellcheck source=tools/odoo_env.sh
source "$(dirname "${BASH_SOURCE[0]}")/odoo_env.sh"
DB="${ODOO_DEMO_DB:-l10n_my_einvoice_demo}"
ODOO_PORT="${ODOO_PORT:-8069}"
EMULATOR_PORT="${EMULATOR_PORT:-8765}"
EMULATOR_STATE="$ODOO_DATA_DIR/$DB-emulator.json"
say() { printf '[odoo-demo] %s\n' "$*" >&2; }

case "${1:-}" in
  --reset) say "dropping $DB and its emulator state"; reset=1 ;;
  "") reset=0 ;;
  *) echo "usage: bash dev.sh odoo [--reset]" >&2; exit 2 ;;
esac

odoo_ready
case $? in
  0) ;;
  3) say "no Odoo 19 at ODOO_PATH=$ODOO_PATH and no ../shared/odoo to set one up from"; exit 1 ;;
  *) exit 1 ;;
esac
for port in "$ODOO_PORT" "$EMULATOR_PORT"; do
  if "$ODOO_PYTHON" -c "import socket, sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 1)" "$port" 2>/dev/null; then
    say "port $port on 127.0.0.1 is taken (another Odoo or emulator?): set ODOO_PORT / EMULATOR_PORT"; exit 1
  fi
done
if [ "$reset" = 1 ]; then odoo_drop_db "$DB"; rm -f "$EMULATOR_STATE"; fi

pids=()
stop() {
  trap - INT TERM EXIT
  [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null && wait "${pids[@]}" 2>/dev/null
  say "stopped Odoo and the emulator (the database $DB is kept; --reset starts afresh)"
}
trap stop INT TERM EXIT

# The emulator first: the demo data and the crons talk to it.
mkdir -p "$ODOO_DATA_DIR"
PYTHONPATH="$ROOT" "$ODOO_PYTHON" -m l10n_my_einvoice.myinvois emulator --port "$EMULATOR_PORT" \
  --state "$EMULATOR_STATE" --delay 2 > "$ODOO_DATA_DIR/$DB-emulator.log" 2>&1 &
pids+=($!)
EMULATOR_URL="http://127.0.0.1:$EMULATOR_PORT"
for _ in $(seq 50); do grep -q "MyInvois emulator at" "$ODOO_DATA_DIR/$DB-emulator.log" && break; sleep 0.2; done
grep -q "MyInvois emulator at" "$ODOO_DATA_DIR/$DB-emulator.log" ||
  { cat "$ODOO_DATA_DIR/$DB-emulator.log" >&2; say "the emulator did not start"; exit 1; }

if ! db_exists "$DB"; then
  t0=$(date +%s)
  template=$(odoo_template) || exit 1
  odoo_copy_db "$template" "$DB" || exit 1
  log="$ODOO_DATA_DIR/$DB-install.log"
  say "installing l10n_my_einvoice on $DB (log: $log)"
  if ! odoo_bin -d "$DB" -i l10n_my_einvoice --stop-after-init --no-http >"$log" 2>&1 ||
     ! "$ODOO_PYTHON" "$ROOT/tools/odoo_demo_data.py" -d "$DB" --odoo-path "$ODOO_PATH" \
         --addons-path "$ADDONS" --data-dir "$ODOO_DATA_DIR" --emulator-url "$EMULATOR_URL" >>"$log" 2>&1; then
    grep -E "ERROR|Error|Traceback" "$log" | tail -20 >&2
    odoo_drop_db "$DB"
    say "creating the demo database failed (log: $log)"; exit 1
  fi
  say "$(grep '^demo data:' "$log") (in $(( $(date +%s) - t0 )) s)"
else
  # The emulator may have moved (another EMULATOR_PORT); keep the company pointed at it.
  psql -d "$DB" -qc "UPDATE res_company SET l10n_my_einvoice_custom_url = '$EMULATOR_URL'
                     WHERE l10n_my_einvoice_environment = 'custom'" >/dev/null
fi

# ODOO_CMD, not the odoo_bin function: $! must be Odoo's own process, for Ctrl-C to stop it.
"${ODOO_CMD[@]}" -d "$DB" --db-filter="^$DB\$" --no-database-list --http-interface=127.0.0.1 \
  --http-port="$ODOO_PORT" --logfile="$ODOO_DATA_DIR/$DB-odoo.log" &
pids+=($!)
for _ in $(seq 60); do
  "$ODOO_PYTHON" -c "import urllib.request, sys; urllib.request.urlopen(sys.argv[1], timeout=2)" \
    "http://127.0.0.1:$ODOO_PORT/web/login" 2>/dev/null && break
  kill -0 "${pids[1]}" 2>/dev/null || { tail -20 "$ODOO_DATA_DIR/$DB-odoo.log" >&2; say "Odoo did not start"; exit 1; }
  sleep 1
done
cat <<EOF

  Odoo 19 with l10n_my_einvoice:  http://127.0.0.1:$ODOO_PORT/odoo/action-account.action_move_out_invoice_type
  login: admin   password: admin
  MyInvois emulator:              $EMULATOR_URL (log: $ODOO_DATA_DIR/$DB-emulator.log)
  Open a posted invoice and click "Submit to MyInvois": Odoo's cron threads submit it at once
  and poll for the result, so it shows Valid within about a minute (or click Refresh).
  Odoo's log: $ODOO_DATA_DIR/$DB-odoo.log.   Ctrl-C stops both.

EOF
wait "${pids[1]}"
