#!/bin/sh
# The hand-written models that bench/run.sh times as twinsim's ceiling (bench/bench_ceiling.c)
# must run the very events twinsim runs for bench_models' three models: the same fingerprint
# and the same KPIs, on more than one seed. Otherwise the ratio the bench prints
# would compare two different computations.
. tests/cli/lib.inc

B=$BUILD/bench-check
# The KPI lines both programs print for a model: M/M/1's "Wq ..." line; the serial line's
# "throughput ..." and "blocked fraction ..." lines; the job shop's "throughput ..." and
# "utilization ..." lines.
kpis() {
    case $1 in
        mm1) grep '^  Wq ' "$2" |
             grep -o 'Wq [0-9.]*\|W [0-9.]*\|throughput [0-9.]*\|utilization [0-9.]*' ;;
        serial) grep '^  throughput \|^  blocked fraction ' "$2" ;;
        jobshop) grep '^  throughput \|^  utilization ' "$2" ;;
    esac
}
for model in mm1 serial jobshop; do
    : >"$TMP/fps"
    size=20000
    [ "$model" = jobshop ] && size=3000 # time units: about 20,000 events
    for seed in 1 7; do
        name=ceiling_${model}_same_run_seed_$seed
        if ! "$B/bench_models" "$model" "$size" "$seed" >"$TMP/engine" 2>&1 ||
           ! "$B/bench_ceiling" "$model" "$size" "$seed" >"$TMP/hand" 2>&1; then
            fail "$name" "a program failed: $(cat "$TMP/engine" "$TMP/hand" | head -n 5)"
            continue
        fi
        fe=$(sed -n 's/.*fingerprint \([0-9a-f]\{16\}\).*/\1/p' "$TMP/engine")
        fh=$(sed -n 's/.*fingerprint \([0-9a-f]\{16\}\).*/\1/p' "$TMP/hand")
        ke=$(kpis "$model" "$TMP/engine")
        kh=$(kpis "$model" "$TMP/hand")
        if [ -z "$fe" ] || [ "$fe" != "$fh" ]; then
            fail "$name" "fingerprint ${fh:-none} by hand, ${fe:-none} by the engine"
        elif [ -z "$ke" ] || [ "$ke" != "$kh" ]; then
            fail "$name" "KPIs differ: engine '$(echo $ke)', by hand '$(echo $kh)'"
        else
            pass "$name"
        fi
        echo "$fe" >>"$TMP/fps"
    done
    # The two seeds are two different runs: the comparison above can tell runs apart.
    if [ "$(sort -u "$TMP/fps" | wc -l)" -eq 2 ]; then
        pass "ceiling_${model}_seeds_differ"
    else
        fail "ceiling_${model}_seeds_differ" "seeds 1 and 7 gave the same fingerprint"
    fi
done
# A model it does not have is refused with its usage, not run.
if "$B/bench_ceiling" assembly 100 1 >"$TMP/out" 2>&1; then
    fail ceiling_unknown_model "assembly ran"
elif grep -q '^usage: bench_ceiling mm1|serial' "$TMP/out"; then
    pass ceiling_unknown_model
else
    fail ceiling_unknown_model "no usage line: $(head -n 2 "$TMP/out")"
fi
