#!/bin/sh
# bench/bench_experiment.sh: the experiment goals, side by side in one run.
#   1. parallel efficiency on 2 cores: 1,000 replications of the bottling line on 1 and on 2
#      threads (goal: T1 / (2 T2) >= 90%);
#   2. MPI: the same on `mpirun -n 2 twinsim-mpi` against 2 threads (goal: within 5%);
#   3. memory: peak RSS over 1,000, 10,000 and 100,000 replications (goal: flat).
# Each timing is the fastest of BENCH_REPEAT runs (default 5): on a shared machine the fastest
# run is the one least disturbed. Times are the experiment's own (JSON timing.wall_s). The results database is written as users run it.
#   BUILD          build folder (default build); twinsim-mpi is built with `make mpi` if absent
#   BENCH_REPS     replications for 1 and 2 (default 1000)
#   BENCH_HORIZON  override the bottling line's horizon (e.g. 48h) to lengthen replications
set -u
BUILD=${BUILD:-build}
REPEAT=${BENCH_REPEAT:-5}
REPS=${BENCH_REPS:-1000}
TW="$BUILD/twinsim"
MPI_BIN="$BUILD/twinsim-mpi"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/twinsim-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT INT TERM
[ -x "$TW" ] || { echo "bench_experiment: build '$TW' first (make)"; exit 1; }
MODEL="$(pwd)/examples/bottling-line.yaml"
HOR=""
[ -n "${BENCH_HORIZON:-}" ] && HOR="horizon: $BENCH_HORIZON"

exp_file() { # exp_file NAME REPS: one scenario (the model as it is), REPS replications
    cat >"$TMP/$1.yaml" <<EOF
model: $MODEL
$HOR
factors: {filler_buffer.capacity: [20]}
replications: $2
EOF
}

# best_of CMD...: the fastest of REPEAT runs, in seconds, as the experiment measured itself (the
# JSON's timing.wall_s: from reading the experiment file to writing the results, so process and
# mpirun start-up are left out). CMD must write its JSON to $TMP/b.json.
best_of() {
    best=""
    i=0
    while [ $i -lt "$REPEAT" ]; do
        rm -f "$TMP"/b.db* "$TMP/b.json"
        "$@" >/dev/null 2>"$TMP/err" || {
            echo "bench_experiment: failed: $* ($(head -c 200 "$TMP/err"))" >&2
            echo "nan"
            return
        }
        t=$(sed -n 's/.*"wall_s": \([0-9.e+-]*\).*/\1/p' "$TMP/b.json")
        best=$(awk -v a="$best" -v b="$t" 'BEGIN { print (a == "" || b < a) ? b : a }')
        i=$((i + 1))
    done
    echo "$best"
}

exp_file reps "$REPS"
printf 'twinsim experiment bench (%s replications of the bottling line, best of %s; load %s)\n' \
    "$REPS" "$REPEAT" "$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
J="--json $TMP/b.json"
t1=$(best_of "$TW" experiment "$TMP/reps.yaml" --threads 1 --db "$TMP/b.db" $J --quiet)
t2=$(best_of "$TW" experiment "$TMP/reps.yaml" --threads 2 --db "$TMP/b.db" $J --quiet)
eff=$(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.1f", 100 * a / (2 * b) }')
printf '  1 thread            %8.3f s\n  2 threads           %8.3f s   parallel efficiency %s%% (goal >= 90%%)\n' \
    "$t1" "$t2" "$eff"

if command -v mpirun >/dev/null 2>&1; then
    [ -x "$MPI_BIN" ] || make -s BUILD="$BUILD" mpi >/dev/null 2>&1
    MPIRUN="mpirun"
    if mpirun --version 2>&1 | grep -q "Open MPI"; then
        MPIRUN="mpirun --oversubscribe"
        export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
    fi
    if [ -x "$MPI_BIN" ]; then
        tm=$(best_of $MPIRUN -n 2 "$MPI_BIN" experiment "$TMP/reps.yaml" --db "$TMP/b.db" $J --quiet)
        ratio=$(awk -v a="$tm" -v b="$t2" 'BEGIN { printf "%+.1f", 100 * (a - b) / b }')
        printf '  mpirun -n 2         %8.3f s   vs 2 threads %s%% (goal within 5%%)\n' \
            "$tm" "$ratio"
    else
        echo "  mpirun -n 2         skipped: 'make mpi' did not build $MPI_BIN"
    fi
else
    echo "  mpirun -n 2         skipped: no mpirun"
fi

echo "  memory (peak RSS, 2 threads, results database on):"
for n in 1000 10000 100000; do
    exp_file "m$n" "$n"
    rm -f "$TMP"/b.db*
    /usr/bin/time -f "%M %e" -o "$TMP/mem" "$TW" experiment "$TMP/m$n.yaml" --threads 2 \
        --db "$TMP/b.db" --quiet >/dev/null 2>&1
    read -r kb secs <"$TMP/mem"
    printf '    %7d replications  %7d KB  %8.2f s\n' "$n" "$kb" "$secs"
done
