#!/bin/sh
# `twinsim experiment` and `twinsim optimize` end to end on tests/experiments/queue.yaml, whose
# optimum is known (Erlang C): results, the same bits for any thread count, errors before
# anything runs, Ctrl-C and kill -9 followed by --resume, SIGTERM and SIGINT during a replication
# that would never end, and the optimizer's answer.
. tests/cli/lib.inc
. tests/cli/signals.inc
# Every command is bounded in time: a hang is a failure, not a stuck test run.
tw() {
    timeout 300 "$TWINSIM" "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
}

EX=tests/experiments
# JSON without its one timing line (wall time, threads, ranks)
strip() { grep -v '"timing"' "$1"; }

# --- a comparison with a known best --------------------------------------------------------
tw experiment $EX/servers.yaml --threads 1 --no-db --json "$TMP/t1.json"
if [ "$rc" -eq 0 ] && grep -q '^best: scenario 1 (server.servers=6)' "$TMP/out"; then
    pass experiment_finds_known_best
else
    fail experiment_finds_known_best "exit $rc: $(tail -n 3 "$TMP/out") $(head -c 300 "$TMP/err")"
fi
if grep -q '"best": 1,' "$TMP/t1.json" 2>/dev/null && grep -q '"indistinguishable": \[\]' "$TMP/t1.json"; then
    pass experiment_json_names_best
else
    fail experiment_json_names_best "no best 1 with an empty indistinguishable set in the JSON"
fi
if [ ! -s "$TMP/err" ]; then pass experiment_no_progress_when_not_a_terminal; else
    fail experiment_no_progress_when_not_a_terminal "stderr: $(head -c 200 "$TMP/err")"; fi

# --- the same bits for 1, 2 and 8 threads ----------------------------------------------------
ok=1
for k in 2 8; do
    tw experiment $EX/servers.yaml --threads $k --no-db --json "$TMP/t$k.json" --quiet
    strip "$TMP/t1.json" >"$TMP/a"
    strip "$TMP/t$k.json" >"$TMP/b"
    if [ "$rc" -ne 0 ] || ! cmp -s "$TMP/a" "$TMP/b"; then ok=0; fi
done
if [ $ok -eq 1 ]; then pass experiment_threads_bit_identical; else
    fail experiment_threads_bit_identical "JSON differs between thread counts"; fi

# --- errors come before anything runs ---------------------------------------------------------
err_case() {
    name=$1 file=$2 text=$3
    tw experiment "$file" --db "$TMP/err.db" --json "$TMP/err.json"
    if [ "$rc" -eq 1 ] && grep -qxF -- "$text" "$TMP/err" && [ ! -e "$TMP/err.json" ] &&
        [ "$(sqlite3 "$TMP/err.db" 'SELECT count(*) FROM exp_reps' 2>/dev/null || echo 0)" = 0 ]; then
        pass "$name"
    else
        fail "$name" "exit $rc, stderr: $(cat "$TMP/err")"
    fi
}
err_case experiment_unknown_factor $EX/bad-factor.yaml \
    "$EX/bad-factor.yaml:3:3: error: unknown factor 'servr.servers': unknown block or operators pool 'servr' (did you mean 'server'?)"
err_case experiment_empty_range $EX/bad-range.yaml \
    "$EX/bad-range.yaml:3:20: error: factor 'server.servers' has an empty range: 'from' 8 is above 'to' 5"
err_case experiment_infeasible_constraint $EX/bad-constraint.yaml \
    "$EX/bad-constraint.yaml:4:55: error: constraint 'server.utilization >= 120%' cannot be met: 'server.utilization' is never above 1"

tw experiment
if [ "$rc" -eq 2 ] && grep -q "missing the experiment file" "$TMP/err"; then pass experiment_usage; else
    fail experiment_usage "exit $rc: $(cat "$TMP/err")"; fi

# --- Ctrl-C keeps finished replications; --resume ends where an uninterrupted run ends -------
tw experiment $EX/servers.yaml --threads 2 --db "$TMP/whole.db" --json "$TMP/whole.json" --quiet
TSIM_EXP_STOP_AFTER=9 timeout 300 "$TWINSIM" experiment $EX/servers.yaml --threads 2 --db "$TMP/int.db" \
    --json "$TMP/int.json" --quiet >"$TMP/out" 2>"$TMP/err"
