"""Convolution layers: ``Conv1D``, ``Conv2D``, ``Conv3D``, and the helpers the other
convolution and pooling families share (argument checks, output sizes).

Kernels are stored in Keras's layout, ``(*kernel_size, in_channels // groups, filters)``,
so ``get_weights()``/``set_weights()`` and saved files match Keras's.
"""

from __future__ import annotations

import operator
from typing import Any

from cornu import activations, config, constraints, initializers, ops, regularizers
from cornu.layers.input_spec import InputSpec
from cornu.layers.layer import Layer
from cornu.saving.serialization_lib import serialize_keras_object


def describe(layer: Layer) -> str:
    """``"Conv2D 'conv2d_1'"``: how error messages name a layer."""
    return f"{type(layer).__name__} '{layer.name}'"


def normalize_tuple(value: Any, rank: int, name: str, owner: str,
                    allow_zero: bool = False) -> tuple:
    """``value`` (an int or ``rank`` ints) as a tuple of ``rank`` ints, checked.

    Raises a ValueError naming ``owner`` and the argument for floats, bools, negative
    numbers, zero (unless ``allow_zero``) or a wrong length.
    """
    items = (value,) * rank if not isinstance(value, (tuple, list)) else tuple(value)
    try:
        if len(items) != rank or any(isinstance(v, bool) for v in items):
            raise TypeError
        items = tuple(operator.index(v) for v in items)
    except TypeError:
        raise ValueError(f"{owner}: `{name}` must be an integer or a tuple of {rank} integers. "
                         f"Received: {name}={value!r}") from None
    low = 0 if allow_zero else 1
    if any(v < low for v in items):
        kind = "non-negative" if allow_zero else "positive"
        raise ValueError(f"{owner}: `{name}` must hold {kind} integers. "
                         f"Received: {name}={value!r}")
    return items


def normalize_padding(value: Any, owner: str, allow_causal: bool = False) -> str:
    allowed = ("valid", "same", "causal") if allow_causal else ("valid", "same")
    padding = value.lower() if isinstance(value, str) else value
    if padding not in allowed:
        raise ValueError(f"{owner}: `padding` must be one of {allowed}. Received: "
                         f"padding={value!r}")
    return padding


def check_filters(value: Any, owner: str, name: str = "filters") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{owner}: `{name}` must be a positive integer. "
                         f"Received: {name}={value!r}")
    return value


def check_strides_and_dilation(owner: str, strides: tuple, dilation_rate: tuple) -> None:
    """Keras refuses strides and dilation above 1 at the same time."""
    if max(strides) > 1 and max(dilation_rate) > 1:
        raise ValueError(f"{owner}: `strides > 1` is not supported together with "
                         f"`dilation_rate > 1`. Received: strides={strides}, "
                         f"dilation_rate={dilation_rate}")


def conv_output_length(size: int | None, kernel: int, stride: int, padding: str,
                       dilation: int = 1) -> int | None:
    """Length of one spatial axis after a convolution or pooling window slides over it."""
    if size is None:
        return None
    if padding == "valid":
        return (size - (kernel - 1) * dilation - 1) // stride + 1
    return (size - 1) // stride + 1


def spatial_output_shape(layer: Layer, input_shape: tuple, kernel_size: tuple,
                         strides: tuple, padding: str, dilation: tuple, channels: int) -> tuple:
    """The output shape of a sliding-window layer; a clear error when a window does not fit."""
    input_shape = tuple(input_shape)
    channels_last = layer.data_format == "channels_last"
    spatial = input_shape[1:-1] if channels_last else input_shape[2:]
    out = tuple(conv_output_length(n, k, s, padding, d)
                for n, k, s, d in zip(spatial, kernel_size, strides, dilation))
    if any(o is not None and o <= 0 for o in out):
        raise ValueError(
            f"{describe(layer)}: the window is larger than the input. Received input shape "
            f"{input_shape} ({layer.data_format}) with window size {kernel_size}, strides "
            f"{strides}, dilation_rate {dilation} and padding='{padding}', which would give "
            f"spatial output {out}. Use padding='same' or a smaller window.")
    if channels_last:
        return (input_shape[0],) + out + (channels,)
    return (input_shape[0], channels) + out


