#!/bin/sh
# The live twin over TLS: a mosquitto with a TLS listener on a free loopback port, its server
# certificate signed by a CA made here with openssl; emulator and twin connect with --cafile and
# reach the same checkpoints as over plain MQTT. A twin given another CA never gets an event, and
# says why at once, once.
# Everything started here is stopped by its pid.
. tests/cli/lib.inc
. tests/cli/procs.inc

MODEL=tests/twin/line.yaml
MAP=tests/twin/line.mapping.yaml

MOSQUITTO=$(command -v mosquitto || ls /usr/sbin/mosquitto 2>/dev/null)
if ! "$TWINSIM" twin --help >/dev/null 2>&1; then
    echo "PASS twin_tls_not_built (this build has no MQTT support: twin tests not run)"
    exit 0
fi
for tool in openssl python3; do
    command -v $tool >/dev/null || { fail twin_tls "$tool is not installed"; exit 0; }
done
[ -n "$MOSQUITTO" ] || { fail twin_tls "mosquitto is not installed"; exit 0; }

# A CA, and a server certificate for 127.0.0.1 signed by it; a second CA that signed nothing.
cd "$TMP" || exit 1
ssl() { openssl "$@" >>"$TMP/openssl.log" 2>&1; }
ssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=twinsim test CA" -keyout ca.key -out ca.crt
ssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=other CA" -keyout other.key -out other.crt
ssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout server.key -out server.csr
printf 'subjectAltName=IP:127.0.0.1\n' >san.ext
ssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile san.ext \
    -out server.crt
cd - >/dev/null || exit 1
[ -s "$TMP/server.crt" ] || { fail twin_tls_certificates "$(tail -n 3 "$TMP/openssl.log")"; exit 0; }

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$TMP/mosq.conf" <<CONF
listener $PORT 127.0.0.1
cafile $TMP/ca.crt
certfile $TMP/server.crt
keyfile $TMP/server.key
allow_anonymous true
pid_file $TMP/mosq.pid
log_dest file $TMP/mosq.log
user $(id -un)
max_queued_messages 0
CONF
"$MOSQUITTO" -c "$TMP/mosq.conf" -d 2>>"$TMP/mosq.err"
i=0
while [ ! -s "$TMP/mosq.pid" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$TMP/mosq.pid" ] || { fail twin_tls_broker "mosquitto did not start: $(cat "$TMP/mosq.err")"; exit 0; }

# A twin that trusts another CA: it must not get a single event.
"$TWINSIM" twin $MODEL --mapping $MAP --mqtt 127.0.0.1:$PORT --cafile "$TMP/other.crt" \
    --client-id twin-wrong --origin 1000000 --until 2h --state-out "$TMP/wrong.twin" \
    2>"$TMP/wrong.err" &
wp=$!
PIDS="$PIDS $wp"
"$TWINSIM" twin $MODEL --mapping $MAP --mqtt 127.0.0.1:$PORT --cafile "$TMP/ca.crt" \
    --client-id twin-tls --seed 11 --origin 1000000 --until 2h --checkpoint 20min \
    --state-out "$TMP/tls.twin" --verbose 2>"$TMP/tls.twin.err" &
tp=$!
PIDS="$PIDS $tp"
wait_connected "$TMP/tls.twin.err"
"$TWINSIM" emulate $MODEL --mapping $MAP --mqtt 127.0.0.1:$PORT --cafile "$TMP/ca.crt" \
    --client-id emu-tls --seed 11 --origin 1000000 --until 2h --speed 7200 --checkpoint 20min \
    --state-out "$TMP/tls.emu" --verbose 2>"$TMP/tls.emu.err" &
ep=$!
PIDS="$PIDS $ep"
wait_pid $ep 40 || fail twin_tls "the emulator did not finish: $(tail -n 3 "$TMP/tls.emu.err")"
wait_pid $tp 20 || fail twin_tls "the twin did not reach the end: $(tail -n 3 "$TMP/tls.twin.err")"
grep '"view"' "$TMP/tls.twin" >"$TMP/tls.views" 2>/dev/null
if [ "$(grep -c . "$TMP/tls.emu" 2>/dev/null)" = 12 ] && cmp -s "$TMP/tls.views" "$TMP/tls.emu"; then
    pass twin_tls_checkpoints
else
    fail twin_tls_checkpoints "$(diff "$TMP/tls.emu" "$TMP/tls.views" 2>&1 | head -n 4)"
fi
# The emulator has finished: the twin with the wrong CA had all that time and got nothing.
kill "$wp" 2>/dev/null
wait "$wp" 2>/dev/null
if grep -q '"counters"' "$TMP/wrong.twin" 2>/dev/null &&
    ! tail -n 1 "$TMP/wrong.twin" | grep -q '"accepted":0[,}]'; then
    fail twin_tls_wrong_ca "a twin trusting another CA received events: $(tail -n 1 "$TMP/wrong.twin")"
elif [ "$(grep -c "^twinsim: twin: connect_failed: TLS with 127.0.0.1:$PORT failed: .*certificate verify failed; retrying in" "$TMP/wrong.err")" = 1 ]; then
    pass twin_tls_wrong_ca
else
    fail twin_tls_wrong_ca "the TLS failure was not said once with its reason: $(head -c 600 "$TMP/wrong.err")"
fi
