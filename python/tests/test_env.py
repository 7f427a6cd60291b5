"""Tests of the Python binding (python/twinsim, docs/ai.md): the arrays are C's (no copies), an
episode of MWKR choices gives tsim_jobshop_dispatch's makespan, spaces, reset by seed and mask,
the autoresets, and every refusal of bad input naming the sim and the value."""
import os

import numpy as np
import pytest

import twinsim

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TA01 = os.path.join(ROOT, "tests/jsplib/instances/Taillard1993/ta01js.txt")
LA01 = os.path.join(ROOT, "tests/jsplib/instances/Lawrence1984/la01.txt")


def test_shapes_and_spaces():
    env = twinsim.VectorEnv(TA01, num_envs=4)
    obs, info = env.reset(seed=3)
    F = twinsim.CAND_FEATURES
    assert obs.shape == (4, 15 * F + 4) == env.observation_space.shape
    assert obs.dtype == np.float32
    assert env.single_observation_space.shape == (15 * F + 4,)
    assert env.action_space.shape == (4,)
    assert list(env.action_space.nvec) == [15] * 4
    assert info["action_mask"].shape == (4, 15)
    assert (info["action_mask"].sum(axis=1) == info["candidates"]).all()
    assert (info["candidates"] >= 2).all()
    assert env.sim_bytes > 0


def test_arrays_are_shared_not_copied():
    env = twinsim.VectorEnv(TA01, num_envs=2)
    obs, _ = env.reset()
    obs2, reward, term, trunc, info = env.step(env.rule_actions("MWKR"))
    assert obs2 is obs  # the same array, written by C in place
    assert np.shares_memory(obs, env.obs)
    assert obs.ctypes.data == env.obs.ctypes.data


@pytest.mark.parametrize("rule", ["MWKR", "SPT", "MOPNR", "FIFO",
                                  "policy:" + os.path.join(ROOT, "examples/ai/jobshop-policy.txt")])
def test_rule_episode_matches_dispatch(rule):
    js = twinsim.JobShop(TA01)
    env = twinsim.VectorEnv(js, num_envs=3, threads=2)
    env.reset()
    total = np.zeros(3)
    done = np.zeros(3, dtype=bool)
    while not done.all():
        _, r, term, _, info = env.step(env.rule_actions(rule))
        total += np.where(done, 0, r)
        done |= term
    assert (-total == js.dispatch(rule)).all()


def test_mwkr_from_the_observation():
    """A policy that reads only obs and the mask: MWKR (largest work_left, ties to the longest
    wait) gives the dispatcher's makespan."""
    js = twinsim.JobShop(LA01)
    env = twinsim.VectorEnv(js, num_envs=1)
    obs, info = env.reset()
    mc, total = env.max_candidates, 0.0
    while True:
        F = twinsim.CAND_FEATURES
        cand = obs[0, :mc * F].reshape(mc, F)
        key = np.where(info["action_mask"][0] != 0, cand[:, 3], -np.inf)
        best = np.flatnonzero(key == key.max())
        a = best[np.argmax(cand[best, 5])]
        obs, r, term, _, info = env.step(np.array([a], dtype=np.int64))
        total += r[0]
        if term[0]:
            break
    assert -total == js.dispatch("MWKR")


def test_reset_seed_and_mask():
    env = twinsim.VectorEnv(None, num_envs=3, generate=(8, 4))
    a = env.reset(seed=5)[0].copy()
    b = env.reset(seed=6)[0].copy()
    c = env.reset(seed=5)[0].copy()
    assert not np.array_equal(a, b)
    assert np.array_equal(a, c)
    env.reset(options={"reset_mask": np.array([False, True, False])})
    assert np.array_equal(env.obs[0], a[0]) and not np.array_equal(env.obs[1], a[1])


