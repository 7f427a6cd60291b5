#!/bin/sh
# The twin and the emulator when the broker cannot be reached or refuses them: problems are said
# at once (one line, with the code that says why, without --verbose), said again when the cause
# changes, retried after waits that double from 1 s with jitter, counted as KPIs; --idle-exit
# without a connection exits 1; a signal stops either within a second; an emulator that never
# connects fails. Then, with a broker: the twin's status, state and forecast are retained for a
# subscriber that comes late, and the broker's will says when the twin vanished. Ports of nothing
# are free ports found here; everything started here is stopped by its pid.
. tests/cli/lib.inc
. tests/cli/procs.inc

MODEL=tests/twin/line.yaml
MAP=tests/twin/line.mapping.yaml

MOSQUITTO=$(command -v mosquitto || ls /usr/sbin/mosquitto 2>/dev/null)
PASSWD=$(command -v mosquitto_passwd)
if ! "$TWINSIM" twin --help >/dev/null 2>&1; then
    echo "PASS twin_connect_not_built (this build has no MQTT support: twin tests not run)"
    exit 0
fi
if [ -z "$MOSQUITTO" ] || [ -z "$PASSWD" ] || ! command -v python3 >/dev/null; then
    echo "PASS twin_connect_no_broker (mosquitto or python3 not installed: broker tests not run)"
    exit 0
fi

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# The clock is read with date, not a Python start-up: on a loaded host a Python start takes
# a large part of the second the signal checks below allow.
clock() { date +%s.%N; }
# within START LIMIT: 0 if less than LIMIT seconds passed since START
within() { awk -v s="$1" -v l="$2" -v n="$(date +%s.%N)" 'BEGIN { exit !(n - s < l) }'; }
counter() {
    tail -n 1 "$1" | python3 -c "import json, sys; c = json.load(sys.stdin)['counters']; print(eval('c' + ''.join('[%r]' % k for k in sys.argv[1].split('.'))))" "$2"
}
TWIN="$TWINSIM twin $MODEL --mapping $MAP --origin 1000000"
DEAD=$(free_port) # nothing listens here

# 1. Refused, without --verbose: one line at once, the code in it; --idle-exit exits 1.
t0=$(clock)
$TWIN --mqtt 127.0.0.1:$DEAD --idle-exit 2.5 --state-out "$TMP/refused.twin" 2>"$TMP/refused.err"
rc=$?
lines=$(grep -c 'connect_failed' "$TMP/refused.err")
if [ "$rc" -eq 1 ] && [ "$lines" = 1 ] && within "$t0" 6 &&
    grep -q "^twinsim: twin: connect_failed: cannot connect to 127.0.0.1:$DEAD: connection refused (errno 111); retrying in [0-9.]* s$" "$TMP/refused.err" &&
    grep -q "^twinsim: twin: never_connected: no connection to 127.0.0.1:$DEAD in 3 s (last problem: cannot connect" "$TMP/refused.err" &&
    [ "$(counter "$TMP/refused.twin" connects)" = 0 ] && [ "$(counter "$TMP/refused.twin" connect_failures)" -ge 2 ]; then
    pass twin_connect_refused_said_once
else
    fail twin_connect_refused_said_once "exit $rc, $lines lines: $(cat "$TMP/refused.err")"
fi

# 2. With --verbose every retry is said: the waits double from 1 s, each within +-20%; the time
#    without a connection is a KPI.
$TWIN --mqtt 127.0.0.1:$DEAD --idle-exit 8 --verbose --state-out "$TMP/backoff.twin" 2>"$TMP/backoff.err"
waits=$(sed -n 's/.*connect_failed: .*; retrying in \([0-9.]*\) s$/\1/p' "$TMP/backoff.err" | tr '\n' ' ')
if python3 -c "
import sys
w = [float(x) for x in sys.argv[1].split()]
ok = len(w) >= 3 and all(0.8 * 2 ** k <= w[k] <= 1.2 * 2 ** k for k in range(3))
sys.exit(not ok)" "$waits" &&
    python3 -c "import sys; sys.exit(not 7 <= float(sys.argv[1]) <= 12)" "$(counter "$TMP/backoff.twin" blind_s)"; then
    pass twin_connect_backoff_doubles
