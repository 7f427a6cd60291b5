#!/bin/sh
# `twinsim report`: one self-contained HTML file from an experiment in the database, then the
# browser test (tests/browser/report.test.js) opens it in Debian's Chromium through
# playwright-core and checks that the charts drew. The browser part prints SKIP, with the
# reason, only where Chromium or playwright-core is missing; with TSIM_REQUIRE_BROWSER=1 (CI)
# that is a FAIL instead.
. tests/cli/lib.inc
# Every command is bounded in time: a hang is a failure, not a stuck test run.
tw() {
    timeout 300 "$TWINSIM" "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
}

EX=tests/experiments
tw experiment $EX/servers.yaml --db "$TMP/r.db" --quiet
tw report --db "$TMP/r.db" -o "$TMP/report.html"
if [ "$rc" -eq 0 ] && [ -s "$TMP/report.html" ] && grep -q '<svg\|createElementNS' "$TMP/report.html"; then
    pass report_written
else
    fail report_written "exit $rc: $(cat "$TMP/err")"
fi
# Self-contained: no script, style, image or font from anywhere else (the SVG namespace URI is
# a name, never fetched).
if grep -Eq '(src|href)=["'"'"']?(https?:)?//|@import|url\(' "$TMP/report.html"; then
    fail report_self_contained "refers to outside resources: $(grep -Eo '(src|href)=[^ >]*' "$TMP/report.html" | head -n 3)"
else
    pass report_self_contained
fi
tw report --db "$TMP/r.db" 99 -o "$TMP/none.html"
if [ "$rc" -eq 1 ] && grep -qF "no experiment run 99 in '$TMP/r.db'" "$TMP/err"; then
    pass report_unknown_run
else
    fail report_unknown_run "exit $rc: $(cat "$TMP/err")"
fi
tw report --db "$TMP/r.db"
if [ "$rc" -eq 2 ] && grep -q "missing '-o FILE'" "$TMP/err"; then pass report_usage; else
    fail report_usage "exit $rc: $(cat "$TMP/err")"; fi

tw report --db "$TMP/none.db" -o "$TMP/none.html"
if [ "$rc" -eq 1 ] && grep -qF "no results database '$TMP/none.db'" "$TMP/err"; then pass report_no_database; else
    fail report_no_database "exit $rc: $(cat "$TMP/err")"; fi

