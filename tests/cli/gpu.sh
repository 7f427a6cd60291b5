#!/bin/sh
# The GPU options where no GPU batch can run, the Philox generator from the command line, and
# the rule that keeps Philox draws equal to the GPU's: no fused multiply-add. The parity check
# itself, against a device, is tests/gpu/run.sh (make test-gpu).
. tests/cli/lib.inc

M=examples/bottling-line.yaml

# --gpu without GPU support built in: one line, exit 2, nothing run.
want="twinsim run: --gpu: no GPU support built in (build it with 'make gpu' where nvcc exists)"
tw run --gpu --no-db "$M"
if [ $rc -eq 2 ] && [ ! -s "$TMP/out" ] && [ "$(cat "$TMP/err")" = "$want" ]; then
    pass gpu_run_refused
else
    fail gpu_run_refused "exit $rc, '$(cat "$TMP/err")'"
fi
tw experiment --gpu --no-db examples/bottling-line.experiment.yaml
if [ $rc -eq 2 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -q \
    "^twinsim experiment: --gpu: no GPU support built in" "$TMP/err"; then
    pass gpu_experiment_refused
else
    fail gpu_experiment_refused "exit $rc, '$(cat "$TMP/err")'"
fi

# --rng philox is the model file's run.rng: philox; it changes the draws; a bad value is a
# usage error.
fp() { sed -n 's/^fingerprint \([0-9a-f]*\),.*/\1/p' "$TMP/out"; }
tw run --no-db --reps 3 --horizon 8h --rng philox "$M"
a=$(fp)
sed 's/^run: {/run: {rng: philox, /' "$M" >"$TMP/philox.yaml"
tw run --no-db --reps 3 --horizon 8h "$TMP/philox.yaml"
b=$(fp)
tw run --no-db --reps 3 --horizon 8h "$M"
c=$(fp)
if [ -n "$a" ] && [ "$a" = "$b" ] && [ "$a" != "$c" ]; then
    pass rng_philox_cli
else
    fail rng_philox_cli "--rng philox '$a', run.rng '$b', default '$c'"
fi
tw run --no-db --rng mt19937 "$M"
if [ $rc -eq 2 ] &&
    grep -q "option '--rng' needs 'xoshiro' or 'philox', not 'mt19937'" "$TMP/err"; then
    pass rng_bad_value
else
    fail rng_bad_value "exit $rc, '$(cat "$TMP/err")'"
fi

# No fused multiply-add: the core compiled for a CPU with FMA (-march=haswell) gives the same
# draws as the build's, with -ffp-contract=off; the control, -ffp-contract=fast, must differ,
# or this check could not see a fused one.
CC=${CC:-cc}
ref="${BUILD:-build}/gpu-check/philox_ref"
if ! grep -qw fma /proc/cpuinfo 2>/dev/null; then
    echo "philox_no_fma: not checked here: this CPU has no FMA"
elif ! "$CC" -std=c11 -O2 -march=haswell -ffp-contract=off -D_GNU_SOURCE -Iinclude -Isrc \
        tests/gpu/philox_ref.c src/core/*.c -lm -o "$TMP/ref_off" 2>"$TMP/cc" ||
     ! "$CC" -std=c11 -O2 -march=haswell -ffp-contract=fast -D_GNU_SOURCE -Iinclude -Isrc \
        tests/gpu/philox_ref.c src/core/*.c -lm -o "$TMP/ref_fast" 2>>"$TMP/cc"; then
    fail philox_no_fma "could not compile with -march=haswell: $(head -3 "$TMP/cc")"
else
    "$ref" draws >"$TMP/d0"
    "$TMP/ref_off" draws >"$TMP/d1"
    "$TMP/ref_fast" draws >"$TMP/d2"
    if [ -s "$TMP/d0" ] && cmp -s "$TMP/d0" "$TMP/d1"; then
        pass philox_no_fma
    else
        n=$(diff "$TMP/d0" "$TMP/d1" | grep -c '^<')
        fail philox_no_fma "$n draws differ with FMA hardware"
    fi
    if ! cmp -s "$TMP/d0" "$TMP/d2"; then
        pass philox_fma_control
    else
        fail philox_fma_control "-ffp-contract=fast changed no draw: the check above proves nothing"
    fi
fi
exit 0
