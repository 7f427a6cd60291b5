#!/bin/sh
# Runs every test: the unit test binaries, then each tests/cli/*.sh script. Each test prints
# "PASS name" or "FAIL name"; this script counts them and ends with "N passed, N failed".
# A binary or script that crashes or exits non-zero without a FAIL line counts as one failure,
# and so does a name that two tests share (a result must say which test it is).
#
#   sh tests/run.sh          everything
#   sh tests/run.sh NAME     one unit test case (each binary runs only the case of that name, see
#                            tests/unit/check.h), or one script, tests/cli/NAME.sh
#
# The whole suite runs TSIM_TEST_JOBS binaries and scripts at once (default 4: most scripts
# spend their time waiting on a broker, a server or a child process, not on a core); their
# outputs are printed whole, in the order above, once all have ended. Every test keeps its
# files in a folder of its own and finds free ports by asking the kernel, so they do not meet.
# TSIM_TEST_JOBS=1 runs them one after the other, printing each as it ends.
#
# Longest first: the whole suite starts the long scripts first (LONG below, then the others by
# the last run's times), so that it does not end waiting on one long script started last. Each
# whole run writes $BUILD/test-times, one line a test, "milliseconds path", slowest first, and
# prints its first eight lines.
#
# Two scripts run in the gcc suite (build/) only; every other test runs in all three suites
# (gcc, clang in build-clang/, ASan+UBSan in build-san/), and so does every test that executes
# code the suite's compiler or sanitizer built:
# - mpi.sh is not in the clang suite: `make mpi` compiles with mpicc, which wraps gcc whatever CC
#   the suite has, with gcc's flags, so the clang suite's run would build and test the gcc
#   suite's twinsim-mpi a second time. The ASan+UBSan suite runs it, with a twinsim-mpi built
#   under the sanitizers (its SAN=1 reaches that make).
# - install.sh is not in the ASan+UBSan suite: an installed library carries no sanitizer, so
#   that suite's run installs and tests the plain build/ (see install.sh), the same files the gcc
#   suite has tested, and runs no code built with a sanitizer.
# python.sh runs in all three; under a sanitizer it repeats only what runs that suite's twinsim
# when the gcc suite's run has left its weights (see python.sh and docs/testing.md).
BUILD=${BUILD:-build}
export BUILD
TWINSIM="$(pwd)/$BUILD/twinsim"
export TWINSIM

# One test: `sh tests/run.sh --one DIR INDEX PATH` writes DIR/INDEX.out (what it printed),
# DIR/INDEX.rc (its exit status) and DIR/INDEX.ms (its wall time in milliseconds).
if [ "${1:-}" = "--one" ]; then
    dir=$2; i=$3; t=$4
    case "$t" in *.sh) cmd="sh $t" ;; *) cmd="$t" ;; esac
    t0=$(date +%s%N)
    $cmd >"$dir/$i.out" 2>&1
    echo $? >"$dir/$i.rc"
    echo "$((($(date +%s%N) - t0) / 1000000)) $t" >"$dir/$i.ms"
    exit 0
fi

only=${1:-}
jobs=${TSIM_TEST_JOBS:-4}
case "$jobs" in '' | *[!0-9]* | 0) echo "tests/run.sh: TSIM_TEST_JOBS must be a positive whole number, not '$jobs'" >&2; exit 2 ;; esac
if [ -n "$only" ]; then
    TSIM_TEST_ONLY=$only
    export TSIM_TEST_ONLY
    jobs=1
fi
dir=$(mktemp -d)
# python3 resolved once to the interpreter it starts, ahead in PATH for every test: where
# python3 is a version manager's shim (pyenv's is a shell script: about 0.4 s of CPU a call,
# against 0.05 s for the interpreter itself), the scripts' hundreds of calls spent minutes of
# each suite in it. The same interpreter, with the same packages, found once.
py3=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null || true)
if [ -n "$py3" ] && [ -x "$py3" ]; then
    mkdir "$dir/bin"
    ln -s "$py3" "$dir/bin/python3"
    PATH="$dir/bin:$PATH"
    export PATH
fi
log="$dir/all.log"
: >"$log"
list="$dir/list"
: >"$list"
# The scripts the clang and sanitizer suites leave to the gcc suite, where they would test nothing
# that suite's compiler or sanitizer built (the header says why each); named alone, they run.
case "$BUILD" in
    build-clang*) elsewhere="mpi.sh" ;;
    build-san*) elsewhere="install.sh" ;;
    *) elsewhere="" ;;
