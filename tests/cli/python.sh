#!/bin/sh
# The Python binding (python/, docs/ai.md): its pytest tests run from the tree against the
# shared library this build makes, then `pip install ./python` into a fresh virtual environment
# (offline: --no-index, Debian's setuptools through --no-build-isolation) and a short episode
# from the installed package. Needs python3 with numpy and pytest (Debian's python3-numpy,
# python3-pytest); where they are missing that is a failure, not a skip.
# A sanitizer run tests the plain build: Python cannot load a library built with ASan. Where the
# gcc suite's run has kept its trained weights, it runs only those with its own twinsim (below).
. tests/cli/lib.inc

case ${BUILD:-build} in
    build-san* | build-tsan*) IB=build ;;
    *) IB=${BUILD:-build} ;;
esac
if ! locked_make "$IB" -s --no-print-directory SAN=0 BUILD="$IB" shlib >"$TMP/make.log" 2>&1; then
    fail python_shlib "make shlib failed: $(tail -n 5 "$TMP/make.log")"
    exit 0
fi
top=$(pwd)
lib=$(ls "$top/$IB"/lib/libtwinsim.so.*.* | tail -n 1)
# What the suite's own twinsim does with the weights the trainings below write (they run the
# library, the plain one under a sanitizer; these run the suite's twinsim): 0 when it runs them
# as rules, else 1 with what it said in $out.
runs_jobshop() { # WEIGHTS
    out=$("$TWINSIM" run --jobshop tests/jsplib/instances/Taillard1993/ta01js.txt \
        --rule "policy:$1" 2>&1) && echo "$out" | grep -q '^makespan [0-9][0-9]*$'
}
runs_factory() { # WEIGHTS
    out=$("$TWINSIM" run examples/ai/flow.yaml --set "cut_queue.rule=policy:$1" --no-db 2>&1) &&
        echo "$out" | grep -q '^fingerprint '
}
runs_route() { # PYTHON WEIGHTS
    out=$("$1" examples/ai/compare_route.py --twinsim "$TWINSIM" --policy "$2" --reps 3 2>&1) &&
        echo "$out" | grep -q '^| policy'
}
# The weights the gcc suite's run (IB = BUILD) leaves for the sanitizer suites' runs.
saved=$top/$IB/python-weights

# The first python3 that has both: a python3 earlier on PATH (pyenv, say) does not see Debian's
# packages, which belong to /usr/bin/python3.
py=""
for p in ${PYTHON:-} python3 /usr/bin/python3; do
    if "$p" -c 'import numpy, pytest' 2>"$TMP/err"; then py=$p; break; fi
done
if [ -z "$py" ]; then
    fail python_modules "no python3 with numpy and pytest (Debian: python3-numpy python3-pytest): $(tail -n 1 "$TMP/err")"
    exit 0
fi
# Under a sanitizer, IB is build/, whose library the gcc suite's run of this script has tested
# already, with every check below but the weights' runs by this suite's twinsim: trained with the
# same library from the same seeds, the weights are those it kept in $saved (the training is
# reproducible, python_train_*), so where they are there and newer than the library, this run
# only runs them, and says so; elsewhere it runs everything.
if [ "$IB" != "${BUILD:-build}" ] && [ -n "$(find "$saved/jobshop" "$saved/factory" "$saved/route" \
        -newer "$lib" 2>/dev/null | sed -n 3p)" ]; then
    echo "python: the library's checks ran in the gcc suite, on $IB/lib; the weights it kept run here"
    if runs_jobshop "$saved/jobshop"; then pass python_weights_run_jobshop
    else fail python_weights_run_jobshop "the trained weights do not run: $out"; fi
    if runs_factory "$saved/factory"; then pass python_weights_run_factory
    else fail python_weights_run_factory "the trained weights do not run: $out"; fi
    if runs_route "$py" "$saved/route"; then pass python_weights_run_route
    else fail python_weights_run_route "the trained weights do not run: $out"; fi
    exit 0
fi
[ "$IB" != "${BUILD:-build}" ] || rm -rf "$saved"

if (cd python && BUILD="$IB" "$py" -m pytest -q -p no:cacheprovider tests) >"$TMP/out" 2>&1; then
    pass python_pytest
else
    fail python_pytest "$(tail -n 30 "$TMP/out")"
fi

# pip install into a virtual environment that sees Debian's numpy, with the library named.
# From a copy: setuptools writes build/ and *.egg-info beside the sources.
mkdir -p "$TMP/src" && cp -r python/pyproject.toml python/twinsim "$TMP/src/"
rm -rf "$TMP/src/twinsim/__pycache__"
if "$py" -m venv --system-site-packages "$TMP/venv" >"$TMP/out" 2>&1 &&
    "$TMP/venv/bin/python" -m pip install -q --no-index --no-build-isolation "$TMP/src" \
        >"$TMP/out" 2>&1; then
    pass python_pip_install
else
    fail python_pip_install "$(tail -n 10 "$TMP/out")"
