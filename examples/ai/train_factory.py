#!/usr/bin/env python3
"""Train a sequencing or routing policy for a factory model's decision point by an evolution
strategy (docs/ai.md, A learned factory policy; A learned route).

With --kind route (examples/ai/route.yaml) the decision point is a route with `rule: agent`:
its candidates are the route's targets, the features proc, queue and backlog of each
(twinsim.ROUTE_FEATURES), the search starts from earliest_free (backlog alone) and the weights
file is read by the route's `rule: policy:PATH`; compare_route.py judges it. The rest of this
text is the sequencing case, the default.

The model's buffer with `rule: agent` (examples/ai/flow.yaml: the cutting queue) is stepped
through twinsim.ModelEnv. The policy is linear over the features a policy reads at a buffer
(proc, work, wait, slack: docs/ai.md), standardized by fixed scales; the smallest score is
served, ties to the earliest arrival, as the C rule `policy:PATH` does. The search is OpenAI's
evolution strategy with antithetic pairs: each generation draws PAIRS directions e, scores
theta + sigma e and theta - sigma e on the same REPS replications (common random numbers: one
seed per generation, never the seeds of the comparison), turns the scores into centred ranks
and moves theta along them with Adam. A score is the mean time entities spend in the system
over the horizon (the env's reward with w_waiting = 1), lower is better: the run's mean work in
process, the `system.wip` of twinsim's results. It starts from a built-in rule written in the
policy's features (--start: SLACK by default, the best rule on the validation replications; or
FIFO, every weight 0), so that the search looks for a better rule near a good one.

The comparison runs `twinsim experiment` (flow.experiment.yaml) with the written weights file as
one level of the queue's rule, so the policy is judged by the same replications, paired
intervals and objective (done.lead_time) as every rule. Everything is seeded: the same command
writes the same file.

    make -s -j2 all build/lib/libtwinsim.so.0.1.0
    python3 examples/ai/train_factory.py        # writes examples/ai/flow-policy.txt
    build/twinsim experiment examples/ai/flow.experiment.yaml --no-db
"""
import argparse
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "python"))
import twinsim  # noqa: E402

# Per kind of decision point: the policy's features, the observation's columns that hold them
# (named by `names`), their fixed scales (model minutes; a queue in entities), and built-in
# rules as weights over the features (scores are served smallest first).
KINDS = {
    "buffer": dict(features=("proc", "work", "wait", "slack"),
                   columns=("proc", "work_left", "wait", "slack"), names=twinsim.MODEL_FEATURES,
                   scales=[10.0, 10.0, 30.0, 100.0], max_candidates=64,
                   starts={"fifo": [0, 0, 0, 0], "spt": [1, 0, 0, 0], "slack": [0, 0, 0, 1]},
                   start="slack", model="flow.yaml", out="flow-policy.txt",
                   rules="FIFO,SPT,EDD,SLACK,CR,MWKR,LWKR"),
    "route": dict(features=("proc", "queue", "backlog"), columns=("proc", "queue", "backlog"),
                  names=twinsim.ROUTE_FEATURES, scales=[5.0, 5.0, 20.0], max_candidates=2,
                  starts={"earliest_free": [0, 0, 1], "shortest_queue": [0, 1, 0]},
                  start="earliest_free", model="route.yaml", out="route-policy.txt", rules=""),
}
KIND = KINDS["buffer"]
FEATURES, COLUMNS, SCALES = KIND["features"], KIND["columns"], np.array(KIND["scales"])


def set_kind(name):
    """Make the module's features those of decision points of kind `name`."""
    global KIND, FEATURES, COLUMNS, SCALES
    KIND = KINDS[name]
    FEATURES, COLUMNS, SCALES = KIND["features"], KIND["columns"], np.array(KIND["scales"])


def actions(env, theta):
    """The candidate with the smallest score, ties to the lower slot (the earlier arrival, the
    target listed first)."""
    c = env.candidates_view()
    z = np.stack([c[:, :, KIND["names"].index(f)] for f in COLUMNS], axis=2) / SCALES
    # float64, as the C rule computes: so that its ties are the same ties
    score = z.astype(np.float64) @ theta
    return np.where(env.action_mask != 0, score, np.inf).argmin(axis=1)


def rule_wip(env, rule, seed):
    """mean_time_in_system with a built-in rule's choices (the env's own, in C)."""
    _, info = env.reset(seed=seed)
    total = np.zeros(env.num_envs)
    ended = np.zeros(env.num_envs, dtype=bool)
    while not ended.all():
        _, r, term, _, info = env.step(env.rule_actions(rule))
        total += np.where(ended, 0.0, r)
        ended |= term
    return float(-total.mean() / env.horizon)


def mean_time_in_system(env, theta, seed):
    """The mean over the env's sims (replications 0..N-1 of `seed`) of the time entities spent
    in the system during the first episode, per unit of time: the mean work in process."""
    _, info = env.reset(seed=seed)
    n = env.num_envs
    total = np.zeros(n)
    ended = np.zeros(n, dtype=bool)
    while not ended.all():
        _, r, term, _, info = env.step(actions(env, theta))
        total += np.where(ended, 0.0, r)
        ended |= term
    return float(-total.mean() / env.horizon)


