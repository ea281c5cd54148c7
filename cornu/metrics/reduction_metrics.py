"""Reducing metrics: ``Mean``, ``Sum`` and ``MeanMetricWrapper`` (the mean of a function)."""

from __future__ import annotations

from typing import Any, Callable

from cornu import ops
from cornu.losses.loss import apply_mask, squeeze_or_expand_to_same_rank
from cornu.metrics.metric import Metric


def reduce_to_samplewise_values(values: Any, sample_weight: Any, dtype: str,
                                reduce_fn: Callable = ops.mean) -> tuple:
    """Weights ``values`` and reduces them to one value per sample (``reduce_fn`` over the
    other axes); returns (values, per-sample weights or None)."""
    mask = getattr(values, "_keras_mask", None)
    values = ops.cast(values, dtype)
    if sample_weight is not None:
        sample_weight = ops.convert_to_tensor(sample_weight, dtype=dtype)
        if mask is not None:
            sample_weight = apply_mask(sample_weight, mask, dtype, "sum")
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        weight_ndim, values_ndim = len(ops.shape(sample_weight)), len(ops.shape(values))
        if values_ndim > weight_ndim:
            values = reduce_fn(values, axis=tuple(range(weight_ndim, values_ndim)))
        sample_weight = ops.broadcast_to(sample_weight, ops.shape(values))
        values = values * sample_weight
        if weight_ndim > 1:
            sample_weight = reduce_fn(sample_weight, axis=tuple(range(1, weight_ndim)))
    values_ndim = len(ops.shape(values))
    if values_ndim > 1:
        values = reduce_fn(values, axis=tuple(range(1, values_ndim)))
    return values, sample_weight


class Sum(Metric):
    """The running (weighted) sum of the values."""

    def __init__(self, name: str = "sum", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable((), name="total")

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        values, _ = reduce_to_samplewise_values(values, sample_weight, self.dtype,
                                                reduce_fn=ops.sum)
        self.total.assign_add(ops.sum(ops.stop_gradient(values)))

    def result(self) -> Any:
        return ops.copy(self.total)


class Mean(Metric):
    """The running (weighted) mean of the values.

    Example:
        >>> m = Mean()
        >>> m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
        >>> float(m.result())
        2.0
    """

    def __init__(self, name: str = "mean", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable((), name="total")
        self.count = self.add_variable((), name="count")

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        if isinstance(sample_weight, (int, float)) and ops.is_tensor(values) and \
                len(ops.shape(values)) == 0:
            # A scalar weighted by a Python number (the loss tracker's batch size): two
            # device ops, and no host-to-device copy of the weight.
            self.total.assign_add(ops.cast(ops.stop_gradient(values), self.dtype) * sample_weight)
            self.count.assign_add(sample_weight)
            return
        values, sample_weight = reduce_to_samplewise_values(values, sample_weight, self.dtype)
        self.total.assign_add(ops.sum(ops.stop_gradient(values)))
        if sample_weight is not None:
            self.count.assign_add(ops.sum(sample_weight))
        else:
            shape = ops.shape(values)
            self.count.assign_add(shape[0] if shape else 1)

    def result(self) -> Any:
        return ops.divide_no_nan(self.total, self.count)


class MeanMetricWrapper(Mean):
    """The running mean of ``fn(y_true, y_pred, **kwargs)`` over samples.

    Example:
        >>> MeanMetricWrapper(cornu.metrics.mean_absolute_error, name="mae")
    """

    def __init__(self, fn: Callable, name: str | None = None, dtype: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(name=name or fn.__name__, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        mask = getattr(y_pred, "_keras_mask", None)
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        if sample_weight is not None and mask is not None:
            sample_weight = apply_mask(sample_weight, mask, self.dtype, "sum")
        super().update_state(values, sample_weight=sample_weight)

    def get_config(self) -> dict:
        config = {"name": self.name, "dtype": self.dtype, **self._fn_kwargs}
        if type(self) is MeanMetricWrapper:
            from cornu.saving import serialization_lib

            config["fn"] = serialization_lib.serialize_keras_object(self._fn)
        return config

    @classmethod
    def from_config(cls, config: dict) -> "MeanMetricWrapper":
        config = dict(config)
        if "fn" in config:
            from cornu import metrics

            config["fn"] = metrics.deserialize(config["fn"])
        return cls(**config)
