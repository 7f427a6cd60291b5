#!/bin/sh
# The live twin of a warehouse's stock, through a real mosquitto on a free loopback port: the
# plant's stock counts (`stock_level` events of tests/twin/wms.mapping.yaml) are sent raw (MQTT
# 3.1.1 at QoS 0, in order on one connection) to the twin of tests/twin/wms.yaml. Checks that a
# count sets the live sim's stock of that product (seen in the `sim` view of --state-out), that
# the sim's own retrievals then take from it, and that malformed counts are counted by reason,
# logged and never applied while the twin runs on. Everything started here is stopped by its pid.
. tests/cli/lib.inc
. tests/cli/procs.inc

MODEL=tests/twin/wms.yaml
MAP=tests/twin/wms.mapping.yaml

MOSQUITTO=$(command -v mosquitto || ls /usr/sbin/mosquitto 2>/dev/null)
if ! "$TWINSIM" twin --help >/dev/null 2>&1; then
    echo "PASS twin_wms_not_built (this build has no MQTT support: twin tests not run)"
    exit 0
fi
if [ -z "$MOSQUITTO" ] || ! command -v python3 >/dev/null; then
    echo "PASS twin_wms_no_broker (mosquitto or python3 not installed: broker tests not run)"
    exit 0
fi
start_broker twin_wms_broker || exit 1

# publish: the lines "TOPIC<tab>PAYLOAD" of stdin, sent raw (MQTT 3.1.1 at QoS 0, in order on one
# connection) to the broker on $PORT.
publish() {
    python3 tests/twin/mqtt_raw.py "$PORT" twinsim-test-wms
}

# Model time 0 is 06:00 (minutes); the rack's shipping asks for a pallet at 10, 20, ... min.
"$TWINSIM" twin $MODEL --mapping $MAP --mqtt 127.0.0.1:$PORT --client-id twin-wms \
    --origin 2026-12-05T06:00:00Z --until 14min --checkpoint 1 --state-out "$TMP/wms.twin" \
    --verbose 2>"$TMP/wms.err" &
tp=$!
PIDS="$PIDS $tp"
wait_connected "$TMP/wms.err"
python3 - <<'EOF' | publish
import json
seq = [0]
def stock(minute, sku, qty, **over):
    seq[0] += 1
    m = {"ts": "2026-12-05T06:%02d:30Z" % minute, "seq": seq[0], "sku": sku, "qty": qty}
    m.update(over)
    for k in [k for k, v in m.items() if v is None]:
        del m[k]
    return ("wms/stock", json.dumps(m).encode())
msgs = [
    stock(1, "A", 5),
    stock(1, "B", 2),
    stock(2, "A", -1),                 # bad_value: below 0
    stock(2, "A", 2.5),                # bad_value: not whole
    stock(2, "C", 1),                  # bad_value: unknown product
    stock(2, "A", None),               # missing_field: qty
    stock(2, None, 1),                 # missing_field: sku
    stock(2, "A", 99),                 # bad_value in the sim: more than the 12 slots, unresolved
    ("wms/stock", b'{"ts": "2026-12-05T06:02:40Z", "seq": 90, "sku": '),  # bad_json
    stock(3, "A", 4),                  # A back to 4 (of the 10 loads the 99 could place)
    stock(14, "B", 2),                 # the end: 14:30, past --until
]
for topic, payload in msgs:
    print(topic + "\t" + payload.decode())
EOF
wait_pid $tp 30 || fail twin_wms_follow "the twin did not reach the end"
final=$(tail -n 1 "$TMP/wms.twin")

if python3 - "$final" <<'EOF'; then
import json, sys
c = json.loads(sys.argv[1])["counters"]
want = {"too_big": 0, "not_utf8": 0, "bad_json": 1, "unknown_topic": 0, "missing_field": 2,
        "bad_value": 3, "duplicate": 0, "late": 0, "future": 0, "out_of_order": 0}
assert c["dropped"] == want, c["dropped"]
assert c["received"] == 11 and c["accepted"] == 5 and c["applied"] == 5, c
# 99 loads of A asked for with 12 slots, 2 of them B's: 10 placed, unresolved
assert c["reconciled"]["unresolved"] == 1, c["reconciled"]
EOF
    pass twin_wms_counted
else
    fail twin_wms_counted "$final"
fi

E="$TMP/wms.err"
if grep -qF "dropped: 'wms/stock': bad_value: bad stock level in field 'qty' (a whole number, 0 or more)" "$E" &&
    grep -qF "dropped: 'wms/stock': bad_value: unknown product 'C'" "$E" &&
    grep -qF "dropped: 'wms/stock': missing_field: missing field 'qty'" "$E" &&
    grep -qF "dropped: 'wms/stock': missing_field: missing field 'sku'" "$E" &&
    grep -qF "dropped: 'wms/stock': bad_json: payload is not a JSON object" "$E"; then
    pass twin_wms_drops_logged
