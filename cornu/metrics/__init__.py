"""``cornu.metrics``: stateful metrics, metric functions and lookup by name."""

from __future__ import annotations

from typing import Any

from cornu.losses.losses import (
    binary_crossentropy,
    categorical_crossentropy,
    mean_absolute_error,
    mean_squared_error,
    sparse_categorical_crossentropy,
)
from cornu.metrics.accuracy_metrics import (
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    accuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
)
from cornu.metrics.metric import Metric
from cornu.metrics.reduction_metrics import Mean, MeanMetricWrapper, Sum
from cornu.metrics.regression_metrics import MeanAbsoluteError, MeanSquaredError
from cornu.saving import serialization_lib

mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error

_CLASSES = (Metric, Mean, Sum, MeanMetricWrapper, Accuracy, BinaryAccuracy, CategoricalAccuracy,
            SparseCategoricalAccuracy, MeanSquaredError, MeanAbsoluteError)
_FUNCTIONS = (accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
              mean_squared_error, mean_absolute_error, binary_crossentropy,
              categorical_crossentropy, sparse_categorical_crossentropy)
_TABLE = {**{c.__name__: c for c in _CLASSES}, **{f.__name__: f for f in _FUNCTIONS},
          "mse": mean_squared_error, "MSE": mean_squared_error, "mae": mean_absolute_error,
          "MAE": mean_absolute_error}
serialization_lib.register_builtin(*_CLASSES)


def get(identifier: Any) -> Any:
    """A metric from a name (``"mae"``, ``"BinaryAccuracy"``), a config, or an object."""
    return serialization_lib.resolve(identifier, _TABLE, "metric")


def serialize(metric: Any) -> Any:
    return serialization_lib.serialize_keras_object(metric)


def deserialize(config: Any, custom_objects: dict | None = None) -> Any:
    return serialization_lib.deserialize_keras_object(config, _TABLE, custom_objects, "metric")
