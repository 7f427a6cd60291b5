#!/bin/sh
# Fuzz the files twinsim reads with libFuzzer under ASan and UBSan for a fixed time:
# `sh scripts/fuzz.sh [SECONDS]` (default 60), an equal part of it for each target:
# - tests/fuzz/fuzz_loader.c: what loads (the loader, the distribution parser, set_param);
# - tests/fuzz/fuzz_run.c: what runs (every input that loads is run for a bounded stretch, with
#   the invariants listed in that file);
# - tests/fuzz/fuzz_experiment.c: experiment files (`twinsim experiment` / `optimize`);
# - tests/fuzz/fuzz_mapping.c: the twin's mapping files (built when libmosquitto and cJSON are).
# - tests/fuzz/fuzz_stock.c: a storage block's stock files (CSV, libcsv); seeded with
#   tests/fuzz/stock/.
# - tests/fuzz/fuzz_orders.c: a picking block's order-lines files (CSV, libcsv); seeded with
#   tests/fuzz/orders/.
# - tests/fuzz/fuzz_trucks.c: a dock's appointments files (CSV, libcsv); seeded with
#   tests/fuzz/trucks/.
# - tests/fuzz/fuzz_lua.c: the Lua sandbox: random rule code run in a small model; seeded with
#   tests/fuzz/lua/.
# - tests/fuzz/fuzz_web.c: the dashboard's request router and API (src/web without its sockets),
#   over a database holding one run; seeded with tests/fuzz/web/.
# - tests/fuzz/fuzz_jobshop.c: job-shop instance files and schedules (`twinsim run --jobshop`);
#   seeded with the Fisher-Thompson and Lawrence instances of tests/jsplib.
# - tests/fuzz/fuzz_policy.c: weights files of the learned sequencing rule (`--rule policy:PATH`);
#   seeded with tests/fuzz/policy/.
# - tests/fuzz/fuzz_env.c: the environment API (src/logic/env.c): random batches stepped with
#   random actions and resets.
# Each input may take at most 2 s and the process at most 2 GiB. The seed corpus is every model
# in tests/models and examples; new inputs are kept in build-fuzz/corpus-TARGET between runs. A
# crash, hang, leak or broken invariant leaves its input in build-fuzz/findings/ and makes this
# script fail: turn each one into a test.
# Needs clang with libFuzzer (Debian: clang-14 and libclang-rt-14-dev).
#
# `sh scripts/fuzz.sh --build` builds the targets and runs nothing (scripts/test.sh, beside a
# suite). Sources compile TSIM_MAKE_JOBS at once (default: the number of cores).
set -eu
secs=${1:-60}
build_only=0
[ "$secs" = --build ] && build_only=1
jobs=${TSIM_MAKE_JOBS:-$(nproc 2>/dev/null || echo 2)}
out=${FUZZ_BUILD:-build-fuzz}
cc=${FUZZ_CC:-clang}

targets="loader run experiment stock orders trucks jobshop lua policy env"
pkgs="libfyaml sqlite3 lua5.4"
defs=""
srcs="src/core/*.c src/model/*.c src/blocks/*.c src/logic/*.c src/run/*.c src/results/*.c"
if pkg-config --exists libmosquitto libcjson; then
    targets="$targets mapping"
    pkgs="$pkgs libmosquitto libcjson"
    defs="-DTSIM_HAVE_MQTT=1 -DTSIM_HAVE_CJSON=1"
    srcs="$srcs src/twin/*.c"
