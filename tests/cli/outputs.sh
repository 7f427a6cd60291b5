#!/bin/sh
# `twinsim run` end to end on tests/cli/models/line.yaml: exit codes, the table, the JSON document
# (parsed by python3), the CSV files, the SQLite record (read with the sqlite3 CLI), --set,
# --warmup auto, thread-count independence, model errors, `check`, `runs`, `show`, and the KPIs by
# product in every output.
. tests/cli/lib.inc
. tests/cli/signals.inc

MODEL=$(pwd)/tests/cli/models/line.yaml
EXPERIMENTS=$(pwd)/tests/experiments
cd "$TMP" || exit 1

# jq-like checks with python3: `pycheck NAME FILE EXPR` passes when EXPR (over `d`) is true.
pycheck() {
    if python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if eval(sys.argv[2]) else 1)
' "$2" "$3" 2>"$TMP/pyerr"; then
        pass "$1"
    else
        fail "$1" "false: $3 $(head -c 300 "$TMP/pyerr")"
    fi
}

ok() { # ok NAME: the last command exited 0
    if [ "$rc" -eq 0 ]; then pass "$1"; else fail "$1" "exit $rc: $(head -c 300 "$TMP/err")"; fi
}

# --- a full run with every output ---------------------------------------------------------
tw run "$MODEL" --json out.json --csv csv --db runs.db --threads 2
ok run_exit_0
if grep -q "^block  *type  *KPI  *mean  *95% hw  *unit$" "$TMP/out" && grep -q "±" "$TMP/out" &&
    grep -q "/min$" "$TMP/out" && grep -q " %$" "$TMP/out" && grep -q "^press  *machine" "$TMP/out"; then
    pass run_table
else
    fail run_table "$(head -n 5 "$TMP/out")"
fi
widest=$(python3 -c 'import sys; print(max(len(l.rstrip("\n")) for l in open(sys.argv[1], encoding="utf-8")))' "$TMP/out")
if [ "$widest" -le 100 ]; then pass run_table_width; else fail run_table_width "$widest columns"; fi

pycheck json_header out.json 'd["twinsim"] == "0.1.0" and d["model"] == "cli-line" and d["time_unit"] == "min" and d["seed"] == 5 and d["replications"] == 4 and d["horizon"] == 120 and d["warmup"] == 10 and d["warmup_auto"] is False'
pycheck json_system out.json 'all(set(d["system"][k]) == {"mean", "half_width", "sd", "n", "unit"} and d["system"][k]["n"] == 4 for k in ("throughput", "lead_time", "wip", "completed"))'
pycheck json_units out.json '[d["system"][k]["unit"] for k in ("throughput", "lead_time", "wip")] == ["/min", "min", "count"] and d["blocks"]["press"]["utilization"]["unit"] == "fraction" and d["blocks"]["press"]["states"]["busy"]["unit"] == "fraction" and 0 <= d["blocks"]["press"]["utilization"]["mean"] <= 1'
# Numbers in their shortest form: no 0.13400000000000001 (%.17g) where 0.134 reads back the same.
if python3 -c '
import json, re, sys
text = open(sys.argv[1]).read()
nums = re.findall(r"(?<![\w.])-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?", text)
digits = lambda n: len(re.sub(r"[^0-9]", "", re.split("[eE]", n)[0]).lstrip("0"))
long = [n for n in nums if digits(n) > 15 and float("%.15g" % float(n)) == float(n)]
sys.exit(1 if long else 0)' out.json; then
    pass json_shortest_numbers
else
    fail json_shortest_numbers "numbers longer than they need to be in out.json"
