#!/bin/sh
# bench/run.sh: every benchmark in one run, twinsim side by side with its peers, as ratios.
# `make bench` calls it with BUILD set; it never runs as part of `make test`.
#
#   BUILD        build folder of the library (default build); bench programs go to BUILD/bench
#   BENCH_SCALE  multiplies the model sizes (default 1: 10^6 customers / parts, T = 130,000),
#                the same for every engine so that the ratios stay fair; 0.1 for a quick look
#   BENCH_SEED   seed of every engine's run (default 1)
#   BENCH_REPEAT runs of each model per engine, the fastest kept (default 3; same seed, so the
#                same KPIs): on a shared machine the fastest run is the one least disturbed
#   SIMPY_PATH   folder holding the `simpy` package of SimPy 3 or 4 (a source tree's src/);
#                put first on PYTHONPATH. Unset: an installed simpy, if it is SimPy 3 or 4
#   PYTHON       the interpreter for SimPy (default /usr/bin/python3, else python3)
#   BENCH_SIMPY_IDIOMS  which SimPy programs run: both (default), tuned or process.
#                tuned: bench/simpy_<model>.py, a Store per queue and a process per server,
#                the fastest idiom we know; process: bench/simpy_<model>_process.py, a process
#                per customer / part / job requesting a Resource, the idiom SimPy's
#                documentation teaches and 1.6 to 2.2 times slower; tuned skips it
#   BENCH_STARTUP_RUNS  runs in one timed loop of the start-up check (default 200)
#   CIMBA_DIR    a built cimba 3.x tree (include/, src/, and libcimba under build/src, build,
#                lib or the top; CIMBA_LIBDIR names the library's folder explicitly). Unset:
#                cimba is not run
#
# Wall times are measured inside each program: from building the model to having its results,
# interpreter start-up excluded. Ratios are the peer's wall time over twinsim's.
set -u

BUILD=${BUILD:-build}
SCALE=${BENCH_SCALE:-1}
SEED=${BENCH_SEED:-1}
REPEAT=${BENCH_REPEAT:-3}
IDIOMS=${BENCH_SIMPY_IDIOMS:-both}
case $IDIOMS in
    both|tuned|process) ;;
    *) printf 'bench: BENCH_SIMPY_IDIOMS is '\''%s'\'', not both, tuned or process\n' "$IDIOMS" >&2
       exit 2 ;;
esac
CC=${CC:-cc}
OUT=$BUILD/bench
mkdir -p "$OUT" || exit 1

# The project's optimisation flags (the Makefile's OPT), so that twinsim runs as it is built;
# warnings are errors when the bench programs compile, not when they link (link-time
# optimisation would report the library's own warnings there a second time).
OPT_B=$(printf 'bench-print-opt:\n\t@echo $(OPT)\n' |
        make -s --no-print-directory BUILD="$BUILD" -f Makefile -f - bench-print-opt 2> /dev/null)
OPT_B=${OPT_B:--O2 -g}
WARN_B="-Wall -Wextra -Wshadow -Wstrict-prototypes -Werror"
CFLAGS_B="-std=c11 -O2 -g $WARN_B -D_GNU_SOURCE"
LIBS=""
# As the Makefile links: libmosquitto and libmicrohttpd are opened when first used.
for p in libfyaml sqlite3 lua5.4; do
    if pkg-config --exists "$p" 2>/dev/null; then
        LIBS="$LIBS $(pkg-config --libs "$p")"
    fi
done
LIBS="$LIBS -ldl -lm -lpthread"
# The storage block's stock files are read with libcsv (no pkg-config file), as the Makefile links.
LIBS="$LIBS -lcsv"

N=$(awk -v s="$SCALE" 'BEGIN { n = int(1000000 * s + 0.5); if (n < 1000) n = 1000; print n }')
T=$(awk -v s="$SCALE" 'BEGIN { t = 130000 * s; if (t < 1000) t = 1000; printf "%.0f", t }')
HOLDS=$(awk -v s="$SCALE" 'BEGIN { h = int(2000000 * s); if (h < 100000) h = 100000; print h }')

