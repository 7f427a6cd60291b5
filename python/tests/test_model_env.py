"""Tests of ModelEnv (python/twinsim, docs/ai.md, Decision points in a model): a numpy SPT over the
observation makes the C rule's choices, the rewards of an episode count its completed entities,
two decision points take turns, the outputs do not depend on the thread count, and the
refusals (no decision point, a bad model file, a masked action) name what is wrong."""
import os

import numpy as np
import pytest

import twinsim

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CELL = os.path.join(ROOT, "examples/ai/cell.yaml")

TWO = """name: two
time_unit: min
run: {horizon: 1d}
products: [a, b]
blocks:
  - source: orders
    interarrival: exponential(10)
    product: {a: 0.6, b: 0.4}
    to: first_queue
  - buffer: first_queue
    rule: agent
    to: press
  - machine: press
    process: {a: exponential(5), b: exponential(8)}
    to: second_queue
  - buffer: second_queue
    rule: %s
    to: paint
  - machine: paint
    process: {a: exponential(8), b: exponential(4)}
    to: done
  - sink: done
"""


def spt(env):
    """SPT from the observation alone: the smallest proc, ties to the lower slot (arrival)."""
    proc = env.candidates_view()[:, :, twinsim.MODEL_FEATURES.index("proc")]
    return np.where(env.action_mask != 0, proc, np.inf).argmin(axis=1)


def test_spot_checks_and_spt_from_observation():
    env = twinsim.ModelEnv(CELL, num_envs=4, seed=5, max_candidates=32)
    obs, info = env.reset(seed=5)
    assert obs.shape == (4, 32 * twinsim.CAND_FEATURES + twinsim.GLOBAL_FEATURES)
    assert env.agent_names == ("queue",)
    assert env.action_space.shape == (4,)
    completed = np.zeros(4)
    ended = np.zeros(4, dtype=bool)
    decisions = 0
    for _ in range(5000):
        a = spt(env)
        live = info["candidates"] > 0
        assert (a[live] == env.rule_actions("SPT")[live]).all()
        decisions += int(live.sum())
        _, r, term, trunc, info = env.step(a)
        assert not trunc.any()
        completed += np.where(ended, 0, r)
        ended |= term
        if ended.all():
            break
    assert ended.all()
    assert decisions > 100
    # about 240 orders in two days, 12 minutes apart
    assert ((completed > 180) & (completed < 300)).all(), completed


def test_two_decision_points(tmp_path):
    p = tmp_path / "two.yaml"
    p.write_text(TWO % "agent")
    env = twinsim.ModelEnv(p, num_envs=2, seed=1)
    assert env.agent_names == ("first_queue", "second_queue")
    _, info = env.reset()
    rng = np.random.default_rng(1)
    asked = np.zeros(2, dtype=int)
    for _ in range(2000):
        for k in info["agent"][info["agent"] >= 0]:
            asked[k] += 1
        _, _, _, _, info = env.step(env.action_space.sample(rng, mask=info["action_mask"]))
    assert (asked > 50).all(), asked


def test_threads_give_the_same_outputs(tmp_path):
    p = tmp_path / "two.yaml"
    p.write_text(TWO % "agent")
    out = []
    for threads in (1, 2):
        env = twinsim.ModelEnv(p, num_envs=7, threads=threads, seed=3,
                               reward_weights=(1.0, 0.1, 0.0))
        _, info = env.reset(seed=3)
        rng = np.random.default_rng(2)
        total = np.zeros(7)
        for _ in range(1500):
            _, r, _, _, info = env.step(env.action_space.sample(rng, mask=info["action_mask"]))
            total += r
        out.append((total.copy(), env.obs.copy()))
        env.close()
    assert np.array_equal(out[0][0], out[1][0])
    assert np.array_equal(out[0][1], out[1][1])


def test_refusals(tmp_path):
    p = tmp_path / "fifo.yaml"
    p.write_text((TWO % "FIFO").replace("rule: agent", "rule: FIFO"))
    with pytest.raises(twinsim.Error, match="model 'two' has no decision point"):
        twinsim.ModelEnv(p)
    p.write_text((TWO % "agent").replace("run: {horizon: 1d}\n", ""))
    with pytest.raises(twinsim.Error, match="the horizon is 0"):
        twinsim.ModelEnv(p)
    assert twinsim.ModelEnv(p, horizon=100.0).horizon == 100.0
    p.write_text(TWO % "agnt")
    with pytest.raises(twinsim.Error, match=r"fifo.yaml:17:11: error: .*'agnt'"):
        twinsim.ModelEnv(p)
    env = twinsim.ModelEnv(CELL, num_envs=2, max_candidates=4)
    _, info = env.reset()
    while info["candidates"][1] == 0:
        _, _, _, _, info = env.step(np.zeros(2, dtype=np.int32))
    with pytest.raises(twinsim.Error, match="sim 1: action 4 is out of range"):
        env.step(np.array([0, 4]))
    with pytest.raises(ValueError, match="it must be"):
        env.step(np.zeros(3, dtype=np.int32))


ROUTE = os.path.join(ROOT, "examples/ai/route.yaml")


def test_route_decision_point():
    """examples/ai/route.yaml's route asks: two targets in the route's order, their features
    named by ROUTE_FEATURES; the queue of the target chosen grows by the entity sent."""
    env = twinsim.ModelEnv(ROUTE, num_envs=3, seed=2, max_candidates=2,
                           reward_weights=(1.0, 0.0, 0.0))
    obs, info = env.reset(seed=2)
    assert env.agent_names == ("orders",)
    assert env.agent_kinds == ("route",)
    f = twinsim.ROUTE_FEATURES
    completed = np.zeros(3)
    for step in range(300):
        c = env.candidates_view().copy()
        assert (info["candidates"] == 2).all() and (info["agent"] == 0).all()
        assert (c[:, :, f.index("index")] == [0, 1]).all()
        # proc: the product's mean time at the machine behind each queue (route.yaml)
        a_or_b = c[:, 0, f.index("product")]
        assert (c[:, 0, f.index("proc")] == np.where(a_or_b == 0, 3, 6)).all()
        assert (c[:, 1, f.index("proc")] == np.where(a_or_b == 0, 9, 7)).all()
        # join the shortest queue, from the observation
        a = c[:, :, f.index("queue")].argmin(axis=1)
        queue = c[np.arange(3), a, f.index("queue")]
        obs, r, term, trunc, info = env.step(a)
        completed += r
        # the next arrival sees the entity sent (less what the machines took meanwhile)
        after = env.candidates_view()[np.arange(3), a, f.index("queue")]
        assert (after <= queue + 1).all()
    assert (completed > 0).all()
    with pytest.raises(twinsim.Error, match="sim 1: action 2 is out of range"):
        env.step(np.array([0, 2, 0]))
    env.close()
