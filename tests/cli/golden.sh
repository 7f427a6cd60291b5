#!/bin/sh
# Golden runs: every model in examples/ (NAME.yaml with a top-level 'blocks:'; experiment and
# other files beside them are not models), run with `--seed 1 --json F --no-db`, must give exactly
# tests/golden/NAME.json (every digit: the JSON carries doubles in the shortest form that reads
# back as the same bits) once wall_seconds, the one figure that varies, is removed. Each model
# runs with --threads 1 and --threads 2; both must equal the golden, which shows that the thread
# count changes nothing.
#
#   sh tests/cli/golden.sh            compare (what `make test` does)
#   sh tests/cli/golden.sh --update   rewrite the goldens on purpose, after a change of behaviour
#                                     that was meant; review `git diff tests/golden` before commit
. tests/cli/lib.inc

update=0
[ "${1:-}" = "--update" ] && update=1

# Drop wall_seconds and re-print in one fixed layout, one KPI summary a line, so that a change
# shows as a short diff naming the KPI. Python prints each double as the shortest text that reads
# back as the same double, so no digit is lost.
normalise() {
    python3 -c '
import json, sys

def dump(x, ind):
    if isinstance(x, dict) and x and not set(x) <= {"mean", "half_width", "sd", "n", "unit"}:
        pad = "  " * (ind + 1)
        items = [pad + json.dumps(k) + ": " + dump(v, ind + 1) for k, v in x.items()]
        return "{\n" + ",\n".join(items) + "\n" + "  " * ind + "}"
    return json.dumps(x)

with open(sys.argv[1]) as f:
    doc = json.load(f)
doc.pop("wall_seconds", None)
print(dump(doc, 0))
' "$1"
}

found=0
for model in examples/*.yaml; do
    [ -f "$model" ] || continue
    grep -q '^blocks:' "$model" || continue
    found=1
    name=$(basename "$model" .yaml)
    golden="tests/golden/$name.json"
    for threads in 1 2; do
        test="golden_${name}_threads_$threads"
        out="$TMP/$name.$threads.json"
        "$TWINSIM" run "$model" --seed 1 --json "$out" --no-db --quiet --threads "$threads" \
            >"$TMP/stdout" 2>"$TMP/stderr"
        rc=$?
        if [ $rc -ne 0 ]; then
            fail "$test" "exit $rc: $(head -c 300 "$TMP/stderr")"
            continue
        fi
        if ! normalise "$out" >"$TMP/$name.$threads.norm"; then
            fail "$test" "output is not valid JSON"
            continue
        fi
        if [ $update -eq 1 ] && [ "$threads" -eq 1 ]; then
            cp "$TMP/$name.$threads.norm" "$golden"
            echo "updated $golden"
        fi
        if [ ! -f "$golden" ]; then
            fail "$test" "no $golden (create it with: sh tests/cli/golden.sh --update)"
        elif diff -u "$golden" "$TMP/$name.$threads.norm" >"$TMP/diff"; then
            pass "$test"
        else
            fail "$test" "differs from $golden:"
            head -n 40 "$TMP/diff"
        fi
    done
done
[ $found -eq 1 ] || fail golden "no model in examples/*.yaml to run"
exit 0
