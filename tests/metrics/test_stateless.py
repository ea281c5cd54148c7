"""``Metric.stateless_update_state`` / ``stateless_result`` / ``stateless_reset_state``
equal the stateful methods for every built-in metric and change no metric variable."""

from __future__ import annotations

import numpy as np
import pytest

from cornu import metrics, ops

F = "float32"
rng = np.random.default_rng(0)
PROB = rng.uniform(0.05, 0.95, (8, 3)).astype(F)
ONE_HOT = np.eye(3, dtype=F)[rng.integers(0, 3, 8)]
LABELS = rng.integers(0, 3, 8)
BINARY = rng.integers(0, 2, (8, 3)).astype(F)
REAL = rng.standard_normal((8, 3)).astype(F)

# (factory, y_true, y_pred)
CASES = {
    "AUC": (lambda: metrics.AUC(num_thresholds=20), BINARY, PROB),
    "Accuracy": (metrics.Accuracy, LABELS, LABELS),
    "BinaryAccuracy": (metrics.BinaryAccuracy, BINARY, PROB),
    "BinaryCrossentropy": (metrics.BinaryCrossentropy, BINARY, PROB),
    "BinaryIoU": (metrics.BinaryIoU, BINARY, PROB),
    "CategoricalAccuracy": (metrics.CategoricalAccuracy, ONE_HOT, PROB),
    "CategoricalCrossentropy": (metrics.CategoricalCrossentropy, ONE_HOT, PROB),
    "CategoricalHinge": (metrics.CategoricalHinge, ONE_HOT, REAL),
    "ConcordanceCorrelation": (metrics.ConcordanceCorrelation, REAL, REAL * 0.5 + 0.1),
    "CosineSimilarity": (metrics.CosineSimilarity, REAL, PROB),
    "F1Score": (lambda: metrics.F1Score(threshold=0.5), BINARY, PROB),
    "FBetaScore": (lambda: metrics.FBetaScore(beta=2.0, threshold=0.5), BINARY, PROB),
    "FalseNegatives": (metrics.FalseNegatives, BINARY, PROB),
    "FalsePositives": (metrics.FalsePositives, BINARY, PROB),
    "Hinge": (metrics.Hinge, BINARY, REAL),
    "IoU": (lambda: metrics.IoU(3, target_class_ids=[0, 1]), LABELS, LABELS[::-1].copy()),
    "KLDivergence": (metrics.KLDivergence, ONE_HOT + 0.1, PROB),
    "LogCoshError": (metrics.LogCoshError, REAL, PROB),
    "Mean": (metrics.Mean, None, REAL),
    "MeanAbsoluteError": (metrics.MeanAbsoluteError, REAL, PROB),
    "MeanAbsolutePercentageError": (metrics.MeanAbsolutePercentageError, REAL + 3, PROB),
    "MeanIoU": (lambda: metrics.MeanIoU(3), LABELS, LABELS[::-1].copy()),
    "MeanSquaredError": (metrics.MeanSquaredError, REAL, PROB),
    "MeanSquaredLogarithmicError": (metrics.MeanSquaredLogarithmicError, PROB, PROB[::-1]),
    "OneHotIoU": (lambda: metrics.OneHotIoU(3, target_class_ids=[0, 2]), ONE_HOT, PROB),
    "OneHotMeanIoU": (lambda: metrics.OneHotMeanIoU(3), ONE_HOT, PROB),
    "PearsonCorrelation": (metrics.PearsonCorrelation, REAL, REAL * 0.5 + PROB),
    "Poisson": (metrics.Poisson, PROB, PROB[::-1]),
    "Precision": (metrics.Precision, BINARY, PROB),
    "PrecisionAtRecall": (lambda: metrics.PrecisionAtRecall(0.5, num_thresholds=20),
                          BINARY, PROB),
    "R2Score": (metrics.R2Score, REAL, REAL * 0.5),
    "Recall": (metrics.Recall, BINARY, PROB),
    "RecallAtPrecision": (lambda: metrics.RecallAtPrecision(0.5, num_thresholds=20),
                          BINARY, PROB),
    "RootMeanSquaredError": (metrics.RootMeanSquaredError, REAL, PROB),
    "SensitivityAtSpecificity": (lambda: metrics.SensitivityAtSpecificity(
        0.5, num_thresholds=20), BINARY, PROB),
    "SparseCategoricalAccuracy": (metrics.SparseCategoricalAccuracy, LABELS, PROB),
    "SparseCategoricalCrossentropy": (metrics.SparseCategoricalCrossentropy, LABELS, PROB),
    "SparseTopKCategoricalAccuracy": (lambda: metrics.SparseTopKCategoricalAccuracy(k=2),
                                      LABELS, PROB),
    "SpecificityAtSensitivity": (lambda: metrics.SpecificityAtSensitivity(
        0.5, num_thresholds=20), BINARY, PROB),
    "SquaredHinge": (metrics.SquaredHinge, BINARY, REAL),
    "Sum": (metrics.Sum, None, REAL),
    "TopKCategoricalAccuracy": (lambda: metrics.TopKCategoricalAccuracy(k=2), ONE_HOT, PROB),
    "TrueNegatives": (metrics.TrueNegatives, BINARY, PROB),
    "TruePositives": (metrics.TruePositives, BINARY, PROB),
}


def _update(metric, y_true, y_pred, values=None):
    args = (y_pred,) if y_true is None else (y_true, y_pred)
    if values is None:
        return metric.update_state(*args)
    return metric.stateless_update_state(values, *args)


def _numpy(x):
    if isinstance(x, dict):
        return {k: _numpy(v) for k, v in x.items()}
    return ops.convert_to_numpy(x)


@pytest.mark.parametrize("name", sorted(CASES))
def test_stateless_metric_equals_stateful(name):
    factory, y_true, y_pred = CASES[name]
    metric = factory()
    _update(metric, y_true, y_pred)  # some state to start from
    values = [v.numpy() for v in metric.variables]
    before = [v.copy() for v in values]
    values = _update(metric, y_true[::-1].copy() if y_true is not None else None,
                     y_pred, values)
    stateless = _numpy(metric.stateless_result(values))
    for a, v in zip(before, metric.variables):
        np.testing.assert_array_equal(a, v.numpy())
    _update(metric, y_true[::-1].copy() if y_true is not None else None, y_pred)
    np.testing.assert_allclose(stateless, _numpy(metric.result()), rtol=1e-5, atol=1e-6)
    reset = metric.stateless_reset_state()
    assert not all(np.array_equal(ops.convert_to_numpy(r), v.numpy())
                   for r, v in zip(reset, metric.variables))
    metric.reset_state()
    for r, v in zip(reset, metric.variables):
        np.testing.assert_array_equal(ops.convert_to_numpy(r), v.numpy())


def test_wrong_number_of_values_raises():
    metric = metrics.Mean()
    with pytest.raises(ValueError, match="must have 2 values.*Received 1"):
        metric.stateless_update_state([np.zeros(())], np.ones(3, F))
