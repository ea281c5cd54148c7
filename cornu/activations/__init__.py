"""Activation functions with Keras's names, arguments and defaults.

``cornu.activations.get("relu")`` returns the function; layers store the name in their
config, so a saved model refers to activations by name only.
"""

from __future__ import annotations

from typing import Any, Callable

from cornu import ops
from cornu.saving import serialization_lib


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """Rectified linear unit, with optional leak, cap and threshold.

    ``f(x) = x`` for ``threshold < x`` (capped at ``max_value``), else
    ``negative_slope * (x - threshold)``.
    """
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return ops.relu(x)
    x = ops.convert_to_tensor(x)
    if threshold != 0.0:
        positive = x * ops.cast(ops.greater(x, threshold), ops.dtype(x))
    elif max_value == 6:
        positive = ops.relu6(x)
        max_value = None
    else:
        positive = ops.relu(x)
    if max_value is not None:
        positive = ops.clip(positive, 0.0, max_value)
    if negative_slope != 0.0:
        positive = positive - negative_slope * ops.relu(threshold - x)
    return positive


def leaky_relu(x, negative_slope=0.2):
    return ops.leaky_relu(x, negative_slope=negative_slope)


def relu6(x):
    return ops.relu6(x)


def softmax(x, axis=-1):
    """Softmax over ``axis`` (an int or a tuple of axes)."""
    if len(ops.shape(x)) <= 1:
        raise ValueError(f"Cannot apply softmax to a tensor that is 1D. Received input: {x}")
    return ops.softmax(x, axis=axis)


def log_softmax(x, axis=-1):
    return ops.log_softmax(x, axis=axis)


def elu(x, alpha=1.0):
    return ops.elu(x, alpha=alpha)


def selu(x):
    return ops.selu(x)


def celu(x, alpha=1.0):
    return ops.celu(x, alpha=alpha)


def softplus(x):
    return ops.softplus(x)


def softsign(x):
    return ops.softsign(x)


def soft_shrink(x, threshold=0.5):
    return ops.soft_shrink(x, threshold=threshold)


def hard_shrink(x, threshold=0.5):
    return ops.hard_shrink(x, threshold=threshold)


def tanh_shrink(x):
    return ops.tanh_shrink(x)


def silu(x):
    return ops.silu(x)


swish = silu


def gelu(x, approximate=False):
    return ops.gelu(x, approximate=approximate)


def glu(x, axis=-1):
    return ops.glu(x, axis=axis)


def tanh(x):
    return ops.tanh(x)


def sigmoid(x):
    return ops.sigmoid(x)


def exponential(x):
    return ops.exp(x)


def hard_sigmoid(x):
    return ops.hard_sigmoid(x)


def hard_silu(x):
    return ops.hard_silu(x)


hard_swish = hard_silu


def hard_tanh(x):
    return ops.hard_tanh(x)


def linear(x):
    return x


def mish(x):
    return ops.mish(x)


def log_sigmoid(x):
    return ops.log_sigmoid(x)


def sparse_plus(x):
    return ops.sparse_plus(x)


def sparse_sigmoid(x):
    return ops.sparse_sigmoid(x)


def sparsemax(x, axis=-1):
    return ops.sparsemax(x, axis=axis)


def squareplus(x, b=4):
    return ops.squareplus(x, b=b)


def threshold(x, threshold, default_value):
    return ops.threshold(x, threshold, default_value)


_FUNCTIONS = (relu, leaky_relu, relu6, softmax, log_softmax, elu, selu, celu, softplus, softsign,
              soft_shrink, hard_shrink, tanh_shrink, silu, gelu, glu, tanh, sigmoid, exponential,
              hard_sigmoid, hard_silu, hard_tanh, linear, mish, log_sigmoid, sparse_plus,
              sparse_sigmoid, sparsemax, squareplus, threshold)
_TABLE = {f.__name__: f for f in _FUNCTIONS}
_TABLE.update({"swish": silu, "hard_swish": hard_silu})
_NAMES = {f: name for name, f in _TABLE.items() if name not in ("swish", "hard_swish")}


def get(identifier: Any) -> Callable:
    """An activation from a name (``"relu"``), a config, or a callable; ``None`` is linear."""
    if identifier is None:
        return linear
    if isinstance(identifier, str) and identifier in _TABLE:
        return _TABLE[identifier]
    if isinstance(identifier, dict) and identifier.get("class_name") == "function" \
            and identifier.get("config") in _TABLE:
        return _TABLE[identifier["config"]]
    return serialization_lib.resolve(identifier, _TABLE, "activation function")


def serialize(activation: Callable) -> Any:
    """The name of a built-in activation, or the full config of a registered custom one."""
    if activation in _NAMES:
        return _NAMES[activation]
    return serialization_lib.serialize_keras_object(activation)


def deserialize(config: Any, custom_objects: dict | None = None) -> Callable:
    if isinstance(config, str) and config in _TABLE:
        return _TABLE[config]
    return serialization_lib.deserialize_keras_object(config, _TABLE, custom_objects,
                                                      "activation function")