esac
notrun=""
i=0
for t in "$BUILD"/tests/test_* tests/cli/*.sh; do
    [ -e "$t" ] || continue
    case "$t" in
        *.sh) [ -z "$only" ] || [ "$t" = "tests/cli/$only.sh" ] || continue ;;
    esac
    if [ -z "$only" ] && [ -n "$elsewhere" ]; then
        case " $elsewhere " in *" ${t##*/} "*) notrun="$notrun ${t##*/}"; continue ;; esac
    fi
    i=$((i + 1))
    echo "$i $t" >>"$list"
done

# The list in the order the tests start: the scripts of LONG first, the longest known first (a
# fresh build has no times, as in CI), then the others by their wall time in the last run's
# $BUILD/test-times, or else build/test-times (the gcc suite's, which scripts/test.sh runs
# first), longest first; a test that file does not name (a new one) starts before those it names.
# Ties keep the order of the list.
LONG="serve.sh python.sh outputs.sh diff.sh report.sh golden.sh twin_connect.sh twin.sh twin_kill.sh
install.sh twin_browser.sh serve_browser.sh twin_serve.sh gpu.sh mpi.sh twin_wms.sh"
order() {
    times=$BUILD/test-times
    [ -s "$times" ] || times=build/test-times
    [ -s "$times" ] || times=/dev/null
    awk -v long="$LONG" -v times="$times" '
        function base(p,   k, a) { k = split(p, a, "/"); return a[k] }
        BEGIN {
            n = split(long, l, " ")
            for (i = 1; i <= n; i++) rank[l[i]] = n - i + 1
            while ((getline line <times) > 0) { split(line, f, " "); ms[base(f[2])] = f[1]; known = 1 }
        }
        {
            b = base($2)
            if (b in rank) key = 1e12 + rank[b]
            else if (b in ms) key = ms[b]
            else key = known ? 1e11 : 0
            printf "%.0f %s\n", key, $0
        }
    ' "$list" | sort -s -k1,1nr | cut -d' ' -f2-
}

# What test INDEX PATH printed, then its failure if it failed without saying so.
report() {
    out="$dir/$1.out"
    if [ -z "$only" ] || [ -s "$out" ]; then
        echo "== $2"
        cat "$out"
    fi
    cat "$out" >>"$log"
    rc=$(cat "$dir/$1.rc")
    if [ "$rc" -ne 0 ] && ! grep -q '^FAIL ' "$out"; then
        echo "FAIL $2 (exit $rc)" | tee -a "$log"
    fi
}

if [ "$jobs" -eq 1 ]; then
    while read -r n t; do
        sh "$0" --one "$dir" "$n" "$t"
        report "$n" "$t"
    done <"$list"
else
    # Longest first, so that the suite does not end waiting on one long test started last; the
    # output keeps the order of the list.
    order | xargs -P "$jobs" -L 1 sh "$0" --one "$dir"
    while read -r n t; do
        [ -e "$dir/$n.rc" ] || { echo 1 >"$dir/$n.rc"; : >>"$dir/$n.out"; }
        report "$n" "$t"
    done <"$list"
fi
# Two results under one name cannot both be told apart: each such name fails once.
grep -E '^(PASS|FAIL) ' "$log" | sed -E 's/^(PASS|FAIL) //; s/:.*//' | sort | uniq -d |
    while read -r name; do echo "FAIL $name (two tests share this name)"; done | tee -a "$log"
passed=$(grep -c '^PASS ' "$log")
failed=$(grep -c '^FAIL ' "$log")
echo
# Where the time went: the slowest binaries and scripts (wall time, milliseconds).
if [ -z "$only" ]; then
    echo "slowest (ms, $jobs at once):"
    cat "$dir"/*.ms 2>/dev/null | sort -rn >"$BUILD/test-times" 2>/dev/null
    head -n 8 "$BUILD/test-times" | sed 's/^/  /'
fi
[ -z "$notrun" ] || echo "not in the $BUILD suite (the gcc suite runs them):$notrun"
grep '^FAIL ' "$log"
rm -rf "$dir"
if [ -n "$only" ] && [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
    echo "no test named '$only'"
    exit 1
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
