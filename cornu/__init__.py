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
    applications,
    backend,
    callbacks,
    config,
    constraints,
    datasets,
    dtype_policies,
    initializers,
    layers,
    losses,
    metrics,
    mixed_precision,
    models,
    ops,
    optimizers,
    random,
    regularizers,
    saving,
    tree,
    utils,
)
from cornu.backend import StatelessScope, Variable, device_scope as device
from cornu.core.keras_tensor import KerasTensor
from cornu.dtype_policies import DTypePolicy
from cornu.initializers import Initializer
from cornu.layers import Input, InputSpec, Layer
from cornu.losses import Loss
from cornu.metrics import Metric
from cornu.models import Model, Sequential
from cornu.optimizers import Optimizer
from cornu.regularizers import Regularizer


def version() -> str:
    """cornu's version string."""
    return __version__

__all__ = [
    "DTypePolicy", "Initializer", "Input", "InputSpec", "KerasTensor", "Layer", "Loss",
    "Metric", "Model", "Optimizer", "Regularizer", "Sequential", "StatelessScope", "Variable", "activations",
    "applications", "backend", "callbacks", "config", "constraints", "datasets", "device", "dtype_policies",
    "initializers", "layers", "losses", "metrics", "mixed_precision", "models", "ops",
    "optimizers", "random", "regularizers", "saving", "tree", "utils", "version",
]
