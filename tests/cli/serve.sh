# `twinsim serve`: the JSON API against what `twinsim show` says, runs started from the models
# directory and their event stream, and every kind of bad request answered with a clean 4xx
# (malformed, oversized, slow, path traversal, missing or wrong token, unknown routes, SQL-like
# parameters), the server still serving afterwards. Talks to a real server on loopback with
# curl, and with python3 sockets where curl cannot send what a bad client sends.
. tests/cli/lib.inc
. tests/cli/procs.inc

if ! "$TWINSIM" serve --help >/dev/null 2>&1 || "$TWINSIM" serve --db /nonexistent/x.db 2>&1 |
    grep -q 'built without libmicrohttpd'; then
    echo "SKIP serve: twinsim built without libmicrohttpd"
    exit 0
fi
if ! command -v curl >/dev/null 2>&1; then
    echo "SKIP serve: no curl"
    exit 0
fi

# --- options -------------------------------------------------------------------------------
tw serve --listen nonsense
if [ "$rc" -eq 2 ] && grep -q "option '--listen' takes ADDR:PORT" "$TMP/err"; then
    pass serve_bad_listen; else fail serve_bad_listen "exit $rc: $(cat "$TMP/err")"; fi
printf 'hello\n' >"$TMP/notdb.db"
tw serve --db "$TMP/notdb.db" --listen 127.0.0.1:0
if [ "$rc" -eq 1 ] && grep -q "not a twinsim results database" "$TMP/err"; then
    pass serve_not_a_database; else fail serve_not_a_database "exit $rc: $(cat "$TMP/err")"; fi
printf 'short\n' >"$TMP/short.token"
tw serve --db "$TMP/r.db" --listen 127.0.0.1:0 --token-file "$TMP/short.token"
if [ "$rc" -eq 1 ] && grep -q "a token needs 16 to 128 characters" "$TMP/err"; then
    pass serve_short_token; else fail serve_short_token "exit $rc: $(cat "$TMP/err")"; fi

# --- run --trace: what it refuses ---------------------------------------------------------
tw run tests/cli/models/line.yaml --no-db --trace 1min
if [ "$rc" -eq 2 ] && grep -q "option '--trace' records into the database: not with '--no-db'" "$TMP/err"; then
    pass run_trace_needs_db; else fail run_trace_needs_db "exit $rc: $(cat "$TMP/err")"; fi
tw run tests/cli/models/line.yaml --db "$TMP/x.db" --trace 0
if [ "$rc" -eq 2 ] && grep -q "option '--trace' needs an interval above 0" "$TMP/err" && [ ! -e "$TMP/x.db" ]; then
    pass run_trace_zero; else fail run_trace_zero "exit $rc: $(cat "$TMP/err")"; fi
tw run tests/cli/models/line.yaml --db "$TMP/x.db" --trace 0.01s
if [ "$rc" -eq 2 ] && grep -q "would take 720001 samples of the horizon; at most 100000" "$TMP/err"; then
    pass run_trace_too_many; else fail run_trace_too_many "exit $rc: $(cat "$TMP/err")"; fi

# --- a server --------------------------------------------------------------------------------
mkdir -p "$TMP/models" "$TMP/models/sub.yaml"
cp tests/cli/models/line.yaml "$TMP/models/line.yaml"
printf 'name: broken\nblocks:\n  - source: a\n    interarrival: exponential(1)\n    to: nowhere\n' \
    >"$TMP/models/broken.yaml"
printf 'secret\n' >"$TMP/outside.yaml"
ln -s "$TMP/outside.yaml" "$TMP/models/link.yaml"
tw run tests/cli/models/line.yaml --db "$TMP/r.db" --reps 3 --quiet --trace 30s
tw show 1 --db "$TMP/r.db" --json
cp "$TMP/out" "$TMP/show1.json"

# --- experiment --trace: what it refuses, what it stores --------------------------------------
tw experiment tests/experiments/servers.yaml --no-db --trace 5min
if [ "$rc" -eq 2 ] && grep -q "option '--trace' records into the database: not with '--no-db'" "$TMP/err"; then
    pass experiment_trace_needs_db; else fail experiment_trace_needs_db "exit $rc: $(cat "$TMP/err")"; fi
for bad in 0 -1min abc; do
    tw experiment tests/experiments/servers.yaml --db "$TMP/x.db" --quiet --trace "$bad"
    if [ "$rc" -ne 0 ] && grep -q "bad trace interval '$bad' (a duration above 0)" "$TMP/err"; then
        pass "experiment_trace_bad_$bad"; else fail "experiment_trace_bad_$bad" "exit $rc: $(cat "$TMP/err")"; fi