rc=$?
kept=$(sqlite3 "$TMP/int.db" 'SELECT count(*) FROM exp_reps' 2>/dev/null || echo 0)
if [ "$rc" -eq 130 ] && [ "$kept" -ge 9 ] && [ ! -e "$TMP/int.json" ] &&
    grep -q "continue with --resume" "$TMP/err"; then
    pass experiment_interrupt_keeps_replications
else
    fail experiment_interrupt_keeps_replications "exit $rc, $kept rows: $(cat "$TMP/err")"
fi
tw experiment $EX/servers.yaml --threads 1 --db "$TMP/int.db" --json "$TMP/int.json" --resume --quiet
strip "$TMP/whole.json" >"$TMP/a"
strip "$TMP/int.json" >"$TMP/b" 2>/dev/null
if [ "$rc" -eq 0 ] && cmp -s "$TMP/a" "$TMP/b"; then pass experiment_resume_after_interrupt; else
    fail experiment_resume_after_interrupt "exit $rc, JSON differs: $(head -c 200 "$TMP/err")"; fi

# --- kill -9: committed rows survive (WAL), --resume still ends at the same result ------------
# TSIM_EXP_COMMIT_MS=0 commits every row as it arrives (the default groups rows for up to
# 20 ms): then all 13 finished replications must be on disk.
TSIM_EXP_COMMIT_MS=0 TSIM_EXP_KILL_AFTER=13 timeout 300 "$TWINSIM" experiment $EX/servers.yaml --threads 2 --db "$TMP/kill.db" \
    --quiet >/dev/null 2>&1
killed=$?
kept=$(sqlite3 "$TMP/kill.db" 'SELECT count(*) FROM exp_reps' 2>/dev/null || echo 0)
tw experiment $EX/servers.yaml --threads 2 --db "$TMP/kill.db" --json "$TMP/kill.json" --resume --quiet
strip "$TMP/whole.json" >"$TMP/a"
strip "$TMP/kill.json" >"$TMP/b" 2>/dev/null
# Every job finished before the kill is on disk: 13 rows, not one fewer.
if [ "$killed" -eq 137 ] && [ "$kept" -ge 13 ] && [ "$rc" -eq 0 ] && cmp -s "$TMP/a" "$TMP/b"; then
    pass experiment_resume_after_kill
else
    fail experiment_resume_after_kill "killed run exit $killed with $kept rows kept; resume exit $rc"
fi

# --- a signal during a replication that would never end ---------------------------------------
# Scenario 0 of endless.yaml ends at once, scenario 1 never would: SIGTERM once scenario 0's three
# replications are stored must end the run at once (exit 143), keep those three and nothing of
# the replication cut short, and leave a store that --resume reads back (stopped again by SIGINT).
ED="$TMP/endless.db"
SIGTEST_READY="[ \"\$(sqlite3 '$ED' 'SELECT count(*) FROM exp_reps' 2>/dev/null)\" = 3 ]" \
    sigtest TERM experiment $EX/endless.yaml --threads 2 --db "$ED" --json "$TMP/endless.json" --quiet
if [ "$rc" -eq 143 ] && grep -q "interrupted; 3 finished replications are kept in '$ED': continue with --resume" "$TMP/err" &&
    [ ! -e "$TMP/endless.json" ] && [ "$(sqlite3 "$ED" 'SELECT status FROM exp_runs')" = interrupted ] &&
    [ "$(sqlite3 "$ED" 'SELECT group_concat(scen || ":" || rep, " ") FROM exp_reps')" = "0:0 0:1 0:2" ] &&
    [ "$(sqlite3 "$ED" 'PRAGMA integrity_check')" = ok ]; then
    pass experiment_sigterm_stops_endless_replication
else
    fail experiment_sigterm_stops_endless_replication "exit $rc: $(cat "$TMP/err"); $(sqlite3 "$ED" 'SELECT status FROM exp_runs; SELECT count(*) FROM exp_reps' 2>&1)"
