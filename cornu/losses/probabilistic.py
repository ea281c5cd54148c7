"""Probabilistic losses: cross-entropies (plain, focal, generalized), KL divergence, Poisson."""

from __future__ import annotations

import warnings
from typing import Any

from cornu import backend, ops
from cornu.losses.loss import LossFunctionWrapper, check_broadcastable


def _float_pair(y_true: Any, y_pred: Any) -> tuple:
    y_pred = ops.convert_to_tensor(y_pred)
    if not backend.is_float_dtype(ops.dtype(y_pred)):
        y_pred = ops.cast(y_pred, backend.floatx())
    return ops.cast(y_true, ops.dtype(y_pred)), y_pred


def _check_axis(axis: Any) -> None:
    if isinstance(axis, bool) or not isinstance(axis, int):
        raise ValueError(f"`axis` must be of type `int`. Received: axis={axis!r} of type "
                         f"{type(axis).__name__}")


def _smooth_binary(y_true: Any, label_smoothing: float) -> Any:
    """Squeezes 0/1 labels towards 0.5."""
    if label_smoothing:
        return y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    return y_true


def _check_one_hot(y_true: Any, y_pred: Any, fn_name: str) -> None:
    true_shape, pred_shape = tuple(ops.shape(y_true)), tuple(ops.shape(y_pred))
    if true_shape == pred_shape:
        return
    hint = ""
    if len(true_shape) == len(pred_shape) - 1 or (len(true_shape) == len(pred_shape) and
                                                  true_shape[-1:] == (1,)):
        hint = (" The labels look like integer class ids: use the sparse loss "
                "('sparse_categorical_crossentropy'), or one-hot encode them with "
                "cornu.utils.to_categorical(y, num_classes).")
    raise ValueError(f"{fn_name} expects `y_true` one-hot encoded with the same shape as "
                     f"`y_pred`. Received: y_true.shape={true_shape}, "
                     f"y_pred.shape={pred_shape}.{hint}")


def _smooth_categorical(y_true: Any, y_pred: Any, label_smoothing: float, fn_name: str) -> Any:
    if ops.shape(y_pred)[-1] == 1:
        warnings.warn(f"In loss {fn_name}, expected y_pred.shape to be (batch_size, "
                      f"num_classes) with num_classes > 1. Received: "
                      f"y_pred.shape={ops.shape(y_pred)}. Consider using "
                      "'binary_crossentropy' if you only have 2 classes.", SyntaxWarning,
                      stacklevel=3)
    if label_smoothing:
        num_classes = float(ops.shape(y_true)[-1])
        return y_true * (1.0 - label_smoothing) + label_smoothing / num_classes
    return y_true


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Mean binary cross-entropy over ``axis``; labels are smoothed towards 0.5.

    Example:
        >>> binary_crossentropy([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])  # [0.916, 0.714]
    """
    y_true, y_pred = _float_pair(y_true, y_pred)
    y_true = _smooth_binary(y_true, label_smoothing)
    check_broadcastable(y_true, y_pred, "binary_crossentropy")
    if ops.shape(y_true) != ops.shape(y_pred):
        y_true = ops.broadcast_to(y_true, ops.shape(y_pred))
    return ops.mean(ops.binary_crossentropy(y_true, y_pred, from_logits=from_logits), axis=axis)


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False, alpha=0.25,
                              gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1):
    """Binary cross-entropy down-weighted on easy examples by ``(1 - p_t) ** gamma``
    (Lin et al., 2018); with ``apply_class_balancing``, class 1 weighs ``alpha`` and
    class 0 ``1 - alpha``."""
    y_true, y_pred = _float_pair(y_true, y_pred)
    y_true = _smooth_binary(y_true, label_smoothing)
    check_broadcastable(y_true, y_pred, "binary_focal_crossentropy")
    if from_logits:
        y_pred = ops.sigmoid(y_pred)
    if ops.shape(y_true) != ops.shape(y_pred):
        y_true = ops.broadcast_to(y_true, ops.shape(y_pred))
    bce = ops.binary_crossentropy(y_true, y_pred, from_logits=False)
    p_t = y_true * y_pred + (1.0 - y_true) * (1.0 - y_pred)
    focal = ops.power(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        focal = (y_true * alpha + (1.0 - y_true) * (1.0 - alpha)) * focal
    return ops.mean(focal, axis=axis)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Cross-entropy between one-hot labels and predicted probabilities (or logits).

    Example:
        >>> categorical_crossentropy([[0, 1, 0]], [[0.05, 0.95, 0.0]])  # [0.0513]
    """
    _check_axis(axis)
    y_true, y_pred = _float_pair(y_true, y_pred)
    _check_one_hot(y_true, y_pred, "categorical_crossentropy")
    y_true = _smooth_categorical(y_true, y_pred, label_smoothing, "categorical_crossentropy")
    return ops.categorical_crossentropy(y_true, y_pred, from_logits=from_logits, axis=axis)