else
    fail twin_wms_drops_logged "$(grep dropped "$E" | head -c 1500)"
fi

# The live sim's stock: nothing at minute 1 (the counts come at 1:30), 5 A and 2 B at minute 2,
# 4 A at minute 4 (the 99 was cut back), and at minute 11 one pallet fewer: the sim's shipping
# took one at minute 10 (retrieval fifo: the oldest, one of the A's, stored before the B's).
at() { grep "\"t\":$1.000000,\"view\":\"sim\"" "$TMP/wms.twin" | sed 's/.*"stock"://'; }
s1=$(at 1) s2=$(at 2) s4=$(at 4) s11=$(at 11)
if [ "$s1" = '{"rack":{"A":0,"B":0}}}' ] && [ "$s2" = '{"rack":{"A":5,"B":2}}}' ] &&
    [ "$s4" = '{"rack":{"A":4,"B":2}}}' ] && [ "$s11" = '{"rack":{"A":3,"B":2}}}' ]; then
    pass twin_wms_stock_applied
else
    fail twin_wms_stock_applied "1: '$s1' 2: '$s2' 4: '$s4' 11: '$s11'"
fi

# Orders released, lines picked and trucks at the dock (tests/twin/wms-dc.yaml, its mapping and
# CSV files), then a forecast asked for: by hand (minutes from 06:00), O3 is released at 2.5 with
# O1 and O2 before it (due at 5 and 6); its line is reported picked at 3, so it ships to the dock
# at 4, where T1 (due at 20) is reported at 4 and loads it, then O1 (picked 2.5..6.5, packed by
# 7.5): full, it leaves at 7.5. O2 (packed by 9.5) waits for T2 (5 pallets, 40 to 50), which can
# only leave at 50 with that one order. The forecast asked for at 6 (the command comes after the
# 06:00 message) says, in every replication: T1 leaves full and on time at 7.5, T2 on time at 50
# but not full.
"$TWINSIM" twin tests/twin/wms-dc.yaml --mapping tests/twin/wms-dc.mapping.yaml \
    --mqtt 127.0.0.1:$PORT --client-id twin-wms-dc --origin 2026-12-05T06:00:00Z --until 14min \
    --state-out "$TMP/dc.twin" --db "$TMP/dc.db" --verbose 2>"$TMP/dc.err" &
tp=$!
PIDS="$PIDS $tp"
wait_connected "$TMP/dc.err"
python3 - <<'EOF' | publish
import json
seq = [0]
def m(topic, at, **fields):
    seq[0] += 1
    fields.update({"ts": "2026-12-05T06:%s" % at, "seq": seq[0]})
    return (topic, json.dumps(fields).encode())
msgs = [
    m("wms/release", "02:30Z", order="O3"),
    m("wms/picks", "03:00Z", order="O3", line=1),
    m("wms/picks", "03:10Z", order="O3", line=9),           # bad_value: no line 9
    m("wms/release", "03:20Z", order="O9"),                # bad_value: no order O9
    m("wms/trucks", "04:00Z", plate="T1", direction="outbound", qty=2, door=1),
    m("wms/trucks", "05:00Z", plate="X7", direction="inbound", qty=-1),    # bad_value
    m("wms/trucks", "05:10Z", plate="X7", direction="inbound", qty=1, door=9),  # bad_value
    m("wms/trucks", "06:00Z", plate="X8", qty=1),          # missing_field: direction
    ("wms/cmd", b'{"cmd": "forecast"}'),
    m("wms/trucks", "10:00Z", plate="T1", direction="outbound", qty=2),  # came already
    m("wms/release", "14:30Z", order="O1"),                # released already; past --until
]
for topic, payload in msgs:
    print(topic + "\t" + payload.decode())
EOF
wait_pid $tp 60 || fail twin_wms_dc_follow "the twin did not reach the end"
E="$TMP/dc.err"
if grep -qF "dropped: 'wms/picks': bad_value: order 'O3' of picking 'pick' has no line 9" "$E" &&
    grep -qF "dropped: 'wms/release': bad_value: picking 'pick' has no order 'O9'" "$E" &&
    grep -qF "dropped: 'wms/trucks': bad_value: bad pallets in field 'qty' (a whole number from 1 to 1000000)" "$E" &&
    grep -qF "dropped: 'wms/trucks': bad_value: dock 'dock' has no door 9 (its doors are 1 to 2)" "$E" &&
    grep -qF "dropped: 'wms/trucks': missing_field: missing field 'direction'" "$E" &&
    grep -qF "truck 'T1' came to dock 'dock' already, at 4" "$E" &&
    grep -qF "order 'O1' of picking 'pick' was released already, at 2.5" "$E"; then
    pass twin_wms_dc_drops_logged
else
    fail twin_wms_dc_drops_logged "$(grep -i "drop\|already" "$E" | head -c 1500)"
