#!/bin/sh
# The hand-written M/M/1 that bench/run.sh times as twinsim's ceiling (bench/bench_ceiling.c)
# must run the very events twinsim runs for bench_models' M/M/1: the same fingerprint and the
# same KPIs, on more than one seed. Otherwise the ratio the bench prints would compare two
# different computations.
. tests/cli/lib.inc

B=$BUILD/bench-check
for seed in 1 7; do
    name=ceiling_same_run_seed_$seed
    if ! "$B/bench_models" mm1 20000 "$seed" >"$TMP/engine" 2>&1 ||
       ! "$B/bench_ceiling" 20000 "$seed" >"$TMP/hand" 2>&1; then
        fail "$name" "a program failed: $(cat "$TMP/engine" "$TMP/hand" | head -n 5)"
        continue
    fi
    fe=$(sed -n 's/.*fingerprint \([0-9a-f]\{16\}\).*/\1/p' "$TMP/engine")
    fh=$(sed -n 's/.*fingerprint \([0-9a-f]\{16\}\).*/\1/p' "$TMP/hand")
    # "Wq x (theory 9.0)  W x ... throughput x ... utilization x": the same four figures
    ke=$(grep "^  Wq " "$TMP/engine" | grep -o 'Wq [0-9.]*\|W [0-9.]*\|throughput [0-9.]*\|utilization [0-9.]*')
    kh=$(grep "^  Wq " "$TMP/hand" | grep -o 'Wq [0-9.]*\|W [0-9.]*\|throughput [0-9.]*\|utilization [0-9.]*')
    if [ -z "$fe" ] || [ "$fe" != "$fh" ]; then
        fail "$name" "fingerprint ${fh:-none} by hand, ${fe:-none} by the engine"
    elif [ "$(echo "$ke" | wc -l)" -ne 4 ] || [ "$ke" != "$kh" ]; then
        fail "$name" "KPIs differ: engine '$(echo $ke)', by hand '$(echo $kh)'"
    else
        pass "$name"
    fi
    echo "$fe" >>"$TMP/fps"
done
# The two seeds are two different runs: the comparison above can tell runs apart.
if [ "$(sort -u "$TMP/fps" 2>/dev/null | wc -l)" -eq 2 ]; then
    pass ceiling_seeds_differ
else
    fail ceiling_seeds_differ "seeds 1 and 7 gave the same fingerprint"
fi
