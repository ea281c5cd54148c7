"""Activation layers: ``ReLU``, ``LeakyReLU``, ``PReLU``, ``ELU``, ``Softmax``."""

from __future__ import annotations

from typing import Any

from cornu import activations, constraints, initializers, ops, regularizers
from cornu.layers.conv import describe, serialize
from cornu.layers.input_spec import InputSpec
from cornu.layers.layer import Layer


def _check_non_negative(layer: Layer, name: str, value: Any, allow_none: bool = False) -> Any:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ValueError(f"{describe(layer)}: `{name}` must be a non-negative number. "
                         f"Received: {name}={value!r}")
    return value


class _Elementwise(Layer):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True
        self.built = True

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return input_shape


class ReLU(_Elementwise):
    """``max(x, 0)``, optionally capped at ``max_value``, with a ``negative_slope`` below
    ``threshold`` (values at or below ``threshold`` map to ``negative_slope * (x - threshold)``).

    Example:
        >>> ReLU(max_value=6.0)(np.array([-1.0, 3.0, 9.0]))  # [0., 3., 6.]
    """

    def __init__(self, max_value: float | None = None, negative_slope: float = 0.0,
                 threshold: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_value = _check_non_negative(self, "max_value", max_value, allow_none=True)
        self.negative_slope = _check_non_negative(self, "negative_slope", negative_slope)
        self.threshold = _check_non_negative(self, "threshold", threshold)

    def call(self, inputs: Any) -> Any:
        return activations.relu(inputs, negative_slope=self.negative_slope,
                                max_value=self.max_value, threshold=self.threshold)

    def get_config(self) -> dict:
        return {**super().get_config(), "max_value": self.max_value,
                "negative_slope": self.negative_slope, "threshold": self.threshold}


class LeakyReLU(_Elementwise):
    """``x`` for ``x >= 0``, else ``negative_slope * x`` (default slope 0.3, as Keras)."""

    def __init__(self, negative_slope: float = 0.3, **kwargs: Any) -> None:
        if "alpha" in kwargs:  # Keras 2's name for the slope
            negative_slope = kwargs.pop("alpha")
        super().__init__(**kwargs)
        self.negative_slope = _check_non_negative(self, "negative_slope", negative_slope)

    def call(self, inputs: Any) -> Any:
        return ops.leaky_relu(inputs, negative_slope=self.negative_slope)

    def get_config(self) -> dict:
        return {**super().get_config(), "negative_slope": self.negative_slope}


class ELU(_Elementwise):
    """``x`` for ``x > 0``, else ``alpha * (exp(x) - 1)``."""

    def __init__(self, alpha: float = 1.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.alpha = alpha

    def call(self, inputs: Any) -> Any:
        return ops.elu(inputs, alpha=self.alpha)

    def get_config(self) -> dict:
        return {**super().get_config(), "alpha": self.alpha}


class Softmax(_Elementwise):
    """Softmax over ``axis`` (an int or a tuple of axes); masked positions get 0.

    Example:
        >>> Softmax()(np.array([[1.0, 1.0]]))  # [[0.5, 0.5]]
    """

    def __init__(self, axis: Any = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, inputs: Any, mask: Any = None) -> Any:
        if mask is not None:
            in_shape, m_shape = ops.shape(inputs), ops.shape(mask)
            if len(m_shape) > len(in_shape) or any(
                    m not in (1, i) for m, i in zip(m_shape[::-1], in_shape[::-1])):
                raise ValueError(f"{describe(self)}: the mask must broadcast to the inputs. "
                                 f"Received: inputs.shape={tuple(in_shape)}, "
                                 f"mask.shape={tuple(m_shape)}")
            if ops.dtype(mask) != "bool":
                mask = ops.greater(mask, 0.5)
            # A large negative number, not -inf, so a fully masked row gives no NaN.
            low = -3e4 if ops.dtype(inputs) in ("float16", "bfloat16") else -1e9
            inputs = ops.where(mask, inputs, low)
        axis = self.axis
        if isinstance(axis, (list, tuple)) and len(axis) == 1:
            axis = axis[0]
        outputs = ops.softmax(inputs, axis=axis)
        return outputs if mask is None else ops.where(mask, outputs, 0.0)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}


class PReLU(Layer):
    """Leaky ReLU with a learned slope ``alpha`` per position (shared along ``shared_axes``).

    Example:
        >>> PReLU(shared_axes=[1, 2])(np.zeros((2, 8, 8, 3)))  # alpha has shape (1, 1, 3)
    """

    def __init__(self, alpha_initializer: Any = "Zeros", alpha_regularizer: Any = None,
                 alpha_constraint: Any = None, shared_axes: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        elif isinstance(shared_axes, (list, tuple)):
            self.shared_axes = list(shared_axes)
        else:
            self.shared_axes = [shared_axes]
        self.supports_masking = True

    def build(self, input_shape: tuple) -> None:
        shape = list(input_shape[1:])
        for axis in self.shared_axes or []:
            if not 1 <= axis < len(input_shape):
                raise ValueError(f"{describe(self)}: shared axis {axis} is not a non-batch axis "
                                 f"of inputs of shape {tuple(input_shape)}.")
            shape[axis - 1] = 1
        if any(d is None for d in shape):
            raise ValueError(f"{describe(self)}: the axes that are not shared must have known "
                             f"sizes. Received input shape {tuple(input_shape)} with "
                             f"shared_axes={self.shared_axes}.")
        self.alpha = self.add_weight(name="alpha", shape=tuple(shape),
                                     initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer,
                                     constraint=self.alpha_constraint)
        self.input_spec = InputSpec(ndim=len(input_shape), axes={
            i: input_shape[i] for i in range(1, len(input_shape))
            if i not in (self.shared_axes or [])})
        self.built = True

    def call(self, inputs: Any) -> Any:
        return ops.relu(inputs) - self.alpha * ops.relu(ops.negative(inputs))

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(),
                "alpha_initializer": initializers.serialize(self.alpha_initializer),
                "alpha_regularizer": serialize(self.alpha_regularizer),
                "alpha_constraint": serialize(self.alpha_constraint),
                "shared_axes": self.shared_axes}