done
# Experiment run 2 samples replication 0 of each of its 4 scenarios; scenario 1 (6 servers) is
# the replication `run --set server.servers=6` traces, sample for sample (common random
# numbers: the scenarios run on the model's seed), and scenario 0 (5 servers) is not.
tw experiment tests/experiments/servers.yaml --db "$TMP/r.db" --quiet --trace 5min
tw run tests/experiments/queue.yaml --set server.servers=6 --reps 1 --db "$TMP/q.db" --quiet --trace 5min
same() {
    sqlite3 "$TMP/r.db" "ATTACH '$TMP/q.db' AS q;
        SELECT count(*) FROM exp_samples a, q.run_traces r WHERE a.run = 2 AND a.scen = $1 AND
            a.samples = r.samples AND a.t = r.t AND a.wip = r.wip AND a.done = r.done;
        SELECT count(*) FROM exp_sample_blocks a JOIN q.run_trace_blocks r USING (block)
            WHERE a.run = 2 AND a.scen = $1 AND a.content = r.content AND a.busy IS r.busy" 2>&1 | tr '\n' ' '
}
n=$(sqlite3 "$TMP/r.db" "SELECT count(*) FROM exp_samples WHERE run = 2 AND samples = 301" 2>&1)
if [ "$n" = 4 ] && [ "$(same 1)" = "1 2 " ] && [ "$(same 0)" = "0 0 " ]; then
    pass experiment_trace_is_run_trace; else fail experiment_trace_is_run_trace "$n traces; scenario 1: $(same 1); scenario 0: $(same 0)"; fi

