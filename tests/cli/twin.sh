#!/bin/sh
# The live twin against a real broker: a mosquitto on a free loopback port (generated config,
# persistence in a temporary folder), the emulator playing tests/twin/line.yaml and the twin
# following it. Checks that at every checkpoint the twin's state equals the plant's, that a broker
# killed and restarted mid-run loses no event, and that bad messages are counted, dropped and never
# fatal. Everything started here is stopped by its pid; the whole script takes well under 60 s.
. tests/cli/lib.inc
. tests/cli/procs.inc

MODEL=tests/twin/line.yaml
MAP=tests/twin/line.mapping.yaml
ORIGIN=1000000

MOSQUITTO=$(command -v mosquitto || ls /usr/sbin/mosquitto 2>/dev/null)
if ! "$TWINSIM" twin --help >/dev/null 2>&1; then
    echo "PASS twin_not_built (this build has no MQTT support: twin tests not run)"
    exit 0
fi
if [ -z "$MOSQUITTO" ] || ! command -v python3 >/dev/null; then
    echo "PASS twin_no_broker (mosquitto or python3 not installed: broker tests not run)"
    exit 0
fi

# Persistence in the temporary folder: a broker restarted mid-run keeps its sessions and queues.
MOSQ_EXTRA="persistence true
persistence_location $TMP/
autosave_interval 1
max_inflight_messages 0"
start_broker twin_broker || exit 1

# counter FILE NAME: a number from the twin's final counters line
counter() {
    tail -n 1 "$1" | python3 -c "import json, sys; c = json.load(sys.stdin)['counters']; print(eval('c' + ''.join('[%r]' % k for k in sys.argv[1].split('.'))))" "$2"
}

# pair NAME TWIN_SEED SPEED [--restart]: emulator (seed 11) and twin together to 2 h of plant time;
# EMU_EXTRA holds further emulator options. Sets sent (events) and sent_msgs (messages).
EMU_EXTRA=
pair() {
    name=$1
    "$TWINSIM" twin ${TWIN_MODEL:-$MODEL} --mapping $MAP --mqtt 127.0.0.1:$PORT --client-id "twin-$name" \
        --seed "$2" --origin $ORIGIN --until 2h --checkpoint 20min --state-out "$TMP/$name.twin" \
        --db "$TMP/$name.db" --every 0.3s --verbose 2>"$TMP/$name.twin.err" &
    tp=$!
    PIDS="$PIDS $tp"
    wait_connected "$TMP/$name.twin.err"
    "$TWINSIM" emulate $MODEL --mapping $MAP --mqtt 127.0.0.1:$PORT --client-id "emu-$name" \
        --seed 11 --origin $ORIGIN --until 2h --speed "$3" --checkpoint 20min \
        --state-out "$TMP/$name.emu" --verbose $EMU_EXTRA 2>"$TMP/$name.emu.err" &
    ep=$!
    PIDS="$PIDS $ep"
    if [ "$4" = --restart ]; then
        sleep 1.5
        stop_broker
        sleep 1.5
        start_broker twin_broker_restart
    fi
    wait_pid $ep 40 || fail "$name" "the emulator did not finish"
    wait_pid $tp 20 || fail "$name" "the twin did not reach the end ($(tail -n 3 "$TMP/$name.twin.err"))"
    sent=$(sed -n 's/^twinsim: emulate: sent: \([0-9]*\) events.*/\1/p' "$TMP/$name.emu.err")
    sent_msgs=$(sed -n 's/^twinsim: emulate: sent: [0-9]* events in \([0-9]*\) messages.*/\1/p' "$TMP/$name.emu.err")
}

pair same 11 7200
grep '"view"' "$TMP/same.twin" >"$TMP/same.views"
if [ "$(grep -c . "$TMP/same.emu")" -ne 12 ]; then
    fail twin_checkpoints_same_seed "the emulator wrote $(grep -c . "$TMP/same.emu") lines, expected 12"
elif ! cmp -s "$TMP/same.views" "$TMP/same.emu"; then
    fail twin_checkpoints_same_seed "$(diff "$TMP/same.emu" "$TMP/same.views" | head -n 4)"
elif [ "$(counter "$TMP/same.twin" reconciled.content)" != 0 ] ||
    [ "$(counter "$TMP/same.twin" reconciled.state)" != 0 ]; then
    fail twin_checkpoints_same_seed "same seed, yet corrections: $(tail -n 1 "$TMP/same.twin")"