fi
pycheck json_machine out.json 'd["blocks"]["press"]["type"] == "machine" and all(k in d["blocks"]["press"] for k in ("throughput", "utilization", "oee")) and set(("busy", "idle", "blocked", "down", "setup", "off_shift")) <= set(d["blocks"]["press"]["states"])'
pycheck json_buffer out.json 'd["blocks"]["queue"]["type"] == "buffer" and all(k in d["blocks"]["queue"] for k in ("wait", "content", "max_content", "entered", "dropped"))'
pycheck json_block_order out.json 'list(d["blocks"]) == ["arrivals", "queue", "press", "pack", "done"]'
pycheck json_operators out.json '0 <= d["operators"]["crew"]["utilization"]["mean"] <= 1'
pycheck json_tail out.json 'len(d["fingerprint"]) == 16 and int(d["fingerprint"], 16) >= 0 and isinstance(d["events"], int) and d["events"] > 0 and d["wall_seconds"] >= 0 and list(d)[-3:] == ["fingerprint", "events", "wall_seconds"]'
pycheck json_states_sum out.json 'abs(sum(v["mean"] for k, v in d["blocks"]["press"]["states"].items() if k != "waiting") - 1) < 1e-9'

# CSV: headers, one row per KPI (and per replication), the same figures as the JSON
if [ "$(head -n 1 csv/summary.csv)" = "block,kpi,mean,half_width,sd,n" ] &&
    [ "$(head -n 1 csv/replications.csv)" = "replication,block,kpi,value" ]; then
    pass csv_headers
else
    fail csv_headers "$(head -n 1 csv/summary.csv) / $(head -n 1 csv/replications.csv)"
fi
if python3 - "$TMP" <<'EOF'
import csv, json, sys
d = json.load(open(sys.argv[1] + "/out.json"))
rows = list(csv.DictReader(open(sys.argv[1] + "/csv/summary.csv")))
reps = list(csv.DictReader(open(sys.argv[1] + "/csv/replications.csv")))
assert len(reps) == 4 * len(rows), (len(reps), len(rows))
assert {r["replication"] for r in reps} == {"0", "1", "2", "3"}
def node(owner, kpi):
    if owner == "system":
        n = d["system"]
    elif owner.startswith("operators."):
        n = d["operators"][owner[len("operators."):]]
    else:
        n = d["blocks"][owner]
    for part in kpi.split("."):
        n = n[part]
    return n
for r in rows:
    s = node(r["block"], r["kpi"])
    assert float(r["mean"]) == s["mean"], (r, s)
    assert int(r["n"]) == 4
for r in reps:
    if r["block"] == "system" and r["kpi"] == "completed":
        assert float(r["value"]) > 0
EOF
then pass csv_matches_json; else fail csv_matches_json "see above"; fi

# SQLite: one run, its replications and summary, WAL mode, the model text as read
q() { sqlite3 runs.db "$1" 2>&1; }
nkpi=$(($(wc -l <csv/summary.csv) - 1))
if [ "$(q 'SELECT count(*) FROM runs')" = 1 ] &&
    [ "$(q 'SELECT count(*) FROM replications WHERE run_id = 1')" = 4 ] &&
    [ "$(q 'SELECT count(*) FROM replication_kpis WHERE run_id = 1')" = $((4 * nkpi)) ] &&
    [ "$(q 'SELECT count(*) FROM summary_kpis WHERE run_id = 1')" = "$nkpi" ]; then
    pass db_rows
else
    fail db_rows "runs $(q 'SELECT count(*) FROM runs'), kpis $(q 'SELECT count(*) FROM replication_kpis')"
fi
if [ "$(q 'PRAGMA journal_mode')" = wal ] && [ "$(q "SELECT seed || ' ' || replications || ' ' || horizon || ' ' || warmup || ' ' || threads FROM runs")" = "5 4 120.0 10.0 2" ]; then
    pass db_settings
else
    fail db_settings "$(q 'PRAGMA journal_mode') $(q 'SELECT seed, replications, horizon, warmup, threads FROM runs')"
fi
q "SELECT model_text FROM runs WHERE id = 1" >model_back.yaml
if [ "$(cat model_back.yaml)" = "$(cat "$MODEL")" ]; then pass db_model_text; else fail db_model_text "differs"; fi
if [ "$(q "SELECT mean FROM summary_kpis WHERE run_id = 1 AND scope = 'system' AND kpi = 'completed'")" = \
    "$(python3 -c 'import json; print(repr(json.load(open("out.json"))["system"]["completed"]["mean"]))')" ]; then
    pass db_summary_matches_json
