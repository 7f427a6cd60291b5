#!/bin/sh
# `twinsim report`: one self-contained HTML file from an experiment in the database, then the
# browser test (tests/browser/report.test.js) opens it in Debian's Chromium through
# playwright-core and checks that the charts drew. The browser part prints SKIP, with the
# reason, only where Chromium or playwright-core is missing; with TSIM_REQUIRE_BROWSER=1 (CI)
# that is a FAIL instead.
. tests/cli/lib.inc
# Every command is bounded in time: a hang is a failure, not a stuck test run.
tw() {
    timeout 300 "$TWINSIM" "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
}

EX=tests/experiments
tw experiment $EX/servers.yaml --db "$TMP/r.db" --quiet
tw report --db "$TMP/r.db" -o "$TMP/report.html"
if [ "$rc" -eq 0 ] && [ -s "$TMP/report.html" ] && grep -q '<svg\|createElementNS' "$TMP/report.html"; then
    pass report_written
else
    fail report_written "exit $rc: $(cat "$TMP/err")"
fi
# Self-contained: no script, style, image or font from anywhere else (the SVG namespace URI is
# a name, never fetched).
if grep -Eq '(src|href)=["'"'"']?(https?:)?//|@import|url\(' "$TMP/report.html"; then
    fail report_self_contained "refers to outside resources: $(grep -Eo '(src|href)=[^ >]*' "$TMP/report.html" | head -n 3)"
else
    pass report_self_contained
fi
tw report --db "$TMP/r.db" 99 -o "$TMP/none.html"
if [ "$rc" -eq 1 ] && grep -qF "no experiment run 99 in '$TMP/r.db'" "$TMP/err"; then
    pass report_unknown_run
else
    fail report_unknown_run "exit $rc: $(cat "$TMP/err")"
fi
tw report --db "$TMP/r.db"
if [ "$rc" -eq 2 ] && grep -q "missing '-o FILE'" "$TMP/err"; then pass report_usage; else
    fail report_usage "exit $rc: $(cat "$TMP/err")"; fi

# --- in a real browser ------------------------------------------------------------------------
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
skip_or_fail() {
    if [ "${TSIM_REQUIRE_BROWSER:-0}" = 1 ]; then fail report_browser "$1"; else echo "SKIP report_browser: $1"; fi
}
# playwright-core from tests/browser (npm install --prefix tests/browser), TSIM_NODE_MODULES or
# the global modules.
NODE_PATH="$(pwd)/tests/browser/node_modules${TSIM_NODE_MODULES:+:$TSIM_NODE_MODULES}"
if command -v npm >/dev/null 2>&1; then NODE_PATH="$NODE_PATH:$(npm root -g 2>/dev/null)"; fi
export NODE_PATH
if ! command -v node >/dev/null 2>&1; then
    skip_or_fail "node not found"
elif [ ! -x "$CHROMIUM" ]; then
    skip_or_fail "no Chromium at '$CHROMIUM' (apt-get install chromium)"
elif ! node -e "require('playwright-core')" >/dev/null 2>&1; then
    skip_or_fail "playwright-core not found (npm install --prefix tests/browser)"
else
    CHROMIUM="$CHROMIUM" timeout 120 node tests/browser/report.test.js "$TMP/report.html"
    brc=$?
    [ $brc -eq 124 ] && fail report_browser "timed out after 120 s"
fi
exit 0
