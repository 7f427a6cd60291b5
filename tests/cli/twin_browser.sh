#!/bin/sh
# The live twin's page in a real browser: mosquitto on a free loopback port, `twinsim twin
# --serve` following it, and tests/browser/twin.test.js, which opens #/twin in Debian's Chromium
# through playwright-core, publishes plant messages itself (a machine goes down, a buffer level)
# and checks that the page's block colours and labels follow, that the twin's alert shows, and
# that the forecast fan is drawn on an axis that fits it (see that file). The mapping's plan is
# raised so that the first forecast raises its alert. Then tests/browser/twin_emulator.test.js,
# against a second twin, with the emulator as the plant. Prints SKIP when node, Chromium or
# playwright-core is missing, unless TSIM_REQUIRE_BROWSER=1. Everything started here is stopped
# by its pid.
. tests/cli/lib.inc
. tests/cli/procs.inc

CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
skip_or_fail() {
    if [ "${TSIM_REQUIRE_BROWSER:-0}" = 1 ]; then fail twin_browser "$1"; else echo "SKIP twin_browser: $1"; fi
    exit 0
}
MODEL=tests/twin/line.yaml
ORIGIN=1000000
MOSQUITTO=$(command -v mosquitto || ls /usr/sbin/mosquitto 2>/dev/null)
NODE_PATH="$(pwd)/tests/browser/node_modules${TSIM_NODE_MODULES:+:$TSIM_NODE_MODULES}"
if command -v npm >/dev/null 2>&1; then NODE_PATH="$NODE_PATH:$(npm root -g 2>/dev/null)"; fi
export NODE_PATH
"$TWINSIM" twin --help >/dev/null 2>&1 || skip_or_fail "no MQTT support in this build"
[ -n "$MOSQUITTO" ] || skip_or_fail "mosquitto not installed"
command -v python3 >/dev/null 2>&1 || skip_or_fail "python3 not installed"
command -v node >/dev/null 2>&1 || skip_or_fail "node not found"
[ -x "$CHROMIUM" ] || skip_or_fail "no Chromium at '$CHROMIUM' (apt-get install chromium)"
node -e "require('playwright-core')" >/dev/null 2>&1 ||
    skip_or_fail "playwright-core not found (npm ci --prefix tests/browser)"
"$TWINSIM" serve --db /nonexistent/x.db 2>&1 | grep -q 'built without libmicrohttpd' &&
    skip_or_fail "twinsim built without libmicrohttpd"

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
PORT=$(free_port)
cat >"$TMP/mosq.conf" <<EOC
listener $PORT 127.0.0.1
allow_anonymous true
pid_file $TMP/mosq.pid
log_dest file $TMP/mosq.log
user $(id -un)
max_queued_messages 0
EOC
"$MOSQUITTO" -c "$TMP/mosq.conf" -d 2>>"$TMP/mosq.err"
i=0
while [ ! -s "$TMP/mosq.pid" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$TMP/mosq.pid" ] || { fail twin_browser_broker "mosquitto did not start: $(cat "$TMP/mosq.log" 2>/dev/null)"; exit 1; }

# A plan of 470 parts in the 8 h shift: the line makes about 460, so the first forecast's
# chance to meet it is below the alert's 0.8.
sed 's/^  plan: 400$/  plan: 470/' tests/twin/line.mapping.yaml >"$TMP/map.yaml"
grep -q '^  plan: 470$' "$TMP/map.yaml" || { fail twin_browser_setup "the mapping has no 'plan: 400'"; exit 0; }
TOKEN=abcdefghijklmnop0123456789
echo "$TOKEN" >"$TMP/token"
HPORT=$(free_port)
"$TWINSIM" twin $MODEL --mapping "$TMP/map.yaml" --mqtt 127.0.0.1:$PORT --client-id twin-browser \
    --seed 11 --origin $ORIGIN --every 0.3s --serve --listen 127.0.0.1:$HPORT --results "$TMP/r.db" \
    --token-file "$TMP/token" --idle-exit 120 --verbose >"$TMP/twin.out" 2>"$TMP/twin.err" &
tp=$!
PIDS="$PIDS $tp"
wait_connected "$TMP/twin.err"
shots="${BUILD:-build}/screenshots"
CHROMIUM="$CHROMIUM" timeout 120 node tests/browser/twin.test.js "http://127.0.0.1:$HPORT" "$TOKEN" \
    "$PORT" "$shots"
[ $? -eq 124 ] && fail twin_browser "timed out after 120 s"
kill "$tp" 2>/dev/null
wait_pid "$tp" 10 || fail twin_browser_stop "the twin did not stop on SIGTERM"

# A second twin on the same broker, with the emulator as the plant: tests/browser/
# twin_emulator.test.js starts it and checks that the page follows (counts, blocks, the fan).
HPORT=$(free_port)
"$TWINSIM" twin $MODEL --mqtt 127.0.0.1:$PORT --client-id twin-browser-emu --seed 11 \
    --origin $ORIGIN --every 0.3s --serve --listen 127.0.0.1:$HPORT --results "$TMP/r2.db" \
    --token-file "$TMP/token" --idle-exit 120 --verbose >"$TMP/twin2.out" 2>"$TMP/twin2.err" &
tp=$!
PIDS="$PIDS $tp"
wait_connected "$TMP/twin2.err"
CHROMIUM="$CHROMIUM" timeout 120 node tests/browser/twin_emulator.test.js "http://127.0.0.1:$HPORT" "$TOKEN" \
    "$PORT" "$TWINSIM" "$shots"
[ $? -eq 124 ] && fail twin_emulator_browser "timed out after 120 s"
kill "$tp" 2>/dev/null
wait_pid "$tp" 10 || fail twin_browser_stop "the second twin did not stop on SIGTERM"
exit 0
