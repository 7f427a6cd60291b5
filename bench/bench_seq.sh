#!/bin/sh
# bench/bench_seq.sh: sequencing over a long queue (docs/logic.md, "Cost, by rule").
# bench/overload-edd.yaml is a cell whose queue grows to about 28,000 entities over 5 days; it
# runs one replication with its EDD rule, then with the rule SPT and with `discipline: edd` in
# its place (each an index of the queue: O(log n) per entity sent), on one thread. CPU time and
# wall time of the whole command, the fastest of BENCH_REPEAT rounds (default 3); the
# fingerprint and the queue's largest content show that it is the same run each time. Goal:
# well under 1 s for the 5 days, where one pass over the queue per decision took 16 s CPU.
#   BUILD         build folder (default build)
set -u
BUILD=${BUILD:-build}
REPEAT=${BENCH_REPEAT:-3}
TW="$BUILD/twinsim"
M=bench/overload-edd.yaml
TMP=$(mktemp -d "${TMPDIR:-/tmp}/twinsim-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT INT TERM
[ -x "$TW" ] || { echo "bench_seq: build '$TW' first (make)"; exit 1; }
if [ ! -x /usr/bin/time ]; then
    echo "bench_seq: needs /usr/bin/time (apt-get install time)"
    exit 1
fi

one() { # one LABEL ARGS...: the fastest of REPEAT runs of twinsim run ARGS
    label=$1
    shift
    b=""
    i=0
    while [ "$i" -lt "$REPEAT" ]; do
        /usr/bin/time -f '%e %U %S' -o "$TMP/t" "$TW" run "$M" --no-db --threads 1 "$@" \
            >"$TMP/out" 2>&1 || { cat "$TMP/out"; return 1; }
        read -r s u sy <"$TMP/t"
        b=$(printf '%s\n%s %s\n' "$b" "$(echo "$u $sy" | awk '{ print $1 + $2 }')" "$s" |
            awk 'NF' | sort -n | head -n 1)
        i=$((i + 1))
    done
    fp=$(awk '$1 == "fingerprint" { sub(",", "", $2); print $2 }' "$TMP/out")
    mx=$(awk '$1 == "queue" { q = 1 } q && $1 == "max_content" { print $2; exit }' "$TMP/out")
    echo "$b" | awk -v l="$label" -v fp="$fp" -v mx="$mx" '{
        printf "overload-edd, 5 days, %s: CPU %.2f s, wall %.2f s (queue up to %s, fingerprint %s)%s\n",
            l, $1, $2, mx, fp, $1 < 1 ? "" : " MISSED: goal < 1 s" }'
}

one "rule EDD"
one "rule SPT" --set queue.rule=SPT
one "discipline edd" --set queue.discipline=edd
