#!/bin/sh
# bench/bench_dc.sh: the distribution centre's goals.
#   1. examples/distribution-centre.yaml, one replication of its 24 hours: 48,000 order lines
#      (2,000 an hour), 71 inbound and 51 outbound trucks over the whole day, 4 AS/RS aisles:
#      wall time and peak RSS of the run (goal: under 1 s on one core, under 200 MB);
#   2. loading 1,000,000 order lines from CSV (`twinsim check` of the same model with the crew's
#      orders file replaced by one of 1,000,000 lines, made here with awk from a fixed seed):
#      wall time and peak RSS (goal: under 2 s, under 300 MB).
#   3. with BENCH_BIG=1 only: loading an order file of 35,000,000 lines (1.1 GB, made here in the
#      temporary folder, never kept): peak RSS against the file's size (goal: under 1.5 times).
# Each figure is the fastest of BENCH_REPEAT rounds (default 3; the 1 GB file is loaded once).
#   BUILD         build folder (default build)
set -u
BUILD=${BUILD:-build}
REPEAT=${BENCH_REPEAT:-3}
TW="$BUILD/twinsim"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/twinsim-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT INT TERM
[ -x "$TW" ] || { echo "bench_dc: build '$TW' first (make)"; exit 1; }
if [ ! -x /usr/bin/time ]; then
    echo "bench_dc: needs /usr/bin/time (apt-get install time)"
    exit 1
fi

lines() { # lines N HOURS: N order lines of 1 to 5 lines an order over HOURS hours, due in 1 h
    awk -v n="$1" -v h="$2" 'BEGIN {
        srand(20261204); print "order,line,product,quantity,release,due"
        while (k < n) {
            o++; rel = rand() * (h * 60 - 60); m = 1 + int(rand() * 5)
            for (l = 1; l <= m && k < n; l++) {
                printf "O%d,%d,s%02d,%d,%.2f,%.2f\n", o, l, 1 + int(rand() * 40),
                    1 + int(rand() * 6), rel, rel + 60
                k++
            }
        }
    }'
}
model() { # model ORDERS: examples/distribution-centre.yaml with the crew's orders from ORDERS
    sed -e "s|orders_file: distribution-centre-orders.csv|orders_file: $1|" \
        -e "s|_file: distribution-centre-|_file: $(pwd)/examples/distribution-centre-|" \
        examples/distribution-centre.yaml
}
best() { # best CMD...: of REPEAT rounds, the one of least wall time: "S s (CPU C s), M MB"
    b=""
    i=0
    while [ "$i" -lt "$REPEAT" ]; do
        /usr/bin/time -f '%e %M %U %S' -o "$TMP/t" "$@" >"$TMP/out" 2>&1 ||
            { cat "$TMP/out"; return 1; }
        read -r s kb u sy <"$TMP/t"
        b=$(printf '%s\n%s %s %s\n' "$b" "$s" "$kb" "$(echo "$u $sy" | awk '{ print $1 + $2 }')" |
            awk 'NF' | sort -n | head -n 1)
        i=$((i + 1))
    done
    echo "$b" | awk '{ printf "%.2f s (CPU %.2f s), %.0f MB", $1, $3, $2 / 1024 }'
}

DAY="examples/distribution-centre.yaml --reps 1 --horizon 24h --no-db --threads 1"
# shellcheck disable=SC2086 # DAY is words
"$TW" run $DAY >"$TMP/day.txt" 2>&1 || { cat "$TMP/day.txt"; exit 1; }
shipped=$(awk '$1 == "pick" { p = 1 } p && $1 == "orders_shipped" { print $2; exit }' "$TMP/day.txt")
loaded=$(awk '$1 == "outbound" { p = 1 } p && $1 == "pallets_loaded" { print $2; exit }' "$TMP/day.txt")
events=$(awk '$1 == "fingerprint" { print $3; exit }' "$TMP/day.txt")
# shellcheck disable=SC2086
echo "distribution centre, 24 h, 48,000 order lines ($shipped crew orders shipped, $loaded orders on departed trucks, $events events): $(best "$TW" run $DAY --quiet) (goal: < 1 s, < 200 MB)"
lines 1000000 24 >"$TMP/big.csv"
model "$TMP/big.csv" >"$TMP/big.yaml"
echo "loading 1,000,000 order lines: $(best "$TW" check "$TMP/big.yaml") (goal: < 2 s, < 300 MB)"
if [ "${BENCH_BIG:-0}" = 1 ]; then
    lines 35000000 24 >"$TMP/huge.csv"
    model "$TMP/huge.csv" >"$TMP/huge.yaml"
    bytes=$(wc -c <"$TMP/huge.csv")
    REPEAT=1
    figure=$(best "$TW" check "$TMP/huge.yaml") || exit 1
    kib=$(awk '{ print $2 }' "$TMP/t") # the one round's peak RSS, exactly
    echo "loading 35,000,000 order lines ($bytes bytes): $figure ($kib KiB), $(echo "$kib $bytes" |
        awk '{ printf "%.2f", $1 * 1024 / $2 }') times the file (goal: < 1.5)"
fi