else
    fail twin_connect_backoff_doubles "waits '$waits', blind $(counter "$TMP/backoff.twin" blind_s) s"
fi

# 3. The cause changes: first nothing listens, then a broker that wants a password refuses a
#    wrong one. Both are said without --verbose, each once.
PORT=$(free_port)
"$PASSWD" -b -c "$TMP/passwd" plant secret 2>/dev/null
cat >"$TMP/auth.conf" <<EOF
listener $PORT 127.0.0.1
allow_anonymous false
password_file $TMP/passwd
pid_file $TMP/mosq.pid
log_dest file $TMP/mosq.log
user $(id -un)
max_queued_messages 0
EOF
$TWIN --mqtt 127.0.0.1:$PORT --username plant --password wrong --idle-exit 5 \
    --state-out "$TMP/auth.twin" 2>"$TMP/auth.err" &
tp=$!
PIDS="$PIDS $tp"
sleep 1.5
"$MOSQUITTO" -c "$TMP/auth.conf" -d 2>>"$TMP/mosq.err"
i=0
while [ ! -s "$TMP/mosq.pid" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
wait_pid $tp 15
rc=$?
if [ "$rc" -eq 1 ] &&
    [ "$(grep -c 'connect_failed: cannot connect to .*connection refused (errno 111)' "$TMP/auth.err")" = 1 ] &&
    [ "$(grep -c "connect_failed: 127.0.0.1:$PORT refused the connection: .*(CONNACK code [45])" "$TMP/auth.err")" = 1 ] &&
    grep -q 'never_connected' "$TMP/auth.err"; then
    pass twin_connect_cause_changes
else
    fail twin_connect_cause_changes "exit $rc: $(cat "$TMP/auth.err")"
fi
# The right password: connected, nothing said without --verbose, and --idle-exit exits 0.
$TWIN --mqtt 127.0.0.1:$PORT --username plant --password secret --idle-exit 1 \
    --state-out "$TMP/ok.twin" 2>"$TMP/ok.err"
rc=$?
if [ "$rc" -eq 0 ] && [ ! -s "$TMP/ok.err" ] && [ "$(counter "$TMP/ok.twin" connects)" = 1 ]; then
    pass twin_connect_idle_exit_after_connecting
else
    fail twin_connect_idle_exit_after_connecting "exit $rc: $(cat "$TMP/ok.err")"
fi
kill "$(cat "$TMP/mosq.pid")" 2>/dev/null
rm -f "$TMP/mosq.pid"

# 4. A signal stops either within a second while nothing can be reached.
for sig in TERM INT; do
    $TWIN --mqtt 127.0.0.1:$DEAD 2>"$TMP/sig.err" &
    tp=$!
    sleep 1.5
    t0=$(clock)
    kill -$sig $tp
    wait_pid $tp 5
    rc=$?
    if [ "$rc" -eq 0 ] && within "$t0" 1; then
        pass twin_connect_stops_on_$sig
    else
        fail twin_connect_stops_on_$sig "exit $rc after $(python3 -c "import time, sys; print(round(time.time() - float(sys.argv[1]), 2))" "$t0") s"
    fi
    "$TWINSIM" emulate $MODEL --mapping $MAP --mqtt 127.0.0.1:$DEAD 2>"$TMP/esig.err" &
    ep=$!
    sleep 1.5
    t0=$(clock)
    kill -$sig $ep
    wait_pid $ep 5
    rc=$?
    if [ "$rc" -eq 1 ] && within "$t0" 1 && grep -q connect_failed "$TMP/esig.err"; then
        pass emulate_stops_on_$sig
    else
        fail emulate_stops_on_$sig "exit $rc after $(python3 -c "import time, sys; print(round(time.time() - float(sys.argv[1]), 2))" "$t0") s: $(cat "$TMP/esig.err")"
    fi
done

# 5. An emulator that never connects fails, loudly, after its connect timeout.
t0=$(clock)
"$TWINSIM" emulate $MODEL --mapping $MAP --mqtt 127.0.0.1:$DEAD --connect-timeout 2 2>"$TMP/enc.err"
rc=$?
if [ "$rc" -eq 1 ] && within "$t0" 5 &&
    grep -q "^twinsim: emulate: never_connected: no connection to 127.0.0.1:$DEAD in 2 s (last problem: cannot connect.*); nothing was sent$" "$TMP/enc.err"; then
    pass emulate_never_connects_fails
else
    fail emulate_never_connects_fails "exit $rc: $(cat "$TMP/enc.err")"
fi

# 6. Late comers: a subscriber that arrives after the forecast sees the twin's status, its
#    latest state and forecast at once (retained); when the twin vanishes the broker's will says
#    so; when it stops it says so itself.
PORT=$(free_port)
cat >"$TMP/open.conf" <<EOF
listener $PORT 127.0.0.1
allow_anonymous true
pid_file $TMP/mosq.pid
log_dest file $TMP/mosq.log
user $(id -un)
max_queued_messages 0
EOF
"$MOSQUITTO" -c "$TMP/open.conf" -d 2>>"$TMP/mosq.err"
i=0
while [ ! -s "$TMP/mosq.pid" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
peek() { python3 tests/twin/mqtt_peek.py "$PORT" 'twin/line/#' 1 >"$TMP/$1.peek"; }
# retained TOPIC FILE: the payload retained on TOPIC, as seen by the peek in FILE
retained() {
    python3 -c "
import json, sys
for line in open(sys.argv[2]):
    m = json.loads(line)
    if m['topic'] == sys.argv[1] and m['retain']:
        print(m['payload'])" "$1" "$TMP/$2.peek"
}
$TWIN --mqtt 127.0.0.1:$PORT --client-id twin-late --every 0.3s --verbose 2>"$TMP/late.err" &
tp=$!
PIDS="$PIDS $tp"
wait_connected "$TMP/late.err"
"$TWINSIM" emulate $MODEL --mapping $MAP --mqtt 127.0.0.1:$PORT --origin 1000000 --until 30min \
    --speed 1800 2>"$TMP/late.emu.err"
# The state of the plant's end is out once a forecast after it went (every 0.3 s).
i=0
while [ $i -lt 20 ]; do
    sleep 0.5
    peek online
    retained twin/line/state online | grep -q '"observed":{"t":30,' && break
    i=$((i + 1))
done
kill -9 $tp
wait $tp 2>/dev/null
sleep 0.5
peek vanished
$TWIN --mqtt 127.0.0.1:$PORT --client-id twin-late --verbose 2>"$TMP/late2.err" &
tp=$!
i=0
while ! grep -q '^twinsim: twin: connected: ' "$TMP/late2.err" && [ $i -lt 100 ]; do
    sleep 0.1
    i=$((i + 1))
done
kill -TERM $tp
wait_pid $tp 5
peek stopped
if ! retained twin/line/status online | grep -q '"state":"online","twin":"twin-late","model":"twin-line"'; then
    fail twin_status_late_comers "status while online: $(cat "$TMP/online.peek")"
elif ! retained twin/line/forecast online | grep -q '"forecast":[0-9]*,' ||
    ! retained twin/line/state online | grep -q '"observed":{"t":30,'; then
    fail twin_status_late_comers "forecast or state not retained: $(head -c 800 "$TMP/online.peek")"
elif ! retained twin/line/status vanished | grep -q '"state":"offline","reason":"lost"'; then
    fail twin_status_late_comers "no will after a kill: $(cat "$TMP/vanished.peek")"
elif ! retained twin/line/status stopped | grep -q '"state":"offline","reason":"stopped"' ||
    ! retained twin/line/forecast stopped | grep -q '"forecast":'; then
    fail twin_status_late_comers "after a stop: $(head -c 800 "$TMP/stopped.peek")"
else
    pass twin_status_late_comers
fi
exit 0