else
    fail db_summary_matches_json "$(q "SELECT mean FROM summary_kpis WHERE kpi = 'completed'")"
fi
q "SELECT options FROM runs WHERE id = 1" >opts.json
pycheck db_options opts.json 'd["replications"] == 4 and d["seed"] == 5 and d["threads"] == 2 and d["json"] == "out.json" and d["set"] == []'

# runs and show read the record back
tw runs --db runs.db
if [ $rc -eq 0 ] && grep -q "cli-line" "$TMP/out" && [ "$(wc -l <"$TMP/out")" -eq 2 ]; then
    pass runs_lists
else
    fail runs_lists "exit $rc: $(cat "$TMP/out" "$TMP/err")"
fi
tw show 1 --db runs.db
if [ $rc -eq 0 ] && grep -q "^run 1, " "$TMP/out" && grep -q "^press  *machine" "$TMP/out" &&
    grep -q "seed 5, 4 replications, horizon 120 min, warm-up 10 min" "$TMP/out"; then
    pass show_table
else
    fail show_table "exit $rc: $(head -c 400 "$TMP/out" "$TMP/err")"
fi
tw show last --db runs.db --json
if [ $rc -eq 0 ] && cmp -s "$TMP/out" out.json; then pass show_json; else fail show_json "exit $rc, differs"; fi
tw show 1 --db runs.db --model
if [ $rc -eq 0 ] && cmp -s "$TMP/out" "$MODEL"; then pass show_model; else fail show_model "exit $rc"; fi
tw show 99 --db runs.db
if [ $rc -eq 1 ] && grep -q "no run 99" "$TMP/err"; then pass show_missing; else fail show_missing "exit $rc"; fi
tw compare 1 last --db runs.db
if [ $rc -eq 0 ] && grep -q "fingerprints equal" "$TMP/out" && grep -q "^0 KPIs differ at 95%" "$TMP/out"; then
    pass compare_same
else
    fail compare_same "exit $rc: $(tail -n 3 "$TMP/out") $(cat "$TMP/err")"
fi
tw compare 1 99 --db runs.db
if [ $rc -eq 1 ] && grep -q "no run 99" "$TMP/err"; then pass compare_missing; else fail compare_missing "exit $rc"; fi
tw runs --db nowhere.db
if [ $rc -eq 1 ] && grep -q "nowhere.db" "$TMP/err" && [ ! -e nowhere.db ]; then pass runs_no_db; else fail runs_no_db "exit $rc"; fi

# --- settings from the command line win over the file ---------------------------------------
tw run "$MODEL" --reps 3 --seed 18446744073709551615 --horizon 1h --warmup 300s --json o2.json --no-db --quiet
ok run_overrides_exit
if [ ! -s "$TMP/out" ]; then pass run_quiet; else fail run_quiet "printed $(head -c 200 "$TMP/out")"; fi
pycheck run_overrides o2.json 'd["replications"] == 3 and d["seed"] == 18446744073709551615 and d["horizon"] == 60 and d["warmup"] == 5'

# one replication: no confidence interval, written as null, shown as a dash
tw run "$MODEL" --reps 1 --json one.json --no-db
ok one_rep_exit
pycheck one_rep_null_half_width one.json 'd["system"]["throughput"]["half_width"] is None and d["system"]["throughput"]["n"] == 1'
if grep -q "^system .* ± -  */min$" "$TMP/out"; then pass one_rep_table; else fail one_rep_table "$(head -n 4 "$TMP/out")"; fi

tw run "$MODEL" --json - --no-db
if [ $rc -eq 0 ] && python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$TMP/out"; then
    pass json_stdout
else
    fail json_stdout "exit $rc, stdout is not one JSON document"
fi

