"""Load test of `twinsim serve` on loopback (not part of `make test`: it takes about a minute).

Starts a server on a database with one run, starts a long run from its models directory, opens
CLIENTS event streams on it at once (each must get its first event), then sends REQUESTS API
requests from 8 threads over kept-alive connections (each must be 200 and parse as JSON) while
the streams stay open, and reads the server's resident memory (VmRSS) before, at the peak and
after the streams close. Fails if a stream or a request fails, or the peak is above LIMIT_MB.

    python3 tests/load/serve_load.py [BUILD] [CLIENTS] [REQUESTS] [LIMIT_MB]
        defaults: build 1000 10000 400
"""
import http.client
import json
import os
import selectors
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

build = sys.argv[1] if len(sys.argv) > 1 else "build"
clients = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
requests = int(sys.argv[3]) if len(sys.argv) > 3 else 10000
limit_mb = float(sys.argv[4]) if len(sys.argv) > 4 else 400
twinsim = os.path.join(build, "twinsim")
tmp = tempfile.mkdtemp(prefix="twinsim-load.")
failed = []


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def threads_of(pid):
    return len(os.listdir(f"/proc/{pid}/task"))


try:
    db = os.path.join(tmp, "r.db")
    models = os.path.join(tmp, "models")
    os.mkdir(models)
    subprocess.run([twinsim, "run", "tests/cli/models/line.yaml", "--db", db, "--quiet"], check=True)
    with open("tests/cli/models/line.yaml") as f:
        text = f.read().replace("horizon: 2h", "horizon: 2000h")
    with open(os.path.join(models, "long.yaml"), "w") as f:
        f.write(text)
    srv = subprocess.Popen([twinsim, "serve", "--db", db, "--listen", "127.0.0.1:0", "--models", models,
                            "--threads", "1", "--timeout", "30"], stdout=subprocess.PIPE, text=True)
    first = srv.stdout.readline()
    port = int(first.split("127.0.0.1:")[1].split("/")[0])
    token = srv.stdout.readline().split()[1]
    base_rss = rss_mb(srv.pid)

    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request("POST", "/api/runs?model=long.yaml&replications=100000",
              headers={"Authorization": "Bearer " + token})
    job = json.loads(c.getresponse().read())["job"]
    c.close()

    # The streams: raw sockets, one selector, each waiting for its first event.
    sel = selectors.DefaultSelector()
    socks = []
    t0 = time.monotonic()
    for i in range(clients):
        s = socket.create_connection(("127.0.0.1", port), timeout=30)
        s.sendall(f"GET /api/jobs/{job}/events?token={token} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ, bytearray())
        socks.append(s)
    got = set()
    while len(got) < clients and time.monotonic() - t0 < 60:
        for key, _ in sel.select(timeout=1):
            try:
                data = key.fileobj.recv(65536)
            except BlockingIOError:
                continue
            key.data.extend(data)
            if b"event: progress" in key.data:
                got.add(key.fileobj)
    opened = time.monotonic() - t0
    if len(got) < clients:
        failed.append(f"{clients - len(got)} of {clients} streams got no event in 60 s")
    stream_rss = rss_mb(srv.pid)
    nthreads = threads_of(srv.pid)

    # The API under load, the streams still open.
    paths = ["/api/runs", "/api/runs/1", "/api/runs/1/layout", "/api/experiments", "/api/models",
             f"/api/jobs/{job}", "/", "/app.js"]
    bad = []
    lat = []
    lock = threading.Lock()

    def worker(n):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for i in range(n):
            p = paths[i % len(paths)]
            t = time.monotonic()
            conn.request("GET", p)
            r = conn.getresponse()
            body = r.read()
            dt = time.monotonic() - t
            ok = r.status == 200 and (not p.startswith("/api/") or json.loads(body) is not None)
            with lock:
                lat.append(dt)
                if not ok:
                    bad.append((p, r.status))
        conn.close()

    t1 = time.monotonic()
    ws = [threading.Thread(target=worker, args=(requests // 8,)) for _ in range(8)]
    for w in ws:
        w.start()
    for w in ws:
        w.join()
    api_s = time.monotonic() - t1
    peak_rss = max(stream_rss, rss_mb(srv.pid))
    if bad:
        failed.append(f"{len(bad)} of {requests} requests failed, e.g. {bad[:3]}")
    for s in socks:
        sel.unregister(s)
        s.close()
    time.sleep(2)
    after_rss = rss_mb(srv.pid)
    after_threads = threads_of(srv.pid)
    srv.terminate()
    rc = srv.wait(timeout=30)
    lat.sort()
    print(f"streams: {len(got)}/{clients} got their first event in {opened:.1f} s; "
          f"server threads {nthreads} with them open, {after_threads} after")
    print(f"api: {len(lat)} requests in {api_s:.1f} s ({len(lat) / api_s:.0f}/s), "
          f"median {1000 * lat[len(lat) // 2]:.2f} ms, 99th {1000 * lat[int(len(lat) * 0.99)]:.2f} ms")
    print(f"memory (VmRSS): {base_rss:.1f} MB at start, {stream_rss:.1f} MB with the streams, "
          f"{peak_rss:.1f} MB peak, {after_rss:.1f} MB after; exit {rc}")
    if peak_rss > limit_mb:
        failed.append(f"peak memory {peak_rss:.0f} MB above {limit_mb:.0f} MB")
    if rc != 143 and rc != -15:
        failed.append(f"server exit {rc}")
finally:
    shutil.rmtree(tmp, ignore_errors=True)
for f in failed:
    print("FAIL serve_load:", f)
if not failed:
    print("PASS serve_load")
sys.exit(1 if failed else 0)
