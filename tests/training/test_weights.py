"""class_weight, sample_weight (per sample and per timestep), loss_weights, and per-output
losses and metrics given as lists or dicts, against NumPy on the model's own predictions."""

import numpy as np
import pytest

import cornu

RNG = np.random.default_rng(0)


def test_class_weight_scales_each_sample_loss():
    x = RNG.random((6, 3)).astype("float32")
    y = np.array([0, 1, 1, 0, 1, 2], "int64")
    model = cornu.Sequential([cornu.Input((3,)), cornu.layers.Dense(3, activation="softmax")])
    model.compile(cornu.optimizers.SGD(0.0), "sparse_categorical_crossentropy")
    probs = model.predict(x, verbose=0)
    per_sample = -np.log(probs[np.arange(6), y])
    weights = np.array([{0: 1.0, 1: 2.0, 2: 0.5}[c] for c in y])
    loss = model.train_on_batch(x, y, class_weight={0: 1.0, 1: 2.0, 2: 0.5})
    np.testing.assert_allclose(loss, np.mean(per_sample * weights), rtol=1e-5)
    # fit with class_weight equals fit with the matching sample weights
    cornu.utils.set_random_seed(3)
    a = cornu.Sequential([cornu.Input((3,)), cornu.layers.Dense(3, activation="softmax")])
    a.compile(cornu.optimizers.SGD(0.5), "sparse_categorical_crossentropy")
    cornu.utils.set_random_seed(3)
    b = cornu.Sequential([cornu.Input((3,)), cornu.layers.Dense(3, activation="softmax")])
    b.compile(cornu.optimizers.SGD(0.5), "sparse_categorical_crossentropy")
    a.fit(x, y, class_weight={0: 1.0, 1: 2.0, 2: 0.5}, batch_size=4, epochs=2, shuffle=False,
          verbose=0)
    b.fit(x, y, sample_weight=weights.astype("float32"), batch_size=4, epochs=2,
          shuffle=False, verbose=0)
    np.testing.assert_allclose(a.get_weights()[0], b.get_weights()[0], rtol=1e-6)
    with pytest.raises(ValueError, match=r"classes \[2\] exist in the data but not in"):
        model.fit(x, y, class_weight={0: 1.0, 1: 1.0}, verbose=0)


def test_class_weight_with_a_generator_and_one_hot_labels():
    x = RNG.random((4, 3)).astype("float32")
    y = np.eye(3, dtype="float32")[[0, 1, 2, 1]]
    model = cornu.Sequential([cornu.Input((3,)), cornu.layers.Dense(3, activation="softmax")])
    model.compile(cornu.optimizers.SGD(0.0), "categorical_crossentropy")
    probs = model.predict(x, verbose=0)
    per_sample = -np.log((probs * y).sum(-1))
    history = model.fit(iter([(x, y)]), class_weight={0: 3.0, 1: 1.0, 2: 0.0}, verbose=0)
    np.testing.assert_allclose(history.history["loss"][0],
                               np.mean(per_sample * np.array([3.0, 1.0, 0.0, 1.0])), rtol=1e-5)


def test_per_sample_sample_weight():
    x = RNG.random((4, 3)).astype("float32")
    y = RNG.random((4, 2)).astype("float32")
    model = cornu.Sequential([cornu.Input((3,)), cornu.layers.Dense(2)])
    model.compile("sgd", "mse", weighted_metrics=["mae"])
    pred = model.predict(x, verbose=0)
    w = np.array([1.0, 0.0, 2.0, 0.5], "float32")
    out = model.evaluate(x, y, sample_weight=w, verbose=0, return_dict=True)
    np.testing.assert_allclose(out["loss"], (((pred - y) ** 2).mean(-1) * w).mean(), rtol=1e-5)
    np.testing.assert_allclose(out["mae"], (np.abs(pred - y).mean(-1) * w).sum() / w.sum(),
                               rtol=1e-5)


