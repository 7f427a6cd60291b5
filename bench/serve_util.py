"""What bench/serve_load.py and bench/serve_kpi.py share: starting `twinsim serve` on a free
loopback port, stopping it with its folder, and the verdict."""
import shutil
import subprocess
import sys


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


def finish(name, failed):
    """Print each failure, or PASS, and exit with 1 or 0."""
    for f in failed:
        print(f"FAIL {name}:", f)
    if not failed:
        print(f"PASS {name}")
    sys.exit(1 if failed else 0)
