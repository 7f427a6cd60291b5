"""Runs model files in twinsim and in the SimPy translation and compares their KPIs.

    python3 compare.py [options] MODEL.yaml...

For each model, twinsim runs `--reps-twinsim` replications (`twinsim run --json`) and SimPy
`--reps-simpy`, each at the horizon and warm-up that twinsim used (an automatic warm-up is the
one twinsim chose). Compared are every system KPI, and of each block its throughput, its mean
content and utilization where it has them, and the KPIs that say how it got there (machine
state shares, buffer waits and drops, scrap, source blocking, sink lead times, operator pools'
utilization and queue).

The test, KPI by KPI: with means a and b, sample sds sa and sb over na and nb replications,
the difference must satisfy
    |a - b| <= t(1 - alpha / (2 m), df) * sqrt(sa^2/na + sb^2/nb) + 1e-9 * max(1, |a|, |b|)
where m is the number of KPIs compared in that model (Bonferroni: the m tests of one model
together falsely fail a correct pair of engines with probability at most alpha), df is
Welch's, and the last term absorbs rounding (a KPI that is constant in both, such as the
off-shift share, must be equal). A KPI constant over one engine's replications only (an event
that none of its replications met) takes the other engine's sd for both. alpha defaults to 1e-4 per model: over a run of 2,000 correct
models about 0.2 false alarms are expected. A disagreement prints the model file and both values.

Exit status: 0 when every model agrees, 1 when one disagrees, 2 when one could not be run.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import model as model_mod  # noqa: E402
import simpy_engine  # noqa: E402
import stats  # noqa: E402

# KPIs compared, by block type (names as in twinsim's JSON; "states" nested there).
COMPARED = {
    "source": ("throughput", "blocked_time"),
    "buffer": ("throughput", "content", "wait", "dropped"),
    "delay": ("throughput", "content"),
    "machine": ("throughput", "content", "utilization", "scrapped", "dropped",
                "states.idle", "states.blocked", "states.down", "states.setup",
                "states.off_shift", "states.waiting"),
    "assembly": ("throughput", "content", "utilization", "dropped", "states.idle",
                 "states.blocked", "states.down", "states.off_shift", "states.waiting"),
    "split": ("throughput",),
    "sink": ("throughput", "lead_time"),
}
SYSTEM = ("throughput", "lead_time", "wip", "completed", "created")
POOL = ("utilization", "waiting")


class RunError(Exception):
    pass


def twinsim_run(twinsim, path, reps, seed, threads):
    """twinsim's summary: (meta, {"block.kpi": (mean, sd, n)}, {block: type})."""
    cmd = [twinsim, "run", path, "--reps", str(reps), "--json", "-", "--no-db", "--quiet",
           "--threads", str(threads)]
    if seed is not None:
        cmd += ["--seed", str(seed)]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RunError("twinsim run failed (exit %d): %s" % (p.returncode, p.stderr.strip()))
    doc = json.loads(p.stdout)
    out, types = {}, {}

    def add(prefix, kpis):
        for k, v in kpis.items():
            if k == "type":
                continue
            if "mean" in v:
                out[prefix + k] = (v["mean"], v["sd"], v["n"])
            else:
                add(prefix + k + ".", v)

    add("system.", doc["system"])
    for name, kpis in doc["blocks"].items():
        types[name] = kpis["type"]
        add(name + ".", kpis)
    for name, kpis in doc.get("operators", {}).items():
        add(name + ".", kpis)
    return doc, out, types


def simpy_run(m, reps, seed, horizon, warmup):
    """The SimPy translation's summary, {"block.kpi": (mean, sd, n)}."""
    runs = [simpy_engine.run(m, seed, r, horizon, warmup) for r in range(reps)]
    return {k: stats.summary([r[k] for r in runs]) for k in runs[0]}


def simpy_cached(cache, path, m, reps, seed, horizon, warmup):
    """simpy_run's summary, kept in the folder `cache` (None: no cache) under a key of all it
    depends on: the model file's bytes, the replications, seed, horizon and warm-up, the
    translation's own sources (every .py file here) and the Python and SimPy versions. The SimPy
    side of a model is the same whichever build of twinsim it is compared with, so the suites
    after the first (clang, ASan+UBSan) read it instead of running it again."""
    if not cache:
        return simpy_run(m, reps, seed, horizon, warmup)
    import hashlib
    import simpy
    h = hashlib.sha256()
    here = os.path.dirname(os.path.abspath(__file__))
    for name in sorted(os.listdir(here)):
        if name.endswith(".py"):
            with open(os.path.join(here, name), "rb") as f:
                h.update(name.encode() + b"\0" + f.read() + b"\0")
    with open(path, "rb") as f:
        h.update(f.read())
    h.update(repr((reps, seed, horizon, warmup, sys.version, simpy.__version__)).encode())
    file = os.path.join(cache, h.hexdigest() + ".json")
    try:
        with open(file) as f:
            return {k: tuple(v) for k, v in json.load(f).items()}
    except (OSError, ValueError):
        pass
    out = simpy_run(m, reps, seed, horizon, warmup)
    os.makedirs(cache, exist_ok=True)
    tmp = "%s.%d.tmp" % (file, os.getpid())
    with open(tmp, "w") as f:
        json.dump(out, f)
    os.replace(tmp, file)
    return out


