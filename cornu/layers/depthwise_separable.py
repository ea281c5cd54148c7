"""Depthwise and separable convolutions: ``DepthwiseConv1D/2D``, ``SeparableConv1D/2D``.

A depthwise kernel is ``(*kernel_size, in_channels, depth_multiplier)``: output channel
``c * depth_multiplier + m`` filters input channel ``c`` alone. A separable convolution
follows it with a pointwise kernel ``(1, ..., 1, in_channels * depth_multiplier, filters)``.
"""

from __future__ import annotations

from typing import Any

from cornu import activations, config, constraints, initializers, ops, regularizers
from cornu.layers.conv import (channel_axis, check_built_shape, check_filters,
                               check_strides_and_dilation,
                               check_input_channels, describe, normalize_padding,
                               normalize_tuple, serialize, spatial_output_shape)
from cornu.layers.input_spec import InputSpec
from cornu.layers.layer import Layer


class _DepthwiseBase(Layer):
    """Arguments, checks and the depthwise kernel shared by both families."""

    rank = 2

    def __init__(self, kernel_size: Any, strides: Any, padding: str, depth_multiplier: int,
                 data_format: str | None, dilation_rate: Any, activation: Any,
                 use_bias: bool, depthwise_initializer: Any, bias_initializer: Any,
                 depthwise_regularizer: Any, bias_regularizer: Any, activity_regularizer: Any,
                 depthwise_constraint: Any, bias_constraint: Any, **kwargs: Any) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        owner, rank = describe(self), self.rank
        self.depth_multiplier = check_filters(depth_multiplier, owner, "depth_multiplier")
        self.kernel_size = normalize_tuple(kernel_size, rank, "kernel_size", owner)
        self.strides = normalize_tuple(strides, rank, "strides", owner)
        self.padding = normalize_padding(padding, owner)
        self.data_format = config.standardize_data_format(data_format)
        self.dilation_rate = normalize_tuple(dilation_rate, rank, "dilation_rate", owner)
        check_strides_and_dilation(owner, self.strides, self.dilation_rate)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(ndim=rank + 2)

    def _start_build(self, input_shape: tuple) -> int:
        channels = check_input_channels(self, input_shape, self.rank)
        self.compute_output_shape(input_shape)
        self._channels = channels
        return channels

    def _add_bias(self, size: int) -> None:
        self.bias = self.add_weight(
            name="bias", shape=(size,), initializer=self.bias_initializer,
            regularizer=self.bias_regularizer, constraint=self.bias_constraint,
        ) if self.use_bias else None

    def _activate(self, outputs: Any) -> Any:
        if self.activation is activations.linear:
            return outputs
        return self.activation(outputs)

    def _out_channels(self, channels: int) -> int:
        return channels * self.depth_multiplier

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        check_built_shape(self, tuple(input_shape))
        channels = tuple(input_shape)[channel_axis(self.data_format)]
        return spatial_output_shape(
            self, input_shape, self.kernel_size, self.strides, self.padding,
            self.dilation_rate, None if channels is None else self._out_channels(channels))

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "depth_multiplier": self.depth_multiplier,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "depthwise_regularizer": serialize(self.depthwise_regularizer),
            "bias_regularizer": serialize(self.bias_regularizer),
            "activity_regularizer": serialize(self.activity_regularizer),
            "depthwise_constraint": serialize(self.depthwise_constraint),
            "bias_constraint": serialize(self.bias_constraint),
        }


class BaseDepthwiseConv(_DepthwiseBase):
    """Shared logic of ``DepthwiseConv1D`` and ``DepthwiseConv2D``."""

    def __init__(self, kernel_size: Any, strides: Any = 1, padding: str = "valid",
                 depth_multiplier: int = 1, data_format: str | None = None,
                 dilation_rate: Any = 1, activation: Any = None, use_bias: bool = True,
                 depthwise_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 depthwise_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, depthwise_constraint: Any = None,
                 bias_constraint: Any = None, **kwargs: Any) -> None:
        super().__init__(kernel_size, strides, padding, depth_multiplier, data_format,
                         dilation_rate, activation, use_bias, depthwise_initializer,
                         bias_initializer, depthwise_regularizer, bias_regularizer,
                         activity_regularizer, depthwise_constraint, bias_constraint, **kwargs)

    def build(self, input_shape: tuple) -> None:
        channels = self._start_build(input_shape)
        self.kernel = self.add_weight(
            name="kernel", shape=self.kernel_size + (channels, self.depth_multiplier),
            initializer=self.depthwise_initializer, regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint)
        self._add_bias(channels * self.depth_multiplier)
        self.built = True

    def call(self, inputs: Any) -> Any:
        check_built_shape(self, ops.shape(inputs))
        return self._activate(ops.depthwise_conv(
            inputs, self.kernel, self.strides, self.padding, self.data_format,
            self.dilation_rate, bias=self.bias))