say() { printf '%s\n' "$*"; }
indent() { sed 's/^/    /' "$1" | grep -v '^    RESULT '; }
# The value of KEY on the RESULT line of FILE (first match), or nothing.
getv() { grep '^RESULT' "$1" 2>/dev/null | head -n 1 | tr ' ' '\n' | sed -n "s/^$2=//p"; }
# getv over the RESULT line that also carries FIELD=VALUE.
getv_where() { grep "^RESULT.* $2=$3\( \|$\)" "$1" 2>/dev/null | head -n 1 | tr ' ' '\n' |
               sed -n "s/^$4=//p"; }

# Run "$@" once into FILE.try; keep it as FILE when its wall time is the smallest so far, and
# keep the smallest CPU time so far in FILE.cpu. Returns nonzero when the program fails (its
# output is then in FILE).
try_run() {
    file=$1; shift
    if ! "$@" > "$file.try" 2>&1; then
        mv "$file.try" "$file"; return 1
    fi
    w=$(getv "$file.try" wall); c=$(getv "$file.try" cpu)
    if [ ! -f "$file" ] || awk -v a="$w" -v b="$(getv "$file" wall)" 'BEGIN { exit !(a + 0 < b + 0) }'; then
        cp "$file.try" "$file"
    fi
    if [ ! -f "$file.cpu" ] || awk -v a="$c" -v b="$(cat "$file.cpu")" 'BEGIN { exit !(a + 0 < b + 0) }'; then
        printf '%s\n' "$c" > "$file.cpu"
    fi
    rm -f "$file.try"
}

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
say "twinsim bench  $(date -u '+%Y-%m-%d %H:%M UTC')  ${cpu:-unknown cpu}, $(nproc 2>/dev/null || echo '?') cores"
say "scale $SCALE: M/M/1 $N customers, serial line $N parts, job shop to T = $T; seed $SEED;" \
    "fastest of $REPEAT runs per engine; load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
say ""

# ---- build ------------------------------------------------------------------------------
if [ ! -f "$BUILD/libtwinsim.a" ]; then
    make -s BUILD="$BUILD" "$BUILD/libtwinsim.a" || { say "bench: the library does not build"; exit 1; }
fi
LIB="$BUILD/libtwinsim.a"
built=""
for prog in bench_models bench_calendar bench_yaml bench_ceiling bench_rules bench_logic bench_env; do
    if $CC -std=c11 $OPT_B $WARN_B -D_GNU_SOURCE -Iinclude -Isrc -c "bench/$prog.c" \
            -o "$OUT/$prog.o" 2> "$OUT/$prog.build" &&
       $CC $OPT_B "$OUT/$prog.o" "$LIB" $LIBS -o "$OUT/$prog" 2>> "$OUT/$prog.build"; then
        built="$built $prog"
    else
        say "bench: $prog does not build:"; sed 's/^/    /' "$OUT/$prog.build"
    fi
done
has() { case " $built " in *" $1 "*) return 0 ;; esac; return 1; }

# ---- SimPy ------------------------------------------------------------------------------
PY=${PYTHON:-}
if [ -z "$PY" ]; then
    if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY=python3; fi
fi
if [ -n "${SIMPY_PATH:-}" ]; then
    PYTHONPATH="$SIMPY_PATH${PYTHONPATH:+:$PYTHONPATH}"
    export PYTHONPATH
