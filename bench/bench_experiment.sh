#!/bin/sh
# bench/bench_experiment.sh: the experiment goals, side by side in one run.
#   1. parallel efficiency on 2 cores: 1,000 replications of the bottling line on 1 and on 2
#      threads (goal: T1 / (2 T2) >= 90%); beside it, the machine's own ceiling: two independent
#      1-thread runs at once (on a shared host the second core is not always a whole one);
#   2. MPI: the same on `mpirun -n 2 twinsim-mpi` against 2 threads (goal: within 5%), and on
#      Open MPI's `mpirun.openmpi -n 2` too where both MPIs are installed (Debian names);
#   3. memory: peak RSS over 1,000, 10,000 and 100,000 replications (goal: flat).
# Each timing is the fastest of BENCH_REPEAT rounds (default 9); every round runs each
# configuration once, in turn, so that a busy spell on a shared machine hits them alike.
# Three columns: the experiment's own time (JSON timing.wall_s, from reading the experiment file
# to writing the results; process and MPI start-up are left out), which the goals use; the
# process's wall time, start-up included; and its CPU time (user + sys; for MPI that of mpirun
# and every rank), each the least of the rounds. The results database is written as users run it.
# For an MPI run it also prints the ranks' own account (TSIM_MPI_STATS) from its fastest round.
#   BUILD          build folder (default build); twinsim-mpi is built with `make mpi` if absent
#   BENCH_REPS     replications for 1 and 2 (default 1000)
#   BENCH_HORIZON  override the bottling line's horizon (e.g. 48h) to lengthen replications
#   BENCH_REPEAT   rounds (default 9)
# shellcheck disable=SC2154 # the per-configuration variables (cmd_m, exp_t2, ...) are set by eval
set -u
BUILD=${BUILD:-build}
REPEAT=${BENCH_REPEAT:-9}
REPS=${BENCH_REPS:-1000}
TW="$BUILD/twinsim"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/twinsim-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT INT TERM
[ -x "$TW" ] || { echo "bench_experiment: build '$TW' first (make)"; exit 1; }
if [ ! -x /usr/bin/time ]; then
    echo "bench_experiment: needs /usr/bin/time (apt-get install time)"
    exit 1
fi
MODEL="$(pwd)/examples/bottling-line.yaml"
HOR=""
[ -n "${BENCH_HORIZON:-}" ] && HOR="horizon: $BENCH_HORIZON"
# Open MPI refuses root, and more ranks than cores, unless told; MPICH ignores these.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
is_openmpi() { "$1" --version 2>&1 | grep -qiE 'open ?mpi|open-mpi|openrte'; }

exp_file() { # exp_file NAME REPS: one scenario (the model as it is), REPS replications
    cat >"$TMP/$1.yaml" <<EOF
model: $MODEL
$HOR
factors: {filler_buffer.capacity: [20]}
replications: $2
EOF
}

# The configurations: a name and a command (run with the experiment's arguments after it).
NAMES=""
add() { # add NAME COMMAND...
    n=$1
    shift
    NAMES="$NAMES $n"
    eval "cmd_$n=\$*"
    eval "exp_$n= proc_$n= cpu_$n= stats_$n= all_$n="
}
add t1 "$TW experiment $TMP/reps.yaml --threads 1"
add t2 "$TW experiment $TMP/reps.yaml --threads 2"
add p "(two at once)"
MPI_NOTE=""
if command -v mpirun >/dev/null 2>&1; then
    [ -x "$BUILD/twinsim-mpi" ] || make -s BUILD="$BUILD" mpi >/dev/null 2>&1
    flags=""
    is_openmpi mpirun && flags="--oversubscribe"
    if [ -x "$BUILD/twinsim-mpi" ]; then
        add m "mpirun $flags -n 2 $BUILD/twinsim-mpi experiment $TMP/reps.yaml"
    else
        MPI_NOTE="  mpirun -n 2         skipped: 'make mpi' did not build $BUILD/twinsim-mpi"
    fi
