"""The Layer base: weights, naming, build, training flag, losses, masks, torch integration."""

import numpy as np
import pytest
import torch

import cornu
from cornu import layers, ops


class CustomLayer(layers.Layer):
    """The guide's custom layer: a weight matrix built lazily, used with cornu.ops."""

    def __init__(self, units=32, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units),
                                 initializer="random_normal", trainable=True, name="w")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", name="b")

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def test_custom_layer_builds_lazily_and_works_in_every_model_kind(rng):
    x = rng.standard_normal((6, 4)).astype("float32")
    layer = CustomLayer(3)
    assert not layer.built and layer.weights == []
    y = layer(x)
    assert layer.built and tuple(y.shape) == (6, 3)
    np.testing.assert_allclose(ops.convert_to_numpy(y), x @ layer.get_weights()[0], rtol=1e-5)

    inputs = cornu.Input((4,))
    functional = cornu.Model(inputs, CustomLayer(2)(inputs))
    sequential = cornu.Sequential([cornu.Input((4,)), CustomLayer(2)])
    for model in (functional, sequential):
        model.compile(optimizer="sgd", loss="mse")
        history = model.fit(x, np.ones((6, 2), "float32"), epochs=3, verbose=0)
        assert history.history["loss"][-1] < history.history["loss"][0]


def test_auto_names_count_per_class_and_reset():
    assert [layers.Dense(1).name for _ in range(3)] == ["dense", "dense_1", "dense_2"]
    assert CustomLayer().name == "custom_layer"
    cornu.utils.clear_session()
    assert layers.Dense(1).name == "dense"


def test_weights_order_trainable_flag_and_set_weights_validation():
    layer = CustomLayer(2)
    layer(np.zeros((1, 3), "float32"))
    moving = layer.add_weight(shape=(2,), initializer="ones", trainable=False, name="moving")
    assert [w.name for w in layer.weights] == ["w", "b", "moving"]
    assert [w.name for w in layer.trainable_weights] == ["w", "b"]
    assert [w.name for w in layer.non_trainable_weights] == ["moving"]
    assert moving.path == f"{layer.name}/moving"

    layer.trainable = False
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 3
    assert not layer.w.requires_grad
    layer.trainable = True
    assert layer.w.requires_grad

    before = layer.get_weights()
    bad = [np.zeros((3, 2)), np.zeros((5,)), np.zeros((2,))]
    with pytest.raises(ValueError, match=r"shape mismatch for 'b': expected \(2,\), received \(5,\)"):
        layer.set_weights(bad)
    for a, b in zip(before, layer.get_weights()):
        np.testing.assert_array_equal(a, b)  # nothing half-updated
    with pytest.raises(ValueError, match="expected 3 arrays"):
        layer.set_weights(before[:2])


def test_parameters_are_exactly_the_trainable_weights_and_state_dict_has_all():
    model = cornu.Sequential([cornu.Input((3,)), CustomLayer(4), layers.Dense(2)])
    model.layers[0].add_weight(shape=(4,), trainable=False, name="stat")
    assert [id(p) for p in model.parameters()] == [id(w) for w in model.trainable_weights]
    keys = set(model.state_dict())
    assert {"custom_layer.w", "custom_layer.b", "custom_layer.stat", "dense.kernel",
            "dense.bias"} == keys
    moved = model.to(torch.float64)
    assert moved is model and model.layers[0].stat.dtype == torch.float64
    assert model.layers[0].weights[2] is model.layers[0].stat


def test_plain_pytorch_loop_trains_a_cornu_model(rng):
    x = torch.tensor(rng.standard_normal((64, 3)).astype("float32"))
    y = x @ torch.tensor([[1.0], [-2.0], [0.5]]) + 0.3
    model = cornu.Sequential([cornu.Input((3,)), layers.Dense(1)])
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(200):
        optimizer.zero_grad()
        loss = torch.mean((model(x) - y) ** 2)
        loss.backward()
        optimizer.step()
    kernel, bias = model.get_weights()
    np.testing.assert_allclose(kernel[:, 0], [1.0, -2.0, 0.5], atol=1e-3)
    np.testing.assert_allclose(bias, [0.3], atol=1e-3)


def test_training_flag_propagates_to_inner_layers():
    seen = []

    class Probe(layers.Layer):
        def call(self, x, training=None):
            seen.append(training)
            return x

    inputs = cornu.Input((2,))
    model = cornu.Model(inputs, Probe()(layers.Dense(2)(inputs)))
    x = np.zeros((1, 2), "float32")
    model(x, training=True)
    model(x)
    model(x, training=False)
    assert seen[-3:] == [True, None, False]


def test_add_loss_and_weight_regularization_are_collected():
    class Penalized(layers.Layer):
        def call(self, x):
            self.add_loss(ops.sum(x))
            return x

    dense = layers.Dense(2, kernel_regularizer=cornu.regularizers.L2(0.5),
                         kernel_initializer="ones", use_bias=False)
    model = cornu.Sequential([cornu.Input((3,)), dense, Penalized()])
    model(np.ones((1, 3), "float32"))
    values = sorted(float(ops.convert_to_numpy(v)) for v in model.losses)
    assert values == pytest.approx([3.0, 6.0])  # L2: 0.5 * 6 ones; sum of outputs (3+3)
    model(np.zeros((1, 3), "float32"))
    assert len(model.losses) == 2  # the previous call's added loss was cleared


def test_masks_pass_through_masking_aware_layers():
    class MakeMask(layers.Layer):
        def call(self, x):
            return x

        def compute_mask(self, inputs, previous_mask=None):
            return ops.not_equal(inputs[..., 0], 0)

    x = np.array([[[1.0], [0.0]]], "float32")
    out = layers.Dense(2)(MakeMask()(x))
    np.testing.assert_array_equal(ops.convert_to_numpy(out._keras_mask), [[True, False]])
    inputs = cornu.Input((2, 1))
    symbolic = layers.Dense(2)(MakeMask()(inputs))
    assert symbolic._keras_mask.shape == (None, 2)


def test_count_params_needs_a_built_layer():
    with pytest.raises(ValueError, match="isn't built"):
        layers.Dense(2).count_params()
    layer = layers.Dense(2)
    layer.build((None, 3))
    assert layer.count_params() == 8


def test_mixed_precision_keeps_float32_weights_and_computes_in_float16(rng):
    model = cornu.Sequential([cornu.Input((4,)),
                              layers.Dense(8, activation="relu", dtype="mixed_float16"),
                              layers.Dense(1, dtype="float32")])
    hidden = model.layers[0]
    assert hidden.dtype == "float32" and hidden.compute_dtype == "float16"
    assert ops.dtype(hidden(rng.standard_normal((2, 4)))) == "float16"
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(rng.standard_normal((16, 4)), rng.standard_normal((16, 1)), verbose=0)
    assert np.isfinite(history.history["loss"][0])
    assert hidden.kernel.numpy().dtype == np.float32
