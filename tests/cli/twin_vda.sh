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
    --verbose 2>"$TMP/vda.err" &
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
    2>"$TMP/e2e.err" &
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
