"""``TimeDistributed``: applies a layer to every time step of a sequence."""

from __future__ import annotations

import copy
from typing import Any

from cornu import ops
from cornu.layers.layer import Layer, _class_info
from cornu.saving import serialization_lib


class TimeDistributed(Layer):
    """Applies ``layer`` to each slice ``inputs[:, t]`` of ``(batch, time, ...)`` inputs.

    The time steps are folded into the batch axis and the layer runs once, so every step
    shares the layer's weights. (Layers that use batch statistics in training, such as
    BatchNormalization, therefore see the statistics of all steps together.)

    Example:
        >>> TimeDistributed(Dense(8))(np.zeros((2, 10, 16))).shape
        (2, 10, 8)
    """

    def __init__(self, layer: Layer, **kwargs: Any) -> None:
        if not isinstance(layer, Layer):
            raise ValueError("TimeDistributed: `layer` must be a cornu layer. "
                             f"Received: layer={layer!r}")
        super().__init__(**kwargs)
        self.layer = layer
        self.supports_masking = True

    def _child_input_shape(self, input_shape: Any) -> tuple:
        if not isinstance(input_shape, (tuple, list)) or len(input_shape) < 3:
            raise ValueError(
                f"TimeDistributed '{self.name}' expects inputs of rank >= 3 (batch, time, "
                f"...); received shape {input_shape}.")
        return (input_shape[0], *input_shape[2:])

    def build(self, input_shape: tuple) -> None:
        child_shape = self._child_input_shape(tuple(input_shape))
        if not self.layer.built:
            self.layer.build(child_shape)
            self.layer.built = True
        self.built = True

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        child = self.layer.compute_output_shape(self._child_input_shape(tuple(input_shape)))
        return (child[0], input_shape[1], *tuple(child)[1:])

    def call(self, inputs: Any, training: Any = None, mask: Any = None) -> Any:
        shape = tuple(ops.shape(inputs))
        self._child_input_shape(shape)
        batch, steps = shape[0], shape[1]
        takes_mask = _class_info(type(self.layer)).takes_mask
        kwargs: dict = {"training": training}
        if mask is not None:
            mask_shape = tuple(ops.shape(mask))
            if len(mask_shape) < 2 or mask_shape[:2] != (batch, steps):
                raise ValueError(
                    f"TimeDistributed '{self.name}' expects a mask of shape (batch, time) = "
                    f"{(batch, steps)}; received a mask of shape {mask_shape}.")
            if takes_mask:
                kwargs["mask"] = ops.reshape(mask, (batch * steps, *mask_shape[2:]))
        folded = ops.reshape(inputs, (batch * steps, *shape[2:]))
        outputs = self.layer(folded, **kwargs)
        return ops.reshape(outputs, (batch, steps, *tuple(ops.shape(outputs))[1:]))

    def get_config(self) -> dict:
        return {**super().get_config(),
                "layer": serialization_lib.serialize_keras_object(self.layer)}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> "TimeDistributed":
        config = copy.deepcopy(config)
        config["layer"] = serialization_lib.deserialize_keras_object(
            config["layer"], custom_objects=custom_objects, kind="layer")
        return cls(**config)
