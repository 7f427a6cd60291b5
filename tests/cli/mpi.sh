#!/bin/sh
# The MPI farm: `mpirun -n 3 twinsim-mpi experiment|optimize` on loopback gives the same JSON,
# bit for bit (timing line aside), as the plain command on 1, 2 and 8 threads; a rank that dies
# mid-run ends the job with an error instead of a hang. Two legs: the default MPI (`mpicc` and
# `mpirun`; MPICH in CI) with build/twinsim-mpi, then the other of Debian's two MPIs when it is
# installed as well (Open MPI as mpicc.openmpi and mpirun.openmpi, or MPICH as mpicc.mpich and
# mpirun.mpich), built with `make BUILD=build/<flavour> MPICC=mpicc.<flavour> mpi`; then the
# default build under the other's mpirun, which must refuse to run. Each leg builds its
# twinsim-mpi if needed.
# Prints SKIP when an MPI is absent; with TSIM_REQUIRE_MPI=1 (CI) that is a FAIL instead.
. tests/cli/lib.inc
# Under ASan, MPICH's dynamically loaded parts leak about 1 KB at exit (frames in an unloaded
# module, so no suppression can name them). Leak checking stays on for every other test, which
# run the same experiment code without MPI; here it is off, the other ASan checks stay on.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
# Open MPI refuses to run as root unless told (CI runs as root); MPICH ignores these.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

EX=tests/experiments
BUILD=${BUILD:-build}
skip_or_fail() { # skip_or_fail NAME WHY
    if [ "${TSIM_REQUIRE_MPI:-0}" = 1 ]; then fail "$1" "$2"; else echo "SKIP $1: $2"; fi
}
strip() { grep -v '"timing"' "$1"; }
# Open MPI's launcher says "Open MPI" or, in 4.x, "OpenRTE" and open-mpi.org; MPICH's says HYDRA.
is_openmpi() { "$1" --version 2>&1 | grep -qiE 'open ?mpi|open-mpi|openrte'; }
# how RC SECONDS: what a failed bounded run did, for the FAIL line. Only exit 124 is a hang; an
# empty stderr with another exit means the launcher ended the job but its output was lost.
how() {
    if [ "$1" -eq 124 ]; then echo "hung until the timeout (${2} s)"
    else echo "exit $1 after ${2} s"; fi
}
# mpirun forwards its standard input to rank 0; a closed one (CI runs with none) can keep
# MPICH's launcher from noticing a dead rank, so every run reads /dev/null.
exec </dev/null

# leg PREFIX MPIRUN MPI_BIN: every check, with test names starting PREFIX. Every command is
# bounded in time: a hang is a failure, not a stuck test run.
leg() {
    p=$1 run=$2 bin=$3
    # Open MPI refuses more ranks than cores unless told; MPICH needs no flag.
    if is_openmpi "$run"; then run="$run --oversubscribe"; fi

    same_as_threads() {
        name=$1 cmd=$2 file=$3
        timeout 300 $run -n 3 "$bin" $cmd "$file" --no-db --quiet --json "$TMP/mpi.json" \
            >"$TMP/out" 2>"$TMP/err"
        mrc=$?
        strip "$TMP/mpi.json" >"$TMP/b" 2>/dev/null
        ok=1
        for k in 1 2 8; do
            [ -s "$TMP/t$k-$cmd.json" ] || timeout 300 "$TWINSIM" $cmd "$file" --threads $k \
                --no-db --quiet --json "$TMP/t$k-$cmd.json" >/dev/null 2>&1 || ok=0
            strip "$TMP/t$k-$cmd.json" >"$TMP/a"
            cmp -s "$TMP/a" "$TMP/b" || ok=0
        done
        if [ $mrc -eq 0 ] && [ $ok -eq 1 ] && grep -q '"ranks": 3' "$TMP/mpi.json"; then
            pass "$name"
        else
            fail "$name" "mpirun exit $mrc, JSON equal to threads: $ok; $(head -c 300 "$TMP/err")"
        fi
    }
    same_as_threads "${p}experiment_bit_identical" experiment $EX/servers.yaml
    same_as_threads "${p}optimize_bit_identical" optimize $EX/optimize-servers.yaml

    # A database and --resume work on rank 0 as on one process.
    rm -f "$TMP"/m.db*
    timeout 300 $run -n 3 "$bin" experiment $EX/servers.yaml --db "$TMP/m.db" --quiet \
        --json "$TMP/m.json" >/dev/null 2>"$TMP/err"
    mrc=$?
    rows=$(sqlite3 "$TMP/m.db" 'SELECT count(*) FROM exp_reps' 2>/dev/null || echo 0)
    total=$(sed -n 's/.*"replications_total": \([0-9]*\).*/\1/p' "$TMP/m.json" 2>/dev/null)
    if [ $mrc -eq 0 ] && [ "$rows" = "$total" ] && [ "$rows" -gt 0 ]; then pass "${p}database"
    else fail "${p}database" "exit $mrc, $rows rows for $total replications: $(head -c 200 "$TMP/err")"
    fi

    # A rank that dies after its first job (by SIGKILL): the launcher ends the job with an
    # error naming the signal (MPICH: "Killed (signal 9)", Open MPI: "exited on signal 9"), at once.
    t0=$(date +%s)
    TSIM_MPI_TEST_DIE_RANK=2 timeout 120 $run -n 3 "$bin" experiment \
        $EX/servers.yaml --no-db --quiet >"$TMP/out" 2>"$TMP/err"
    mrc=$?
    if [ $mrc -ne 0 ] && [ $mrc -ne 124 ] && cat "$TMP/out" "$TMP/err" | grep -q "signal 9"; then
        pass "${p}dying_rank_is_an_error"
    else
        fail "${p}dying_rank_is_an_error" \
            "$(how $mrc $(($(date +%s) - t0))), stderr: '$(head -c 300 "$TMP/err")'"
    fi
    # A rank that hangs: rank 0 gives up after TSIM_MPI_TIMEOUT seconds, naming it, and aborts.
    t0=$(date +%s)
    TSIM_MPI_TEST_HANG_RANK=2 TSIM_MPI_TIMEOUT=5 timeout 120 $run -n 3 "$bin" experiment \
        $EX/servers.yaml --no-db --quiet >"$TMP/out" 2>"$TMP/err"
    mrc=$?
    if [ $mrc -ne 0 ] && [ $mrc -ne 124 ] &&
        grep -q "rank 2 has returned nothing for [0-9]* s" "$TMP/err"; then
        pass "${p}silent_rank_times_out"
    else
        fail "${p}silent_rank_times_out" \
            "$(how $mrc $(($(date +%s) - t0))), stderr: '$(head -c 300 "$TMP/err")'"
    fi
}