tw run "$MODEL" --warmup auto --horizon 8h --json auto.json --no-db --quiet
ok warmup_auto_exit
pycheck warmup_auto auto.json 'd["warmup_auto"] is True and 0 <= d["warmup"] <= 240 and d["warmup"] % (480 / 200 * 5) < 1e-9'
tw run "$MODEL" --warmup auto --horizon 0 --no-db --quiet
if [ $rc -eq 2 ] && grep -q "needs a horizon" "$TMP/err"; then pass warmup_auto_needs_horizon; else fail warmup_auto_needs_horizon "exit $rc"; fi
tw run "$MODEL" --warmup 3h --no-db --quiet
if [ $rc -eq 2 ] && grep -q "not shorter than the horizon" "$TMP/err"; then pass warmup_past_horizon; else fail warmup_past_horizon "exit $rc"; fi

# --- --set -----------------------------------------------------------------------------------
tw run "$MODEL" --set press.process=0.3 --set 'pack.process=uniform(0.2, 0.3)' --json set.json --no-db --quiet
ok set_exit
pycheck set_changes_results set.json 'd["blocks"]["press"]["utilization"]["mean"] < json.load(open("out.json"))["blocks"]["press"]["utilization"]["mean"]'
tw run "$MODEL" --set press.process=0.3 --db runs.db --quiet
tw compare 1 last --db runs.db
if [ $rc -eq 0 ] && grep -q "fingerprints differ" "$TMP/out" && grep -q "utilization .*%  *\*$" "$TMP/out"; then
    pass compare_changed
else
    fail compare_changed "exit $rc: $(grep utilization "$TMP/out") $(cat "$TMP/err")"
fi
# Runs with one seed drew the same random numbers: their difference gets a paired t interval
# over the replications (common random numbers), not Welch's interval of two independent runs.
# The half-width printed for the system's completed count is the paired one, computed here again
# from the replications in the database (t quantile for 3 degrees of freedom: 4 replications).
tw compare 1 last --db runs.db
cat "$TMP/out" >cmp.txt
if [ $rc -eq 0 ] && grep -q "paired t intervals: the same seed, so common random numbers" cmp.txt &&
    python3 - runs.db cmp.txt <<'EOF'
import math, re, sqlite3, statistics, sys
db = sqlite3.connect(sys.argv[1])
last = db.execute("SELECT max(id) FROM runs").fetchone()[0]
def values(run):
    return [v for (v,) in db.execute("SELECT value FROM replication_kpis WHERE run_id = ? AND "
                                     "scope = 'system' AND kpi = 'completed' ORDER BY replication", (run,))]
a, b = values(1), values(last)
d = [y - x for x, y in zip(a, b)]
paired = 3.182446305284263 * statistics.stdev(d) / math.sqrt(len(d))
line = [l for l in open(sys.argv[2]) if re.match(r"^\s+completed\s", l)][0]
hw = float(line.split("±")[1].split()[0])
# Two significant digits are printed. (Welch's interval here is about 20, the paired one 31:
# the change of process time moves every replication, so pairing does not narrow this one.)
assert abs(hw - paired) <= 0.05 * paired, (hw, paired, line)
EOF
then
    pass compare_paired_same_seed
else
    fail compare_paired_same_seed "exit $rc: $(tail -n 2 cmp.txt) $(cat "$TMP/err")"
fi
tw run "$MODEL" --seed 99 --db runs.db --quiet
tw compare 1 last --db runs.db
if [ $rc -eq 0 ] && grep -q "Welch intervals: different seeds, so independent runs" "$TMP/out"; then
    pass compare_welch_other_seed; else fail compare_welch_other_seed "exit $rc: $(tail -n 1 "$TMP/out")"; fi

