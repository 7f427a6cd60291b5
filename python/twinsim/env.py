"""VectorEnv: a batch of job-shop sims in the Gymnasium style over the C environment API
(docs/ai.md, The environment API); ModelEnv: the same over a model file whose buffers with
`rule: agent` are the decision points (docs/ai.md, Decision points in a model).

The arrays a step returns are the ones C writes into (no copies): they hold the outputs of the
latest reset or step and are overwritten by the next one; copy them to keep them.
"""
import ctypes

import numpy as np

from . import _lib
from ._lib import lib

CAND_FEATURES = 12  # TSIM_ENV_CAND_FEATURES
GLOBAL_FEATURES = 4
FEATURES = ("proc", "due", "slack", "work_left", "ops_left", "wait", "job_work", "next_proc",
            "mach_work", "next_work", "next_free", "next_queue")
GLOBALS = ("now", "done", "candidates", "machine")
MODEL_FEATURES = ("proc", "due", "slack", "work_left", "ops_left", "wait", "job_work",
                  "next_proc", "product", "has_due", "position", "unused")
MODEL_GLOBALS = ("now", "completed", "queue", "agent")
# A route's decision (a route with `rule: agent`): a slot per target, in the route's order.
ROUTE_FEATURES = ("proc", "queue", "busy", "backlog", "util", "index", "unused", "unused",
                  "product", "unused", "unused", "unused")
ROUTE_GLOBALS = ("now", "completed", "targets", "agent")
_AUTORESET = {"next_step": 0, "same_step": 1, "disabled": 2}
_EIO = -7


class Error(ValueError):
    """A refusal of the C library; the message is its own (it names the sim and the value)."""


def _check(rc):
    if rc != 0:
        msg = _lib.errmsg()
        if rc == _EIO:
            raise OSError(msg)
        raise Error(msg)


class Box:
    """A box of floats, described as gymnasium.spaces.Box is (low, high, shape, dtype)."""

    def __init__(self, low, high, shape, dtype=np.float32):
        self.low, self.high, self.shape, self.dtype = low, high, tuple(shape), np.dtype(dtype)

    def contains(self, x):
        x = np.asarray(x)
        return x.shape == self.shape and bool(np.all((x >= self.low) & (x <= self.high)))

    def __repr__(self):
        return "Box(%s, %s, %s, %s)" % (self.low, self.high, self.shape, self.dtype)


class MultiDiscrete:
    """One choice in [0, n) per sim, described as gymnasium.spaces.MultiDiscrete is."""

    def __init__(self, nvec, dtype=np.int32):
        self.nvec = np.asarray(nvec, dtype=np.int64)
        self.shape, self.dtype = self.nvec.shape, np.dtype(dtype)

    def sample(self, rng=None, mask=None):
        """Uniform choices; with `mask` (N, n), among the slots the mask allows."""
        rng = rng if rng is not None else np.random.default_rng()
        if mask is None:
            return (rng.random(self.shape) * self.nvec).astype(self.dtype)
        counts = mask.sum(axis=1)
        pick = (rng.random(self.shape) * np.maximum(counts, 1)).astype(np.int64)
        order = np.cumsum(mask, axis=1) - 1
        out = np.argmax((order == pick[:, None]) & (mask != 0), axis=1)
        return out.astype(self.dtype)

    def contains(self, x):
        x = np.asarray(x)
        return x.shape == self.shape and bool(np.all((x >= 0) & (x < self.nvec)))

    def __repr__(self):
        return "MultiDiscrete(%s)" % self.nvec


class JobShop:
    """A job-shop instance: a file in the standard format, or its text."""

    def __init__(self, path=None, text=None):
        h = ctypes.c_void_p()
        if text is not None:
            data = text.encode()
            _check(lib.tsim_jobshop_parse(b"<text>", data, len(data), ctypes.byref(h)))
        else:
            _check(lib.tsim_jobshop_read(str(path).encode(), ctypes.byref(h)))
        self._h = h

    def dispatch(self, rule, seed=1):
        """The makespan of `rule`'s non-delay schedule (tsim_jobshop_dispatch)."""
        ms = ctypes.c_int64()
        _check(lib.tsim_jobshop_dispatch(self._h, rule.encode(), seed, None, ctypes.byref(ms)))
        return ms.value

    def __del__(self):
        if getattr(self, "_h", None):
            lib.tsim_jobshop_destroy(self._h)
            self._h = None


def _config(num_envs, threads, seed, max_candidates, autoreset, max_steps):
    """The struct tsim_env_config that both kinds of env share."""
    if autoreset not in _AUTORESET:
        raise ValueError("autoreset is '%s': it must be one of %s"
                         % (autoreset, ", ".join(_AUTORESET)))
    cfg = _lib.Config()
    lib.tsim_env_config_init(ctypes.byref(cfg))
    cfg.num_envs = int(num_envs)
    cfg.threads = int(threads)
    cfg.seed = int(seed)
    cfg.max_candidates = int(max_candidates)
    cfg.autoreset = _AUTORESET[autoreset]
    cfg.max_steps = int(max_steps)
    return cfg


