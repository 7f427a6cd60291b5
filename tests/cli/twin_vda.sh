#!/bin/sh
# The live twin of a fleet over VDA 5050 (v2), through a real mosquitto on a free loopback port:
# vehicles of examples/amr-fleet.yaml publish `state` and `connection` messages (sent raw, MQTT
# 3.1.1 at QoS 0, so that anything at all can be sent, in order on one connection). Checks that an
# idle vehicle reported at a node is moved there in the live sim, that what the plant said of each
# vehicle (node, driving, battery, errors, connection) is kept, that malformed, unknown-serial and
# out-of-order messages are counted, logged with their reason and never applied while the twin
# runs on, and that a forecast from the live state of a fleet works. Then the mapping's
# `vda5050:` section's errors, word for word. Everything started here is stopped by its pid.
. tests/cli/lib.inc
. tests/cli/procs.inc

MODEL=examples/amr-fleet.yaml
MAP=tests/twin/amr.mapping.yaml

MOSQUITTO=$(command -v mosquitto || ls /usr/sbin/mosquitto 2>/dev/null)
if ! "$TWINSIM" twin --help >/dev/null 2>&1; then
    echo "PASS twin_vda_not_built (this build has no MQTT support: twin tests not run)"
    exit 0
fi

# 1. The section's errors (no broker needed: the mapping is read first).
cat >"$TMP/bad.mapping.yaml" <<'EOF'
vda5050:
  fleet: cell
  topic: uagv/+/v2
  vehicles:
    - {manufacturer: acme, serial: AMR-001, vehicle: 9}
    - {manufacturer: acme, serail: AMR-002}
  nodes: {N-PARK: parc}
EOF
tw twin $MODEL --mapping "$TMP/bad.mapping.yaml"
B="$TMP/bad.mapping.yaml"
if [ "$rc" -eq 1 ] && grep -qxF "$B:2:10: error: block 'cell' is not a fleet" "$TMP/err" &&
    grep -qxF "$B:3:10: error: bad topic 'uagv/+/v2' (the levels before the manufacturer, e.g. 'uagv/v2')" "$TMP/err" &&
    grep -qxF "$B:7:19: error: unknown network node 'parc' (did you mean 'park'?)" "$TMP/err"; then
    pass twin_vda_mapping_errors
else
    fail twin_vda_mapping_errors "exit $rc: $(cat "$TMP/err")"
fi
sed -i 's/fleet: cell/fleet: amr/; s/uagv\/+\/v2/uagv\/v2/; s/parc/park/' "$B"
tw twin $MODEL --mapping "$B"
if [ "$rc" -eq 1 ] && grep -qxF "$B:5:54: error: bad vehicle '9' (1 to 5, the fleet's count)" "$TMP/err" &&
    grep -qxF "$B:6:28: error: unknown key 'serail' in a vehicle (did you mean 'serial'?)" "$TMP/err" &&
    grep -qxF "$B:6:8: error: a vehicle needs 'manufacturer' and 'serial'" "$TMP/err"; then
    pass twin_vda_vehicle_errors
else
    fail twin_vda_vehicle_errors "exit $rc: $(cat "$TMP/err")"
fi

if [ -z "$MOSQUITTO" ] || ! command -v python3 >/dev/null; then
    echo "PASS twin_vda_no_broker (mosquitto or python3 not installed: broker tests not run)"
    exit 0
fi
start_broker twin_vda_broker || exit 1

# 2. The fleet followed. Model time 0 is 06:00 (minutes); the twin stops at 3 min.
"$TWINSIM" twin $MODEL --mapping $MAP --mqtt 127.0.0.1:$PORT --client-id twin-vda \
    --origin 2026-12-05T06:00:00Z --until 3min --checkpoint 1 --state-out "$TMP/vda.twin" \
    --db "$TMP/vda.db" --verbose 2>"$TMP/vda.err" &
