#!/bin/sh
# Runs every test: the unit test binaries, then each tests/cli/*.sh script. Each test prints
# "PASS name" or "FAIL name"; this script counts them and ends with "N passed, N failed".
# A binary or script that crashes or exits non-zero without a FAIL line counts as one failure,
# and so does a name that two tests share (a result must say which test it is).
#
#   sh tests/run.sh          everything
#   sh tests/run.sh NAME     one unit test case (each binary runs only the case of that name, see
#                            tests/unit/check.h), or one script, tests/cli/NAME.sh
BUILD=${BUILD:-build}
export BUILD
export TWINSIM="$(pwd)/$BUILD/twinsim"
only=${1:-}
log=$(mktemp)
status=0
if [ -n "$only" ]; then
    TSIM_TEST_ONLY=$only
    export TSIM_TEST_ONLY
fi
for t in "$BUILD"/tests/test_* tests/cli/*.sh; do
    [ -e "$t" ] || continue
    case "$t" in
        *.sh)
            [ -z "$only" ] || [ "$t" = "tests/cli/$only.sh" ] || continue
            cmd="sh $t" ;;
        *) cmd="$t" ;;
    esac
    out=$(mktemp)
    $cmd >"$out" 2>&1
    rc=$?
    if [ -z "$only" ] || [ -s "$out" ]; then
        echo "== $t"
        cat "$out"
    fi
    cat "$out" >>"$log"
    if [ $rc -ne 0 ] && ! grep -q '^FAIL ' "$out"; then
        echo "FAIL $t (exit $rc)" | tee -a "$log"
    fi
    rm -f "$out"
done
# Two results under one name cannot both be told apart: each such name fails once.
grep -E '^(PASS|FAIL) ' "$log" | sed -E 's/^(PASS|FAIL) //; s/:.*//' | sort | uniq -d |
    while read -r name; do echo "FAIL $name (two tests share this name)"; done | tee -a "$log"
passed=$(grep -c '^PASS ' "$log")
failed=$(grep -c '^FAIL ' "$log")
echo
grep '^FAIL ' "$log"
rm -f "$log"
if [ -n "$only" ] && [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
    echo "no test named '$only'"
    exit 1
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
