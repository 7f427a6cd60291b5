#!/usr/bin/env python3
"""The table of docs/ai.md, A learned factory policy: runs `twinsim experiment` on
examples/ai/flow.experiment.yaml (the learned policy and the built-in rules as levels of the
cutting queue's rule, common random numbers) and prints each level's objective with its 95%
interval, and its paired difference to the best level with the experiment's interval (paired t,
Bonferroni-corrected over the comparisons with the best: 95% jointly).

    python3 examples/ai/compare_factory.py [--twinsim build/twinsim] [--exp FILE]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--twinsim", default=os.path.join(ROOT, os.environ.get("BUILD", "build"),
                                                      "twinsim"))
    ap.add_argument("--exp", default=os.path.join(HERE, "flow.experiment.yaml"))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "exp.json")
        subprocess.run([args.twinsim, "experiment", args.exp, "--no-db", "--quiet", "--json", out],
                       check=True, cwd=ROOT)
        with open(out) as f:
            d = json.load(f)
    obj = d["objective"]["minimize"]
    best = d["scenarios"][d["best"]]
    print("| rule | %s, mean ± 95%% | paired difference to %s (%.2f%% per comparison) | |"
          % (obj, next(iter(best["factors"].values())), 100 * d["comparison_level"]))
    print("|---|---|---|---|")
    for s in sorted(d["scenarios"], key=lambda s: s["objective"]["mean"]):
        o, diff = s["objective"], s["difference_to_best"]
        level = next(iter(s["factors"].values()))
        verdict = ("best" if s["best"] else
                   "cannot be told apart" if s["indistinguishable_from_best"] else "worse")
        print("| %s | %.3f ± %.3f | %+.3f ± %.3f | %s |"
              % (level, o["mean"], o["half_width"], diff["mean"], diff["half_width"], verdict))
    print("\n%d replications each (seed %s), common random numbers: %s"
          % (best["replications"], d["seed"], d["common_random_numbers"]))


if __name__ == "__main__":
    sys.exit(main())
