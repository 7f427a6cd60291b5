#!/bin/sh
# The GPU parity check (make test-gpu): the Philox draws of a fixed set of streams and of every
# distribution, made on the device (build/gpu/parity) and by the CPU engine
# (build/gpu-check/philox_ref), must be equal bit for bit. Where there is no GPU build or no
# device it says "no GPU: skipped (why)" and exits 0; the CPU side alone runs in make test
# (tests/cli/gpu.sh).
BUILD=${BUILD:-build}
ref="$BUILD/gpu-check/philox_ref"
gpu="$BUILD/gpu/parity"
if [ ! -x "$gpu" ]; then
    echo "no GPU: skipped (no GPU build: 'make gpu' needs nvcc)"
    exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/twinsim-gpu.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
if ! "$ref" spec >"$tmp/spec" || ! "$ref" draws >"$tmp/cpu"; then
    echo "FAIL gpu_philox_parity: $ref failed"
    exit 1
fi
"$gpu" <"$tmp/spec" >"$tmp/gpu" 2>"$tmp/err"
rc=$?
if [ $rc -eq 3 ]; then
    echo "no GPU: skipped ($(sed 's/^no GPU: //' "$tmp/err"))"
    exit 0
fi
if [ $rc -ne 0 ]; then
    echo "FAIL gpu_philox_parity: $gpu exited $rc: $(cat "$tmp/err")"
    exit 1
fi
n=$(wc -l <"$tmp/cpu")
if cmp -s "$tmp/cpu" "$tmp/gpu"; then
    echo "PASS gpu_philox_parity ($n draws equal bit for bit)"
else
    line=$(cmp "$tmp/cpu" "$tmp/gpu" | sed -n 's/.*line \([0-9]*\).*/\1/p')
    bad=$(diff "$tmp/cpu" "$tmp/gpu" | grep -c '^<')
    echo "FAIL gpu_philox_parity: $bad of $n draws differ, the first at line $line"
    exit 1
fi
