#!/bin/sh
# Every test, as CI runs them: install what is missing (as root), build with warnings as errors,
# run the whole suite, again built with clang, again under ASan+UBSan, the threaded parts under
# TSan, and fuzz the model loader for a fixed time.
# Ends with one line "N passed, N failed", after a line of the seconds each phase took.
#
# Builds run TSIM_MAKE_JOBS compiles at once (default: the number of cores). While a suite runs,
# the build the next phase needs runs beside it at the lowest priority (nice 19): most tests wait
# on a broker, a server, a timeout or a child, and the build takes the cores they leave idle, not
# the suite's share; what is left of it ends before the next phase starts. Each suite builds in a
# folder of its own (build/, build-clang/, build-san/, build-tsan/, build-fuzz/), and no test of
# one suite reads another's folder, except build/ (install.sh and python.sh of the ASan+UBSan
# suite), which is complete before any of them starts.
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
J=${TSIM_MAKE_JOBS:-$(nproc 2>/dev/null || echo 2)}
TSIM_MAKE_JOBS=$J
export TSIM_MAKE_JOBS
last=$(date +%s)
first=$last
phases=""
# phase NAME: the seconds since the last phase ended, for the summary.
phase() {
    now=$(date +%s)
    phases="$phases $1 $((now - last)) s,"
    last=$now
}
# ahead NAME COMMAND...: start the build COMMAND at the lowest priority, in a process group of
# its own, its output in build/ahead-NAME.log; `landed NAME` gives what is left of it the usual
# priority (where this runs as root, as in CI), waits for it and stops this script, with that
# output, if it failed (as the build would have, run in line).
ahead() {
    _name=$1
    shift
    nice -n 19 setsid sh -c "$*" >"build/ahead-$_name.log" 2>&1 &
    eval "ahead_$_name=\$!"
}
landed() {
    _pid=""
    eval "_pid=\$ahead_$1"
    renice -n 0 -g "$_pid" >/dev/null 2>&1 || true
    if ! wait "$_pid"; then
        cat "build/ahead-$1.log"
        echo "test: the $1 build failed"
        echo "seconds:$phases"
        exit 1
    fi
}
make -s -j"$J" all
# Before the suite, where they have the cores: both MPIs' twinsim-mpi (tests/cli/mpi.sh) and
# the position-independent library (install.sh, python.sh), which its scripts would otherwise
# build one compile at a time.
sh tests/cli/mpi.sh --build
make -s -j"$J" shlib build/lib/libtwinsim.a
phase build
# The report's browser test drives Debian's Chromium through playwright-core from npm, at the
# version and checksum tests/browser/package-lock.json pins (`npm ci` installs exactly that, and
# writes nothing into the tree but node_modules).
if [ ! -d tests/browser/node_modules/playwright-core ] && command -v npm >/dev/null 2>&1; then
    (cd tests/browser && npm ci --silent --no-audit --no-fund >/dev/null 2>&1) ||
        echo "test: npm ci of playwright-core failed; the browser test will say so"
fi
plain=0; clang=0; san=0; fuzz=0
# A second compiler: clang's warnings are errors too, and the same tests must pass (build-clang/).
ahead clang "make -s -j$J CC=clang all shlib build-clang/lib/libtwinsim.a"
make -s test >build/test.log 2>&1 || plain=1
phase "gcc suite"
cat build/test.log
landed clang
phase "clang build"
ahead san "make -s -j$J SAN=1 all && SAN=1 BUILD=build-san sh tests/cli/mpi.sh --build"
make -s CC=clang test >build-clang/test.log 2>&1 || clang=1
phase "clang suite"
cat build-clang/test.log
landed san
phase "ASan+UBSan build"
# The TSan library and the fuzzer's objects, beside the ASan+UBSan suite.
fuzz_build=""
[ -f scripts/fuzz.sh ] && fuzz_build="&& sh scripts/fuzz.sh --build"
ahead tsan "make -s -j$J SAN=thread build-tsan/libtwinsim.a $fuzz_build"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    make -s SAN=1 test >build-san/test.log 2>&1 || san=1
phase "ASan+UBSan suite"
cat build-san/test.log
landed tsan
phase "TSan and fuzz builds"
tsan=0
make -s test-tsan >build/tsan.log 2>&1 || tsan=1
grep -q '^FAIL ' build/tsan.log && tsan=1
cat build/tsan.log
phase TSan
if [ -f scripts/fuzz.sh ]; then
    sh scripts/fuzz.sh "${FUZZ_SECONDS:-60}" >build/fuzz.log 2>&1 || fuzz=1
    # Each target's line, and what any finding said (its invariant, sanitizer report, input).
    grep -E '^fuzz: |invariant broken|ERROR: |SUMMARY: |Test unit written|^    #[0-9] ' \
        build/fuzz.log | head -n 80
    tail -n 5 build/fuzz.log
    phase fuzz
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
echo "seconds:$phases total $(($(date +%s) - first)) s (after installing what was missing)"
echo "$((p1 + p2 + p3 + p4)) passed, $((f1 + f2 + f3 + f4 + fz)) failed"
[ $plain -eq 0 ] && [ $clang -eq 0 ] && [ $san -eq 0 ] && [ $tsan -eq 0 ] && [ $fz -eq 0 ]
