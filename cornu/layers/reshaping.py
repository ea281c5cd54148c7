"""Reshaping layers: ``Flatten``, ``Reshape``."""

from __future__ import annotations

import math
from typing import Any

from cornu import config, ops
from cornu.layers.layer import Layer


class Flatten(Layer):
    """Flattens all axes but the batch axis: ``(N, 4, 5) -> (N, 20)``.

    With ``data_format="channels_first"`` the channel axis is moved last first, so the
    order of features matches a channels_last model.
    """

    def __init__(self, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data_format = config.standardize_data_format(data_format)
        self.built = True

    def call(self, inputs: Any) -> Any:
        ndim = len(ops.shape(inputs))
        if self.data_format == "channels_first" and ndim > 2:
            inputs = ops.moveaxis(inputs, 1, -1)
        return ops.reshape(inputs, (ops.shape(inputs)[0], -1))

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        rest = input_shape[1:]
        size = None if any(d is None for d in rest) else int(math.prod(rest))
        return (input_shape[0], size)

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format}


class Reshape(Layer):
    """Reshapes the non-batch axes to ``target_shape`` (one entry may be -1)."""

    def __init__(self, target_shape: tuple, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        target_shape = tuple(target_shape)
        if sum(1 for d in target_shape if d == -1) > 1 or any(
                not isinstance(d, int) or (d < 0 and d != -1) for d in target_shape):
            raise ValueError(f"Reshape '{self.name}': `target_shape` must hold positive "
                             f"integers and at most one -1. Received: {target_shape}")
        self.target_shape = target_shape
        self.built = True

    def _resolved(self, input_shape: tuple) -> tuple:
        known = input_shape[1:]
        if any(d is None for d in known):
            return tuple(None if d == -1 else d for d in self.target_shape)
        total = math.prod(known)
        fixed = math.prod(d for d in self.target_shape if d != -1)
        if -1 in self.target_shape:
            if fixed == 0 or total % fixed:
                raise ValueError(f"Reshape '{self.name}': cannot reshape input of shape "
                                 f"{tuple(input_shape)} to target_shape {self.target_shape}.")
            return tuple(total // fixed if d == -1 else d for d in self.target_shape)
        if fixed != total:
            raise ValueError(f"Reshape '{self.name}': total size of the new array must be "
                             f"unchanged: input_shape={tuple(input_shape)}, "
                             f"target_shape={self.target_shape}")
        return self.target_shape

    def call(self, inputs: Any) -> Any:
        shape = ops.shape(inputs)
        return ops.reshape(inputs, (shape[0],) + self._resolved(shape))

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return (input_shape[0],) + self._resolved(tuple(input_shape))

    def get_config(self) -> dict:
        return {**super().get_config(), "target_shape": self.target_shape}
