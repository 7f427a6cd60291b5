#!/bin/sh
# A fleet's per-vehicle KPIs end to end: examples/amr-fleet.yaml with per_vehicle set through
# --set, in the JSON document, the CSV summary and the SQLite record; the vehicles' deliveries
# add up to the fleet's in every replication.
. tests/cli/lib.inc

MODEL=$(pwd)/examples/amr-fleet.yaml
cd "$TMP" || exit 1

tw run "$MODEL" --set amr.per_vehicle=true --reps 2 --horizon 2h --threads 2 --quiet \
    --json out.json --csv csv --db runs.db
if [ "$rc" -eq 0 ]; then pass fleet_per_vehicle_run; else fail fleet_per_vehicle_run "exit $rc: $(head -c 300 "$TMP/err")"; fi

if python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))["blocks"]["amr"]
v = [a["vehicle_%d" % i] for i in range(1, 6)]
ok = "vehicle_6" not in a and all(x["utilization"]["n"] == 2 for x in v)
ok = ok and abs(sum(x["deliveries"]["mean"] for x in v) - a["deliveries"]["mean"]) < 1e-9
ok = ok and abs(sum(x["idle"]["mean"] for x in v) / 5 - a["idle"]["mean"]) < 1e-9
sys.exit(0 if ok else 1)' out.json 2>"$TMP/pyerr"; then
    pass fleet_per_vehicle_json
else
    fail fleet_per_vehicle_json "$(head -c 300 "$TMP/pyerr")"
fi

if grep -q '^amr,vehicle_5\.empty_travel_share,' csv/summary.csv &&
    [ "$(grep -c '^[01],amr,vehicle_[1-5]\.deliveries,' csv/replications.csv)" = 10 ]; then
    pass fleet_per_vehicle_csv
else
    fail fleet_per_vehicle_csv "$(grep -c vehicle_ csv/summary.csv) vehicle rows"
fi

n=$(sqlite3 runs.db "SELECT count(*) FROM summary_kpis WHERE owner = 'amr' AND kpi LIKE 'vehicle\_%' ESCAPE '\\'" 2>&1)
if [ "$n" = 55 ]; then pass fleet_per_vehicle_db; else fail fleet_per_vehicle_db "$n rows"; fi

# Off by default: the same run without it names no vehicle.
tw run "$MODEL" --reps 1 --horizon 1h --quiet --no-db --csv off
if [ "$rc" -eq 0 ] && ! grep -q vehicle_ off/summary.csv; then
    pass fleet_per_vehicle_off
else
    fail fleet_per_vehicle_off "exit $rc"
fi