fi
simpy_api=$("$PY" -c '
import simpy
if hasattr(simpy, "Environment"):
    print("4")
else:
    print("2")' 2> /dev/null)
simpy_ver=$("$PY" -c '
import simpy
v = getattr(simpy, "__version__", "")
if not v:
    try:
        from importlib import metadata
        v = metadata.version("simpy")
    except Exception:
        v = ""
print(v)' 2> /dev/null)
if [ -z "$simpy_ver" ] && [ -n "${SIMPY_PATH:-}" ] && [ -f "$SIMPY_PATH/../CHANGES.rst" ]; then
    simpy_ver=$(grep -m 1 -E '^[0-9]+\.[0-9]+\.[0-9]+' "$SIMPY_PATH/../CHANGES.rst" | cut -d' ' -f1)
fi
SIMPY=0
case "$simpy_api" in
    4) SIMPY=1; say "SimPy ${simpy_ver:-(version unknown, SimPy 3/4 API)} via $PY${SIMPY_PATH:+ from $SIMPY_PATH}," \
                    "idioms: $IDIOMS (BENCH_SIMPY_IDIOMS)" ;;
    2) simpy_skip="the simpy found is SimPy ${simpy_ver:-2.x} (the old Simulation API); the models in bench/simpy_*.py are written for SimPy 3/4: set SIMPY_PATH to a SimPy 4 source tree's src/ folder" ;;
    *) simpy_skip="no simpy module for $PY (set SIMPY_PATH to a SimPy 4 source tree's src/ folder)" ;;
esac
[ "$SIMPY" = 1 ] || say "SimPy skipped: $simpy_skip"
# The two SimPy programs: simpy runs bench/simpy_<model>.py, simpyproc bench/simpy_<model>_process.py.
SIMPY_T=0; SIMPY_P=0
if [ "$SIMPY" = 1 ]; then
    [ "$IDIOMS" = process ] || SIMPY_T=1
    [ "$IDIOMS" = tuned ] || SIMPY_P=1
fi

# ---- cimba ------------------------------------------------------------------------------
CIMBA=0
if [ -n "${CIMBA_DIR:-}" ]; then
    libdir=${CIMBA_LIBDIR:-}
    if [ -z "$libdir" ]; then
        for d in build/src build lib lib64 lib/x86_64-linux-gnu .; do
            if [ -e "$CIMBA_DIR/$d/libcimba.so" ] || [ -e "$CIMBA_DIR/$d/libcimba.a" ]; then
                libdir="$CIMBA_DIR/$d"; break
            fi
        done
    fi
    if [ ! -f "$CIMBA_DIR/include/cimba.h" ]; then
        cimba_skip="no include/cimba.h under CIMBA_DIR=$CIMBA_DIR"
    elif [ -z "$libdir" ]; then
        cimba_skip="no libcimba under CIMBA_DIR=$CIMBA_DIR (set CIMBA_LIBDIR)"
    else
        CIMBA=1
        for m in mm1 serial jobshop; do
            if ! $CC $CFLAGS_B -Ibench -I"$CIMBA_DIR/include" -I"$CIMBA_DIR/src" "bench/cimba_$m.c" \
                    -L"$libdir" -lcimba -lm -lpthread -Wl,-rpath,"$libdir" -o "$OUT/cimba_$m" \
                    2> "$OUT/cimba_$m.build"; then
                CIMBA=0; cimba_skip="bench/cimba_$m.c does not build against $CIMBA_DIR:"
                sed 's/^/    /' "$OUT/cimba_$m.build"
            fi
        done
        [ "$CIMBA" = 1 ] && say "cimba from $CIMBA_DIR (library in $libdir)"
    fi
else
    cimba_skip="CIMBA_DIR is not set"
fi
[ "$CIMBA" = 1 ] || say "cimba skipped: $cimba_skip"
say ""

