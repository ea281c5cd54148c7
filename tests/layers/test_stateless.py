"""``stateless_call`` of every built-in layer equals its stateful call and leaves the layer's
variables untouched (training and inference, random layers included)."""

from __future__ import annotations

import numpy as np
import pytest

import cornu
from cornu import layers, ops

F = "float32"

# (layer factory, input shape, input dtype); one case per built-in layer class (aliases left
# out). Inputs are random normals, or small non-negative integers for integer inputs.
CASES = {
    "Activation": (lambda: layers.Activation("tanh"), (2, 3), F),
    "ActivityRegularization": (lambda: layers.ActivityRegularization(l1=0.1), (2, 3), F),
    "AdaptiveAveragePooling1D": (lambda: layers.AdaptiveAveragePooling1D(2), (2, 6, 3), F),
    "AdaptiveAveragePooling2D": (lambda: layers.AdaptiveAveragePooling2D(2), (2, 4, 4, 3), F),
    "AdaptiveAveragePooling3D": (lambda: layers.AdaptiveAveragePooling3D(2), (1, 4, 4, 4, 2), F),
    "AdaptiveMaxPooling1D": (lambda: layers.AdaptiveMaxPooling1D(2), (2, 6, 3), F),
    "AdaptiveMaxPooling2D": (lambda: layers.AdaptiveMaxPooling2D(2), (2, 4, 4, 3), F),
    "AdaptiveMaxPooling3D": (lambda: layers.AdaptiveMaxPooling3D(2), (1, 4, 4, 4, 2), F),
    "AlphaDropout": (lambda: layers.AlphaDropout(0.3, seed=1), (4, 5), F),
    "AveragePooling1D": (lambda: layers.AveragePooling1D(2), (2, 6, 3), F),
    "AveragePooling2D": (lambda: layers.AveragePooling2D(2), (2, 4, 4, 3), F),
    "AveragePooling3D": (lambda: layers.AveragePooling3D(2), (1, 4, 4, 4, 2), F),
    "BatchNormalization": (lambda: layers.BatchNormalization(), (4, 3), F),
    "Bidirectional": (lambda: layers.Bidirectional(layers.LSTM(3, return_sequences=True)),
                      (2, 4, 3), F),
    "CategoryEncoding": (lambda: layers.CategoryEncoding(5, output_mode="count"), (2, 3),
                         "int32"),
    "CenterCrop": (lambda: layers.CenterCrop(2, 2), (2, 4, 4, 3), F),
    "Conv1D": (lambda: layers.Conv1D(4, 3), (2, 6, 3), F),
    "Conv1DTranspose": (lambda: layers.Conv1DTranspose(4, 3), (2, 6, 3), F),
    "Conv2D": (lambda: layers.Conv2D(4, 3, padding="same"), (2, 5, 5, 3), F),
    "Conv2DTranspose": (lambda: layers.Conv2DTranspose(4, 3, strides=2), (2, 4, 4, 3), F),
    "Conv3D": (lambda: layers.Conv3D(2, 2), (1, 3, 3, 3, 2), F),
    "Conv3DTranspose": (lambda: layers.Conv3DTranspose(2, 2), (1, 3, 3, 3, 2), F),
    "ConvLSTM1D": (lambda: layers.ConvLSTM1D(2, 3, padding="same"), (2, 3, 5, 2), F),
    "ConvLSTM2D": (lambda: layers.ConvLSTM2D(2, 3, padding="same"), (1, 3, 4, 4, 2), F),
    "ConvLSTM3D": (lambda: layers.ConvLSTM3D(2, 2, padding="same"), (1, 2, 3, 3, 3, 1), F),
    "Cropping1D": (lambda: layers.Cropping1D(1), (2, 5, 3), F),
    "Cropping2D": (lambda: layers.Cropping2D(1), (2, 5, 5, 3), F),
    "Cropping3D": (lambda: layers.Cropping3D(1), (1, 4, 4, 4, 2), F),
    "Dense": (lambda: layers.Dense(4, kernel_regularizer="l2"), (2, 3), F),
    "DepthwiseConv1D": (lambda: layers.DepthwiseConv1D(3), (2, 6, 3), F),
    "DepthwiseConv2D": (lambda: layers.DepthwiseConv2D(3), (2, 5, 5, 3), F),
    "Discretization": (lambda: layers.Discretization(bin_boundaries=[0.0, 1.0]), (2, 3), F),
    "Dropout": (lambda: layers.Dropout(0.5, seed=3), (4, 6), F),
    "ELU": (lambda: layers.ELU(), (2, 3), F),
    "EinsumDense": (lambda: layers.EinsumDense("ab,bc->ac", output_shape=4, bias_axes="c"),
                    (2, 3), F),
    "Embedding": (lambda: layers.Embedding(6, 3), (2, 4), "int32"),
    "Flatten": (lambda: layers.Flatten(), (2, 3, 2), F),
    "GRU": (lambda: layers.GRU(3), (2, 4, 3), F),
    "GaussianDropout": (lambda: layers.GaussianDropout(0.3, seed=2), (3, 4), F),
    "GaussianNoise": (lambda: layers.GaussianNoise(0.3, seed=2), (3, 4), F),
    "GlobalAveragePooling1D": (lambda: layers.GlobalAveragePooling1D(), (2, 6, 3), F),
    "GlobalAveragePooling2D": (lambda: layers.GlobalAveragePooling2D(), (2, 4, 4, 3), F),
    "GlobalAveragePooling3D": (lambda: layers.GlobalAveragePooling3D(), (1, 3, 3, 3, 2), F),
    "GlobalMaxPooling1D": (lambda: layers.GlobalMaxPooling1D(), (2, 6, 3), F),
    "GlobalMaxPooling2D": (lambda: layers.GlobalMaxPooling2D(), (2, 4, 4, 3), F),
    "GlobalMaxPooling3D": (lambda: layers.GlobalMaxPooling3D(), (1, 3, 3, 3, 2), F),
    "GroupNormalization": (lambda: layers.GroupNormalization(groups=2), (2, 4, 4), F),
    "Identity": (lambda: layers.Identity(), (2, 3), F),
    "LSTM": (lambda: layers.LSTM(3, dropout=0.2, recurrent_dropout=0.2, seed=1), (2, 4, 3), F),
    "LayerNormalization": (lambda: layers.LayerNormalization(), (2, 5), F),
    "LeakyReLU": (lambda: layers.LeakyReLU(), (2, 3), F),
    "Masking": (lambda: layers.Masking(), (2, 4, 3), F),
    "MaxPooling1D": (lambda: layers.MaxPooling1D(2), (2, 6, 3), F),
    "MaxPooling2D": (lambda: layers.MaxPooling2D(2), (2, 4, 4, 3), F),
    "MaxPooling3D": (lambda: layers.MaxPooling3D(2), (1, 4, 4, 4, 2), F),
    "Normalization": (lambda: layers.Normalization(mean=0.5, variance=2.0), (2, 3), F),
    "PReLU": (lambda: layers.PReLU(), (2, 3), F),
    "Permute": (lambda: layers.Permute((2, 1)), (2, 3, 4), F),
    "RMSNormalization": (lambda: layers.RMSNormalization(), (2, 5), F),
    "RNN": (lambda: layers.RNN(layers.SimpleRNNCell(3)), (2, 4, 3), F),
    "RandomBrightness": (lambda: layers.RandomBrightness(0.2, seed=1), (2, 4, 4, 3), F),
    "RandomContrast": (lambda: layers.RandomContrast(0.2, seed=1), (2, 4, 4, 3), F),
    "RandomCrop": (lambda: layers.RandomCrop(3, 3, seed=1), (2, 4, 4, 3), F),
    "RandomFlip": (lambda: layers.RandomFlip(seed=1), (2, 4, 4, 3), F),
    "RandomRotation": (lambda: layers.RandomRotation(0.2, seed=1), (2, 4, 4, 3), F),
    "RandomTranslation": (lambda: layers.RandomTranslation(0.2, 0.2, seed=1), (2, 4, 4, 3), F),
    "RandomZoom": (lambda: layers.RandomZoom(0.2, seed=1), (2, 4, 4, 3), F),
    "ReLU": (lambda: layers.ReLU(), (2, 3), F),
    "RepeatVector": (lambda: layers.RepeatVector(2), (2, 3), F),
    "Rescaling": (lambda: layers.Rescaling(0.5), (2, 3), F),
    "Reshape": (lambda: layers.Reshape((3, 2)), (2, 6), F),
    "Resizing": (lambda: layers.Resizing(2, 3), (2, 4, 4, 3), F),
    "ReversibleEmbedding": (lambda: layers.ReversibleEmbedding(6, 3), (2, 4), "int32"),
    "SeparableConv1D": (lambda: layers.SeparableConv1D(4, 3), (2, 6, 3), F),
    "SeparableConv2D": (lambda: layers.SeparableConv2D(4, 3), (2, 5, 5, 3), F),
    "SimpleRNN": (lambda: layers.SimpleRNN(3, return_sequences=True), (2, 4, 3), F),
    "Softmax": (lambda: layers.Softmax(), (2, 3), F),
    "SpatialDropout1D": (lambda: layers.SpatialDropout1D(0.5, seed=1), (2, 4, 3), F),
    "SpatialDropout2D": (lambda: layers.SpatialDropout2D(0.5, seed=1), (2, 3, 3, 4), F),
    "SpatialDropout3D": (lambda: layers.SpatialDropout3D(0.5, seed=1), (1, 2, 2, 2, 4), F),
    "SpectralNormalization": (lambda: layers.SpectralNormalization(layers.Dense(3)), (2, 4), F),
    "TimeDistributed": (lambda: layers.TimeDistributed(layers.Dense(2)), (2, 3, 4), F),
    "UnitNormalization": (lambda: layers.UnitNormalization(), (2, 3), F),
    "UpSampling1D": (lambda: layers.UpSampling1D(2), (2, 3, 2), F),
    "UpSampling2D": (lambda: layers.UpSampling2D(2), (2, 2, 2, 3), F),
    "UpSampling3D": (lambda: layers.UpSampling3D(2), (1, 2, 2, 2, 2), F),
    "ZeroPadding1D": (lambda: layers.ZeroPadding1D(1), (2, 3, 2), F),
    "ZeroPadding2D": (lambda: layers.ZeroPadding2D(1), (2, 2, 2, 3), F),
    "ZeroPadding3D": (lambda: layers.ZeroPadding3D(1), (1, 2, 2, 2, 2), F),
}

