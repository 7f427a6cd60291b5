"""What bench/serve_load.py, bench/serve_twin_load.py and bench/serve_kpi.py share: starting
`twinsim serve` on a free loopback port, stopping it with its folder, event streams read on raw
sockets by one selector, the server's /proc figures, and the verdict."""
import http.client
import json
import resource
import selectors
import shutil
import socket
import subprocess
import sys
import threading
import time


def start(twinsim, args, stderr):
    """`twinsim serve --listen 127.0.0.1:0 ARGS`: (process, port, token)."""
    srv = subprocess.Popen([twinsim, "serve", "--listen", "127.0.0.1:0"] + args,
                           stdout=subprocess.PIPE, stderr=stderr, text=True)
    port = int(srv.stdout.readline().split("127.0.0.1:")[1].split("/")[0])
    token = srv.stdout.readline().split()[1]
    return srv, port, token


def stop(srv, tmp):
    """Kill the server if it still runs and remove the folder."""
    if srv:
        srv.kill()
        srv.wait()
    shutil.rmtree(tmp, ignore_errors=True)


def raise_open_files(name, streams):
    """Raise the soft limit on open files to what STREAMS streams need (a socket each here and
    one in the server, which inherits the limit), up to the hard limit; above it, fail."""
    need = 2 * streams + 256
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= need:
        return
    if hard != resource.RLIM_INFINITY and hard < need:
        print(f"FAIL {name}: {streams} streams need {need} open files; the hard limit is "
              f"{hard} (raise it with `ulimit -Hn`, as root, or in limits.conf)")
        sys.exit(1)
    resource.setrlimit(resource.RLIMIT_NOFILE, (need, hard))
    print(f"open files: soft limit raised from {soft} to {need} (hard limit {hard})")


def proc_status(pid, key):
    """A figure of /proc/PID/status (VmRSS in kB, Threads), 0 when it has none."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


class Stream:
    """One event stream on a raw socket: HTTP/1.1, its chunked body decoded as it comes."""

    def __init__(self, port, path, token):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          f"Authorization: Bearer {token}\r\n\r\n".encode())
        self.sock.setblocking(False)
        self.raw = bytearray()
        self.head = None
        self.text = bytearray()
        self.events = []  # (name, id, data)
        self.done = False
        self.error = None

    def feed(self, data):
        if not data:
            if not self.done:
                self.error = "closed before the end of the stream"
            self.done = True
            return
        self.raw.extend(data)
        if self.head is None:
            k = self.raw.find(b"\r\n\r\n")
            if k < 0:
                return
            self.head = bytes(self.raw[:k]).decode("latin-1")
            del self.raw[:k + 4]
            if not self.head.startswith("HTTP/1.1 200") or "chunked" not in self.head.lower():
                self.error = "answer " + self.head.split("\r\n")[0]
                self.done = True
                return
        while True:  # chunks: size in hex, CRLF, the bytes, CRLF; a size of 0 ends the body
            k = self.raw.find(b"\r\n")
            if k < 0:
                break
            size = int(self.raw[:k].split(b";")[0], 16)
            if len(self.raw) < k + 2 + size + 2:
                break
            self.text.extend(self.raw[k + 2:k + 2 + size])
            del self.raw[:k + 2 + size + 2]
            if size == 0:
                self.done = True
                break
        self.parse()

    def parse(self):
        while True:
            k = self.text.find(b"\n\n")
            if k < 0:
                return
            block = bytes(self.text[:k]).decode()
            del self.text[:k + 2]
            ev = {}
            for line in block.split("\n"):
                if line.startswith(":"):
                    continue
                name, _, value = line.partition(": ")
                ev[name] = value
            if "event" in ev:
                self.events.append((ev["event"], int(ev["id"]), json.loads(ev["data"])))


def read_streams(streams, until):
    """Read every stream to its end (or until the monotonic time UNTIL) with one selector;
    each socket is closed when its stream is done."""
    sel = selectors.DefaultSelector()
    for s in streams:
        if not s.done:
            sel.register(s.sock, selectors.EVENT_READ, s)
    left = len(sel.get_map())
    while left and time.monotonic() < until:
        for key, _ in sel.select(timeout=0.5):
            s = key.data
            try:
                data = s.sock.recv(65536)
            except BlockingIOError:
                continue
            except OSError as e:
                s.error = str(e)
                data = b""
            s.feed(data)
            if s.done:
                sel.unregister(s.sock)
                s.sock.close()
                left -= 1


class Sampler:
    """The resident memory (MB) and threads of process PID at their highest, sampled every
    0.1 s on a thread of its own from construction to stop()."""

    def __init__(self, pid):
        self.pid = pid
        self.peak_mb = proc_status(pid, "VmRSS") / 1024
        self.threads = 0
        self.on = True
        self.thread = threading.Thread(target=self.run)
        self.thread.start()

    def run(self):
        while self.on:
            try:
                self.peak_mb = max(self.peak_mb, proc_status(self.pid, "VmRSS") / 1024)
                self.threads = max(self.threads, proc_status(self.pid, "Threads"))
            except OSError:
                return
            time.sleep(0.1)

    def stop(self):
        self.on = False
        self.thread.join()


def request_load(port, paths, requests, conns=8):
    """REQUESTS GETs of PATHS in turn from CONNS threads, each on a kept-alive connection; each
    must be 200, and JSON where the path is the API's. Returns (latencies sorted, failures as
    (path, status), seconds)."""
    bad, lat = [], []
    lock = threading.Lock()

    def worker(n):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for i in range(n):
            p = paths[i % len(paths)]
            t = time.monotonic()
            try:
                conn.request("GET", p)
                r = conn.getresponse()
                body = r.read()
                status = r.status
            except (OSError, http.client.HTTPException) as e:
                status, body = str(e), b""
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            dt = time.monotonic() - t
            ok = status == 200 and (not p.startswith("/api/") or json.loads(body) is not None)
            with lock:
                lat.append(dt)
                if not ok:
                    bad.append((p, status))
        conn.close()

    t0 = time.monotonic()
    ws = [threading.Thread(target=worker, args=(requests // conns,)) for _ in range(conns)]
    for w in ws:
        w.start()
    for w in ws:
        w.join()
    lat.sort()
    return lat, bad, time.monotonic() - t0


def finish(name, failed):
    """Print each failure, or PASS, and exit with 1 or 0."""
    for f in failed:
        print(f"FAIL {name}:", f)
    if not failed:
        print(f"PASS {name}")
    sys.exit(1 if failed else 0)
