#!/bin/sh
# examples/distribution-centre.yaml: a day of 48,000 order lines. What must hold in every
# replication, from the example's own CSVs:
#  - every order is accounted for: the orders of the files (all released within the day) are
#    those on departed trucks, on trucks still at a door, waiting at the dock and still in
#    picking; every order picking ships reaches the dock, and what leaves the dock is loaded;
#  - the departed trucks carried the shipped orders: their pallets (one order each) are at most
#    the orders due by the day's last departure, and short of them by no more than the orders
#    that missed a truck or are still in picking; with 3 days every order of the files is
#    picked and shipped (every unit of the crew's lines picked), and on one of the 51 trucks or
#    at the dock (an order whose line waited for stock past the last departure);
#  - the racks' loads, on the 3-day run: each rack's loads are the stock file's 240 and its
#    put-aways, each that left was retrieved (by its crane or opened by the crew); the crew's
#    loads opened (the racks' retrievals less the full-pallet orders) hold the units it picked,
#    50 a load, but for what is left of at most one open load a product;
#  - the experiment's answer (docs/logistics.md), on a part of its design that decides it.
. tests/cli/lib.inc

# must NAME ARGS...: twinsim ARGS must succeed (test NAME); the script stops where it does not.
must() {
    _name=$1
    shift
    tw "$@" --no-db --quiet --threads 2
    [ "$rc" -eq 0 ] || { fail "$_name" "exit $rc: $(head -3 "$TMP/err")"; exit 0; }
    pass "$_name"
}

EX=examples/distribution-centre.yaml
must dcx_day_runs run "$EX" --csv "$TMP/day"
must dcx_drain_runs run "$EX" --horizon 3d --csv "$TMP/drain"

python3 - "$TMP/day/replications.csv" "$TMP/drain/replications.csv" examples >"$TMP/res" <<'PY'
import csv, glob, os, sys
day, drain, ex = sys.argv[1], sys.argv[2], sys.argv[3]
PICKS = ["pick", "pallets1", "pallets2", "pallets3", "pallets4"]
AISLES = ["aisle1", "aisle2", "aisle3", "aisle4"]
files = {"pick": os.path.join(ex, "distribution-centre-orders.csv")}
for a in range(1, 5):
    files["pallets%d" % a] = os.path.join(ex, "distribution-centre-pallets-%d.csv" % a)
orders, due_by_day, lines, units = {}, 0, {}, 0
for p, f in files.items():
    due = {}
    rows = list(csv.DictReader(open(f)))
    for r in rows:
        due[r["order"]] = float(r["due"])
        assert float(r["release"]) < 1440
    orders[p] = len(due)
    if p == "pick":
        units = sum(int(r["quantity"]) for r in rows)
    lines[p] = len(rows)
    due_by_day += sum(1 for v in due.values() if v <= 1440)
total = sum(orders.values())
if sum(lines.values()) != 48000:
    print("FAIL dcx_files: %d order lines, not 48,000" % sum(lines.values()))
trucks_file = list(csv.DictReader(open(os.path.join(ex, "distribution-centre-outbound.csv"))))
departing = sum(1 for r in trucks_file if float(r["departure"]) <= 1440)

def load(path):
    reps = {}
    for r in csv.DictReader(open(path)):
        reps.setdefault(int(r["replication"]), {})[(r["block"], r["kpi"])] = float(r["value"])
    return reps

def check(name, cond, why):
    if not cond:
        bad.setdefault(name, why)

bad = {}
reps = load(day)
for i, k in sorted(reps.items()):
    g = lambda b, kpi: k[(b, kpi)]
    for p in PICKS:
        check("dcx_released", g(p, "entered") == orders[p],
              "rep %d: %s took %d orders, its file has %d" % (i, p, g(p, "entered"), orders[p]))
    shipped = sum(g(p, "left") for p in PICKS)
    in_picking = sum(g(p, "entered") - g(p, "left") for p in PICKS)
    check("dcx_shipped_reach_dock", shipped == g("outbound", "entered"),
          "rep %d: %d shipped, %d at the dock" % (i, shipped, g("outbound", "entered")))
    check("dcx_left_dock_loaded", g("outbound", "left") == g("outbound", "orders_loaded"),
          "rep %d: left %d, loaded %d" % (i, g("outbound", "left"), g("outbound", "orders_loaded")))
    departed = g("outbound", "pallets_loaded")
    at_door = g("outbound", "orders_loaded") - departed
    at_dock = g("outbound", "entered") - g("outbound", "left")
    check("dcx_accounted", departed + at_door + at_dock + in_picking == total and at_door >= 0,
          "rep %d: departed %d + at a door %d + at the dock %d + picking %d != %d"
          % (i, departed, at_door, at_dock, in_picking, total))
    check("dcx_trucks", g("outbound", "trucks") == departing,
          "rep %d: %d trucks left, %d depart by 24:00" % (i, g("outbound", "trucks"), departing))
    check("dcx_trucks_carry_due", departed <= due_by_day and
          due_by_day - departed <= g("outbound", "orders_missed") + in_picking,
          "rep %d: departed trucks carried %d, %d due by 24:00, %d missed, %d in picking"
          % (i, departed, due_by_day, g("outbound", "orders_missed"), in_picking))
    check("dcx_trucks_room", at_door <= 4 * 480 and departed <= departing * 480,
          "rep %d: %d on departed trucks, %d at doors" % (i, departed, at_door))

