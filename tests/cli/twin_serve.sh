#!/bin/sh
# `twinsim twin --serve`: the live twin and the dashboard in one process, against a real broker
# (mosquitto on a free loopback port) and the emulator playing tests/twin/line.yaml. Checks that
# GET /api/twin answers before any message, that its event stream refuses a missing or wrong
# token, and that with the token it sends states, forecasts and a last state whose counts equal
# what the emulator sent; the API's state then says the same. Everything started here is stopped
# by its pid.
. tests/cli/lib.inc
. tests/cli/procs.inc

MODEL=tests/twin/line.yaml
MAP=tests/twin/line.mapping.yaml
ORIGIN=1000000
MOSQUITTO=$(command -v mosquitto || ls /usr/sbin/mosquitto 2>/dev/null)
if ! "$TWINSIM" twin --help >/dev/null 2>&1; then
    echo "PASS twin_serve_not_built (no MQTT support in this build: not run)"
    exit 0
fi
if [ -z "$MOSQUITTO" ] || ! command -v python3 >/dev/null || ! command -v curl >/dev/null; then
    echo "PASS twin_serve_no_broker (mosquitto, python3 or curl not installed: not run)"
    exit 0
fi
tw twin $MODEL --mapping $MAP --listen 127.0.0.1:0
if [ "$rc" -eq 2 ] && grep -q -- "--listen, --results and --token-file go with --serve" "$TMP/err"; then
    pass twin_serve_listen_alone; else fail twin_serve_listen_alone "exit $rc: $(cat "$TMP/err")"; fi
if "$TWINSIM" twin $MODEL --mapping $MAP --serve --results "$TMP/r.db" --listen 127.0.0.1:0 \
    --idle-exit 0.2s --mqtt 127.0.0.1:1 2>&1 | grep -q 'built without libmicrohttpd'; then
    echo "PASS twin_serve_no_http (built without libmicrohttpd: not run)"
    exit 0
fi

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
if [ ! -s "$TMP/mosq.pid" ]; then
    fail twin_serve_broker "mosquitto did not start: $(cat "$TMP/mosq.log" 2>/dev/null)"
    exit 1
fi

TOKEN=abcdefghijklmnop0123456789
echo "$TOKEN" >"$TMP/token"
HPORT=$(free_port)
URL=http://127.0.0.1:$HPORT
"$TWINSIM" twin $MODEL --mapping $MAP --mqtt 127.0.0.1:$PORT --client-id twin-serve --seed 11 \
    --origin $ORIGIN --every 0.3s --serve --listen 127.0.0.1:$HPORT --results "$TMP/r.db" \
    --token-file "$TMP/token" --idle-exit 30 --verbose >"$TMP/twin.out" 2>"$TMP/twin.err" &
tp=$!
PIDS="$PIDS $tp"
wait_connected "$TMP/twin.err"

# get PATH [CURL OPTIONS]: the body in $TMP/body, the status in $code
get() {
    p=$1
    shift
    code=$(curl -s -o "$TMP/body" -w '%{http_code}' --max-time 10 "$@" "$URL$p")
}
# js EXPRESSION: evaluate a Python expression over the JSON in $TMP/body (as `j`)
js() {
    python3 -c "import json, sys; j = json.load(open(sys.argv[1])); print($1)" "$TMP/body"
}

get /api/twin
if [ "$code" = 200 ] && [ "$(js 'j["state"]["counters"]["received"]')" = 0 ] &&
    [ "$(js 'j["state_seq"] >= 1 and j["forecast"] is None')" = True ] &&
    grep -q "^token: $TOKEN\$" "$TMP/twin.out"; then
    pass twin_serve_state_at_start
else
    fail twin_serve_state_at_start "$code $(head -c 300 "$TMP/body")"
