#!/bin/sh
# Every test, as CI runs them: install what is missing (as root), build with warnings as errors,
# run the whole suite, again built with clang, again under ASan+UBSan, the threaded parts under
# TSan, and fuzz the model loader for a fixed time.
# Ends with one line "N passed, N failed".
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
make -s -j2 all
make -s mpi
# The report's browser test drives Debian's Chromium through playwright-core from npm, at the
# version and checksum tests/browser/package-lock.json pins (`npm ci` installs exactly that, and
# writes nothing into the tree but node_modules).
if [ ! -d tests/browser/node_modules/playwright-core ] && command -v npm >/dev/null 2>&1; then
    (cd tests/browser && npm ci --silent --no-audit --no-fund >/dev/null 2>&1) ||
        echo "test: npm ci of playwright-core failed; the browser test will say so"
fi
plain=0; clang=0; san=0; fuzz=0
make -s test >build/test.log 2>&1 || plain=1
cat build/test.log
# A second compiler: clang's warnings are errors too, and the same tests must pass (build-clang/).
make -s -j2 CC=clang all
make -s CC=clang test >build-clang/test.log 2>&1 || clang=1
cat build-clang/test.log
make -s -j2 SAN=1 all
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    make -s SAN=1 test >build-san/test.log 2>&1 || san=1
cat build-san/test.log
tsan=0
make -s test-tsan >build/tsan.log 2>&1 || tsan=1
grep -q '^FAIL ' build/tsan.log && tsan=1
cat build/tsan.log
if [ -f scripts/fuzz.sh ]; then
    sh scripts/fuzz.sh "${FUZZ_SECONDS:-60}" >build/fuzz.log 2>&1 || fuzz=1
    # Each target's line, and what any finding said (its invariant, sanitizer report, input).
    grep -E '^fuzz: |invariant broken|ERROR: |SUMMARY: |Test unit written|^    #[0-9] ' \
        build/fuzz.log | head -n 80
    tail -n 5 build/fuzz.log
fi
# tests/run.sh repeats every FAIL line in its summary: count each once.
fails() { grep '^FAIL ' "$1" | sort -u | wc -l; }
p1=$(grep -c '^PASS ' build/test.log || true); f1=$(fails build/test.log)
p2=$(grep -c '^PASS ' build-san/test.log || true); f2=$(fails build-san/test.log)
p3=$(grep -c '^PASS ' build/tsan.log || true); f3=$(fails build/tsan.log)
[ $tsan -eq 0 ] || [ "$f3" -gt 0 ] || f3=1
p4=$(grep -c '^PASS ' build-clang/test.log || true); f4=$(fails build-clang/test.log)
[ $clang -eq 0 ] || [ "$f4" -gt 0 ] || f4=1
fz=0; [ $fuzz -eq 0 ] || fz=1
echo "plain: $p1 passed, $f1 failed; clang: $p4 passed, $f4 failed; ASan+UBSan: $p2 passed, $f2 failed; TSan: $p3 passed, $f3 failed; fuzz: $([ $fz -eq 0 ] && echo clean || echo FAILED)"
echo "$((p1 + p2 + p3 + p4)) passed, $((f1 + f2 + f3 + f4 + fz)) failed"
[ $plain -eq 0 ] && [ $clang -eq 0 ] && [ $san -eq 0 ] && [ $tsan -eq 0 ] && [ $fz -eq 0 ]