def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False,
                                   label_smoothing=0.0, axis=-1):
    """Categorical cross-entropy weighted by ``alpha * (1 - p) ** gamma`` per class."""
    _check_axis(axis)
    y_true, y_pred = _float_pair(y_true, y_pred)
    _check_one_hot(y_true, y_pred, "categorical_focal_crossentropy")
    y_true = _smooth_categorical(y_true, y_pred, label_smoothing,
                                 "categorical_focal_crossentropy")
    if from_logits:
        y_pred = ops.softmax(y_pred, axis=axis)
    eps = backend.epsilon()
    output = ops.clip(y_pred / ops.sum(y_pred, axis=axis, keepdims=True), eps, 1.0 - eps)
    weight = ops.power(1.0 - output, gamma) * alpha
    return ops.sum(weight * (-y_true * ops.log(output)), axis=axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None,
                                    axis=-1):
    """Cross-entropy between integer class ids and predicted probabilities (or logits).

    With ``ignore_class``, entries whose label equals it contribute nothing (and are
    masked out of mean reductions).
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true)
    if not backend.is_int_dtype(ops.dtype(y_true)):
        y_true = ops.cast(y_true, "int64")
    true_shape, pred_shape = ops.shape(y_true), ops.shape(y_pred)
    if len(true_shape) == len(pred_shape) and true_shape[-1] == 1:
        y_true = ops.squeeze(y_true, -1)
    elif len(true_shape) != len(pred_shape) - 1:
        raise ValueError(
            "sparse_categorical_crossentropy expects integer class ids, one per sample "
            f"(shape {pred_shape[:-1]} or {pred_shape[:-1] + (1,)}). Received: "
            f"y_true.shape={true_shape}, y_pred.shape={pred_shape}. For one-hot labels use "
            "loss='categorical_crossentropy'.")
    n_classes = pred_shape[axis]
    valid = None
    if ignore_class is not None:
        valid = ops.not_equal(y_true, ignore_class)
        y_true = ops.where(valid, y_true, 0)
        y_pred = ops.where(ops.expand_dims(valid, axis), y_pred, 0.0)
    try:
        result = ops.sparse_categorical_crossentropy(y_true, y_pred, from_logits=from_logits,
                                                     axis=axis)
    except (IndexError, RuntimeError) as error:
        raise ValueError(
            f"Labels for sparse_categorical_crossentropy must be class ids in [0, {n_classes}) "
            f"({n_classes} = the size of y_pred's class axis). {error}. Check the labels and "
            "the number of units of the last layer.") from error
    if valid is not None:
        result = ops.where(valid, result, 0.0)
        result._keras_mask = valid
    return result


def categorical_generalized_cross_entropy(y_true, y_pred, q):
    """Generalized cross-entropy ``(1 - p ** q) / q`` of the true class's probability ``p``
    (Zhang & Sabuncu, 2018): near cross-entropy as ``q -> 0``, near MAE as ``q -> 1``."""
    y_pred = ops.convert_to_tensor(y_pred)
    labels = ops.convert_to_tensor(y_true)
    if len(ops.shape(labels)) == len(ops.shape(y_pred)) and ops.shape(labels)[-1] == 1:
        labels = ops.squeeze(labels, -1)
    one_hot = ops.one_hot(ops.cast(labels, "int64"), ops.shape(y_pred)[-1],
                          dtype=ops.dtype(y_pred))
    p = ops.sum(y_pred * one_hot, axis=-1)
    return (1.0 - ops.power(p, q)) / q


def kl_divergence(y_true, y_pred):
    """``sum(y_true * log(y_true / y_pred), axis=-1)`` with both clipped to ``[eps, 1]``."""
    y_true, y_pred = _float_pair(y_true, y_pred)
    check_broadcastable(y_true, y_pred, "kl_divergence")
    y_true = ops.clip(y_true, backend.epsilon(), 1.0)
    y_pred = ops.clip(y_pred, backend.epsilon(), 1.0)
    return ops.sum(y_true * ops.log(y_true / y_pred), axis=-1)


def poisson(y_true, y_pred):
    """``mean(y_pred - y_true * log(y_pred + eps), axis=-1)``."""
    y_true, y_pred = _float_pair(y_true, y_pred)
    check_broadcastable(y_true, y_pred, "poisson")
    return ops.mean(y_pred - y_true * ops.log(y_pred + backend.epsilon()), axis=-1)


class BinaryCrossentropy(LossFunctionWrapper):
    """Cross-entropy for 0/1 labels and probabilities (or logits with ``from_logits``).

    Example:
        >>> BinaryCrossentropy(from_logits=True)([0.0, 1.0], [-2.0, 3.0])
    """

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1,
                 reduction: Any = "sum_over_batch_size", name: str = "binary_crossentropy",
                 dtype: Any = None) -> None:
        super().__init__(binary_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis


class BinaryFocalCrossentropy(LossFunctionWrapper):
    """Focal cross-entropy for 0/1 labels (see :func:`binary_focal_crossentropy`)."""

    def __init__(self, apply_class_balancing: bool = False, alpha: float = 0.25,
                 gamma: float = 2.0, from_logits: bool = False, label_smoothing: float = 0.0,
                 axis: int = -1, reduction: Any = "sum_over_batch_size",
                 name: str = "binary_focal_crossentropy", dtype: Any = None) -> None:
        super().__init__(binary_focal_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         apply_class_balancing=apply_class_balancing, alpha=alpha, gamma=gamma,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.apply_class_balancing, self.alpha, self.gamma = apply_class_balancing, alpha, gamma
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis


class CategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy for one-hot labels."""

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1,
                 reduction: Any = "sum_over_batch_size", name: str = "categorical_crossentropy",
                 dtype: Any = None) -> None:
        super().__init__(categorical_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis


class CategoricalFocalCrossentropy(LossFunctionWrapper):
    """Focal cross-entropy for one-hot labels (see :func:`categorical_focal_crossentropy`)."""

    def __init__(self, alpha: float = 0.25, gamma: float = 2.0, from_logits: bool = False,
                 label_smoothing: float = 0.0, axis: int = -1,
                 reduction: Any = "sum_over_batch_size",
                 name: str = "categorical_focal_crossentropy", dtype: Any = None) -> None:
        super().__init__(categorical_focal_crossentropy, reduction=reduction, name=name,
                         dtype=dtype, alpha=alpha, gamma=gamma, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.alpha, self.gamma = alpha, gamma
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy for integer class ids; ``ignore_class`` entries are masked out."""

    def __init__(self, from_logits: bool = False, ignore_class: int | None = None,
                 reduction: Any = "sum_over_batch_size", axis: int = -1,
                 name: str = "sparse_categorical_crossentropy", dtype: Any = None) -> None:
        super().__init__(sparse_categorical_crossentropy, reduction=reduction, name=name,
                         dtype=dtype, from_logits=from_logits, ignore_class=ignore_class,
                         axis=axis)
        self.from_logits, self.ignore_class, self.axis = from_logits, ignore_class, axis

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction, "from_logits": self.from_logits,
                "ignore_class": self.ignore_class}


class CategoricalGeneralizedCrossEntropy(LossFunctionWrapper):
    """Noise-robust generalized cross-entropy for integer class ids, ``q`` in (0, 1)."""

    def __init__(self, q: float = 0.5, reduction: Any = "sum_over_batch_size",
                 name: str = "categorical_generalized_cross_entropy", dtype: Any = None) -> None:
        if not 0 < q < 1:
            raise ValueError(f"Argument `q` of CategoricalGeneralizedCrossEntropy must be in "
                             f"the interval (0, 1). Received: q={q}")
        super().__init__(categorical_generalized_cross_entropy, reduction=reduction, name=name,
                         dtype=dtype, q=q)
        self.q = q


class KLDivergence(LossFunctionWrapper):
    """Kullback-Leibler divergence ``y_true * log(y_true / y_pred)``."""

    def __init__(self, reduction: Any = "sum_over_batch_size", name: str = "kl_divergence",
                 dtype: Any = None) -> None:
        super().__init__(kl_divergence, reduction=reduction, name=name, dtype=dtype)


class Poisson(LossFunctionWrapper):
    """Poisson loss ``y_pred - y_true * log(y_pred)``."""

    def __init__(self, reduction: Any = "sum_over_batch_size", name: str = "poisson",
                 dtype: Any = None) -> None:
        super().__init__(poisson, reduction=reduction, name=name, dtype=dtype)