# ---- the three models -------------------------------------------------------------------
# The engines take turns, round after round, so that each meets the same load on the machine.
for m in mm1 serial jobshop; do
    case $m in jobshop) arg=$T ;; *) arg=$N ;; esac
    say "== $m"
    rm -f "$OUT/twinsim_$m.out"* "$OUT/simpy_$m.out"* "$OUT/simpyproc_$m.out"* "$OUT/cimba_$m.out"* \
          "$OUT/byhand_$m.out"*
    ok_t=1; ok_s=$SIMPY_T; ok_p=$SIMPY_P; ok_c=$CIMBA; ok_h=0
    has bench_models || ok_t=0
    # the model written out by hand (bench/bench_ceiling.c): the ceiling
    has bench_ceiling && ok_h=1
    i=0
    while [ "$i" -lt "$REPEAT" ]; do
        if [ "$ok_t" = 1 ]; then
            try_run "$OUT/twinsim_$m.out" "$OUT/bench_models" "$m" "$arg" "$SEED" || ok_t=0
        fi
        if [ "$ok_s" = 1 ]; then
            try_run "$OUT/simpy_$m.out" "$PY" "bench/simpy_$m.py" "$arg" "$SEED" || ok_s=0
        fi
        if [ "$ok_p" = 1 ]; then
            try_run "$OUT/simpyproc_$m.out" "$PY" "bench/simpy_${m}_process.py" "$arg" "$SEED" ||
                ok_p=0
        fi
        if [ "$ok_c" = 1 ]; then
            try_run "$OUT/cimba_$m.out" "$OUT/cimba_$m" "$arg" "$SEED" || ok_c=0
        fi
        if [ "$ok_h" = 1 ]; then
            try_run "$OUT/byhand_$m.out" "$OUT/bench_ceiling" "$m" "$arg" "$SEED" || ok_h=0
        fi
        i=$((i + 1))
    done
    for e in twinsim simpy simpyproc cimba byhand; do
        if [ -f "$OUT/${e}_$m.out" ]; then
            grep -q '^RESULT' "$OUT/${e}_$m.out" || say "  $e $m failed:"
            indent "$OUT/${e}_$m.out"
        fi
    done
done
say ""

# ---- calendar, replications, model files ------------------------------------------------
if has bench_calendar; then
    "$OUT/bench_calendar" "$HOLDS" > "$OUT/calendar.out" 2>&1 || say "bench_calendar failed:"
    indent "$OUT/calendar.out"
fi
if has bench_models; then
    "$OUT/bench_models" reps 10000 1000 > "$OUT/reps.out" 2>&1 || say "replications failed:"
    indent "$OUT/reps.out"
fi
if has bench_yaml; then
    "$OUT/bench_yaml" "$N" "$SEED" > "$OUT/yaml.out" 2>&1 || say "bench_yaml failed:"
    indent "$OUT/yaml.out"
fi
# Conveyors: N items over 100 segments, cost per item-event against the serial line's event.
if $CC -std=c11 $OPT_B $WARN_B -D_GNU_SOURCE -Iinclude -Isrc bench/bench_conveyor.c "$LIB" $LIBS \
        -o "$OUT/bench_conveyor" 2> "$OUT/bench_conveyor.build"; then
    "$OUT/bench_conveyor" "$N" "$SEED" > "$OUT/conveyor.out" 2>&1 || say "bench_conveyor failed:"
    indent "$OUT/conveyor.out"
else
    say "bench: bench_conveyor does not build:"; sed 's/^/    /' "$OUT/bench_conveyor.build"
fi
# Fleets: 500 AMRs on a 10,000-node grid, an 8-hour shift of 20,000 requests an hour, zones on.
if $CC -std=c11 $OPT_B $WARN_B -D_GNU_SOURCE -Iinclude -Isrc bench/bench_fleet.c "$LIB" $LIBS \
        -o "$OUT/bench_fleet" 2> "$OUT/bench_fleet.build"; then
    "$OUT/bench_fleet" "$SEED" > "$OUT/fleet.out" 2>&1 || say "bench_fleet failed:"
    indent "$OUT/fleet.out"
else
    say "bench: bench_fleet does not build:"; sed 's/^/    /' "$OUT/bench_fleet.build"
fi
if has bench_rules; then
    "$OUT/bench_rules" > "$OUT/rules.out" 2>&1 || say "bench_rules failed:"
    indent "$OUT/rules.out"