else
    pass twin_checkpoints_same_seed
fi
if [ -n "$sent" ] && [ "$(counter "$TMP/same.twin" accepted)" = "$sent" ]; then
    pass twin_every_message_accepted
else
    fail twin_every_message_accepted "emulator sent '$sent', $(tail -n 1 "$TMP/same.twin")"
fi
if [ "$(counter "$TMP/same.twin" forecasts)" -ge 1 ] &&
    grep -q '"forecast":1,.*"output":{"mean":' "$TMP/same.twin" &&
    [ "$sent_msgs" = "$sent" ] &&
    [ "$(sqlite3 "$TMP/same.db" 'select count(*) from events' 2>/dev/null || python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from events').fetchone()[0])" "$TMP/same.db")" = "$sent" ]; then
    pass twin_forecasts_recorded
else
    fail twin_forecasts_recorded "$(grep -c forecast "$TMP/same.twin") forecasts"
fi

# A twin whose model cannot hold the plant's work in process (at most 3 entities) says once that
# its model stopped, and its forecasts carry that error instead of figures.
sed 's/^run: {\(.*\)}/run: {\1, max_entities: 3}/' $MODEL >"$TMP/small.yaml"
TWIN_MODEL="$TMP/small.yaml" pair small 11 7200
if [ "$(grep -c 'model_stopped' "$TMP/small.twin.err")" = 1 ] &&
    grep -q 'more than 3 entities at once' "$TMP/small.twin.err" &&
    grep -q '"forecast":1,.*"error":"replication 0: .*more than 3 entities' "$TMP/small.twin" &&
    ! grep -q '"output":{"mean":' "$TMP/small.twin"; then
    pass twin_model_stopped_said
else
    fail twin_model_stopped_said "$(grep -m 2 'model_stopped\|error' "$TMP/small.twin.err" "$TMP/small.twin" | head -c 600)"
fi

# A recorded forecast replayed from the database alone equals the recorded one.
tw twin $MODEL --mapping $MAP --replay "$TMP/same.db" --forecast 1
if [ "$rc" -eq 0 ] && grep -q '"forecast":1,' "$TMP/out"; then
    pass twin_replay
else
    fail twin_replay "exit $rc: $(cat "$TMP/err" | head -c 600)"
fi

# The same run with the events batched up to 50 to a message (and under the mapping's 2048-byte
# cap): every event arrives, and the twin reaches the very checkpoints it reached one event per
# message. The database records messages, so a forecast replays from batches too.
same_sent=$sent
EMU_EXTRA="--batch 50"
pair batched 11 7200
EMU_EXTRA=
grep '"view"' "$TMP/batched.twin" >"$TMP/batched.views"
if [ "$sent" != "$same_sent" ] || [ -z "$sent_msgs" ] || [ "$sent_msgs" -ge "$((sent / 5))" ]; then
    fail twin_batched "emulator sent '$sent' events in '$sent_msgs' messages (unbatched: '$same_sent')"
elif ! cmp -s "$TMP/batched.views" "$TMP/same.views"; then
    fail twin_batched "$(diff "$TMP/same.views" "$TMP/batched.views" | head -n 4)"
elif [ "$(counter "$TMP/batched.twin" accepted)" != "$sent" ] ||
    [ "$(counter "$TMP/batched.twin" received)" != "$sent" ] ||
    [ "$(counter "$TMP/batched.twin" reconciled.content)" != 0 ]; then
    fail twin_batched "emulator sent '$sent', $(tail -n 1 "$TMP/batched.twin")"
else
    tw twin $MODEL --mapping $MAP --replay "$TMP/batched.db" --forecast 1
    if [ "$rc" -eq 0 ]; then
        pass twin_batched
    else
        fail twin_batched "replay: exit $rc: $(head -c 600 "$TMP/err")"
    fi
fi

pair other 99 7200
grep '"view":"observed"' "$TMP/other.twin" >"$TMP/other.obs"
grep '"view":"observed"' "$TMP/other.emu" >"$TMP/other.emu.obs"
if [ ! -s "$TMP/other.obs" ] || ! cmp -s "$TMP/other.obs" "$TMP/other.emu.obs"; then
    fail twin_checkpoints_other_seed "$(diff "$TMP/other.emu.obs" "$TMP/other.obs" | head -n 4)"
elif [ "$(counter "$TMP/other.twin" reconciled.content)" = 0 ]; then
    fail twin_checkpoints_other_seed "another seed, yet no correction was needed"