# Runs and experiment runs share one sequence of ids: `runs` lists both kinds, `show` finds
# either by its number, and `compare` says when a number is an experiment.
mkdir ids && cd ids || exit 1
"$TWINSIM" run "$MODEL" --db ids.db --quiet >/dev/null 2>&1
"$TWINSIM" experiment "$EXPERIMENTS/servers.yaml" --db ids.db --quiet >/dev/null 2>&1
"$TWINSIM" run "$MODEL" --db ids.db --quiet >/dev/null 2>&1
tw runs --db ids.db
kinds=$(awk 'NR > 1 { print $1 ":" $3 }' "$TMP/out" | tr '\n' ' ')
if [ "$kinds" = "3:run 2:experiment 1:run " ]; then pass ids_shared_by_runs_and_experiments; else
    fail ids_shared_by_runs_and_experiments "$kinds: $(cat "$TMP/err")"; fi
tw show 2 --db ids.db
if [ $rc -eq 0 ] && grep -q "^experiment 2, " "$TMP/out"; then pass show_finds_experiment_by_id; else
    fail show_finds_experiment_by_id "exit $rc: $(head -c 300 "$TMP/out" "$TMP/err")"; fi
tw compare 1 2 --db ids.db
if [ $rc -eq 1 ] && grep -q "run 2 is an experiment or optimize run: compare takes runs of 'twinsim run'" "$TMP/err"; then
    pass compare_refuses_experiment; else fail compare_refuses_experiment "exit $rc: $(cat "$TMP/err")"; fi
cd "$TMP" || exit 1
tw run "$MODEL" --set nosuch.process=1 --no-db --quiet
if [ $rc -eq 2 ] && grep -q "nosuch" "$TMP/err" && [ "$(wc -l <"$TMP/err")" -eq 2 ]; then pass set_unknown_block; else fail set_unknown_block "exit $rc: $(cat "$TMP/err")"; fi
tw run "$MODEL" --set 'press.process=triangular(1' --no-db --quiet
if [ $rc -eq 2 ] && grep -q "press.process" "$TMP/err"; then pass set_bad_value; else fail set_bad_value "exit $rc: $(cat "$TMP/err")"; fi

# --- the thread count changes nothing ----------------------------------------------------------
for k in 1 3; do
    tw run "$MODEL" --reps 6 --threads $k --json "t$k.json" --no-db --quiet
done
if python3 -c '
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
a.pop("wall_seconds"); b.pop("wall_seconds")
sys.exit(0 if a == b else 1)' t1.json t3.json; then
    pass threads_same_json
else
    fail threads_same_json "t1.json and t3.json differ"
fi

# --- the default database, and --no-db ------------------------------------------------------------
mkdir dflt nodb
(cd dflt && "$TWINSIM" run "$MODEL" --quiet >/dev/null 2>&1)
if [ -f dflt/twinsim.db ] && [ "$(sqlite3 dflt/twinsim.db 'SELECT count(*) FROM runs')" = 1 ]; then pass db_default; else fail db_default "no dflt/twinsim.db"; fi
(cd nodb && "$TWINSIM" run "$MODEL" --quiet --no-db >/dev/null 2>&1)
if [ -z "$(ls nodb)" ]; then pass db_none; else fail db_none "$(ls nodb)"; fi

# --- runs written at the same time into one new database all land, whole ------------------------
for i in 1 2 3 4; do
    "$TWINSIM" run "$MODEL" --db conc.db --quiet --threads 1 >/dev/null 2>"conc.err$i" &
done
wait
if [ "$(sqlite3 conc.db 'SELECT count(*) FROM runs')" = 4 ] &&
    [ "$(sqlite3 conc.db 'SELECT count(DISTINCT run_id) FROM summary_kpis')" = 4 ]; then
    pass db_concurrent
else
    fail db_concurrent "$(sqlite3 conc.db 'SELECT count(*) FROM runs' 2>&1) runs; $(cat conc.err*)"
fi

