"""Load test of the live twin's event stream on loopback (bench/run.sh runs it; not part of
`make test`, whose tests/cli/serve_twin.sh runs it small: 150 streams).

Starts mosquitto on a free loopback port and `twinsim twin --serve` following it (forecasts every
--every of wall time), then:
  - STREAMS clients open the twin's event stream at once (HTTP/1.1, chunked, each on its own
    socket, all read by one selector) and each must get a first state before the plant starts;
  - the emulator plays tests/twin/line.yaml at --speed for about --seconds;
  - meanwhile REQUESTS API and page requests go out from 8 threads over kept-alive connections
    (each must be 200, and JSON where it is the API);
  - once GET /api/twin says the twin has every event the emulator sent, and a second later, the
    twin is stopped (SIGTERM), which ends every stream.
Every stream must end cleanly (the last chunk) and hold states whose ids go up and whose
received counts never go back, the last of them with every event the emulator sent (the
stream kept up to the end), and at least one forecast. The twin's resident memory (VmRSS) is
sampled every 0.1 s: at start, with the streams open, the peak; its threads at most. Fails on
any error, a stream short of the end, a request not answered 200, anything the twin says on
stderr, or a peak above LIMIT_MB.

    python3 bench/serve_twin_load.py [--twinsim PATH] [--streams N] [--requests N]
                                     [--speed X] [--seconds S] [--every D] [--limit-mb MB]
        defaults: build/twinsim, 1000 streams, 10000 requests, --speed 36000 (about 11,000
        events a second), 20 s, forecasts every 0.5 s, 400 MB
"""
import argparse
import getpass
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request

import serve_util

ap = argparse.ArgumentParser()
ap.add_argument("--twinsim", default="build/twinsim")
ap.add_argument("--streams", type=int, default=1000)
ap.add_argument("--requests", type=int, default=10000)
ap.add_argument("--speed", type=float, default=36000)
ap.add_argument("--seconds", type=float, default=20)
ap.add_argument("--every", default="0.5s")
ap.add_argument("--limit-mb", type=float, default=400)
args = ap.parse_args()
failed = []
MODEL, MAPPING = "tests/twin/line.yaml", "tests/twin/line.mapping.yaml"

mosquitto = shutil.which("mosquitto") or next(
    (p for p in ("/usr/sbin/mosquitto", "/usr/bin/mosquitto") if os.path.exists(p)), None)
if not mosquitto:
    print("bench/serve_twin_load.py: mosquitto is not installed, skipped")
    raise SystemExit(0)
serve_util.raise_open_files("serve_twin_load", args.streams)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def check(s, sent):
    """What is wrong with the events this stream got, or None."""
    if s.error:
        return s.error
    if not s.done:
        return "not ended"
    states = [e for e in s.events if e[0] == "state"]
    if not states:
        return "no state"
    if any(b[1] <= a[1] for a, b in zip(states, states[1:])):
        return "state ids not going up"
    got = [e[2]["counters"]["received"] for e in states]
    if any(b < a for a, b in zip(got, got[1:])):
        return f"received went back: {got}"
    if got[-1] != sent:
        return f"last state has {got[-1]} of {sent} events"
    if not any(e[0] == "forecast" for e in s.events):
        return "no forecast"
    return None


