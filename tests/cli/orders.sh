#!/bin/sh
# The orders table (`twinsim run --orders`): three orders with deterministic times, each value
# worked out by hand (tests/unit/test_order_data.c has the same model and its reasoning): one
# picker, tours of one line, a line takes 1 + 0.5 a unit, packing 2.
#   O1 released 0: lines at 2 and 3.5, complete 3.5, shipped 5.5, due 10: on time; 2 lines, 3 units
#   O2 released 1: complete 6.5, shipped 8.5, due 5: late; 1 line, 4 units
#   O3 released 20: complete 26.5, shipped 28.5, due 30: on time; 3 lines, 7 units
# The same rows in the JSON document, orders.csv and the database's run_orders, with any thread
# count and replications; at a horizon of 22, O3 is released but neither complete nor shipped.
. tests/cli/lib.inc

cat >"$TMP/orders.csv" <<'EOF'
order,line,product,quantity,release,due
O1,1,a,2,0,10
O1,2,b,1,0,10
O2,1,c,4,1,5
O3,1,a,1,20,30
O3,2,c,1,20,30
O3,3,b,5,20,30
EOF
cat >"$TMP/dc.yaml" <<EOF
name: dc
products: [a, b, c]
blocks:
  - picking: pick
    orders_file: $TMP/orders.csv
    pick_line: 1
    pick_unit: 0.5
    pack_time: 2
    to: out
  - sink: out
EOF

want='pick,O1,0,0,3.5,5.5,10,1,2,3
pick,O2,1,1,6.5,8.5,5,0,1,4
pick,O3,2,20,26.5,28.5,30,1,3,7'

tw run "$TMP/dc.yaml" --quiet --orders --reps 3 --threads 2 --json "$TMP/r.json" \
    --csv "$TMP/csv" --db "$TMP/r.db"
if [ "$rc" -ne 0 ]; then
    fail orders_run "exit $rc: $(head -3 "$TMP/err")"
    exit 0
fi
if [ "$(head -1 "$TMP/csv/orders.csv")" = "block,order,index,release,complete,shipped,due,on_time,lines,units" ] &&
    [ "$(tail -n +2 "$TMP/csv/orders.csv")" = "$want" ]; then
    pass orders_csv
else
    fail orders_csv "$(cat "$TMP/csv/orders.csv")"
fi

got=$(python3 - "$TMP/r.json" <<'PY'
import json, sys
for o in json.load(open(sys.argv[1]))["orders"]:
    on = {True: "1", False: "0", None: ""}[o["on_time"]]
    print(",".join([o["block"], o["order"], str(o["index"])] +
                   ["%g" % o[k] for k in ("release", "complete", "shipped", "due")] +
                   [on, str(o["lines"]), str(o["units"])]))
PY
)
if [ "$got" = "$want" ]; then pass orders_json; else fail orders_json "$got"; fi

got=$(python3 - "$TMP/r.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for r in db.execute("SELECT block, order_id, idx, release, complete, shipped, due, on_time, lines,"
                    " units FROM run_orders ORDER BY block, idx"):
    print(",".join("%g" % v if isinstance(v, float) else str(v) for v in r))
PY
)
if [ "$got" = "$want" ]; then pass orders_db; else fail orders_db "$got"; fi

# At 22, O3 is released and not yet complete: empty fields, on_time too.
tw run "$TMP/dc.yaml" --quiet --orders --no-db --horizon 22 --csv "$TMP/h"
if [ "$rc" -eq 0 ] && [ "$(tail -1 "$TMP/h/orders.csv")" = "pick,O3,2,20,,,30,,3,7" ]; then
    pass orders_horizon
else
    fail orders_horizon "exit $rc: $(tail -1 "$TMP/h/orders.csv" 2>&1)"
fi

# Without --orders the outputs have no orders table.
tw run "$TMP/dc.yaml" --quiet --no-db --json "$TMP/plain.json" --csv "$TMP/plain"
if [ "$rc" -eq 0 ] && [ ! -e "$TMP/plain/orders.csv" ] && ! grep -q '"orders"' "$TMP/plain.json"; then
    pass orders_off
else
    fail orders_off "exit $rc, or an orders table written"
fi

# --orders with nothing to write into is a usage error.
tw run "$TMP/dc.yaml" --orders --no-db
if [ "$rc" -eq 2 ] && grep -q "option '--orders' writes into --json, --csv or the database: not with '--no-db' alone" "$TMP/err"; then
    pass orders_nowhere
else
    fail orders_nowhere "exit $rc: $(head -1 "$TMP/err")"
fi

# --orders 2 writes replication 2's table (the JSON says which), and the recorded options say
# "orders": 2; the same table for any thread count is test_order_data's. A replication past the
# last is a usage error.
tw run "$TMP/dc.yaml" --quiet --orders 2 --reps 3 --json "$TMP/r2.json" --db "$TMP/r2.db"
got=$(python3 - "$TMP/r2.json" "$TMP/r2.db" <<'PY'
import json, sqlite3, sys
d = json.load(open(sys.argv[1]))
o = json.loads(sqlite3.connect(sys.argv[2]).execute("SELECT options FROM runs").fetchone()[0])
print(d["orders_replication"], len(d["orders"]), o["orders"])
PY
)
if [ "$rc" -eq 0 ] && [ "$got" = "2 3 2" ]; then
    pass orders_replication
else
    fail orders_replication "exit $rc: $got"
fi
tw run "$TMP/dc.yaml" --orders=3 --reps 3 --no-db --csv "$TMP/r3"
if [ "$rc" -eq 2 ] && grep -q "option '--orders' names replication 3, but the run has 3 (0 to 2)" "$TMP/err"; then
    pass orders_replication_past
else
    fail orders_replication_past "exit $rc: $(head -1 "$TMP/err")"
fi
