"""Activation functions against NumPy formulas."""

import numpy as np
import pytest

from cornu import activations, ops

X = np.linspace(-4, 4, 33, dtype="float32").reshape(3, 11)


def _np(x):
    return ops.convert_to_numpy(x)


def test_relu_with_slope_cap_and_threshold():
    out = _np(activations.relu(X, negative_slope=0.1, max_value=2.0, threshold=0.5))
    expected = np.where(X > 0.5, np.minimum(X, 2.0), 0.1 * (X - 0.5))
    np.testing.assert_allclose(out, expected, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(_np(activations.relu(X, max_value=6)), np.clip(X, 0, 6))


@pytest.mark.parametrize("name,reference", [
    ("sigmoid", lambda x: 1 / (1 + np.exp(-x))), ("tanh", np.tanh),
    ("softplus", lambda x: np.log1p(np.exp(x))), ("softsign", lambda x: x / (1 + np.abs(x))),
    ("elu", lambda x: np.where(x > 0, x, np.exp(x) - 1)), ("exponential", np.exp),
    ("swish", lambda x: x / (1 + np.exp(-x))), ("linear", lambda x: x),
    ("hard_sigmoid", lambda x: np.clip(x / 6 + 0.5, 0, 1)),
    ("mish", lambda x: x * np.tanh(np.log1p(np.exp(x)))),
    ("selu", lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 *
                                                      (np.exp(x) - 1))),
])
def test_activation_formulas(name, reference):
    np.testing.assert_allclose(_np(activations.get(name)(X)), reference(X), rtol=1e-5,
                               atol=1e-6)


def test_softmax_over_several_axes_and_1d_error():
    out = _np(activations.softmax(X, axis=(0, 1)))
    np.testing.assert_allclose(out, np.exp(X) / np.exp(X).sum(), rtol=1e-5)
    with pytest.raises(ValueError, match="1D"):
        activations.softmax(X[0])


def test_lookup_and_serialization():
    assert activations.get(None) is activations.linear
    assert activations.serialize(activations.get("swish")) == "silu"
    assert activations.deserialize("relu") is activations.relu
    with pytest.raises(ValueError, match="Unknown activation function 'rellu'"):
        activations.get("rellu")