tmp = tempfile.mkdtemp(prefix="twinsim-twin-load.")
procs = []
try:
    mport = free_port()
    with open(os.path.join(tmp, "mosq.conf"), "w") as f:
        f.write(f"listener {mport} 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\n"
                f"log_dest none\nuser {getpass.getuser()}\n")
    procs.append(subprocess.Popen([mosquitto, "-c", os.path.join(tmp, "mosq.conf")],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    for _ in range(50):
        try:
            socket.create_connection(("127.0.0.1", mport), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    token = "twinloadtwinload0123456789"
    with open(os.path.join(tmp, "token"), "w") as f:
        f.write(token + "\n")
    err = open(os.path.join(tmp, "err"), "w")
    twin = subprocess.Popen(
        [args.twinsim, "twin", MODEL, "--mapping", MAPPING, "--mqtt", f"127.0.0.1:{mport}",
         "--client-id", "load-twin", "--origin", "1000000", "--every", args.every, "--serve",
         "--listen", "127.0.0.1:0", "--results", os.path.join(tmp, "r.db"), "--token-file",
         os.path.join(tmp, "token"), "--idle-exit", "120"],
        stdout=subprocess.PIPE, stderr=err, text=True)
    procs.append(twin)
    port = int(twin.stdout.readline().split("127.0.0.1:")[1].split("/")[0])
    base = f"http://127.0.0.1:{port}"

    def api():
        """The twin's state now (None until it has handed one over: a 404)."""
        try:
            with urllib.request.urlopen(base + "/api/twin", timeout=30) as r:
                return json.loads(r.read())["state"]
        except urllib.error.HTTPError as e:
            if e.code == 404:
                return None
            raise

    for _ in range(200):  # connected: the state says so
        st = api()
        if st and st["counters"]["connected"]:
            break
        time.sleep(0.1)
    rss = {"start": serve_util.proc_status(twin.pid, "VmRSS") / 1024}
    sampler = serve_util.Sampler(twin.pid)

    t0 = time.monotonic()
    streams = [serve_util.Stream(port, "/api/twin/events", token) for _ in range(args.streams)]
    opened = time.monotonic() - t0
    reader = threading.Thread(target=serve_util.read_streams,
                              args=(streams, time.monotonic() + 600))
    reader.start()
    has_state = lambda s: any(e[0] == "state" for e in s.events)  # noqa: E731
    for _ in range(300):  # every stream has its first state before the plant starts
        if all(has_state(s) or s.done for s in streams):
            break
        time.sleep(0.1)
    first = sum(1 for s in streams if has_state(s))
    if first != len(streams):
        failed.append(f"{len(streams) - first} of {len(streams)} streams got no first state")
    rss["streams"] = serve_util.proc_status(twin.pid, "VmRSS") / 1024

    until_h = args.seconds * args.speed / 3600
    emu_err = open(os.path.join(tmp, "emu.err"), "w")
    t1 = time.monotonic()
    emu = subprocess.Popen(
        [args.twinsim, "emulate", MODEL, "--mapping", MAPPING, "--mqtt", f"127.0.0.1:{mport}",
         "--client-id", "load-plant", "--origin", "1000000", "--until", f"{until_h:.3f}h",
         "--speed", str(args.speed), "--batch", "100", "--verbose"], stderr=emu_err)
    procs.append(emu)
    paths = ["/api/twin", "/", "/app.js", "/style.css", "/api/runs", "/api/models"]
    lat, bad, api_s = serve_util.request_load(port, paths, args.requests)
    emu_rc = emu.wait(timeout=600)
    emu_s = time.monotonic() - t1
    with open(os.path.join(tmp, "emu.err")) as f:
        emu_text = f.read()
    sent = int(emu_text.split("sent: ")[1].split()[0]) if "sent: " in emu_text else -1
    if emu_rc != 0 or sent < 0:
        failed.append(f"the emulator exited {emu_rc}: {emu_text[-300:]}")
    for _ in range(600):  # the twin has every event (its state says so within 0.2 s)
        if api()["counters"]["received"] >= sent:
            break
        time.sleep(0.1)
    all_s = time.monotonic() - t1
    time.sleep(1)
    sampler.stop()
    twin.terminate()
    t2 = time.monotonic()
    rc = twin.wait(timeout=30)
    reader.join(timeout=300)  # every stream read to its end: what the client had not read yet
    end_s = time.monotonic() - t2

    wrong = [(i, check(s, sent)) for i, s in enumerate(streams)]
    wrong = [(i, w) for i, w in wrong if w]
    nst = sorted(sum(1 for e in s.events if e[0] == "state") for s in streams)
    nfc = sorted(sum(1 for e in s.events if e[0] == "forecast") for s in streams)
    if wrong:
        failed.append(f"{len(wrong)} of {len(streams)} streams wrong, e.g. {wrong[:3]}")
    if bad:
        failed.append(f"{len(bad)} of {len(lat)} requests failed, e.g. {bad[:3]}")
    with open(os.path.join(tmp, "err")) as f:
        said = [line for line in f.read().splitlines() if "interrupted by SIGTERM" not in line]
    if said:
        failed.append("the twin said: " + " | ".join(said[:3]))
    if rc not in (0, 143, -15):  # the twin stops cleanly on SIGTERM
        failed.append(f"twin exit {rc}")
    print(f"plant: {sent} events in {emu_s:.1f} s ({sent / emu_s:.0f} events/s), all at the twin "
          f"{all_s:.1f} s after the start; load average {os.getloadavg()[0]:.1f}")
    print(f"streams: {len(streams) - len(wrong)}/{len(streams)} got every state to the last, "
          f"with every event ({len(streams)} opened in {opened:.1f} s, all read to their end "
          f"{end_s:.1f} s after the twin was stopped); states a stream "
          f"(coalesced): fewest {nst[0]}, median {nst[len(nst) // 2]}, most {nst[-1]}; "
          f"forecasts: fewest {nfc[0]}, most {nfc[-1]}; twin threads {sampler.threads} at most")
    if lat:
        print(f"api: {len(lat)} requests in {api_s:.1f} s ({len(lat) / api_s:.0f}/s), median "
              f"{1000 * lat[len(lat) // 2]:.2f} ms, 99th percentile "
              f"{1000 * lat[int(len(lat) * 0.99)]:.2f} ms, {len(bad)} failed")
    print(f"memory (VmRSS): {rss['start']:.1f} MB at start, {rss['streams']:.1f} MB with the "
          f"streams, {sampler.peak_mb:.1f} MB peak; exit {rc}")
    if sampler.peak_mb > args.limit_mb:
        failed.append(f"peak memory {sampler.peak_mb:.0f} MB above {args.limit_mb:.0f} MB")
finally:
    for p in reversed(procs):
        if p.poll() is None:
            p.kill()
            p.wait()
    shutil.rmtree(tmp, ignore_errors=True)
serve_util.finish("serve_twin_load", failed)
