#!/bin/sh
# Bad command lines: each gives exit code 2, one line saying what is wrong plus one line pointing
# to --help on stderr, nothing on stdout, and never a crash. Arguments are checked before any
# model is loaded, so these need no model file.
. tests/cli/lib.inc

# usage NAME ARGS...: expect a usage error
usage() {
    name=$1
    shift
    tw "$@"
    lines=$(wc -l <"$TMP/err")
    if [ "$rc" -ne 2 ]; then
        fail "$name" "exit $rc, expected 2 ($(head -c 200 "$TMP/err"))"
    elif [ -s "$TMP/out" ]; then
        fail "$name" "wrote to stdout"
    elif [ "$lines" -ne 2 ] || ! grep -q "^try 'twinsim" "$TMP/err" ||
        ! head -n 1 "$TMP/err" | grep -q "^twinsim"; then
        fail "$name" "expected an error line and a hint, got: $(cat "$TMP/err")"
    else
        pass "$name"
    fi
}

# says NAME TEXT: the last usage error's message contains TEXT
says() {
    if grep -qF -- "$2" "$TMP/err"; then pass "$1"; else fail "$1" "no '$2' in: $(cat "$TMP/err")"; fi
}

M=model.yaml # need not exist: arguments fail first

usage args_no_command
usage args_unknown_command frobnicate
usage args_unknown_top_option --frobnicate
usage args_run_no_model run
usage args_run_two_models run a.yaml b.yaml
usage args_run_unknown_option run "$M" --bogus
says args_run_unknown_option_text "unknown option '--bogus'"
usage args_run_missing_value run "$M" --reps
says args_run_missing_value_text "option '--reps' needs a value"
usage args_run_value_is_option run "$M" --json --csv dir
usage args_run_reps_text run "$M" --reps abc
says args_run_reps_text_msg "option '--reps' needs a whole number from 1 to 1000000, not 'abc'"
usage args_run_reps_zero run "$M" --reps 0
usage args_run_reps_negative run "$M" --reps -3
usage args_run_reps_fraction run "$M" --reps 1.5
usage args_run_reps_huge run "$M" --reps 99999999999999999999
usage args_run_reps_equals_empty run "$M" --reps=
usage args_run_seed_negative run "$M" --seed -1
says args_run_seed_negative_text "'-1'"
usage args_run_seed_text run "$M" --seed abc
usage args_run_seed_too_big run "$M" --seed 18446744073709551616
usage args_run_seed_float run "$M" --seed 1e3
usage args_run_horizon_unit run "$M" --horizon 5parsecs
says args_run_horizon_unit_text "option '--horizon' needs a duration"
usage args_run_horizon_negative run "$M" --horizon -10
usage args_run_horizon_empty run "$M" --horizon ''
usage args_run_warmup_bad run "$M" --warmup soon
usage args_run_set_no_equals run "$M" --set filler.process
says args_run_set_no_equals_text "option '--set' needs BLOCK.PARAM=VALUE"
usage args_run_set_no_name run "$M" --set =3
usage args_run_threads_negative run "$M" --threads -1
usage args_run_threads_text run "$M" --threads many
usage args_run_db_and_no_db run "$M" --db x.db --no-db
usage args_run_json_empty run "$M" --json ''
usage args_check_no_model check
usage args_check_unknown_option check --bogus "$M"
usage args_runs_unknown_option runs --bogus
usage args_runs_limit_text runs --limit lots
usage args_show_no_run show
usage args_show_bad_run show abc
usage args_show_two_modes show 1 --json --model
usage args_compare_one_run compare 1
usage args_compare_three_runs compare 1 2 3
usage args_compare_bad_run compare 1 x

# help and version: exit 0, text on stdout
tw --help
if [ $rc -eq 0 ] && grep -q "usage: twinsim COMMAND" "$TMP/out" && grep -q "^  run " "$TMP/out"; then
    pass args_help
else
    fail args_help "exit $rc"
fi
tw run --help
if [ $rc -eq 0 ] && grep -q -- "--warmup T|auto" "$TMP/out" && grep -q -- "--no-db" "$TMP/out"; then
    pass args_run_help
else
    fail args_run_help "exit $rc"
fi
for c in check runs show compare; do
    tw $c --help
    if [ $rc -eq 0 ] && grep -q "usage: twinsim $c" "$TMP/out"; then pass "args_${c}_help"; else fail "args_${c}_help" "exit $rc"; fi
done
tw --version
if [ $rc -eq 0 ] && [ "$(cat "$TMP/out")" = "twinsim 0.1.0 (GPU support: not built in)" ]; then
    pass args_version
else
    fail args_version "exit $rc, '$(cat "$TMP/out")'"
fi
exit 0