# --- outputs that cannot be written are errors (exit 1), not crashes -----------------------------
mkdir adir
tw run "$MODEL" --json adir --no-db --quiet
if [ $rc -eq 1 ] && grep -q "cannot write 'adir'" "$TMP/err"; then pass json_unwritable; else fail json_unwritable "exit $rc: $(cat "$TMP/err")"; fi
echo "not a database" >afile
tw run "$MODEL" --csv afile --no-db --quiet
if [ $rc -eq 1 ] && grep -q "afile" "$TMP/err"; then pass csv_unwritable; else fail csv_unwritable "exit $rc: $(cat "$TMP/err")"; fi
tw run "$MODEL" --db afile --quiet
if [ $rc -eq 1 ] && grep -q "afile" "$TMP/err"; then pass db_not_a_database; else fail db_not_a_database "exit $rc: $(cat "$TMP/err")"; fi

# --- output that cannot be written fails, whole files or none ------------------------------------
# A full device for standard output (/dev/full), and a full disk for files: `ulimit -f` caps the
# size of any file the process writes (as a full file system would; no mount, no root needed),
# with SIGXFSZ ignored so that a write past it fails with EFBIG instead of killing the process.
# full_disk BLOCKS COMMAND...: COMMAND may write no file past BLOCKS 512-byte blocks
full_disk() { sh -c 'ulimit -f "$0"; trap "" XFSZ; exec "$@"' "$@" >"$TMP/out" 2>"$TMP/err"; rc=$?; }
to_full() { "$TWINSIM" "$@" >/dev/full 2>"$TMP/err"; rc=$?; }
# no_leftovers: nothing but what was there (listed in $TMP/before) remains here
no_leftovers() { ls -A | sort >"$TMP/after"; cmp -s "$TMP/before" "$TMP/after"; }

to_full run "$MODEL" --no-db
if [ $rc -eq 1 ] && grep -q "cannot write to standard output: No space left on device" "$TMP/err"; then
    pass table_to_full_device
else
    fail table_to_full_device "exit $rc: $(cat "$TMP/err")"
fi
to_full run "$MODEL" --no-db --json -
if [ $rc -eq 1 ] && grep -q "standard output: No space left on device" "$TMP/err"; then pass json_stdout_to_full_device; else
    fail json_stdout_to_full_device "exit $rc: $(cat "$TMP/err")"; fi
for cmd in "runs" "show 1" "show 1 --json" "show 1 --model" "compare 1 2"; do
    # shellcheck disable=SC2086
    to_full $cmd --db runs.db
    name="$(echo "$cmd" | tr -d ' -')_to_full_device"
    if [ $rc -eq 1 ] && grep -q "standard output: No space left on device" "$TMP/err"; then pass "$name"; else
        fail "$name" "exit $rc: $(cat "$TMP/err")"; fi
done

mkdir full && cd full || exit 1
echo "the previous output" >kept.json
ls -A | sort >"$TMP/before"
full_disk 1 "$TWINSIM" run "$MODEL" --no-db --quiet --json kept.json
if [ $rc -eq 1 ] && grep -q "cannot write 'kept.json': File too large" "$TMP/err" &&
    [ "$(cat kept.json)" = "the previous output" ] && no_leftovers; then
    pass json_full_disk_keeps_old_file
else
    fail json_full_disk_keeps_old_file "exit $rc: $(cat "$TMP/err"); $(ls -A)"
fi
full_disk 1 "$TWINSIM" run "$MODEL" --no-db --quiet --json new.json
if [ $rc -eq 1 ] && [ ! -e new.json ] && no_leftovers; then pass json_full_disk_no_partial_file; else
    fail json_full_disk_no_partial_file "exit $rc: $(cat "$TMP/err"); $(ls -A)"; fi
full_disk 1 "$TWINSIM" run "$MODEL" --no-db --quiet --csv csv
if [ $rc -eq 1 ] && grep -q "File too large" "$TMP/err" && [ -z "$(ls -A csv 2>/dev/null)" ] &&
    [ "$(ls -A | grep -v '^csv$' | sort)" = "$(cat "$TMP/before")" ]; then
    pass csv_full_disk_no_partial_files
else
    fail csv_full_disk_no_partial_files "exit $rc: $(cat "$TMP/err"); $(ls -A . csv)"
