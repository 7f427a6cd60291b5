#!/bin/sh
# bench/bench_twin_soak.sh: the twin left alone with things going wrong (not part of the tests; it
# runs SOAK_MINUTES, default 30). A mosquitto (its own port, config and persistence folder), the
# emulator playing tests/twin/line.yaml at SOAK_SPEED simulated seconds per second (default 1200:
# 20 plant minutes a second) one event per message, and a twin with --db following it. Every
# minute, at a random moment of it, the twin is killed (SIGKILL) and started again with the same
# client id and --db; independently, every minute at a random moment, the broker is stopped
# (SIGTERM, so that it saves its sessions: mosquitto's persistence is a periodic snapshot, and a
# SIGKILL loses what it acknowledged since the last one, whoever the client) and started again
# 1-5 s later. At the end the last twin must reach the plant's end with every checkpoint equal to
# the plant's, the recording must hold every message sent once, and the counters must say so.
# Prints one RESULT line. SOAK_SEED picks the moments (default 1); BUILD the build folder.
set -u
BUILD=${BUILD:-build}
MIN=${SOAK_MINUTES:-30}
SPEED=${SOAK_SPEED:-1200}
SEED=${SOAK_SEED:-1}
TWINSIM=$(pwd)/$BUILD/twinsim
MODEL=tests/twin/line.yaml
MAP=tests/twin/line.mapping.yaml
ORIGIN=1000000
MOSQUITTO=$(command -v mosquitto || ls /usr/sbin/mosquitto 2>/dev/null)
[ -n "$MOSQUITTO" ] || { echo "bench_twin_soak: mosquitto is not installed, skipped"; exit 0; }
"$TWINSIM" twin --help >/dev/null 2>&1 || { echo "bench_twin_soak: no MQTT support in $TWINSIM"; exit 1; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/twin-soak.XXXXXX")
tp= ep=
stop_all() {
    for p in $tp $ep; do kill "$p" 2>/dev/null; done
    [ -s "$TMP/mosq.pid" ] && kill "$(cat "$TMP/mosq.pid")" 2>/dev/null
    [ -n "${SOAK_KEEP:-}" ] || rm -rf "$TMP"
}
trap stop_all EXIT INT TERM
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$TMP/mosq.conf" <<EOF
listener $PORT 127.0.0.1
allow_anonymous true
persistence true
persistence_location $TMP/
autosave_interval 1
max_queued_messages 0
max_inflight_messages 0
pid_file $TMP/mosq.pid
log_dest file $TMP/mosq.log
user $(id -un)
EOF
start_broker() {
    rm -f "$TMP/mosq.pid"
    "$MOSQUITTO" -c "$TMP/mosq.conf" -d 2>>"$TMP/mosq.err"
    i=0
    while [ ! -s "$TMP/mosq.pid" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
}
stop_broker() {
    bp=$(cat "$TMP/mosq.pid" 2>/dev/null)
    [ -n "$bp" ] || return
    kill "$bp" 2>/dev/null
    i=0
    while kill -0 "$bp" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    rm -f "$TMP/mosq.pid"
}

# Plant hours in SOAK_MINUTES at SOAK_SPEED, less a margin for the broker's absences.
HOURS=$(awk -v m="$MIN" -v s="$SPEED" 'BEGIN { printf "%d", m * 60 * s / 3600 * 0.9 }')
runs=0
start_twin() {
    "$TWINSIM" twin $MODEL --mapping $MAP --mqtt 127.0.0.1:$PORT --client-id soak-twin \
        --seed 11 --origin $ORIGIN --until "${HOURS}h" --checkpoint 1h --every 5s \
        --state-out "$TMP/run$runs.twin" --db "$TMP/soak.db" 2>"$TMP/run$runs.err" &
    tp=$!
}
start_broker
start_twin
sleep 1
"$TWINSIM" emulate $MODEL --mapping $MAP --mqtt 127.0.0.1:$PORT --client-id soak-emu \
    --seed 11 --origin $ORIGIN --until "${HOURS}h" --speed "$SPEED" --checkpoint 1h \
    --state-out "$TMP/emu.out" --verbose 2>"$TMP/emu.err" &
ep=$!
t0=$(date +%s)
echo "soak: $MIN minutes, $HOURS plant hours at speed $SPEED, broker on port $PORT, in $TMP"

# One line per minute: "twin_at broker_at broker_away" (seconds), from a fixed seed.
awk -v n="$MIN" -v seed="$SEED" 'BEGIN { srand(seed); for (i = 0; i < n; i++)
    printf "%.1f %.1f %.1f\n", 2 + 55 * rand(), 2 + 50 * rand(), 1 + 4 * rand() }' >"$TMP/plan"
kills=0 broker_stops=0
while read -r at_twin at_broker away; do
    kill -0 "$ep" 2>/dev/null || break
    minute_start=$(date +%s.%N)
    # Both events of the minute, in their order.
    for ev in $(printf 'twin %s\nbroker %s\n' "$at_twin" "$at_broker" | sort -k2 -n | tr ' ' ':'); do
        what=${ev%%:*} at=${ev#*:}
        now=$(date +%s.%N)
        wait_s=$(awk -v a="$at" -v s="$minute_start" -v n="$now" 'BEGIN { w = a - (n - s); print (w > 0 ? w : 0) }')
        sleep "$wait_s"
        if [ "$what" = twin ]; then
            kill -9 "$tp" 2>/dev/null
            wait "$tp" 2>/dev/null
            runs=$((runs + 1))
            kills=$((kills + 1))
            start_twin
        else
            stop_broker
            sleep "$away"
            start_broker
            broker_stops=$((broker_stops + 1))
        fi
    done
    rest=$(awk -v s="$minute_start" -v n="$(date +%s.%N)" 'BEGIN { w = 60 - (n - s); print (w > 0 ? w : 0) }')
    sleep "$rest"
done <"$TMP/plan"

# The end: the emulator drains, the last twin reaches the plant's end.
i=0
while kill -0 "$ep" 2>/dev/null && [ $i -lt 1200 ]; do sleep 1; i=$((i + 1)); done
wait "$ep"
emu_rc=$?
i=0
while kill -0 "$tp" 2>/dev/null && [ $i -lt 600 ]; do sleep 1; i=$((i + 1)); done
kill -0 "$tp" 2>/dev/null && { echo "soak: the last twin did not reach the end"; kill "$tp"; }
wait "$tp"
twin_rc=$?
wall=$(($(date +%s) - t0))

sent=$(sed -n 's/^twinsim: emulate: sent: \([0-9]*\) events.*/\1/p' "$TMP/emu.err")
grep '"view"' "$TMP/run$runs.twin" >"$TMP/last.views"
checkpoints=$(grep -c . "$TMP/emu.out")
same=no
cmp -s "$TMP/last.views" "$TMP/emu.out" && [ "$checkpoints" -gt 0 ] && same=yes
prefix_bad=0
for r in $(seq 0 "$runs"); do
    grep '"view"' "$TMP/run$r.twin" >"$TMP/r.views" 2>/dev/null
    n=$(grep -c . "$TMP/r.views")
    head -n "$n" "$TMP/emu.out" | cmp -s - "$TMP/r.views" || prefix_bad=$((prefix_bad + 1))
done
sql() { python3 -c "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])" "$@"; }
recorded=$(sql "$TMP/soak.db" 'select count(*) from events')
distinct=$(sql "$TMP/soak.db" 'select count(distinct payload) from events')
final=$(tail -n 1 "$TMP/run$runs.twin")
c() { printf '%s' "$final" | python3 -c "import json, sys; c = json.load(sys.stdin)['counters']; print(eval('c' + ''.join('[%r]' % k for k in sys.argv[1].split('.'))))" "$1"; }
ok=no
[ "$emu_rc" = 0 ] && [ "$twin_rc" = 0 ] && [ "$same" = yes ] && [ "$prefix_bad" = 0 ] &&
    [ "$recorded" = "$sent" ] && [ "$distinct" = "$sent" ] && [ "$(c accepted)" = "$sent" ] && ok=yes
echo "soak: $wall s, $kills twin kills, $broker_stops broker stops; the emulator sent $sent events (exit $emu_rc)"
echo "soak: recorded $recorded ($distinct distinct); last twin (exit $twin_rc): accepted $(c accepted), duplicates dropped $(c dropped.duplicate), restarts $(c restarts), reconnects $(c reconnects), connect failures $(c connect_failures), blind $(c blind_s) s"
echo "soak: $checkpoints checkpoint lines, the last run's equal to the plant's: $same; runs whose checkpoints are not a prefix of the plant's: $prefix_bad"
echo "RESULT bench=twin_soak minutes=$MIN speed=$SPEED sent=$sent recorded=$recorded kills=$kills broker_stops=$broker_stops duplicates=$(c dropped.duplicate) reconnects=$(c reconnects) blind_s=$(c blind_s) checkpoints_equal=$same ok=$ok"
[ "$ok" = yes ]
