"""``jit_compile=True`` compiles the whole train step (forward, loss, backward, optimizer
and metric updates) into one graph, and trains exactly as the eager step does."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import cornu
from cornu import backend, layers, ops


def mlp():
    return cornu.Sequential([cornu.Input((784,)), layers.Dense(256, activation="relu"),
                             layers.Dense(256, activation="relu"), layers.Dense(10)])


def cnn():  # the guide's CIFAR-10 CNN, on 16x16 images
    return cornu.Sequential([
        cornu.Input((16, 16, 3)),
        layers.Conv2D(32, 3, padding="same", activation="relu"), layers.Conv2D(32, 3),
        layers.Activation("relu"), layers.MaxPooling2D(), layers.Dropout(0.25, seed=1),
        layers.Conv2D(64, 3, padding="same", activation="relu"), layers.MaxPooling2D(),
        layers.BatchNormalization(), layers.Flatten(), layers.Dense(64, activation="relu"),
        layers.Dropout(0.5, seed=2), layers.Dense(10)])


def lstm():  # the guide's LSTM(50, relu): no fused kernel, a step loop
    return cornu.Sequential([cornu.Input((10, 1)), layers.LSTM(50, activation="relu"),
                             layers.Dense(1)])


def transformer():
    inputs = cornu.Input((12,), dtype="int32")
    x = layers.Embedding(50, 16)(inputs)
    attention = layers.MultiHeadAttention(num_heads=2, key_dim=8, dropout=0.1, seed=3)(x, x)
    x = layers.LayerNormalization(epsilon=1e-6)(x + attention)
    ff = layers.Dense(16)(layers.Dense(32, activation="relu")(x))
    x = layers.LayerNormalization(epsilon=1e-6)(x + layers.Dropout(0.1, seed=4)(ff))
    return cornu.Model(inputs, layers.Dense(3)(layers.GlobalAveragePooling1D()(x)))


def mobilenet():
    return cornu.applications.MobileNetV2(weights=None, input_shape=(32, 32, 3), classes=4,
                                          alpha=0.35)


def _data(name, n, rng):
    if name == "mlp":
        return rng.standard_normal((n, 784)).astype("float32"), rng.integers(0, 10, n)
    if name == "cnn":
        return rng.standard_normal((n, 16, 16, 3)).astype("float32"), rng.integers(0, 10, n)
    if name == "lstm":
        x = rng.standard_normal((n, 10, 1)).astype("float32")
        return x, x.sum(axis=1)
    if name == "transformer":
        return rng.integers(0, 50, (n, 12)).astype("int32"), rng.integers(0, 3, n)
    return rng.standard_normal((n, 32, 32, 3)).astype("float32"), rng.integers(0, 4, n)


MODELS = {"mlp": mlp, "cnn": cnn, "lstm": lstm, "transformer": transformer,
          "mobilenet": mobilenet}


def _compile(model, name, jit, optimizer=None):
    loss = "mse" if name == "lstm" else cornu.losses.SparseCategoricalCrossentropy(
        from_logits=name != "mobilenet")
    metrics = ["mae"] if name == "lstm" else ["accuracy"]
    model.compile(optimizer=optimizer or cornu.optimizers.Adam(1e-3), loss=loss,
                  metrics=metrics, jit_compile=jit)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_the_whole_train_step_is_one_graph(name, rng):
    model = MODELS[name]()
    _compile(model, name, jit=False)
    x, y = _data(name, 8, rng)
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)  # builds optimizer and metrics
    xt, yt = ops.convert_to_tensor(x), ops.convert_to_tensor(y)

    def step(a, b):
        backend.trainer.train_step(model, a, b, None, model.trainable_weights)

    assert backend.trainer.graph_breaks(step, xt, yt) == []


@pytest.mark.parametrize("name,optimizer", [
    ("mlp", "adam"), ("cnn", "sgd"), ("lstm", "adam"), ("transformer", "sgd")])
def test_compiled_training_equals_eager_for_20_steps(name, optimizer, rng):
    x, y = _data(name, 160, rng)
    cornu.utils.set_random_seed(0)
    init = MODELS[name]()
    results = []
    for jit in (False, True):
        model = MODELS[name]()
        model.set_weights(init.get_weights())
        for a, b in zip(model.non_trainable_variables, init.non_trainable_variables):
            a.assign(b)  # seed generator states too: the same dropout masks
        _compile(model, name, jit, cornu.optimizers.Adam(1e-3) if optimizer == "adam" else
                 cornu.optimizers.SGD(0.01, momentum=0.9))
        history = model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
        results.append((history.history, model.get_weights()))
    (eager, eager_w), (compiled, compiled_w) = results
    for key in eager:
        np.testing.assert_allclose(eager[key], compiled[key], rtol=1e-4, atol=1e-5)
    for a, b in zip(eager_w, compiled_w):
        # Adam normalizes tiny gradients to whole steps, so a rounding difference near zero
        # can move a weight by one step (lr = 1e-3); SGD has no such amplification. Models
        # with max-pooling and BatchNormalization train with SGD here for that reason.
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-3 if optimizer == "adam" else 1e-5)


def test_a_graph_break_warns_naming_the_construct_and_still_trains(rng):
    class HostRead(layers.Layer):
        def call(self, x):
            if float(ops.sum(x)) > 0:  # data-dependent Python control flow
                return x * 2.0
            return x

        def compute_output_shape(self, shape):
            return shape

    model = cornu.Sequential([cornu.Input((3,)), layers.Dense(4), HostRead(), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", jit_compile=True)
    x = rng.standard_normal((16, 3)).astype("float32")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(x, x[:, :1], batch_size=4, epochs=2, verbose=0)
    messages = [str(w.message) for w in caught if "jit_compile" in str(w.message)]
    assert len(messages) == 1 and "item()" in messages[0], messages
    assert history.history["loss"][1] < history.history["loss"][0]


def test_steps_per_execution_groups_batches_for_callbacks(rng):
    seen = []

    class Record(cornu.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            seen.append(("begin", batch))

        def on_train_batch_end(self, batch, logs=None):
            seen.append(("end", batch))

    model = cornu.Sequential([cornu.Input((3,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", steps_per_execution=3)
    x = rng.standard_normal((28, 3)).astype("float32")
    model.fit(x, x[:, :1], batch_size=4, epochs=1, verbose=0, callbacks=[Record()])
    assert seen == [("begin", 0), ("end", 2), ("begin", 3), ("end", 5), ("begin", 6),
                    ("end", 6)]
    assert int(model.optimizer.iterations) == 7
    assert model.get_compile_config()["steps_per_execution"] == 3
    with pytest.raises(ValueError, match="steps_per_execution"):
        model.compile(optimizer="sgd", loss="mse", steps_per_execution=0)


def test_freezing_a_layer_in_the_middle_trains_the_others(rng):
    for jit in (False, True):
        model = cornu.Sequential([cornu.Input((3,)), layers.Dense(4),
                                  layers.Dense(4, trainable=False), layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse", jit_compile=jit)
        frozen = model.layers[1].get_weights()
        x = rng.standard_normal((16, 3)).astype("float32")
        model.fit(x, x[:, :1], batch_size=4, epochs=1, verbose=0)
        for a, b in zip(frozen, model.layers[1].get_weights()):
            np.testing.assert_array_equal(a, b)
        assert len(model.trainable_weights) == 4 and len(model.non_trainable_weights) == 2


def test_compute_loss_override_without_training_argument(rng):
    class Custom(cornu.Model):
        def compute_loss(self, x, y, y_pred, sample_weight):
            return ops.mean(ops.square(y - y_pred))

    inputs = cornu.Input((3,))
    model = Custom(inputs, layers.Dense(1)(inputs))
    model.compile(optimizer="sgd")
    x = rng.standard_normal((8, 3)).astype("float32")
    history = model.fit(x, x[:, :1], batch_size=4, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    assert np.isfinite(model.evaluate(x, x[:, :1], verbose=0))
