#!/bin/sh
# Random models through twinsim and the SimPy translation, and through the invariant checker.
#
#   tests/diff/run.sh --models N [--seed S] [--jobs J] [--reps-simpy R] [--reps-twinsim R]
#                     [--reps-invariants R] [--keep DIR] [--simpy-cache DIR] [MODEL.yaml...]
#
# Generates N models of seed S (tests/diff/generate.py; model I of seed S is always the same),
# adds the model files named, and for each: $BUILD/diff/invariants checks the engine's
# invariants over R replications, and tests/diff/compare.py compares twinsim's KPIs with the
# SimPy translation's. Models run J at a time. Prints every PASS and FAIL line, a FAIL with both
# values and the model file's text, then one summary line; exits 1 if any model failed.
# --keep DIR writes the models there (kept); otherwise they go in a temporary folder.
# --simpy-cache DIR keeps each model's SimPy summary there, keyed by all it depends on (compare.py,
# simpy_cached), so that another build's run of the same models reads it instead of running it.
# Python: $PYTHON, else the first of python3 and /usr/bin/python3 that has simpy and yaml
# (Debian: python3-simpy3, python3-yaml).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
BUILD=${BUILD:-build}
TWINSIM=${TWINSIM:-$BUILD/twinsim}
models=0 seed=1 jobs=2 reps_simpy=20 reps_twinsim=100 reps_inv=10 keep="" extra="" cache=""
while [ $# -gt 0 ]; do
    case $1 in
        --models) models=$2; shift 2 ;;
        --seed) seed=$2; shift 2 ;;
        --jobs) jobs=$2; shift 2 ;;
        --reps-simpy) reps_simpy=$2; shift 2 ;;
        --reps-twinsim) reps_twinsim=$2; shift 2 ;;
        --reps-invariants) reps_inv=$2; shift 2 ;;
        --keep) keep=$2; shift 2 ;;
        --simpy-cache) cache=$2; shift 2 ;;
        -h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "run.sh: unknown option '$1'" >&2; exit 2 ;;
        *) extra="$extra $1"; shift ;;
    esac
done
py=""
for p in ${PYTHON:-} python3 /usr/bin/python3; do
    if "$p" -c 'import simpy, yaml' 2>/dev/null; then py=$p; break; fi
done
if [ -z "$py" ]; then
    echo "run.sh: no python3 with simpy and yaml (Debian: apt-get install python3-simpy3 python3-yaml)" >&2
    exit 2
fi
for f in "$TWINSIM" "$BUILD/diff/invariants"; do
    [ -x "$f" ] || { echo "run.sh: '$f' is not built (make all)" >&2; exit 2; }
done
if [ -n "$keep" ]; then
    dir=$keep
    mkdir -p "$dir"
else
    dir=$(mktemp -d "${TMPDIR:-/tmp}/twinsim-diff.XXXXXX")
    trap 'rm -rf "$dir"' EXIT INT TERM
fi
list="$dir/models.txt"
: >"$list"
if [ "$models" -gt 0 ]; then
    PYTHONDONTWRITEBYTECODE=1 "$py" "$here/generate.py" --seed "$seed" --count "$models" \
        --out "$dir" >>"$list"
fi
for f in $extra; do echo "$f" >>"$list"; done
n=$(wc -l <"$list")
[ "$n" -gt 0 ] || { echo "run.sh: no models (give --models N or model files)" >&2; exit 2; }
start=$(date +%s)
# One model per job: its invariants, then its comparison. A model that runs too long is a FAIL.
export PYTHONDONTWRITEBYTECODE=1 TWINSIM py here reps_simpy reps_twinsim reps_inv BUILD cache
log="$dir/log.txt"
xargs -P "$jobs" -n 1 sh -c '
    m=$1
    out=$(timeout 300 "$BUILD/diff/invariants" --reps "$reps_inv" --timeout 60 "$m" 2>&1) ||
        [ -n "$out" ] || out="FAIL invariants $m: exit $?"
    cmp=$(timeout 600 "$py" "$here/compare.py" --twinsim "$TWINSIM" --reps-simpy "$reps_simpy" \
        --reps-twinsim "$reps_twinsim" ${cache:+--simpy-cache "$cache"} "$m" 2>&1) || [ -n "$cmp" ] || cmp="FAIL diff $m: timed out"
    printf "%s\n%s\n" "$out" "$cmp"
    case "$out$cmp" in *FAIL*)
        echo "    the model, $m:"
        sed "s/^/        /" "$m" ;;
    esac
' sh <"$list" | tee "$log"
end=$(date +%s)
pass_d=$(grep -c '^PASS diff ' "$log" || true)
fail_d=$(grep -c '^FAIL diff ' "$log" || true)
pass_i=$(grep -c '^PASS invariants ' "$log" || true)
fail_i=$(grep -c '^FAIL invariants ' "$log" || true)
what="$n models"
[ "$models" -gt 0 ] && what="$n models ($models random of seed $seed)"
echo "run.sh: $what, $((end - start)) s: SimPy agrees on $pass_d, disagrees on $fail_d;" \
    "invariants hold on $pass_i, fail on $fail_i"
[ "$fail_d" -eq 0 ] && [ "$fail_i" -eq 0 ] && [ "$pass_d" -eq "$n" ] && [ "$pass_i" -eq "$n" ]
