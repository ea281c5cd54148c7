"""Activation layers against NumPy and torch: ReLU, LeakyReLU, PReLU, ELU, Softmax."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from cornu import layers, ops
from tests.helpers import check_layer
from tests.layers.test_conv import assert_same_numbers_and_grads, input_tensor

X = np.linspace(-3, 3, 24, dtype="float32").reshape(2, 3, 4)


def numpy_of(layer, x, **kwargs):
    return ops.convert_to_numpy(layer(x, **kwargs))


def test_relu_variants():
    np.testing.assert_allclose(numpy_of(layers.ReLU(), X), np.maximum(X, 0))
    out = numpy_of(layers.ReLU(max_value=2.0, negative_slope=0.1, threshold=0.3), X)
    expected = np.where(X > 0.3, np.minimum(X, 2.0), 0.1 * (X - 0.3))
    np.testing.assert_allclose(out, expected, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(numpy_of(layers.LeakyReLU(), X), np.where(X > 0, X, 0.3 * X),
                               rtol=1e-6)
    np.testing.assert_allclose(numpy_of(layers.ELU(0.5), X),
                               np.where(X > 0, X, 0.5 * (np.exp(X) - 1)), rtol=1e-6)


def test_prelu_shared_axes_numbers_and_gradients():
    layer = layers.PReLU(shared_axes=[1, 2])
    x = input_tensor((2, 3, 4, 5))
    layer(x)
    assert tuple(layer.alpha.shape) == (1, 1, 5)
    layer.set_weights([np.linspace(0.1, 0.5, 5, dtype="float32").reshape(1, 1, 5)])
    assert_same_numbers_and_grads(layer, x, lambda x: F.prelu(x.movedim(-1, 1),
                                  layer.alpha.reshape(-1)).movedim(1, -1), [layer.alpha])


def test_softmax_axes_and_mask():
    np.testing.assert_allclose(numpy_of(layers.Softmax(axis=1), X),
                               torch.softmax(torch.tensor(X), 1).numpy(), rtol=1e-6)
    out = numpy_of(layers.Softmax(axis=(1, 2)), X)
    expected = np.exp(X) / np.exp(X).sum((1, 2), keepdims=True)
    np.testing.assert_allclose(out, expected, rtol=1e-5)
    mask = np.array([[True, True, False, False]] * 3 + [[False] * 4] * 3).reshape(2, 3, 4)
    out = numpy_of(layers.Softmax(), X, mask=mask)
    row = np.exp(X[0, 0, :2]) / np.exp(X[0, 0, :2]).sum()
    np.testing.assert_allclose(out[0, 0], np.concatenate([row, [0, 0]]), rtol=1e-6)
    np.testing.assert_array_equal(out[1], 0.0)  # fully masked rows give zeros, not NaN
    with pytest.raises(ValueError, match="broadcast"):
        layers.Softmax()(X, mask=np.ones((2, 3, 5), bool))


@pytest.mark.parametrize("cls,kwargs", [
    (layers.ReLU, {"max_value": 6.0}), (layers.LeakyReLU, {"negative_slope": 0.1}),
    (layers.ELU, {"alpha": 0.5}), (layers.Softmax, {"axis": 1}),
    (layers.PReLU, {"shared_axes": [1], "alpha_initializer": "ones"}),
])
def test_check_layer(cls, kwargs):
    check_layer(cls, kwargs, (2, 3, 4), (2, 3, 4))


def test_bad_arguments():
    for kwargs in ({"max_value": -1.0}, {"negative_slope": -0.1}, {"threshold": None}):
        with pytest.raises(ValueError, match="non-negative"):
            layers.ReLU(**kwargs)
    with pytest.raises(ValueError, match="negative_slope"):
        layers.LeakyReLU(-1.0)
    with pytest.raises(ValueError, match="shared axis 3"):
        layers.PReLU(shared_axes=[3])(X)
