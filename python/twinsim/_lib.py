"""The C library through ctypes: where it is found, and the signatures of the functions used.

The library is, in this order: the file named by TWINSIM_LIB; build/lib/libtwinsim.so.* of the
source tree this package sits in (python/twinsim/ run from a checkout); the installed
libtwinsim.so.0 (`make install`).
"""
import ctypes
import glob
import os

_HERE = os.path.dirname(os.path.abspath(__file__))


def _find():
    path = os.environ.get("TWINSIM_LIB")
    if path:
        return path
    root = os.path.dirname(os.path.dirname(_HERE))
    build = os.environ.get("BUILD", "build")
    found = sorted(glob.glob(os.path.join(root, build, "lib", "libtwinsim.so.*.*")))
    if found:
        return found[-1]
    return "libtwinsim.so.0"


class Config(ctypes.Structure):
    """struct tsim_env_config (twinsim_logic.h)."""
    _fields_ = [
        ("num_envs", ctypes.c_int64),
        ("threads", ctypes.c_int32),
        ("max_candidates", ctypes.c_int32),
        ("seed", ctypes.c_uint64),
        ("autoreset", ctypes.c_int32),
        ("max_steps", ctypes.c_int32),
        ("w_makespan", ctypes.c_double),
        ("w_waiting", ctypes.c_double),
        ("gen_jobs", ctypes.c_int32),
        ("gen_machines", ctypes.c_int32),
        ("w_throughput", ctypes.c_double),
    ]


class Buffers(ctypes.Structure):
    """struct tsim_env_buffers (twinsim_logic.h)."""
    _fields_ = [
        ("obs", ctypes.c_void_p),
        ("mask", ctypes.c_void_p),
        ("reward", ctypes.c_void_p),
        ("terminated", ctypes.c_void_p),
        ("truncated", ctypes.c_void_p),
        ("agent", ctypes.c_void_p),
        ("candidates", ctypes.c_void_p),
        ("makespan", ctypes.c_void_p),
    ]


class RunSpec(ctypes.Structure):
    """struct tsim_run_spec (twinsim.h)."""
    _fields_ = [
        ("horizon", ctypes.c_double),
        ("warmup", ctypes.c_double),
        ("warmup_auto", ctypes.c_int),
        ("replications", ctypes.c_int),
        ("seed", ctypes.c_uint64),
    ]


class Diag(ctypes.Structure):
    """struct tsim_diag (twinsim.h)."""
    _fields_ = [
        ("severity", ctypes.c_int),
        ("line", ctypes.c_int),
        ("col", ctypes.c_int),
        ("message", ctypes.c_char_p),
    ]


class Diags(ctypes.Structure):
    """struct tsim_diags (twinsim.h)."""
    _fields_ = [
        ("n", ctypes.c_size_t),
        ("cap", ctypes.c_size_t),
        ("errors", ctypes.c_size_t),
        ("items", ctypes.POINTER(Diag)),
    ]


def _load():
    path = _find()
    try:
        lib = ctypes.CDLL(path)
    except OSError as e:
        raise ImportError(
            "twinsim: cannot load the C library '%s' (%s); build it with "
            "`make build/lib/libtwinsim.so.VERSION` or `make install`, or set TWINSIM_LIB"
            % (path, e)) from None
    p, i, sz, vp = ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t, ctypes.c_void_p
    sigs = {
        "tsim_errmsg": (ctypes.c_char_p, []),
        "tsim_jobshop_read": (i, [ctypes.c_char_p, ctypes.POINTER(p)]),
        "tsim_jobshop_parse": (i, [ctypes.c_char_p, ctypes.c_char_p, sz, ctypes.POINTER(p)]),
        "tsim_jobshop_destroy": (None, [p]),
        "tsim_jobshop_dispatch": (i, [p, ctypes.c_char_p, ctypes.c_uint64, vp,
                                      ctypes.POINTER(ctypes.c_int64)]),
        "tsim_env_config_init": (None, [ctypes.POINTER(Config)]),
        "tsim_env_create": (i, [p, ctypes.POINTER(Config), ctypes.POINTER(p)]),
        "tsim_env_create_model": (i, [p, ctypes.c_double, ctypes.POINTER(Config),
                                      ctypes.POINTER(p)]),
        "tsim_model_load_file": (p, [ctypes.c_char_p, ctypes.POINTER(RunSpec),
                                     ctypes.POINTER(Diags)]),
        "tsim_model_destroy": (None, [p]),
        "tsim_diags_init": (None, [ctypes.POINTER(Diags)]),
        "tsim_diags_release": (None, [ctypes.POINTER(Diags)]),
        "tsim_env_agents": (i, [p]),
        "tsim_env_agent_name": (ctypes.c_char_p, [p, i]),
        "tsim_env_agent_is_route": (i, [p, i]),
        "tsim_env_destroy": (None, [p]),
        "tsim_env_num": (sz, [p]),
        "tsim_env_max_candidates": (sz, [p]),
        "tsim_env_obs_size": (sz, [p]),
        "tsim_env_sim_bytes": (sz, [p]),
        "tsim_env_set_buffers": (i, [p, ctypes.POINTER(Buffers)]),
        "tsim_env_reset": (i, [p, vp, ctypes.POINTER(ctypes.c_uint64)]),
        "tsim_env_step": (i, [p, vp]),
        "tsim_env_rule_actions": (i, [p, ctypes.c_char_p, vp]),
    }
    for name, (res, args) in sigs.items():
        f = getattr(lib, name)
        f.restype = res
        f.argtypes = args
    return lib, path


lib, path = _load()


def errmsg():
    m = lib.tsim_errmsg()
    return m.decode("utf-8", "replace") if m else ""
