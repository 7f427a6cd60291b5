"""Load test of `twinsim serve` on loopback (bench/bench_serve.sh runs it; not part of `make test`,
whose tests/cli/serve.sh runs it small: 200 streams).

Starts a server on a database with one run and starts a run of REPS replications of a long line
from its models directory. While the run goes:
  - STREAMS clients open its event stream at once (HTTP/1.1, chunked, each on its own socket,
    all read by one selector) and read it to its end;
  - REQUESTS API and page requests go out from 8 threads over kept-alive connections (each must
    be 200, and JSON where it is the API).
Every stream must end with `event: end` and the job done with all REPS replications and its
recorded run; along the way each stream's ids must go up and its counts of replications done
never go back. A stream is coalesced, not a backlog (docs/dashboard.md): it gets the job's state
whenever it is ready to read, so the number of progress events a client sees varies; they are
counted and reported (fewest, median, most). The server's resident memory (VmRSS) is sampled
every 0.1 s: at start, with the streams open, the peak, and after the streams ended; its threads
at most and after; the host's load average at the end (the run's time depends on it). Fails on any error, a stream that misses its end, or a peak
above LIMIT_MB.

The client needs a socket per stream and the server a socket and a thread per stream: the soft
limit on open files (`ulimit -n`) is raised here to what STREAMS needs (inherited by the
server), up to the hard limit; above it the test says so and stops.

    python3 bench/serve_load.py [--twinsim PATH] [--streams N] [--requests N] [--reps N]
                                [--limit-mb MB]
        defaults: build/twinsim, 1000 streams, 10000 requests, 1000 replications, 400 MB
"""
import argparse
import http.client
import json
import os
import subprocess
import tempfile
import threading
import time

import serve_util

ap = argparse.ArgumentParser()
ap.add_argument("--twinsim", default="build/twinsim")
ap.add_argument("--streams", type=int, default=1000)
ap.add_argument("--requests", type=int, default=10000)
ap.add_argument("--reps", type=int, default=1000)
ap.add_argument("--limit-mb", type=float, default=400)
args = ap.parse_args()
failed = []

serve_util.raise_open_files("serve_load", args.streams)


def check(s, reps):
    """What is wrong with the events this stream got, or None."""
    if s.error:
        return s.error
    if not s.events or s.events[-1][0] != "end":
        return "no end event"
    ids = [e[1] for e in s.events]
    if any(b <= a for a, b in zip(ids, ids[1:])):
        return f"ids not going up: {ids}"
    counts = [e[2]["done"] for e in s.events]
    if any(b < a for a, b in zip(counts, counts[1:])):
        return f"replications done went back: {counts}"
    if any(e[0] != "progress" for e in s.events[:-1]):
        return "an event other than progress before the end"
    last = s.events[-1][2]
    if last["state"] != "done" or last["done"] != reps or not last["run"]:
        return f"ended {last}"
    return None


tmp = tempfile.mkdtemp(prefix="twinsim-load.")
srv = None
try:
    db = os.path.join(tmp, "r.db")
    models = os.path.join(tmp, "models")
    os.mkdir(models)
    subprocess.run([args.twinsim, "run", "tests/cli/models/line.yaml", "--db", db, "--quiet"],
                   check=True)
    with open("tests/cli/models/line.yaml") as f:
        text = f.read().replace("horizon: 2h", "horizon: 2000h")
    with open(os.path.join(models, "long.yaml"), "w") as f:
        f.write(text)
    srv, port, token = serve_util.start(
        args.twinsim, ["--db", db, "--models", models, "--threads", "1", "--timeout", "30"],
        open(os.path.join(tmp, "err"), "w"))
    rss = {"start": serve_util.proc_status(srv.pid, "VmRSS") / 1024}
    sampler = serve_util.Sampler(srv.pid)

    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request("POST", f"/api/runs?model=long.yaml&replications={args.reps}",
              headers={"Authorization": "Bearer " + token})
    job = json.loads(c.getresponse().read())["job"]
    c.close()

    t0 = time.monotonic()
    streams = [serve_util.Stream(port, f"/api/jobs/{job}/events", token)
               for i in range(args.streams)]
    opened = time.monotonic() - t0

    # The streams are read on a thread of their own while the API is under load.
    reader = threading.Thread(target=serve_util.read_streams, args=(streams, time.monotonic() + 600))
    reader.start()
    time.sleep(0.5)
    rss["streams"] = serve_util.proc_status(srv.pid, "VmRSS") / 1024

    paths = ["/api/runs", "/api/runs/1", "/api/runs/1/layout", "/api/experiments", "/api/models",
             f"/api/jobs/{job}", "/", "/app.js"]
    lat, bad, api_s = serve_util.request_load(port, paths, args.requests)
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request("GET", f"/api/jobs/{job}")
    state = json.loads(c.getresponse().read())
    c.close()
    reader.join()
    ended = time.monotonic() - t0
    time.sleep(1)
    rss["after"] = serve_util.proc_status(srv.pid, "VmRSS") / 1024
    threads_after = serve_util.proc_status(srv.pid, "Threads")
    sampler.stop()

    wrong = [(i, check(s, args.reps)) for i, s in enumerate(streams)]
    wrong = [(i, w) for i, w in wrong if w]
    got_end = len(streams) - len(wrong)
    nev = sorted(len(s.events) for s in streams)
    if wrong:
        failed.append(f"{len(wrong)} of {len(streams)} streams wrong, e.g. {wrong[:3]}")
    if bad:
        failed.append(f"{len(bad)} of {len(lat)} requests failed, e.g. {bad[:3]}")
    srv.terminate()
    rc = srv.wait(timeout=30)
    srv = None
    with open(os.path.join(tmp, "err")) as f:
        err = [line for line in f.read().splitlines() if "interrupted by SIGTERM" not in line]
    if err:
        failed.append("the server said: " + " | ".join(err[:3]))
    if rc not in (143, -15):
        failed.append(f"server exit {rc}")
    print(f"streams: {got_end}/{len(streams)} got the end of the run of {args.reps} replications "
          f"({len(streams)} opened in {opened:.1f} s, all ended {ended:.1f} s after the first "
          f"opened); events a stream (coalesced): fewest {nev[0]}, median {nev[len(nev) // 2]}, "
          f"most {nev[-1]}; server threads {sampler.threads} at most, {threads_after} after; load average "
          f"{os.getloadavg()[0]:.1f}")
    if lat:
        print(f"api: {len(lat)} requests in {api_s:.1f} s ({len(lat) / api_s:.0f}/s), median "
              f"{1000 * lat[len(lat) // 2]:.2f} ms, 99th percentile "
              f"{1000 * lat[int(len(lat) * 0.99)]:.2f} ms, {len(bad)} failed; the run was "
              f"{state['state']} at {state['done']}/{args.reps} when they were answered")
    print(f"memory (VmRSS): {rss['start']:.1f} MB at start, {rss['streams']:.1f} MB with the "
          f"streams, {sampler.peak_mb:.1f} MB peak, {rss['after']:.1f} MB after; exit {rc}")
    if sampler.peak_mb > args.limit_mb:
        failed.append(f"peak memory {sampler.peak_mb:.0f} MB above {args.limit_mb:.0f} MB")
finally:
    serve_util.stop(srv, tmp)
serve_util.finish("serve_load", failed)