tp=$!
PIDS="$PIDS $tp"
wait_connected "$TMP/vda.err"
python3 - "$PORT" <<'EOF'
import json, sys
sys.path.insert(0, "tests/twin")
from mqtt_raw import publish_all
def state(hid, sec, serial, node, driving=False, charge=80.0, errors=(), **over):
    m = {"headerId": hid, "timestamp": "2026-12-05T06:%02d:%02dZ" % (sec // 60, sec % 60),
         "version": "2.0.0", "manufacturer": "acme", "serialNumber": serial, "orderId": "",
         "orderUpdateId": 0, "lastNodeId": node, "lastNodeSequenceId": 0, "nodeStates": [],
         "edgeStates": [], "driving": driving, "actionStates": [],
         "batteryState": {"batteryCharge": charge, "charging": False},
         "operatingMode": "AUTOMATIC", "errors": list(errors),
         "safetyState": {"eStop": "NONE", "fieldViolation": False}}
    m.update(over)
    for k in [k for k, v in m.items() if v is None]:
        del m[k]
    return ("uagv/v2/acme/%s/state" % serial, json.dumps(m).encode())
def conn(hid, sec, serial, cs):
    return ("uagv/v2/acme/%s/connection" % serial, json.dumps({
        "headerId": hid, "timestamp": "2026-12-05T06:00:%02dZ" % sec, "version": "2.0.0",
        "manufacturer": "acme", "serialNumber": serial, "connectionState": cs}).encode())
fatal = {"errorType": "laserScannerFault", "errorLevel": "FATAL", "errorReferences": []}
warn = {"errorType": "lowBattery", "errorLevel": "WARNING"}
msgs = [
    conn(0, 10, "AMR-001", "ONLINE"),
    state(1, 30, "AMR-002", "N-CELL"),                     # idle at park: moved to the cell
    state(1, 30, "AMR-002", "N-CELL"),                     # duplicate (the same headerId)
    state(0, 31, "AMR-002", "N-PARK"),                     # out of order: never applied
    state(0, 31, "AMR-009", "N-PARK"),                     # unknown serial
    ("uagv/v2/acme/AMR-001/state", b'{"headerId": 3, "timestamp": '),  # malformed JSON
    state(2, 32, "AMR-001", None, lastNodeId=None),        # missing lastNodeId
    state(2, 32, "AMR-001", "N-NOWHERE"),                  # unknown node
    state(2, 32, "AMR-001", "park", charge=150),           # not a percentage
    state(2, 32, "AMR-001", "park", errors=[{"errorLevel": "FATAL"}]),  # no errorType
    ("uagv/v2/acme/AMR-004/state", state(2, 32, "AMR-001", "park")[1]),  # not the topic's
    conn(1, 33, "AMR-001", "GONE"),                        # bad connectionState
    state(2, 40, "AMR-003", "aisle1", driving=True, charge=50.5),
    state(7, 45, "AMR-004", "park", charge=12, errors=[fatal, warn]),
    conn(1, 50, "AMR-005", "CONNECTIONBROKEN"),
    ("fleet/twin/cmd", b'{"cmd": "forecast"}'),
    state(8, 150, "AMR-004", "park", charge=11.5, errors=[fatal, warn]),
    state(9, 180, "AMR-004", "park", charge=11, errors=[fatal, warn]),  # the end: 3 min
]
publish_all(int(sys.argv[1]), "twinsim-test-vda", msgs)
EOF
wait_pid $tp 30 || fail twin_vda_follow "the twin did not reach the end"
final=$(tail -n 1 "$TMP/vda.twin")
# The counts of each reason, and what the plant said of the five vehicles.
if python3 - "$final" <<'EOF'; then
import json, sys
f = json.loads(sys.argv[1])
c, v = f["counters"], f["vda5050"]
want = {"too_big": 0, "not_utf8": 0, "bad_json": 1, "unknown_topic": 0, "missing_field": 2,
        "bad_value": 5, "duplicate": 1, "late": 0, "future": 0, "out_of_order": 1}
assert c["dropped"] == want, c["dropped"]
# the command is received and accepted, not applied
assert c["received"] == 18 and c["accepted"] == 8 and c["applied"] == 7, c
assert v["moved"] == 1, v
# amr has no battery: the five accepted states' charges are kept and counted, not applied
assert v["charged"] == 0 and v["charge_ignored"] == 5, v
# AMR-004's FATAL error fails it in the live sim (once: the two reports after repeat it), and
# its WARNINGs are only counted
assert v["failed"] == 1 and v["resumed"] == 0 and v["warnings"] == 3, v
veh = {x["serial"]: x for x in v["vehicles"]}
assert veh["AMR-001"] == {"manufacturer": "acme", "serial": "AMR-001", "vehicle": 1,
                          "connection": "ONLINE"}, veh["AMR-001"]
assert veh["AMR-002"]["node"] == "cell" and veh["AMR-002"]["driving"] is False
assert veh["AMR-003"]["node"] == "aisle1" and veh["AMR-003"]["driving"] is True
assert veh["AMR-003"]["battery"] == 50.5
assert veh["AMR-004"]["battery"] == 11 and veh["AMR-004"]["errors"] == 2
assert veh["AMR-004"]["fatal"] == 1
assert veh["AMR-005"] == {"manufacturer": "acme", "serial": "AMR-005", "vehicle": 5,
                          "connection": "CONNECTIONBROKEN"}, veh["AMR-005"]
EOF
    pass twin_vda_counted_and_kept
else
    fail twin_vda_counted_and_kept "$final"
fi

# Each drop is logged with its reason.
E="$TMP/vda.err"
if grep -qF "dropped: 'uagv/v2/acme/AMR-002/state': out_of_order: headerId 0 of 'acme/AMR-002' after 1" "$E" &&
    grep -qF "dropped: 'uagv/v2/acme/AMR-002/state': duplicate: duplicate headerId 1 of 'acme/AMR-002'" "$E" &&
    grep -qF "dropped: 'uagv/v2/acme/AMR-009/state': bad_value: unknown vehicle 'acme/AMR-009'" "$E" &&
    grep -qF "dropped: 'uagv/v2/acme/AMR-001/state': bad_value: unknown node 'N-NOWHERE' in 'lastNodeId'" "$E" &&
    grep -qF "dropped: 'uagv/v2/acme/AMR-001/state': bad_value: battery charge 150 is not a percentage" "$E" &&
    grep -qF "dropped: 'uagv/v2/acme/AMR-001/state': missing_field: an entry of 'errors' lacks 'errorType' or 'errorLevel'" "$E" &&
    grep -qF "dropped: 'uagv/v2/acme/AMR-004/state': bad_value: manufacturer 'acme' and serialNumber 'AMR-001' are not the topic's" "$E" &&
    grep -qF "dropped: 'uagv/v2/acme/AMR-001/connection': bad_value: bad connectionState 'GONE' (ONLINE, OFFLINE or CONNECTIONBROKEN)" "$E"; then
    pass twin_vda_drops_logged
else
    fail twin_vda_drops_logged "$(grep dropped "$E" | head -c 1500)"
fi

# The live sim: at the checkpoint of minute 1 (before any request: the first part needs over
# 1.5 min of machining) vehicle 2 stands at the cell, where the plant put it, the others at the
# fleet's home; the plant's view has the nodes reported, null for vehicles not reported.
sim1=$(grep '"t":1.000000,"view":"sim"' "$TMP/vda.twin" | sed 's/.*"vehicles"://')
obs1=$(grep '"t":1.000000,"view":"observed"' "$TMP/vda.twin" | sed 's/.*"vehicles"://')
if [ "$sim1" = '{"amr":["park","cell","park","park","park"]}}' ] &&
    [ "$obs1" = '{"amr":[null,"cell","aisle1","park",null]}}' ]; then
    pass twin_vda_vehicle_moved
else
    fail twin_vda_vehicle_moved "sim '$sim1', observed '$obs1'"
fi

# A forecast from the live state of a fleet: made, with output and no error.
fc=$(grep '"forecast":' "$TMP/vda.twin" | head -n 1)
if printf '%s' "$fc" | python3 -c "
import json, sys
f = json.load(sys.stdin)
assert 'error' not in f and f['output']['mean'] >= 0 and f['replications'] == 5, f" 2>/dev/null; then
    pass twin_vda_forecast
else
    fail twin_vda_forecast "'$(printf '%s' "$fc" | head -c 600)'"
fi

# 3. End to end: the emulator plays the fleet model out as VDA 5050 `state` messages (one per
#    vehicle per change of node or of driving) through mosquitto, and at every checkpoint the
#    vehicles' nodes the twin has heard equal the emulator's vehicles' nodes.
"$TWINSIM" twin $MODEL --mapping $MAP --mqtt 127.0.0.1:$PORT --client-id twin-vda-e2e \
    --origin 1000000 --until 2h --checkpoint 10 --state-out "$TMP/e2e.twin" --verbose \
    --db "$TMP/e2e.db" 2>"$TMP/e2e.err" &
tp=$!
PIDS="$PIDS $tp"
wait_connected "$TMP/e2e.err"
timeout 60 "$TWINSIM" emulate $MODEL --mapping $MAP --mqtt 127.0.0.1:$PORT --client-id emu-vda \
    --origin 1000000 --until 2h --speed 0 --checkpoint 10 --state-out "$TMP/e2e.emu" \
    --verbose 2>"$TMP/e2e.emu.err"
erc=$?
wait_pid $tp 30 || fail twin_vda_emulated "the twin did not reach the end"
sent=$(sed -n 's/^twinsim: emulate: sent: \([0-9]*\) events.*/\1/p' "$TMP/e2e.emu.err")
grep '"view":"observed"' "$TMP/e2e.emu" >"$TMP/e2e.emu.obs"
grep '"view":"observed"' "$TMP/e2e.twin" >"$TMP/e2e.twin.obs"
final=$(tail -n 1 "$TMP/e2e.twin")
if [ "$erc" -eq 0 ] && [ "$(grep -c '"vehicles":{"amr":\["' "$TMP/e2e.emu.obs")" = 12 ] &&
    cmp -s "$TMP/e2e.emu.obs" "$TMP/e2e.twin.obs" &&
    printf '%s' "$final" | python3 -c "
import json, sys
c = json.load(sys.stdin)['counters']
n = int(sys.argv[1])
assert n > 100 and c['received'] == n and c['applied'] == n, (n, c)" "$sent"; then
    pass twin_vda_emulated
else
    fail twin_vda_emulated "emulator exit $erc, sent '$sent': $(diff "$TMP/e2e.emu.obs" "$TMP/e2e.twin.obs" | head -n 4) $(printf '%s' "$final" | head -c 300)"
fi

# 3b. The published VDA 5050 v2 JSON schemas (tests/twin/vda5050, test data): every state the
#     emulator published and the twin recorded (all it sent but the 120 heartbeats, one a minute
#     of the 2 h), and the test messages of section 2 the twin accepted (5 states and 2
#     connections), are valid; vda_schema.py first makes sure the schema refuses a charge that is
#     a string.
python3 tests/twin/vda_schema.py "$TMP/vda.db" >"$TMP/schema.out" 2>&1
src=$?
python3 tests/twin/vda_schema.py "$TMP/e2e.db" >>"$TMP/schema.out" 2>&1
erc2=$?
# Without the Python package jsonschema (Debian's python3-jsonschema, which
# scripts/install-deps.sh installs) the check is skipped, and with TSIM_REQUIRE_SIMPY=1 (CI: the
# Python test dependencies must be there) it fails.
if [ "$src" -eq 3 ]; then
    why="the Python package jsonschema is not installed (python3-jsonschema)"
    if [ "${TSIM_REQUIRE_SIMPY:-0}" = 1 ]; then fail twin_vda_schema "$why"; else echo "SKIP twin_vda_schema: $why"; fi
elif [ "$src" -eq 0 ] && [ "$erc2" -eq 0 ] &&
    [ "$(sed -n 1p "$TMP/schema.out")" = "5 state, 2 connection valid" ] &&
    [ "$(sed -n 2p "$TMP/schema.out")" = "$((sent - 120)) state, 0 connection valid" ]; then
    pass twin_vda_schema
else
    fail twin_vda_schema "exit $src and $erc2 (sent '$sent'): $(head -c 1500 "$TMP/schema.out")"
fi

# 4. The battery. One vehicle on a line P - D - C (0.5 h a leg at 10 a hour), 20 kWh, drawing
#    4 kW empty (20 % an hour) and 8 kW loaded, charging at 20 kW below 60 % up to 90 %.
cat >"$TMP/bat.yaml" <<'EOF'
name: battery
time_unit: h
blocks:
  - source: in
    interarrival: 1
    limit: 2
    to: amr
  - fleet: amr
    count: 1
    speed: 10
    battery: 20
    draw_empty: 4
    draw_loaded: 8
    charge_rate: 20
    charge_below: 0.6
    charge_until: 0.9
    deliver_within: 0.5
    to: out
  - sink: out
  - charger: chg
network:
  nodes: [P, D, C]
  segments:
    - {from: P, to: D, length: 5}
    - {from: D, to: C, length: 5}
  at: {in: P, amr: P, out: D, chg: C}
EOF
cat >"$TMP/bat.mapping.yaml" <<'EOF'
time: {ahead: 6h, max_gap: 12h}
vda5050:
  fleet: amr
  vehicles:
    - {manufacturer: acme, serial: AGV-1}
twin:
  command: bat/twin/cmd
forecast: {replications: 2, horizon: +1h}
events:
  - topic: bat/heartbeat
    kind: heartbeat
emulator: {heartbeat: 0.0625}   # 1/16 h, exact in binary: the last beat falls on the end
EOF
# 4a. Reported at 50 % while idle at P at 0.1 h: below 60 %, it drives to charge at once, P to C
#     in 1 h, drawing 20 % an hour: 47 % at the checkpoint of 0.25 h, 42 at 0.5, 37 at 0.75.
#     A charge of -1 and one that is a string are counted and never applied; the forecast from
#     the live state at 0.6 h has the vehicle charging within its hour (0.5 h of it): at C at
#     1.1 h with 30 %, it takes the free point at once and charges to 90 % until 1.7 h, so the
#     charger does not queue, and the request of 1 h waits past its 0.5 h and is late at the
#     horizon (1.6 h) in both replications; no request is in the fleet at 0.6 h.
"$TWINSIM" twin "$TMP/bat.yaml" --mapping "$TMP/bat.mapping.yaml" --mqtt 127.0.0.1:$PORT \
    --client-id twin-bat --origin 2026-12-05T06:00:00Z --until 1h --checkpoint 0.25 \
    --state-out "$TMP/bat.twin" --verbose 2>"$TMP/bat.err" &
tp=$!
PIDS="$PIDS $tp"
wait_connected "$TMP/bat.err"
python3 - "$PORT" <<'EOF'
import calendar, json, sys, time
sys.path.insert(0, "tests/twin")
from mqtt_raw import publish_all
T0 = calendar.timegm(time.strptime("2026-12-05T06:00:00", "%Y-%m-%dT%H:%M:%S"))
def stamp(h):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(T0 + round(h * 3600)))
def state(hid, h, node, charge, driving=False):
    return ("uagv/v2/acme/AGV-1/state", json.dumps({
        "headerId": hid, "timestamp": stamp(h), "version": "2.0.0", "manufacturer": "acme",
        "serialNumber": "AGV-1", "orderId": "", "orderUpdateId": 0, "lastNodeId": node,
        "lastNodeSequenceId": 0, "nodeStates": [], "edgeStates": [], "driving": driving,
        "actionStates": [], "batteryState": {"batteryCharge": charge, "charging": False},
        "operatingMode": "AUTOMATIC", "errors": [],
        "safetyState": {"eStop": "NONE", "fieldViolation": False}}).encode())
def beat(seq, h):
    return ("bat/heartbeat", json.dumps({"ts": T0 + h * 3600, "seq": seq}).encode())
msgs = [
    beat(1, 0.05),
    state(1, 0.1, "P", 50),
    state(2, 0.2, "P", -1, driving=True),                  # not a percentage
    state(3, 0.2, "P", "80", driving=True),                # not a number
    beat(2, 0.6),
    ("bat/twin/cmd", b'{"cmd": "forecast"}'),
    beat(3, 0.8),
    beat(4, 1.0),
]
publish_all(int(sys.argv[1]), "twinsim-test-bat", msgs)
EOF
wait_pid $tp 30 || fail twin_vda_battery_applied "the twin did not reach the end"
if python3 - "$TMP/bat.twin" "$TMP/bat.err" <<'EOF'; then
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
sim = {l["t"]: l for l in lines if l.get("view") == "sim"}
want = {0.25: 47, 0.5: 42, 0.75: 37}
for t, w in want.items():
    got = sim[t]["charges"]["amr"][0]
    assert abs(got - w) < 1e-6, (t, got, w)
obs = [l for l in lines if l.get("view") == "observed" and l["t"] == 0.25][0]
assert obs["charges"] == {"amr": [50]}, obs
final = lines[-1]
c, v = final["counters"], final["vda5050"]
assert c["dropped"]["bad_value"] == 1 and c["dropped"]["missing_field"] == 1, c
assert v["charged"] == 1 and v["charge_ignored"] == 0, v
assert v["vehicles"][0]["battery"] == 50, v
fc = [l for l in lines if "forecast" in l]
assert fc and "error" not in fc[0] and fc[0]["replications"] == 2, fc
f = fc[0]["fleets"]
assert len(f) == 1 and f[0]["fleet"] == "amr" and f[0]["deliver_within"] == 0.5, f
assert f[0]["open"] == 0 and f[0]["overdue"] == 0 and f[0]["requests"] == [], f
assert f[0]["late"] == {"mean": 1, "half_width": 0, "min": 1, "max": 1}, f
ch = fc[0]["chargers"]
assert ch == [{"charger": "chg", "points": 1, "queue_now": 0, "p_queue": 0, "queue_mean": 0,
               "queue_mean_half_width": 0, "queue_max_mean": 0, "queue_max": 0,
               "wait_mean": 0, "wait_half_width": 0}], ch
err = open(sys.argv[2]).read()
assert "bad_value: battery charge -1 is not a percentage" in err
assert "missing_field: missing field 'batteryState.batteryCharge'" in err
EOF
    pass twin_vda_battery_applied
else
    fail twin_vda_battery_applied "$(tail -n 1 "$TMP/bat.twin" | head -c 800)"
fi

# 4b. End to end: the emulator plays the battery model to the twin for 5 h. Every message is
#     applied; the emulator's messages carry the sim's charge (80 % at 1.5 h, 50 at 3.0, 40 at
#     3.5, 90 from 4.0), so at every checkpoint the twin's live sim has the emulator's charge.
"$TWINSIM" twin "$TMP/bat.yaml" --mapping "$TMP/bat.mapping.yaml" --mqtt 127.0.0.1:$PORT \
    --client-id twin-bat-e2e --origin 1000000 --until 5h --checkpoint 0.5 \
    --state-out "$TMP/bate.twin" --verbose 2>"$TMP/bate.err" &
tp=$!
PIDS="$PIDS $tp"
wait_connected "$TMP/bate.err"
timeout 60 "$TWINSIM" emulate "$TMP/bat.yaml" --mapping "$TMP/bat.mapping.yaml" \
    --mqtt 127.0.0.1:$PORT --client-id emu-bat --origin 1000000 --until 5h --speed 0 \
    --checkpoint 0.5 --state-out "$TMP/bate.emu" --verbose 2>"$TMP/bate.emu.err"
erc=$?
wait_pid $tp 30 || fail twin_vda_battery_emulated "the twin did not reach the end"
sent=$(sed -n 's/^twinsim: emulate: sent: \([0-9]*\) events.*/\1/p' "$TMP/bate.emu.err")
if [ "$erc" -eq 0 ] && python3 - "$TMP/bate.emu" "$TMP/bate.twin" "$sent" <<'EOF'; then
import json, sys
emu = {l["t"]: l for l in map(json.loads, open(sys.argv[1])) if l.get("view") == "observed"}
tw = [json.loads(l) for l in open(sys.argv[2])]
sim = {l["t"]: l for l in tw if l.get("view") == "sim"}
assert len(emu) == 10 and sorted(emu) == sorted(sim), (sorted(emu), sorted(sim))
for t in emu:
    a, b = emu[t]["charges"]["amr"][0], sim[t]["charges"]["amr"][0]
    assert abs(a - b) < 1e-6, (t, a, b)
    assert emu[t]["vehicles"] == sim[t]["vehicles"], (t, emu[t]["vehicles"], sim[t]["vehicles"])
# by hand: 100 % to 1 h, 90 % from 4 h
for t, w in ((1.0, 100), (2.0, 80), (3.0, 50), (4.5, 90)):
    assert abs(emu[t]["charges"]["amr"][0] - w) < 1e-9, (t, emu[t]["charges"], w)
c = tw[-1]["counters"]
n = int(sys.argv[3])
assert n > 10 and c["received"] == n and c["applied"] == n, (n, c)
assert abs(tw[-1]["vda5050"]["vehicles"][0]["battery"] - 90) < 1e-9, tw[-1]["vda5050"]
EOF
    pass twin_vda_battery_emulated
else
    fail twin_vda_battery_emulated "emulator exit $erc, sent '$sent': $(tail -n 1 "$TMP/bate.twin" | head -c 600)"
fi
