"""Conv1D/2D/3D: shapes, config, training, numbers and gradients against torch.nn.functional."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import cornu
from cornu import layers
from tests.helpers import check_layer

CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
LAYER = {1: layers.Conv1D, 2: layers.Conv2D, 3: layers.Conv3D}


def channels_first(x, data_format):
    return x if data_format == "channels_first" else x.movedim(-1, 1)


def restore(y, data_format):
    return y if data_format == "channels_first" else y.movedim(1, -1)


def torch_kernel(kernel):
    """Keras (*spatial, in, out) -> torch (out, in, *spatial)."""
    rank = kernel.ndim - 2
    return kernel.permute(rank + 1, rank, *range(rank))


def input_tensor(shape, seed=0):
    x = np.random.default_rng(seed).standard_normal(shape).astype("float32")
    return torch.tensor(x, requires_grad=True)


def assert_same_numbers_and_grads(layer, x, reference, weights):
    """Forward values, and gradients w.r.t. the input and ``weights``, match ``reference``."""
    y = layer(x)
    expected = reference(x)
    np.testing.assert_allclose(y.detach().numpy(), expected.detach().numpy(), rtol=1e-5,
                               atol=1e-5)
    probe = torch.randn(expected.shape, generator=torch.Generator().manual_seed(1))
    got = torch.autograd.grad((y * probe).sum(), [x] + weights)
    want = torch.autograd.grad((expected * probe).sum(), [x] + weights)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g.numpy(), w.numpy(), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("rank", [1, 2, 3])
def test_conv_matches_torch_valid(rank, data_format):
    spatial = (7,) * rank if rank < 3 else (5, 6, 4)
    shape = (2,) + spatial + (4,) if data_format == "channels_last" else (2, 4) + spatial
    layer = LAYER[rank](6, 3, strides=1, data_format=data_format, groups=2,
                        activation="relu")
    x = input_tensor(shape)
    layer(x)
    assert tuple(layer.kernel.shape) == (3,) * rank + (2, 6)

    def reference(x):
        out = CONV[rank](channels_first(x, data_format), torch_kernel(layer.kernel), layer.bias,
                         groups=2)
        return torch.relu(restore(out, data_format))

    assert_same_numbers_and_grads(layer, x, reference, [layer.kernel, layer.bias])


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_conv2d_same_even_kernel_pads_after(data_format):
    # Keras puts the odd padding pixel after: a 4x4 kernel gets (1, 2) rows and columns.
    shape = (2, 6, 5, 3) if data_format == "channels_last" else (2, 3, 6, 5)
    layer = layers.Conv2D(2, 4, padding="same", data_format=data_format)
    x = input_tensor(shape)

    def reference(x):
        padded = F.pad(channels_first(x, data_format), (1, 2, 1, 2))
        return restore(F.conv2d(padded, torch_kernel(layer.kernel), layer.bias), data_format)

    layer(x)
    assert_same_numbers_and_grads(layer, x, reference, [layer.kernel, layer.bias])


def test_conv2d_strided_same_and_dilation():
    x = input_tensor((1, 9, 8, 2))
    strided = layers.Conv2D(3, 3, strides=2, padding="same")
    # n=9, s=2: 5 outputs need 2 padding (1, 1); n=8: 4 outputs need 1 padding (0, 1).
    strided(x)
    want = F.conv2d(F.pad(x.movedim(-1, 1), (0, 1, 1, 1)), torch_kernel(strided.kernel),
                    strided.bias, stride=2).movedim(1, -1)
    np.testing.assert_allclose(strided(x).detach().numpy(), want.detach().numpy(), atol=1e-5)
    dilated = layers.Conv2D(3, 3, dilation_rate=2, padding="same")
    dilated(x)
    want = F.conv2d(x.movedim(-1, 1), torch_kernel(dilated.kernel), dilated.bias, padding=2,
                    dilation=2).movedim(1, -1)
    np.testing.assert_allclose(dilated(x).detach().numpy(), want.detach().numpy(), atol=1e-5)


def test_conv1d_causal_sees_only_the_past():
    layer = layers.Conv1D(1, 3, padding="causal", dilation_rate=2, use_bias=False,
                          kernel_initializer="ones")
    x = np.zeros((1, 8, 1), "float32")
    x[0, 5, 0] = 1.0
    y = cornu.ops.convert_to_numpy(layer(x))[0, :, 0]
    np.testing.assert_array_equal(y, [0, 0, 0, 0, 0, 1, 0, 1])


@pytest.mark.parametrize("cls,kwargs,shape,out", [
    (layers.Conv1D, {"filters": 4, "kernel_size": 3, "padding": "causal"}, (2, 9, 3),
     (2, 9, 4)),
    (layers.Conv2D, {"filters": 4, "kernel_size": (3, 2), "strides": 2}, (2, 9, 8, 3),
     (2, 4, 4, 4)),
    (layers.Conv2D, {"filters": 4, "kernel_size": 3, "data_format": "channels_first",
                     "padding": "same"}, (2, 3, 6, 6), (2, 4, 6, 6)),
    (layers.Conv3D, {"filters": 2, "kernel_size": 2, "kernel_regularizer": "l2"},
     (2, 4, 4, 4, 3), (2, 3, 3, 3, 2)),
])
def test_check_layer(cls, kwargs, shape, out):
    check_layer(cls, kwargs, shape, out)


def test_config_matches_keras_keys_and_aliases():
    config = layers.Conv2D(8, 3).get_config()
    assert config["kernel_size"] == (3, 3) and config["strides"] == (1, 1)
    assert config["dilation_rate"] == (1, 1) and config["groups"] == 1
    assert config["activation"] == "linear" and config["padding"] == "valid"
    assert layers.Convolution2D is layers.Conv2D and layers.Convolution1D is layers.Conv1D
    restored = cornu.saving.serialization_lib.deserialize_keras_object(
        {"class_name": "Convolution2D", "config": config})
    assert isinstance(restored, layers.Conv2D)


def test_conv2d_in_a_model_trains_and_matches_predict():
    model = cornu.Sequential([cornu.Input((8, 8, 3)), layers.Conv2D(4, 3, activation="relu"),
                              layers.Flatten(), layers.Dense(2)])
    model.compile("adam", "mse")
    x = np.random.default_rng(0).standard_normal((16, 8, 8, 3)).astype("float32")
    history = model.fit(x, np.zeros((16, 2), "float32"), epochs=3, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model.predict(x, verbose=0).shape == (16, 2)


@pytest.mark.parametrize("kwargs,message", [
    ({"filters": 0, "kernel_size": 3}, "filters"),
    ({"filters": 2.5, "kernel_size": 3}, "filters"),
    ({"filters": 4, "kernel_size": -1}, "kernel_size"),
    ({"filters": 4, "kernel_size": 1.5}, "kernel_size"),
    ({"filters": 4, "kernel_size": (3, 3, 3)}, "kernel_size"),
    ({"filters": 4, "kernel_size": 3, "strides": 0}, "strides"),
    ({"filters": 4, "kernel_size": 3, "padding": "full"}, "padding"),
    ({"filters": 4, "kernel_size": 3, "padding": "causal"}, "padding"),
    ({"filters": 5, "kernel_size": 3, "groups": 2}, "groups"),
    ({"filters": 4, "kernel_size": 3, "strides": 2, "dilation_rate": 2}, "dilation_rate"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        layers.Conv2D(**kwargs)


def test_bad_inputs_name_the_layer_and_shapes():
    layer = layers.Conv2D(4, 5, name="c")
    with pytest.raises(ValueError, match=r"Conv2D 'c'.*window is larger.*\(1, 3, 3, 2\)"):
        layer(np.zeros((1, 3, 3, 2), "float32"))
    layer = layers.Conv2D(4, 3, name="c2")
    layer(np.zeros((1, 8, 8, 3), "float32"))
    with pytest.raises(ValueError, match=r"built for inputs with 3 channels.*\(1, 8, 8, 6\)"):
        layer(np.zeros((1, 8, 8, 6), "float32"))
    with pytest.raises(ValueError, match="channels_first"):
        layer(np.zeros((1, 3, 8, 8), "float32"))
    with pytest.raises(ValueError, match="ndim=4"):
        layer(np.zeros((8, 8, 3), "float32"))
    with pytest.raises(ValueError, match="divisible by `groups`"):
        layers.Conv2D(4, 3, groups=2)(np.zeros((1, 8, 8, 3), "float32"))
    with pytest.raises(ValueError, match="window is larger"):
        layers.Conv2D(4, 5)(cornu.Input((3, 3, 2)))
