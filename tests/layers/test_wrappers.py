"""SpectralNormalization: weight order, power iteration against NumPy, inference, config."""

import numpy as np
import pytest

import cornu
from cornu import layers, ops
from tests.helpers import check_layer


def test_weights_in_keras_order():
    layer = layers.SpectralNormalization(layers.Dense(4))
    layer(np.ones((2, 5), "float32"))
    assert [tuple(w.shape) for w in layer.weights] == [(5, 4), (1, 4), (4,)]
    assert [w.name for w in layer.weights] == ["kernel", "vector_u", "bias"]
    assert [w.name for w in layer.trainable_weights] == ["kernel", "bias"]


def test_training_normalizes_the_kernel_like_power_iteration():
    dense = layers.Dense(3, use_bias=False)
    layer = layers.SpectralNormalization(dense, power_iterations=2)
    x = np.random.default_rng(0).standard_normal((4, 5)).astype("float32")
    inference = ops.convert_to_numpy(layer(x))
    kernel, u = dense.kernel.numpy(), layer.vector_u.numpy()
    np.testing.assert_allclose(inference, x @ kernel, rtol=1e-5)  # inference: kernel as is
    for _ in range(2):
        v = u @ kernel.T
        v /= np.linalg.norm(v)
        u = v @ kernel
        u /= np.linalg.norm(u)
    sigma = (v @ kernel @ u.T).item()
    out = ops.convert_to_numpy(layer(x, training=True))
    np.testing.assert_allclose(dense.kernel.numpy(), kernel / sigma, rtol=1e-5)
    np.testing.assert_allclose(layer.vector_u.numpy(), u, rtol=1e-5)
    np.testing.assert_allclose(out, x @ (kernel / sigma), rtol=1e-5)


def test_many_steps_reach_unit_spectral_norm_and_conv_kernels():
    layer = layers.SpectralNormalization(layers.Conv2D(4, 3), power_iterations=5)
    x = np.random.default_rng(0).standard_normal((2, 6, 6, 3)).astype("float32")
    for _ in range(10):
        layer(x, training=True)
    kernel = layer.layer.kernel.numpy().reshape(-1, 4)
    assert abs(np.linalg.svd(kernel, compute_uv=False)[0] - 1.0) < 1e-3


def test_config_round_trip_and_fit():
    check_layer(layers.SpectralNormalization, {"layer": layers.Dense(3), "power_iterations": 2},
                (4, 5), (4, 3))
    config = layers.SpectralNormalization(layers.Dense(2)).get_config()
    assert config["layer"]["class_name"] == "Dense" and config["power_iterations"] == 1
    restored = cornu.saving.serialization_lib.deserialize_keras_object(
        {"class_name": "SpectralNormalization", "config": config})
    assert isinstance(restored.layer, layers.Dense)


def test_bad_arguments():
    with pytest.raises(ValueError, match="power_iterations"):
        layers.SpectralNormalization(layers.Dense(2), power_iterations=0)
    with pytest.raises(ValueError, match="wraps a layer"):
        layers.SpectralNormalization("dense")
    with pytest.raises(ValueError, match="no `kernel`"):
        layers.SpectralNormalization(layers.Flatten())(np.ones((2, 3), "float32"))