class VectorEnv:
    """`num_envs` sims of one job shop, each stopped where a free machine chooses its next
    operation. obs: (num_envs, obs_size) float32; an action is a candidate's slot.

    instance: a JobShop, a path, or None with generate=(jobs, machines) for a new instance of
    Taillard's generator at every reset. autoreset: "next_step" (Gymnasium's default),
    "same_step" or "disabled". reward_weights: (w_makespan, w_waiting); the reward is
    -(w_makespan * makespan increment + w_waiting * waiting increment).
    """

    metadata = {"autoreset_mode": "NextStep"}

    def __init__(self, instance=None, num_envs=1, *, threads=1, seed=1, max_candidates=0,
                 autoreset="next_step", max_steps=0, reward_weights=(1.0, 0.0), generate=None):
        if isinstance(instance, (str, bytes)) or hasattr(instance, "__fspath__"):
            instance = JobShop(instance)
        cfg = _config(num_envs, threads, seed, max_candidates, autoreset, max_steps)
        cfg.w_makespan, cfg.w_waiting = (float(w) for w in reward_weights)
        if generate is not None:
            cfg.gen_jobs, cfg.gen_machines = (int(x) for x in generate)
        self._instance = instance  # the C side copied it; kept for dispatch() comparisons
        h = ctypes.c_void_p()
        _check(lib.tsim_env_create(instance._h if instance is not None else None,
                                   ctypes.byref(cfg), ctypes.byref(h)))
        self._setup(h, autoreset)

    def _setup(self, h, autoreset):
        """The arrays and spaces of the env `h` just made."""
        self._h = h
        self.metadata = {"autoreset_mode": {"next_step": "NextStep", "same_step": "SameStep",
                                            "disabled": "Disabled"}[autoreset]}
        n = self.num_envs = int(lib.tsim_env_num(h))
        self.max_candidates = mc = int(lib.tsim_env_max_candidates(h))
        self.obs_size = int(lib.tsim_env_obs_size(h))
        if self.obs_size != mc * CAND_FEATURES + GLOBAL_FEATURES:
            lib.tsim_env_destroy(h)
            self._h = None
            raise ImportError("twinsim: the library '%s' has %d floats per observation where "
                              "this package expects %d: they come from different versions"
                              % (_lib.path, self.obs_size, mc * CAND_FEATURES + GLOBAL_FEATURES))
        self.sim_bytes = int(lib.tsim_env_sim_bytes(h))
        # The arrays C writes into: allocated here, handed over once.
        self.obs = np.zeros((n, self.obs_size), dtype=np.float32)
        self.action_mask = np.zeros((n, mc), dtype=np.uint8)
        self.reward = np.zeros(n, dtype=np.float64)
        self.terminated = np.zeros(n, dtype=np.bool_)
        self.truncated = np.zeros(n, dtype=np.bool_)
        self.agent = np.zeros(n, dtype=np.int32)
        self.candidates = np.zeros(n, dtype=np.int32)
        self.makespan = np.zeros(n, dtype=np.float64)
        b = _lib.Buffers(*(a.ctypes.data for a in (
            self.obs, self.action_mask, self.reward, self.terminated, self.truncated,
            self.agent, self.candidates, self.makespan)))
        _check(lib.tsim_env_set_buffers(h, ctypes.byref(b)))
        self.single_observation_space = Box(-np.inf, np.inf, (self.obs_size,))
        self.observation_space = Box(-np.inf, np.inf, (n, self.obs_size))
        self.single_action_space = MultiDiscrete([mc])
        self.action_space = MultiDiscrete([mc] * n)
        self._info = {"action_mask": self.action_mask, "agent": self.agent,
                      "candidates": self.candidates, "makespan": self.makespan}
        self._act = np.zeros(n, dtype=np.int32)

    def reset(self, *, seed=None, options=None):
        """Reset every sim, or those of options["reset_mask"] (a bool array of num_envs); with
        `seed`, sim i's stream restarts from (seed, i). Returns obs, info."""
        mask = None
        if options and options.get("reset_mask") is not None:
            m = np.asarray(options["reset_mask"])
            if m.shape != (self.num_envs,):
                raise ValueError("reset_mask has shape %s: it must be (%d,)"
                                 % (m.shape, self.num_envs))
            mask = np.ascontiguousarray(m, dtype=np.uint8)
        s = ctypes.c_uint64(int(seed)) if seed is not None else None
        _check(lib.tsim_env_reset(self._h, mask.ctypes.data if mask is not None else None,
                                  ctypes.byref(s) if s is not None else None))
        return self.obs, self._info

    def step(self, actions):
        """One decision per sim: actions[i] is the slot of sim i's chosen candidate. Returns
        obs, reward, terminated, truncated, info (the arrays C wrote; see the module's note)."""
        a = actions if isinstance(actions, np.ndarray) else np.asarray(actions)
        if a.shape != (self.num_envs,):
            raise ValueError("actions has shape %s: it must be (%d,), one per sim"
                             % (a.shape, self.num_envs))
        if a.dtype == np.int32 and a.flags.c_contiguous:
            p = a.ctypes.data
        else:
            if not np.issubdtype(a.dtype, np.integer):
                raise TypeError("actions has dtype %s: it must be an integer type" % a.dtype)
            big = (a < -2**31) | (a >= 2**31)
            if big.any():
                i = int(np.argmax(big))
                raise Error("tsim_env_step: sim %d: action %d is out of range: actions are 0 to %d"
                            % (i, int(a[i]), self.max_candidates - 1))
            self._act[:] = a
            p = self._act.ctypes.data
        _check(lib.tsim_env_step(self._h, p))
        return self.obs, self.reward, self.terminated, self.truncated, self._info

    def rule_actions(self, rule):
        """The actions a built-in rule ("MWKR", "weighted(proc=1, ops=-2)", ...) takes now."""
        out = np.zeros(self.num_envs, dtype=np.int32)
        _check(lib.tsim_env_rule_actions(self._h, rule.encode(), out.ctypes.data))
        return out

    def close(self):
        if getattr(self, "_h", None):
            lib.tsim_env_destroy(self._h)
            self._h = None

    def __del__(self):
        self.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def load_model(path):
    """The model file at `path` as a handle, and its `run: horizon`. Its errors raise Error with
    every diagnostic, "FILE:LINE:COL: error: MESSAGE", as twinsim prints them."""
    d = _lib.Diags()
    run = _lib.RunSpec()
    lib.tsim_diags_init(ctypes.byref(d))
    m = lib.tsim_model_load_file(str(path).encode(), ctypes.byref(run), ctypes.byref(d))
    lines = []
    for k in range(d.n):
        it = d.items[k]
        where = ("%s:%d:%d" % (path, it.line, it.col) if it.line > 0 and it.col > 0 else
                 "%s:%d" % (path, it.line) if it.line > 0 else str(path))
        lines.append("%s: %s: %s" % (where, "error" if it.severity == 1 else "warning",
                                     it.message.decode("utf-8", "replace")))
    lib.tsim_diags_release(ctypes.byref(d))
    if not m:
        raise Error("\n".join(lines) or "%s: the model has errors" % path)
    return m, run.horizon


