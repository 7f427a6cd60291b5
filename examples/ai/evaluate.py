#!/usr/bin/env python3
"""The learned policy against every built-in rule on held-out Taillard instances (docs/ai.md).

For ta01-ta10 (15x15) and ta21-ta30 (20x20), none of them seen in training, prints the makespan
of every built-in rule and of the policy, the gap to each instance's lower bound from
tests/jsplib/bks.json, (makespan - LB) / LB, and the mean gap per set, as Markdown tables.
Every schedule is made by twinsim's C dispatcher (the policy as the rule "policy:PATH", as
`twinsim run --jobshop FILE --rule policy:PATH` reads it).

    PATH=/usr/bin:$PATH python3 examples/ai/evaluate.py [--policy examples/ai/jobshop-policy.txt]
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import jobshop  # noqa: E402

RULES = ["FIFO", "LIFO", "SPT", "LPT", "EDD", "SLACK", "CR", "MWKR", "LWKR", "MOPNR", "RANDOM"]
SETS = [("ta01-ta10 (15x15)", range(1, 11)), ("ta21-ta30 (20x20)", range(21, 31))]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--policy", default=os.path.join(here, "jobshop-policy.txt"))
    ap.add_argument("--lib", default=None)
    a = ap.parse_args()
    lib = jobshop.load_library(a.lib)
    root = jobshop.ROOT
    with open(os.path.join(root, "tests", "jsplib", "bks.json")) as f:
        lb = {e["instance"]: e["lower_bound"] for e in json.load(f)}
    names = RULES + ["policy"]
    summary = []
    for title, numbers in SETS:
        print("\n### %s\n" % title)
        print("| instance | LB | " + " | ".join(names) + " |")
        print("|---" * (len(names) + 2) + "|")
        gaps = {r: [] for r in names}
        for k in numbers:
            name = "ta%02djs" % k
            path = os.path.join(root, "tests", "jsplib", "instances", "Taillard1993",
                                name + ".txt")
            with open(path) as f:
                inst = jobshop.Instance(lib, name, f.read())
            bound = lb[name]
            row = []
            for r in names:
                ms = inst.rule("policy:" + a.policy if r == "policy" else r)
                gaps[r].append(100.0 * (ms - bound) / bound)
                row.append(str(ms))
            print("| %s | %d | %s |" % (name, bound, " | ".join(row)))
        means = {r: sum(g) / len(g) for r, g in gaps.items()}
        print("| **mean gap %** | | " + " | ".join("%.1f" % means[r] for r in names) + " |")
        best = min(RULES, key=lambda r: means[r])
        # the best rule of each instance, chosen after the fact: no one rule does this well
        oracle = sum(min(gaps[r][i] for r in RULES) for i in range(len(numbers))) / len(numbers)
        summary.append((title, best, means[best], oracle, means["policy"]))
    print("\n| set | best built-in rule | its mean gap | best rule per instance | policy's mean "
          "gap | policy against the best rule |")
    print("|---|---|---|---|---|---|")
    for title, best, g, o, p in summary:
        print("| %s | %s | %.2f%% | %.2f%% | %.2f%% | %.2f points better |" % (title, best, g, o,
                                                                           p, g - p))


if __name__ == "__main__":
    main()
