"""``Input`` and ``InputLayer``: the entry points of functional and Sequential models."""

from __future__ import annotations

from typing import Any

from cornu import backend
from cornu.core.keras_tensor import KerasTensor
from cornu.core.node import Node
from cornu.layers.layer import Layer


class InputLayer(Layer):
    """Holds the symbolic input tensor of a model; it has no weights and computes nothing."""

    def __init__(self, shape: Any = None, batch_size: int | None = None, dtype: Any = None,
                 sparse: bool | None = None, batch_shape: Any = None,
                 input_tensor: KerasTensor | None = None, optional: bool = False,
                 name: str | None = None, ragged: bool = False, **kwargs: Any) -> None:
        if "input_shape" in kwargs:
            shape = kwargs.pop("input_shape")
        if "batch_input_shape" in kwargs:
            batch_shape = kwargs.pop("batch_input_shape")
        super().__init__(name=name, dtype=dtype, **kwargs)
        if ragged:
            raise ValueError(f"InputLayer '{self.name}': ragged inputs are not supported.")
        if shape is not None and batch_shape is not None:
            raise ValueError("You cannot pass both `shape` and `batch_shape` at the same time. "
                             f"Received: shape={shape}, batch_shape={batch_shape}")
        if input_tensor is not None:
            batch_shape = input_tensor.shape
        elif batch_shape is None:
            if shape is None:
                raise ValueError("You must pass a `shape` argument to Input/InputLayer, e.g. "
                                 "Input(shape=(28, 28)).")
            if isinstance(shape, int):
                shape = (shape,)
            batch_shape = (batch_size,) + tuple(shape)
        for d in batch_shape:
            if d is not None and (not isinstance(d, int) or d < 0):
                raise ValueError(f"Input shape must contain non-negative integers or None. "
                                 f"Received: batch_shape={tuple(batch_shape)}")
        self.batch_shape = tuple(batch_shape)
        self._dtype = backend.standardize_dtype(dtype or self.dtype_policy.variable_dtype)
        self.sparse = bool(sparse)
        self.optional = optional
        self.built = True
        if input_tensor is None:
            input_tensor = KerasTensor(self.batch_shape, dtype=self._dtype, name=self.name)
        self._input_tensor = input_tensor
        Node(self, (), {}, input_tensor)

    def call(self, inputs: Any = None) -> Any:
        return inputs

    @property
    def dtype(self) -> str:
        return self._dtype

    def get_config(self) -> dict:
        return {"batch_shape": self.batch_shape, "dtype": self._dtype, "sparse": self.sparse,
                "ragged": False, "name": self.name, "optional": self.optional}


def Input(shape: Any = None, batch_size: int | None = None, dtype: Any = None,
          sparse: bool | None = None, batch_shape: Any = None, name: str | None = None,
          tensor: Any = None, optional: bool = False) -> KerasTensor:
    """A symbolic input for a functional model.

    Example:
        >>> inputs = cornu.Input(shape=(784,))
        >>> outputs = cornu.layers.Dense(10)(inputs)
        >>> model = cornu.Model(inputs, outputs)
    """
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse,
                       batch_shape=batch_shape, name=name, input_tensor=tensor, optional=optional)
    return layer._input_tensor