def compared_kpis(m, types):
    names = ["system." + k for k in SYSTEM]
    for b in m.blocks:
        names += [b.name + "." + k for k in COMPARED[types.get(b.name, b.kind)]]
    for p in m.pools:
        names += [p[0] + "." + k for k in POOL]
    return names


def disagreements(a, b, names, alpha):
    """[(kpi, a summary, b summary, allowed difference)] for every KPI that differs."""
    m = len(names)
    bad = []
    for k in names:
        if k not in a or k not in b:
            bad.append((k, a.get(k), b.get(k), None))
            continue
        (ma, sa, na), (mb, sb, nb) = a[k], b[k]
        # A KPI constant over one engine's replications (a rare event none of them saw) says
        # nothing of its variance: take the other engine's.
        sa, sb = (sa or sb), (sb or sa)
        va, vb = sa * sa / na, sb * sb / nb
        slack = 1e-9 * max(1.0, abs(ma), abs(mb))
        allowed = slack
        if va + vb > 0:
            df = (va + vb) ** 2 / ((va * va / (na - 1) if va else 0.0) +
                                   (vb * vb / (nb - 1) if vb else 0.0))
            allowed += stats.t_quantile(1 - alpha / (2 * m), df) * math.sqrt(va + vb)
        if not abs(ma - mb) <= allowed:
            bad.append((k, a[k], b[k], allowed))
    return bad


def fmt(s):
    if s is None:
        return "missing"
    mean, sd, n = s
    hw = sd / math.sqrt(n) if n else float("nan")
    return "%.6g (sd %.3g, se %.3g, n %d)" % (mean, sd, hw, n)


def compare_model(path, opts):
    """Prints PASS/FAIL lines for one model; returns 0 (agree), 1 (disagree) or 2 (error)."""
    t0 = time.time()
    try:
        doc, a, types = twinsim_run(opts.twinsim, path, opts.reps_twinsim, opts.seed,
                                    opts.threads)
        m = model_mod.Model(path)
        horizon = float(doc["horizon"])
        warmup = float(doc["warmup"])
        seed = opts.seed if opts.seed is not None else m.seed
        b = simpy_cached(opts.simpy_cache, path, m, opts.reps_simpy, seed, horizon, warmup)
    except (RunError, OSError, ValueError, KeyError) as exc:
        print("FAIL diff %s: %s" % (path, exc))
        return 2
    names = compared_kpis(m, types)
    bad = disagreements(a, b, names, opts.alpha)
    wall = time.time() - t0
    if not bad:
        print("PASS diff %s (%d KPIs, %.1f s)" % (path, len(names), wall))
        return 0
    print("FAIL diff %s: %d of %d KPIs disagree (alpha %g per model)"
          % (path, len(bad), len(names), opts.alpha))
    for k, sa, sb, allowed in bad:
        diff = abs(sa[0] - sb[0]) if sa and sb else float("nan")
        print("    %-32s twinsim %s\n    %-32s simpy   %s\n    %-32s |diff| %.6g > allowed %s"
              % (k, fmt(sa), "", fmt(sb), "", diff,
                 "%.6g" % allowed if allowed is not None else "-"))
    return 1


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("models", nargs="+")
    ap.add_argument("--twinsim", default=os.environ.get("TWINSIM", "build/twinsim"))
    ap.add_argument("--reps-twinsim", type=int, default=100)
    ap.add_argument("--reps-simpy", type=int, default=20)
    ap.add_argument("--seed", type=int, default=None, help="default: the model's run.seed")
    ap.add_argument("--alpha", type=float, default=1e-4)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--simpy-cache", default=None,
                    help="a folder that keeps the SimPy side of each model (see simpy_cached)")
    opts = ap.parse_args(argv)
    worst = 0
    for path in opts.models:
        worst = max(worst, compare_model(path, opts))
    return worst


if __name__ == "__main__":
    sys.exit(main())
