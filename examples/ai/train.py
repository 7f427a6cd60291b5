#!/usr/bin/env python3
"""Train a dispatching policy for the job shop by an evolution strategy (docs/ai.md).

The policy is a small network (features -> HIDDEN tanh units -> one score; the smallest score
is served) that twinsim's C dispatcher applies at every decision of the non-delay scheme. The
search is OpenAI's evolution strategy with antithetic sampling: each generation draws PAIRS
directions e, scores theta + sigma e and theta - sigma e on the same BATCH random 15x15
instances (Taillard's generator, seeds never those of ta01-ta80), ranks the 2 PAIRS scores
(centred ranks, so one bad instance cannot dominate) and moves theta along the rank-weighted
sum of directions with Adam. The score of a weight vector is its mean gap, (makespan - LB) / LB
with LB the larger of the longest job and the most loaded machine. Every EVAL_EVERY generations
the mean over VALID fixed validation instances (15x15, other seeds) is taken, and the best
weights so far are kept and written. Everything is seeded: the same command writes the same file.

    make -s -j2 build/lib/libtwinsim.so.0.1.0
    PATH=/usr/bin:$PATH python3 examples/ai/train.py            # writes examples/ai/jobshop-policy.txt
"""
import argparse
import multiprocessing
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import jobshop  # noqa: E402


def instance_set(lib, count, n, m, seed):
    """`count` Taillard-generator instances from seeds derived from `seed` alone."""
    rng = np.random.RandomState(seed)
    out = []
    for i in range(count):
        ts, ms = (int(x) for x in rng.randint(1, 2**31 - 1, size=2))
        text, _, lb = jobshop.taillard_instance(n, m, ts, ms)
        out.append((jobshop.Instance(lib, "gen%d-%d" % (seed, i), text), lb))
    return out


def mean_gap(pol, params, insts):
    pol.set(params)
    return float(np.mean([(inst.policy(pol) - lb) / lb for inst, lb in insts]))


# A worker process's library and policy (fork: each worker makes its own).
_worker = {}


def worker_init(lib_path, template):
    lib = jobshop.load_library(lib_path)
    _worker["lib"], _worker["pol"] = lib, jobshop.Policy(lib, template)


def worker_scores(task):
    """The mean gaps of a chunk of weight vectors on the batch of seed `seed`."""
    seed, batch, thetas = task
    insts = instance_set(_worker["lib"], batch, 15, 15, seed)
    return [mean_gap(_worker["pol"], th, insts) for th in thetas]


def centred_ranks(x):
    r = np.empty(len(x))
    r[np.argsort(x)] = np.arange(len(x))
    return r / (len(x) - 1) - 0.5


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                  "jobshop-policy.txt"))
    ap.add_argument("--generations", type=int, default=300)
    ap.add_argument("--pairs", type=int, default=24)
    ap.add_argument("--batch", type=int, default=24)
    ap.add_argument("--hidden", type=int, default=12)
    ap.add_argument("--sigma", type=float, default=0.1)
    ap.add_argument("--lr", type=float, default=0.03)
    ap.add_argument("--valid", type=int, default=400)
    ap.add_argument("--workers", type=int, default=2,
                    help="processes scoring the population (results do not depend on it)")
    ap.add_argument("--eval-every", type=int, default=10)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--lib", default=None)
    a = ap.parse_args()

    lib = jobshop.load_library(a.lib)
    feats, h = jobshop.FEATURES, a.hidden
    nf = len(feats)
    size = h * (nf + 2)
    template = jobshop.policy_text("mlp", feats, jobshop.MEAN, jobshop.SCALE, np.zeros(size), h)
    pol = jobshop.Policy(lib, template)
    assert pol.size == size

    rng = np.random.RandomState(a.seed)
    theta = rng.normal(0, 0.3, size)
    valid = instance_set(lib, a.valid, 15, 15, a.seed + 1)
    mwkr = float(np.mean([(inst.rule("MWKR") - lb) / lb for inst, lb in valid]))
    best, best_theta = mean_gap(pol, theta, valid), theta.copy()
    print("validation: %d instances 15x15; MWKR %.2f%%, start %.2f%%" % (a.valid, 100 * mwkr,
                                                                         100 * best), flush=True)
    pool = multiprocessing.get_context("fork").Pool(a.workers, worker_init, (a.lib, template))
    m_t, v_t = np.zeros(size), np.zeros(size)
    b1, b2, eps = 0.9, 0.999, 1e-8
    t0 = time.time()
    for g in range(1, a.generations + 1):
        e = rng.normal(0, 1, (a.pairs, size))
        pop = np.empty((2 * a.pairs, size))
        pop[0::2] = theta + a.sigma * e
        pop[1::2] = theta - a.sigma * e
        chunks = np.array_split(pop, a.workers)
        fit = np.concatenate(pool.map(worker_scores, [(a.seed * 1000 + g, a.batch, c)
                                                      for c in chunks]))
        r = centred_ranks(fit)
        grad = ((r[0::2] - r[1::2])[:, None] * e).sum(0) / (2 * a.pairs * a.sigma)
        m_t = b1 * m_t + (1 - b1) * grad
        v_t = b2 * v_t + (1 - b2) * grad * grad
        step = a.lr * (m_t / (1 - b1**g)) / (np.sqrt(v_t / (1 - b2**g)) + eps)
        theta = theta - step  # ranks of gaps: smaller is better, so descend
        if g % a.eval_every == 0 or g == a.generations:
            v = mean_gap(pol, theta, valid)
            if v < best:
                best, best_theta = v, theta.copy()
            print("generation %4d  batch %.2f%%  validation %.2f%%  best %.2f%%  %.0f s" %
                  (g, 100 * fit.mean(), 100 * v, 100 * best, time.time() - t0), flush=True)
    pool.close()
    pool.join()
    note = ("written by examples/ai/train.py --seed %d --generations %d --pairs %d --batch %d "
            "--hidden %d\nvalidation (%d random 15x15): mean gap %.2f%% to the simple bound; "
            "MWKR %.2f%%" % (a.seed, a.generations, a.pairs, a.batch, h, a.valid, 100 * best,
                             100 * mwkr))
    text = jobshop.policy_text("mlp", feats, jobshop.MEAN, jobshop.SCALE, best_theta, h, note)
    with open(a.out, "w") as f:
        f.write(text)
    print("wrote %s" % a.out)


if __name__ == "__main__":
    main()
