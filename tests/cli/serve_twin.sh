#!/bin/sh
# The live twin's event stream with many readers (bench/serve_twin_load.py, which `make bench`
# runs with 1,000 streams and 10,000 requests): mosquitto on a free loopback port, `twinsim twin
# --serve` following the emulator on tests/twin/line.yaml for about 3 s, 150 clients on the twin
# stream and 300 API and page requests meanwhile. Every stream must get a state before the plant
# starts, states whose ids go up and whose counts never go back, at least one forecast, and a
# last state holding every event the emulator sent; it must end cleanly when the twin stops;
# every request must be 200. Not timed. Everything started is stopped by the script.
. tests/cli/lib.inc

if ! "$TWINSIM" twin --help >/dev/null 2>&1; then
    echo "PASS serve_twin_not_built (no MQTT support in this build: not run)"
    exit 0
fi
if ! command -v python3 >/dev/null || ! { command -v mosquitto || ls /usr/sbin/mosquitto; } >/dev/null 2>&1; then
    echo "PASS serve_twin_no_broker (mosquitto or python3 not installed: not run)"
    exit 0
fi
if "$TWINSIM" serve --db /nonexistent/x.db 2>&1 | grep -q 'built without libmicrohttpd'; then
    echo "PASS serve_twin_no_http (built without libmicrohttpd: not run)"
    exit 0
fi
timeout 300 python3 bench/serve_twin_load.py --twinsim "$TWINSIM" --streams 150 --requests 300 \
    --seconds 3 >"$TMP/load.out" 2>&1
lrc=$?
if [ "$lrc" -eq 0 ] && grep -q '^streams: 150/150 got every state to the last, with every event' "$TMP/load.out" &&
    grep -q ' 0 failed$' "$TMP/load.out" && grep -q 'forecasts: fewest [1-9]' "$TMP/load.out"; then
    pass serve_twin_150_streams
else
    fail serve_twin_150_streams "exit $lrc: $(tail -n 5 "$TMP/load.out")"
fi
exit 0