else
    pass twin_checkpoints_other_seed
fi

# The last forecast of the run with corrections, replayed: the live state depends on the
# messages alone.
last=$(python3 -c "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute('select max(id) from forecasts').fetchone()[0])" "$TMP/other.db")
tw twin $MODEL --mapping $MAP --replay "$TMP/other.db" --forecast "$last"
if [ "$rc" -eq 0 ] && [ "$last" -gt 1 ]; then
    pass twin_replay_with_corrections
else
    fail twin_replay_with_corrections "forecast '$last', exit $rc: $(head -c 600 "$TMP/err")"
fi

# The broker goes away for 1.5 s in the middle of a 6 s run and comes back from its persistence
# file; both clients reconnect by themselves and QoS 1 with persistent sessions loses nothing.
pair restart 11 1200 --restart
grep '"view":"observed"' "$TMP/restart.twin" >"$TMP/restart.views"
grep '"view":"observed"' "$TMP/restart.emu" >"$TMP/restart.emu.obs"
blind=$(counter "$TMP/restart.twin" blind_s)
if [ "$(counter "$TMP/restart.twin" reconnects)" -lt 1 ]; then
    fail twin_broker_restart "the twin never reconnected: $(tail -n 1 "$TMP/restart.twin")"
elif ! python3 -c "import sys; sys.exit(not 1.0 <= float(sys.argv[1]) <= 20)" "$blind"; then
    fail twin_broker_restart "the broker was away 1.5 s, the twin says it was blind $blind s"
elif ! grep -q '^twinsim: twin: connection_lost: ' "$TMP/restart.twin.err" ||
    ! grep -q '^twinsim: twin: connected: ' "$TMP/restart.twin.err"; then
    fail twin_broker_restart "the loss and the reconnect were not said: $(head -c 600 "$TMP/restart.twin.err")"
elif [ "$(counter "$TMP/restart.twin" accepted)" != "$sent" ]; then
    fail twin_broker_restart "emulator sent '$sent', $(tail -n 1 "$TMP/restart.twin")"
elif [ ! -s "$TMP/restart.views" ] || ! cmp -s "$TMP/restart.views" "$TMP/restart.emu.obs"; then
    fail twin_broker_restart "$(diff "$TMP/restart.emu.obs" "$TMP/restart.views" | head -n 4)"
else
    pass twin_broker_restart
fi

# Bad messages, sent raw (MQTT 3.1.1, QoS 0) so that anything at all can be sent. Among them one
# event stamped 3 h ahead: held, contradicted by the events after it and dropped as future, it
# costs itself and nothing else (no event after it is late); and levels the model makes
# implausible (above the buffer's capacity, on a machine) are bad values.
"$TWINSIM" twin $MODEL --mapping $MAP --mqtt 127.0.0.1:$PORT --client-id twin-faults \
    --origin $ORIGIN --until 5min --state-out "$TMP/faults.twin" --verbose 2>"$TMP/faults.err" &