# build MPICC BUILD_DIR: BUILD_DIR/twinsim-mpi, built unless newer than the plain command.
jobs=1
build() {
    if [ ! -x "$2/twinsim-mpi" ] || [ "$2/twinsim-mpi" -ot "$TWINSIM" ]; then
        locked_make "$2" -s -j"$jobs" BUILD="$2" MPICC="$1" mpi >"$TMP/make.log" 2>&1
    fi
    [ -x "$2/twinsim-mpi" ]
}
have_mpi() { command -v "$1" >/dev/null 2>&1 && command -v "$2" >/dev/null 2>&1; }
# The other Debian MPI, for leg 2.
if is_openmpi mpirun; then other=mpich pkgs="mpich libmpich-dev"
else other=openmpi pkgs="openmpi-bin libopenmpi-dev"; fi

# `sh tests/cli/mpi.sh --build` builds each leg's twinsim-mpi that is missing or older than the
# command, TSIM_MAKE_JOBS compiles at once (default 2), and runs nothing: scripts/test.sh does
# this before the suite, where the builds have the cores, so that the suite's run finds them made.
if [ "${1:-}" = --build ]; then
    jobs=${TSIM_MAKE_JOBS:-2}
    ok=0
    if have_mpi mpicc mpirun; then build mpicc "$BUILD" || ok=1; fi
    if have_mpi "mpicc.$other" "mpirun.$other"; then build "mpicc.$other" "$BUILD/$other" || ok=1; fi
    [ $ok -eq 0 ] || cat "$TMP/make.log"
    exit $ok
fi

# Leg 1: the default MPI, as `make mpi` and `mpirun` give it.
if ! command -v mpirun >/dev/null 2>&1; then
    skip_or_fail mpi "mpirun not found (apt-get install mpich libmpich-dev)"
    exit 0
fi
if ! build mpicc "$BUILD"; then
    fail mpi_build "no $BUILD/twinsim-mpi after 'make mpi': $(tail -n 5 "$TMP/make.log")"
    exit 0
fi
leg mpi_ mpirun "$BUILD/twinsim-mpi"

# Leg 2: the other Debian MPI, by its own names.
if ! have_mpi "mpicc.$other" "mpirun.$other"; then
    skip_or_fail "mpi_$other" "mpicc.$other or mpirun.$other not found (apt-get install $pkgs)"
    exit 0
fi
if ! build "mpicc.$other" "$BUILD/$other"; then
    fail "mpi_${other}_build" \
        "no $BUILD/$other/twinsim-mpi after 'make mpi': $(tail -n 5 "$TMP/make.log")"
    exit 0
fi
leg "mpi_${other}_" "mpirun.$other" "$BUILD/$other/twinsim-mpi"

# The default build under the other MPI's launcher: every process would see itself alone and
# run the whole experiment; it must refuse, saying why, instead.
run="mpirun.$other"
if is_openmpi "$run"; then run="$run --oversubscribe"; fi
timeout 120 $run -n 2 "$BUILD/twinsim-mpi" experiment $EX/servers.yaml --no-db --quiet \
    --json "$TMP/x.json" >"$TMP/out" 2>"$TMP/err"
mrc=$?
if [ $mrc -ne 0 ] && [ $mrc -ne 124 ] && [ ! -s "$TMP/x.json" ] &&
    grep -q "built with another MPI than this mpirun" "$TMP/err"; then
    pass mpi_mismatched_launcher_is_an_error
else
    fail mpi_mismatched_launcher_is_an_error "exit $mrc: $(head -c 300 "$TMP/err")"
fi
exit 0
