"""Loss functions and classes with Keras's names, arguments and numbers."""

from __future__ import annotations

from typing import Any

from cornu import backend, ops
from cornu.losses.loss import LossFunctionWrapper, squeeze_or_expand_to_same_rank


def _prepare(y_true: Any, y_pred: Any) -> tuple:
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, ops.dtype(y_pred))
    return squeeze_or_expand_to_same_rank(y_true, y_pred)


def mean_squared_error(y_true, y_pred):
    """``mean(square(y_true - y_pred), axis=-1)``."""
    y_true, y_pred = _prepare(y_true, y_pred)
    return ops.mean(ops.square(y_true - y_pred), axis=-1)


def mean_absolute_error(y_true, y_pred):
    """``mean(abs(y_true - y_pred), axis=-1)``."""
    y_true, y_pred = _prepare(y_true, y_pred)
    return ops.mean(ops.abs(y_true - y_pred), axis=-1)


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Mean binary cross-entropy over ``axis``; labels are smoothed towards 0.5."""
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, ops.dtype(y_pred))
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return ops.mean(ops.binary_crossentropy(y_true, y_pred, from_logits=from_logits), axis=axis)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Cross-entropy between one-hot labels and predicted probabilities (or logits)."""
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, ops.dtype(y_pred))
    true_shape, pred_shape = ops.shape(y_true), ops.shape(y_pred)
    if true_shape != pred_shape:
        hint = ""
        if len(true_shape) in (len(pred_shape) - 1, len(pred_shape)) and \
                (len(true_shape) < len(pred_shape) or true_shape[-1] == 1):
            hint = (" The labels look like integer class ids: use "
                    "loss='sparse_categorical_crossentropy', or one-hot encode them with "
                    "cornu.utils.to_categorical(y, num_classes).")
        raise ValueError(
            "categorical_crossentropy expects `y_true` one-hot encoded with the same shape as "
            f"`y_pred`. Received: y_true.shape={true_shape}, y_pred.shape={pred_shape}.{hint}")
    if label_smoothing:
        num_classes = float(pred_shape[axis])
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / num_classes
    return ops.categorical_crossentropy(y_true, y_pred, from_logits=from_logits, axis=axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None,
                                    axis=-1):
    """Cross-entropy between integer class ids and predicted probabilities (or logits).

    With ``ignore_class``, entries whose label equals it contribute nothing (and are
    masked out of mean reductions).
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true)
    if backend.is_float_dtype(ops.dtype(y_true)):
        y_true = ops.cast(y_true, "int64")
    true_shape, pred_shape = ops.shape(y_true), ops.shape(y_pred)
    if len(true_shape) == len(pred_shape) and true_shape[-1] == 1:
        y_true = ops.squeeze(y_true, -1)
    elif len(true_shape) == len(pred_shape):
        raise ValueError(
            "sparse_categorical_crossentropy expects integer class ids, one per sample "
            f"(shape {pred_shape[:-1]} or {pred_shape[:-1] + (1,)}). Received: "
            f"y_true.shape={true_shape}, y_pred.shape={pred_shape}. For one-hot labels use "
            "loss='categorical_crossentropy'.")
    n_classes = pred_shape[axis]
    if ignore_class is not None:
        valid = ops.not_equal(y_true, ignore_class)
        y_true = ops.where(valid, y_true, 0)
    try:
        result = ops.sparse_categorical_crossentropy(y_true, y_pred, from_logits=from_logits,
                                                     axis=axis)
    except (IndexError, RuntimeError) as error:
        raise ValueError(
            f"Labels for sparse_categorical_crossentropy must be class ids in [0, {n_classes}) "
            f"({n_classes} = the size of y_pred's class axis). {error}. Check the labels and "
            "the number of units of the last layer.") from error
    if ignore_class is not None:
        result = ops.where(valid, result, 0.0)
        result._keras_mask = valid
    return result


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error


class MeanSquaredError(LossFunctionWrapper):
    """Mean of squares of errors: ``loss = mean(square(y_true - y_pred))``."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, reduction=reduction, name=name, dtype=dtype)


class MeanAbsoluteError(LossFunctionWrapper):
    """Mean of absolute errors: ``loss = mean(abs(y_true - y_pred))``."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, reduction=reduction, name=name, dtype=dtype)


class BinaryCrossentropy(LossFunctionWrapper):
    """Cross-entropy for 0/1 labels and probabilities (or logits with ``from_logits``)."""

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="binary_crossentropy", dtype=None):
        super().__init__(binary_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits


class CategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy for one-hot labels."""

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_crossentropy", dtype=None):
        super().__init__(categorical_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy for integer class ids."""

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size",
                 name="sparse_categorical_crossentropy", dtype=None):
        super().__init__(sparse_categorical_crossentropy, reduction=reduction, name=name,
                         dtype=dtype, from_logits=from_logits, ignore_class=ignore_class)
        self.from_logits = from_logits