# Layers that take several inputs: (factory, [input shapes]).
MULTI_INPUT = {
    "Add": (layers.Add, [(2, 3), (2, 3)]),
    "Average": (layers.Average, [(2, 3), (2, 3)]),
    "Concatenate": (layers.Concatenate, [(2, 3), (2, 2)]),
    "Dot": (lambda: layers.Dot(axes=1), [(2, 3), (2, 3)]),
    "Maximum": (layers.Maximum, [(2, 3), (2, 3)]),
    "Minimum": (layers.Minimum, [(2, 3), (2, 3)]),
    "Multiply": (layers.Multiply, [(2, 3), (2, 3)]),
    "Subtract": (layers.Subtract, [(2, 3), (2, 3)]),
    "Attention": (lambda: layers.Attention(use_scale=True, dropout=0.3, seed=1),
                  [(2, 3, 4), (2, 5, 4)]),
    "AdditiveAttention": (lambda: layers.AdditiveAttention(), [(2, 3, 4), (2, 5, 4)]),
}

# Called with keyword inputs: (factory, {name: shape}).
KEYWORD_INPUT = {
    "MultiHeadAttention": (lambda: layers.MultiHeadAttention(2, 4, dropout=0.2, seed=1),
                           {"query": (2, 3, 4), "value": (2, 5, 4)}),
    "GroupedQueryAttention": (lambda: layers.GroupedQueryAttention(4, 4, 2, dropout=0.2, seed=1),
                              {"query": (2, 3, 4), "value": (2, 5, 4)}),
}


