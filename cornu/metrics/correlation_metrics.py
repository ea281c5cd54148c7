"""Correlation metrics: Pearson and concordance correlation coefficients."""

from __future__ import annotations

from typing import Any

from cornu import backend, ops
from cornu.losses.loss import prepare_targets
from cornu.metrics.reduction_metrics import MeanMetricWrapper


def pearson_correlation(y_true, y_pred, axis=-1):
    """Pearson correlation coefficient of ``y_true`` and ``y_pred`` along ``axis``."""
    y_true, y_pred = prepare_targets(y_true, y_pred, "pearson_correlation")
    true_centered = y_true - ops.mean(y_true, axis=axis, keepdims=True)
    pred_centered = y_pred - ops.mean(y_pred, axis=axis, keepdims=True)
    true_centered = true_centered / ops.std(true_centered, axis=axis, keepdims=True)
    pred_centered = pred_centered / ops.std(pred_centered, axis=axis, keepdims=True)
    return ops.mean(true_centered * pred_centered, axis=axis)


def concordance_correlation(y_true, y_pred, axis=-1):
    """Lin's concordance correlation coefficient along ``axis``, as Keras 3 computes it
    (its covariance term centres ``y_true`` on the mean of ``y_pred``)."""
    y_true, y_pred = prepare_targets(y_true, y_pred, "concordance_correlation")
    true_mean = ops.mean(y_true, axis=axis, keepdims=True)
    pred_mean = ops.mean(y_pred, axis=axis, keepdims=True)
    true_var = ops.var(y_true - true_mean, axis=axis, keepdims=True)
    pred_var = ops.var(y_pred - pred_mean, axis=axis, keepdims=True)
    covariance = (y_true - pred_mean) * (y_pred - pred_mean)
    norm = true_var + pred_var + ops.square(true_mean - pred_mean)
    return ops.mean(2.0 * covariance / (norm + backend.epsilon()), axis=axis)


class PearsonCorrelation(MeanMetricWrapper):
    """The running mean of the per-sample Pearson correlation along ``axis``."""

    def __init__(self, name: str = "pearson_correlation", dtype: Any = None,
                 axis: int = -1) -> None:
        super().__init__(pearson_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis


class ConcordanceCorrelation(MeanMetricWrapper):
    """The running mean of the per-sample concordance correlation along ``axis``."""

    def __init__(self, name: str = "concordance_correlation", dtype: Any = None,
                 axis: int = -1) -> None:
        super().__init__(concordance_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis
