"""``cornu.losses``: loss classes, loss functions and lookup by name."""

from __future__ import annotations

from typing import Any

from cornu.losses.hinge import (
    CategoricalHinge,
    Hinge,
    SquaredHinge,
    categorical_hinge,
    hinge,
    squared_hinge,
)
from cornu.losses.loss import Loss, LossFunctionWrapper, reduce_weighted_values
from cornu.losses.probabilistic import (
    BinaryCrossentropy,
    BinaryFocalCrossentropy,
    CategoricalCrossentropy,
    CategoricalFocalCrossentropy,
    CategoricalGeneralizedCrossEntropy,
    KLDivergence,
    Poisson,
    SparseCategoricalCrossentropy,
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    categorical_generalized_cross_entropy,
    kl_divergence,
    poisson,
    sparse_categorical_crossentropy,
)
from cornu.losses.regression import (
    CosineSimilarity,
    Huber,
    LogCosh,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    cosine_similarity,
    huber,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
)
from cornu.losses.segmentation import Dice, Tversky, dice, tversky
from cornu.losses.sequence import CTC, ctc
from cornu.losses.similarity import Circle, circle
from cornu.saving import serialization_lib

# Keras 3's short aliases.
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kl_divergence
bce = BCE = binary_crossentropy

_CLASSES = (
    Loss, LossFunctionWrapper, KLDivergence, Poisson, BinaryCrossentropy, BinaryFocalCrossentropy,
    CategoricalCrossentropy, CategoricalFocalCrossentropy, SparseCategoricalCrossentropy,
    CategoricalGeneralizedCrossEntropy, MeanSquaredError, MeanAbsoluteError,
    MeanAbsolutePercentageError, MeanSquaredLogarithmicError, CosineSimilarity, LogCosh, Huber,
    Hinge, SquaredHinge, CategoricalHinge, Dice, Tversky, Circle, CTC,
)
_FUNCTIONS = (
    kl_divergence, poisson, binary_crossentropy, binary_focal_crossentropy,
    categorical_crossentropy, categorical_focal_crossentropy, sparse_categorical_crossentropy,
    categorical_generalized_cross_entropy, mean_squared_error, mean_absolute_error,
    mean_absolute_percentage_error, mean_squared_logarithmic_error, cosine_similarity, log_cosh,
    huber, hinge, squared_hinge, categorical_hinge, dice, tversky, circle, ctc,
)
_ALIASES = {"bce": bce, "BCE": bce, "kld": kld, "KLD": kld, "mae": mae, "MAE": mae, "mse": mse,
            "MSE": mse, "mape": mape, "MAPE": mape, "msle": msle, "MSLE": msle}
_TABLE = {**{c.__name__: c for c in _CLASSES}, **{f.__name__: f for f in _FUNCTIONS},
          **_ALIASES}
serialization_lib.register_builtin(*_CLASSES)


def get(identifier: Any) -> Any:
    """A loss from a name (``"mse"``, ``"categorical_crossentropy"``), a config, or an object.

    Names of functions give the function; class names give an instance.

    Example:
        >>> cornu.losses.get("CategoricalCrossentropy")  # an instance
        >>> cornu.losses.get("mse")                      # the function
    """
    return serialization_lib.resolve(identifier, _TABLE, "loss")


def serialize(loss: Any) -> Any:
    """A loss function or ``Loss`` as JSON-able data (Keras's schema)."""
    return serialization_lib.serialize_keras_object(loss)


def deserialize(config: Any, custom_objects: dict | None = None) -> Any:
    """Rebuilds a loss from :func:`serialize` output or a name."""
    return serialization_lib.deserialize_keras_object(config, _TABLE, custom_objects, "loss")