fi
final=$(tail -n 1 "$TMP/dc.twin")
if python3 - "$final" "$TMP/dc.db" <<'EOF'; then
import json, sqlite3, sys
c = json.loads(sys.argv[1])["counters"]
# 4 bad values decoded and 2 refused when applied (T1 came already, O1 released already)
assert c["dropped"]["bad_value"] == 6 and c["dropped"]["missing_field"] == 1, c["dropped"]
assert c["received"] == 11 and c["accepted"] == 4 and c["applied"] == 3, c
rows = sqlite3.connect(sys.argv[2]).execute("select result from forecasts").fetchall()
assert len(rows) == 1, rows
t = json.loads(rows[0][0])["trucks"]
assert [x["truck"] for x in t] == ["T1", "T2"], t
t1, t2 = t
assert t1["p_full_on_time"] == 1 and t1["departure"] == 7.5 and t1["loaded"] == 2, t1
assert t2["p_full_on_time"] == 0 and t2["p_full"] == 0 and t2["p_on_time"] == 1, t2
assert t2["p_left"] == 1 and t2["departure"] == 50 and t2["loaded"] == 1 and t2["due"] == 50, t2
EOF
    pass twin_wms_dc_trucks_forecast
else
    fail twin_wms_dc_trucks_forecast "$final"
fi

# An emulated distribution centre followed through mosquitto: `twinsim emulate` plays
# examples/dc.yaml (seed 5, 8 h at 14,400 plant seconds a second) and publishes, by
# tests/twin/dc.mapping.yaml, each truck at both docks, each order released, each line picked and
# the aisle's stock of every product every 10 minutes; a twin of the same model and seed
# follows. The twin's sim does each of these at the same instant (the plant agrees with it), so
# every message is accepted and applied, nothing is corrected or unresolved, and the two state
# files' `sim` views (with the aisle's stock, hourly) are the same (the `observed` views differ
# by design: the twin's holds what it was told of parts, none here). The messages of each kind
# are those of examples/dc.yaml's CSVs: 24 trucks, 300 orders and 880 lines; and 41 products x
# 48 counts (at 0 and at each heartbeat before the end: 10 min to 7 h 50), and 48 heartbeats.
"$TWINSIM" twin examples/dc.yaml --mapping tests/twin/dc.mapping.yaml --mqtt 127.0.0.1:$PORT \
    --client-id twin-wms-emu --seed 5 --origin 2026-12-05T06:00:00Z --until 8h \
    --checkpoint 1h --state-out "$TMP/emu.twin" --verbose 2>"$TMP/emu.twin.err" &
tp=$!
PIDS="$PIDS $tp"
wait_connected "$TMP/emu.twin.err"
"$TWINSIM" emulate examples/dc.yaml --mapping tests/twin/dc.mapping.yaml \
    --mqtt 127.0.0.1:$PORT --client-id emu-wms --seed 5 --origin 2026-12-05T06:00:00Z \
    --until 8h --speed 14400 --checkpoint 1h --state-out "$TMP/emu.emu" --verbose \
    2>"$TMP/emu.emu.err" &
ep=$!
PIDS="$PIDS $ep"
wait_pid $ep 60 || fail twin_wms_emulated_dc "the emulator did not finish"
wait_pid $tp 60 || fail twin_wms_emulated_dc "the twin did not reach the end ($(tail -n 3 "$TMP/emu.twin.err"))"
sent=$(sed -n 's/^twinsim: emulate: sent: \([0-9]*\) events.*/\1/p' "$TMP/emu.emu.err")
grep '"view":"sim"' "$TMP/emu.twin" >"$TMP/emu.views"
grep '"view":"sim"' "$TMP/emu.emu" >"$TMP/emu.emu.views"
if [ -n "$sent" ] && python3 - "$(tail -n 1 "$TMP/emu.twin")" "$sent" <<'EOF'; then
import json, sys
c = json.loads(sys.argv[1])["counters"]
sent = int(sys.argv[2])
assert sent == 24 + 300 + 880 + 41 * 48 + 48, sent
assert c["received"] == sent and c["accepted"] == sent, (sent, c)
assert all(v == 0 for v in c["dropped"].values()), c["dropped"]
assert all(v == 0 for v in c["reconciled"].values()), c["reconciled"]
EOF
    pass twin_wms_emulated_dc_counts
else
    fail twin_wms_emulated_dc_counts "sent '$sent': $(tail -n 1 "$TMP/emu.twin" | head -c 1500)"
fi
if [ "$(grep -c . "$TMP/emu.emu.views")" -eq 8 ] && cmp -s "$TMP/emu.views" "$TMP/emu.emu.views" &&
    grep -q '"stock":{"aisle":{"pallet":[1-9]' "$TMP/emu.emu.views"; then
    pass twin_wms_emulated_dc_same_state
else
    fail twin_wms_emulated_dc_same_state "$(diff "$TMP/emu.emu.views" "$TMP/emu.views" | head -c 1500)"
fi
