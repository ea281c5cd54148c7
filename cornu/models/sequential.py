"""``Sequential``: a plain stack of layers, each feeding the next."""

from __future__ import annotations

from typing import Any

from cornu.core.keras_tensor import KerasTensor
from cornu.layers.input_layer import Input, InputLayer
from cornu.layers.layer import Layer
from cornu.models.functional import Graph
from cornu.models.model import Model


class Sequential(Model):
    """A linear stack of layers.

    Example:
        >>> model = Sequential([cornu.Input((784,)), Dense(64, activation="relu"), Dense(10)])
        >>> model.add(Dense(1))
    """

    def __init__(self, layers: list | None = None, trainable: bool = True,
                 name: str | None = None, **kwargs: Any) -> None:
        super().__init__(trainable=trainable, name=name, **kwargs)
        self._set_input_layer(None)
        for layer in layers or []:
            self.add(layer, rebuild=False)
        self._maybe_rebuild()

    def add(self, layer: Any, rebuild: bool = True) -> None:
        """Appends a layer (or an ``Input``) to the stack."""
        if isinstance(layer, KerasTensor) and layer._keras_history is not None:
            layer = layer._keras_history.operation
        if isinstance(layer, InputLayer):
            if self._input_layer is not None or self._layers:
                raise ValueError(f"Sequential model '{self.name}': an Input must be the first "
                                 "layer, and there can be only one.")
            self._set_input_layer(layer)
            return
        if not isinstance(layer, Layer):
            raise ValueError("Only instances of `cornu.layers.Layer` can be added to a "
                             f"Sequential model. Received: {layer!r} (of type {type(layer)})")
        if any(layer.name == known.name for known in self._layers):
            raise ValueError(f"All layers added to a Sequential model should have unique names. "
                             f"Name '{layer.name}' is already the name of a layer in this model. "
                             "Update the `name` argument to pass a unique name.")
        if not self._layers and self._input_layer is None and layer._batch_input_shape:
            self._set_input_layer(InputLayer(batch_shape=layer._batch_input_shape))
        self._attach_layer(layer)
        self._graph = None
        self.built = False
        if rebuild:
            self._maybe_rebuild()

    def _set_input_layer(self, layer: InputLayer | None) -> None:
        # The input layer has no weights and is not one of `layers`: keep it untracked.
        object.__setattr__(self, "_input_layer", layer)

    def pop(self, rebuild: bool = True) -> Layer:
        """Removes and returns the last layer."""
        if not self._layers:
            raise IndexError(f"There are no layers in Sequential model '{self.name}' to pop.")
        layer = self._layers.pop()
        for key in [k for k, v in self._modules.items() if v is layer]:
            del self._modules[key]
        self._graph = None
        self.built = False
        if rebuild:
            self._maybe_rebuild()
        return layer

    def _maybe_rebuild(self) -> None:
        if self._input_layer is not None and self._layers:
            self.build(self._input_layer.batch_shape)

    def build(self, input_shape: Any = None) -> None:
        """Builds every layer for inputs of ``input_shape`` (batch axis included)."""
        if input_shape is None:
            if self._input_layer is None:
                raise ValueError(f"Sequential model '{self.name}' cannot be built: it has no "
                                 "Input and no `input_shape` was given.")
            input_shape = self._input_layer.batch_shape
        if not self._layers:
            raise ValueError(f"Sequential model '{self.name}' has no layers to build.")
        shape = (None,) + tuple(input_shape)[1:]
        if self._input_layer is not None and self._input_layer.batch_shape == tuple(input_shape):
            inputs = self._input_layer._input_tensor
        else:
            inputs = Input(batch_shape=shape)
        x = inputs
        for layer in self._layers:
            x = layer(x)
        self._graph = Graph(inputs, x)
        self._build_shapes = {"input_shape": shape}
        self.built = True

    def call(self, inputs: Any, training: Any = None, mask: Any = None) -> Any:
        x = inputs
        for layer in self._layers:
            x = layer(x)
        return x

    def compute_output_spec(self, *args: Any, **kwargs: Any) -> Any:
        x = args[0]
        for layer in self._layers:
            x = layer.compute_output_spec(x)
        return x

    def get_config(self) -> dict:
        from cornu.models.functional_config import get_sequential_config

        return get_sequential_config(self)

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> "Sequential":
        from cornu.models.functional_config import sequential_from_config

        return sequential_from_config(cls, config, custom_objects)

    @property
    def layers(self) -> list:
        """The stacked layers (without the input layer)."""
        return list(self._layers)

    @property
    def input_shape(self) -> Any:
        if self._input_layer is not None:
            return self._input_layer.batch_shape
        return super().input_shape
