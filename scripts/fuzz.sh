#!/bin/sh
# Fuzz model files with libFuzzer under ASan and UBSan for a fixed time: `sh scripts/fuzz.sh
# [SECONDS]` (default 60), half of it for each of two targets:
# - tests/fuzz/fuzz_loader.c: what loads (the loader, the distribution parser, set_param);
# - tests/fuzz/fuzz_run.c: what runs (every input that loads is run for a bounded stretch, with
#   the invariants listed in that file).
# Each input may take at most 2 s and the process at most 2 GiB. The seed corpus is every model
# in tests/models and examples; new inputs are kept in build-fuzz/corpus-TARGET between runs. A
# crash, hang, leak or broken invariant leaves its input in build-fuzz/findings/ and makes this
# script fail: turn each one into a test.
# Needs clang with libFuzzer (Debian: clang-14 and libclang-rt-14-dev).
set -eu
secs=${1:-60}
out=${FUZZ_BUILD:-build-fuzz}
cc=${FUZZ_CC:-clang}

mkdir -p "$out/obj" "$out/corpus-loader" "$out/corpus-run" "$out/seed" "$out/findings"
# The loader's corpus lived in corpus/ before there were two targets.
if [ -d "$out/corpus" ]; then cp -n "$out/corpus"/* "$out/corpus-loader/" 2>/dev/null || true; fi
flags="-std=c11 -g -O1 -fno-omit-frame-pointer -D_GNU_SOURCE -Iinclude -Isrc $(pkg-config --cflags libfyaml)"
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
objs=""
for src in src/core/*.c src/model/*.c src/blocks/*.c; do
    obj="$out/obj/$(echo "$src" | tr / _).o"
    if [ ! -e "$obj" ] || [ "$src" -nt "$obj" ] || [ include/twinsim.h -nt "$obj" ] ||
        [ src/blocks/sim.h -nt "$obj" ] || [ src/blocks/desc.h -nt "$obj" ] ||
        [ src/core/calendar.h -nt "$obj" ]; then
        $cc $flags $san -fsanitize=fuzzer-no-link -c "$src" -o "$obj"
    fi
    objs="$objs $obj"
done
for t in loader run; do
    $cc $flags $san -fsanitize=fuzzer "tests/fuzz/fuzz_$t.c" $objs \
        $(pkg-config --libs libfyaml) -lm -lpthread -o "$out/fuzz_$t"
done

find tests/models examples -name '*.yaml' -exec cp {} "$out/seed/" \;

# -max_len: far below the 16 MiB cap, so that the time goes to structure rather than bulk.
half=$(( (secs + 1) / 2 ))
status=0
for t in loader run; do
    echo "fuzz: $t for $half s"
    "$out/fuzz_$t" -max_total_time="$half" -timeout=2 -rss_limit_mb=2048 -max_len=16384 \
        -print_final_stats=1 -artifact_prefix="$out/findings/$t-" "$out/corpus-$t" \
        "$out/seed" || status=1
done
exit $status
