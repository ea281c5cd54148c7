"""compile / fit / evaluate / predict, single-batch methods, and bad input."""

import io
import contextlib

import numpy as np
import pytest
import torch

import cornu
from cornu import layers


def _mlp(units_out=1, activation=None):
    return cornu.Sequential([cornu.Input((4,)), layers.Dense(8, activation="relu"),
                             layers.Dense(units_out, activation=activation)])


def test_fit_matches_a_hand_written_torch_loop_step_for_step(rng):
    x = rng.standard_normal((20, 4)).astype("float32")
    y = rng.standard_normal((20, 1)).astype("float32")
    model = _mlp()
    weights = model.get_weights()
    model.compile(optimizer=cornu.optimizers.SGD(0.05, momentum=0.9), loss="mse")
    history = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)

    params = [torch.tensor(w, requires_grad=True) for w in weights]
    opt = torch.optim.SGD(params, lr=0.05, momentum=0.9)
    epoch_losses = []
    for _ in range(2):
        total = 0.0
        for start in range(0, 20, 8):
            xb, yb = torch.tensor(x[start:start + 8]), torch.tensor(y[start:start + 8])
            h = torch.relu(xb @ params[0] + params[1])
            loss = torch.mean((h @ params[2] + params[3] - yb) ** 2)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(xb)
        epoch_losses.append(total / 20)
    np.testing.assert_allclose(history.history["loss"], epoch_losses, rtol=1e-5)
    for ours, theirs in zip(model.get_weights(), params):
        np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_evaluate_return_forms_and_predict_batches(rng):
    x = rng.standard_normal((50, 4)).astype("float32")
    y = rng.integers(0, 3, size=50)
    model = _mlp(3, "softmax")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x, y, epochs=1, verbose=0)
    loss, acc = model.evaluate(x, y, verbose=0)
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert logs == {"loss": pytest.approx(loss), "accuracy": pytest.approx(acc)}
    probs = model.predict(x, batch_size=16, verbose=0)
    expected_acc = np.mean(probs.argmax(axis=1) == y)
    assert acc == pytest.approx(expected_acc, abs=1e-6)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    assert isinstance(model.evaluate(x, y, verbose=0), float)


@pytest.mark.parametrize("labels,loss,expected", [
    (np.array([[0.0], [1.0]]), "binary_crossentropy", "BinaryAccuracy"),
    (np.array([0, 2]), "sparse_categorical_crossentropy", "SparseCategoricalAccuracy"),
    (np.eye(3)[[0, 2]], "categorical_crossentropy", "CategoricalAccuracy"),
])
def test_accuracy_string_resolves_like_keras(labels, loss, expected):
    units = 1 if loss == "binary_crossentropy" else 3
    model = _mlp(units, "sigmoid" if units == 1 else "softmax")
    model.compile(optimizer="sgd", loss=loss, metrics=["accuracy"])
    model.fit(np.zeros((2, 4), "float32"), labels, verbose=0)
    # As in Keras 3: model.metrics is [loss, compile_metrics]; the container holds them.
    assert model.metrics_names == ["loss", "compile_metrics"]
    assert type(model.metrics[1].metrics[0]).__name__ == expected
    assert model.metrics[1].metrics[0].name == "accuracy"


def test_validation_split_uses_the_last_samples_and_logs_val_metrics(rng):
    x = rng.standard_normal((40, 4)).astype("float32")
    y = rng.standard_normal((40, 1)).astype("float32")
    model = _mlp()
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    history = model.fit(x, y, validation_split=0.25, epochs=2, verbose=0)
    assert set(history.history) == {"loss", "mae", "val_loss", "val_mae"}
    assert history.history["val_loss"][-1] == pytest.approx(
        model.evaluate(x[30:], y[30:], verbose=0)[0], rel=1e-5)


def test_sample_weight_and_class_weight_weight_the_loss(rng):
    x = rng.standard_normal((6, 4)).astype("float32")
    y = np.array([0, 1, 0, 1, 0, 1])
    model = _mlp(2, "softmax")
    model.compile(optimizer=cornu.optimizers.SGD(0.0), loss="sparse_categorical_crossentropy")
    probs = model.predict(x, verbose=0)
    per_sample = -np.log(probs[np.arange(6), y])
    weights = np.array([1.0, 2.0, 0.0, 1.0, 3.0, 1.0])
    loss_sw = model.fit(x, y, sample_weight=weights, batch_size=6, verbose=0)
    assert loss_sw.history["loss"][0] == pytest.approx(np.mean(per_sample * weights), rel=1e-5)
    loss_cw = model.fit(x, y, class_weight={0: 0.5, 1: 2.0}, batch_size=6, verbose=0)
    expected = np.mean(per_sample * np.where(y == 0, 0.5, 2.0))
    assert loss_cw.history["loss"][0] == pytest.approx(expected, rel=1e-5)


