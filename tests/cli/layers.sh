#!/bin/sh
# The house's layers (scripts/layers.py): the tree as built holds, and a small tree built to
# break each rule makes the script fail with the breach named. The bad tree is compiled here
# (plain objects; the script reads their symbols as it reads the build's).
. tests/cli/lib.inc

# The real tree, with the objects of this build.
if out=$(python3 scripts/layers.py "$BUILD" 2>&1); then
    pass layers_tree
else
    fail layers_tree "$(echo "$out" | head -n 20)"
fi

# bad_tree: core includes a header of run and calls a function of run, which calls core back
# (a cycle between two folders); the command includes an internal header.
B=$TMP/bad
mkdir -p "$B/src/core" "$B/src/run" "$B/cli" "$B/include" "$B/build/src/core" "$B/build/src/run"
echo 'int run_thing(void);' >"$B/src/run/thing.h"
printf '#include "run/thing.h"\nint core_thing(void) { return run_thing(); }\n' >"$B/src/core/a.c"
printf 'int core_thing(void);\nint run_thing(void) { return 1; }\nint run_other(void) { return core_thing(); }\n' \
    >"$B/src/run/b.c"
printf '#include "run/thing.h"\nint main(void) { return run_thing(); }\n' >"$B/cli/main.c"
cc -I"$B/src" -c "$B/src/core/a.c" -o "$B/build/src/core/a.o" &&
    cc -I"$B/src" -c "$B/src/run/b.c" -o "$B/build/src/run/b.o" || echo "FAIL layers_bad: cannot compile"
python3 scripts/layers.py --root "$B" build >"$TMP/out" 2>&1
rc=$?
[ "$rc" -eq 1 ] && pass layers_bad_exit || fail layers_bad_exit "exit $rc, expected 1: $(cat "$TMP/out")"
expect() {
    if grep -qxF -- "$2" "$TMP/out"; then pass "$1"; else fail "$1" "no line '$2' in: $(cat "$TMP/out")"; fi
}
expect layers_bad_include 'src/core/a.c: includes "run/thing.h": core is below run'
expect layers_bad_call 'src/core/a.c: calls run_thing, defined in src/run: core is below run'
expect layers_bad_cli 'cli/main.c: includes "run/thing.h": the command uses the public headers only'
expect layers_bad_count 'layers: 3 breaches'

# A folder the layer order does not know fails by itself: a new folder must be given its place.
mkdir -p "$B/src/extra"
python3 scripts/layers.py --root "$B" build >"$TMP/out" 2>&1
rc=$?
[ "$rc" -eq 1 ] && pass layers_unknown_folder_exit ||
    fail layers_unknown_folder_exit "exit $rc, expected 1: $(cat "$TMP/out")"
expect layers_unknown_folder 'src/extra: a folder without a layer (add it to LAYERS in scripts/layers.py and to docs/architecture.md)'