# The time series of `experiment --trace`: the report inlines each sampled scenario's trace, and
# every value of it is the one the database holds (the BLOBs of doubles, read here apart from
# twinsim), so the report's charts draw the numbers the served page draws.
tw experiment $EX/servers.yaml --db "$TMP/tr.db" --quiet --trace 5
tw report --db "$TMP/tr.db" -o "$TMP/traced.html"
if [ "$rc" -ne 0 ]; then fail report_trace_inlined "exit $rc: $(cat "$TMP/err")"; else
    why=$(python3 - "$TMP/traced.html" "$TMP/tr.db" <<'PY'
import json, re, sqlite3, struct, sys
html = open(sys.argv[1]).read()
d = json.loads(re.search(r'<script id="data" type="application/json">(.*?)</script>', html, re.S).group(1))
db = sqlite3.connect(sys.argv[2])
un = lambda b: None if b is None else list(struct.unpack('%dd' % (len(b) // 8), b))
scens = [r[0] for r in db.execute('SELECT scen FROM exp_samples WHERE run = ? ORDER BY scen', (d['id'],))]
got = {q['scenario']: q for q in d['samples']}
if not scens or sorted(got) != scens:
    sys.exit(f"scenarios {sorted(got)} inlined, {scens} in the database")
for k in scens:
    q = got[k]
    t, wip, done, n = db.execute('SELECT t, wip, done, samples FROM exp_samples WHERE run = ? AND scen = ?', (d['id'], k)).fetchone()
    if (un(t), un(wip), un(done), n) != (q['t'], q['wip'], q['done'], q['samples']) or n < 2:
        sys.exit(f"scenario {k}: series differ from the database")
    rows = db.execute('SELECT name, content, busy FROM exp_sample_blocks WHERE run = ? AND scen = ? ORDER BY block', (d['id'], k)).fetchall()
    if [(b['name'], b['content'], b['busy']) for b in q['blocks']] != [(r[0], un(r[1]), un(r[2])) for r in rows]:
        sys.exit(f"scenario {k}: block series differ from the database")
PY
    )
    if [ $? -eq 0 ]; then pass report_trace_inlined; else fail report_trace_inlined "$why"; fi
fi

# A full disk: no report, not half of one (`ulimit -f` caps any file the process writes; the
# database copy leaves WAL mode, whose index file a reader may have to grow).
sqlite3 "$TMP/r.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null &&
    cp "$TMP/r.db" "$TMP/full.db" && sqlite3 "$TMP/full.db" "PRAGMA journal_mode = DELETE" >/dev/null
sh -c 'ulimit -f 1; trap "" XFSZ; exec "$@"' sh "$TWINSIM" report --db "$TMP/full.db" -o "$TMP/full.html" \
    >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ "$rc" -eq 1 ] && grep -q "cannot write '$TMP/full.html': File too large" "$TMP/err" &&
    [ ! -e "$TMP/full.html" ] && [ -z "$(ls -A "$TMP" | grep '^\.full\.html')" ]; then
    pass report_full_disk
else
    fail report_full_disk "exit $rc: $(cat "$TMP/err"); $(ls -A "$TMP")"
fi
"$TWINSIM" report --db "$TMP/r.db" -o - >/dev/full 2>"$TMP/err"
rc=$?
if [ "$rc" -eq 1 ] && grep -q "standard output: No space left on device" "$TMP/err"; then
    pass report_stdout_full_device
else
    fail report_stdout_full_device "exit $rc: $(cat "$TMP/err")"
fi

# A buffer's trace keeps its levels and its mean: tests/experiments/sparse.yaml's queue holds 0 or
# 1 most of the time (mean about 0.17) and changes some 4,000 times. Its stored trace, read as
# the report draws it, must have the time-weighted mean of replication 0's `queue.content` KPI
# (to 1e-9), reach its `max_content`, and come down to 0 (keeping every k-th change drew it as
# a flat line at 1).
tw experiment $EX/sparse.yaml --db "$TMP/sparse.db" --quiet
tw report --db "$TMP/sparse.db" -o "$TMP/sparse.html"
if [ "$rc" -eq 0 ] && python3 - "$TMP/sparse.db" <<'EOF'
import sqlite3, struct, sys
db = sqlite3.connect(sys.argv[1])
doubles = lambda b: struct.unpack("%dd" % (len(b) // 8), b)
run = db.execute("SELECT max(id) FROM exp_runs").fetchone()[0]
names = [n for (n,) in db.execute("SELECT name FROM exp_kpis WHERE run = ? ORDER BY idx", (run,))]
row = doubles(db.execute("SELECT row FROM exp_reps WHERE run = ? AND scen = 0 AND rep = 0", (run,)).fetchone()[0])
content, top = row[names.index("queue.content")], row[names.index("queue.max_content")]
cols = [c[1] for c in db.execute("PRAGMA table_info(exp_traces)")]
got = db.execute("SELECT * FROM exp_traces WHERE run = ? AND scen = 0", (run,)).fetchone()
rec = dict(zip(cols, got))
t, v = doubles(rec["t"]), doubles(rec["v"])
lo = doubles(rec["lo"]) if rec.get("lo") else v
hi = doubles(rec["hi"]) if rec.get("hi") else v
area = sum(v[k] * (t[k + 1] - t[k]) for k in range(len(t) - 1))
mean = area / (t[-1] - t[0])
assert abs(mean - content) <= 1e-9 * content, ("mean", mean, content)
assert max(hi) == top and min(lo) == 0, ("levels", max(hi), top, min(lo))
EOF
then
    pass report_trace_mean_and_levels
else
    fail report_trace_mean_and_levels "exit $rc: $(cat "$TMP/err")"
fi

# A trace of exactly as many changes as it keeps point by point (512) still ends at the run's
# end: tests/experiments/cap-queue.yaml's queue changes last at 511 and holds 510 until 1000.
tw experiment $EX/cap.yaml --db "$TMP/cap.db" --quiet
if [ "$rc" -eq 0 ] && python3 - "$TMP/cap.db" <<'EOF'
import sqlite3, struct, sys
db = sqlite3.connect(sys.argv[1])
doubles = lambda b: struct.unpack("%dd" % (len(b) // 8), b)
t, v = (doubles(x) for x in db.execute("SELECT t, v FROM exp_traces WHERE scen = 0").fetchone())
assert len(t) == 513 and t[-2:] == (511.0, 1000.0) and v[-2:] == (510.0, 510.0), (len(t), t[-2:], v[-2:])
EOF
then
    pass report_trace_full_has_its_end
else
    fail report_trace_full_has_its_end "exit $rc: $(cat "$TMP/err")"
fi

# --- the database read back: experiments in `runs` and `show`, and files that are no database -----
tw runs --db "$TMP/r.db"
if [ "$rc" -eq 0 ] && grep -q "^ *1  .*  experiment  servers.yaml " "$TMP/out"; then pass runs_lists_experiments; else
    fail runs_lists_experiments "exit $rc: $(cat "$TMP/out" "$TMP/err")"; fi
tw show 1 --db "$TMP/r.db"
if [ "$rc" -eq 0 ] && grep -q "^experiment 1, started .*, done$" "$TMP/out" &&
    grep -q '^1  *{"server.servers":"6"}  *[0-9]*  .*  best$' "$TMP/out"; then
    pass show_experiment
else
    fail show_experiment "exit $rc: $(cat "$TMP/out" "$TMP/err")"
fi
tw experiment $EX/servers.yaml --db "$TMP/r2.db" --json "$TMP/r2.json" --quiet
tw show last --db "$TMP/r2.db" --json
if [ "$rc" -eq 0 ] && cmp -s "$TMP/out" "$TMP/r2.json"; then pass show_experiment_json; else
    fail show_experiment_json "exit $rc: $(cat "$TMP/err")"; fi
tw show 1 --db "$TMP/r2.db" --model
if [ "$rc" -eq 1 ] && grep -q "keeps the path of its model, not its text: '.*queue.yaml'" "$TMP/err"; then
    pass show_experiment_model; else fail show_experiment_model "exit $rc: $(cat "$TMP/err")"; fi
# A file an earlier twinsim's experiments wrote (schema version 0, experiment tables only).
sqlite3 "$TMP/r2.db" "DROP TABLE runs; DROP TABLE replications; DROP TABLE replication_kpis; DROP TABLE summary_kpis; PRAGMA user_version = 0"
tw runs --db "$TMP/r2.db"
if [ "$rc" -eq 0 ] && grep -q "experiment  servers.yaml" "$TMP/out"; then pass runs_experiment_only_file; else
    fail runs_experiment_only_file "exit $rc: $(cat "$TMP/err")"; fi
tw show 1 --db "$TMP/r2.db"
if [ "$rc" -eq 0 ] && grep -q "best$" "$TMP/out"; then pass show_experiment_only_file; else
    fail show_experiment_only_file "exit $rc: $(cat "$TMP/err")"; fi

# Files that are no results database are named for what they are, by report, runs and show.
echo "a note, not a database" >"$TMP/notes.txt"
: >"$TMP/empty.db"
head -c 4096 "$TMP/r.db" >"$TMP/cut.db"
sqlite3 "$TMP/other.db" "CREATE TABLE t(x)"
for case in "notes.txt:is a text file, not an SQLite database" "empty.db:is empty" \
    "cut.db:is an SQLite database cut short: 4096 bytes of the [0-9]* its header gives" \
    "other.db:is an SQLite database without twinsim's tables"; do
    file=${case%%:*} what=${case#*:}
    for cmd in "report -o $TMP/x.html" runs "show 1"; do
        # shellcheck disable=SC2086
        tw $cmd --db "$TMP/$file"
        name="$(echo "$cmd" | cut -d' ' -f1)_on_$(echo "$file" | tr . _)"
        if [ "$rc" -eq 1 ] && grep -q "'$TMP/$file' is not a twinsim results database: it $what" "$TMP/err" &&
            [ ! -e "$TMP/x.html" ]; then
            pass "$name"
        else
            fail "$name" "exit $rc: $(cat "$TMP/err")"
        fi
    done
done
tw run tests/cli/models/line.yaml --db "$TMP/runs.db" --quiet
tw report --db "$TMP/runs.db" -o "$TMP/x.html"
if [ "$rc" -eq 1 ] && grep -q "holds no experiment or optimize runs, only 1 run of 'twinsim run'" "$TMP/err"; then
    pass report_on_runs_only; else fail report_on_runs_only "exit $rc: $(cat "$TMP/err")"; fi
tw report --db "$TMP/runs.db" 1 -o "$TMP/x.html"
if [ "$rc" -eq 1 ] && grep -q "run 1 in '$TMP/runs.db' is a run of 'twinsim run', not an experiment" "$TMP/err"; then
    pass report_on_a_run; else fail report_on_a_run "exit $rc: $(cat "$TMP/err")"; fi

# --- in a real browser ------------------------------------------------------------------------
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
skip_or_fail() {
    if [ "${TSIM_REQUIRE_BROWSER:-0}" = 1 ]; then fail report_browser "$1"; else echo "SKIP report_browser: $1"; fi
}
# playwright-core from tests/browser (npm install --prefix tests/browser), TSIM_NODE_MODULES or
# the global modules.
NODE_PATH="$(pwd)/tests/browser/node_modules${TSIM_NODE_MODULES:+:$TSIM_NODE_MODULES}"
if command -v npm >/dev/null 2>&1; then NODE_PATH="$NODE_PATH:$(npm root -g 2>/dev/null)"; fi
export NODE_PATH
if ! command -v node >/dev/null 2>&1; then
    skip_or_fail "node not found"
elif [ ! -x "$CHROMIUM" ]; then
    skip_or_fail "no Chromium at '$CHROMIUM' (apt-get install chromium)"
elif ! node -e "require('playwright-core')" >/dev/null 2>&1; then
    skip_or_fail "playwright-core not found (npm install --prefix tests/browser)"
else
    tw experiment $EX/eight.yaml --db "$TMP/eight.db" --quiet
    tw report --db "$TMP/eight.db" -o "$TMP/eight.html"
    [ "$rc" -eq 0 ] || fail report_eight_buffers "exit $rc: $(cat "$TMP/err")"
    # Markup in the names the report inlines (the experiment's name in its document, a buffer's
    # in its trace) stays text: the data cannot end its <script> element.
    cp "$TMP/r.db" "$TMP/hostile.db"
    sqlite3 "$TMP/hostile.db" "UPDATE exp_runs SET json = json_set(json, '\$.experiment', '</script><script>alert(1)</script>'); UPDATE exp_traces SET name = '</script><script>alert(2)</script>' WHERE rowid = (SELECT min(rowid) FROM exp_traces)"
    tw report --db "$TMP/hostile.db" -o "$TMP/hostile.html"
    if [ "$rc" -eq 0 ] && [ "$(grep -o '</script' "$TMP/hostile.html" | wc -l)" -eq 2 ]; then pass report_escaped_names; else
        fail report_escaped_names "exit $rc: $(grep -o '</script' "$TMP/hostile.html" | wc -l) '</script'"; fi
    shots="${BUILD:-build}/screenshots"
    mkdir -p "$shots"
    for r in report sparse eight hostile; do
        REPORT_SCREENSHOTS="$shots" CHROMIUM="$CHROMIUM" timeout 120 node tests/browser/report.test.js "$TMP/$r.html" "$r"
        brc=$?
        [ $brc -eq 124 ] && fail "report_browser_$r" "timed out after 120 s"
    done
    CHROMIUM="$CHROMIUM" timeout 120 node tests/browser/report_trace.test.js "$TMP/traced.html"
    [ $? -eq 124 ] && fail report_trace_browser "timed out after 120 s"
fi
exit 0