fi
if has bench_logic; then
    "$OUT/bench_logic" > "$OUT/logic.out" 2>&1 || say "bench_logic failed:"
    indent "$OUT/logic.out"
fi
# The environment (docs/ai.md): through C, then through Python with the shared library.
if has bench_env; then
    "$OUT/bench_env" > "$OUT/env.out" 2>&1 || say "bench_env failed:"
    indent "$OUT/env.out"
    if make -s BUILD="$BUILD" shlib > "$OUT/shlib.build" 2>&1; then
        BUILD="$BUILD" "$PY" bench/bench_env.py > "$OUT/env_py.out" 2>&1 || say "bench_env.py failed:"
        indent "$OUT/env_py.out"
    else
        say "bench: the shared library does not build:"; sed 's/^/    /' "$OUT/shlib.build"
    fi
fi
say ""

# ---- start-up and whole processes -------------------------------------------------------
# Timed from outside, process start to exit, in nanoseconds (date +%s%N) over a loop of runs;
# the two commands of a comparison take turns, loop by loop, REPEAT rounds, the fastest loop of
# each kept. Start-up: a plain `twinsim run` of a one-event model without the database against
# /bin/true (the cost of starting any process here), so the ratio holds on a slower machine.
# Whole process: the M/M/1 model in bench_models and in cimba, start-up, model, run and exit.
STARTUP_RUNS=${BENCH_STARTUP_RUNS:-200}
# Mean nanoseconds per run of "$@" over $1 runs, output thrown away.
loop_ns() {
    k=$1; shift
    t0=$(date +%s%N); j=0
    while [ "$j" -lt "$k" ]; do "$@" > /dev/null 2>&1; j=$((j + 1)); done
    t1=$(date +%s%N)
    awk -v a="$t0" -v b="$t1" -v k="$k" 'BEGIN { printf "%.0f", (b - a) / k }'
}
minv() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b + 0 < a + 0) print b; else print a }'; }
if [ ! -x "$BUILD/twinsim" ]; then make -s BUILD="$BUILD" "$BUILD/twinsim" > /dev/null 2>&1; fi
su_run=""; su_true=""
if [ -x "$BUILD/twinsim" ]; then
    printf '%s\n' "name: startup" "blocks:" \
        "  - {source: arrivals, interarrival: 1, limit: 1, to: done}" "  - {sink: done}" \
        > "$OUT/startup.yaml"
    i=0
    while [ "$i" -lt "$REPEAT" ]; do
        su_true=$(minv "$su_true" "$(loop_ns "$STARTUP_RUNS" /bin/true)")
        su_run=$(minv "$su_run" "$(loop_ns "$STARTUP_RUNS" "$BUILD/twinsim" run "$OUT/startup.yaml" \
                                   --no-db --reps 1 --quiet)")
        i=$((i + 1))
    done
fi
wp_t=""; wp_c=""
if [ "$CIMBA" = 1 ] && has bench_models; then
    i=0
    while [ "$i" -lt "$REPEAT" ]; do
        wp_t=$(minv "$wp_t" "$(loop_ns 1 "$OUT/bench_models" mm1 "$N" "$SEED")")
        wp_c=$(minv "$wp_c" "$(loop_ns 1 "$OUT/cimba_mm1" "$N" "$SEED")")
        i=$((i + 1))
    done
fi