def _data(shape, dtype, rng):
    if dtype.startswith("int"):
        return rng.integers(0, 4, size=shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def _perturbed(variables, rng):
    """New values for ``variables``: weights moved, statistics kept positive, seeds kept."""
    out = []
    for v in variables:
        value = v.numpy()
        if np.issubdtype(value.dtype, np.floating):
            value = value + np.abs(rng.standard_normal(value.shape)).astype(value.dtype) * 0.5
        out.append(value)
    return out


def _numpy(structure):
    return [ops.convert_to_numpy(t) for t in cornu.tree.flatten(structure)]


def _check(layer, args, kwargs, training):
    rng = np.random.default_rng(1)
    layer(*args, **kwargs)  # build
    trainable = _perturbed(layer.trainable_variables, rng)
    non_trainable = _perturbed(layer.non_trainable_variables, rng)
    before = [v.numpy().copy() for v in layer.variables]

    out, new_state = layer.stateless_call(
        trainable, non_trainable, *args, training=training, **kwargs)
    after = [v.numpy() for v in layer.variables]
    for a, b in zip(before, after):
        np.testing.assert_array_equal(a, b)  # stateless: nothing changed

    for v, value in zip(layer.trainable_variables + layer.non_trainable_variables,
                        trainable + non_trainable):
        v.assign(value)
    expected = layer(*args, training=training, **kwargs)
    for got, want in zip(_numpy(out), _numpy(expected)):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    for v, value in zip(layer.non_trainable_variables, new_state):
        np.testing.assert_allclose(ops.convert_to_numpy(value), v.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("training", [False, True])
@pytest.mark.parametrize("name", sorted(CASES))
def test_single_input_layers(name, training):
    factory, shape, dtype = CASES[name]
    x = _data(shape, dtype, np.random.default_rng(0))
    _check(factory(), (x,), {}, training)


@pytest.mark.parametrize("training", [False, True])
@pytest.mark.parametrize("name", sorted(MULTI_INPUT))
def test_multi_input_layers(name, training):
    factory, shapes = MULTI_INPUT[name]
    rng = np.random.default_rng(0)
    xs = [_data(s, F, rng) for s in shapes]
    _check(factory(), (xs,), {}, training)


@pytest.mark.parametrize("training", [False, True])
@pytest.mark.parametrize("name", sorted(KEYWORD_INPUT))
def test_keyword_input_layers(name, training):
    factory, shapes = KEYWORD_INPUT[name]
    rng = np.random.default_rng(0)
    _check(factory(), (), {k: _data(s, F, rng) for k, s in shapes.items()}, training)


def test_every_builtin_layer_has_a_case():
    aliases = {"AvgPool1D", "AvgPool2D", "AvgPool3D", "Convolution1D", "Convolution2D",
               "Convolution3D", "Convolution1DTranspose", "Convolution2DTranspose",
               "Convolution3DTranspose", "GlobalAvgPool1D", "GlobalAvgPool2D",
               "GlobalAvgPool3D", "GlobalMaxPool1D", "GlobalMaxPool2D", "GlobalMaxPool3D",
               "MaxPool1D", "MaxPool2D", "MaxPool3D", "SeparableConvolution1D",
               "SeparableConvolution2D", "GroupQueryAttention"}
    # Bases, cells (run inside RNN), string layers (host-side, no variables to map), the
    # input placeholder and Lambda (a user function) are covered elsewhere.
    elsewhere = {"Layer", "Wrapper", "InputLayer", "Lambda", "GRUCell", "LSTMCell",
                 "SimpleRNNCell", "StackedRNNCells", "Hashing", "IntegerLookup",
                 "StringLookup", "TextVectorization"}
    names = {n for n in dir(layers) if isinstance(getattr(layers, n), type)
             and issubclass(getattr(layers, n), layers.Layer)}
    missing = names - aliases - elsewhere - set(CASES) - set(MULTI_INPUT) - set(KEYWORD_INPUT)
    assert not missing, f"add stateless cases for {sorted(missing)}"


def test_model_with_batchnorm_returns_new_statistics():
    model = cornu.Sequential([cornu.Input((3,)), layers.Dense(4), layers.BatchNormalization()])
    x = np.random.default_rng(0).standard_normal((8, 3)).astype(F)
    tv = [v.numpy() for v in model.trainable_variables]
    ntv = [v.numpy() for v in model.non_trainable_variables]
    _, new = model.stateless_call(tv, ntv, x, training=True)
    assert not np.allclose(ops.convert_to_numpy(new[0]), ntv[0])  # moving mean moved
    np.testing.assert_array_equal(model.non_trainable_variables[0].numpy(), ntv[0])


def test_gradients_reach_the_given_values():
    import torch

    layer = layers.Dense(2)
    layer.build((None, 3))
    kernel = torch.ones(3, 2, requires_grad=True)
    bias = torch.zeros(2, requires_grad=True)
    x = torch.arange(6.0).reshape(2, 3)
    out, _ = layer.stateless_call([kernel, bias], [], x)
    (gk, gb) = torch.autograd.grad(out.sum(), [kernel, bias])
    np.testing.assert_allclose(gk.numpy(), np.repeat(x.sum(0, keepdim=True).T.numpy(), 2, 1))
    np.testing.assert_allclose(gb.numpy(), [2.0, 2.0])
    assert layer.kernel.grad is None


def test_per_sample_gradients_with_vmap():
    import torch

    model = cornu.Sequential([cornu.Input((3,)), layers.Dense(4, activation="relu"),
                              layers.Dense(1)])
    x = torch.randn(5, 3, generator=torch.Generator().manual_seed(0))
    values = [v.detach().clone() for v in model.trainable_variables]

    def loss(values, xi):
        out, _ = model.stateless_call(values, [], xi[None])
        return (out ** 2).sum()

    per_sample = torch.func.vmap(torch.func.grad(loss), in_dims=(None, 0))(values, x)
    for i in range(5):
        leaves = [v.clone().requires_grad_(True) for v in values]
        expected = torch.autograd.grad(loss(leaves, x[i]), leaves)
        for got, want in zip(per_sample, expected):
            np.testing.assert_allclose(got[i].numpy(), want.numpy(), rtol=1e-5, atol=1e-6)


def test_return_losses_includes_regularization_of_the_given_values():
    layer = layers.Dense(2, kernel_regularizer=cornu.regularizers.L2(0.5), use_bias=False)
    layer.build((None, 2))
    kernel = np.full((2, 2), 2.0, F)
    _, _, losses = layer.stateless_call([kernel], [], np.ones((1, 2), F), return_losses=True)
    assert float(ops.convert_to_numpy(sum(losses))) == pytest.approx(0.5 * 4 * 4.0)


def test_wrong_counts_and_shapes_raise_and_change_nothing():
    layer = layers.Dense(2)
    layer.build((None, 3))
    before = layer.get_weights()
    with pytest.raises(ValueError, match=r"must have 2 values.*Received 1"):
        layer.stateless_call([np.ones((3, 2), F)], [], np.ones((1, 3), F))
    with pytest.raises(ValueError, match=r"dense.*/kernel.*shape \(2, 2\); expected \(3, 2\)"):
        layer.stateless_call([np.ones((2, 2), F), np.ones(2, F)], [], np.ones((1, 3), F))
    for a, b in zip(before, layer.get_weights()):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="must be built"):
        layers.Dense(2).stateless_call([], [], np.ones((1, 3), F))


def test_stateless_scope_records_assignments_without_changing_variables():
    v = cornu.Variable(np.zeros(3, F))
    with cornu.StatelessScope(state_mapping=[(v, np.ones(3, F))]) as scope:
        v.assign_add(np.ones(3, F))
        np.testing.assert_array_equal(v.numpy(), [2.0, 2.0, 2.0])
    np.testing.assert_array_equal(v.numpy(), [0.0, 0.0, 0.0])
    np.testing.assert_array_equal(ops.convert_to_numpy(scope.get_current_value(v)), [2.0] * 3)
    other = cornu.Variable(np.zeros(2, F))
    with cornu.StatelessScope() as scope:
        other.assign(np.ones(2, F))
    np.testing.assert_array_equal(other.numpy(), [0.0, 0.0])
    np.testing.assert_array_equal(ops.convert_to_numpy(scope.get_current_value(other)), [1, 1])
    with pytest.raises(ValueError, match="shape"):
        cornu.StatelessScope(state_mapping=[(v, np.ones(2, F))])


def test_seed_generator_draws_are_a_function_of_its_state():
    gen = cornu.random.SeedGenerator(7)
    state = gen.state.numpy()
    a = ops.convert_to_numpy(cornu.random.uniform((4,), seed=gen))
    b = ops.convert_to_numpy(cornu.random.uniform((4,), seed=gen))
    assert not np.allclose(a, b)
    gen.state.assign(state)
    np.testing.assert_array_equal(ops.convert_to_numpy(cornu.random.uniform((4,), seed=gen)), a)
    z = ops.convert_to_numpy(cornu.random.normal((20000,), seed=cornu.random.SeedGenerator(1)))
    assert abs(z.mean()) < 0.03 and abs(z.std() - 1.0) < 0.03
    u = ops.convert_to_numpy(cornu.random.uniform((20000,), seed=cornu.random.SeedGenerator(2)))
    assert 0.0 <= u.min() and u.max() < 1.0 and abs(u.mean() - 0.5) < 0.01