def test_single_batch_methods(rng):
    x = rng.standard_normal((8, 4)).astype("float32")
    y = rng.standard_normal((8, 1)).astype("float32")
    model = _mlp()
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    before = model.test_on_batch(x, y)
    model.train_on_batch(x, y)
    after = model.test_on_batch(x, y, return_dict=True)
    assert after["loss"] < before[0]
    np.testing.assert_allclose(model.predict_on_batch(x), model.predict(x, verbose=0),
                               rtol=1e-6)


def test_torch_tensor_inputs_and_initial_epoch(rng):
    x = torch.tensor(rng.standard_normal((16, 4)).astype("float32"))
    y = torch.tensor(rng.standard_normal((16, 1)).astype("float32"))
    model = _mlp()
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(x, y, epochs=3, initial_epoch=1, verbose=0)
    assert history.epoch == [1, 2]


def test_verbose_2_prints_one_line_per_epoch_and_no_carriage_returns(rng):
    model = _mlp()
    model.compile(optimizer="sgd", loss="mse")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        model.fit(np.zeros((10, 4)), np.zeros((10, 1)), epochs=2, batch_size=5, verbose="auto")
    text = out.getvalue()
    assert "\r" not in text
    assert text.count("Epoch ") == 2 and text.count("2/2 - ") == 2 and "loss:" in text


def test_set_random_seed_makes_training_bit_identical(rng):
    x = rng.standard_normal((32, 4)).astype("float32")
    y = rng.standard_normal((32, 1)).astype("float32")

    def run():
        cornu.utils.set_random_seed(7)
        model = cornu.Sequential([cornu.Input((4,)), layers.Dense(16, activation="relu"),
                                  layers.Dropout(0.3), layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(x, y, epochs=3, batch_size=8, shuffle=True, verbose=0)
        return model.get_weights()

    for a, b in zip(run(), run()):
        np.testing.assert_array_equal(a, b)


# --- bad input ---------------------------------------------------------------------------------
def test_fit_before_compile():
    with pytest.raises(ValueError, match="must call `compile\\(\\)`"):
        _mlp().fit(np.zeros((2, 4)), np.zeros((2, 1)), verbose=0)


def test_mismatched_lengths_name_both_sizes():
    model = _mlp()
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match="'x' sizes: 10 'y' sizes: 9"):
        model.fit(np.zeros((10, 4)), np.zeros((9, 1)), verbose=0)


def test_integer_labels_for_categorical_crossentropy_suggest_the_fix():
    model = _mlp(10, "softmax")
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    before = model.get_weights()
    with pytest.raises(ValueError, match="sparse_categorical_crossentropy.*to_categorical"):
        model.fit(np.zeros((4, 4)), np.zeros((4, 1)), verbose=0)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_out_of_range_sparse_labels_are_reported():
    model = _mlp(3, "softmax")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=r"class ids in \[0, 3\)"):
        model.fit(np.zeros((4, 4)), np.array([0, 1, 2, 3]), verbose=0)


def test_wrong_input_shape_names_the_layer():
    model = _mlp()
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match="dense.*expected axis -1 of input shape to have value 4"):
        model.fit(np.zeros((4, 5)), np.zeros((4, 1)), verbose=0)


@pytest.mark.parametrize("kwargs,fragment", [
    ({"optimizer": "adamx", "loss": "mse"}, "Unknown optimizer 'adamx'. Did you mean .*'adam'"),
    ({"optimizer": "adam", "loss": "mse_loss"}, "Unknown loss 'mse_loss'"),
    ({"optimizer": "adam", "loss": "mse", "metrics": ["acuracy"]},
     "Did you mean 'accuracy'"),
])
def test_unknown_identifiers_suggest_close_names(kwargs, fragment):
    model = _mlp()
    with pytest.raises(ValueError, match=fragment):
        model.compile(**kwargs)
        model.fit(np.zeros((2, 4)), np.zeros((2, 1)), verbose=0)
