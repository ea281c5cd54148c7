"""``cornu.mixed_precision``: Keras's mixed-precision names for dtype policies.

Example:
    >>> cornu.mixed_precision.set_global_policy("mixed_bfloat16")
"""

from cornu.dtype_policies import DTypePolicy, dtype_policy, set_dtype_policy
from cornu.optimizers import LossScaleOptimizer

Policy = DTypePolicy
global_policy = dtype_policy
set_global_policy = set_dtype_policy

__all__ = ["DTypePolicy", "LossScaleOptimizer", "Policy", "dtype_policy", "global_policy",
           "set_dtype_policy", "set_global_policy"]
