"""Core layers: ``Dense``, ``Activation``, ``Identity``, ``Lambda``."""

from __future__ import annotations

import types
from typing import Any, Callable

from cornu import activations, constraints, initializers, ops, regularizers
from cornu.core import tree
from cornu.layers.input_spec import InputSpec
from cornu.layers.layer import Layer
from cornu.saving import serialization_lib
from cornu.saving.object_registration import get_registered_name


def check_positive_int(layer: str, name: str, value: Any) -> int:
    """Validates a size argument such as ``units`` or ``filters``."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"Received an invalid value for `{name}` in {layer}: expected a "
                         f"positive integer. Received: {name}={value!r}")
    return value


class Dense(Layer):
    """A densely connected layer: ``activation(inputs @ kernel + bias)``.

    The kernel has shape ``(input_dim, units)``, as in Keras. Inputs of rank > 2 are
    multiplied along their last axis.

    Example:
        >>> layer = Dense(32, activation="relu")
        >>> layer(np.zeros((4, 16))).shape
        (4, 32)
    """

    def __init__(self, units: int, activation: Any = None, use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, kernel_constraint: Any = None,
                 bias_constraint: Any = None, lora_rank: int | None = None,
                 lora_alpha: float | None = None, quantization_config: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.units = check_positive_int("Dense", "units", units)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        if lora_rank or quantization_config:
            raise NotImplementedError(f"Dense '{self.name}': LoRA and quantization are not "
                                      "supported yet (lora_rank / quantization_config).")
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True

    def build(self, input_shape: tuple) -> None:
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(f"Dense '{self.name}': the last dimension of the inputs must be "
                             f"known. Received input_shape={tuple(input_shape)}")
        self.kernel = self.add_weight(
            shape=(input_dim, self.units), initializer=self.kernel_initializer, name="kernel",
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.bias = self.add_weight(
            shape=(self.units,), initializer=self.bias_initializer, name="bias",
            regularizer=self.bias_regularizer, constraint=self.bias_constraint,
        ) if self.use_bias else None
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_dim})
        self.built = True

    def call(self, inputs: Any) -> Any:
        x = ops.dense(inputs, self.kernel, self.bias)
        return self.activation(x) if self.activation is not activations.linear else x

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)[:-1] + (self.units,)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": _maybe_serialize(self.kernel_regularizer),
            "bias_regularizer": _maybe_serialize(self.bias_regularizer),
            "activity_regularizer": _maybe_serialize(self.activity_regularizer),
            "kernel_constraint": _maybe_serialize(self.kernel_constraint),
            "bias_constraint": _maybe_serialize(self.bias_constraint),
            "quantization_config": None,
        }


def _maybe_serialize(obj: Any) -> Any:
    return None if obj is None else serialization_lib.serialize_keras_object(obj)


class Activation(Layer):
    """Applies an activation function: ``Activation("relu")``."""

    def __init__(self, activation: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self.supports_masking = True
        self.built = True

    def call(self, inputs: Any) -> Any:
        return self.activation(inputs)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "activation": activations.serialize(self.activation)}


class Identity(Layer):
    """Returns its input unchanged (masks too)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True
        self.built = True

    def call(self, inputs: Any) -> Any:
        return inputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape


class Lambda(Layer):
    """Wraps a Python function as a layer: ``Lambda(lambda x: x ** 2)``.

    The function is never written into a saved file as code; a model with a ``Lambda``
    saves and loads when the function is registered with
    ``cornu.saving.register_keras_serializable``.
    """

    def __init__(self, function: Callable, output_shape: Any = None, mask: Any = None,
                 arguments: dict | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not callable(function):
            raise ValueError(f"Lambda '{self.name}': `function` must be callable. Received: "
                             f"{function!r}")
        self.function = function
        self._output_shape = output_shape
        self._mask = mask
        self.arguments = dict(arguments or {})
        self.supports_masking = mask is not None
        self.built = True

    def call(self, inputs: Any, mask: Any = None, training: Any = None) -> Any:
        return self.function(inputs, **self.arguments)

    def compute_mask(self, inputs: Any, previous_mask: Any = None) -> Any:
        if callable(self._mask):
            return self._mask(inputs, previous_mask)
        return self._mask

    def compute_output_spec(self, *args: Any, **kwargs: Any) -> Any:
        if self._output_shape is None:
            return super().compute_output_spec(*args, **kwargs)
        from cornu.layers.layer import _shapes_to_specs

        shape = self._output_shape
        if callable(shape):
            shape = shape(tree.map_structure(lambda t: t.shape, args[0]))
        else:
            shape = (args[0].shape[0],) + tuple(shape)
        return _shapes_to_specs(shape, self.dtype_policy.compute_dtype)

    def get_config(self) -> dict:
        function = self.function
        if isinstance(function, types.LambdaType) and function.__name__ == "<lambda>":
            raise NotImplementedError(
                f"Lambda '{self.name}' wraps an anonymous function, which cornu never writes to "
                "a file as code. Define a named function and register it with "
                "@cornu.saving.register_keras_serializable(), or subclass Layer.")
        return {**super().get_config(),
                "function": {"class_name": "function", "config": get_registered_name(function),
                             "registered_name": get_registered_name(function)},
                "arguments": self.arguments, "output_shape": self._output_shape}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> "Lambda":
        """Finds the function by its registered name; a function saved as bytecode is never
        run (pass it in ``custom_objects`` under the layer's name instead)."""
        config = dict(config)
        config["function"] = serialization_lib.deserialize_function(
            config.get("function"), custom_objects, kind="function",
            owner=config.get("name"))
        for key in ("output_shape", "mask"):
            if isinstance(config.get(key), dict):
                config[key] = serialization_lib.deserialize_function(
                    config[key], custom_objects, kind=f"{key} function", owner=config.get("name"))
        return cls(**config)
