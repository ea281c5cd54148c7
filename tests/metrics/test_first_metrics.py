"""Mean, the accuracy family, MSE/MAE metrics: state, sample weights, reset."""

import numpy as np
import pytest

from cornu import metrics, ops


def _value(metric):
    return float(ops.convert_to_numpy(metric.result()))


def test_mean_weighted_running_mean_and_reset():
    m = metrics.Mean()
    m.update_state([1.0, 3.0, 5.0, 7.0], sample_weight=[1, 1, 0, 0])
    assert _value(m) == pytest.approx(2.0)
    m.update_state(np.array([[10.0, 20.0]]))  # one sample, mean over the other axis
    assert _value(m) == pytest.approx((1 + 3 + 15) / 3)
    m.reset_state()
    assert _value(m) == 0.0


def test_accuracy_family():
    accuracy = metrics.Accuracy()([[1], [2], [3]], [[1], [0], [3]])  # update, then result
    assert float(ops.convert_to_numpy(accuracy)) == pytest.approx(2 / 3)
    binary = metrics.BinaryAccuracy(threshold=0.7)
    binary.update_state([[1], [0], [1]], [[0.8], [0.6], [0.5]])
    assert _value(binary) == pytest.approx(2 / 3)
    cat = metrics.CategoricalAccuracy()
    cat.update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.2, 0.7], [0.6, 0.3, 0.1]],
                     sample_weight=[0.25, 0.75])
    assert _value(cat) == pytest.approx(0.25)
    sparse = metrics.SparseCategoricalAccuracy()
    sparse.update_state([[2], [1]], [[0.1, 0.2, 0.7], [0.6, 0.3, 0.1]])
    assert _value(sparse) == pytest.approx(0.5)


def test_regression_metrics_accumulate_over_updates():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((2, 4, 3))
    mse, mae = metrics.MeanSquaredError(), metrics.MeanAbsoluteError()
    for m in (mse, mae):
        m.update_state(a[:2], b[:2])
        m.update_state(a[2:], b[2:])
    assert _value(mse) == pytest.approx(np.mean((a - b) ** 2), rel=1e-5)
    assert _value(mae) == pytest.approx(np.mean(np.abs(a - b)), rel=1e-5)


def test_metric_lookup_and_config():
    # As in Keras 3, metric aliases give metric objects (losses.get("mae") gives the function).
    assert isinstance(metrics.get("mae"), metrics.MeanAbsoluteError)
    m = metrics.deserialize(metrics.serialize(metrics.BinaryAccuracy(threshold=0.3, name="b")))
    assert m.name == "b" and m.get_config()["threshold"] == 0.3
    with pytest.raises(ValueError, match="Unknown metric"):
        metrics.get("acuracy")
