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
log="$dir/all.log"
: >"$log"
list="$dir/list"
: >"$list"
i=0
for t in "$BUILD"/tests/test_* tests/cli/*.sh; do
    [ -e "$t" ] || continue
    case "$t" in
        *.sh) [ -z "$only" ] || [ "$t" = "tests/cli/$only.sh" ] || continue ;;
    esac
    i=$((i + 1))
    echo "$i $t" >>"$list"
done

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
    # Longest first would finish soonest, but the order of the list keeps the output stable.
    xargs -P "$jobs" -L 1 sh "$0" --one "$dir" <"$list"
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
    cat "$dir"/*.ms 2>/dev/null | sort -rn | head -n 8 | sed 's/^/  /'
fi
grep '^FAIL ' "$log"
rm -rf "$dir"
if [ -n "$only" ] && [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
    echo "no test named '$only'"
    exit 1
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
