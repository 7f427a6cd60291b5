"""The environment's speed through Python (python/twinsim, docs/ai.md): a VectorEnv of 256 sims
of ta01 (15x15), stepped from numpy arrays for about SECONDS (argument, default 1), best of 3:
  - slot 0 every step (the binding's own cost: a ctypes call per step, no copies);
  - a numpy policy reading the observation (MWKR: the masked argmax of work_left), the usual
    shape of an agent's step.
Prints steps/s (goal 500,000 with a batch of 256) and the time per step of the C call alone,
so that the Python part is the rest. Run with the library of the build: TWINSIM_LIB or BUILD."""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import numpy as np  # noqa: E402

import twinsim  # noqa: E402
from twinsim._lib import lib  # noqa: E402

N = 256
secs = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
ta01 = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                    "tests/jsplib/instances/Taillard1993/ta01js.txt")


def run(policy):
    env = twinsim.VectorEnv(ta01, num_envs=N)
    obs, info = env.reset(seed=1)
    mc = env.max_candidates
    zeros = np.zeros(N, dtype=np.int32)
    steps, t0 = 0, time.perf_counter()
    while True:
        for _ in range(100):
            if policy == "zero":
                a = zeros
            else:
                F = twinsim.CAND_FEATURES
                work = obs[:, :mc * F].reshape(N, mc, F)[:, :, 3]
                a = np.where(env.action_mask != 0, work, -np.inf).argmax(axis=1).astype(np.int32)
            obs, r, term, trunc, info = env.step(a)
        steps += 100
        t = time.perf_counter() - t0
        if t >= secs:
            break
    c_ptr, h = zeros.ctypes.data, env._h
    c_only = float("inf")  # the fastest of 20 stretches of 100 bare calls
    for _ in range(20):
        t1 = time.perf_counter()
        for _ in range(100):
            lib.tsim_env_step(h, c_ptr)
        c_only = min(c_only, (time.perf_counter() - t1) / 100)
    env.close()
    return steps * N / t, c_only


for policy, what in (("zero", "slot 0"), ("mwkr", "numpy MWKR policy")):
    best, c_only = 0.0, 0.0
    for _ in range(3):
        r, c = run(policy)
        if r > best:
            best, c_only = r, c
    per_step = N / best
    print("python, batch %d, %s: %10.0f steps/s (goal 500,000); a batch step %.1f us, of which "
          "the C step %.1f us and Python (ctypes, numpy, the policy) %.1f us"
          % (N, what, best, per_step * 1e6, c_only * 1e6, (per_step - c_only) * 1e6))
