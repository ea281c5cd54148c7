"""Pooling layers: windowed, global and adaptive, against torch.nn.functional and NumPy."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import cornu
from cornu import layers, ops
from tests.helpers import check_layer
from tests.layers.test_conv import (assert_same_numbers_and_grads, channels_first, input_tensor,
                                    restore)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("cls,fn", [(layers.MaxPooling2D, F.max_pool2d),
                                    (layers.AveragePooling2D, F.avg_pool2d)])
def test_pool2d_valid_matches_torch(data_format, cls, fn):
    shape = (2, 7, 8, 3) if data_format == "channels_last" else (2, 3, 7, 8)
    layer = cls((2, 3), strides=(1, 2), data_format=data_format)
    x = input_tensor(shape)

    def reference(x):
        return restore(fn(channels_first(x, data_format), (2, 3), (1, 2)), data_format)

    assert_same_numbers_and_grads(layer, x, reference, [])


def test_same_padding_averages_only_real_inputs():
    # Size 6, pool 3, stride 2: 3 outputs, padding (0, 1); the last window is [4, 5, pad].
    x = np.arange(6, dtype="float32").reshape(1, 6, 1)
    avg = ops.convert_to_numpy(layers.AveragePooling1D(3, 2, padding="same")(x))
    np.testing.assert_allclose(avg[0, :, 0], [1.0, 3.0, 4.5])
    mx = ops.convert_to_numpy(layers.MaxPooling1D(3, 2, padding="same")(-x))
    np.testing.assert_allclose(mx[0, :, 0], [0.0, -2.0, -4.0])  # padding never wins
    # Size 5, pool 3, stride 2: symmetric padding (1, 1); windows [pad,0,1] [1,2,3] [3,4,pad].
    x5 = x[:, :5]
    avg = ops.convert_to_numpy(layers.AveragePooling1D(3, 2, padding="same")(x5))
    np.testing.assert_allclose(avg[0, :, 0], [0.5, 2.0, 3.5])


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_same_padding_gradients_match_explicit_padding(data_format):
    shape = (1, 6, 5, 2) if data_format == "channels_last" else (1, 2, 6, 5)
    x = input_tensor(shape)
    layer = layers.MaxPooling2D(3, 2, padding="same", data_format=data_format)

    def reference(x):
        # rows: 6 -> 3 outputs, padding (0, 1); cols: 5 -> 3 outputs, padding (1, 1).
        padded = F.pad(channels_first(x, data_format), (1, 1, 0, 1), value=float("-inf"))
        return restore(F.max_pool2d(padded, 3, 2), data_format)

    assert_same_numbers_and_grads(layer, x, reference, [])


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_adaptive_pooling_matches_torch(data_format):
    shape = (2, 7, 9, 3) if data_format == "channels_last" else (2, 3, 7, 9)
    x = input_tensor(shape)
    for cls, fn in [(layers.AdaptiveAveragePooling2D, F.adaptive_avg_pool2d),
                    (layers.AdaptiveMaxPooling2D, F.adaptive_max_pool2d)]:
        layer = cls((2, 4), data_format=data_format)

        def reference(x, fn=fn):
            return restore(fn(channels_first(x, data_format), (2, 4)), data_format)

        assert_same_numbers_and_grads(layer, x, reference, [])


def test_global_pooling_keepdims_and_mask():
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 5)).astype("float32")
    out = ops.convert_to_numpy(layers.GlobalAveragePooling2D()(x))
    np.testing.assert_allclose(out, x.mean(axis=(1, 2)), rtol=1e-6)
    out = ops.convert_to_numpy(layers.GlobalMaxPooling2D(data_format="channels_first",
                                                         keepdims=True)(x))
    np.testing.assert_allclose(out, x.max(axis=(2, 3), keepdims=True))
    mask = np.array([[True, True, False], [True, False, False]])
    seq = x[:, :, :, 0]
    out = ops.convert_to_numpy(layers.GlobalAveragePooling1D()(seq, mask=mask))
    np.testing.assert_allclose(out[0], seq[0, :2].mean(0), rtol=1e-6)
    np.testing.assert_allclose(out[1], seq[1, 0], rtol=1e-6)


@pytest.mark.parametrize("cls,kwargs,shape,out", [
    (layers.MaxPooling1D, {"pool_size": 2, "padding": "same"}, (2, 5, 3), (2, 3, 3)),
    (layers.AveragePooling3D, {"pool_size": 2, "data_format": "channels_first"},
     (2, 2, 4, 4, 4), (2, 2, 2, 2, 2)),
    (layers.GlobalAveragePooling3D, {"keepdims": True}, (2, 3, 3, 3, 4), (2, 1, 1, 1, 4)),
    (layers.GlobalMaxPooling1D, {"data_format": "channels_first"}, (2, 3, 5), (2, 3)),
    (layers.AdaptiveMaxPooling3D, {"output_size": 2}, (1, 4, 5, 6, 2), (1, 2, 2, 2, 2)),
    (layers.AdaptiveAveragePooling1D, {"output_size": 3}, (2, 7, 2), (2, 3, 2)),
])
def test_check_layer(cls, kwargs, shape, out):
    check_layer(cls, kwargs, shape, out, train=False)


def test_config_and_aliases():
    assert layers.MaxPooling2D().get_config()["strides"] == (2, 2)
    assert layers.AveragePooling1D(3, strides=1).get_config()["pool_size"] == (3,)
    assert layers.MaxPool2D is layers.MaxPooling2D and layers.AvgPool3D is layers.AveragePooling3D
    assert layers.GlobalAvgPool2D is layers.GlobalAveragePooling2D
    assert layers.GlobalMaxPool1D is layers.GlobalMaxPooling1D
    assert layers.AdaptiveAveragePooling2D(3).get_config()["output_size"] == (3, 3)


def test_bad_arguments_and_inputs():
    with pytest.raises(ValueError, match="pool_size"):
        layers.MaxPooling2D(0)
    with pytest.raises(ValueError, match="strides"):
        layers.AveragePooling2D(2, strides=-1)
    with pytest.raises(ValueError, match="padding"):
        layers.MaxPooling2D(padding="full")
    with pytest.raises(ValueError, match=r"MaxPooling2D 'p'.*window is larger"):
        layers.MaxPooling2D(4, name="p")(np.zeros((1, 3, 3, 1), "float32"))
    with pytest.raises(ValueError, match="window is larger"):
        layers.AveragePooling2D(4)(cornu.Input((3, 3, 1)))
    with pytest.raises(ValueError, match="ndim=4"):
        layers.MaxPooling2D()(np.zeros((4, 4, 1), "float32"))
    assert torch.is_tensor(layers.MaxPooling2D()(np.zeros((1, 4, 4, 1), "float32")))
