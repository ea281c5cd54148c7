"""Merge layers and their functional forms: numbers, broadcasting, masks, errors."""

import numpy as np
import pytest
import torch

import cornu
from cornu import layers, ops

RNG = np.random.default_rng(0)
A, B, C = (RNG.standard_normal((2, 3, 4)).astype("float32") for _ in range(3))


def numpy_of(y):
    return ops.convert_to_numpy(y)


@pytest.mark.parametrize("cls,expected", [
    (layers.Add, A + B + C), (layers.Multiply, A * B * C), (layers.Average, (A + B + C) / 3),
    (layers.Maximum, np.maximum(np.maximum(A, B), C)),
    (layers.Minimum, np.minimum(np.minimum(A, B), C)),
])
def test_elementwise_merges(cls, expected):
    np.testing.assert_allclose(numpy_of(cls()([A, B, C])), expected, rtol=1e-6)


def test_subtract_concatenate_and_functional_forms():
    np.testing.assert_allclose(numpy_of(layers.Subtract()([A, B])), A - B)
    np.testing.assert_allclose(numpy_of(layers.Concatenate(axis=1)([A, B])),
                               np.concatenate([A, B], 1))
    a, b = cornu.Input((3, 4)), cornu.Input((3, 4))
    outputs = [layers.add([a, b]), layers.subtract([a, b]), layers.multiply([a, b]),
               layers.average([a, b]), layers.maximum([a, b]), layers.minimum([a, b]),
               layers.concatenate([a, b]), layers.dot([a, b], axes=2)]
    model = cornu.Model([a, b], outputs)
    results = model.predict([A, B], verbose=0)
    assert [r.shape for r in results] == [(2, 3, 4)] * 6 + [(2, 3, 8), (2, 3, 3)]
    np.testing.assert_allclose(results[-1], np.einsum("bik,bjk->bij", A, B), rtol=1e-5)


@pytest.mark.parametrize("axes,expected", [
    ((2, 2), np.einsum("bik,bjk->bij", A, B)),
    ((1, 1), np.einsum("bki,bkj->bij", A, B)),
    (-1, np.einsum("bik,bjk->bij", A, B)),
])
def test_dot_matches_einsum(axes, expected):
    np.testing.assert_allclose(numpy_of(layers.Dot(axes=axes)([A, B])), expected, rtol=1e-5)


def test_dot_normalize_is_cosine_and_2d_output():
    x, y = A[:, 0], B[:, 0]
    cosine = (x * y).sum(-1, keepdims=True) / (np.linalg.norm(x, axis=-1, keepdims=True)
                                               * np.linalg.norm(y, axis=-1, keepdims=True))
    np.testing.assert_allclose(numpy_of(layers.Dot(axes=1, normalize=True)([x, y])), cosine,
                               rtol=1e-5)


def test_gradients_flow_to_every_input():
    xs = [torch.tensor(v, requires_grad=True) for v in (A, B)]
    for layer in (layers.Add(), layers.Multiply(), layers.Concatenate(), layers.Dot(axes=2)):
        grads = torch.autograd.grad(layer(xs).sum(), xs)
        assert all(g is not None and g.shape == (2, 3, 4) for g in grads)
    grads = torch.autograd.grad(layers.Multiply()(xs).sum(), xs)
    np.testing.assert_allclose(grads[0].numpy(), B, rtol=1e-6)


def test_broadcasting_lower_rank_inputs():
    out = layers.Add()([A, A[:, 0, :1]])  # (2, 3, 4) + (2, 1) -> (2, 1, 1) broadcast
    np.testing.assert_allclose(numpy_of(out), A + A[:, :1, :1], rtol=1e-6)
    assert layers.Add().compute_output_shape([(None, 3, 4), (None, 1)]) == (None, 3, 4)


def test_masks_are_combined():
    x = np.ones((2, 3, 2), "float32")
    ma = np.array([[1, 1, 0], [1, 0, 0]], bool)
    mb = np.array([[0, 0, 1], [1, 0, 0]], bool)
    ta, tb = ops.convert_to_tensor(x), ops.convert_to_tensor(x)
    ta._keras_mask, tb._keras_mask = ops.convert_to_tensor(ma), ops.convert_to_tensor(mb)
    out = layers.Add()([ta, tb])
    np.testing.assert_array_equal(numpy_of(out._keras_mask), ma | mb)
    out = layers.Concatenate(axis=1)([ta, tb])
    np.testing.assert_array_equal(numpy_of(out._keras_mask), np.concatenate([ma, mb], 1))


def test_masked_values_never_win_maximum_and_count_as_one_in_multiply():
    a, b = A[:, :, :2], B[:, :, :2]
    ma = np.array([[1, 1, 0], [1, 0, 0]], bool)
    mb = np.array([[0, 1, 1], [1, 0, 0]], bool)
    ta, tb = ops.convert_to_tensor(a), ops.convert_to_tensor(b)
    ta._keras_mask, tb._keras_mask = ops.convert_to_tensor(ma), ops.convert_to_tensor(mb)
    ka, kb = ma[..., None], mb[..., None]
    expected = np.where(ka & kb, np.maximum(a, b), np.where(kb & ~ka, b, a))
    np.testing.assert_allclose(numpy_of(layers.Maximum()([ta, tb])), expected)
    expected = np.where(ka | kb, np.where(ka, a, 1) * np.where(kb, b, 1), 0)
    out = layers.Multiply()([ta, tb])
    np.testing.assert_allclose(numpy_of(out), expected, rtol=1e-6)
    np.testing.assert_array_equal(numpy_of(out._keras_mask), ma | mb)


def test_configs():
    assert layers.Concatenate(axis=1).get_config()["axis"] == 1
    config = layers.Dot(axes=(1, 2), normalize=True).get_config()
    assert config["axes"] == (1, 2) and config["normalize"] is True
    clone = layers.Dot.from_config(config)
    assert clone.axes == (1, 2)


def test_bad_inputs_name_layer_and_shapes():
    with pytest.raises(ValueError, match=r"Add 'add_x'.*incompatible shapes"):
        layers.Add(name="add_x")([cornu.Input((3, 4)), cornu.Input((3, 5))])
    with pytest.raises(ValueError, match="incompatible shapes"):
        layers.Add()([A, A[:, :, :3]])
    with pytest.raises(ValueError, match="exactly 2"):
        layers.Subtract()([A, B, C])
    with pytest.raises(ValueError, match="list of inputs"):
        layers.Add()(A)
    with pytest.raises(ValueError, match="matching shapes except"):
        layers.Concatenate(axis=1)([A, A[:, :, :2]])
    with pytest.raises(ValueError, match=r"axis 2 of the first input has size 4"):
        layers.Dot(axes=2)([A, B[:, :, :3]])
    with pytest.raises(ValueError, match="different batch"):
        layers.Add()([A, B[:1]])
    with pytest.raises(TypeError, match="axes"):
        layers.Dot(axes="last")