class ModelEnv(VectorEnv):
    """`num_envs` sims of the model file `path`, each stopped where a buffer with `rule: agent`
    must choose which waiting entity it sends next; an action is a candidate's slot, and
    info["agent"] says which decision point asks (its name: agent_names[k]). Episode k of sim i
    runs replication i + k * num_envs of `seed` to `horizon` (0: the file's `run: horizon`).

    reward_weights: (w_throughput, w_waiting, w_time): the reward is w_throughput * entities
    completed - w_waiting * time spent in the system - w_time * time passed, since the last step.
    max_candidates: the slots of an observation (0: 16). info["makespan"] is the sim's clock.
    """

    def __init__(self, path, num_envs=1, *, threads=1, seed=1, max_candidates=0,
                 autoreset="next_step", max_steps=0, horizon=0.0,
                 reward_weights=(1.0, 0.0, 0.0)):
        self._model = None
        cfg = _config(num_envs, threads, seed, max_candidates, autoreset, max_steps)
        cfg.w_throughput, cfg.w_waiting, cfg.w_makespan = (float(w) for w in reward_weights)
        self._instance = None
        self._model, file_horizon = load_model(path)
        self.horizon = float(horizon) if horizon else file_horizon
        h = ctypes.c_void_p()
        _check(lib.tsim_env_create_model(self._model, self.horizon, ctypes.byref(cfg),
                                         ctypes.byref(h)))
        self._setup(h, autoreset)
        self.agent_names = tuple(lib.tsim_env_agent_name(h, k).decode()
                                 for k in range(lib.tsim_env_agents(h)))
        # "buffer" (candidates: entities, MODEL_FEATURES) or "route" (targets, ROUTE_FEATURES)
        self.agent_kinds = tuple("route" if lib.tsim_env_agent_is_route(h, k) == 1 else "buffer"
                                 for k in range(len(self.agent_names)))

    def close(self):
        super().close()
        if getattr(self, "_model", None):
            lib.tsim_model_destroy(self._model)
            self._model = None

    def candidates_view(self):
        """The candidate part of the observation as (num_envs, max_candidates, CAND_FEATURES),
        a view (no copy) named by MODEL_FEATURES."""
        n, mc = self.num_envs, self.max_candidates
        return self.obs[:, :mc * CAND_FEATURES].reshape(n, mc, CAND_FEATURES)
