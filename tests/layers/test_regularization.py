"""Regularization layers: inference is the identity; training noise has Keras's statistics."""

import numpy as np
import pytest

import cornu
from cornu import layers, ops
from tests.helpers import check_layer


@pytest.mark.parametrize("layer,shape", [
    (layers.SpatialDropout1D(0.5), (2, 3, 4)),
    (layers.SpatialDropout2D(0.5, data_format="channels_first"), (2, 3, 4, 4)),
    (layers.SpatialDropout3D(0.5), (2, 2, 2, 2, 3)),
    (layers.GaussianNoise(0.3), (2, 5)),
    (layers.GaussianDropout(0.3), (2, 5)),
    (layers.AlphaDropout(0.3), (2, 5)),
])
def test_inference_is_identity(layer, shape):
    x = np.random.default_rng(0).standard_normal(shape).astype("float32")
    np.testing.assert_array_equal(ops.convert_to_numpy(layer(x)), x)
    np.testing.assert_array_equal(ops.convert_to_numpy(layer(x, training=False)), x)


def test_spatial_dropout_drops_whole_channels():
    x = np.ones((64, 5, 6, 8), "float32")
    y = ops.convert_to_numpy(layers.SpatialDropout2D(0.5, seed=1)(x, training=True))
    per_map = y.reshape(64, 30, 8)
    assert np.all(per_map == per_map[:, :1])  # one draw per (sample, channel)
    assert set(np.unique(y)) <= {0.0, 2.0} and 0.3 < (y == 0).mean() < 0.7
    y = ops.convert_to_numpy(layers.SpatialDropout1D(0.5, seed=2)(x[:, 0], training=True))
    assert np.all(y == y[:, :1])


def test_noise_statistics():
    x = np.ones((400, 250), "float32")
    noisy = ops.convert_to_numpy(layers.GaussianNoise(0.5, seed=1)(x, training=True))
    assert abs(noisy.mean() - 1.0) < 0.01 and abs(noisy.std() - 0.5) < 0.01
    scaled = ops.convert_to_numpy(layers.GaussianDropout(0.2, seed=1)(x, training=True))
    assert abs(scaled.mean() - 1.0) < 0.01 and abs(scaled.std() - 0.5) < 0.01
    z = np.random.default_rng(0).standard_normal((400, 250)).astype("float32")
    alpha = ops.convert_to_numpy(layers.AlphaDropout(0.2, seed=1)(z, training=True))
    assert abs(alpha.mean()) < 0.02 and abs(alpha.std() - 1.0) < 0.02  # self-normalizing


def test_activity_regularization_adds_its_loss():
    layer = layers.ActivityRegularization(l1=0.01, l2=0.1)
    x = np.array([[1.0, -2.0], [3.0, 0.0]], "float32")
    np.testing.assert_array_equal(ops.convert_to_numpy(layer(x)), x)
    expected = (0.01 * 6.0 + 0.1 * 14.0) / 2  # per sample of the batch, as Keras
    np.testing.assert_allclose(float(ops.convert_to_numpy(layer.losses[0])), expected, rtol=1e-6)
    assert "activity_regularizer" not in layer.get_config()


@pytest.mark.parametrize("cls,kwargs,shape", [
    (layers.SpatialDropout2D, {"rate": 0.2, "seed": 3}, (2, 3, 3, 2)),
    (layers.GaussianNoise, {"stddev": 0.1}, (2, 3)),
    (layers.GaussianDropout, {"rate": 0.1}, (2, 3)),
    (layers.AlphaDropout, {"rate": 0.1, "noise_shape": (None, 1)}, (2, 3)),
    (layers.ActivityRegularization, {"l1": 0.1}, (2, 3)),
])
def test_check_layer(cls, kwargs, shape):
    check_layer(cls, kwargs, shape, shape, train=False)


def test_configs_and_bad_arguments():
    config = layers.SpatialDropout1D(0.3).get_config()
    assert set(config) == {"rate", "seed", "name", "dtype"}  # Keras's spatial dropout takes no more
    assert layers.SpatialDropout2D(0.3).get_config()["data_format"] == "channels_last"
    for cls in (layers.SpatialDropout2D, layers.GaussianDropout, layers.AlphaDropout):
        with pytest.raises(ValueError, match="rate"):
            cls(1.5)
    with pytest.raises(ValueError, match="stddev"):
        layers.GaussianNoise(-0.1)
    with pytest.raises(ValueError, match="ndim=4"):
        layers.SpatialDropout2D(0.5)(cornu.Input((3, 3)))