class DepthwiseConv1D(BaseDepthwiseConv):
    """Filters each channel of ``(batch, steps, channels)`` inputs on its own."""

    rank = 1


class DepthwiseConv2D(BaseDepthwiseConv):
    """Filters each channel of images on its own, ``depth_multiplier`` filters per channel.

    Example:
        >>> DepthwiseConv2D(3, depth_multiplier=2)(np.zeros((1, 8, 8, 4))).shape
        (1, 6, 6, 8)
    """

    rank = 2

    def __init__(self, kernel_size: Any, strides: Any = (1, 1), padding: str = "valid",
                 depth_multiplier: int = 1, data_format: str | None = None,
                 dilation_rate: Any = (1, 1), **kwargs: Any) -> None:
        super().__init__(kernel_size, strides=strides, padding=padding,
                         depth_multiplier=depth_multiplier, data_format=data_format,
                         dilation_rate=dilation_rate, **kwargs)


class BaseSeparableConv(_DepthwiseBase):
    """Shared logic of ``SeparableConv1D`` and ``SeparableConv2D``."""

    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1,
                 padding: str = "valid", data_format: str | None = None,
                 dilation_rate: Any = 1, depth_multiplier: int = 1, activation: Any = None,
                 use_bias: bool = True, depthwise_initializer: Any = "glorot_uniform",
                 pointwise_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", depthwise_regularizer: Any = None,
                 pointwise_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, depthwise_constraint: Any = None,
                 pointwise_constraint: Any = None, bias_constraint: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(kernel_size, strides, padding, depth_multiplier, data_format,
                         dilation_rate, activation, use_bias, depthwise_initializer,
                         bias_initializer, depthwise_regularizer, bias_regularizer,
                         activity_regularizer, depthwise_constraint, bias_constraint, **kwargs)
        self.filters = check_filters(filters, describe(self))
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.pointwise_constraint = constraints.get(pointwise_constraint)

    def _out_channels(self, channels: int) -> int:
        return self.filters

    def build(self, input_shape: tuple) -> None:
        channels = self._start_build(input_shape)
        self.depthwise_kernel = self.add_weight(
            name="depthwise_kernel", shape=self.kernel_size + (channels, self.depth_multiplier),
            initializer=self.depthwise_initializer, regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint)
        self.pointwise_kernel = self.add_weight(
            name="pointwise_kernel",
            shape=(1,) * self.rank + (channels * self.depth_multiplier, self.filters),
            initializer=self.pointwise_initializer, regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint)
        self._add_bias(self.filters)
        self.built = True

    def call(self, inputs: Any) -> Any:
        check_built_shape(self, ops.shape(inputs))
        return self._activate(ops.separable_conv(
            inputs, self.depthwise_kernel, self.pointwise_kernel, self.strides, self.padding,
            self.data_format, self.dilation_rate, bias=self.bias))

    def get_config(self) -> dict:
        config = super().get_config()
        config["filters"] = self.filters
        config["pointwise_initializer"] = initializers.serialize(self.pointwise_initializer)
        config["pointwise_regularizer"] = serialize(self.pointwise_regularizer)
        config["pointwise_constraint"] = serialize(self.pointwise_constraint)
        return config


class SeparableConv1D(BaseSeparableConv):
    """Depthwise then pointwise 1-D convolution."""

    rank = 1


class SeparableConv2D(BaseSeparableConv):
    """Depthwise then pointwise 2-D convolution: fewer weights than ``Conv2D``.

    Example:
        >>> SeparableConv2D(16, 3, padding="same")(np.zeros((1, 8, 8, 4))).shape
        (1, 8, 8, 16)
    """

    rank = 2

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1),
                 padding: str = "valid", data_format: str | None = None,
                 dilation_rate: Any = (1, 1), depth_multiplier: int = 1,
                 **kwargs: Any) -> None:
        super().__init__(filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         depth_multiplier=depth_multiplier, **kwargs)
