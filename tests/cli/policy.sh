#!/bin/sh
# `twinsim run --jobshop FILE --rule policy:PATH`: a weights file that is MWKR in disguise gives
# MWKR's makespan, the checked-in learned policy gives the makespan docs/ai.md shows for ta01, and
# a bad weights file stops the run with exit 2 and the file's line and column.
# At a buffer (rule: policy:PATH) the same file format orders the queue, at the end below.
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

# A buffer's `rule: policy:PATH`: the file is found next to the model, and a linear policy over
# `proc` serves as SPT does, so the run's fingerprint is SPT's; as an experiment factor level
# (PATH from the current directory, as every --set file name) it gives SPT's objective exactly.
mkdir -p "$TMP/cell"
printf 'twinsim-policy 1\nmodel linear\nfeatures proc\nmean 0\nscale 1\nweights 1\n' >"$TMP/cell/spt.txt"
sed 's/rule: EDD/rule: policy:spt.txt/' examples/sequencing-rules.yaml >"$TMP/cell/model.yaml"
tw run "$TMP/cell/model.yaml" --reps 3 --db "$TMP/runs.db"
got=$(grep '^fingerprint' "$TMP/out" | cut -d, -f1)
tw run examples/sequencing-rules.yaml --set queue.rule=SPT --reps 3 --db "$TMP/runs.db"
want=$(grep '^fingerprint' "$TMP/out" | cut -d, -f1)
if [ -n "$got" ] && [ "$got" = "$want" ]; then
    pass policy_buffer_run
else
    fail policy_buffer_run "'$got' against SPT's '$want' $(head -c 300 "$TMP/err")"
fi
cp examples/sequencing-rules.yaml "$TMP/cell/seq.yaml"
cat >"$TMP/cell/exp.yaml" <<'YAML'
model: seq.yaml
factors:
  queue.rule: [SPT, 'policy:cell/spt.txt']
design: full
replications: {min: 3, max: 3}
common_random_numbers: true
objective: {minimize: done.lead_time}
YAML
(cd "$TMP" && "$TWINSIM" experiment cell/exp.yaml --db "$TMP/exp.db" >"$TMP/out" 2>"$TMP/err")
rc=$?
a=$(awk '$2 == "SPT" {print $4, $6}' "$TMP/out")
b=$(awk '$2 == "policy:cell/spt.txt" {print $4, $6}' "$TMP/out")
if [ "$rc" -eq 0 ] && [ -n "$a" ] && [ "$a" = "$b" ]; then
    pass policy_buffer_experiment
else
    fail policy_buffer_experiment "exit $rc, SPT '$a', policy '$b' $(head -c 300 "$TMP/err")"
fi
printf 'twinsim-policy 1\nmodel linear\nfeatures proc next_queue\nmean 0 0\nscale 1 1\nweights 1 1\n' >"$TMP/cell/spt.txt"
tw run "$TMP/cell/model.yaml" --reps 1 --db "$TMP/runs.db"
if [ "$rc" -ne 0 ] && grep -qF "model.yaml:16:11: error: $TMP/cell/spt.txt:3:15: feature 'next_queue' is not known at a buffer" "$TMP/err"; then
    pass policy_buffer_feature
else
    fail policy_buffer_feature "exit $rc, $(head -c 300 "$TMP/err")"
fi
