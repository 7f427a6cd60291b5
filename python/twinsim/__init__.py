"""twinsim's batched environments for Python (docs/ai.md): the job shop, and a model's
decision points."""
from .env import (CAND_FEATURES, FEATURES, GLOBAL_FEATURES, GLOBALS, MODEL_FEATURES,
                  MODEL_GLOBALS, ROUTE_FEATURES, ROUTE_GLOBALS, Box, Error, JobShop, ModelEnv,
                  MultiDiscrete, VectorEnv)
from ._lib import path as library_path

__all__ = ["VectorEnv", "ModelEnv", "JobShop", "Box", "MultiDiscrete", "Error", "FEATURES",
           "GLOBALS", "CAND_FEATURES", "GLOBAL_FEATURES", "MODEL_FEATURES", "MODEL_GLOBALS",
           "ROUTE_FEATURES", "ROUTE_GLOBALS", "library_path"]

try:  # registered where gymnasium is importable; nothing depends on it
    import gymnasium as _gym
    if "twinsim/JobShop-v0" not in _gym.registry:
        _gym.register(id="twinsim/JobShop-v0", vector_entry_point="twinsim.env:VectorEnv")
    if "twinsim/Model-v0" not in _gym.registry:
        _gym.register(id="twinsim/Model-v0", vector_entry_point="twinsim.env:ModelEnv")
except Exception:  # no gymnasium, or one without vector_entry_point
    pass
