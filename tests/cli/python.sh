#!/bin/sh
# The Python binding (python/, docs/ai.md): its pytest tests run from the tree against the
# shared library this build makes, then `pip install ./python` into a fresh virtual environment
# (offline: --no-index, Debian's setuptools through --no-build-isolation) and a short episode
# from the installed package. Needs python3 with numpy and pytest (Debian's python3-numpy,
# python3-pytest); where they are missing that is a failure, not a skip.
# A sanitizer run tests the plain build: Python cannot load a library built with ASan.
. tests/cli/lib.inc

case ${BUILD:-build} in
    build-san* | build-tsan*) IB=build ;;
    *) IB=${BUILD:-build} ;;
esac
if ! make -s --no-print-directory SAN=0 BUILD="$IB" shlib >"$TMP/make.log" 2>&1; then
    fail python_shlib "make shlib failed: $(tail -n 5 "$TMP/make.log")"
    exit 0
fi
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
if (cd python && BUILD="$IB" "$py" -m pytest -q -p no:cacheprovider tests) >"$TMP/out" 2>&1; then
    pass python_pytest
else
    fail python_pytest "$(tail -n 30 "$TMP/out")"
fi

# pip install into a virtual environment that sees Debian's numpy, with the library named.
top=$(pwd)
lib=$(ls "$top/$IB"/lib/libtwinsim.so.*.* | tail -n 1)
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