def channel_axis(data_format: str) -> int:
    return -1 if data_format == "channels_last" else 1


def check_rank(layer: Layer, input_shape: tuple, rank: int) -> None:
    """Raises a clear error unless ``input_shape`` is (batch, ``rank`` spatial axes, channels)."""
    if len(input_shape) != rank + 2:
        raise ValueError(
            f"{describe(layer)} expects inputs of rank {rank + 2} (batch, {rank} spatial "
            f"axes, channels). Received input shape {tuple(input_shape)}.")


def check_input_channels(layer: Layer, input_shape: tuple, rank: int) -> int:
    """Checks the rank of ``input_shape`` and returns its (known) number of channels."""
    input_shape = tuple(input_shape)
    check_rank(layer, input_shape, rank)
    channels = input_shape[channel_axis(layer.data_format)]
    if channels is None:
        raise ValueError(f"{describe(layer)}: the channel axis of the inputs must be known "
                         f"(data_format='{layer.data_format}'). Received input shape "
                         f"{input_shape}.")
    return channels


def channel_mismatch(layer: Layer, shape: tuple, expected: int) -> ValueError:
    """The error for inputs whose channel count differs from the one the layer was built for."""
    other = "channels_first" if layer.data_format == "channels_last" else "channels_last"
    other_axis = channel_axis(other)
    hint = (f" The inputs look {other}: pass data_format='{other}' or transpose them."
            if shape[other_axis] == expected else "")
    return ValueError(
        f"{describe(layer)} was built for inputs with {expected} channels on axis "
        f"{channel_axis(layer.data_format)} (data_format='{layer.data_format}'), but received "
        f"input shape {tuple(shape)}.{hint}")


def check_built_shape(layer: Layer, shape: tuple) -> None:
    """Once ``layer`` is built for ``layer._channels`` channels, checks rank and channels."""
    check_rank(layer, shape, layer.rank)
    expected = getattr(layer, "_channels", None)
    received = shape[channel_axis(layer.data_format)]
    if expected is not None and received is not None and received != expected:
        raise channel_mismatch(layer, shape, expected)


def serialize(obj: Any) -> Any:
    return serialize_keras_object(obj)


