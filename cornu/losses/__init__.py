"""``cornu.losses``: loss classes, loss functions and lookup by name."""

from __future__ import annotations

from typing import Any

from cornu.losses.loss import Loss, LossFunctionWrapper, reduce_weighted_values
from cornu.losses.losses import (
    MAE,
    MSE,
    BinaryCrossentropy,
    CategoricalCrossentropy,
    MeanAbsoluteError,
    MeanSquaredError,
    SparseCategoricalCrossentropy,
    binary_crossentropy,
    categorical_crossentropy,
    mae,
    mean_absolute_error,
    mean_squared_error,
    mse,
    sparse_categorical_crossentropy,
)
from cornu.saving import serialization_lib

_CLASSES = (Loss, LossFunctionWrapper, MeanSquaredError, MeanAbsoluteError, BinaryCrossentropy,
            CategoricalCrossentropy, SparseCategoricalCrossentropy)
_FUNCTIONS = (mean_squared_error, mean_absolute_error, binary_crossentropy,
              categorical_crossentropy, sparse_categorical_crossentropy)
_TABLE = {**{c.__name__: c for c in _CLASSES}, **{f.__name__: f for f in _FUNCTIONS},
          "mse": mean_squared_error, "MSE": mean_squared_error, "mae": mean_absolute_error,
          "MAE": mean_absolute_error}
serialization_lib.register_builtin(*_CLASSES)


def get(identifier: Any) -> Any:
    """A loss from a name (``"mse"``, ``"categorical_crossentropy"``), a config, or an object.

    Names of functions give the function; class names give an instance.
    """
    return serialization_lib.resolve(identifier, _TABLE, "loss")


def serialize(loss: Any) -> Any:
    return serialization_lib.serialize_keras_object(loss)


def deserialize(config: Any, custom_objects: dict | None = None) -> Any:
    return serialization_lib.deserialize_keras_object(config, _TABLE, custom_objects, "loss")
