"""Threshold-bucketed confusion-matrix accumulation, shared by the confusion metrics.

Every threshold is handled at once on the device: either one broadcast comparison
(``predictions > thresholds[:, None]``) or, for evenly spaced thresholds, one
scatter-add of each prediction into its threshold bucket followed by a reverse cumulative
sum. Nothing is read back to the host.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cornu import backend, ops
from cornu.losses.loss import squeeze_or_expand_to_same_rank

NEG_INF = -1e10
KINDS = ("true_positives", "false_positives", "true_negatives", "false_negatives")


def parse_thresholds(thresholds: Any, default: float = 0.5) -> list:
    """A list of thresholds in [0, 1] (``default`` alone when ``thresholds`` is None)."""
    if thresholds is None:
        return [default]
    values = list(thresholds) if isinstance(thresholds, (list, tuple, np.ndarray)) \
        else [thresholds]
    invalid = [t for t in values if t is None or not 0 <= t <= 1]
    if invalid:
        raise ValueError(f"Threshold values must be in [0, 1]. Received: {invalid}")
    return [float(t) for t in values]


def evenly_distributed(thresholds: Any) -> bool:
    """Whether ``thresholds`` are ``i / (n - 1)`` for ``i = 0..n-1`` (n >= 3)."""
    n = len(thresholds)
    if n < 3:
        return False
    even = np.arange(n, dtype=np.float32) / (n - 1)
    return bool(np.allclose(thresholds, even, atol=backend.epsilon()))


def _filter_top_k(x: Any, k: int) -> Any:
    """Keeps the ``k`` largest predictions per row; the others become very negative."""
    _, indices = ops.top_k(x, k)
    in_top = ops.sum(ops.one_hot(indices, ops.shape(x)[-1], dtype=ops.dtype(x)), axis=-2)
    return x * in_top + NEG_INF * (1.0 - in_top)


def _bucketed_counts(y_true: Any, y_pred: Any, weights: Any, num_thresholds: int,
                     multi_label: bool, with_epsilon: bool) -> tuple:
    """(tp, fp, positives, negatives) for evenly spaced thresholds, from bucket sums."""
    y_pred = ops.clip(y_pred, 0.0, 1.0)
    y_true = ops.cast(ops.cast(y_true, "bool"), ops.dtype(y_pred))
    if not multi_label:
        y_true, y_pred = ops.reshape(y_true, (-1,)), ops.reshape(y_pred, (-1,))
        if weights is not None:
            weights = ops.reshape(weights, (-1,))
    positives = y_true if weights is None else y_true * weights
    negatives = (1.0 - y_true) if weights is None else (1.0 - y_true) * weights
    # A prediction p is above threshold i / (n - 1) for every i < ceil(p (n - 1)), so it
    # lands in bucket ceil(p (n - 1)) - 1; -1 (not above any threshold) goes to a spare
    # bucket that is dropped.
    bucket = ops.ceil(y_pred * float(num_thresholds - 1)) - 1.0
    if with_epsilon:
        bucket = ops.maximum(bucket, 0.0)
    bucket = ops.cast(bucket, "int64")
    spare = num_thresholds
    bucket = ops.where(bucket < 0, spare, bucket)
    width = num_thresholds + 1
    if multi_label:
        num_labels = ops.shape(y_pred)[-1]
        bucket = bucket + ops.arange(num_labels, dtype="int64") * width
        size = num_labels * width
    else:
        size = width

    def bucket_sums(values: Any) -> Any:
        sums = ops.segment_sum(ops.reshape(values, (-1,)), ops.reshape(bucket, (-1,)),
                               num_segments=size)
        if multi_label:
            return ops.transpose(ops.reshape(sums, (-1, width))[:, :num_thresholds])
        return sums[:num_thresholds]

    def above(values: Any) -> Any:
        sums = bucket_sums(values)
        return ops.flip(ops.cumsum(ops.flip(sums, axis=0), axis=0), axis=0)

    axis = 0 if multi_label else None
    return (above(positives), above(negatives), ops.sum(positives, axis=axis),
            ops.sum(negatives, axis=axis))


def _compared_counts(y_true: Any, y_pred: Any, weights: Any, thresholds: Any,
                     multi_label: bool) -> tuple:
    """(tp, fp, positives, negatives) from one broadcast comparison with all thresholds."""
    if multi_label:
        pred_is_pos = ops.greater(ops.expand_dims(y_pred, 0),
                                  ops.reshape(thresholds, (-1, 1, 1)))
    else:
        y_pred, y_true = ops.reshape(y_pred, (-1,)), ops.reshape(y_true, (-1,))
        if weights is not None:
            weights = ops.reshape(weights, (-1,))
        pred_is_pos = ops.greater(ops.expand_dims(y_pred, 0), ops.reshape(thresholds, (-1, 1)))
    dtype = ops.dtype(y_pred)
    label_is_pos = ops.cast(ops.cast(y_true, "bool"), dtype)
    positives = label_is_pos if weights is None else label_is_pos * weights
    negatives = (1.0 - label_is_pos) if weights is None else (1.0 - label_is_pos) * weights
    above = ops.cast(pred_is_pos, dtype)
    return (ops.sum(above * positives, axis=1), ops.sum(above * negatives, axis=1),
            ops.sum(positives, axis=0), ops.sum(negatives, axis=0))


class ThresholdCache:
    """The thresholds as a device tensor, made once: copying a list to the device on every
    update would wait for the device."""

    def __init__(self, thresholds: Any, evenly: bool) -> None:
        self.values = thresholds
        self.evenly = evenly
        self._tensor = None

    def get(self, dtype: str) -> Any:
        if self.evenly:
            return self.values
        if self._tensor is None:
            self._tensor = ops.convert_to_tensor(np.asarray(self.values, dtype=dtype))
        return self._tensor


def update_confusion_matrix_variables(variables: dict, y_true: Any, y_pred: Any,
                                      thresholds: Any, top_k: int | None = None,
                                      class_id: int | None = None, sample_weight: Any = None,
                                      multi_label: bool = False, label_weights: Any = None,
                                      thresholds_distributed_evenly: bool = False) -> None:
    """Adds this batch's weighted confusion counts, one per threshold, to ``variables``
    (a dict with some of the keys in ``KINDS``).

    A prediction counts as positive at a threshold when it is strictly greater than it.
    """
    dtype = ops.dtype(next(iter(variables.values())))
    y_true = ops.cast(y_true, dtype)
    y_pred = ops.cast(y_pred, dtype)
    with_epsilon = bool(thresholds_distributed_evenly and
                        (float(thresholds[0]) < 0.0 or float(thresholds[-1]) > 1.0))
    num_thresholds = len(thresholds)
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    if sample_weight is not None:
        sample_weight = ops.expand_dims(ops.cast(sample_weight, dtype), -1)
        _, sample_weight = squeeze_or_expand_to_same_rank(y_true, sample_weight,
                                                          expand_rank_1=False)
    if top_k is not None:
        y_pred = _filter_top_k(y_pred, top_k)
    if class_id is not None:
        if len(ops.shape(y_pred)) == 1:
            raise ValueError("When class_id is provided, y_pred must be a 2D array with shape "
                             f"(num_samples, num_classes). Received: y_pred.shape="
                             f"{ops.shape(y_pred)}")
        y_true = y_true[..., class_id:class_id + 1]
        y_pred = y_pred[..., class_id:class_id + 1]
    weights = None
    if sample_weight is not None:
        weights = ops.broadcast_to(sample_weight, ops.shape(y_pred))
    if label_weights is not None and not multi_label:
        label_weights = ops.broadcast_to(ops.expand_dims(ops.cast(label_weights, dtype), 0),
                                         ops.shape(y_pred))
        weights = label_weights if weights is None else weights * label_weights
    if thresholds_distributed_evenly:
        tp, fp, pos, neg = _bucketed_counts(y_true, y_pred, weights, num_thresholds,
                                            multi_label, with_epsilon)
    else:
        if not ops.is_tensor(thresholds):
            thresholds = ops.convert_to_tensor(thresholds, dtype=dtype)
        tp, fp, pos, neg = _compared_counts(y_true, y_pred, weights, thresholds, multi_label)
    counts = {"true_positives": tp, "false_positives": fp, "false_negatives": pos - tp,
              "true_negatives": neg - fp}
    for kind, variable in variables.items():
        variable.assign_add(counts[kind])
