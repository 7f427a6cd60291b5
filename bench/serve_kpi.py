"""The dashboard's API on a big results database (bench/run.sh runs it; not part of `make test`).

Records one run of examples/bottling-line.yaml (10 replications) and copies it with SQL (the
run, its summary KPIs and its replications; not the replications' own KPIs, which none of these
requests reads and whose 7 million rows would take most of an hour to copy) until the database
holds RUNS runs, spread over 10 model names. Then `twinsim serve` answers each request REPEAT times on
one kept-alive connection; the median and the slowest are printed, time from sending the request
to having read the whole answer. Goal (issue 20): a KPI query under 50 ms.

    python3 bench/serve_kpi.py [--twinsim PATH] [--runs N] [--repeat N]
        defaults: build/twinsim, 10000 runs, 20 repeats
"""
import argparse
import http.client
import json
import os
import sqlite3
import subprocess
import tempfile
import time

import serve_util

ap = argparse.ArgumentParser()
ap.add_argument("--twinsim", default="build/twinsim")
ap.add_argument("--runs", type=int, default=10000)
ap.add_argument("--repeat", type=int, default=20)
args = ap.parse_args()
tmp = tempfile.mkdtemp(prefix="twinsim-kpi.")
srv = None
failed = []
try:
    db = os.path.join(tmp, "r.db")
    subprocess.run([args.twinsim, "run", "examples/bottling-line.yaml", "--db", db, "--quiet"],
                   check=True)
    t0 = time.monotonic()
    con = sqlite3.connect(db)
    con.executescript(f"""
        WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < {args.runs})
        INSERT INTO runs SELECT i, created, twinsim_version, model || '-' || (i % 10), model_path,
            model_text, time_unit, seed, replications, horizon, warmup, warmup_auto, threads,
            options, command, fingerprint, events, wall_seconds, result_json
            FROM runs, n WHERE id = 1;
        INSERT INTO summary_kpis SELECT r.id, ord, scope, owner, type, kpi, mean, half_width, sd,
            min, max, n FROM summary_kpis, runs r WHERE run_id = 1 AND r.id > 1;
        INSERT INTO replications SELECT r.id, p.replication, p.fingerprint, p.events,
            p.start_time, p.end_time FROM replications p, runs r WHERE p.run_id = 1 AND r.id > 1;
    """)
    con.commit()
    nkpi = con.execute("SELECT count(*) FROM summary_kpis").fetchone()[0]
    model = con.execute(f"SELECT model FROM runs WHERE id = {args.runs // 2}").fetchone()[0]
    con.close()
    print(f"database: {args.runs} runs, {nkpi} summary KPI rows, "
          f"{os.path.getsize(db) / 1e6:.0f} MB, made in {time.monotonic() - t0:.1f} s")

    srv, port, _ = serve_util.start(args.twinsim, ["--db", db], subprocess.DEVNULL)
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    mid = args.runs // 2
    cases = [("a run and its KPIs", f"/api/runs/{mid}", 50),
             ("the newest 20 runs of one model", f"/api/runs?model={model}&limit=20", 50),
             ("the newest 100 runs", "/api/runs?limit=100", 50),
             ("a run's layout", f"/api/runs/{mid}/layout", 50),
             ("every run", f"/api/runs?limit={args.runs}", None)]
    for name, path, goal in cases:
        times = []
        for _ in range(args.repeat):
            t = time.monotonic()
            c.request("GET", path)
            r = c.getresponse()
            body = r.read()
            times.append(time.monotonic() - t)
            if r.status != 200:
                failed.append(f"{path}: status {r.status}")
                break
        d = json.loads(body)
        size = len(d) if isinstance(d, list) else len(d.get("kpis", d.get("blocks", [])))
        times.sort()
        med, worst = 1000 * times[len(times) // 2], 1000 * times[-1]
        verdict = "" if goal is None else (f"; goal < {goal} ms: " +
                                           ("met" if med < goal else "MISSED"))
        print(f"{name} ({path}, {size} items, {len(body)} bytes): median {med:.1f} ms, "
              f"slowest {worst:.1f} ms of {len(times)}{verdict}")
    c.close()
finally:
    serve_util.stop(srv, tmp)
serve_util.finish("serve_kpi", failed)