@pytest.mark.parametrize("mode", ["next_step", "same_step"])
def test_autoreset(mode):
    js = twinsim.JobShop(LA01)
    env = twinsim.VectorEnv(js, num_envs=1, autoreset=mode)
    first = env.reset()[0].copy()
    ms = js.dispatch("MWKR")
    total, ended = 0.0, False
    for _ in range(1000):
        acts = env.rule_actions("MWKR")
        if ended:
            acts[:] = 99  # read by no one: the step after the end resets (next_step)
        _, r, term, _, info = env.step(acts)
        if ended:
            assert r[0] == 0 and not term[0] and np.array_equal(env.obs[0], first[0])
            break
        total += r[0]
        if term[0]:
            assert -total == ms == info["makespan"][0]
            if mode == "same_step":
                assert np.array_equal(env.obs[0], first[0])
                break
            assert info["candidates"][0] == 0
            ended = True
    else:
        pytest.fail("no episode end")


def test_bad_actions_name_sim_and_value():
    env = twinsim.VectorEnv(TA01, num_envs=3, autoreset="disabled")
    env.reset()
    acts = env.rule_actions("SPT")
    before = env.obs.copy()
    bad = acts.copy()
    bad[2] = 15
    with pytest.raises(twinsim.Error, match=r"sim 2: action 15 is out of range"):
        env.step(bad)
    bad[2] = -3
    with pytest.raises(twinsim.Error, match=r"sim 2: action -3"):
        env.step(bad)
    bad = acts.copy()
    bad[1] = env.candidates[1]
    with pytest.raises(twinsim.Error, match=r"sim 1: action %d is masked" % env.candidates[1]):
        env.step(bad)
    bad = acts.astype(np.int64)
    bad[0] = 2**40
    with pytest.raises(twinsim.Error, match=r"sim 0: action 1099511627776 is out of range"):
        env.step(bad)
    with pytest.raises(ValueError, match=r"shape \(2,\): it must be \(3,\)"):
        env.step(acts[:2])
    with pytest.raises(ValueError, match=r"shape \(3, 1\)"):
        env.step(acts.reshape(3, 1))
    with pytest.raises(TypeError, match="dtype float64"):
        env.step(acts.astype(np.float64))
    assert np.array_equal(env.obs, before)  # nothing moved
    with pytest.raises(twinsim.Error, match="did you mean 'MWKR'"):
        env.rule_actions("MWKX")


def test_ended_sim_without_reset():
    env = twinsim.VectorEnv(LA01, num_envs=1, autoreset="disabled")
    env.reset()
    while not env.step(env.rule_actions("FIFO"))[2][0]:
        pass
    with pytest.raises(twinsim.Error, match="sim 0: its episode has ended"):
        env.step(np.zeros(1, dtype=np.int32))
    env.reset()
    env.step(env.rule_actions("FIFO"))


def test_bad_config():
    with pytest.raises(twinsim.Error, match="'num_envs' is 0"):
        twinsim.VectorEnv(TA01, num_envs=0)
    with pytest.raises(twinsim.Error, match="'max_candidates' is 4"):
        twinsim.VectorEnv(TA01, max_candidates=4)
    with pytest.raises(twinsim.Error, match="no instance"):
        twinsim.VectorEnv(None)
    with pytest.raises(ValueError, match="autoreset is 'sometimes'"):
        twinsim.VectorEnv(TA01, autoreset="sometimes")
    with pytest.raises(OSError, match="nope.txt"):
        twinsim.JobShop("/nonexistent/nope.txt")
    with pytest.raises(twinsim.Error, match=r"<text>:1:3: error"):
        twinsim.JobShop(text="2 x\n")


def test_sample_respects_mask():
    env = twinsim.VectorEnv(TA01, num_envs=8)
    env.reset()
    rng = np.random.default_rng(1)
    for _ in range(50):
        a = env.action_space.sample(rng, mask=env.action_mask)
        live = env.candidates > 0  # an ended sim (NEXT_STEP) has no slot and reads no action
        assert (env.action_mask[np.arange(8), a] == 1)[live].all()
        env.step(a)