fi
get /api/twin/events
c1=$code
get "/api/twin/events?token=wrongwrongwrongwrong"
c2=$code
get /api/twin/events -H "Authorization: Bearer ${TOKEN}x"
if [ "$c1" = 401 ] && [ "$c2" = 401 ] && [ "$code" = 401 ] &&
    grep -q "live events need the server's token" "$TMP/body"; then
    pass twin_serve_events_token
else
    fail twin_serve_events_token "$c1 $c2 $code $(cat "$TMP/body")"
fi

curl -sN --max-time 25 -H "Authorization: Bearer $TOKEN" "$URL/api/twin/events" >"$TMP/sse" &
cp=$!
PIDS="$PIDS $cp"
"$TWINSIM" emulate $MODEL --mapping $MAP --mqtt 127.0.0.1:$PORT --client-id emu-serve --seed 11 \
    --origin $ORIGIN --until 2h --speed 3600 --verbose 2>"$TMP/emu.err" &
ep=$!
PIDS="$PIDS $ep"
wait_pid $ep 40 || fail twin_serve_emulator "the emulator did not finish"
sent=$(sed -n 's/^twinsim: emulate: sent: \([0-9]*\) events.*/\1/p' "$TMP/emu.err")
# The twin has everything once its state says so (it hands one over within 0.2 s of a message).
i=0
while [ $i -lt 50 ]; do
    get /api/twin
    [ "$code" = 200 ] && [ "$(js 'j["state"]["counters"]["accepted"]')" = "$sent" ] && break
    sleep 0.1
    i=$((i + 1))
done
if [ -n "$sent" ] && [ "$sent" -gt 100 ] && [ "$(js 'j["state"]["counters"]["received"]')" = "$sent" ] &&
    [ "$(js 'j["state"]["counters"]["applied"]')" = "$sent" ]; then
    pass twin_serve_api_counts
else
    fail twin_serve_api_counts "emulator sent '$sent'; $(head -c 400 "$TMP/body")"
fi
cp "$TMP/body" "$TMP/api.json"
# The forecast the API holds is one the twin made (every 0.3 s while the emulator played).
sleep 0.5
get /api/twin
if [ "$(js 'j["forecast"]["forecast"] >= 1 and j["forecast_seq"] >= 1')" = True ]; then
    pass twin_serve_api_forecast
else
    fail twin_serve_api_forecast "$(head -c 400 "$TMP/body")"
fi

kill "$cp" 2>/dev/null
wait "$cp" 2>/dev/null
# The stream: several states (coalesced: far fewer than the messages), forecasts, and the last
# state's counts equal to what the emulator sent and to the API's.
python3 - "$TMP/sse" "$sent" "$TMP/api.json" >"$TMP/sse.check" 2>&1 <<'EOP'
import json, sys
events, ev = [], {}
for line in open(sys.argv[1]).read().split("\n"):
    if line == "":
        if ev: events.append(ev)
        ev = {}
    elif line.startswith("event: "): ev["event"] = line[7:]
    elif line.startswith("data: "): ev["data"] = json.loads(line[6:])
states = [e["data"] for e in events if e.get("event") == "state"]
forecasts = [e["data"] for e in events if e.get("event") == "forecast"]
sent = int(sys.argv[2])
api = json.load(open(sys.argv[3]))["state"]
last = states[-1] if states else None
ok = (len(states) >= 3 and len(states) < sent / 10 and len(forecasts) >= 1 and
      last["counters"]["accepted"] == sent and last["observed"] == api["observed"] and
      all(states[i]["counters"]["received"] <= states[i + 1]["counters"]["received"]
          for i in range(len(states) - 1)))
print("ok" if ok else "bad: %d states, %d forecasts, last %s" %
      (len(states), len(forecasts), json.dumps(last)[:300]))
EOP
if [ "$(cat "$TMP/sse.check")" = ok ]; then
    pass twin_serve_stream
else
    fail twin_serve_stream "$(head -c 600 "$TMP/sse.check")"
fi
kill "$tp" 2>/dev/null
wait_pid "$tp" 10 || fail twin_serve_stop "the twin did not stop on SIGTERM"
