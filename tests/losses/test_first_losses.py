"""MSE, MAE, and the three cross-entropies against NumPy; reductions and sample weights."""

import numpy as np
import pytest

from cornu import losses, ops

rng = np.random.default_rng(1)
Y_TRUE = rng.standard_normal((5, 3)).astype("float32")
Y_PRED = rng.standard_normal((5, 3)).astype("float32")
PROBS = np.exp(Y_PRED) / np.exp(Y_PRED).sum(axis=1, keepdims=True)
LABELS = np.array([0, 2, 1, 1, 0])
ONE_HOT = np.eye(3, dtype="float32")[LABELS]
EPS = 1e-7


def _np(x):
    return ops.convert_to_numpy(x)


@pytest.mark.parametrize("cls,fn,per_sample", [
    (losses.MeanSquaredError, losses.mean_squared_error,
     np.mean((Y_TRUE - Y_PRED) ** 2, axis=-1)),
    (losses.MeanAbsoluteError, losses.mean_absolute_error,
     np.mean(np.abs(Y_TRUE - Y_PRED), axis=-1)),
])
def test_regression_losses_and_reductions(cls, fn, per_sample):
    np.testing.assert_allclose(_np(fn(Y_TRUE, Y_PRED)), per_sample, rtol=1e-6)
    weights = np.array([1.0, 0.0, 2.0, 1.0, 0.5], "float32")
    expect = {
        "sum_over_batch_size": per_sample.mean(), "sum": per_sample.sum(),
        "none": per_sample, "mean_with_sample_weight": per_sample.mean(),
    }
    for reduction, value in expect.items():
        np.testing.assert_allclose(_np(cls(reduction=reduction)(Y_TRUE, Y_PRED)), value,
                                   rtol=1e-6)
    weighted = cls(reduction="mean_with_sample_weight")(Y_TRUE, Y_PRED, sample_weight=weights)
    np.testing.assert_allclose(_np(weighted), (per_sample * weights).sum() / weights.sum(),
                               rtol=1e-6)
    np.testing.assert_allclose(_np(cls()(Y_TRUE, Y_PRED, sample_weight=weights)),
                               (per_sample * weights).mean(), rtol=1e-6)


def test_categorical_crossentropy_probs_logits_and_smoothing():
    expected = -np.sum(ONE_HOT * np.log(np.clip(PROBS, EPS, 1 - EPS)), axis=-1)
    np.testing.assert_allclose(_np(losses.categorical_crossentropy(ONE_HOT, PROBS)), expected,
                               rtol=1e-5)
    np.testing.assert_allclose(
        _np(losses.categorical_crossentropy(ONE_HOT, Y_PRED, from_logits=True)), expected,
        rtol=1e-5)
    smooth = ONE_HOT * 0.9 + 0.1 / 3
    np.testing.assert_allclose(
        _np(losses.CategoricalCrossentropy(label_smoothing=0.1, reduction="none")(ONE_HOT, PROBS)),
        -np.sum(smooth * np.log(PROBS), axis=-1), rtol=1e-5)


def test_sparse_categorical_crossentropy_matches_one_hot_form():
    expected = _np(losses.categorical_crossentropy(ONE_HOT, PROBS))
    np.testing.assert_allclose(_np(losses.sparse_categorical_crossentropy(LABELS, PROBS)),
                               expected, rtol=1e-6)
    np.testing.assert_allclose(
        _np(losses.sparse_categorical_crossentropy(LABELS[:, None], Y_PRED, from_logits=True)),
        expected, rtol=1e-5)
    ignored = losses.SparseCategoricalCrossentropy(ignore_class=2)(LABELS, PROBS)
    keep = LABELS != 2
    np.testing.assert_allclose(_np(ignored), expected[keep].mean(), rtol=1e-5)


def test_binary_crossentropy_probs_and_logits():
    target = (Y_TRUE > 0).astype("float32")
    probs = 1 / (1 + np.exp(-Y_PRED))
    expected = np.mean(-(target * np.log(probs) + (1 - target) * np.log(1 - probs)), axis=-1)
    np.testing.assert_allclose(_np(losses.binary_crossentropy(target, probs)), expected,
                               rtol=1e-5)
    np.testing.assert_allclose(
        _np(losses.BinaryCrossentropy(from_logits=True, reduction="none")(target, Y_PRED)),
        expected, rtol=1e-5)


def test_get_serialize_and_errors():
    assert losses.get("mse") is losses.mean_squared_error
    assert isinstance(losses.get("BinaryCrossentropy"), losses.BinaryCrossentropy)
    config = losses.serialize(losses.BinaryCrossentropy(from_logits=True))
    assert losses.deserialize(config).get_config()["from_logits"] is True
    with pytest.raises(ValueError, match="Did you mean 'mse'"):
        losses.get("mse_loss")
    with pytest.raises(ValueError, match="reduction"):
        losses.MeanSquaredError(reduction="avg")
