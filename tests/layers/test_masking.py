"""Masking: which steps it masks, what it outputs, and how downstream RNNs use it."""

import numpy as np

import cornu
from cornu import layers, ops
from tests.helpers import check_layer


def _x():
    x = np.random.default_rng(0).standard_normal((2, 5, 3)).astype("float32")
    x[0, 3:] = 0.0
    x[1, 1] = -1.0
    return x


def test_mask_and_outputs():
    x = _x()
    for value, masked in ((0.0, x[..., 0] == 0), (-1.0, x[..., 0] == -1)):
        layer = layers.Masking(mask_value=value)
        out = layer(x)
        np.testing.assert_array_equal(ops.convert_to_numpy(out._keras_mask), ~masked)
        np.testing.assert_array_equal(ops.convert_to_numpy(out), np.where(masked[..., None], 0, x))


def test_masked_rnn_equals_the_unpadded_sequence():
    x = _x()
    model = cornu.Sequential([cornu.Input((5, 3)), layers.Masking(), layers.LSTM(4)])
    np.testing.assert_allclose(ops.convert_to_numpy(model(x))[:1],
                               ops.convert_to_numpy(model(x[:1, :3])), rtol=1e-5, atol=1e-6)


def test_check_layer():
    layer = check_layer(layers.Masking, {"mask_value": 1.5}, (2, 4, 3), (2, 4, 3))
    assert layer.get_config()["mask_value"] == 1.5
