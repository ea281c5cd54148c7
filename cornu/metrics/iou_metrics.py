"""Intersection-over-union metrics, from a confusion matrix accumulated on the device."""

from __future__ import annotations

from typing import Any

from cornu import backend, ops
from cornu.metrics.metric import Metric


def confusion_matrix(labels: Any, predictions: Any, num_classes: int, weights: Any = None,
                     dtype: str = "int32") -> Any:
    """The ``(num_classes, num_classes)`` matrix of (weighted) label/prediction pairs:
    rows are labels, columns predictions."""
    labels = ops.cast(labels, "int64")
    predictions = ops.cast(predictions, "int64")
    index = labels * num_classes + predictions
    values = ops.ones_like(predictions, dtype=dtype) if weights is None else \
        ops.cast(weights, dtype)
    counts = ops.segment_sum(values, index, num_segments=num_classes * num_classes)
    return ops.reshape(counts, (num_classes, num_classes))


class _IoUBase(Metric):
    """Accumulates the confusion matrix; labels/predictions out of range or equal to
    ``ignore_class`` are left out."""

    def __init__(self, num_classes: int, name: str | None = None, dtype: Any = None,
                 ignore_class: int | None = None, sparse_y_true: bool = True,
                 sparse_y_pred: bool = True, axis: int = -1) -> None:
        super().__init__(name=name, dtype=dtype or "int32")
        self.num_classes = num_classes
        self.ignore_class = ignore_class
        self.sparse_y_true = sparse_y_true
        self.sparse_y_pred = sparse_y_pred
        self.axis = axis
        self.total_cm = self.add_variable((num_classes, num_classes),
                                          name="total_confusion_matrix", dtype=self.dtype)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        if not self.sparse_y_true:
            y_true = ops.argmax(y_true, axis=self.axis)
        if not self.sparse_y_pred:
            y_pred = ops.argmax(y_pred, axis=self.axis)
        y_true = ops.reshape(ops.convert_to_tensor(y_true, dtype=self.dtype), (-1,))
        y_pred = ops.reshape(ops.convert_to_tensor(y_pred, dtype=self.dtype), (-1,))
        weight = ops.ones_like(y_true) if sample_weight is None else \
            ops.convert_to_tensor(sample_weight, dtype=self.dtype)
        if len(ops.shape(weight)) > 1:
            weight = ops.reshape(weight, (-1,))
        weight = ops.broadcast_to(weight, ops.shape(y_true))
        valid = ops.logical_and(
            ops.logical_and(y_true >= 0, y_true < self.num_classes),
            ops.logical_and(y_pred >= 0, y_pred < self.num_classes))
        if self.ignore_class is not None:
            valid = ops.logical_and(valid, ops.not_equal(y_true, self.ignore_class))
        y_true = ops.where(valid, y_true, 0)
        y_pred = ops.where(valid, y_pred, 0)
        weight = ops.where(valid, weight, 0)
        self.total_cm.assign_add(confusion_matrix(y_true, y_pred, self.num_classes,
                                                  weights=weight, dtype=self.dtype))

    def reset_state(self) -> None:
        self.total_cm.assign(ops.zeros(tuple(self.total_cm.shape), dtype=self.total_cm.dtype))


