"""Conv1D/2D/3DTranspose: Keras's output sizes, numbers and gradients against torch."""

import numpy as np
import pytest
import torch.nn.functional as F

import cornu
from cornu import layers
from tests.helpers import check_layer
from tests.layers.test_conv import (assert_same_numbers_and_grads, channels_first, input_tensor,
                                    restore)


def transpose_weight(kernel):
    """Keras (*spatial, out, in) -> torch conv_transpose (in, out, *spatial)."""
    rank = kernel.ndim - 2
    return kernel.permute(rank + 1, rank, *range(rank))


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("kwargs,torch_kwargs,crop", [
    ({"strides": 2}, {"stride": 2}, None),                                  # valid: full output
    ({"strides": 2, "padding": "same"}, {"stride": 2}, 8),                  # cut 1 at the end
    ({"kernel_size": 4, "strides": 2, "padding": "same"}, {"stride": 2, "padding": 1}, None),
    ({"strides": 2, "output_padding": 1}, {"stride": 2, "output_padding": 1}, None),
    ({"dilation_rate": 2}, {"dilation": 2}, None),
])
def test_conv2d_transpose_matches_torch(data_format, kwargs, torch_kwargs, crop):
    kwargs = {"kernel_size": 3, **kwargs}
    shape = (2, 4, 4, 3) if data_format == "channels_last" else (2, 3, 4, 4)
    layer = layers.Conv2DTranspose(5, data_format=data_format, **kwargs)
    x = input_tensor(shape)
    y = layer(x)
    assert tuple(layer.kernel.shape) == (kwargs["kernel_size"],) * 2 + (5, 3)
    assert tuple(y.shape) == layer.compute_output_shape(shape)

    def reference(x):
        out = F.conv_transpose2d(channels_first(x, data_format), transpose_weight(layer.kernel),
                                 layer.bias, **torch_kwargs)
        if crop is not None:
            out = out[:, :, :crop, :crop]
        return restore(out, data_format)

    assert_same_numbers_and_grads(layer, x, reference, [layer.kernel, layer.bias])


def test_output_sizes_follow_keras():
    x = np.zeros((1, 5, 3), "float32")
    assert layers.Conv1DTranspose(2, 3, strides=2)(x).shape == (1, 11, 2)
    assert layers.Conv1DTranspose(2, 3, strides=2, padding="same")(x).shape == (1, 10, 2)
    assert layers.Conv1DTranspose(2, 2, strides=3)(x).shape == (1, 15, 2)  # max(k, s)
    assert layers.Conv1DTranspose(2, 3, strides=2, padding="same",
                                  output_padding=1)(x).shape == (1, 10, 2)


@pytest.mark.parametrize("cls,kwargs,shape,out", [
    (layers.Conv1DTranspose, {"filters": 3, "kernel_size": 3, "strides": 2}, (2, 5, 2),
     (2, 11, 3)),
    (layers.Conv2DTranspose, {"filters": 3, "kernel_size": 3, "strides": 2, "padding": "same",
                              "data_format": "channels_first"}, (2, 2, 4, 4), (2, 3, 8, 8)),
    (layers.Conv3DTranspose, {"filters": 2, "kernel_size": 2, "strides": 2}, (1, 2, 3, 2, 3),
     (1, 4, 6, 4, 2)),
])
def test_check_layer(cls, kwargs, shape, out):
    check_layer(cls, kwargs, shape, out)


def test_bad_arguments_and_inputs():
    with pytest.raises(ValueError, match="output_padding"):
        layers.Conv2DTranspose(2, 3, strides=2, output_padding=2)
    with pytest.raises(ValueError, match="filters"):
        layers.Conv2DTranspose(-1, 3)
    layer = layers.Conv2DTranspose(2, 3, name="t")
    layer(np.zeros((1, 4, 4, 3), "float32"))
    with pytest.raises(ValueError, match=r"Conv2DTranspose 't'.*3 channels.*\(1, 4, 4, 5\)"):
        layer(np.zeros((1, 4, 4, 5), "float32"))
    assert layers.Convolution2DTranspose is layers.Conv2DTranspose
    assert cornu.layers.Conv3DTranspose(2, 3).get_config()["output_padding"] is None
