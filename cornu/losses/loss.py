"""``Loss``: the base class of losses, with Keras's reductions, masks and sample weights."""

from __future__ import annotations

from typing import Any

import numpy as np

from cornu import backend, ops
from cornu.core.naming import to_snake_case, unique_name

REDUCTIONS = ("sum", "sum_over_batch_size", "mean", "mean_with_sample_weight", "none", None)


def standardize_reduction(reduction: Any) -> Any:
    if reduction not in REDUCTIONS:
        raise ValueError(f"Invalid value for argument `reduction`: expected one of "
                         f"{REDUCTIONS}. Received: reduction={reduction!r}")
    return reduction


def squeeze_or_expand_to_same_rank(x1: Any, x2: Any, expand_rank_1: bool = True) -> tuple:
    """Makes ranks that differ by a trailing size-1 axis agree (squeeze or expand)."""
    r1, r2 = len(ops.shape(x1)), len(ops.shape(x2))
    if r1 == r2 + 1 and ops.shape(x1)[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = ops.expand_dims(x2, -1)
        else:
            x1 = ops.squeeze(x1, -1)
    elif r2 == r1 + 1 and ops.shape(x2)[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = ops.expand_dims(x1, -1)
        else:
            x2 = ops.squeeze(x2, -1)
    return x1, x2


def prepare_targets(y_true: Any, y_pred: Any, fn_name: str) -> tuple:
    """Converts both to ``y_pred``'s float dtype, aligns ranks that differ by a trailing
    size-1 axis, and checks that their shapes broadcast (naming the loss if not)."""
    y_pred = ops.convert_to_tensor(y_pred)
    if not backend.is_float_dtype(ops.dtype(y_pred)):
        y_pred = ops.cast(y_pred, backend.floatx())
    y_true = ops.cast(y_true, ops.dtype(y_pred))
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    check_broadcastable(y_true, y_pred, fn_name)
    return y_true, y_pred


def check_broadcastable(y_true: Any, y_pred: Any, fn_name: str) -> None:
    true_shape, pred_shape = tuple(ops.shape(y_true)), tuple(ops.shape(y_pred))
    if true_shape == pred_shape:
        return
    try:
        np.broadcast_shapes(tuple(d or 1 for d in true_shape),
                            tuple(d or 1 for d in pred_shape))
    except ValueError:
        raise ValueError(
            f"{fn_name}: `y_true` and `y_pred` must have the same shape (or shapes that "
            f"broadcast). Received: y_true.shape={true_shape}, y_pred.shape={pred_shape}. "
            "Check that the model's output matches the labels.") from None


def apply_mask(sample_weight: Any, mask: Any, dtype: Any, reduction: Any) -> Any:
    """Folds a boolean mask into the sample weights; masked entries weigh zero and, for
    mean reductions, the others are rescaled so the mean runs over valid entries only."""
    if mask is None:
        return sample_weight
    if reduction in ("mean", "sum_over_batch_size"):
        total = float(max(1, _size(ops.shape(mask))))
        valid = ops.sum(ops.cast(mask, dtype))
        mask = ops.where(ops.cast(mask, "bool"), ops.divide_no_nan(total, valid), 0.0)
    else:
        mask = ops.cast(mask, dtype)
    if sample_weight is None:
        return mask
    sample_weight = ops.cast(sample_weight, dtype)
    mask, sample_weight = squeeze_or_expand_to_same_rank(mask, sample_weight)
    return sample_weight * mask


def _size(shape: tuple) -> int:
    out = 1
    for d in shape:
        out *= int(d)
    return out


def reduce_values(values: Any, sample_weight: Any = None,
                  reduction: Any = "sum_over_batch_size") -> Any:
    if reduction in (None, "none") or len(ops.shape(values)) == 0 or _size(ops.shape(values)) == 0:
        return values
    if reduction in ("sum_over_batch_size", "mean") or sample_weight is None and \
            reduction == "mean_with_sample_weight":
        return ops.mean(values)
    total = ops.sum(values)
    if reduction == "sum":
        return total
    return ops.divide_no_nan(total, ops.cast(ops.sum(sample_weight), ops.dtype(total)))


def reduce_weighted_values(values: Any, sample_weight: Any = None, mask: Any = None,
                           reduction: Any = "sum_over_batch_size", dtype: Any = None) -> Any:
    """Weights per-sample loss values, then reduces them as ``reduction`` says."""
    values = ops.convert_to_tensor(values, dtype=dtype)
    if sample_weight is None and mask is None:
        return reduce_values(values, None, reduction)
    if sample_weight is not None:
        sample_weight = ops.convert_to_tensor(sample_weight, dtype=ops.dtype(values))
    sample_weight = apply_mask(sample_weight, mask, ops.dtype(values), reduction)
    if sample_weight is not None:
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        values = values * sample_weight
    return reduce_values(values, sample_weight, reduction)


class Loss:
    """Base class of losses. Subclasses implement ``call(y_true, y_pred)`` returning one
    value per sample; ``__call__`` applies masks, ``sample_weight`` and ``reduction``.

    Example:
        >>> class MyMSE(cornu.losses.Loss):
        ...     def call(self, y_true, y_pred):
        ...         return cornu.ops.mean(cornu.ops.square(y_true - y_pred), axis=-1)
    """

    def __init__(self, name: str | None = None, reduction: Any = "sum_over_batch_size",
                 dtype: Any = None) -> None:
        self.name = name or unique_name(to_snake_case(type(self).__name__))
        self.reduction = standardize_reduction(reduction)
        self._dtype = dtype

    @property
    def dtype(self) -> str:
        return backend.standardize_dtype(self._dtype)

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Any:
        in_mask = getattr(y_pred, "_keras_mask", None)
        y_pred = ops.convert_to_tensor(y_pred, dtype=self._dtype)
        y_true = ops.convert_to_tensor(y_true)
        if backend.is_float_dtype(ops.dtype(y_pred)) and ops.dtype(y_true) != ops.dtype(y_pred):
            y_true = ops.cast(y_true, ops.dtype(y_pred))
        losses = self.call(y_true, y_pred)
        out_mask = getattr(losses, "_keras_mask", None)
        mask = out_mask if in_mask is None else (
            in_mask if out_mask is None else ops.logical_and(in_mask, out_mask))
        return reduce_weighted_values(losses, sample_weight=sample_weight, mask=mask,
                                      reduction=self.reduction, dtype=self.dtype)

    def call(self, y_true: Any, y_pred: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement call(y_true, y_pred).")

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: dict) -> "Loss":
        return cls(**config)


class LossFunctionWrapper(Loss):
    """A loss class around a loss function and its keyword arguments."""

    def __init__(self, fn: Any, reduction: Any = "sum_over_batch_size", name: str | None = None,
                 dtype: Any = None, **kwargs: Any) -> None:
        super().__init__(name=name or getattr(fn, "__name__", None), reduction=reduction,
                         dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true: Any, y_pred: Any) -> Any:
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> dict:
        from cornu.saving import serialization_lib

        config = super().get_config()
        if type(self) is LossFunctionWrapper:
            config["fn"] = serialization_lib.serialize_keras_object(self.fn)
        config.update(serialization_lib.serialize_keras_object(self._fn_kwargs))
        return config

    @classmethod
    def from_config(cls, config: dict) -> "LossFunctionWrapper":
        config = dict(config)
        if "fn" in config:
            from cornu import losses

            config["fn"] = losses.deserialize(config["fn"])
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"
