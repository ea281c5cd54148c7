"""EinsumDense: shapes and weights as Keras, numbers against NumPy, config, errors."""

import numpy as np
import pytest

import cornu
from cornu import ops
from cornu.layers import EinsumDense
from tests.helpers import check_layer

CASES = [
    # equation, output_shape, bias_axes, input shape, kernel shape, bias shape, output shape
    ("ab,bc->ac", 4, "c", (3, 5), (5, 4), (4,), (3, 4)),
    ("abc,cd->abd", (None, 4), "d", (2, 3, 5), (5, 4), (4,), (2, 3, 4)),
    ("abc,bcd->ad", 4, "d", (2, 3, 5), (3, 5, 4), (4,), (2, 4)),
    ("abc,cde->abde", (None, 2, 3), "de", (2, 5, 4), (4, 2, 3), (2, 3), (2, 5, 2, 3)),
    ("abc,cde->abde", (None, 2, 3), "d", (2, 5, 4), (4, 2, 3), (2, 1), (2, 5, 2, 3)),
    ("...b,bc->...c", 4, None, (2, 7, 3, 5), (5, 4), None, (2, 7, 3, 4)),
    ("ab...,bc->ac...", 4, "c", (2, 5, 3, 2), (5, 4), (4, 1, 1), (2, 4, 3, 2)),
    ("abcd,cde->abe", (None, 6), "e", (2, 3, 4, 5), (4, 5, 6), (6,), (2, 3, 6)),
]


@pytest.mark.parametrize("equation,output_shape,bias_axes,in_shape,kernel,bias,out", CASES)
def test_shapes_weights_and_numbers(rng, equation, output_shape, bias_axes, in_shape, kernel,
                                    bias, out):
    layer = EinsumDense(equation, output_shape, bias_axes=bias_axes)
    x = rng.standard_normal(in_shape).astype("float32")
    y = ops.convert_to_numpy(layer(x))
    assert [tuple(w.shape) for w in layer.weights] == [kernel] + ([bias] if bias else [])
    expected = np.einsum(equation, x, layer.get_weights()[0])
    if bias:
        expected = expected + layer.get_weights()[1]
    assert y.shape == out
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-5)
    symbolic = layer.compute_output_shape((None,) + in_shape[1:])
    assert symbolic == (None,) + out[1:]


def test_check_layer_roundtrip_and_training():
    check_layer(EinsumDense, {"equation": "abc,cde->abde", "output_shape": (None, 2, 3),
                              "bias_axes": "de", "activation": "relu"},
                input_shape=(4, 5, 6), expected_output_shape=(4, 5, 2, 3))


def test_gradient_matches_torch(rng):
    import torch

    layer = EinsumDense("abc,cde->abde", (None, 2, 3), bias_axes="de")
    x = torch.tensor(rng.standard_normal((2, 5, 4)).astype("float32"), requires_grad=True)
    y = layer(x)
    kernel, bias = layer.kernel, layer.bias
    ref = torch.einsum("abc,cde->abde", x, kernel) + bias
    up = torch.tensor(rng.standard_normal(tuple(y.shape)).astype("float32"))
    got = torch.autograd.grad((y * up).sum(), [x, kernel, bias])
    want = torch.autograd.grad((ref * up).sum(), [x, kernel, bias])
    for g, w in zip(got, want):
        np.testing.assert_allclose(g.numpy(), w.numpy(), rtol=1e-5, atol=1e-6)


def test_glorot_fans_come_from_contracted_and_output_axes():
    # Kernel (256, 8, 32): fan_in 256, fan_out 256 as in Keras, not a conv's receptive field.
    layer = EinsumDense("abc,cde->abde", (None, 8, 32), kernel_initializer="glorot_uniform")
    layer.build((None, 10, 256))
    limit = np.sqrt(6.0 / (256 + 256))
    kernel = layer.get_weights()[0]
    assert np.abs(kernel).max() <= limit
    assert np.abs(kernel).max() > 0.9 * limit


def test_get_config_matches_keras_keys():
    config = EinsumDense("ab,bc->ac", 4, bias_axes="c").get_config()
    assert config["output_shape"] == (4,)
    assert {"equation", "bias_axes", "activation", "kernel_initializer", "bias_initializer",
            "kernel_regularizer", "bias_regularizer", "activity_regularizer",
            "kernel_constraint", "bias_constraint", "quantization_config"} <= set(config)


def test_functional_model(rng):
    inputs = cornu.Input((5, 4))
    outputs = EinsumDense("abc,cde->abde", (None, 2, 3), bias_axes="e")(inputs)
    assert outputs.shape == (None, 5, 2, 3)
    model = cornu.Model(inputs, outputs)
    x = rng.standard_normal((2, 5, 4)).astype("float32")
    assert model.predict(x, verbose=0).shape == (2, 5, 2, 3)


@pytest.mark.parametrize("kwargs,shape,match", [
    ({"equation": "ab,bc", "output_shape": 4}, (3, 5), "invalid einsum equation"),
    ({"equation": "a...b,bc->a...c", "output_shape": 4}, (3, 5), "invalid einsum equation"),
    ({"equation": "ab,bc->ad", "output_shape": 4}, (3, 5), "output dimension 'd'"),
    ({"equation": "ab,bcx->ac", "output_shape": 4}, (3, 5), "kernel dimension 'x'"),
    ({"equation": "ab,bc->ac", "output_shape": 4, "bias_axes": "x"}, (3, 5),
     "bias dimension 'x'"),
])
def test_bad_equations_fail_at_construction(kwargs, shape, match):
    with pytest.raises(ValueError, match=match):
        EinsumDense(**kwargs, name="ed")


@pytest.mark.parametrize("kwargs,shape,match", [
    ({"equation": "abc,cd->abd", "output_shape": (7, 4)}, (2, 3, 5),
     "do not match at shared dimension 'b'"),
    ({"equation": "abc,cd->abd", "output_shape": (None, 4)}, (2, 5), "expects inputs of rank 3"),
    ({"equation": "abc,cd->abd", "output_shape": 4}, (2, 3, 5), "needs 2 entries"),
])
def test_bad_shapes_fail_at_build(kwargs, shape, match):
    layer = EinsumDense(**kwargs, name="ed")
    with pytest.raises(ValueError, match=f"EinsumDense 'ed'.*{match}"):
        layer.build(shape)
