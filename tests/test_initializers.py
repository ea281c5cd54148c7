"""Initializers: distributions, seeds, fans, string identifiers."""

import numpy as np
import pytest

from cornu import initializers, ops


def _draw(init, shape=(200, 300)):
    return ops.convert_to_numpy(init(shape))


@pytest.mark.parametrize("name,limit_or_std,kind", [
    ("glorot_uniform", np.sqrt(6 / 500), "uniform"), ("he_uniform", np.sqrt(6 / 200), "uniform"),
    ("lecun_uniform", np.sqrt(3 / 200), "uniform"), ("glorot_normal", np.sqrt(2 / 500), "normal"),
    ("he_normal", np.sqrt(2 / 200), "normal"), ("lecun_normal", np.sqrt(1 / 200), "normal"),
])
def test_variance_scaling_presets(name, limit_or_std, kind):
    values = _draw(initializers.get(name))
    if kind == "uniform":
        assert values.max() <= limit_or_std and values.min() >= -limit_or_std
        assert values.std() == pytest.approx(limit_or_std / np.sqrt(3), rel=0.02)
    else:
        assert values.std() == pytest.approx(limit_or_std, rel=0.03)
        assert np.abs(values).max() <= 2 * limit_or_std / 0.8796 + 1e-6  # truncated at 2 sd


def test_seeded_initializers_repeat_and_unseeded_differ():
    a = _draw(initializers.RandomNormal(seed=3), (5, 5))
    b = _draw(initializers.RandomNormal(seed=3), (5, 5))
    np.testing.assert_array_equal(a, b)
    init = initializers.RandomUniform()
    assert not np.array_equal(_draw(init, (5, 5)), _draw(init, (5, 5)))


def test_constant_zeros_ones_identity_orthogonal():
    assert np.all(_draw(initializers.Constant(2.5), (3,)) == 2.5)
    assert np.all(_draw(initializers.get("zeros"), (3,)) == 0)
    assert np.all(_draw(initializers.get("ones"), (3,)) == 1)
    np.testing.assert_array_equal(_draw(initializers.Identity(gain=2.0), (3, 4)),
                                  2 * np.eye(3, 4))
    q = _draw(initializers.Orthogonal(seed=1), (6, 4))
    np.testing.assert_allclose(q.T @ q, np.eye(4), atol=1e-5)


def test_fans_of_conv_kernels():
    assert initializers.compute_fans((3, 3, 8, 16)) == (72.0, 144.0)
    assert initializers.compute_fans((5,)) == (5.0, 5.0)


def test_config_round_trip_and_bad_arguments():
    init = initializers.VarianceScaling(2.0, "fan_out", "uniform", seed=4)
    clone = initializers.deserialize(initializers.serialize(init))
    assert clone.get_config() == init.get_config()
    np.testing.assert_array_equal(_draw(clone, (3, 3)), _draw(init, (3, 3)))
    with pytest.raises(ValueError, match="scale"):
        initializers.VarianceScaling(scale=0)
    with pytest.raises(ValueError, match="Unknown initializer 'glorot'"):
        initializers.get("glorot")