fi
SIGTEST_READY="[ \"\$(sqlite3 '$ED' 'SELECT status FROM exp_runs' 2>/dev/null)\" = running ]" \
    sigtest INT experiment $EX/endless.yaml --threads 1 --db "$ED" --resume --quiet
if [ "$rc" -eq 130 ] && grep -q "interrupted; 3 finished replications are kept" "$TMP/err" &&
    [ "$(sqlite3 "$ED" 'SELECT count(*) || " " || max(status) FROM exp_runs')" = "1 interrupted" ] &&
    [ "$(sqlite3 "$ED" 'SELECT count(*) FROM exp_reps')" = 3 ]; then
    pass experiment_sigint_resumed_run
else
    fail experiment_sigint_resumed_run "exit $rc: $(cat "$TMP/err")"
fi
SIGTEST_READY="[ \"\$(sqlite3 '$TMP/opt.db' 'SELECT count(*) FROM exp_runs' 2>/dev/null)\" = 1 ]" \
    sigtest TERM optimize $EX/endless.yaml --threads 2 --db "$TMP/opt.db" --quiet
if [ "$rc" -eq 143 ] && grep -q "twinsim optimize: interrupted" "$TMP/err" &&
    [ "$(sqlite3 "$TMP/opt.db" 'SELECT status FROM exp_runs')" = interrupted ]; then
    pass optimize_sigterm_stops_endless_replication
else
    fail optimize_sigterm_stops_endless_replication "exit $rc: $(cat "$TMP/err")"
fi

# --- a full disk: the JSON is written whole or not at all, and the command says so -------------
# `ulimit -f` caps the size of any file the process writes, as a full file system would.
ls -A "$TMP" | grep -v '\.ls$' | sort >"$TMP/before.ls"
sh -c 'ulimit -f 1; trap "" XFSZ; exec "$@"' sh "$TWINSIM" experiment $EX/servers.yaml --no-db \
    --json "$TMP/full.json" --quiet >"$TMP/out" 2>"$TMP/err"
rc=$?
ls -A "$TMP" | grep -v '\.ls$' | sort >"$TMP/after.ls"
if [ "$rc" -eq 1 ] && grep -q "cannot write '$TMP/full.json': File too large" "$TMP/err" &&
    cmp -s "$TMP/before.ls" "$TMP/after.ls"; then
    pass experiment_json_full_disk
else
    fail experiment_json_full_disk "exit $rc: $(cat "$TMP/err"); $(diff "$TMP/before.ls" "$TMP/after.ls")"
fi
"$TWINSIM" experiment $EX/servers.yaml --no-db >/dev/full 2>"$TMP/err"
rc=$?
if [ "$rc" -eq 1 ] && grep -q "standard output: No space left on device" "$TMP/err"; then
    pass experiment_table_to_full_device
else
    fail experiment_table_to_full_device "exit $rc: $(cat "$TMP/err")"
fi

# --- the optimizer finds the known optimum, the same way on any thread count ------------------
tw optimize $EX/optimize-servers.yaml --threads 2 --no-db --json "$TMP/o2.json"
best=$(sed -n 's/^best: scenario [0-9]* (server.servers=\([0-9]*\)).*/\1/p' "$TMP/out")
if [ "$rc" -eq 0 ] && [ "$best" = 6 ] && grep -q '^search path' "$TMP/out"; then
    pass optimize_finds_known_optimum
else
    fail optimize_finds_known_optimum "exit $rc, best '$best': $(head -c 300 "$TMP/err")"
fi
tw optimize $EX/optimize-servers.yaml --threads 1 --no-db --json "$TMP/o1.json" --quiet
strip "$TMP/o1.json" >"$TMP/a"
strip "$TMP/o2.json" >"$TMP/b"
if [ "$rc" -eq 0 ] && cmp -s "$TMP/a" "$TMP/b"; then pass optimize_threads_bit_identical; else
    fail optimize_threads_bit_identical "JSON differs between 1 and 2 threads"; fi
exit 0
