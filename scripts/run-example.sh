#!/bin/sh
# The main job on the bundled example: install what is missing (as root), build, and run the
# bottling line with 20 replications, printing the KPI table. Extra arguments go to
# `twinsim run` (e.g. --json out.json).
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
make -s -j2 build/twinsim
exec build/twinsim run examples/bottling-line.yaml "$@"
