#!/bin/sh
# Fuzz model files with libFuzzer under ASan and UBSan for a fixed time: `sh scripts/fuzz.sh
# [SECONDS]` (default 60), a third of it for each of three targets:
# - tests/fuzz/fuzz_loader.c: what loads (the loader, the distribution parser, set_param);
# - tests/fuzz/fuzz_run.c: what runs (every input that loads is run for a bounded stretch, with
#   the invariants listed in that file);
# - tests/fuzz/fuzz_web.c: the dashboard's request router and API (src/web without its sockets),
#   over a database holding one run; seeded with tests/fuzz/web/.
# Each input may take at most 2 s and the process at most 2 GiB. The seed corpus is every model
# in tests/models and examples; new inputs are kept in build-fuzz/corpus-TARGET between runs. A
# crash, hang, leak or broken invariant leaves its input in build-fuzz/findings/ and makes this
# script fail: turn each one into a test.
# Needs clang with libFuzzer (Debian: clang-14 and libclang-rt-14-dev).
set -eu
secs=${1:-60}
out=${FUZZ_BUILD:-build-fuzz}
cc=${FUZZ_CC:-clang}

mkdir -p "$out/obj" "$out/corpus-loader" "$out/corpus-run" "$out/corpus-web" "$out/seed" "$out/findings"
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

# The web target also needs the runs, the results and the router, and the pages as C.
webobjs=""
for src in src/run/*.c src/results/*.c src/web/router.c src/web/api.c src/web/job.c; do
    obj="$out/obj/$(echo "$src" | tr / _).o"
    if [ ! -e "$obj" ] || [ "$src" -nt "$obj" ] || [ include/twinsim.h -nt "$obj" ] ||
        [ src/web/web.h -nt "$obj" ]; then
        $cc $flags $san -fsanitize=fuzzer-no-link -c "$src" -o "$obj"
    fi
    webobjs="$webobjs $obj"
done
sh scripts/embed-web.sh web/* >"$out/web_assets.c"
$cc $flags $san -fsanitize=fuzzer tests/fuzz/fuzz_web.c "$out/web_assets.c" $webobjs $objs \
    $(pkg-config --libs libfyaml sqlite3) -lm -lpthread -o "$out/fuzz_web"
rm -f "$out/web.db"
TSIM_FUZZ_DB="$out/web.db"
export TSIM_FUZZ_DB
if [ -x "${BUILD:-build}/twinsim" ]; then
    "${BUILD:-build}/twinsim" run tests/cli/models/line.yaml --db "$TSIM_FUZZ_DB" --reps 2 --quiet
fi

# -max_len: far below the 16 MiB cap, so that the time goes to structure rather than bulk.
part=$(( (secs + 2) / 3 ))
status=0
for t in loader run web; do
    seed="$out/seed"
    [ $t = web ] && seed=tests/fuzz/web
    echo "fuzz: $t for $part s"
    "$out/fuzz_$t" -max_total_time="$part" -timeout=2 -rss_limit_mb=2048 -max_len=16384 \
        -print_final_stats=1 -artifact_prefix="$out/findings/$t-" "$out/corpus-$t" \
        "$seed" || status=1
done
exit $status