reps = load(drain)
for i, k in sorted(reps.items()):
    g = lambda b, kpi: k[(b, kpi)]
    at_dock = g("outbound", "entered") - g("outbound", "left")
    check("dcx_drained_all_shipped", all(g(p, "left") == orders[p] for p in PICKS) and
          g("pick", "units_picked") == units and g("outbound", "trucks") == len(trucks_file) and
          g("outbound", "pallets_loaded") + at_dock == total,
          "rep %d: %d units picked of %d, %d orders on %d trucks and %d at the dock, want %d on %d"
          % (i, g("pick", "units_picked"), units, g("outbound", "pallets_loaded"),
             g("outbound", "trucks"), at_dock, total, len(trucks_file)))
    opened = sum(g(a, "retrievals") for a in AISLES) - sum(
        g("pallets%d" % a, "lines_picked") for a in range(1, 5))
    check("dcx_crew_loads", 0 <= 50 * opened - g("pick", "units_picked") <= 60 * 49,
          "rep %d: %d loads opened for %d units" % (i, opened, g("pick", "units_picked")))
    for a in AISLES:
        n = g(a, "entered")
        check("dcx_rack_loads", n == 240 + g(a, "put_aways") and g(a, "left") == g(a, "retrievals"),
              "rep %d %s: %d loads, 240 from the stock file + %d put away; %d left, %d retrieved"
              % (i, a, n, g(a, "put_aways"), g(a, "left"), g(a, "retrievals")))
for name in ["dcx_released", "dcx_shipped_reach_dock", "dcx_left_dock_loaded", "dcx_accounted",
             "dcx_trucks", "dcx_trucks_carry_due", "dcx_trucks_room",
             "dcx_drained_all_shipped", "dcx_crew_loads", "dcx_rack_loads"]:
    print("FAIL %s: %s" % (name, bad[name]) if name in bad else "PASS " + name)
PY
cat "$TMP/res"
[ -s "$TMP/res" ] || fail dcx_checks "the checks did not run"

# The experiment's answer, on a part of its design that decides it: 9 or 10 pickers, and the
# policy of aisles 3 and 4 (aisles 1 and 2 keep the model's closest put-away). The fewest
# pickers is 10, with either policy; the full-pallet orders are all on time in every scenario;
# closest put-away lightens each crane, and with 9 pickers (all infeasible) it shortens the
# crew's walks enough to ship more on time than random put-away in both aisles.
sed -e 's#^model: distribution-centre.yaml#model: '"$(pwd)"'/examples/distribution-centre.yaml#' \
    -e 's#pick.pickers: {from: 8, to: 12}#pick.pickers: [9, 10]#' \
    -e '/aisle[12].put_away:/d' examples/distribution-centre.experiment.yaml >"$TMP/exp.yaml"
must dcx_experiment_runs experiment "$TMP/exp.yaml" --json "$TMP/exp.json"
python3 - "$TMP/exp.json" >"$TMP/why" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
sc = d["scenarios"]
if len(sc) != 8:
    print("%d scenarios, not 8" % len(sc))
if sc[d["best"]]["factors"]["pick.pickers"] != "10":
    print("best scenario", sc[d["best"]]["factors"])
crew = {}
for s in sc:
    f, k = s["factors"], s["kpis"]
    if s["feasible"] != (f["pick.pickers"] == "10"):
        print("scenario", f, "feasible:", s["feasible"])
    if any(k["pallets%d.on_time" % a]["mean"] != 1 for a in range(1, 5)):
        print("scenario", f, "ships a full-pallet order late")
    crew[(f["pick.pickers"], f["aisle3.put_away"], f["aisle4.put_away"])] = k["pick.on_time"]["mean"]
for a in ("3", "4"):
    by = {}
    for s in sc:
        by.setdefault(s["factors"]["aisle%s.put_away" % a], []).append(s["kpis"])
    u = {p: {k["aisle%s.crane_utilization" % a]["mean"] for k in v} for p, v in by.items()}
    if not max(u["closest"]) < min(u["random"]):
        print("closest put-away does not lighten crane", a)
if not crew[("9", "random", "random")] < crew[("9", "closest", "closest")]:
    print("with 9 pickers closest put-away does not ship more on time", crew)
PY
if [ -s "$TMP/why" ]; then
    fail dcx_experiment_answer "$(head -3 "$TMP/why")"
else
    pass dcx_experiment_answer
fi