else
    MPI_NOTE="  mpirun -n 2         skipped: no mpirun"
fi
# Open MPI by its Debian names, unless it is the default already.
if command -v mpirun.openmpi >/dev/null 2>&1 && command -v mpicc.openmpi >/dev/null 2>&1 &&
    ! is_openmpi mpirun; then
    O="$BUILD/openmpi/twinsim-mpi"
    [ -x "$O" ] || make -s BUILD="$BUILD/openmpi" MPICC=mpicc.openmpi mpi >/dev/null 2>&1
    [ -x "$O" ] && add o "mpirun.openmpi --oversubscribe -n 2 $O experiment $TMP/reps.yaml"
fi

# run NAME: one run; keeps the least experiment time, process time and CPU time, and the MPI
# ranks' account from the run with the least experiment time.
run() {
    eval "c=\$cmd_$1"
    rm -f "$TMP"/b.db* "$TMP/b.json"
    # shellcheck disable=SC2086
    TSIM_MPI_STATS=1 /usr/bin/time -f "%e %U %S" -o "$TMP/time" $c --db "$TMP/b.db" \
        --json "$TMP/b.json" --quiet >/dev/null 2>"$TMP/err" || {
        echo "bench_experiment: failed: $c ($(head -c 200 "$TMP/err"))" >&2
        return
    }
    t=$(sed -n 's/.*"wall_s": \([0-9.e+-]*\).*/\1/p' "$TMP/b.json")
    eval "all_$1=\"\$all_$1 \$t\""
    read -r pw us sy <"$TMP/time"
    cpu=$(awk -v u="$us" -v s="$sy" 'BEGIN { print u + s }')
    eval "old=\$exp_$1"
    if [ -z "$old" ] || awk -v a="$t" -v b="$old" 'BEGIN { exit !(a < b) }'; then
        eval "exp_$1=\$t"
        eval "stats_$1=\$(grep '^twinsim: rank' \"\$TMP/err\" | sort | sed 's/^twinsim: /      /')"
    fi
    for v in "proc:$pw" "cpu:$cpu"; do
        k=${v%%:*} x=${v#*:}
        eval "old=\$${k}_$1"
        if [ -z "$old" ] || awk -v a="$x" -v b="$old" 'BEGIN { exit !(a < b) }'; then
            eval "${k}_$1=\$x"
        fi
    done
}

# run_pair: two 1-thread runs of the same experiment at once, each with its own files; keeps the
# later of the two experiment times (the time the pair took), and its CPU time.
run_pair() {
    rm -f "$TMP"/p1.db* "$TMP"/p2.db* "$TMP/p1.json" "$TMP/p2.json"
    /usr/bin/time -f "%e %U %S" -o "$TMP/ptime" "$TW" experiment "$TMP/reps.yaml" --threads 1 \
        --db "$TMP/p1.db" --json "$TMP/p1.json" --quiet >/dev/null 2>&1 &
    "$TW" experiment "$TMP/reps.yaml" --threads 1 --db "$TMP/p2.db" --json "$TMP/p2.json" \
        --quiet >/dev/null 2>&1
    wait
    a=$(sed -n 's/.*"wall_s": \([0-9.e+-]*\).*/\1/p' "$TMP/p1.json")
    b=$(sed -n 's/.*"wall_s": \([0-9.e+-]*\).*/\1/p' "$TMP/p2.json")
    [ -n "$a" ] && [ -n "$b" ] || { echo "bench_experiment: a run of the pair failed" >&2; return; }
    t=$(awk -v a="$a" -v b="$b" 'BEGIN { print (a > b ? a : b) }')
    all_p="$all_p $t"
    if [ -z "$exp_p" ] || awk -v a="$t" -v b="$exp_p" 'BEGIN { exit !(a < b) }'; then exp_p=$t; fi
}

exp_file reps "$REPS"
printf 'twinsim experiment bench (%s replications of the bottling line, best of %s; load %s)\n' \
    "$REPS" "$REPEAT" "$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
i=0
while [ $i -lt "$REPEAT" ]; do
    for n in $NAMES; do
        if [ "$n" = p ]; then run_pair; else run "$n"; fi
    done
    i=$((i + 1))
done

line() { # line NAME LABEL: the three columns
    eval "e=\${exp_$1:-nan} p=\${proc_$1:-nan} c=\${cpu_$1:-nan}"
    printf '  %-20s %8.3f s %8.3f s %8.3f s' "$2" "$e" "$p" "$c"
}
vs_t2() { awk -v a="$1" -v b="$exp_t2" 'BEGIN { printf "%+.1f", 100 * (a - b) / b }'; }
# median_pair A B EXPR: the median over rounds of EXPR (of a[i] and b[i], the times of A and B in
# round i, which ran one right after the other under the same load): steadier than best-of-N on
# a shared machine.
median_pair() {
    eval "xa=\$all_$1 xb=\$all_$2"
    awk -v xa="$xa" -v xb="$xb" "BEGIN {
        n = split(xa, a, \" \"); split(xb, b, \" \")
        for (i = 1; i <= n; i++) r[i] = $3
        for (i = 2; i <= n; i++)
            for (j = i; j > 1 && r[j] < r[j - 1]; j--) { t = r[j]; r[j] = r[j - 1]; r[j - 1] = t }
        printf \"%.1f\", n % 2 ? r[(n + 1) / 2] : (r[n / 2] + r[n / 2 + 1]) / 2 }"
}
printf '  %-20s %10s %10s %10s\n' "" experiment process CPU
line t1 "1 thread"
echo
line t2 "2 threads"
printf '   parallel efficiency %s%% (goal >= 90%%); median of rounds %s%%\n' \
    "$(awk -v a="$exp_t1" -v b="$exp_t2" 'BEGIN { printf "%.1f", 100 * a / (2 * b) }')" \
    "$(median_pair t1 t2 '100 * a[i] / (2 * b[i])')"
# The ceiling: what the machine gives two independent processes. Where it is below 100%, no
# scheduling of ours can reach 100% either.
printf '  %-20s %8.3f s   the machine'"'"'s own ceiling for 2 cores: T1 / T(pair) = %s%%; median of rounds %s%%\n' \
    "two 1-thread at once" "${exp_p:-nan}" \
    "$(awk -v a="$exp_t1" -v b="${exp_p:-0}" 'BEGIN { printf "%.1f", (b > 0 ? 100 * a / b : 0) }')" \
    "$(median_pair t1 p '100 * a[i] / b[i]')"
case " $NAMES " in
*" m "*)
    line m "mpirun -n 2"
    printf '   vs 2 threads %s%% (goal within 5%%); median of rounds %+.1f%%\n' \
        "$(vs_t2 "$exp_m")" "$(median_pair m t2 '100 * (a[i] - b[i]) / b[i]')"
    [ -n "$stats_m" ] && echo "$stats_m"
    ;;
*) echo "$MPI_NOTE" ;;
esac
case " $NAMES " in
*" o "*)
    line o "mpirun.openmpi -n 2"
    printf '   vs 2 threads %s%% (Open MPI); median of rounds %+.1f%%\n' \
        "$(vs_t2 "$exp_o")" "$(median_pair o t2 '100 * (a[i] - b[i]) / b[i]')"
    [ -n "$stats_o" ] && echo "$stats_o"
    ;;
esac

echo "  memory (peak RSS, 2 threads, results database on):"
for n in 1000 10000 100000; do
    exp_file "m$n" "$n"
    rm -f "$TMP"/b.db*
    /usr/bin/time -f "%M %e" -o "$TMP/mem" "$TW" experiment "$TMP/m$n.yaml" --threads 2 \
        --db "$TMP/b.db" --quiet >/dev/null 2>&1
    read -r kb secs <"$TMP/mem"
    printf '    %7d replications  %7d KB  %8.2f s\n' "$n" "$kb" "$secs"
done
