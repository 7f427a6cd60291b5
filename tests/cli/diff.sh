#!/bin/sh
# The engine against a second implementation and its own invariants (tests/diff/): 30 random
# models of a fixed seed and the hand-written models under tests/diff/models/, each through the
# invariant checker ($BUILD/diff/invariants, so under ASan+UBSan in the sanitizer build) and
# compared with the SimPy translation (tests/diff/compare.py). Prints SKIP when no python3 has
# simpy and yaml; with TSIM_REQUIRE_SIMPY=1 (CI) that is a FAIL instead. The SimPy side of each
# model is kept in build/diff-simpy (keyed by the model, the translation's sources and the
# versions: tests/diff/compare.py, simpy_cached): the suites after the gcc one compare their own
# twinsim with the SimPy results the gcc suite computed, instead of running SimPy again.
. tests/cli/lib.inc

py=""
for p in ${PYTHON:-} python3 /usr/bin/python3; do
    if "$p" -c 'import simpy, yaml' 2>/dev/null; then py=$p; break; fi
done
if [ -z "$py" ]; then
    why="no python3 with simpy and yaml (Debian: apt-get install python3-simpy3 python3-yaml)"
    if [ "${TSIM_REQUIRE_SIMPY:-0}" = 1 ]; then fail diff "$why"; else echo "SKIP diff: $why"; fi
    exit 0
fi
PYTHON=$py sh tests/diff/run.sh --models 30 --seed 13 --jobs 2 --simpy-cache build/diff-simpy \
    tests/diff/models/*.yaml