class IoU(_IoUBase):
    """The mean intersection-over-union ``TP / (TP + FP + FN)`` of ``target_class_ids``;
    classes absent from both labels and predictions are left out of the mean.

    Example:
        >>> m = IoU(num_classes=2, target_class_ids=[0])
        >>> m.update_state([0, 0, 1, 1], [0, 1, 0, 1])
        >>> float(m.result())  # 1 / 3
    """

    def __init__(self, num_classes: int, target_class_ids: Any, name: str | None = None,
                 dtype: Any = None, ignore_class: int | None = None,
                 sparse_y_true: bool = True, sparse_y_pred: bool = True,
                 axis: int = -1) -> None:
        super().__init__(num_classes=num_classes, name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=sparse_y_true,
                         sparse_y_pred=sparse_y_pred, axis=axis)
        if max(target_class_ids) >= num_classes:
            raise ValueError(f"Target class id {max(target_class_ids)} is out of range, which "
                             f"is [0, {num_classes}).")
        self.target_class_ids = list(target_class_ids)

    def result(self) -> Any:
        cm = ops.cast(self.total_cm, "float32")
        true_positives = ops.diagonal(cm)
        denominator = ops.sum(cm, axis=0) + ops.sum(cm, axis=1) - true_positives
        ids = ops.convert_to_tensor(self.target_class_ids, dtype="int64")
        true_positives = ops.take(true_positives, ids)
        denominator = ops.take(denominator, ids)
        valid = ops.greater(denominator, 1e-9)
        iou = ops.where(valid, true_positives / (denominator + backend.epsilon()), 0.0)
        return ops.sum(iou) / (ops.sum(ops.cast(valid, "float32")) + backend.epsilon())

    def get_config(self) -> dict:
        return {**super().get_config(), "num_classes": self.num_classes,
                "target_class_ids": self.target_class_ids, "ignore_class": self.ignore_class,
                "sparse_y_true": self.sparse_y_true, "sparse_y_pred": self.sparse_y_pred,
                "axis": self.axis}


class BinaryIoU(IoU):
    """IoU of binary predictions, thresholded at ``threshold`` (``>=`` counts as 1)."""

    def __init__(self, target_class_ids: Any = (0, 1), threshold: float = 0.5,
                 name: str | None = None, dtype: Any = None) -> None:
        super().__init__(num_classes=2, target_class_ids=target_class_ids, name=name,
                         dtype=dtype)
        self.threshold = threshold

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        y_pred = ops.convert_to_tensor(y_pred, dtype="float32")
        super().update_state(y_true, ops.cast(y_pred >= self.threshold, self.dtype),
                             sample_weight)

    def get_config(self) -> dict:
        return {"target_class_ids": self.target_class_ids, "threshold": self.threshold,
                "name": self.name, "dtype": self.dtype}


class MeanIoU(IoU):
    """The mean IoU over all ``num_classes`` classes."""

    def __init__(self, num_classes: int, name: str | None = None, dtype: Any = None,
                 ignore_class: int | None = None, sparse_y_true: bool = True,
                 sparse_y_pred: bool = True, axis: int = -1) -> None:
        super().__init__(num_classes=num_classes, target_class_ids=list(range(num_classes)),
                         name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=sparse_y_true, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self) -> dict:
        return {"num_classes": self.num_classes, "name": self.name, "dtype": self.dtype,
                "ignore_class": self.ignore_class, "sparse_y_true": self.sparse_y_true,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class OneHotIoU(IoU):
    """IoU of ``target_class_ids`` for one-hot labels (and scores or one-hot predictions)."""

    def __init__(self, num_classes: int, target_class_ids: Any, name: str | None = None,
                 dtype: Any = None, ignore_class: int | None = None,
                 sparse_y_pred: bool = False, axis: int = -1) -> None:
        super().__init__(num_classes=num_classes, target_class_ids=target_class_ids, name=name,
                         dtype=dtype, ignore_class=ignore_class, sparse_y_true=False,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self) -> dict:
        return {"num_classes": self.num_classes, "target_class_ids": self.target_class_ids,
                "name": self.name, "dtype": self.dtype, "ignore_class": self.ignore_class,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class OneHotMeanIoU(MeanIoU):
    """Mean IoU over all classes for one-hot labels."""

    def __init__(self, num_classes: int, name: str | None = None, dtype: Any = None,
                 ignore_class: int | None = None, sparse_y_pred: bool = False,
                 axis: int = -1) -> None:
        super().__init__(num_classes=num_classes, name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=False,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self) -> dict:
        return {"num_classes": self.num_classes, "name": self.name, "dtype": self.dtype,
                "ignore_class": self.ignore_class, "sparse_y_pred": self.sparse_y_pred,
                "axis": self.axis}