# start_server LOG [ARGS]: start serve on a free port; sets PORT, TOKEN, SPID.
start_server() {
    log=$1
    shift
    "$TWINSIM" serve --db "$TMP/r.db" --listen 127.0.0.1:0 --models "$TMP/models" --timeout 2 \
        "$@" >"$log.out" 2>"$log.err" &
    SPID=$!
    PIDS="$PIDS $SPID"
    i=0
    while ! grep -q '^token: ' "$log.out" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    PORT=$(sed -n 's|^twinsim serve: http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$log.out")
    TOKEN=$(sed -n 's/^token: //p' "$log.out")
}
start_server "$TMP/s"
if echo "$TOKEN" | grep -Eq '^[0-9a-f]{32}$' && [ -n "$PORT" ]; then
    pass serve_prints_token; else fail serve_prints_token "$(cat "$TMP/s.out" "$TMP/s.err")"; fi
URL="http://127.0.0.1:$PORT"

# get PATH [CURL ARGS]: $code, body in $TMP/body, headers in $TMP/hdr.
get() {
    p=$1
    shift
    code=$(curl -s --path-as-is -m 10 -o "$TMP/body" -D "$TMP/hdr" -w '%{http_code}' "$@" "$URL$p")
}
# expect NAME CODE PATH [CURL ARGS]
expect() {
    name=$1 want=$2
    shift 2
    get "$@"
    if [ "$code" = "$want" ] && { [ "$want" -lt 400 ] || grep -q '"error"' "$TMP/body"; }; then
        pass "$name"; else fail "$name" "status $code, wanted $want: $(head -c 300 "$TMP/body")"; fi
}
json() { python3 -c "import json,sys; d=json.load(open('$TMP/body')); $1"; }

# --- what is served ----------------------------------------------------------------------------
get /
if [ "$code" = 200 ] && grep -qi '^content-type: text/html' "$TMP/hdr" &&
    grep -qi "^content-security-policy: default-src 'self'" "$TMP/hdr" && grep -q '/app.js' "$TMP/body"; then
    pass serve_index; else fail serve_index "status $code"; fi
get /app.js
if [ "$code" = 200 ] && cmp -s "$TMP/body" web/app.js; then
    pass serve_embedded_script; else fail serve_embedded_script "status $code or not web/app.js"; fi

get /api/runs
if [ "$code" = 200 ] && json 'assert len(d) == 1 and d[0]["id"] == 1 and d[0]["model"] == "cli-line"'; then
    pass serve_api_runs; else fail serve_api_runs "status $code: $(head -c 300 "$TMP/body")"; fi
# Every KPI mean and half-width the API gives is the one `twinsim show --json` gives.
get /api/runs/1
if [ "$code" = 200 ] && python3 - "$TMP/body" "$TMP/show1.json" <<'EOF'
import json, sys
api = json.load(open(sys.argv[1])); show = json.load(open(sys.argv[2]))
n = 0
for k in api["kpis"]:
    node = show["system"] if k["scope"] == "system" else show[{"block": "blocks", "operators": "operators"}[k["scope"]]][k["owner"]]
    for part in k["kpi"].split("."):
        node = node[part]
    assert node["mean"] == k["mean"] and node["half_width"] == k["half_width"], k
    n += 1
assert n > 20 and api["run"]["replications"] == 3
EOF
then pass serve_api_kpis_match_show; else fail serve_api_kpis_match_show "status $code"; fi
get /api/runs/1/layout
if [ "$code" = 200 ] && json 'assert [b["name"] for b in d["blocks"]] == ["arrivals","queue","press","pack","done"] and d["links"] == [[0,1],[1,2],[2,3],[3,4]]'; then
    pass serve_api_layout; else fail serve_api_layout "status $code: $(head -c 300 "$TMP/body")"; fi
# The Gantt chart replays replication 1 and gets the recorded fingerprint.
fp=$(sqlite3 "$TMP/r.db" "SELECT fingerprint FROM replications WHERE run_id=1 AND replication=1" 2>/dev/null)
get '/api/runs/1/gantt?replication=1'
if [ "$code" = 200 ] && [ -n "$fp" ] && json "assert d['fingerprint'] == '$fp' and len(d['segments']) > 10 and [r['block'] for r in d['rows']] == ['press','pack'] and all(s[2] < s[3] <= d['end'] for s in d['segments'])"; then
    pass serve_api_gantt_replays; else fail serve_api_gantt_replays "status $code, recorded '$fp': $(head -c 300 "$TMP/body")"; fi
expect serve_gantt_no_such_replication 404 '/api/runs/1/gantt?replication=3'
# The trace: 241 samples of 30 s over 2 h; the completions from the sample at the 10 min warm-up
# to the end are what the sink counted in replication 0; WIP never negative; the press's busy
# servers 0 or 1.
get /api/runs/1
if [ "$code" = 200 ] && json 'assert d["trace"] is True'; then
    pass serve_api_run_says_traced; else fail serve_api_run_says_traced "$(head -c 300 "$TMP/body")"; fi
get /api/runs/1/trace
done0=$(sqlite3 "$TMP/r.db" "SELECT value FROM replication_kpis WHERE run_id=1 AND replication=0 AND owner='done' AND kpi='entered'" 2>/dev/null)
if [ "$code" = 200 ] && json "
assert d['samples'] == 241 and len(d['t']) == 241 and d['t'][1] == 0.5 and d['t'][-1] == 120 and not d['truncated']
assert [b['name'] for b in d['blocks']] == ['queue', 'press', 'pack'] and d['blocks'][0]['busy'] is None
assert all(v >= 0 for v in d['wip']) and max(d['wip']) > 0
assert set(d['blocks'][1]['busy']) == {0, 1}
assert all(b <= a for a, b in zip(d['done'][1:], d['done']))
assert d['done'][-1] - d['done'][20] == float('$done0') > 0, (d['done'][-1], d['done'][20], '$done0')
"; then pass serve_api_trace; else fail serve_api_trace "status $code, done $done0: $(head -c 300 "$TMP/body")"; fi
expect serve_trace_no_such_run 404 /api/runs/999/trace
# The experiment's traces: listed with the experiment, each answered as a run's trace is.
get /api/experiments/2
if [ "$code" = 200 ] && json 'assert d["traces"] == [0, 1, 2, 3]'; then
    pass serve_api_experiment_lists_traces; else fail serve_api_experiment_lists_traces "status $code: $(tail -c 300 "$TMP/body")"; fi
get '/api/experiments/2/trace?scenario=1'
if [ "$code" = 200 ] && json "
assert d['experiment'] == 2 and d['scenario'] == 1 and d['time_unit'] == 'min' and d['warmup'] == 150
assert d['samples'] == 301 and len(d['wip']) == 301 and d['t'][1] == 5 and d['t'][-1] == 1500
assert [b['name'] for b in d['blocks']] == ['queue', 'server'] and max(d['blocks'][1]['busy']) == 6
"; then pass serve_api_experiment_trace; else fail serve_api_experiment_trace "status $code: $(head -c 300 "$TMP/body")"; fi
expect serve_experiment_trace_no_such_scenario 404 '/api/experiments/2/trace?scenario=4'
expect serve_experiment_trace_not_experiment 404 '/api/experiments/1/trace'
expect serve_experiment_trace_bad_scenario 400 "/api/experiments/2/trace?scenario=1%20OR%201=1"
expect serve_trace_bad_id 400 /api/runs/1x/trace
get /api/models
if [ "$code" = 200 ] && json 'assert d == ["line.yaml"] or sorted(d) == ["broken.yaml", "line.yaml"]'; then
    pass serve_api_models_no_links; else fail serve_api_models_no_links "$(cat "$TMP/body")"; fi

# --- bad requests ------------------------------------------------------------------------------
expect serve_unknown_route 404 /api/nothing
expect serve_unknown_page 404 /admin.php
expect serve_no_such_run 404 /api/runs/999
expect serve_bad_id_letters 400 /api/runs/abc
expect serve_bad_id_zero 400 /api/runs/0
expect serve_bad_id_huge 400 /api/runs/99999999999999999999
expect serve_bad_id_sign 400 /api/runs/-1/layout
expect serve_traversal_dots 404 /../../../../etc/passwd
expect serve_traversal_encoded 404 /%2e%2e/%2e%2e/etc/passwd
expect serve_traversal_api 404 /api/../../etc/passwd
if grep -q 'root:' "$TMP/body"; then fail serve_traversal_content "a system file came back"; else pass serve_traversal_content; fi
expect serve_sql_in_limit 400 '/api/runs?limit=1;DROP%20TABLE%20runs'
expect serve_sql_in_replication 400 "/api/runs/1/gantt?replication=0%20OR%201=1"
get "/api/runs?model=x%27%20OR%20%271%27=%271"
if [ "$code" = 200 ] && json 'assert d == []'; then pass serve_sql_in_model_is_text; else fail serve_sql_in_model_is_text "status $code: $(cat "$TMP/body")"; fi
get /api/runs
if json 'assert len(d) == 1'; then pass serve_sql_left_runs; else fail serve_sql_left_runs "$(cat "$TMP/body")"; fi
expect serve_method_not_allowed 405 /api/runs/1 -X DELETE
if grep -qi '^allow: GET, HEAD' "$TMP/hdr"; then pass serve_allow_header; else fail serve_allow_header "$(cat "$TMP/hdr")"; fi
expect serve_post_no_token 401 '/api/runs?model=line.yaml' -X POST
expect serve_post_wrong_token 401 '/api/runs?model=line.yaml' -X POST -H 'Authorization: Bearer 0123456789abcdef0123456789abcdef'
expect serve_post_token_prefix 401 '/api/runs?model=line.yaml' -X POST -H "Authorization: Bearer ${TOKEN%?}"
expect serve_events_no_token 401 /api/jobs/1/events
expect serve_model_dotdot 400 "/api/runs?model=../outside.yaml" -X POST -H "Authorization: Bearer $TOKEN"
expect serve_model_absolute 400 "/api/runs?model=$TMP/outside.yaml" -X POST -H "Authorization: Bearer $TOKEN"
expect serve_model_symlink 403 "/api/runs?model=link.yaml" -X POST -H "Authorization: Bearer $TOKEN"
expect serve_model_directory 403 "/api/runs?model=sub.yaml" -X POST -H "Authorization: Bearer $TOKEN"
expect serve_model_missing 404 "/api/runs?model=missing.yaml" -X POST -H "Authorization: Bearer $TOKEN"
expect serve_model_not_yaml 400 "/api/runs?model=line.txt" -X POST -H "Authorization: Bearer $TOKEN"
expect serve_model_bad_reps 400 "/api/runs?model=line.yaml&replications=1e9" -X POST -H "Authorization: Bearer $TOKEN"
expect serve_model_errors 422 "/api/runs?model=broken.yaml" -X POST -H "Authorization: Bearer $TOKEN"
if grep -q "broken.yaml:[0-9]*:[0-9]*: error: " "$TMP/body"; then pass serve_model_errors_located; else fail serve_model_errors_located "$(cat "$TMP/body")"; fi
head -c 100000 /dev/zero >"$TMP/big"
expect serve_body_too_large 413 '/api/runs?model=line.yaml' -X POST -H "Authorization: Bearer $TOKEN" --data-binary "@$TMP/big"
long=$(head -c 40000 /dev/zero | tr '\0' a)
get "/api/runs?x=$long"
case $code in 4*) pass serve_url_too_long ;; *) fail serve_url_too_long "status $code" ;; esac

