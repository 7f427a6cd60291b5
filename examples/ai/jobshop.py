"""The job shop of twinsim through its shared library (ctypes; numpy only).

Shared by train.py and evaluate.py: random instances from Taillard's generator, the
weights-file format of docs/ai.md, and the C dispatcher that schedules an instance held in
memory with a policy whose weights are replaced in place (no file is read per evaluation).
"""
import ctypes
import glob
import os

import numpy as np

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

# The features the learned policy reads (src/logic/policy.h) and, for each, the mean taken off
# and the scale divided by before the model sees it: the typical magnitudes of a 15x15 instance
# with times uniform on 1..99 (a time: mean 50, sd 29; a job's or a machine's work: 15 times
# that), written into the weights file so that the C rule standardizes as training did.
FEATURES = ["proc", "work", "ops", "wait", "share", "next_proc", "mach_work", "next_work",
            "next_free", "next_queue"]
MEAN = [50, 375, 8, 0, 0.5, 50, 375, 375, 0, 0]
SCALE = [29, 220, 4.3, 100, 0.29, 29, 220, 220, 50, 100]


def load_library(path=None):
    """The twinsim shared library: `path`, $TWINSIM_LIB, or the one in build/lib."""
    path = path or os.environ.get("TWINSIM_LIB")
    if not path:
        found = sorted(glob.glob(os.path.join(ROOT, "build", "lib", "libtwinsim.so.*")))
        if not found:
            raise SystemExit("no build/lib/libtwinsim.so.*: run 'make -s -j2 "
                             "build/lib/libtwinsim.so.$(sed -n 's/^#define TSIM_VERSION "
                             "\"\\(.*\\)\"/\\1/p' include/twinsim.h)' first")
        path = found[-1]
    lib = ctypes.CDLL(path)
    vp = ctypes.c_void_p
    lib.tsim_errmsg.restype = ctypes.c_char_p
    lib.tsim_jobshop_parse.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t,
                                       ctypes.POINTER(vp)]
    lib.tsim_jobshop_destroy.argtypes = [vp]
    lib.tsim_policy_parse.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t,
                                      ctypes.POINTER(vp)]
    lib.tsim_policy_destroy.argtypes = [vp]
    lib.tsim_policy_params.argtypes = [vp]
    lib.tsim_policy_params.restype = ctypes.c_size_t
    lib.tsim_policy_set_params.argtypes = [vp, ctypes.POINTER(ctypes.c_double), ctypes.c_size_t]
    lib.tsim_jobshop_dispatch_policy.argtypes = [vp, vp, ctypes.c_void_p,
                                                 ctypes.POINTER(ctypes.c_int64)]
    lib.tsim_jobshop_dispatch.argtypes = [vp, ctypes.c_char_p, ctypes.c_uint64, ctypes.c_void_p,
                                          ctypes.POINTER(ctypes.c_int64)]
    return lib


def taillard_unif(seed, low, high):
    """Taillard's (1993) generator: a Lehmer step (16807, 2^31 - 1, Schrage's method), then a
    whole number in [low, high]. Returns (new seed, value)."""
    a, b, c, m = 16807, 127773, 2836, 2147483647
    k = seed // b
    seed = a * (seed % b) - k * c
    if seed < 0:
        seed += m
    return seed, low + int(seed / m * (high - low + 1))


def taillard_instance(n, m, time_seed, machine_seed):
    """Times uniform on 1..99 and each job's machine order a random permutation, as Taillard
    generated ta01-ta80 (with other seeds). Returns the instance in the standard text format."""
    times = [[0] * m for _ in range(n)]
    for i in range(n):
        for j in range(m):
            time_seed, times[i][j] = taillard_unif(time_seed, 1, 99)
    lines = ["%d %d" % (n, m)]
    for i in range(n):
        order = list(range(m))
        for j in range(m):
            machine_seed, k = taillard_unif(machine_seed, j, m - 1)
            order[j], order[k] = order[k], order[j]
        lines.append(" ".join("%d %d" % (order[j], times[i][j]) for j in range(m)))
    return "\n".join(lines) + "\n", times, lower_bound_of(n, m, times, lines)


def lower_bound_of(n, m, times, lines):
    """max(longest job, most loaded machine): a bound every schedule's makespan reaches."""
    load = [0] * m
    for i in range(n):
        nums = [int(x) for x in lines[i + 1].split()]
        for j in range(m):
            load[nums[2 * j]] += nums[2 * j + 1]
    return max(max(sum(t) for t in times), max(load))


class Instance:
    """An instance parsed once by the C reader and kept in memory."""

    def __init__(self, lib, name, text):
        self.lib, self.name = lib, name
        self.ptr = ctypes.c_void_p()
        raw = text.encode()
        if lib.tsim_jobshop_parse(name.encode(), raw, len(raw), ctypes.byref(self.ptr)) != 0:
            raise ValueError(lib.tsim_errmsg().decode())

    def rule(self, rule):
        ms = ctypes.c_int64()
        if self.lib.tsim_jobshop_dispatch(self.ptr, rule.encode(), 1, None, ctypes.byref(ms)):
            raise ValueError(self.lib.tsim_errmsg().decode())
        return ms.value

    def policy(self, pol):
        ms = ctypes.c_int64()
        self.lib.tsim_jobshop_dispatch_policy(self.ptr, pol.ptr, None, ctypes.byref(ms))
        return ms.value

    def __del__(self):
        if getattr(self, "ptr", None):
            self.lib.tsim_jobshop_destroy(self.ptr)


def policy_text(kind, features, mean, scale, params, hidden=0, comment=""):
    """A weights file (docs/ai.md) for a linear or mlp model with parameters `params` in the
    order tsim_policy_params counts them; `comment` lines follow the version line."""
    fmt = lambda v: " ".join(repr(float(x)) for x in v)
    out = ["twinsim-policy 1"] + ["# " + c for c in comment.splitlines()] + ["model %s" % kind, "features " + " ".join(features),
           "mean " + fmt(mean), "scale " + fmt(scale)]
    params = np.asarray(params, dtype=float)
    nf = len(features)
    if kind == "linear":
        out.append("weights " + fmt(params))
    else:
        out.append("hidden %d" % hidden)
        for u in range(hidden):
            out.append("unit " + fmt(params[u * (nf + 1):(u + 1) * (nf + 1)]))
        out.append("output " + fmt(params[hidden * (nf + 1):]))
    return "\n".join(out) + "\n"


class Policy:
    """A policy parsed by the C reader whose weights can be replaced in place."""

    def __init__(self, lib, text, name="<policy>"):
        self.lib = lib
        self.ptr = ctypes.c_void_p()
        raw = text.encode()
        if lib.tsim_policy_parse(name.encode(), raw, len(raw), ctypes.byref(self.ptr)) != 0:
            raise ValueError(lib.tsim_errmsg().decode())
        self.size = lib.tsim_policy_params(self.ptr)

    def set(self, params):
        w = np.ascontiguousarray(params, dtype=np.float64)
        if self.lib.tsim_policy_set_params(
                self.ptr, w.ctypes.data_as(ctypes.POINTER(ctypes.c_double)), w.size) != 0:
            raise ValueError(self.lib.tsim_errmsg().decode())

    def __del__(self):
        if getattr(self, "ptr", None):
            self.lib.tsim_policy_destroy(self.ptr)