fi
if (cd "$TMP" && TWINSIM_LIB=$lib "$TMP/venv/bin/python" - >"$TMP/out" 2>&1 <<PY
import os, numpy as np, twinsim
assert "site-packages" in twinsim.__file__, twinsim.__file__
js = twinsim.JobShop("$top/tests/jsplib/instances/Taillard1993/ta01js.txt")
env = twinsim.VectorEnv(js, num_envs=2)
env.reset(seed=1)
total = np.zeros(2)
while True:
    _, r, term, _, _ = env.step(env.rule_actions("MWKR"))
    total += r
    if term.all():
        break
assert (-total == js.dispatch("MWKR")).all(), (total, js.dispatch("MWKR"))
print("ok", -total[0])
PY
); then
    pass python_installed_episode
else
    fail python_installed_episode "$(tail -n 10 "$TMP/out")"
fi

# Training is reproducible (docs/ai.md): a short evolution-strategy run writes the same weights
# file, byte for byte, from one seed with one worker and with two (the population is split among
# the workers, so a result that depended on the split or on the order the workers finish in would
# differ), while another seed writes other weights. Eight generations that each look at the
# validation set make the file the result of the search, not of the starting draw alone.
# keep FILE NAME: FILE, weights that passed every check, as $saved/NAME (gcc suite only).
keep() {
    if [ "$IB" = "${BUILD:-build}" ]; then mkdir -p "$saved" && cp "$1" "$saved/$2"; fi
}
train() { # SEED WORKERS OUT
    TWINSIM_LIB=$lib "$py" examples/ai/train.py --generations 8 --pairs 6 --batch 3 --valid 8 \
        --eval-every 1 --seed "$1" --workers "$2" --out "$3" >"$3.log" 2>&1
}
if train 7 1 "$TMP/w71" && train 7 2 "$TMP/w72" && train 8 2 "$TMP/w82"; then
    start=$(sed -n 's/.*start \([0-9.]*\)%.*/\1/p' "$TMP/w71.log")
    best=$(sed -n 's/.*mean gap \([0-9.]*\)%.*/\1/p' "$TMP/w71")
    if ! cmp -s "$TMP/w71" "$TMP/w72"; then
        fail python_train_deterministic "seed 7: 1 and 2 workers wrote different weights: $(diff "$TMP/w71" "$TMP/w72" | head -n 4)"
    elif cmp -s "$TMP/w71" "$TMP/w82"; then
        fail python_train_deterministic "seeds 7 and 8 wrote the same weights"
    elif ! awk -v s="$start" -v b="$best" 'BEGIN { exit !(b != "" && s != "" && b + 0 < s + 0) }'; then
        fail python_train_deterministic "the search did not improve on its start ($start% -> $best%)"
    elif ! runs_jobshop "$TMP/w71"; then
        fail python_train_deterministic "the trained weights do not run: $out"
    else
        pass python_train_deterministic
        keep "$TMP/w71" jobshop
    fi
else
    fail python_train_deterministic "$(tail -n 10 "$TMP/w71.log" "$TMP/w72.log" "$TMP/w82.log" 2>/dev/null)"
fi

# The factory policies' training (examples/ai/train_factory.py, docs/ai.md: a buffer's
# sequencing, python_train_factory, and a route's, python_train_route) is reproducible from its
# seed and does not depend on the env's threads: a short run from seed 7 writes the same file
# with 1 and 2 threads, seed 8 writes another; the search improves on its start (FIFO; a
# route's shortest_queue) on the validation replications; and twinsim runs the model with the
# written weights as the rule (the route's through examples/ai/compare_route.py).
ftrain() { # SEED THREADS OUT KIND-OPTIONS...
    s=$1 t=$2 o=$3
    shift 3
    TWINSIM_LIB=$lib "$py" examples/ai/train_factory.py --generations 4 --pairs 4 --reps 6 \
        --valid 16 --eval-every 1 --seed "$s" --threads "$t" --out "$o" "$@" >"$o.log" 2>&1
}
for kind in factory route; do
    case $kind in
        factory) opts="--start fifo --rules FIFO" ;;
        route) opts="--kind route --start shortest_queue" ;;
    esac
    f=$TMP/$kind
    # shellcheck disable=SC2086 # opts is a list of words
    if ftrain 7 1 "$f"71 $opts && ftrain 7 2 "$f"72 $opts && ftrain 8 1 "$f"81 $opts; then
        start=$(sed -n 's/^validation wip \([0-9.]*\)  start.*/\1/p' "$f"71.log)
        best=$(sed -n 's/.*validation wip \([0-9.]*\)$/\1/p' "$f"71)
        if [ $kind = factory ]; then runs_factory "$f"71; else runs_route "$py" "$f"71; fi
        ran=$?
        if ! cmp -s "$f"71 "$f"72; then
            fail python_train_$kind "seed 7: 1 and 2 threads wrote different weights: $(diff "$f"71 "$f"72 | head -n 4)"
        elif cmp -s "$f"71 "$f"81; then
            fail python_train_$kind "seeds 7 and 8 wrote the same weights"
        elif ! awk -v s="$start" -v b="$best" 'BEGIN { exit !(b != "" && s != "" && b + 0 < s + 0) }'; then
            fail python_train_$kind "the search did not improve on its start ($start -> $best)"
        elif [ $ran -ne 0 ]; then
            fail python_train_$kind "the trained weights do not run: $out"
        else
            pass python_train_$kind
            keep "$f"71 $kind
        fi
    else
        fail python_train_$kind "$(tail -n 10 "$f"71.log "$f"72.log "$f"81.log 2>/dev/null)"
    fi
done
