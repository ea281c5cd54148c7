"""Overlap losses for segmentation: Dice and Tversky."""

from __future__ import annotations

from typing import Any

from cornu import backend, ops
from cornu.losses.loss import LossFunctionWrapper, check_broadcastable


def _pair(y_true: Any, y_pred: Any, fn_name: str) -> tuple:
    y_pred = ops.convert_to_tensor(y_pred)
    if not backend.is_float_dtype(ops.dtype(y_pred)):
        y_pred = ops.cast(y_pred, backend.floatx())
    y_true = ops.cast(y_true, ops.dtype(y_pred))
    check_broadcastable(y_true, y_pred, fn_name)
    return y_true, y_pred


def dice(y_true, y_pred, axis=None):
    """``1 - 2 sum(y_true * y_pred) / (sum(y_true) + sum(y_pred))`` over ``axis``
    (all axes when ``None``, giving one value for the batch)."""
    y_true, y_pred = _pair(y_true, y_pred, "dice")
    intersection = ops.sum(y_true * y_pred, axis=axis)
    total = ops.sum(y_true, axis=axis) + ops.sum(y_pred, axis=axis) + backend.epsilon()
    return 1.0 - 2.0 * intersection / total


def tversky(y_true, y_pred, alpha=0.5, beta=0.5, axis=None):
    """``1 - TP / (TP + alpha FP + beta FN)`` over ``axis`` (Salehi et al., 2017);
    ``alpha = beta = 0.5`` is the Dice loss."""
    y_true, y_pred = _pair(y_true, y_pred, "tversky")
    intersection = ops.sum(y_true * y_pred, axis=axis)
    false_pos = ops.sum((1.0 - y_pred) * y_true, axis=axis)
    false_neg = ops.sum(y_pred * (1.0 - y_true), axis=axis)
    return 1.0 - intersection / (intersection + false_pos * alpha + false_neg * beta +
                                 backend.epsilon())


class Dice(LossFunctionWrapper):
    """Dice loss (see :func:`dice`)."""

    def __init__(self, reduction: Any = "sum_over_batch_size", name: str = "dice",
                 axis: Any = None, dtype: Any = None) -> None:
        super().__init__(dice, reduction=reduction, name=name, dtype=dtype, axis=axis)
        self.axis = axis


class Tversky(LossFunctionWrapper):
    """Tversky loss, weighting false positives by ``alpha`` and false negatives by ``beta``."""

    def __init__(self, alpha: float = 0.5, beta: float = 0.5,
                 reduction: Any = "sum_over_batch_size", name: str = "tversky",
                 axis: Any = None, dtype: Any = None) -> None:
        super().__init__(tversky, reduction=reduction, name=name, dtype=dtype, alpha=alpha,
                         beta=beta, axis=axis)
        self.alpha, self.beta, self.axis = alpha, beta, axis