fi
mkdir -p "$out/obj" "$out/corpus-web" "$out/seed" "$out/seed-experiment" "$out/seed-mapping" "$out/findings"
for t in $targets; do mkdir -p "$out/corpus-$t"; done
# The loader's corpus lived in corpus/ before there were several targets.
if [ -d "$out/corpus" ]; then cp -n "$out/corpus"/* "$out/corpus-loader/" 2>/dev/null || true; fi
flags="-std=c11 -g -O1 -fno-omit-frame-pointer -D_GNU_SOURCE $defs -Iinclude -Isrc $(pkg-config --cflags $pkgs)"
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
# compile SRC...: each source whose object is missing or older than it or than a header, $jobs
# at once; sets objs to every one's object.
compile() {
    objs=""
    for src in "$@"; do
        obj="$out/obj/$(echo "$src" | tr / _).o"
        if [ ! -e "$obj" ] || [ "$src" -nt "$obj" ] ||
            [ -n "$(find include src -name '*.h' -newer "$obj" | head -n 1)" ]; then
            echo "$src $obj" >>"$out/stale"
        fi
        objs="$objs $obj"
    done
    if [ -s "$out/stale" ]; then
        FCC=$cc FFLAGS="$flags $san -fsanitize=fuzzer-no-link" \
            xargs -P "$jobs" -L 1 sh -c '$FCC $FFLAGS -c "$0" -o "$1"' <"$out/stale"
    fi
    rm -f "$out/stale"
}
rm -f "$out/stale"
# shellcheck disable=SC2086 # srcs is a list of patterns
compile $srcs
# The pages as C: the static report (src/results/report.c) inlines their script and style.
# Written only when it changed, so that its object, and the targets, are remade only then.
sh scripts/embed-web.sh web/* >"$out/web_assets.c.tmp"
if cmp -s "$out/web_assets.c.tmp" "$out/web_assets.c"; then rm -f "$out/web_assets.c.tmp"
else mv "$out/web_assets.c.tmp" "$out/web_assets.c"; fi
libobjs=$objs
compile "$out/web_assets.c"
objs="$libobjs $objs"
# stale BIN FILE...: true when BIN is missing or older than one of the FILEs.
stale() {
    [ -e "$1" ] || return 0
    _bin=$1
    shift
    for _f in "$@"; do [ "$_f" -nt "$_bin" ] && return 0; done
    return 1
}
for t in $targets; do
    # shellcheck disable=SC2086 # objs is a list of files
    if stale "$out/fuzz_$t" "tests/fuzz/fuzz_$t.c" $objs include/*.h src/*/*.h; then
        $cc $flags $san -fsanitize=fuzzer "tests/fuzz/fuzz_$t.c" $objs \
            $(pkg-config --libs $pkgs) -lcsv -lm -lpthread -o "$out/fuzz_$t"
    fi
done

find tests/models examples -name '*.yaml' -exec cp {} "$out/seed/" \;
cp tests/experiments/*.yaml "$out/seed-experiment/"
cp tests/twin/*.mapping.yaml "$out/seed-mapping/"

# The web target also needs the router, its answers, its API, jobs and the live twin's state.
libobjs=$objs
compile src/web/router.c src/web/reply.c src/web/api.c src/web/job.c src/web/live.c
# shellcheck disable=SC2086 # objs and libobjs are lists of files
if stale "$out/fuzz_web" tests/fuzz/fuzz_web.c $objs $libobjs include/*.h src/*/*.h; then
    $cc $flags $san -fsanitize=fuzzer tests/fuzz/fuzz_web.c $objs $libobjs \
        $(pkg-config --libs $pkgs) -lcsv -lm -lpthread -o "$out/fuzz_web"
fi
targets="$targets web"
[ $build_only -eq 0 ] || exit 0
rm -f "$out/web.db"
TSIM_FUZZ_DB="$out/web.db"
export TSIM_FUZZ_DB
if [ -x "${BUILD:-build}/twinsim" ]; then
    "${BUILD:-build}/twinsim" run tests/cli/models/line.yaml --db "$TSIM_FUZZ_DB" --reps 2 --quiet
fi

# -max_len: far below the 16 MiB cap, so that the time goes to structure rather than bulk.
n=$(echo $targets | wc -w)
each=$(( (secs + n - 1) / n ))
status=0
for t in $targets; do
    seed="$out/seed"
    case $t in experiment | mapping) seed="$out/seed-$t" ;; web) seed=tests/fuzz/web ;;
        stock) seed=tests/fuzz/stock ;; orders) seed=tests/fuzz/orders ;;
        trucks) seed=tests/fuzz/trucks ;;
        jobshop) seed=tests/jsplib/instances/Lawrence1984 ;;
        lua) seed=tests/fuzz/lua ;; policy) seed=tests/fuzz/policy ;;
        env) seed="$out/corpus-env" ;; esac
    echo "fuzz: $t for $each s"
    "$out/fuzz_$t" -max_total_time="$each" -timeout=2 -rss_limit_mb=2048 -max_len=16384 \
        -print_final_stats=1 -artifact_prefix="$out/findings/$t-" "$out/corpus-$t" \
        "$seed" || status=1
done
exit $status
