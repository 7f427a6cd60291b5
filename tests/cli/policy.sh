#!/bin/sh
# `twinsim run --jobshop FILE --rule policy:PATH`: a weights file that is MWKR in disguise gives
# MWKR's makespan, the checked-in learned policy gives the makespan docs/ai.md shows for ta01, and
# a bad weights file stops the run with exit 2 and the file's line and column.
. tests/cli/lib.inc
TA=tests/jsplib/instances/Taillard1993

printf 'twinsim-policy 1\nmodel linear\nfeatures work\nmean 0\nscale 1\nweights -1\n' >"$TMP/mwkr.txt"
for i in 01 21 30; do
    tw run --jobshop "$TA/ta${i}js.txt" --rule MWKR
    want=$(cat "$TMP/out")
    tw run --jobshop "$TA/ta${i}js.txt" --rule "policy:$TMP/mwkr.txt"
    if [ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "$want" ] && [ -n "$want" ]; then
        pass "policy_mwkr_ta$i"
    else
        fail "policy_mwkr_ta$i" "exit $rc, '$(cat "$TMP/out")', MWKR gives '$want'"
    fi
done

tw run --jobshop "$TA/ta01js.txt" --rule policy:examples/ai/jobshop-policy.txt
if [ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "makespan 1404" ]; then
    pass policy_learned_ta01
else
    fail policy_learned_ta01 "exit $rc, '$(cat "$TMP/out")' $(head -c 300 "$TMP/err")"
fi

printf 'twinsim-policy 1\nmodel tree\n' >"$TMP/bad.txt"
tw run --jobshop "$TA/ta01js.txt" --rule "policy:$TMP/bad.txt"
if [ "$rc" -eq 2 ] && grep -qF "$TMP/bad.txt:2:7: error: unknown model 'tree' (models: linear, mlp)" "$TMP/err"; then
    pass policy_bad_file
else
    fail policy_bad_file "exit $rc, $(head -c 300 "$TMP/err")"
fi
