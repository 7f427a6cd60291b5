#!/bin/sh
# A twin that is killed (SIGKILL) at 20 moments of a followed run and started again each time
# with the same client id and --db resumes from its recording with nothing lost or doubled: a
# real mosquitto (started here), the emulator playing tests/twin/line.yaml for 8 h of plant time
# in about 15 s, the twin killed after random delays (a fixed seed, so every run kills at the
# same moments). After the last start the twin reaches the end; every run's checkpoints are the
# plant's (a prefix of them for the killed runs, all of them for the last), the recording holds
# each message the emulator sent once, and the counters say so. Then a restart with another seed
# is refused and leaves the recording as it was. Everything started here is stopped by its pid.
. tests/cli/lib.inc
. tests/cli/procs.inc

MODEL=tests/twin/line.yaml
MAP=tests/twin/line.mapping.yaml
ORIGIN=1000000
KILLS=${TWIN_KILLS:-20}

MOSQUITTO=$(command -v mosquitto || ls /usr/sbin/mosquitto 2>/dev/null)
if ! "$TWINSIM" twin --help >/dev/null 2>&1; then
    echo "PASS twin_kill_not_built (this build has no MQTT support: twin tests not run)"
    exit 0
fi
if [ -z "$MOSQUITTO" ] || ! command -v python3 >/dev/null; then
    echo "PASS twin_kill_no_broker (mosquitto or python3 not installed: broker tests not run)"
    exit 0