# Raw requests a real client would not send: the first status line that comes back, or
# "closed" when the server closed the connection without one, and how long it took.
raw() {
    python3 - "$PORT" "$1" "${2:-0}" <<'EOF'
import socket, sys, time
port, data, delay = int(sys.argv[1]), sys.argv[2].encode().decode("unicode_escape").encode("latin-1"), float(sys.argv[3])
s = socket.create_connection(("127.0.0.1", port), timeout=30)
t0 = time.monotonic()
try:
    if delay:
        for b in data:
            s.sendall(bytes([b])); time.sleep(delay)
    else:
        s.sendall(data)
    got = s.recv(200)
except (BrokenPipeError, ConnectionResetError):
    got = b""
line = got.split(b"\r\n")[0].decode("latin-1") if got else "closed"
print("%s|%.1f" % (line, time.monotonic() - t0))
EOF
}
# A line that is no request at all: libmicrohttpd closes the connection without a status line.
r=$(raw 'BLAH\r\n\r\n')
case $r in "HTTP/1.1 4"* | closed*) pass serve_garbage_line ;; *) fail serve_garbage_line "$r" ;; esac
r=$(raw 'BREW /api/runs HTTP/1.1\r\nHost: x\r\n\r\n')
case $r in "HTTP/1.1 405"*) pass serve_unknown_method ;; *) fail serve_unknown_method "$r" ;; esac
r=$(raw 'GET /api/runs?limit=1&limit=2&%zz=%%% HTTP/1.1\r\nHost: x\r\n\r\n')
case $r in "HTTP/1.1 200"* | "HTTP/1.1 400"*) pass serve_odd_query ;; *) fail serve_odd_query "$r" ;; esac
r=$(raw 'GET /api/runs HTTP/1.1\r\nHost: x\r\nBad header line\r\n\r\n')
case $r in "HTTP/1.1 4"*) pass serve_malformed_header ;; *) fail serve_malformed_header "$r" ;; esac
r=$(raw 'GET /api/runs HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n')
case $r in "HTTP/1.1 4"*) pass serve_bad_content_length ;; *) fail serve_bad_content_length "$r" ;; esac
r=$(raw 'GET /api/runs\x00/x HTTP/1.1\r\nHost: x\r\n\r\n')
case $r in "HTTP/1.1 4"* | "HTTP/1.1 200"*) pass serve_nul_in_path ;; *) fail serve_nul_in_path "$r" ;; esac
# One byte every 0.3 s keeps the connection from ever being silent for the 2 s timeout; the
# request must still be cut off about 2 s after it began, not after its 30 bytes (9 s).
r=$(raw 'GET /api/runs HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n' 0.3)
t=${r#*|}
if [ "${r%%|*}" = closed ] && awk "BEGIN { exit !($t < 5) }"; then
    pass serve_slow_request_cut; else fail serve_slow_request_cut "$r"; fi
get /api/runs
if [ "$code" = 200 ]; then pass serve_alive_after_bad_requests; else fail serve_alive_after_bad_requests "status $code"; fi

# 50 clients sending a request head one byte a second, and 10 whose heads are too large, all
# connected at once: the others' requests are answered meanwhile (each within 5 s, on a timeout
# of 2 s that the slow ones cannot keep alive), every slow one is closed by the server, and every
# oversized one gets a 4xx.
r=$(python3 - "$PORT" <<'EOF2'
import socket, sys, threading, time, urllib.request
port = int(sys.argv[1])
slow = [socket.create_connection(("127.0.0.1", port), timeout=30) for _ in range(50)]
closed = [0]
def trickle(s):
    data = b"GET /api/runs HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    try:
        for b in data:
            s.sendall(bytes([b]))
            time.sleep(1)
        got = s.recv(100)
    except OSError:
        got = b""
    if not got:
        closed[0] += 1
ts = [threading.Thread(target=trickle, args=(s,)) for s in slow]
for t in ts: t.start()
big = []
for _ in range(10):
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    try:
        s.sendall(b"GET /api/runs HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 40000 + b"\r\n\r\n")
        big.append(s.recv(100).split(b" ")[1][:1] == b"4")
    except OSError:
        big.append(False)
    s.close()
ok = 0
for _ in range(20):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/runs", timeout=5) as u:
            ok += u.status == 200
    except OSError:
        pass
    time.sleep(0.1)
for t in ts: t.join()
print(ok, closed[0], sum(big))
EOF2
)
if [ "$r" = "20 50 10" ]; then pass serve_slow_clients_others_served; else fail serve_slow_clients_others_served "answered, slow ones closed, oversized refused: $r (wanted 20 50 10)"; fi

# --- a run started here, and its events ----------------------------------------------------------
# It is run 3: runs and experiment runs share one sequence of ids, and 2 is the experiment.
get "/api/runs?model=line.yaml&replications=6&seed=9&token=$TOKEN" -X POST
if [ "$code" = 202 ] && json 'assert d["job"] == 1 and d["replications"] == 6'; then
    pass serve_start_run; else fail serve_start_run "status $code: $(cat "$TMP/body")"; fi
curl -s -N -m 60 -H "Authorization: Bearer $TOKEN" "$URL/api/jobs/1/events" >"$TMP/events"
if grep -q '^event: end' "$TMP/events" && tail -n 2 "$TMP/events" | grep -q '"state": "done", "done": 6, "replications": 6, "run": 3'; then
    pass serve_events_end; else fail serve_events_end "$(tail -n 3 "$TMP/events")"; fi
get /api/runs/3
if [ "$code" = 200 ] && json 'assert d["run"]["replications"] == 6 and d["run"]["seed"] == "9" and d["run"]["model"] == "cli-line"'; then
    pass serve_started_run_recorded; else fail serve_started_run_recorded "status $code: $(head -c 300 "$TMP/body")"; fi
# The same run from the command line behaves identically.
tw run "$TMP/models/line.yaml" --reps 6 --seed 9 --no-db --json -
if [ "$rc" -eq 0 ] && python3 -c "import json,sys; assert json.load(open('$TMP/out'))['fingerprint'] == json.load(open('$TMP/body'))['run']['fingerprint']"; then
    pass serve_started_run_same_as_cli; else fail serve_started_run_same_as_cli "exit $rc"; fi
expect serve_job_show 200 /api/jobs/1
expect serve_no_such_job 404 /api/jobs/7

kill "$SPID"
wait_pid "$SPID" 10
src=$?
if [ "$src" -eq 143 ] && grep -q 'interrupted by SIGTERM' "$TMP/s.err"; then
    pass serve_sigterm; else fail serve_sigterm "exit $src: $(cat "$TMP/s.err")"; fi

# --- other addresses and tokens ------------------------------------------------------------------
printf 'abcdefghijklmnop-given_token\n' >"$TMP/good.token"
start_server "$TMP/t" --token-file "$TMP/good.token"
URL="http://127.0.0.1:$PORT"
expect serve_token_file 404 "/api/runs?model=missing.yaml&token=abcdefghijklmnop-given_token" -X POST
[ "$TOKEN" = abcdefghijklmnop-given_token ] && pass serve_token_file_printed || fail serve_token_file_printed "'$TOKEN'"
kill "$SPID"
wait_pid "$SPID" 10
"$TWINSIM" serve --db "$TMP/r.db" --listen 0.0.0.0:0 >"$TMP/a.out" 2>"$TMP/a.err" &
SPID=$!
PIDS="$PIDS $SPID"
i=0
while ! grep -q '^token: ' "$TMP/a.out" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
if grep -q "warning: listening on '0.0.0.0', not loopback" "$TMP/a.err"; then
    pass serve_warns_not_loopback; else fail serve_warns_not_loopback "$(cat "$TMP/a.err")"; fi
kill "$SPID"
wait_pid "$SPID" 10
if grep -q 'warning' "$TMP/s.err"; then fail serve_quiet_on_loopback "$(cat "$TMP/s.err")"; else pass serve_quiet_on_loopback; fi
# --- many streams at once ----------------------------------------------------------------------
# 200 clients on one started run's event stream, with 400 API requests meanwhile
# (bench/serve_load.py, which `make bench` runs with 1,000): every stream must end with the
# run's end event, done with all its replications and its recorded run, its ids going up and its
# counts never going back; every request 200.
python3 bench/serve_load.py --twinsim "$TWINSIM" --streams 200 --requests 400 --reps 200 \
    >"$TMP/load.out" 2>&1
lrc=$?
if [ "$lrc" -eq 0 ] && grep -q '^streams: 200/200 got the end of the run of 200 replications' "$TMP/load.out" &&
    grep -q ' 0 failed;' "$TMP/load.out"; then
    pass serve_200_streams_end; else fail serve_200_streams_end "exit $lrc: $(tail -n 4 "$TMP/load.out")"; fi
exit 0
