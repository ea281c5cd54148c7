"""cornu: a deep-learning framework with the Keras 3 API, fast on PyTorch.

A Keras 3 program runs after one change: ``import cornu as keras``.

Example:
    >>> import cornu as keras
    >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    >>> model.compile(optimizer="adam", loss="mse")
"""

__version__ = "0.1.0"

from cornu import (
    activations,
    backend,
    callbacks,
    config,
    constraints,
    datasets,
    initializers,
    layers,
    losses,
    metrics,
    models,
    ops,
    optimizers,
    random,
    regularizers,
    saving,
    utils,
)
from cornu.backend import Variable, device_scope as device
from cornu.core.keras_tensor import KerasTensor
from cornu.dtype_policies import DTypePolicy
from cornu.layers import Input, InputSpec, Layer
from cornu.models import Model, Sequential

__all__ = [
    "DTypePolicy", "Input", "InputSpec", "KerasTensor", "Layer", "Model", "Sequential",
    "Variable", "activations", "backend", "callbacks", "config", "constraints", "device",
    "initializers", "layers", "losses", "metrics", "models", "ops", "optimizers", "random",
    "regularizers", "saving", "utils",
]
__all__ += ["datasets"]
