"""Dense, Activation, Identity, Lambda, Dropout, Flatten, Reshape, Input."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import cornu
from cornu import layers, ops
from tests.helpers import check_layer


def test_dense_matches_torch_forward_and_gradient(rng):
    layer = layers.Dense(5, activation="tanh")
    x = rng.standard_normal((4, 3)).astype("float32")
    layer(x)
    kernel, bias = layer.get_weights()
    assert kernel.shape == (3, 5) and bias.shape == (5,)

    xt = torch.tensor(x, requires_grad=True)
    out = layer(xt)
    expected = torch.tanh(F.linear(torch.tensor(x), torch.tensor(kernel).T, torch.tensor(bias)))
    np.testing.assert_allclose(out.detach().numpy(), expected.numpy(), rtol=1e-6, atol=1e-6)

    out.sum().backward()
    w = torch.tensor(kernel, requires_grad=True)
    b = torch.tensor(bias, requires_grad=True)
    torch.tanh(torch.tensor(x) @ w + b).sum().backward()
    np.testing.assert_allclose(layer.kernel.grad.numpy(), w.grad.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layer.bias.grad.numpy(), b.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_dense_on_3d_input_multiplies_the_last_axis(rng):
    x = rng.standard_normal((2, 4, 6)).astype("float32")
    layer = check_layer(layers.Dense, {"units": 3, "use_bias": False}, x.shape, (2, 4, 3))
    expected = x @ layer.get_weights()[0]
    np.testing.assert_allclose(ops.convert_to_numpy(layer(x)), expected, rtol=1e-5, atol=1e-6)


def test_dense_config_round_trip_and_defaults():
    layer = layers.Dense(4, activation="relu", kernel_regularizer="l2")
    config = layer.get_config()
    assert config["units"] == 4 and config["activation"] == "relu"
    assert config["kernel_initializer"]["class_name"] == "GlorotUniform"
    assert config["kernel_regularizer"]["class_name"] == "L2"
    clone = layers.Dense.from_config(config)
    assert clone.get_config() == config


@pytest.mark.parametrize("units", [0, -3, 2.5, "8", True])
def test_dense_rejects_bad_units(units):
    with pytest.raises(ValueError, match="units"):
        layers.Dense(units)


def test_dense_wrong_input_dimension_names_layer_and_shapes():
    layer = layers.Dense(3, name="proj")
    layer(np.zeros((2, 4), "float32"))
    with pytest.raises(ValueError, match=r"proj.*axis -1.*value 4.*\(2, 5\)"):
        layer(np.zeros((2, 5), "float32"))
    with pytest.raises(ValueError, match=r"proj.*min_ndim=2"):
        layer(cornu.Input(batch_shape=(3,)))


def test_unknown_constructor_argument_is_rejected():
    with pytest.raises(ValueError, match="Unrecognized keyword arguments passed to Dense"):
        layers.Dense(3, foo=1)


def test_activation_layer_and_identity(rng):
    x = rng.standard_normal((3, 4)).astype("float32")
    check_layer(layers.Activation, {"activation": "relu"}, x.shape, x.shape)
    np.testing.assert_array_equal(ops.convert_to_numpy(layers.Activation("relu")(x)),
                                  np.maximum(x, 0))
    np.testing.assert_array_equal(ops.convert_to_numpy(layers.Identity()(x)), x)


def test_lambda_runs_functions_and_never_serializes_anonymous_code(rng):
    x = rng.standard_normal((2, 3)).astype("float32")
    layer = layers.Lambda(lambda t: t * 2.0)
    np.testing.assert_allclose(ops.convert_to_numpy(layer(x)), x * 2.0)
    with pytest.raises(NotImplementedError, match="anonymous function"):
        layer.get_config()
    inputs = cornu.Input((3,))
    out = layers.Lambda(lambda t: ops.sum(t, axis=-1, keepdims=True))(inputs)
    assert out.shape == (None, 1)


def test_dropout_scales_in_training_and_is_identity_in_inference():
    x = np.ones((200, 50), "float32")
    layer = layers.Dropout(0.4)
    np.testing.assert_array_equal(ops.convert_to_numpy(layer(x)), x)
    y = ops.convert_to_numpy(layer(x, training=True))
    kept = y != 0
    assert 0.5 < kept.mean() < 0.7
    np.testing.assert_allclose(y[kept], 1.0 / 0.6, rtol=1e-6)
    with pytest.raises(ValueError, match="rate"):
        layers.Dropout(1.5)


def test_flatten_channels_first_orders_features_as_channels_last(rng):
    x = rng.standard_normal((2, 3, 4, 5)).astype("float32")
    out = ops.convert_to_numpy(layers.Flatten(data_format="channels_first")(x))
    np.testing.assert_array_equal(out, np.transpose(x, (0, 2, 3, 1)).reshape(2, -1))
    check_layer(layers.Flatten, {}, (2, 3, 4), (2, 12))


def test_reshape_infers_minus_one_and_reports_bad_sizes(rng):
    x = rng.standard_normal((2, 12)).astype("float32")
    check_layer(layers.Reshape, {"target_shape": (3, -1)}, x.shape, (2, 3, 4))
    assert layers.Reshape((-1, 2))(cornu.Input((12,))).shape == (None, 6, 2)
    with pytest.raises(ValueError, match="Reshape"):
        layers.Reshape((5,))(x)
    with pytest.raises(ValueError, match="at most one -1"):
        layers.Reshape((-1, -1))


def test_input_layer_shapes_and_errors():
    x = cornu.Input(shape=(4, 5), batch_size=8, dtype="int32", name="tokens")
    assert x.shape == (8, 4, 5) and x.dtype == "int32" and x.name == "tokens"
    with pytest.raises(ValueError, match="shape"):
        cornu.Input()
    with pytest.raises(ValueError, match="both"):
        layers.InputLayer(shape=(3,), batch_shape=(None, 3))
