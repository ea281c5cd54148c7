"""Normalization layers against torch.nn.functional and NumPy: values, gradients, moving
statistics, masks and Keras's inference rules."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import cornu
from cornu import layers, ops
from tests.helpers import check_layer
from tests.layers.test_conv import assert_same_numbers_and_grads, input_tensor


def randomize(layer, seed=3):
    rng = np.random.default_rng(seed)
    layer.set_weights([rng.uniform(0.5, 1.5, w.shape).astype("float32")
                       for w in layer.get_weights()])


@pytest.mark.parametrize("axis,shape", [(-1, (4, 5, 6, 3)), (1, (4, 3, 5, 6)), (-1, (8, 3)),
                                        (-1, (4, 5, 3))])
def test_batchnorm_training_matches_torch_and_updates_moving_stats(axis, shape):
    layer = layers.BatchNormalization(axis=axis, momentum=0.9)
    x = input_tensor(shape)
    layer(x, training=False)
    randomize(layer)
    gamma, beta, mean0, var0 = layer.get_weights()
    reduce = tuple(i for i in range(len(shape)) if i != axis % len(shape))

    def reference(x):
        moved = x.movedim(axis, 1)
        out = F.batch_norm(moved, None, None, layer.gamma, layer.beta, True, 0.0, 1e-3)
        return out.movedim(1, axis)

    y = layer(x, training=True)
    np.testing.assert_allclose(y.detach().numpy(), reference(x).detach().numpy(), rtol=1e-5,
                               atol=1e-5)
    data = x.detach().numpy()
    np.testing.assert_allclose(layer.moving_mean.numpy(),
                               0.9 * mean0 + 0.1 * data.mean(axis=reduce), rtol=1e-5)
    np.testing.assert_allclose(layer.moving_variance.numpy(),
                               0.9 * var0 + 0.1 * data.var(axis=reduce), rtol=1e-5)
    probe = torch.randn(y.shape, generator=torch.Generator().manual_seed(1))
    got = torch.autograd.grad((layer(x, training=True) * probe).sum(),
                              [x, layer.gamma, layer.beta])
    want = torch.autograd.grad((reference(x) * probe).sum(), [x, layer.gamma, layer.beta])
    for g, w in zip(got, want):
        np.testing.assert_allclose(g.numpy(), w.numpy(), rtol=1e-4, atol=1e-5)


def test_batchnorm_inference_and_frozen_layer_use_moving_stats():
    layer = layers.BatchNormalization(center=False)
    x = input_tensor((6, 4))
    layer(x)
    randomize(layer)
    gamma, mean, var = layer.get_weights()
    expected = (x.detach().numpy() - mean) / np.sqrt(var + 1e-3) * gamma

    def reference(x):
        return F.batch_norm(x, layer.moving_mean, layer.moving_variance, layer.gamma, None,
                            False, 0.0, 1e-3)

    assert_same_numbers_and_grads(layer, x, reference, [layer.gamma])
    np.testing.assert_allclose(ops.convert_to_numpy(layer(x)), expected, rtol=1e-5, atol=1e-6)
    layer.trainable = False  # Keras 3: a frozen BatchNormalization runs in inference mode
    np.testing.assert_allclose(ops.convert_to_numpy(layer(x, training=True)), expected,
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layer.moving_mean.numpy(), mean)


def test_batchnorm_masked_training_uses_only_unmasked_steps():
    layer = layers.BatchNormalization(momentum=0.5)
    x = np.random.default_rng(0).standard_normal((3, 5, 2)).astype("float32")
    mask = np.random.default_rng(1).random((3, 5)) > 0.4
    y = ops.convert_to_numpy(layer(x, training=True, mask=mask))
    kept = x[mask]
    mean, var = kept.mean(0), kept.var(0)
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + 1e-3), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(layer.moving_mean.numpy(), 0.5 * mean, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="one dimension less"):
        layer(x, training=True, mask=mask[:, :, None])


def test_batchnorm_weights_config_and_fit():
    layer = layers.BatchNormalization()
    layer(np.zeros((2, 3), "float32"))
    assert [w.name for w in layer.weights] == ["gamma", "beta", "moving_mean", "moving_variance"]
    assert [w.name for w in layer.trainable_weights] == ["gamma", "beta"]
    config = layer.get_config()
    assert config["momentum"] == 0.99 and config["epsilon"] == 1e-3 and config["axis"] == -1
    model = cornu.Sequential([cornu.Input((3,)), layers.BatchNormalization()])
    model.compile("sgd", "mse")
    x = np.random.default_rng(0).standard_normal((32, 3)).astype("float32") + 5.0
    model.fit(x, x, batch_size=32, epochs=2, verbose=0)
    moving_mean = model.layers[0].moving_mean.numpy()
    assert np.all(moving_mean > 0.05)  # two updates of 1% towards a mean near 5
    check_layer(layers.BatchNormalization, {"axis": 1}, (4, 3, 5))


@pytest.mark.parametrize("axis,shape", [(-1, (3, 4, 5)), ([1, 2], (3, 4, 5)),
                                        ([1, 2], (2, 3, 4, 5)), (1, (3, 4, 5))])
def test_layernorm_matches_reference(axis, shape):
    layer = layers.LayerNormalization(axis=axis, epsilon=1e-5)
    x = input_tensor(shape)
    layer(x)
    randomize(layer)
    axes = sorted(a % len(shape) for a in (axis if isinstance(axis, list) else [axis]))
    bshape = [shape[a] if a in axes else 1 for a in range(len(shape))]

    def reference(x):
        var, mean = torch.var_mean(x, dim=axes, keepdim=True, correction=0)
        normalized = (x - mean) / torch.sqrt(var + 1e-5)
        return normalized * layer.gamma.reshape(bshape) + layer.beta.reshape(bshape)

    assert_same_numbers_and_grads(layer, x, reference, [layer.gamma, layer.beta])
    assert layer.get_config()["axis"] == (axis if isinstance(axis, list) else [axis])


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_groupnorm_matches_torch(data_format):
    axis = -1 if data_format == "channels_last" else 1
    shape = (2, 5, 6, 4) if axis == -1 else (2, 4, 5, 6)
    layer = layers.GroupNormalization(groups=2, axis=axis)
    x = input_tensor(shape)
    layer(x)
    randomize(layer)

    def reference(x):
        out = F.group_norm(x.movedim(axis, 1), 2, layer.gamma, layer.beta, 1e-3)
        return out.movedim(1, axis)

    assert_same_numbers_and_grads(layer, x, reference, [layer.gamma, layer.beta])


def test_unit_and_rms_normalization():
    x = np.random.default_rng(0).standard_normal((3, 4, 5)).astype("float32")
    out = ops.convert_to_numpy(layers.UnitNormalization(axis=[1, 2])(x))
    np.testing.assert_allclose(out, x / np.sqrt((x ** 2).sum((1, 2), keepdims=True)), rtol=1e-5)
    layer = layers.RMSNormalization()
    out = ops.convert_to_numpy(layer(x))
    np.testing.assert_allclose(out, x / np.sqrt((x ** 2).mean(-1, keepdims=True) + 1e-6),
                               rtol=1e-5)
    assert [w.name for w in layer.weights] == ["scale"]
    layer = layers.RMSNormalization(axis=1)
    out = ops.convert_to_numpy(layer(x))
    np.testing.assert_allclose(out, x / np.sqrt((x ** 2).mean(1, keepdims=True) + 1e-6),
                               rtol=1e-5)


@pytest.mark.parametrize("cls,kwargs,shape", [
    (layers.LayerNormalization, {"axis": [1, 2], "center": False}, (2, 3, 4)),
    (layers.GroupNormalization, {"groups": 2}, (2, 3, 4)),
    (layers.UnitNormalization, {"axis": 1}, (2, 3, 4)),
    (layers.RMSNormalization, {"axis": [-1]}, (2, 3, 4)),
])
def test_check_layer(cls, kwargs, shape):
    check_layer(cls, kwargs, shape, shape)


def test_bad_arguments_and_inputs():
    with pytest.raises(ValueError, match=r"groups"):
        layers.GroupNormalization(groups=3)(np.zeros((1, 4), "float32"))
    with pytest.raises(ValueError, match="out of bounds"):
        layers.LayerNormalization(axis=3)(np.zeros((2, 4), "float32"))
    with pytest.raises(ValueError, match="axis"):
        layers.BatchNormalization(axis=[1, 2])
    with pytest.raises(TypeError, match="axis"):
        layers.UnitNormalization(axis="last")
    with pytest.raises(NotImplementedError, match="renorm"):
        layers.BatchNormalization(renorm=True)
