# The dashboard in a real browser: tests/browser/dashboard.test.js opens the pages of a
# `twinsim serve` in Debian's Chromium through playwright-core and checks them against the JSON
# API (see that file). Screenshots at 1280x800 and 390x844 land in $BUILD/screenshots/ (CI keeps
# them as artifacts). Prints SKIP when node, Chromium or playwright-core is missing, unless
# TSIM_REQUIRE_BROWSER=1.
. tests/cli/lib.inc
. tests/cli/procs.inc

CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
skip_or_fail() {
    if [ "${TSIM_REQUIRE_BROWSER:-0}" = 1 ]; then fail dashboard_browser "$1"; else echo "SKIP dashboard_browser: $1"; fi
    exit 0
}
NODE_PATH="$(pwd)/tests/browser/node_modules${TSIM_NODE_MODULES:+:$TSIM_NODE_MODULES}"
if command -v npm >/dev/null 2>&1; then NODE_PATH="$NODE_PATH:$(npm root -g 2>/dev/null)"; fi
export NODE_PATH
command -v node >/dev/null 2>&1 || skip_or_fail "node not found"
[ -x "$CHROMIUM" ] || skip_or_fail "no Chromium at '$CHROMIUM' (apt-get install chromium)"
node -e "require('playwright-core')" >/dev/null 2>&1 ||
    skip_or_fail "playwright-core not found (npm ci --prefix tests/browser)"
"$TWINSIM" serve --db /nonexistent/x.db 2>&1 | grep -q 'built without libmicrohttpd' &&
    skip_or_fail "twinsim built without libmicrohttpd"

# Two runs of one model with different seeds (the KPI chart compares them), one whose model
# name is markup, an experiment; a long model to start from the page.
db="$TMP/r.db"
tw run tests/cli/models/line.yaml --db "$db" --quiet --seed 5
tw run tests/cli/models/line.yaml --db "$db" --quiet --seed 6 --trace 1min
sed 's/^name: cli-line/name: "<script>alert(1)<\/script> \&amp;"/' tests/cli/models/line.yaml >"$TMP/hostile.yaml"
tw run "$TMP/hostile.yaml" --db "$db" --quiet --reps 2
tw experiment tests/experiments/servers.yaml --db "$db" --quiet --trace 5min
[ "$rc" -eq 0 ] || { fail dashboard_setup "experiment exit $rc: $(cat "$TMP/err")"; exit 0; }
mkdir -p "$TMP/models"
# 1000 h: 300 replications take about 2 s, so that a stream (one event each 0.1 s at most)
# has many counts to send before the end.
sed 's/horizon: 2h/horizon: 1000h/' tests/cli/models/line.yaml >"$TMP/models/long.yaml"

"$TWINSIM" serve --db "$db" --listen 127.0.0.1:0 --models "$TMP/models" --threads 1 \
    >"$TMP/s.out" 2>"$TMP/s.err" &
SPID=$!
PIDS="$PIDS $SPID"
i=0
while ! grep -q '^token: ' "$TMP/s.out" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
PORT=$(sed -n 's|^twinsim serve: http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$TMP/s.out")
TOKEN=$(sed -n 's/^token: //p' "$TMP/s.out")
shots="${BUILD:-build}/screenshots"
CHROMIUM="$CHROMIUM" timeout 180 node tests/browser/dashboard.test.js "http://127.0.0.1:$PORT" \
    "$TOKEN" "$shots"
[ $? -eq 124 ] && fail dashboard_browser "timed out after 180 s"
kill "$SPID"
wait_pid "$SPID" 10
exit 0
