#!/bin/sh
# Runs every test: the unit test binaries, then each tests/cli/*.sh script. Each test prints
# "PASS name" or "FAIL name"; this script counts them and ends with "N passed, N failed".
# A binary or script that crashes or exits non-zero without a FAIL line counts as one failure.
BUILD=${BUILD:-build}
export BUILD
export TWINSIM="$(pwd)/$BUILD/twinsim"
log=$(mktemp)
status=0
for t in "$BUILD"/tests/test_* tests/cli/*.sh; do
    [ -e "$t" ] || continue
    case "$t" in *.sh) cmd="sh $t" ;; *) cmd="$t" ;; esac
    echo "== $t"
    out=$(mktemp)
    $cmd >"$out" 2>&1
    rc=$?
    cat "$out"
    cat "$out" >>"$log"
    if [ $rc -ne 0 ] && ! grep -q '^FAIL ' "$out"; then
        echo "FAIL $t (exit $rc)" | tee -a "$log"
    fi
    rm -f "$out"
done
passed=$(grep -c '^PASS ' "$log")
failed=$(grep -c '^FAIL ' "$log")
echo
grep '^FAIL ' "$log"
rm -f "$log"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
