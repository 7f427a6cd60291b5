#!/usr/bin/env python3
"""The table of docs/ai.md, A learned route: runs examples/ai/route.yaml with its route's rule
set to the learned policy (policy:route-policy.txt) and to each built-in route rule, the same
replications of the same seed for each (common random numbers: a block's random numbers depend
on the seed, the replication and the block's name only), and prints each rule's mean work in
process (system.wip) with its 95% interval and its paired difference to the best rule, with a
paired t interval Bonferroni-corrected over the comparisons with the best (95% jointly).

    python3 examples/ai/compare_route.py [--twinsim build/twinsim] [--reps 400] [--seed 1]
"""
import argparse
import csv
import math
import os
import subprocess
import sys
import tempfile
from statistics import NormalDist

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
AGENT = "to: {rule: agent, among: [fast_queue, slow_queue]}"
RULES = ["shortest_queue", "round_robin", "first_free", "least_utilized", "earliest_free"]


def t_quantile(p, df):
    """Student's t quantile by the Cornish-Fisher expansion around the normal one (to 1e-4 for
    df >= 30, which is all this script needs)."""
    z = NormalDist().inv_cdf(p)
    return (z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)
            + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * df**3))


def mean_hw(x, p):
    n = len(x)
    m = sum(x) / n
    s = math.sqrt(sum((v - m) ** 2 for v in x) / (n - 1))
    return m, t_quantile(p, n - 1) * s / math.sqrt(n)


def run(twinsim, text, tmp, name, reps, seed):
    """system.wip of each replication of the model `text`."""
    path = os.path.join(tmp, name + ".yaml")
    with open(path, "w") as f:
        f.write(text)
    out = os.path.join(tmp, name)
    subprocess.run([twinsim, "run", path, "--reps", str(reps), "--seed", str(seed), "--no-db",
                    "--quiet", "--csv", out], check=True)
    wip = {}
    with open(os.path.join(out, "replications.csv")) as f:
        for row in csv.DictReader(f):
            if row["block"] == "system" and row["kpi"] == "wip":
                wip[int(row["replication"])] = float(row["value"])
    return [wip[i] for i in range(reps)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--twinsim", default=os.path.join(ROOT, os.environ.get("BUILD", "build"),
                                                      "twinsim"))
    ap.add_argument("--model", default=os.path.join(HERE, "route.yaml"))
    ap.add_argument("--policy", default=os.path.join(HERE, "route-policy.txt"))
    ap.add_argument("--reps", type=int, default=400)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    with open(args.model) as f:
        text = f.read()
    assert AGENT in text, "the model's route is not '%s'" % AGENT
    levels = ["policy (%s)" % os.path.basename(args.policy)] + RULES
    rules = ["'policy:%s'" % os.path.abspath(args.policy)] + RULES
    wip = {}
    with tempfile.TemporaryDirectory() as tmp:
        for k, (level, rule) in enumerate(zip(levels, rules)):
            to = "to: {rule: %s, among: [fast_queue, slow_queue]}" % rule
            wip[level] = run(args.twinsim, text.replace(AGENT, to), tmp, "level%d" % k,
                             args.reps, args.seed)
    means = {lv: sum(x) / len(x) for lv, x in wip.items()}
    best = min(levels, key=lambda lv: means[lv])
    p = 1 - 0.05 / (2 * (len(levels) - 1))  # two-sided, Bonferroni over the comparisons
    print("| rule | system.wip, mean ± 95%% | paired difference to %s (%.2f%% per comparison) | |"
          % (best, 100 * (2 * p - 1)))
    print("|---|---|---|---|")
    for lv in sorted(levels, key=lambda lv: means[lv]):
        m, hw = mean_hw(wip[lv], 0.975)
        if lv == best:
            print("| %s | %.3f ± %.3f | +0.000 ± 0.000 | best |" % (lv, m, hw))
            continue
        d, dhw = mean_hw([a - b for a, b in zip(wip[lv], wip[best])], p)
        verdict = "worse" if d - dhw > 0 else "cannot be told apart"
        print("| %s | %.3f ± %.3f | %+.3f ± %.3f | %s |" % (lv, m, hw, d, dhw, verdict))
    print("\n%d replications each (seed %d), common random numbers" % (args.reps, args.seed))


if __name__ == "__main__":
    sys.exit(main())
