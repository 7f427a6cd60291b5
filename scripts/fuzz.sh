#!/bin/sh
# Fuzz the model loader (tests/fuzz/fuzz_loader.c) with libFuzzer under ASan and UBSan for a fixed
# time: `sh scripts/fuzz.sh [SECONDS]` (default 60). Each input may take at most 2 s and the
# process at most 2 GiB. The seed corpus is every model in tests/models and examples; new inputs
# are kept in build-fuzz/corpus between runs. A crash, hang or leak leaves its input in
# build-fuzz/findings/ and makes this script fail: turn each one into a bad-model test.
# Needs clang with libFuzzer (Debian: clang-14 and libclang-rt-14-dev).
set -eu
secs=${1:-60}
out=${FUZZ_BUILD:-build-fuzz}
cc=${FUZZ_CC:-clang}

mkdir -p "$out/obj" "$out/corpus" "$out/seed" "$out/findings"
flags="-std=c11 -g -O1 -fno-omit-frame-pointer -D_GNU_SOURCE -Iinclude -Isrc $(pkg-config --cflags libfyaml)"
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
objs=""
for src in src/core/*.c src/model/*.c; do
    obj="$out/obj/$(echo "$src" | tr / _).o"
    if [ ! -e "$obj" ] || [ "$src" -nt "$obj" ] || [ include/twinsim.h -nt "$obj" ]; then
        $cc $flags $san -fsanitize=fuzzer-no-link -c "$src" -o "$obj"
    fi
    objs="$objs $obj"
done
$cc $flags $san -fsanitize=fuzzer tests/fuzz/fuzz_loader.c $objs \
    $(pkg-config --libs libfyaml) -lm -lpthread -o "$out/fuzz_loader"

find tests/models examples -name '*.yaml' -exec cp {} "$out/seed/" \;

# -max_len: far below the 16 MiB cap, so that the time goes to structure rather than bulk.
"$out/fuzz_loader" -max_total_time="$secs" -timeout=2 -rss_limit_mb=2048 -max_len=16384 \
    -print_final_stats=1 -artifact_prefix="$out/findings/" "$out/corpus" "$out/seed"