# ---- the table --------------------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 <= 0) print "-"; else printf "%.1fx", a / b }'; }
num() { if [ -n "$1" ]; then awk -v x="$1" -v f="$2" 'BEGIN { printf f, x }'; else printf -- '-'; fi; }
# Seconds of engine $1 on model $2: its wall time, or with $3 cpu its CPU time.
secs() {
    if [ "${3:-}" = cpu ]; then cat "$OUT/${1}_$2.out.cpu" 2> /dev/null; else getv "$OUT/${1}_$2.out" wall; fi
}
# The peers' columns: seconds and the ratio to twinsim for each of SimPy tuned, SimPy as
# documented and cimba; $1 wall or cpu. Each peer's group is 22 characters wide.
peer_head() {
    printf '%-8s | %10s |%-22s|%-22s|%-22s' "" "" " SimPy tuned (1)" " SimPy documented (2)" " cimba"
}
peer_cols() { # $1 model, $2 wall or cpu
    tw=$(secs twinsim "$1" "$2")
    printf '%-8s | %10s' "$1" "$(num "$tw" %.3f)"
    for e in simpy simpyproc cimba; do
        x=$(secs "$e" "$1" "$2")
        case $e in cimba) f=%.3f ;; *) f=%.2f ;; esac
        printf ' | %9s  %9s' "$(num "$x" "$f")" "$(ratio "$x" "$tw")"
    done
}
peer_legend() {
    say "(1) SimPy, tuned: Store + server processes (bench/simpy_<model>.py)"
    say "(2) SimPy, as documented: process per entity + Resource (bench/simpy_<model>_process.py)"
    say "each engine: its seconds, then its seconds over twinsim's (\"-\": not run, see above)"
}
say "Wall seconds, the fastest of the runs"
printf '%s\n' "$(peer_head)|"
printf '%-8s | %10s | %9s  %9s | %9s  %9s | %9s  %9s | %9s | %8s | %7s\n' \
    model "twinsim s" "s" ratio "s" ratio "s" ratio "events/s" "ns/event" "peak MB"
printf -- '---------|------------|----------------------|----------------------|----------------------|-----------|----------|--------\n'
for m in mm1 serial jobshop; do
    eps=$(getv "$OUT/twinsim_$m.out" events_per_s)
    nse=$(getv "$OUT/twinsim_$m.out" ns_per_event)
    rss=$(getv "$OUT/twinsim_$m.out" rss_mb)
    printf '%s | %9s | %8s | %7s\n' "$(peer_cols "$m" wall)" \
        "$(num "$eps" %.3g)" "$(num "$nse" %.1f)" "$(num "$rss" %.1f)"
done
peer_legend
say ""
say "CPU seconds (user + system), the fastest of the runs: less disturbed than wall time by other"
say "load on a shared machine"
printf '%s\n' "$(peer_head | sed 's/ *$//')"
printf '%-8s | %10s | %9s  %9s | %9s  %9s | %9s  %9s\n' model "twinsim s" "s" ratio "s" ratio "s" ratio
printf -- '---------|------------|----------------------|----------------------|----------------------\n'
for m in mm1 serial jobshop; do
    printf '%s\n' "$(peer_cols "$m" cpu)"
done
say ""

# ---- the goals --------------------------------------------------------------------------
verdict() { awk -v x="$1" -v lim="$2" -v op="$3" 'BEGIN {
    if (x == "" || x == "-") { print "not measured"; exit }
    sub(/x$/, "", x)
    ok = (op == ">=") ? (x + 0 >= lim + 0) : (x + 0 <= lim + 0)
    print ok ? "met" : "MISSED" }'; }
# The ratios of peer $1 over twinsim for the three models, one a line; $2 cpu: CPU times.
ratios_of() {
    for m in mm1 serial jobshop; do
        if [ "${2:-}" = cpu ]; then
            echo "$(ratio "$(cat "$OUT/${1}_$m.out.cpu" 2> /dev/null)" \
                          "$(cat "$OUT/twinsim_$m.out.cpu" 2> /dev/null)")"
        else
            echo "$(ratio "$(getv "$OUT/${1}_$m.out" wall)" "$(getv "$OUT/twinsim_$m.out" wall)")"
        fi
    done
}
# "mm1 R, serial R, jobshop R: VERDICT" for peer $1, goal $2, clock $3 (wall or cpu).
goal_line() {
    set -- "$1" "$2" "$3" $(ratios_of "$1" "$3")
    printf '%s: mm1 %s, serial %s, jobshop %s: %s' "$3" "$4" "$5" "$6" \
        "$(lim=$2; shift 3; all_verdict "$lim" "$@")"
}
all_verdict() { # $1 limit, then ratios
    lim=$1; shift; v="met"
    for r in "$@"; do
        case $(verdict "$r" "$lim" ">=") in
            MISSED) v="MISSED" ;;
            "not measured") [ "$v" = met ] && v="not measured" ;;
        esac
    done
    printf '%s' "$v"
}
# One line per SimPy idiom that BENCH_SIMPY_IDIOMS selects, each its own ratios.
if [ "$IDIOMS" != process ]; then
    say "goal >= 100x SimPy, tuned (Store + server processes): $(goal_line simpy 100 wall);" \
        "$(goal_line simpy 100 cpu)"