def write_policy(path, theta, note):
    with open(path, "w") as f:
        f.write("# %s\n" % note)
        f.write("twinsim-policy 1\nmodel linear\n")
        f.write("features %s\n" % " ".join(FEATURES))
        f.write("mean %s\n" % " ".join("0" for _ in FEATURES))
        f.write("scale %s\n" % " ".join("%.17g" % s for s in SCALES))
        f.write("weights %s\n" % " ".join("%.17g" % w for w in theta))


def train(args):
    mc = KIND["max_candidates"]
    env = twinsim.ModelEnv(args.model, num_envs=args.reps, threads=args.threads,
                           reward_weights=(0.0, 1.0, 0.0), max_candidates=mc,
                           horizon=args.horizon)
    # Validation: more replications, their own seed, one env kept for it.
    venv = twinsim.ModelEnv(args.model, num_envs=args.valid, threads=args.threads,
                            reward_weights=(0.0, 1.0, 0.0), max_candidates=mc,
                            horizon=args.horizon)
    rng = np.random.RandomState(args.seed)
    theta = np.array(KIND["starts"][args.start], dtype=np.float64)
    m, v = np.zeros_like(theta), np.zeros_like(theta)
    b1, b2, eps = 0.9, 0.999, 1e-8
    best, best_theta = None, theta.copy()
    valid_seed = 2 * 10**6 + args.seed
    for rule in filter(None, args.rules.split(",")):
        print("validation wip %.4f  %s" % (rule_wip(venv, rule, valid_seed), rule), flush=True)
    for name, start in KIND["starts"].items():  # a route's built-in rules, in its features
        if name != args.start and not args.rules:
            print("validation wip %.4f  %s" % (mean_time_in_system(venv, np.array(start, float),
                                                                   valid_seed), name), flush=True)
    print("validation wip %.4f  start (%s)" % (mean_time_in_system(venv, theta, valid_seed),
                                              args.start), flush=True)
    for g in range(1, args.generations + 1):
        seed = 10**6 + args.seed * 1000 + g  # training seeds: never the experiment's
        e = rng.randn(args.pairs, len(theta))
        plus = [mean_time_in_system(env, theta + args.sigma * d, seed) for d in e]
        minus = [mean_time_in_system(env, theta - args.sigma * d, seed) for d in e]
        scores = np.array(plus + minus)
        ranks = np.empty(len(scores))
        ranks[np.argsort(scores, kind="stable")] = np.arange(len(scores))
        ranks = ranks / (len(scores) - 1) - 0.5
        rp, rm = ranks[:args.pairs], ranks[args.pairs:]
        grad = ((rp - rm)[:, None] * e).sum(axis=0) / (2 * args.pairs * args.sigma)
        m = b1 * m + (1 - b1) * grad
        v = b2 * v + (1 - b2) * grad * grad
        step = args.lr * (m / (1 - b1**g)) / (np.sqrt(v / (1 - b2**g)) + eps)
        theta = theta - step  # lower scores are better
        if g % args.eval_every == 0 or g == args.generations:
            val = mean_time_in_system(venv, theta, valid_seed)
            if best is None or val < best:
                best, best_theta = val, theta.copy()
            print("generation %3d  validation wip %.4f  best %.4f  theta %s"
                  % (g, val, best, np.array2string(theta, precision=3)), flush=True)
    env.close()
    venv.close()
    return best_theta, best


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kind", choices=sorted(KINDS), default="buffer",
                    help="the decision point: a buffer's sequencing, or a route")
    kind = ap.parse_known_args()[0].kind
    set_kind(kind)
    ap.add_argument("--model", default=os.path.join(HERE, KIND["model"]))
    ap.add_argument("--horizon", type=float, default=0.0,
                    help="an episode's length in the model's time unit (0: the file's)")
    ap.add_argument("--generations", type=int, default=60)
    ap.add_argument("--pairs", type=int, default=12)
    ap.add_argument("--reps", type=int, default=48, help="replications per score")
    ap.add_argument("--valid", type=int, default=128, help="replications of the validation")
    ap.add_argument("--sigma", type=float, default=0.3)
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--eval-every", type=int, default=5)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--start", choices=sorted(KIND["starts"]), default=KIND["start"])
    ap.add_argument("--rules", default=KIND["rules"],
                    help="built-in rules scored on the validation replications, for the log")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", default=os.path.join(HERE, KIND["out"]))
    args = ap.parse_args()
    theta, best = train(args)
    write_policy(args.out, theta,
                 "examples/ai/train_factory.py%s --seed %d --start %s --generations %d "
                 "--pairs %d --reps %d: validation wip %.4f"
                 % (" --kind route" if kind == "route" else "", args.seed, args.start,
                    args.generations, args.pairs, args.reps, best))
    print("wrote %s" % args.out)


if __name__ == "__main__":
    main()