fi
"$TWINSIM" run "$MODEL" --db full.db --quiet >/dev/null 2>&1
ls -A | sort >"$TMP/before"
# Room for the spill of 4 replications (a few KB) but not for the database's journal.
full_disk 8 "$TWINSIM" run "$MODEL" --db full.db --quiet
if [ $rc -eq 1 ] && grep -q "cannot record the run: .*'full.db'" "$TMP/err" && [ "$(sqlite3 full.db 'SELECT count(*) FROM runs')" = 1 ] &&
    [ "$(sqlite3 full.db 'PRAGMA integrity_check')" = ok ] && no_leftovers; then
    pass db_full_disk_records_nothing
else
    fail db_full_disk_records_nothing "exit $rc: $(cat "$TMP/err"); runs: $(sqlite3 full.db 'SELECT count(*) FROM runs' 2>&1)"
fi
cd "$TMP" || exit 1

# --- signals: SIGTERM and SIGINT stop a run at once; it then writes and records nothing ---------
ENDLESS=$(dirname "$MODEL")/endless.yaml
for sig in TERM INT; do
    if [ $sig = TERM ]; then num=15; else num=2; fi
    name="run_stops_on_sig$(echo $sig | tr 'A-Z' 'a-z')"
    mkdir "sig$sig" && cd "sig$sig" || exit 1
    sigtest "$sig" run "$ENDLESS" --db s.db --json s.json --csv csv --threads 2
    if [ "$rc" -eq $((128 + num)) ] && grep -q "interrupted by SIG$sig" "$TMP/err" &&
        grep -q "nothing was written or recorded" "$TMP/err" && [ -z "$(ls -A)" ]; then
        pass "$name"
    else
        fail "$name" "exit $rc: $(cat "$TMP/err"); left: $(ls -A)"
    fi
    cd "$TMP" || exit 1
done
# The automatic warm-up's pilots stop too.
sigtest TERM run "$ENDLESS" --warmup auto --no-db --threads 2
if [ "$rc" -eq 143 ] && grep -q "interrupted by SIGTERM" "$TMP/err"; then pass run_warmup_auto_stops; else
    fail run_warmup_auto_stops "exit $rc: $(cat "$TMP/err")"; fi

# --- memory does not grow with the replication count --------------------------------------------
# Peak resident memory (getrusage of the child; no timing) of 1,000 and of 100,000 replications
# of a tiny model. Keeping every replication's results (about 0.75 KB each) would add some 74 MB;
# folding them as they end adds nothing but noise (allocator pages, well under 4 MB). The child
# is started by a small C program: a child forked from python3 counts python's own pages in its
# peak, which would hide twinsim's.
TINY=$(dirname "$MODEL")/tiny.yaml
cat >"$TMP/peak.c" <<'EOF'
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
int main(int argc, char **argv)
{
    (void)argc;
    pid_t p = fork();
    if (p == 0) {
        dup2(open("/dev/null", O_WRONLY), 1);
        execv(argv[1], argv + 1);
        _exit(127);
    }
    int st;
    struct rusage ru;
    if (p < 0 || waitpid(p, &st, 0) != p || !WIFEXITED(st) || WEXITSTATUS(st) != 0) return 1;
    getrusage(RUSAGE_CHILDREN, &ru);
    printf("%ld\n", ru.ru_maxrss);
    return 0;
}
EOF
${CC:-cc} -O1 -o "$TMP/peak" "$TMP/peak.c" || echo "FAIL run_memory_helper: cannot build $TMP/peak.c"
peak() { "$TMP/peak" "$TWINSIM" run "$TINY" --quiet --threads 2 "$@"; }
small=$(peak --reps 1000 --no-db) && large=$(peak --reps 100000 --no-db)
if [ -n "$small" ] && [ -n "$large" ] && [ $((large - small)) -lt 4096 ]; then
    pass run_memory_flat
else
    fail run_memory_flat "peak RSS ${small:-?} KB at 1,000 replications, ${large:-?} KB at 100,000"