fi
if [ "$IDIOMS" != tuned ]; then
    say "goal >= 100x SimPy, as documented (process per entity + Resource):" \
        "$(goal_line simpyproc 100 wall); $(goal_line simpyproc 100 cpu)"
fi
say "goal >= 2x cimba: $(goal_line cimba 2 wall); $(goal_line cimba 2 cpu)"
# How near the ceiling: the hand-written model runs the same events (its fingerprint must be
# twinsim's) and computes the same KPIs; 100x tuned SimPy asks twinsim to be within
# (SimPy's time / 100) / (its time) of it.
for m in mm1 serial jobshop; do
    [ -f "$OUT/byhand_$m.out" ] && [ -f "$OUT/twinsim_$m.out" ] || continue
    hw=$(getv "$OUT/byhand_$m.out" wall)
    hfp=$(getv "$OUT/byhand_$m.out" fp)
    tfp=$(sed -n 's/.*fingerprint \([0-9a-f]*\).*/\1/p' "$OUT/twinsim_$m.out" | head -n 1)
    same=$([ -n "$hfp" ] && [ "$hfp" = "$tfp" ] && echo "equal" || echo "DIFFERENT: $hfp against $tfp")
    need=$(awk -v s="$(secs simpy $m)" -v h="$hw" 'BEGIN { if (s == "" || h == "" || h + 0 <= 0) print "-";
        else printf "%.2fx", s / 100 / h }')
    say "ceiling: $m by hand (bench/bench_ceiling.c) $(num "$hw" %.3f) s, fingerprints $same;" \
        "twinsim takes $(ratio "$(secs twinsim $m)" "$hw") its time; 100x tuned SimPy allows $need"
done
su_ms=$(awk -v x="$su_run" 'BEGIN { if (x != "") printf "%.2f", x / 1e6 }')
say "goal plain run start-up <= 4 ms: $(num "$su_ms" %.2f) ms, /bin/true" \
    "$(num "$(awk -v x="$su_true" 'BEGIN { if (x != "") print x / 1e6 }')" %.2f) ms," \
    "$(ratio "$su_run" "$su_true") /bin/true's (fastest of $REPEAT loops of $STARTUP_RUNS," \
    "taking turns): $(verdict "$su_ms" 4 "<=")"
wr=$(awk -v a="$wp_c" -v b="$wp_t" 'BEGIN { if (a != "" && b + 0 > 0) printf "%.2fx", a / b; else print "-" }')
say "goal M/M/1 whole process >= 2x cimba: twinsim $(num "$(awk -v x="$wp_t" 'BEGIN { if (x != "") print x / 1e9 }')" %.3f) s," \
    "cimba $(num "$(awk -v x="$wp_c" 'BEGIN { if (x != "") print x / 1e9 }')" %.3f) s (fastest of $REPEAT, taking turns):" \
    "$wr: $(verdict "$wr" 2 ">=")"
