#!/bin/sh
# Which tests run which module: builds with gcov instrumentation into build-cov/, runs each unit
# test binary and each tests/cli script alone, and prints, per source module, the share of its
# lines that each test ran (the best first) and the share all tests together ran. A module that
# no test runs shows "none". Slow (every test runs once, uninstrumented optimisation off): use it
# when tests move, not in `make test`. docs/architecture.md, Tests, keeps its last table.
#
#   sh scripts/coverage.sh [TEST...]     TEST: build-cov/tests/test_x or tests/cli/x.sh (default all)
set -u
B=build-cov
make -s -j2 BUILD=$B CFLAGS="--coverage -fno-lto -O0" LDLIBS="--coverage" AR=ar all >/dev/null || exit 1
export BUILD=$B TWINSIM="$(pwd)/$B/twinsim"
map=$(mktemp)
tests=${*:-$(ls $B/tests/test_* | grep -v '\.gc') tests/cli/*.sh}
# One test's lines: `gcov -n` over every folder of objects, "TEST FILE PERCENT" for each source
# file with any line run.
lines_of() {
    for d in $(find $B/src -name '*.gcda' -printf '%h\n' | sort -u); do
        gcov -n -o "$d" "${d#$B/}"/*.c 2>/dev/null |
            awk -v t="$1" '/^File /{f=$2; gsub("\047","",f)}
                /^Lines executed:/{split($2,a,"%"); sub("executed:","",a[1]);
                    if (f ~ /^src\/.*\.c$/ && a[1]+0 > 0) print t, f, a[1]}'
    done
}
for t in $tests; do
    find $B -name '*.gcda' -delete
    case $t in
        *.sh) timeout 900 sh "$t" >/dev/null 2>&1 ;;
        *) timeout 900 "$t" >/dev/null 2>&1 ;;
    esac
    lines_of "$t" >>"$map"
done
# All together: every test again into the same counters would take as long; the union of the
# lines is what gcov gives when the counters of all runs add up, so run them all once more.
find $B -name '*.gcda' -delete
for t in $tests; do
    case $t in *.sh) timeout 900 sh "$t" >/dev/null 2>&1 ;; *) timeout 900 "$t" >/dev/null 2>&1 ;; esac
done
lines_of ALL >>"$map"
python3 - "$map" <<'PY'
import collections, glob, sys
by = collections.defaultdict(list)
total = {}
for line in open(sys.argv[1]):
    t, f, p = line.rsplit(' ', 2)
    if t == 'ALL':
        total[f] = max(total.get(f, 0), float(p))
        continue
    name = t.split('/')[-1]
    by[f].append((float(p), name))
for f in by:  # a test's best figure for a file gcov met twice (two objects of one source)
    best = {}
    for p, n in by[f]:
        best[n] = max(best.get(n, 0), p)
    by[f] = [(p, n) for n, p in best.items()]
print('| module | all tests | tests that run it, most lines first |')
print('|---|---|---|')
for f in sorted(glob.glob('src/*/*.c')):
    runs = sorted(by.get(f, []), reverse=True)
    shown = ', '.join(f'{n} {p:.0f}%' for p, n in runs[:3])
    more = f' and {len(runs) - 3} more' if len(runs) > 3 else ''
    print(f'| {f} | {total[f]:.0f}% | {shown or "none"}{more} |' if f in total else f'| {f} | none | {shown or "none"}{more} |')
PY
rm -f "$map"
