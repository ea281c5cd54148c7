"""Depthwise and separable convolutions: weight layout, numbers and gradients against torch."""

import numpy as np
import pytest
import torch.nn.functional as F

from cornu import layers
from tests.helpers import check_layer
from tests.layers.test_conv import (assert_same_numbers_and_grads, channels_first, input_tensor,
                                    restore, torch_kernel)


def depthwise_weight(kernel):
    """Keras (*spatial, in, multiplier) -> torch grouped (in * multiplier, 1, *spatial)."""
    flat = kernel.reshape(*kernel.shape[:-2], 1, kernel.shape[-2] * kernel.shape[-1])
    return torch_kernel(flat)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_depthwise_conv2d_matches_torch(data_format):
    shape = (2, 7, 6, 3) if data_format == "channels_last" else (2, 3, 7, 6)
    layer = layers.DepthwiseConv2D(3, depth_multiplier=2, strides=2, padding="same",
                                   data_format=data_format)
    x = input_tensor(shape)
    layer(x)
    assert tuple(layer.kernel.shape) == (3, 3, 3, 2) and tuple(layer.bias.shape) == (6,)

    def reference(x):
        # n=7, s=2 -> padding (1, 1); n=6 -> padding (0, 1).
        padded = F.pad(channels_first(x, data_format), (0, 1, 1, 1))
        return restore(F.conv2d(padded, depthwise_weight(layer.kernel), layer.bias, stride=2,
                                groups=3), data_format)

    assert_same_numbers_and_grads(layer, x, reference, [layer.kernel, layer.bias])


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_separable_conv1d_matches_torch(data_format):
    shape = (2, 9, 3) if data_format == "channels_last" else (2, 3, 9)
    layer = layers.SeparableConv1D(4, 3, depth_multiplier=2, dilation_rate=2,
                                   data_format=data_format, activation="tanh")
    x = input_tensor(shape)
    layer(x)
    assert [w.name for w in layer.weights] == ["depthwise_kernel", "pointwise_kernel", "bias"]
    assert tuple(layer.pointwise_kernel.shape) == (1, 6, 4)

    def reference(x):
        depthwise = F.conv1d(channels_first(x, data_format),
                             depthwise_weight(layer.depthwise_kernel), dilation=2, groups=3)
        out = F.conv1d(depthwise, torch_kernel(layer.pointwise_kernel), layer.bias)
        return restore(out, data_format).tanh()

    weights = [layer.depthwise_kernel, layer.pointwise_kernel, layer.bias]
    assert_same_numbers_and_grads(layer, x, reference, weights)


@pytest.mark.parametrize("cls,kwargs,shape,out", [
    (layers.DepthwiseConv1D, {"kernel_size": 3, "depth_multiplier": 2}, (2, 6, 3), (2, 4, 6)),
    (layers.DepthwiseConv2D, {"kernel_size": 3, "padding": "same"}, (2, 5, 5, 2), (2, 5, 5, 2)),
    (layers.SeparableConv2D, {"filters": 4, "kernel_size": 3, "strides": 2,
                              "data_format": "channels_first"}, (2, 3, 7, 7), (2, 4, 3, 3)),
])
def test_check_layer(cls, kwargs, shape, out):
    check_layer(cls, kwargs, shape, out)


def test_bad_arguments_and_inputs():
    with pytest.raises(ValueError, match="depth_multiplier"):
        layers.DepthwiseConv2D(3, depth_multiplier=0)
    with pytest.raises(ValueError, match="filters"):
        layers.SeparableConv2D(0, 3)
    layer = layers.DepthwiseConv2D(3, name="dw")
    layer(np.zeros((1, 5, 5, 2), "float32"))
    with pytest.raises(ValueError, match=r"DepthwiseConv2D 'dw'.*2 channels"):
        layer(np.zeros((1, 5, 5, 4), "float32"))
    with pytest.raises(ValueError, match="window is larger"):
        layers.SeparableConv1D(2, 5)(np.zeros((1, 3, 2), "float32"))
    assert layers.SeparableConvolution2D is layers.SeparableConv2D
