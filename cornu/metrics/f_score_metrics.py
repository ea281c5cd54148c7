"""F-scores: FBetaScore and F1Score, from per-class counts accumulated on the device."""

from __future__ import annotations

from typing import Any

from cornu import backend, ops
from cornu.metrics.metric import Metric


class FBetaScore(Metric):
    """The F-beta score ``(1 + beta^2) P R / (beta^2 P + R)`` of multi-label predictions.

    Args:
        average: ``None`` (one score per class), ``"micro"`` (counts pooled over
            classes), ``"macro"`` (mean of the class scores) or ``"weighted"`` (mean
            weighted by each class's number of true instances).
        beta: the weight of recall relative to precision (a float > 0).
        threshold: predictions above it count as positive; ``None`` takes the arg-max of
            each row.

    Example:
        >>> m = FBetaScore(beta=2.0, threshold=0.5)
        >>> m.update_state([[0, 1], [1, 0]], [[0.2, 0.9], [0.7, 0.6]])
    """

    def __init__(self, average: str | None = None, beta: float = 1.0,
                 threshold: float | None = None, name: str = "fbeta_score",
                 dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError("Invalid `average` argument value. Expected one of: {None, "
                             f"'micro', 'macro', 'weighted'}}. Received: average={average!r}")
        if not isinstance(beta, float):
            raise ValueError("Invalid `beta` argument value. It should be a Python float. "
                             f"Received: beta={beta!r} of type '{type(beta).__name__}'")
        if beta <= 0.0:
            raise ValueError(f"Invalid `beta` argument value. It should be > 0. Received: "
                             f"beta={beta}")
        if threshold is not None:
            if not isinstance(threshold, float):
                raise ValueError("Invalid `threshold` argument value. It should be a Python "
                                 f"float. Received: threshold={threshold!r} of type "
                                 f"'{type(threshold).__name__}'")
            if not 0.0 < threshold <= 1.0:
                raise ValueError("Invalid `threshold` argument value. It should verify "
                                 f"0 < threshold <= 1. Received: threshold={threshold}")
        self.average, self.beta, self.threshold = average, beta, threshold
        self.axis = None if average == "micro" else 0
        self._built = False

    def _build(self, true_shape: tuple, pred_shape: tuple) -> None:
        if len(pred_shape) != 2 or len(true_shape) != 2:
            raise ValueError(f"{type(self).__name__} expects 2D inputs with shape "
                             f"(batch_size, output_dim). Received input shapes: "
                             f"y_pred.shape={pred_shape} and y_true.shape={true_shape}.")
        shape = () if self.average == "micro" else (pred_shape[-1],)
        self.true_positives = self.add_variable(shape, name="true_positives")
        self.false_positives = self.add_variable(shape, name="false_positives")
        self.false_negatives = self.add_variable(shape, name="false_negatives")
        self.intermediate_weights = self.add_variable(shape, name="intermediate_weights")
        self._built = True

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        y_true = ops.convert_to_tensor(y_true, dtype=self.dtype)
        y_pred = ops.convert_to_tensor(y_pred, dtype=self.dtype)
        if not self._built:
            self._build(ops.shape(y_true), ops.shape(y_pred))
        if self.threshold is None:
            # The row maximum is positive, unless the whole row is zero.
            row_max = ops.max(y_pred, axis=-1, keepdims=True)
            predicted = ops.logical_and(y_pred >= row_max, ops.abs(y_pred) > 1e-9)
        else:
            predicted = y_pred > self.threshold
        predicted = ops.cast(predicted, self.dtype)
        weight = None if sample_weight is None else ops.expand_dims(
            ops.convert_to_tensor(sample_weight, dtype=self.dtype), 1)

        def weighted_sum(values: Any) -> Any:
            return ops.sum(values if weight is None else values * weight, axis=self.axis)

        self.true_positives.assign_add(weighted_sum(predicted * y_true))
        self.false_positives.assign_add(weighted_sum(predicted * (1.0 - y_true)))
        self.false_negatives.assign_add(weighted_sum((1.0 - predicted) * y_true))
        self.intermediate_weights.assign_add(weighted_sum(y_true))

    def result(self) -> Any:
        eps = backend.epsilon()
        tp = self.true_positives
        precision = tp / (tp + self.false_positives + eps)
        recall = tp / (tp + self.false_negatives + eps)
        beta2 = self.beta ** 2
        score = (1.0 + beta2) * (precision * recall / (beta2 * precision + recall + eps))
        if self.average == "weighted":
            weights = self.intermediate_weights / (ops.sum(self.intermediate_weights) + eps)
            return ops.sum(score * weights)
        if self.average is not None:
            return ops.mean(score)
        return score

    def reset_state(self) -> None:
        for v in self.variables:
            v.assign(ops.zeros(tuple(v.shape), dtype=v.dtype))

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "average": self.average,
                "beta": self.beta, "threshold": self.threshold}


class F1Score(FBetaScore):
    """The F1 score, ``2 P R / (P + R)`` (see :class:`FBetaScore`)."""

    def __init__(self, average: str | None = None, threshold: float | None = None,
                 name: str = "f1_score", dtype: Any = None) -> None:
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["beta"]
        return config