tp=$!
PIDS="$PIDS $tp"
wait_connected "$TMP/faults.err"
python3 - "$PORT" <<'EOF'
import sys
sys.path.insert(0, "tests/twin")
from mqtt_raw import publish_all
msgs = [
    ("line/heartbeat", b'{"ts": 1000240, "seq": 900001}'),
    ("line/heartbeat", b'{"ts": 1000240, "seq": 900001}'),            # duplicate
    ("line/heartbeat", b'{"ts": 1000100, "seq": 900002}'),            # late
    ("line/heartbeat", b'{"ts": 2000000000, "seq": 900003}'),         # far in the future
    ("line/heartbeat", b'{"ts": 1000241, "seq": 9' + b' ' * 3000 + b'}'),  # over the cap
    ("line/heartbeat", b'{"ts": 1000241, "seq": "\xff\xfe"}'),         # not UTF-8
    ("line/heartbeat", b'{"ts": 1000241, '),                          # bad JSON
    ("line/nowhere", b'{"ts": 1000241, "seq": 900004}'),              # unknown topic
    ("line/heartbeat", b'{"seq": 900005}'),                           # missing field
    ("line/FILL-01/state", b'{"ts": 1000241, "seq": 900006, "state": "exploded"}'),
    ("line/twin/cmd", b'{"cmd": "forecast"}'),
    # a batch: one good event, one without its timestamp, one not an object
    ("line/heartbeat", b'[{"ts": 1000241, "seq": 900008}, {"seq": 900009}, 5]'),
    ("line/FILL-01/state", b'{"ts": 1010800, "seq": 900010, "state": "down"}'),  # 3 h ahead
    ("line/buffers", b'{"ts": 1000242, "seq": 900011, "buffer": "buf1", "level": 1000000000}'),
    ("line/buffers", b'{"ts": 1000242, "seq": 900012, "buffer": "FILL-01", "level": 3}'),
    ("line/heartbeat", b'{"ts": 1000243, "seq": 900013}'),
    ("line/heartbeat", b'{"ts": 1000244, "seq": 900014}'),
    ("line/heartbeat", b'{"ts": 1000245, "seq": 900015}'),
    ("line/heartbeat", b'{"ts": 1000300, "seq": 900007}'),            # the end: 5 min
]
publish_all(int(sys.argv[1]), "twinsim-test-faults", msgs)
EOF
wait_pid $tp 20 || fail twin_bad_messages "the twin did not reach the end"
want='{"too_big":1,"not_utf8":1,"bad_json":2,"unknown_topic":1,"missing_field":2,"bad_value":3,"duplicate":1,"late":1,"future":2,"out_of_order":0}'
got=$(tail -n 1 "$TMP/faults.twin" | python3 -c "import json, sys; print(json.dumps(json.load(sys.stdin)['counters']['dropped'], separators=(',', ':')))")
if [ "$got" != "$want" ]; then
    fail twin_bad_messages "dropped $got"
elif [ "$(counter "$TMP/faults.twin" received)" != 21 ] || [ "$(counter "$TMP/faults.twin" accepted)" != 7 ] || [ "$(counter "$TMP/faults.twin" forecasts)" -lt 1 ]; then
    fail twin_bad_messages "$(tail -n 1 "$TMP/faults.twin")"
elif ! grep -q "bad_value: level 1000000000 of 'buf1' is above its capacity of 25" "$TMP/faults.err" ||
    ! grep -q "bad_value: block 'filler' (a 'machine' block) has no level" "$TMP/faults.err" ||
    ! grep -q "future: timestamp 1010800.000 was 10[0-9]* s ahead of the twin's clock and was contradicted" "$TMP/faults.err"; then
    fail twin_bad_messages "reasons not said: $(grep -e bad_value -e future "$TMP/faults.err" | head -c 600)"
else
    pass twin_bad_messages
fi

# An emulator whose model stops (at most 3 entities) says why and exits 1 instead of reporting a
# plant that ran to the end.
timeout 30 "$TWINSIM" emulate "$TMP/small.yaml" --mapping $MAP --mqtt 127.0.0.1:$PORT \
    --client-id emu-small2 --seed 11 --origin $ORIGIN --until 2h --speed 0 >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ "$rc" -eq 1 ] && grep -q "model_stopped: the model stopped at .*more than 3 entities at once" "$TMP/err"; then
    pass emulate_model_stopped
else
    fail emulate_model_stopped "exit $rc: $(head -c 600 "$TMP/err")"
fi

# The command line: usage errors and a mapping error in the FILE:LINE:COL form.
tw twin
[ "$rc" -eq 2 ] && grep -q "no model given" "$TMP/err" && pass twin_usage || fail twin_usage "exit $rc: $(cat "$TMP/err")"
tw twin $MODEL --mapping $MAP --fsync
[ "$rc" -eq 2 ] && grep -q "\-\-fsync needs \-\-db" "$TMP/err" && pass twin_usage_fsync || fail twin_usage_fsync "exit $rc: $(cat "$TMP/err")"
tw emulate $MODEL --mapping $MAP --connect-timeout 0
[ "$rc" -eq 2 ] && grep -q "bad duration '0' for --connect-timeout" "$TMP/err" && pass emulate_usage_connect_timeout || fail emulate_usage_connect_timeout "exit $rc: $(cat "$TMP/err")"
printf 'events:\n  - topic: a/b\n    kind: parts\n' >"$TMP/bad.mapping.yaml"
tw twin $MODEL --mapping "$TMP/bad.mapping.yaml"
if [ "$rc" -eq 1 ] && grep -qF "$TMP/bad.mapping.yaml:3:11: error: unknown event kind 'parts' (did you mean 'part'?)" "$TMP/err"; then
    pass twin_mapping_diagnostics
else
    fail twin_mapping_diagnostics "exit $rc: $(cat "$TMP/err")"
fi
stop_broker
exit 0
