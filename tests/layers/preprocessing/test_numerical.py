"""Rescaling, Normalization, Discretization: numbers against NumPy, adapt, config, models."""

import numpy as np
import pytest

import cornu
from cornu import layers, ops
from tests.helpers import check_layer


def to_np(x):
    return ops.convert_to_numpy(x)


def test_rescaling(rng):
    x = rng.uniform(0, 255, (2, 4, 4, 3)).astype("float32")
    np.testing.assert_allclose(to_np(layers.Rescaling(1 / 255)(x)), x / 255, rtol=1e-6)
    out = to_np(layers.Rescaling([0.5, 1.0, 2.0], offset=-1.0)(x))
    np.testing.assert_allclose(out, x * np.array([0.5, 1.0, 2.0]) - 1.0, rtol=1e-6)
    ints = layers.Rescaling(2.0)(np.array([[1, 2]], dtype="uint8"))
    assert ops.dtype(ints) == "float32"
    check_layer(layers.Rescaling, {"scale": 0.5, "offset": 1.0}, (2, 3, 4),
                expected_output_shape=(2, 3, 4))


def test_normalization_adapt_matches_numpy(rng):
    data = rng.standard_normal((50, 3)).astype("float32") * [1.0, 5.0, 0.1] + [0.0, 3.0, -1.0]
    layer = layers.Normalization()
    layer.adapt(data)
    x = rng.standard_normal((4, 3)).astype("float32")
    expected = (x - data.mean(0)) / data.std(0)
    np.testing.assert_allclose(to_np(layer(x)), expected, rtol=1e-5, atol=1e-5)
    assert [w.name for w in layer.weights] == ["mean", "variance", "count"]
    assert [w.shape for w in layer.get_weights()] == [(3,), (3,), ()]
    # Batches (with labels, as a dataset yields them) give the same statistics.
    batched = layers.Normalization()
    batched.adapt([(data[i:i + 7], None) for i in range(0, 50, 7)])
    np.testing.assert_allclose(batched.get_weights()[0], data.mean(0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(batched.get_weights()[1], data.var(0), rtol=1e-5, atol=1e-6)
    inverse = layers.Normalization(invert=True)
    inverse.adapt(data)
    np.testing.assert_allclose(to_np(inverse(layer(x))), x, rtol=1e-4, atol=1e-4)


def test_normalization_axes_and_fixed_stats(rng):
    data = rng.standard_normal((10, 3, 4)).astype("float32")
    layer = layers.Normalization(axis=(1, 2))
    layer.adapt(data)
    np.testing.assert_allclose(to_np(layer(data)), (data - data.mean(0)) / data.std(0),
                               rtol=1e-4, atol=1e-4)
    scalar = layers.Normalization(axis=None)
    scalar.adapt(data)
    np.testing.assert_allclose(to_np(scalar(data)), (data - data.mean()) / data.std(),
                               rtol=1e-4, atol=1e-4)
    fixed = layers.Normalization(mean=[1.0, 2.0], variance=[4.0, 1.0])
    np.testing.assert_allclose(to_np(fixed(np.array([[3.0, 3.0]]))), [[1.0, 1.0]])
    assert fixed.weights == []
    config = fixed.get_config()
    assert config["mean"] == [1.0, 2.0] and config["axis"] == (-1,)
    with pytest.raises(ValueError, match="both `mean` and `variance`"):
        layers.Normalization(mean=1.0)
    with pytest.raises(ValueError, match="axis"):
        layers.Normalization(axis=3).build((2, 3))


def test_normalization_in_a_model_saves_its_statistics(rng):
    data = rng.standard_normal((20, 3)).astype("float32") * 4 + 2
    norm = layers.Normalization()
    norm.adapt(data)
    model = cornu.Sequential([cornu.Input((3,)), norm, layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(data, data[:, :1], epochs=1, verbose=0)
    np.testing.assert_allclose(norm.get_weights()[0], data.mean(0), rtol=1e-5)  # not trained
    clone = layers.Normalization.from_config(norm.get_config())
    clone.build_from_config(norm.get_build_config())
    clone.set_weights(norm.get_weights())
    np.testing.assert_allclose(to_np(clone(data)), to_np(norm(data)), rtol=1e-6)


def test_discretization(rng):
    x = rng.standard_normal((3, 4)).astype("float32")
    bins = [-1.0, 0.0, 0.5, 1.0]
    layer = layers.Discretization(bin_boundaries=bins)
    out = layer(x)
    assert ops.dtype(out) == "int32"
    np.testing.assert_array_equal(to_np(out), np.digitize(x, bins))
    one_hot = to_np(layers.Discretization(bin_boundaries=bins, output_mode="one_hot")(x[0]))
    np.testing.assert_array_equal(one_hot, np.eye(5)[np.digitize(x[0], bins)])
    multi = to_np(layers.Discretization(bin_boundaries=bins, output_mode="multi_hot")(x))
    np.testing.assert_array_equal(multi, np.eye(5)[np.digitize(x, bins)].max(1))
    count = to_np(layers.Discretization(bin_boundaries=bins, output_mode="count")(x))
    np.testing.assert_array_equal(count, np.eye(5)[np.digitize(x, bins)].sum(1))
    ints = to_np(layers.Discretization(bin_boundaries=[0.5, 1.5])(np.array([0, 1, 2])))
    np.testing.assert_array_equal(ints, [0, 1, 2])
    config = layer.get_config()
    assert config["bin_boundaries"] == bins and config["output_mode"] == "int"
    assert layers.Discretization.from_config(config).bin_boundaries == bins


def test_discretization_adapt_learns_quantiles(rng):
    data = rng.uniform(0, 1, 1000)
    layer = layers.Discretization(num_bins=4, epsilon=0.01)
    layer.adapt(data)
    np.testing.assert_allclose(layer.bin_boundaries, np.quantile(data, [0.25, 0.5, 0.75]),
                               atol=0.02)
    counts = np.bincount(to_np(layer(data.astype("float32"))), minlength=4)
    assert counts.min() > 200
    with pytest.raises(ValueError, match="num_bins"):
        layers.Discretization(bin_boundaries=[0.0]).adapt(data)
    with pytest.raises(ValueError, match="output_mode"):
        layers.Discretization(bin_boundaries=[0.0], output_mode="bad")
