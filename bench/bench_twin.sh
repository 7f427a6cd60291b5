#!/bin/sh
# bench/bench_twin.sh: the live twin's goals. Starts a mosquitto on a free loopback port (its own
# config and folder, stopped by its pid), then measures
#   ingest    plant events per second through the broker into the twin (goal: >= 50,000/s), one
#             event per message and BENCH_TWIN_BATCH (default 100) events per message, without
#             and with the recording (each message durable before it is acknowledged)
#   forecast  one 8-hour shift of the bottling line, 30 replications (goal: < 1 s)
# BUILD names the build folder holding libtwinsim.a (default build); BENCH_TWIN_N the number of
# events (default 500000).
set -u
BUILD=${BUILD:-build}
N=${BENCH_TWIN_N:-500000}
B=${BENCH_TWIN_BATCH:-100}
CC=${CC:-cc}
OUT=$BUILD/bench
mkdir -p "$OUT" || exit 1
for p in libmosquitto libcjson; do
    if ! pkg-config --exists $p; then echo "bench_twin: $p is not installed, skipped"; exit 0; fi
done
MOSQUITTO=$(command -v mosquitto || ls /usr/sbin/mosquitto 2>/dev/null)
[ -n "$MOSQUITTO" ] || { echo "bench_twin: mosquitto is not installed, skipped"; exit 0; }
$CC -std=c11 -O2 -g -Wall -Wextra -Wshadow -Wstrict-prototypes -Werror -D_GNU_SOURCE \
    -Iinclude -Isrc bench/bench_twin.c "$BUILD/libtwinsim.a" \
    $(pkg-config --libs libmosquitto libcjson libfyaml sqlite3) -lm -lpthread \
    -o "$OUT/bench_twin" || exit 1

TMP=$(mktemp -d "${TMPDIR:-/tmp}/bench-twin.XXXXXX")
stop() { [ -s "$TMP/mosq.pid" ] && kill "$(cat "$TMP/mosq.pid")" 2>/dev/null; rm -rf "$TMP"; }
trap stop EXIT INT TERM
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$TMP/mosq.conf" <<EOC
listener $PORT 127.0.0.1
allow_anonymous true
max_queued_messages 0
max_inflight_messages 0
pid_file $TMP/mosq.pid
log_dest none
user $(id -un)
EOC
"$MOSQUITTO" -c "$TMP/mosq.conf" -d 2>/dev/null
i=0
while [ ! -s "$TMP/mosq.pid" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done

"$OUT/bench_twin" ingest tests/twin/line.yaml tests/twin/line.mapping.yaml "$PORT" "$N" 1
"$OUT/bench_twin" ingest tests/twin/line.yaml tests/twin/line.mapping.yaml "$PORT" "$N" "$B"
# The same with the recording and its durability gate, as `twinsim twin --db` runs.
BENCH_TWIN_DB="$TMP/rec1.db" "$OUT/bench_twin" ingest tests/twin/line.yaml \
    tests/twin/line.mapping.yaml "$PORT" "$N" 1
BENCH_TWIN_DB="$TMP/recB.db" "$OUT/bench_twin" ingest tests/twin/line.yaml \
    tests/twin/line.mapping.yaml "$PORT" "$N" "$B"
"$OUT/bench_twin" forecast examples/bottling-line.yaml examples/bottling-line.mapping.yaml 30 8 1
"$OUT/bench_twin" forecast examples/bottling-line.yaml examples/bottling-line.mapping.yaml 30 8 0