fi

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$TMP/mosq.conf" <<EOF
listener $PORT 127.0.0.1
allow_anonymous true
max_queued_messages 0
max_inflight_messages 0
pid_file $TMP/mosq.pid
log_dest file $TMP/mosq.log
user $(id -un)
EOF
"$MOSQUITTO" -c "$TMP/mosq.conf" -d 2>>"$TMP/mosq.err"
i=0
while [ ! -s "$TMP/mosq.pid" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$TMP/mosq.pid" ] || { fail twin_kill_broker "mosquitto did not start: $(cat "$TMP/mosq.err")"; exit 1; }

sql() { python3 -c "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])" "$@"; }
# counter FILE NAME: a number from the final counters line of FILE
counter() {
    tail -n 1 "$1" | python3 -c "import json, sys; c = json.load(sys.stdin)['counters']; print(eval('c' + ''.join('[%r]' % k for k in sys.argv[1].split('.'))))" "$2"
}

start_twin() { # start_twin RUN [extra options]
    run=$1
    shift
    "$TWINSIM" twin $MODEL --mapping $MAP --mqtt 127.0.0.1:$PORT --client-id twin-kill \
        --seed 11 --origin $ORIGIN --until 8h --checkpoint 1h --every 0.3s \
        --state-out "$TMP/run$run.twin" --db "$TMP/kill.db" --verbose "$@" 2>"$TMP/run$run.err" &
    tp=$!
    PIDS="$PIDS $tp"
}

# The first run subscribes (a persistent session) before the plant starts.
start_twin 0
wait_connected "$TMP/run0.err"
"$TWINSIM" emulate $MODEL --mapping $MAP --mqtt 127.0.0.1:$PORT --client-id emu-kill \
    --seed 11 --origin $ORIGIN --until 8h --speed 1920 --checkpoint 1h \
    --state-out "$TMP/emu.out" --verbose 2>"$TMP/emu.err" &
ep=$!
PIDS="$PIDS $ep"
run=0
for d in $(awk -v n="$KILLS" 'BEGIN { srand(2026); for (i = 0; i < n; i++) printf "%.2f ", 0.15 + 0.7 * rand() }'); do
    sleep "$d"
    kill -9 "$tp" 2>/dev/null
    wait "$tp" 2>/dev/null
    run=$((run + 1))
    start_twin $run
done
wait_pid $ep 60 || fail twin_kill "the emulator did not finish: $(tail -n 3 "$TMP/emu.err")"
wait_pid $tp 60 || fail twin_kill "the last twin did not reach the end: $(tail -n 3 "$TMP/run$run.err")"
sent=$(sed -n 's/^twinsim: emulate: sent: \([0-9]*\) events.*/\1/p' "$TMP/emu.err")

# Every run's checkpoints are the plant's: a prefix for the runs killed, all 16 for the last.
bad=
for r in $(seq 0 "$run"); do
    grep '"view"' "$TMP/run$r.twin" >"$TMP/run$r.views" 2>/dev/null
    n=$(grep -c . "$TMP/run$r.views")
    head -n "$n" "$TMP/emu.out" | cmp -s - "$TMP/run$r.views" || bad="$bad $r"
done
last_n=$(grep -c . "$TMP/run$run.views")
if [ "$(grep -c . "$TMP/emu.out")" != 16 ] || [ "$last_n" != 16 ]; then
    fail twin_kill_checkpoints "the plant wrote $(grep -c . "$TMP/emu.out") checkpoint lines, the last run $last_n: $(tail -n 2 "$TMP/run$run.err")"
elif [ -n "$bad" ]; then
    fail twin_kill_checkpoints "runs$bad differ from the plant: $(diff "$TMP/emu.out" "$TMP/run${bad##* }.views" | head -n 4)"
else
    pass twin_kill_checkpoints
fi

# Nothing lost, nothing doubled: the recording holds every message sent once (the emulator
# sends one event per message), the counters accepted each once, and the restarts are counted
# (each run that got as far as its recording: at least those that said they resumed).
recorded=$(sql "$TMP/kill.db" 'select count(*) from events')
distinct=$(sql "$TMP/kill.db" 'select count(distinct payload) from events')
if [ -z "$sent" ] || [ "$recorded" != "$sent" ] || [ "$distinct" != "$sent" ]; then
    fail twin_kill_nothing_lost "sent '$sent', recorded $recorded ($distinct distinct)"
elif [ "$(counter "$TMP/run$run.twin" accepted)" != "$sent" ] ||
    [ "$(counter "$TMP/run$run.twin" applied)" != "$sent" ] ||
    [ "$(counter "$TMP/run$run.twin" recorded)" != "$sent" ] ||
    [ "$(counter "$TMP/run$run.twin" restarts)" -gt "$run" ] ||
    [ "$(counter "$TMP/run$run.twin" restarts)" -lt "$(cat "$TMP"/run*.err | grep -c '^twinsim: twin: resumed: ')" ]; then
    fail twin_kill_nothing_lost "sent $sent, $(tail -n 1 "$TMP/run$run.twin")"
else
    pass "twin_kill_nothing_lost ($sent sent, $(counter "$TMP/run$run.twin" restarts) restarts, $(counter "$TMP/run$run.twin" dropped.duplicate) redelivered and dropped as duplicates)"
fi
# Forecasts went on numbering after each restart: ids 1..N, none overwritten (a later forecast
# never started from fewer recorded messages than an earlier one).
n_fc=$(sql "$TMP/kill.db" 'select count(*) from forecasts')
max_fc=$(sql "$TMP/kill.db" 'select max(id) from forecasts')
back=$(sql "$TMP/kill.db" 'select count(*) from forecasts a join forecasts b on a.id < b.id and a.events > b.events')
if [ "$n_fc" -ge 1 ] && [ "$n_fc" = "$max_fc" ] && [ "$back" = 0 ] &&
    ! grep -q record_failed "$TMP"/run*.err; then
    pass twin_kill_forecasts_continue
else
    fail twin_kill_forecasts_continue "$n_fc forecasts, highest id '$max_fc', $back out of order: $(grep -h record_failed "$TMP"/run*.err | head -n 2)"
fi

# Another seed with the same --db: refused with a way to start anew; the recording unchanged.
tw twin $MODEL --mapping $MAP --mqtt 127.0.0.1:$PORT --client-id twin-kill --seed 12 \
    --origin $ORIGIN --until 8h --idle-exit 3 --db "$TMP/kill.db"
if [ "$rc" -eq 1 ] && grep -q "recording_refused: .*--seed 11.*another --db" "$TMP/err" &&
    [ "$(sql "$TMP/kill.db" 'select count(*) from events')" = "$recorded" ]; then
    pass twin_kill_refuses_another_run
else
    fail twin_kill_refuses_another_run "exit $rc: $(head -c 400 "$TMP/err")"
fi
exit 0