fi
# With a database and CSV files each replication's row waits on disk, not in memory: 10,000
# replications (about 8 MB of results) stay within 4 MB of 1,000, and no spill file is left.
mkdir mem && small=$(peak --reps 1000 --db mem/a.db --csv mem/a) &&
    large=$(peak --reps 10000 --db mem/b.db --csv mem/b)
if [ -n "$small" ] && [ -n "$large" ] && [ $((large - small)) -lt 4096 ] &&
    [ "$(sqlite3 mem/b.db 'SELECT count(*) FROM replications')" = 10000 ] &&
    [ "$(wc -l <mem/b/replications.csv)" -gt 10000 ] && [ "$(ls -A mem | tr '\n' ' ')" = "a a.db b b.db " ]; then
    pass run_memory_flat_with_db_and_csv
else
    fail run_memory_flat_with_db_and_csv "peak RSS ${small:-?} KB at 1,000 replications, ${large:-?} KB at 10,000; $(ls -A mem)"
fi

# --- model errors: exit 1, compiler-style diagnostics ---------------------------------------------
tw run missing.yaml --no-db
if [ $rc -eq 1 ] && grep -q "missing.yaml" "$TMP/err" && [ ! -s "$TMP/out" ]; then pass model_missing; else fail model_missing "exit $rc: $(cat "$TMP/err")"; fi
cat >bad.yaml <<'EOF'
name: bad
blocks:
  - source: arrivals
    interarrival: exponential(1)
    to: nowhere
  - convyor: belt
EOF
tw run bad.yaml --no-db
if [ $rc -eq 1 ] && grep -q "^bad.yaml:[0-9]*:[0-9]*: error: " "$TMP/err"; then pass model_errors_run; else fail model_errors_run "exit $rc: $(cat "$TMP/err")"; fi
tw check bad.yaml
if [ $rc -eq 1 ] && [ "$(grep -c "^bad.yaml:[0-9]*:[0-9]*: error: " "$TMP/err")" -ge 2 ]; then
    pass check_every_error
else
    fail check_every_error "exit $rc: $(cat "$TMP/err")"
fi
tw check "$MODEL"
if [ $rc -eq 0 ] && grep -q ": ok: model 'cli-line', 5 blocks" "$TMP/out"; then pass check_ok; else fail check_ok "exit $rc: $(cat "$TMP/out" "$TMP/err")"; fi
tw check "$MODEL" bad.yaml --quiet
if [ $rc -eq 1 ] && [ ! -s "$TMP/out" ]; then pass check_many; else fail check_many "exit $rc"; fi

# --- KPIs by product reach every output: JSON, CSV and the database ---------------------------
cat >products.yaml <<'EOF2'
name: two-products
time_unit: min
run: {horizon: 2000, replications: 3}
products: [a, b]
blocks:
  - source: in
    interarrival: exponential(1)
    product: {a: 0.25, b: 0.75}
    to: m
  - machine: m
    process: exponential(0.5)
    to: done
  - sink: done
EOF2
tw run products.yaml --json p.json --csv pcsv --db p.db --quiet
ok products_run
pycheck products_json p.json 'set(d["system"]["products"]) == {"a", "b"} and d["system"]["products"]["b"]["throughput"]["unit"] == "/min" and d["blocks"]["done"]["products"]["a"]["lead_time"]["unit"] == "min" and abs(d["system"]["products"]["a"]["throughput"]["mean"] + d["system"]["products"]["b"]["throughput"]["mean"] - d["system"]["throughput"]["mean"]) < 1e-9'
if grep -q '^system,products\.a\.lead_time,' pcsv/summary.csv &&
   grep -q '^0,done,products\.b\.throughput,' pcsv/replications.csv; then
    pass products_csv
else
    fail products_csv "$(grep products pcsv/summary.csv | head -n 3)"
fi
n=$(sqlite3 p.db "SELECT count(*) FROM summary_kpis WHERE kpi LIKE 'products.%'" 2>&1)
if [ "$n" = 8 ]; then pass products_db; else fail products_db "rows by product: $n (want 8: 2 products x 2 KPIs x system and sink)"; fi
exit 0
