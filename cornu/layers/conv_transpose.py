"""Transposed convolution layers: ``Conv1DTranspose``, ``Conv2DTranspose``, ``Conv3DTranspose``.

The kernel is stored in Keras's layout ``(*kernel_size, filters, in_channels)`` and output
sizes follow Keras: ``valid`` gives ``(n - 1) * s + max(k, s)``, ``same`` gives ``n * s``,
and ``output_padding`` adds to the right end.
"""

from __future__ import annotations

from typing import Any

from cornu import activations, config, constraints, initializers, ops, regularizers
from cornu.layers.conv import (check_built_shape, check_filters, check_input_channels,
                               check_strides_and_dilation,
                               describe, normalize_padding, normalize_tuple, serialize)
from cornu.layers.input_spec import InputSpec
from cornu.layers.layer import Layer


def transpose_output_length(size: int | None, kernel: int, stride: int, padding: str,
                            output_padding: int | None, dilation: int) -> int | None:
    """Length of one spatial axis after a transposed convolution, as Keras computes it."""
    if size is None:
        return None
    effective = (kernel - 1) * dilation + 1
    if padding == "valid":
        extra = max(effective, stride) - effective if output_padding is None else output_padding
        return (size - 1) * stride + effective + extra
    if output_padding is None:
        return size * stride
    return (size - 1) * stride + effective % 2 + output_padding


class BaseConvTranspose(Layer):
    """Shared logic of the transposed convolution layers."""

    rank = 2

    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1,
                 padding: str = "valid", output_padding: Any = None,
                 data_format: str | None = None, dilation_rate: Any = 1,
                 activation: Any = None, use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, kernel_constraint: Any = None,
                 bias_constraint: Any = None, **kwargs: Any) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        owner, rank = describe(self), self.rank
        self.filters = check_filters(filters, owner)
        self.kernel_size = normalize_tuple(kernel_size, rank, "kernel_size", owner)
        self.strides = normalize_tuple(strides, rank, "strides", owner)
        self.padding = normalize_padding(padding, owner)
        self.output_padding = None if output_padding is None else normalize_tuple(
            output_padding, rank, "output_padding", owner, allow_zero=True)
        self.data_format = config.standardize_data_format(data_format)
        self.dilation_rate = normalize_tuple(dilation_rate, rank, "dilation_rate", owner)
        if self.output_padding is not None and any(
                p >= s for p, s in zip(self.output_padding, self.strides)):
            raise ValueError(f"{owner}: each `output_padding` value must be strictly less than "
                             f"the matching `strides` value. Received: "
                             f"output_padding={self.output_padding}, strides={self.strides}")
        check_strides_and_dilation(owner, self.strides, self.dilation_rate)
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
        self._channels = channels
        self.kernel = self.add_weight(
            name="kernel", shape=self.kernel_size + (self.filters, channels),
            initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint)
        self.bias = self.add_weight(
            name="bias", shape=(self.filters,), initializer=self.bias_initializer,
            regularizer=self.bias_regularizer, constraint=self.bias_constraint,
        ) if self.use_bias else None
        self.built = True

    def call(self, inputs: Any) -> Any:
        check_built_shape(self, ops.shape(inputs))
        outputs = ops.conv_transpose(inputs, self.kernel, self.strides, self.padding,
                                     self.output_padding, self.data_format,
                                     self.dilation_rate, bias=self.bias)
        if self.activation is activations.linear:
            return outputs
        return self.activation(outputs)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        input_shape = tuple(input_shape)
        check_built_shape(self, input_shape)
        channels_last = self.data_format == "channels_last"
        spatial = input_shape[1:-1] if channels_last else input_shape[2:]
        padding = self.output_padding or (None,) * self.rank
        out = tuple(transpose_output_length(n, k, s, self.padding, p, d) for n, k, s, p, d in
                    zip(spatial, self.kernel_size, self.strides, padding, self.dilation_rate))
        if channels_last:
            return (input_shape[0],) + out + (self.filters,)
        return (input_shape[0], self.filters) + out

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "output_padding": self.output_padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
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


class Conv1DTranspose(BaseConvTranspose):
    """1-D transposed convolution (upsampling along the steps axis).

    Example:
        >>> Conv1DTranspose(4, 3, strides=2, padding="same")(np.zeros((2, 5, 3))).shape
        (2, 10, 4)
    """

    rank = 1

    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1,
                 padding: str = "valid", output_padding: Any = None,
                 data_format: str | None = None, dilation_rate: Any = 1,
                 **kwargs: Any) -> None:
        super().__init__(filters, kernel_size, strides=strides, padding=padding,
                         output_padding=output_padding, data_format=data_format,
                         dilation_rate=dilation_rate, **kwargs)


class Conv2DTranspose(BaseConvTranspose):
    """2-D transposed convolution; the kernel is ``(kh, kw, filters, in_channels)``.

    Example:
        >>> Conv2DTranspose(8, 3, strides=2, padding="same")(np.zeros((1, 4, 4, 3))).shape
        (1, 8, 8, 8)
    """

    rank = 2

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1),
                 padding: str = "valid", output_padding: Any = None,
                 data_format: str | None = None, dilation_rate: Any = (1, 1),
                 **kwargs: Any) -> None:
        super().__init__(filters, kernel_size, strides=strides, padding=padding,
                         output_padding=output_padding, data_format=data_format,
                         dilation_rate=dilation_rate, **kwargs)


class Conv3DTranspose(BaseConvTranspose):
    """3-D transposed convolution; the kernel is ``(k1, k2, k3, filters, in_channels)``."""

    rank = 3

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1, 1),
                 padding: str = "valid", data_format: str | None = None,
                 output_padding: Any = None, dilation_rate: Any = (1, 1, 1),
                 **kwargs: Any) -> None:
        super().__init__(filters, kernel_size, strides=strides, padding=padding,
                         output_padding=output_padding, data_format=data_format,
                         dilation_rate=dilation_rate, **kwargs)
