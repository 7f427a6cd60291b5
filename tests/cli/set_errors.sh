#!/bin/sh
# A model that validated as loaded and fails after `--set` (or an experiment's factor): the error
# names what broke it, the --set argument or the factor's line, not the model file, whose lines
# no longer say what was run.
. tests/cli/lib.inc
cd "$TMP" || exit 1

# expect NAME CODE TEXT: the last command exited with CODE and its stderr is the line TEXT
expect() {
    if [ "$rc" -ne "$2" ]; then
        fail "$1" "exit $rc, expected $2 ($(head -c 300 "$TMP/err"))"
    elif [ "$(cat "$TMP/err")" != "$3" ]; then
        fail "$1" "got '$(head -c 400 "$TMP/err")'"
    else
        pass "$1"
    fi
}

cat >belt.yaml <<'EOF'
run: {horizon: 100, replications: 2}
blocks:
  - source: in
    interarrival: 1
    to: q
  - buffer: q
    to: belt
  - conveyor: belt
    length: 10
    speed: 30
    spacing: 0.3
    to: done
  - sink: done
EOF
tw run belt.yaml --no-db --quiet --set belt.length=0.1
expect set_error_names_the_set 1 "twinsim run: --set belt.length=0.1: error: conveyor 'belt' has spacing 0.3, longer than its length 0.1"

# Every --set on the block the error is about, and none other.
tw run belt.yaml --no-db --quiet --set belt.length=0.1 --set q.capacity=5 --set belt.spacing=0.2
expect set_error_names_the_block_sets 1 "twinsim run: --set belt.length=0.1 --set belt.spacing=0.2: error: conveyor 'belt' has spacing 0.2, longer than its length 0.1"

# The same values in the file: the loader places the error at the key it is about, 'spacing'.
sed 's/length: 10/length: 0.1/' belt.yaml >short.yaml
tw run short.yaml --no-db --quiet
expect set_error_file_keeps_its_place 1 "short.yaml:11:5: error: conveyor 'belt' has spacing 0.3, longer than its length 0.1"

# A problem of the model as a whole (servers in all): every --set is named. The file has
# 999,999 + 1 servers, at the limit of 1,000,000.
{
    printf 'run: {horizon: 10}\nblocks:\n  - source: in\n    interarrival: 1\n    to: q\n'
    printf '  - buffer: q\n    to: m1\n'
    for i in 1 2 3 4 5 6 7 8 9 10 11; do
        s=100000; [ $i -eq 1 ] && s=99999; [ $i -eq 11 ] && s=1
        n=m$((i + 1)); [ $i -eq 11 ] && n=done
        printf '  - machine: m%d\n    servers: %d\n    process: 1\n    to: %s\n' $i $s $n
    done
    printf '  - sink: done\n'
} >many.yaml
tw check many.yaml --quiet
if [ "$rc" -eq 0 ]; then pass set_error_many_loads; else fail set_error_many_loads "$(cat "$TMP/err")"; fi
tw run many.yaml --no-db --quiet --set q.capacity=5 --set m11.servers=2
expect set_error_model_names_every_set 1 "twinsim run: --set q.capacity=5 --set m11.servers=2: error: the machines have 1000001 servers in all, more than 1000000"

# An experiment's scenario that does not validate is placed at the factor that broke it.
cat >x.yaml <<'EOF'
model: belt.yaml
replications: 2
factors:
  q.capacity: [5, 10]
  belt.length: [10, 0.1]
EOF
tw experiment x.yaml --no-db
expect set_error_experiment_at_factor 1 "x.yaml:5:3: error: scenario 1 does not validate with factor 'belt.length' at 0.1: conveyor 'belt' has spacing 0.3, longer than its length 0.1"
