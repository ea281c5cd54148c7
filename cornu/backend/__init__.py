"""The backend: the only package that imports torch (and, later, jax).

Everything else in cornu reaches tensors through ``cornu.ops``, which calls the
modules re-exported here: ``numpy``, ``nn``, ``random``, ``foreach``, ``symbolic``,
``trainer``, plus the core names below. This module also serves Keras's
``keras.backend`` helpers (``backend()``, ``floatx()``, ``clear_session()``, ...).
"""

from cornu import config
from cornu.config import (
    backend,
    epsilon,
    floatx,
    image_data_format,
    set_epsilon,
    set_floatx,
    set_image_data_format,
)

from cornu.backend.common.stateless_scope import (
    StatelessScope,
    get_stateless_scope,
    in_stateless_scope,
)

if config.backend() == "torch":
    from cornu.backend.torch import (
        foreach,
        image,
        nn,
        numpy,
        random,
        rnn,
        stateless,
        symbolic,
        trainer,
    )
    from cornu.backend.torch.core import (
        Tensor,
        Variable,
        autocast,
        cast,
        cast_floating,
        convert_to_numpy,
        convert_to_tensor,
        device_scope,
        dtype,
        get_device,
        is_float_dtype,
        is_int_dtype,
        is_tensor,
        no_grad,
        shape,
        standardize_dtype,
        stop_gradient,
    )
    from cornu.backend.torch.module import Module


def clear_session(free_memory: bool = True) -> None:
    """Resets the automatic layer names (``dense``, ``dense_1``, ...); with ``free_memory``
    also runs the garbage collector."""
    import gc

    from cornu.core.naming import reset_uids

    reset_uids()
    if free_memory:
        gc.collect()


__all__ = [
    "Module", "StatelessScope", "get_stateless_scope", "in_stateless_scope", "stateless", "Tensor", "Variable", "autocast", "backend", "cast", "cast_floating", "clear_session", "convert_to_numpy",
    "convert_to_tensor", "device_scope", "dtype", "epsilon", "floatx", "foreach", "get_device",
    "image", "image_data_format", "is_float_dtype", "is_int_dtype", "is_tensor", "nn", "no_grad", "numpy", "random", "rnn",
    "set_epsilon", "set_floatx", "set_image_data_format", "shape", "standardize_dtype",
    "stop_gradient", "symbolic", "trainer",
]