rec=$(getv_where "$OUT/calendar.out" model calendar_record bytes)
big=$(getv_where "$OUT/calendar.out" pending 1000000 bytes_per_pending)
say "goal <= 64 bytes per pending event: $(num "$rec" %.0f) per event record, $(num "$big" %.1f) measured at 10^6 pending (spare capacity included): $(verdict "$big" 64 "<=")"
r100=$(getv "$OUT/reps.out" rss_100); rend=$(getv "$OUT/reps.out" rss_end)
flat=$(awk -v a="$r100" -v b="$rend" 'BEGIN { if (a == "" || b == "") print "not measured";
    else if (b - a <= 1.0 || b <= a * 1.05) print "met"; else print "MISSED" }')
say "goal memory flat over 10,000 replications: peak RSS $(num "$r100" %.2f) MB after 100, $(num "$rend" %.2f) MB after 10,000: $flat"
ys=$(getv_where "$OUT/yaml.out" model yaml_load seconds)
say "goal load+validate 10,000 blocks < 1 s: $(num "$ys" %.3f) s: $(awk -v x="$ys" 'BEGIN { if (x == "") print "not measured"; else print (x < 1.0) ? "met" : "MISSED" }')"
yr=$(getv_where "$OUT/yaml.out" model yaml_vs_c ratio)
yc=$(getv_where "$OUT/yaml.out" model yaml_vs_c cpu_ratio)
say "goal YAML run <= 1.10x the C API run: wall $(num "$yr" %.3f): $(verdict "$yr" 1.10 "<=");" \
    "cpu $(num "$yc" %.3f): $(verdict "$yc" 1.10 "<=")"
cr=$(getv "$OUT/conveyor.out" ratio)
say "goal conveyor item-event <= 1.5x a serial-line event (CPU): ratio $(num "$cr" %.2f): $(verdict "$cr" 1.5 "<=")"
fl=$(getv "$OUT/fleet.out" load); fr=$(getv "$OUT/fleet.out" run); fm=$(getv "$OUT/fleet.out" rss_mb)
say "goal fleet of 500 AMRs, 8 h, 10,000 nodes: paths (load included) $(num "$fl" %.3f) s < 0.5 s: $(verdict "$fl" 0.5 "<=");" \
    "run $(num "$fr" %.3f) s CPU < 2 s: $(verdict "$fr" 2 "<="); peak RSS $(num "$fm" %.1f) MB < 200: $(verdict "$fm" 200 "<=")"
say "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null); outputs: $OUT/*.out"

# The experiment and live-twin goals have benchmarks of their own; `make bench` runs them too.
say ""
say "== experiments (bench/bench_experiment.sh)"
BUILD="$BUILD" sh bench/bench_experiment.sh
say ""
say "== distribution centre (bench/bench_dc.sh)"
BUILD="$BUILD" sh bench/bench_dc.sh

say "== sequencing over a long queue (bench/bench_seq.sh)"
BUILD="$BUILD" sh bench/bench_seq.sh

say "== live twin (bench/bench_twin.sh)"
BUILD="$BUILD" sh bench/bench_twin.sh

say ""
say "== dashboard under load (bench/serve_load.py)"
if command -v python3 >/dev/null 2>&1 && [ -x "$BUILD/twinsim" ]; then
    python3 bench/serve_load.py --twinsim "$BUILD/twinsim"
    say ""
    say "== dashboard API on 10,000 runs (bench/serve_kpi.py)"
    python3 bench/serve_kpi.py --twinsim "$BUILD/twinsim"
    say ""
    say "== the live twin's stream under load (bench/serve_twin_load.py)"
    python3 bench/serve_twin_load.py --twinsim "$BUILD/twinsim"
else
    say "bench/serve_load.py, bench/serve_kpi.py, bench/serve_twin_load.py: need python3 and $BUILD/twinsim; skipped"
fi
say ""
say "== the live twin's page at 50,000 events/s in Chromium (bench/serve_twin_live.js)"
if command -v node >/dev/null 2>&1 && [ -x "$BUILD/twinsim" ]; then
    node bench/serve_twin_live.js --twinsim "$BUILD/twinsim"
else
    say "bench/serve_twin_live.js: needs node and $BUILD/twinsim; skipped"
fi