class BaseConv(Layer):
    """Shared logic of ``Conv1D``, ``Conv2D`` and ``Conv3D``."""

    rank = 2

    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1,
                 padding: str = "valid", data_format: str | None = None,
                 dilation_rate: Any = 1, groups: int = 1, activation: Any = None,
                 use_bias: bool = True, kernel_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", kernel_regularizer: Any = None,
                 bias_regularizer: Any = None, activity_regularizer: Any = None,
                 kernel_constraint: Any = None, bias_constraint: Any = None,
                 lora_rank: int | None = None, lora_alpha: float | None = None,
                 **kwargs: Any) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        owner = describe(self)
        rank = self.rank
        self.filters = check_filters(filters, owner)
        self.kernel_size = normalize_tuple(kernel_size, rank, "kernel_size", owner)
        self.strides = normalize_tuple(strides, rank, "strides", owner)
        self.padding = normalize_padding(padding, owner, allow_causal=rank == 1)
        self.data_format = config.standardize_data_format(data_format)
        self.dilation_rate = normalize_tuple(dilation_rate, rank, "dilation_rate", owner)
        self.groups = check_filters(groups, owner, "groups")
        if self.filters % self.groups:
            raise ValueError(f"{owner}: `filters` must be divisible by `groups`. Received: "
                             f"filters={self.filters}, groups={self.groups}")
        check_strides_and_dilation(owner, self.strides, self.dilation_rate)
        if lora_rank:
            raise NotImplementedError(f"{owner}: `lora_rank` is not supported yet.")
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(ndim=rank + 2)

    def build(self, input_shape: tuple) -> None:
        channels = check_input_channels(self, input_shape, self.rank)
        if channels % self.groups:
            raise ValueError(
                f"{describe(self)}: the number of input channels must be divisible by `groups`. "
                f"Received groups={self.groups} and input shape {tuple(input_shape)} "
                f"({channels} channels, data_format='{self.data_format}').")
        self.compute_output_shape(input_shape)
        self._channels = channels
        self.kernel = self.add_weight(
            name="kernel", shape=self.kernel_size + (channels // self.groups, self.filters),
            initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint)
        self.bias = self.add_weight(
            name="bias", shape=(self.filters,), initializer=self.bias_initializer,
            regularizer=self.bias_regularizer, constraint=self.bias_constraint,
        ) if self.use_bias else None
        self.built = True

    def _convolve(self, inputs: Any) -> Any:
        padding = self.padding
        if padding == "causal":
            left = self.dilation_rate[0] * (self.kernel_size[0] - 1)
            pads = [[0, 0], [left, 0], [0, 0]] if self.data_format == "channels_last" \
                else [[0, 0], [0, 0], [left, 0]]
            inputs, padding = ops.pad(inputs, pads), "valid"
        return ops.conv(inputs, self.kernel, self.strides, padding, self.data_format,
                        self.dilation_rate, bias=self.bias)

    def call(self, inputs: Any) -> Any:
        check_built_shape(self, ops.shape(inputs))
        try:
            outputs = self._convolve(inputs)
        except RuntimeError:
            self.compute_output_shape(ops.shape(inputs))  # explains windows that do not fit
            raise
        if self.activation is activations.linear:
            return outputs
        return self.activation(outputs)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        check_built_shape(self, tuple(input_shape))
        return spatial_output_shape(self, input_shape, self.kernel_size, self.strides,
                                    "same" if self.padding == "causal" else self.padding,
                                    self.dilation_rate, self.filters)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "groups": self.groups,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": serialize(self.kernel_regularizer),
            "bias_regularizer": serialize(self.bias_regularizer),
            "activity_regularizer": serialize(self.activity_regularizer),
            "kernel_constraint": serialize(self.kernel_constraint),
            "bias_constraint": serialize(self.bias_constraint),
        }


class Conv1D(BaseConv):
    """1-D convolution over inputs ``(batch, steps, channels)`` (channels_last).

    ``padding="causal"`` pads only the start, so output step ``t`` sees inputs up to ``t``.

    Example:
        >>> Conv1D(8, 3, padding="causal")(np.zeros((2, 10, 4))).shape
        (2, 10, 8)
    """

    rank = 1

    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1,
                 padding: str = "valid", data_format: str | None = None,
                 dilation_rate: Any = 1, groups: int = 1, **kwargs: Any) -> None:
        super().__init__(filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate, groups=groups,
                         **kwargs)


class Conv2D(BaseConv):
    """2-D convolution over images ``(batch, height, width, channels)`` (channels_last).

    Example:
        >>> layer = Conv2D(32, 3, activation="relu")
        >>> layer(np.zeros((4, 28, 28, 1))).shape
        (4, 26, 26, 32)
        >>> layer.kernel.shape  # (kernel_h, kernel_w, in_channels, filters)
        (3, 3, 1, 32)
    """

    rank = 2

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1),
                 padding: str = "valid", data_format: str | None = None,
                 dilation_rate: Any = (1, 1), groups: int = 1, **kwargs: Any) -> None:
        super().__init__(filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate, groups=groups,
                         **kwargs)


class Conv3D(BaseConv):
    """3-D convolution over volumes ``(batch, d1, d2, d3, channels)`` (channels_last)."""

    rank = 3

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1, 1),
                 padding: str = "valid", data_format: str | None = None,
                 dilation_rate: Any = (1, 1, 1), groups: int = 1, **kwargs: Any) -> None:
        super().__init__(filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate, groups=groups,
                         **kwargs)
