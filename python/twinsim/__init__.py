"""twinsim's batched job-shop environment for Python (docs/ai.md)."""
from .env import (CAND_FEATURES, FEATURES, GLOBAL_FEATURES, GLOBALS, Box, Error, JobShop,
                  MultiDiscrete, VectorEnv)
from ._lib import path as library_path

__all__ = ["VectorEnv", "JobShop", "Box", "MultiDiscrete", "Error", "FEATURES", "GLOBALS",
           "CAND_FEATURES", "GLOBAL_FEATURES", "library_path"]

try:  # registered where gymnasium is importable; nothing depends on it
    import gymnasium as _gym
    if "twinsim/JobShop-v0" not in _gym.registry:
        _gym.register(id="twinsim/JobShop-v0", vector_entry_point="twinsim.env:VectorEnv")
except Exception:  # no gymnasium, or one without vector_entry_point
    pass
