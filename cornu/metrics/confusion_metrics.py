"""Confusion-matrix metrics: counts, precision and recall, the operating-point metrics
(precision at recall, ...), and AUC. All accumulate per-threshold counts on the device."""

from __future__ import annotations

from typing import Any

import numpy as np

from cornu import backend, ops
from cornu.metrics import confusion_utils as cu
from cornu.metrics.metric import Metric


def _maybe_scalar(values: Any, thresholds: list) -> Any:
    return values[0] if len(thresholds) == 1 else values


class _ConfusionMatrixConditionCount(Metric):
    """One confusion-matrix count (``kind``) per threshold."""

    _kind = ""

    def __init__(self, thresholds: Any = None, name: str | None = None,
                 dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = cu.parse_thresholds(thresholds, default=0.5)
        self._evenly = cu.evenly_distributed(self.thresholds)
        self._cache = cu.ThresholdCache(self.thresholds, self._evenly)
        self.accumulator = self.add_variable((len(self.thresholds),), name="accumulator")

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        cu.update_confusion_matrix_variables({self._kind: self.accumulator}, y_true, y_pred,
                                             self._cache.get(self.dtype),
                                             sample_weight=sample_weight,
                                             thresholds_distributed_evenly=self._evenly)

    def result(self) -> Any:
        return ops.copy(_maybe_scalar(self.accumulator, self.thresholds))

    def get_config(self) -> dict:
        return {**super().get_config(), "thresholds": self.init_thresholds}


class TruePositives(_ConfusionMatrixConditionCount):
    """The (weighted) number of true positives at each threshold."""

    _kind = "true_positives"


class FalsePositives(_ConfusionMatrixConditionCount):
    """The (weighted) number of false positives at each threshold."""

    _kind = "false_positives"


class TrueNegatives(_ConfusionMatrixConditionCount):
    """The (weighted) number of true negatives at each threshold."""

    _kind = "true_negatives"


class FalseNegatives(_ConfusionMatrixConditionCount):
    """The (weighted) number of false negatives at each threshold."""

    _kind = "false_negatives"


class _PrecisionRecall(Metric):
    """Shared state of Precision and Recall: true positives and one error count."""

    _error = ""

    def __init__(self, thresholds: Any = None, top_k: int | None = None,
                 class_id: int | None = None, name: str | None = None,
                 dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        default = 0.5 if top_k is None else cu.NEG_INF
        self.thresholds = [default] if thresholds is None else cu.parse_thresholds(thresholds)
        self._evenly = cu.evenly_distributed(self.thresholds)
        self._cache = cu.ThresholdCache(self.thresholds, self._evenly)
        self.true_positives = self.add_variable((len(self.thresholds),), name="true_positives")
        setattr(self, self._error, self.add_variable((len(self.thresholds),), name=self._error))

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        cu.update_confusion_matrix_variables(
            {"true_positives": self.true_positives, self._error: getattr(self, self._error)},
            y_true, y_pred, self._cache.get(self.dtype), top_k=self.top_k,
            class_id=self.class_id,
            sample_weight=sample_weight, thresholds_distributed_evenly=self._evenly)

    def result(self) -> Any:
        tp = self.true_positives
        value = ops.divide_no_nan(tp, tp + getattr(self, self._error))
        return _maybe_scalar(value, self.thresholds)

    def get_config(self) -> dict:
        return {**super().get_config(), "thresholds": self.init_thresholds,
                "top_k": self.top_k, "class_id": self.class_id}


class Precision(_PrecisionRecall):
    """``true_positives / (true_positives + false_positives)``, per threshold.

    Args:
        thresholds: a float or list of floats in [0, 1]; a prediction above it is positive
            (default 0.5, or "in the top k" when ``top_k`` is set).
        top_k: only the ``k`` highest predictions of each sample count as positive.
        class_id: compute the metric for this class only.

    Example:
        >>> m = Precision()
        >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
        >>> float(m.result())  # 2 / 3
    """

    _error = "false_positives"


class Recall(_PrecisionRecall):
    """``true_positives / (true_positives + false_negatives)``, per threshold
    (arguments as for :class:`Precision`)."""

    _error = "false_negatives"


class SensitivitySpecificityBase(Metric):
    """Four confusion counts at ``num_thresholds`` evenly spaced thresholds; subclasses
    pick the best value of one rate subject to a constraint on another."""

    def __init__(self, value: float, num_thresholds: int = 200, class_id: int | None = None,
                 name: str | None = None, dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        if num_thresholds <= 0:
            raise ValueError("Argument `num_thresholds` must be an integer > 0. Received: "
                             f"num_thresholds={num_thresholds}")
        self.value = value
        self.class_id = class_id
        if num_thresholds == 1:
            self.thresholds, self._evenly = [0.5], False
        else:
            self.thresholds = [i / (num_thresholds - 1) for i in range(num_thresholds)]
            self._evenly = True
        n = len(self.thresholds)
        self._cache = cu.ThresholdCache(self.thresholds, self._evenly)
        self.true_positives = self.add_variable((n,), name="true_positives")
        self.false_positives = self.add_variable((n,), name="false_positives")
        self.true_negatives = self.add_variable((n,), name="true_negatives")
        self.false_negatives = self.add_variable((n,), name="false_negatives")

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        cu.update_confusion_matrix_variables(
            {k: getattr(self, k) for k in cu.KINDS}, y_true, y_pred,
            self._cache.get(self.dtype), class_id=self.class_id, sample_weight=sample_weight,
            thresholds_distributed_evenly=self._evenly)

    def _rates(self) -> dict:
        tp, fp = self.true_positives, self.false_positives
        tn, fn = self.true_negatives, self.false_negatives
        return {"recall": ops.divide_no_nan(tp, tp + fn),
                "precision": ops.divide_no_nan(tp, tp + fp),
                "specificity": ops.divide_no_nan(tn, tn + fp)}

    def _max_under_constraint(self, constrained: Any, dependent: Any) -> Any:
        feasible = ops.greater_equal(constrained, self.value)
        return ops.max(ops.where(feasible, dependent, 0.0), initial=0.0)

    def get_config(self) -> dict:
        return {**super().get_config(), "class_id": self.class_id}


def _check_rate(name: str, value: float) -> None:
    if not 0 <= value <= 1:
        raise ValueError(f"Argument `{name}` must be in the range [0, 1]. Received: "
                         f"{name}={value}")


class SensitivityAtSpecificity(SensitivitySpecificityBase):
    """The best sensitivity (recall) over thresholds whose specificity is >= ``specificity``."""

    def __init__(self, specificity: float, num_thresholds: int = 200,
                 class_id: int | None = None, name: str | None = None,
                 dtype: Any = None) -> None:
        _check_rate("specificity", specificity)
        self.specificity, self.num_thresholds = specificity, num_thresholds
        super().__init__(specificity, num_thresholds, class_id, name, dtype)

    def result(self) -> Any:
        rates = self._rates()
        return self._max_under_constraint(rates["specificity"], rates["recall"])

    def get_config(self) -> dict:
        return {**super().get_config(), "num_thresholds": self.num_thresholds,
                "specificity": self.specificity}


class SpecificityAtSensitivity(SensitivitySpecificityBase):
    """The best specificity over thresholds whose sensitivity is >= ``sensitivity``."""

    def __init__(self, sensitivity: float, num_thresholds: int = 200,
                 class_id: int | None = None, name: str | None = None,
                 dtype: Any = None) -> None:
        _check_rate("sensitivity", sensitivity)
        self.sensitivity, self.num_thresholds = sensitivity, num_thresholds
        super().__init__(sensitivity, num_thresholds, class_id, name, dtype)

    def result(self) -> Any:
        rates = self._rates()
        return self._max_under_constraint(rates["recall"], rates["specificity"])

    def get_config(self) -> dict:
        return {**super().get_config(), "num_thresholds": self.num_thresholds,
                "sensitivity": self.sensitivity}


class PrecisionAtRecall(SensitivitySpecificityBase):
    """The best precision over thresholds whose recall is >= ``recall``."""

    def __init__(self, recall: float, num_thresholds: int = 200, class_id: int | None = None,
                 name: str | None = None, dtype: Any = None) -> None:
        _check_rate("recall", recall)
        self.recall, self.num_thresholds = recall, num_thresholds
        super().__init__(recall, num_thresholds, class_id, name, dtype)

    def result(self) -> Any:
        rates = self._rates()
        return self._max_under_constraint(rates["recall"], rates["precision"])

    def get_config(self) -> dict:
        return {**super().get_config(), "num_thresholds": self.num_thresholds,
                "recall": self.recall}


class RecallAtPrecision(SensitivitySpecificityBase):
    """The best recall over thresholds whose precision is >= ``precision``."""

    def __init__(self, precision: float, num_thresholds: int = 200,
                 class_id: int | None = None, name: str | None = None,
                 dtype: Any = None) -> None:
        _check_rate("precision", precision)
        self.precision, self.num_thresholds = precision, num_thresholds
        super().__init__(precision, num_thresholds, class_id, name, dtype)

    def result(self) -> Any:
        rates = self._rates()
        return self._max_under_constraint(rates["precision"], rates["recall"])

    def get_config(self) -> dict:
        return {**super().get_config(), "num_thresholds": self.num_thresholds,
                "precision": self.precision}


_CURVES = {"roc": "ROC", "pr": "PR", "prgain": "PRGAIN"}
_SUMMATIONS = ("interpolation", "majoring", "minoring")


class AUC(Metric):
    """Area under the ROC or precision-recall curve, from a Riemann sum over thresholds.

    Args:
        num_thresholds: how many evenly spaced thresholds to use (> 1).
        curve: ``"ROC"``, ``"PR"`` or ``"PRGAIN"``.
        summation_method: ``"interpolation"`` (trapezoids; for PR, the interpolation of
            Davis & Goadrich, 2006), ``"majoring"`` or ``"minoring"``.
        thresholds: explicit thresholds in [0, 1] (overrides ``num_thresholds``).
        multi_label: treat each column as a separate label and average their AUCs.
        num_labels: the number of labels, to create the state before the first update.
        label_weights: weights of the labels in the average (or of the classes when
            ``multi_label`` is False).
        from_logits: apply a sigmoid to the predictions first.

    Example:
        >>> m = AUC()
        >>> m.update_state([0, 0, 1, 1], [0.0, 0.5, 0.3, 0.9])
        >>> float(m.result())  # 0.75
    """

    def __init__(self, num_thresholds: int = 200, curve: str = "ROC",
                 summation_method: str = "interpolation", name: str | None = None,
                 dtype: Any = None, thresholds: Any = None, multi_label: bool = False,
                 num_labels: int | None = None, label_weights: Any = None,
                 from_logits: bool = False) -> None:
        curve_key = str(curve).lower()
        if curve_key not in _CURVES:
            raise ValueError(f'Invalid AUC curve value: "{curve}". Expected values are '
                             '["PR", "ROC", "PRGAIN"]')
        if str(summation_method).lower() not in _SUMMATIONS:
            raise ValueError(f'Invalid AUC summation method value: "{summation_method}". '
                             'Expected values are ["interpolation", "majoring", "minoring"]')
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            inner = sorted(cu.parse_thresholds(thresholds))
            self.num_thresholds = len(inner) + 2
            self._evenly = cu.evenly_distributed(np.array([0.0] + inner + [1.0]))
        else:
            if num_thresholds <= 1:
                raise ValueError("Argument `num_thresholds` must be an integer > 1. "
                                 f"Received: num_thresholds={num_thresholds}")
            self.num_thresholds = num_thresholds
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._evenly = True
        # End points just outside [0, 1] catch predictions of exactly 0 and 1.
        eps = backend.epsilon()
        self._thresholds = np.array([0.0 - eps] + inner + [1.0 + eps])
        self._cache = cu.ThresholdCache(self._thresholds, self._evenly)
        self.curve = _CURVES[curve_key]
        self.summation_method = str(summation_method).lower()
        super().__init__(name=name, dtype=dtype)
        self.multi_label = multi_label
        self.num_labels = num_labels
        self.label_weights = None if label_weights is None else \
            ops.convert_to_tensor(label_weights, dtype=self.dtype)
        self._from_logits = from_logits
        self._built = False
        if multi_label:
            if num_labels:
                self._build((None, num_labels))
        else:
            if num_labels:
                raise ValueError("`num_labels` is needed only when `multi_label` is True.")
            self._build(None)

    @property
    def thresholds(self) -> list:
        return list(self._thresholds)

    def _build(self, shape: Any) -> None:
        if self.multi_label:
            if len(shape) != 2:
                raise ValueError("`y_pred` must have rank 2 when `multi_label=True`. Found "
                                 f"rank {len(shape)}. Full shape received for `y_pred`: "
                                 f"{shape}")
            self._num_labels = shape[1]
            variable_shape = (self.num_thresholds, self._num_labels)
        else:
            variable_shape = (self.num_thresholds,)
        for kind in cu.KINDS:
            setattr(self, kind, self.add_variable(variable_shape, name=kind))
        self._built = True

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        y_pred = ops.convert_to_tensor(y_pred)
        if not self._built:
            self._build(ops.shape(y_pred))
        if self._from_logits:
            y_pred = ops.sigmoid(y_pred)
        cu.update_confusion_matrix_variables(
            {k: getattr(self, k) for k in cu.KINDS}, y_true, y_pred,
            self._cache.get(self.dtype), sample_weight=sample_weight,
            multi_label=self.multi_label,
            label_weights=None if self.multi_label else self.label_weights,
            thresholds_distributed_evenly=self._evenly)

    def _average(self, terms: Any) -> Any:
        if not self.multi_label:
            return ops.sum(terms)
        by_label = ops.sum(terms, axis=0)
        if self.label_weights is None:
            return ops.mean(by_label)
        return ops.divide_no_nan(ops.sum(by_label * self.label_weights),
                                 ops.sum(self.label_weights))

    def _interpolate_pr_auc(self) -> Any:
        """PR AUC by interpolating precision between thresholds (Davis & Goadrich, 2006)."""
        n = self.num_thresholds
        tp, fp, fn = self.true_positives, self.false_positives, self.false_negatives
        dtp = tp[:n - 1] - tp[1:]
        p = tp + fp
        dp = p[:n - 1] - p[1:]
        slope = ops.divide_no_nan(dtp, ops.maximum(dp, 0.0))
        intercept = tp[1:] - slope * p[1:]
        both_positive = ops.logical_and(p[:n - 1] > 0, p[1:] > 0)
        p_ratio = ops.where(both_positive, ops.divide_no_nan(p[:n - 1], ops.maximum(p[1:], 0.0)),
                            ops.ones_like(p[1:]))
        increments = ops.divide_no_nan(slope * (dtp + intercept * ops.log(p_ratio)),
                                       ops.maximum(tp[1:] + fn[1:], 0.0))
        return self._average(increments)

    def result(self) -> Any:
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._interpolate_pr_auc()
        tp, fp = self.true_positives, self.false_positives
        tn, fn = self.true_negatives, self.false_negatives
        recall = ops.divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = ops.divide_no_nan(fp, fp + tn), recall
        elif self.curve == "PR":
            x, y = recall, ops.divide_no_nan(tp, tp + fp)
        else:
            # Precision-recall gain: undefined without true positives (gain 0 / 1) and
            # clipped at 0 where recall is below the positive rate.
            scale = ops.divide_no_nan(tp + fn, tn + fp)
            recall_gain = 1.0 - scale * ops.divide_no_nan(fn, tp)
            precision_gain = 1.0 - scale * ops.divide_no_nan(fp, tp)
            no_tp = ops.equal(tp, 0.0)
            x = ops.maximum(ops.where(no_tp, 0.0, recall_gain), 0.0)
            y = ops.where(no_tp, 1.0, precision_gain)
        n = self.num_thresholds
        if self.summation_method == "interpolation":
            heights = (y[:n - 1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = ops.minimum(y[:n - 1], y[1:])
        else:
            heights = ops.maximum(y[:n - 1], y[1:])
        return self._average((x[:n - 1] - x[1:]) * heights)

    def reset_state(self) -> None:
        if self._built:
            for kind in cu.KINDS:
                variable = getattr(self, kind)
                variable.assign(ops.zeros(tuple(variable.shape), dtype=variable.dtype))

    def get_config(self) -> dict:
        label_weights = self.label_weights
        if label_weights is not None:
            label_weights = [float(w) for w in backend.convert_to_numpy(label_weights)]
        config = {**super().get_config(), "num_thresholds": self.num_thresholds,
                  "curve": self.curve, "summation_method": self.summation_method,
                  "multi_label": self.multi_label, "num_labels": self.num_labels,
                  "label_weights": label_weights, "from_logits": self._from_logits}
        if self._init_from_thresholds:
            config["thresholds"] = [float(t) for t in self._thresholds[1:-1]]
        return config