def test_per_timestep_sample_weight():
    # Values recorded from Keras 3.15: the loss is mean(l * w) over samples and timesteps,
    # a weighted metric sum(m * w) / sum(w).
    x = RNG.random((4, 5, 3)).astype("float32")
    y = RNG.random((4, 5, 2)).astype("float32")
    model = cornu.Sequential([cornu.Input((5, 3)), cornu.layers.Dense(2)])
    model.compile("sgd", "mse", weighted_metrics=["mae"])
    pred = model.predict(x, verbose=0)
    sq, ab = ((pred - y) ** 2).mean(-1), np.abs(pred - y).mean(-1)  # (4, 5)
    w = RNG.random((4, 5)).astype("float32")
    out = model.evaluate(x, y, sample_weight=w, verbose=0, return_dict=True)
    np.testing.assert_allclose(out["loss"], (sq * w).mean(), rtol=1e-5)
    np.testing.assert_allclose(out["mae"], (ab * w).sum() / w.sum(), rtol=1e-5)


def _two_outputs():
    inputs = cornu.Input((3,), name="x")
    a = cornu.layers.Dense(1, name="a")(inputs)
    b = cornu.layers.Dense(2, name="b")(inputs)
    return cornu.Model(inputs, [a, b])


def test_loss_weights_and_per_output_logs_as_lists():
    x = RNG.random((6, 3)).astype("float32")
    ya, yb = RNG.random((6, 1)).astype("float32"), RNG.random((6, 2)).astype("float32")
    model = _two_outputs()
    model.compile("sgd", ["mse", "mae"], loss_weights=[1.0, 0.5], metrics=[["mae"], ["mse"]])
    pa, pb = model.predict(x, verbose=0)
    a_loss, b_loss = ((pa - ya) ** 2).mean(), np.abs(pb - yb).mean()
    logs = model.evaluate(x, [ya, yb], verbose=0, return_dict=True)
    assert list(logs) == ["a_loss", "a_mae", "b_loss", "b_mse", "loss"]
    np.testing.assert_allclose(logs["a_loss"], a_loss, rtol=1e-5)
    np.testing.assert_allclose(logs["b_loss"], b_loss, rtol=1e-5)  # unweighted, as Keras
    np.testing.assert_allclose(logs["loss"], a_loss + 0.5 * b_loss, rtol=1e-5)
    np.testing.assert_allclose(logs["a_mae"], np.abs(pa - ya).mean(), rtol=1e-5)
    values = model.evaluate(x, [ya, yb], verbose=0)
    np.testing.assert_allclose(values, [logs[k] for k in
                                        ["loss", "a_loss", "b_loss", "a_mae", "b_mse"]])
    assert model.metrics_names == ["loss", "compile_metrics", "a_loss", "b_loss"]
    history = model.fit(x, [ya, yb], epochs=1, verbose=0, validation_data=(x, [ya, yb]))
    assert sorted(history.history) == ["a_loss", "a_mae", "b_loss", "b_mse", "loss",
                                       "val_a_loss", "val_a_mae", "val_b_loss", "val_b_mse",
                                       "val_loss"]


def test_losses_metrics_and_weights_as_dicts():
    x = RNG.random((6, 3)).astype("float32")
    ya, yb = RNG.random((6, 1)).astype("float32"), RNG.random((6, 2)).astype("float32")
    model = _two_outputs()
    model.compile("sgd", loss={"a": "mae", "b": "mse"}, loss_weights={"a": 2.0, "b": 1.0},
                  metrics={"b": ["mae"]})
    pa, pb = model.predict(x, verbose=0)
    logs = model.evaluate(x, {"a": ya, "b": yb}, verbose=0, return_dict=True)
    assert sorted(logs) == ["a_loss", "b_loss", "b_mae", "loss"]
    np.testing.assert_allclose(logs["loss"], 2 * np.abs(pa - ya).mean() + ((pb - yb) ** 2).mean(),
                               rtol=1e-5)
    with pytest.raises(ValueError, match=r"keys \['c'\] that are not model outputs"):
        bad = _two_outputs()
        bad.compile("sgd", loss={"a": "mse", "c": "mse"})
        bad.evaluate(x, [ya, yb], verbose=0)
