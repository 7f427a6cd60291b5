#!/bin/sh
# `twinsim run` given an experiment file: one error that names the command to use (`twinsim
# experiment FILE`), not an "unknown top-level key" for each of the experiment's keys; exit 1,
# nothing on stdout. Known by its keys (model: with factors: or optimize:) whatever its name, or
# by the name NAME.experiment.yaml; a model with blocks: is a model whatever its name.
. tests/cli/lib.inc

# one_error TEST FILE: run FILE, expect the one experiment error
one_error() {
    tw run "$2" --no-db --quiet
    want="$2: error: this is an experiment file: run it with \`twinsim experiment $2\`"
    if [ "$rc" -eq 1 ] && [ ! -s "$TMP/out" ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] &&
        [ "$(cat "$TMP/err")" = "$want" ]; then
        pass "$1"
    else
        fail "$1" "exit $rc: $(head -c 300 "$TMP/err")"
    fi
}

one_error run_experiment_example examples/dc.experiment.yaml
cp tests/experiments/servers.yaml "$TMP/plan.yaml"
one_error run_experiment_by_keys "$TMP/plan.yaml"
cp tests/experiments/optimize-servers.yaml "$TMP/opt.yaml"
one_error run_experiment_optimize "$TMP/opt.yaml"

# A model named like an experiment is still run as a model.
cp examples/bottling-line.yaml "$TMP/line.experiment.yaml"
tw run "$TMP/line.experiment.yaml" --no-db --quiet --reps 1
if [ "$rc" -eq 0 ] && ! grep -q experiment "$TMP/err"; then
    pass run_model_named_experiment
else
    fail run_model_named_experiment "exit $rc: $(head -c 300 "$TMP/err")"
fi

# A file that is neither keeps the loader's errors.
printf 'name: x\nfactors: 1\n' >"$TMP/odd.yaml"
tw run "$TMP/odd.yaml" --no-db --quiet
if [ "$rc" -eq 1 ] && grep -q "unknown top-level key 'factors'" "$TMP/err" &&
    ! grep -q "experiment file" "$TMP/err"; then
    pass run_not_experiment_keeps_errors
else
    fail run_not_experiment_keeps_errors "exit $rc: $(head -c 300 "$TMP/err")"
fi
exit 0
