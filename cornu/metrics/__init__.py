"""``cornu.metrics``: stateful metrics, metric functions and lookup by name."""

from __future__ import annotations

from typing import Any

from cornu.core.naming import to_snake_case
from cornu.losses.hinge import categorical_hinge, hinge, squared_hinge
from cornu.losses.probabilistic import (
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    kl_divergence,
    poisson,
    sparse_categorical_crossentropy,
)
from cornu.losses.regression import (
    huber,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
)
from cornu.metrics.accuracy_metrics import (
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy,
    accuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
from cornu.metrics.confusion_metrics import (
    AUC,
    FalseNegatives,
    FalsePositives,
    Precision,
    PrecisionAtRecall,
    Recall,
    RecallAtPrecision,
    SensitivityAtSpecificity,
    SpecificityAtSensitivity,
    TrueNegatives,
    TruePositives,
)
from cornu.metrics.correlation_metrics import (
    ConcordanceCorrelation,
    PearsonCorrelation,
    concordance_correlation,
    pearson_correlation,
)
from cornu.metrics.f_score_metrics import F1Score, FBetaScore
from cornu.metrics.hinge_metrics import CategoricalHinge, Hinge, SquaredHinge
from cornu.metrics.iou_metrics import BinaryIoU, IoU, MeanIoU, OneHotIoU, OneHotMeanIoU
from cornu.metrics.metric import Metric
from cornu.metrics.probabilistic_metrics import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    KLDivergence,
    Poisson,
    SparseCategoricalCrossentropy,
)
from cornu.metrics.reduction_metrics import Mean, MeanMetricWrapper, Sum
from cornu.metrics.regression_metrics import (
    CosineSimilarity,
    LogCoshError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    R2Score,
    RootMeanSquaredError,
)
from cornu.saving import serialization_lib

mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error

_CLASSES = (
    Metric, Mean, Sum, MeanMetricWrapper,
    # accuracy
    Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
    TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy,
    # probabilistic
    BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy, KLDivergence,
    Poisson,
    # regression
    MeanSquaredError, RootMeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError, CosineSimilarity, LogCoshError, R2Score,
    # correlation
    PearsonCorrelation, ConcordanceCorrelation,
    # confusion matrix
    AUC, FalseNegatives, FalsePositives, TrueNegatives, TruePositives, Precision, Recall,
    PrecisionAtRecall, RecallAtPrecision, SensitivityAtSpecificity, SpecificityAtSensitivity,
    # hinge
    Hinge, SquaredHinge, CategoricalHinge,
    # F-score and IoU
    F1Score, FBetaScore, IoU, BinaryIoU, MeanIoU, OneHotIoU, OneHotMeanIoU,
)
_FUNCTIONS = (
    accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
    top_k_categorical_accuracy, sparse_top_k_categorical_accuracy, binary_crossentropy,
    binary_focal_crossentropy, categorical_crossentropy, categorical_focal_crossentropy,
    sparse_categorical_crossentropy, kl_divergence, poisson, mean_squared_error,
    mean_absolute_error, mean_absolute_percentage_error, mean_squared_logarithmic_error,
    huber, log_cosh, hinge, squared_hinge, categorical_hinge, pearson_correlation,
    concordance_correlation,
)
# As in Keras 3: class names, their snake_case forms (which give classes, taking
# precedence over same-named functions), and the short aliases.
_TABLE = {**{f.__name__: f for f in _FUNCTIONS}, **{c.__name__: c for c in _CLASSES},
          **{to_snake_case(c.__name__): c for c in _CLASSES},
          "bce": BinaryCrossentropy, "BCE": BinaryCrossentropy, "mse": MeanSquaredError,
          "MSE": MeanSquaredError, "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError,
          "mape": MeanAbsolutePercentageError, "MAPE": MeanAbsolutePercentageError,
          "msle": MeanSquaredLogarithmicError, "MSLE": MeanSquaredLogarithmicError}
serialization_lib.register_builtin(*_CLASSES)


def get(identifier: Any) -> Any:
    """A metric from a name (``"mae"``, ``"BinaryAccuracy"``), a config, or an object.

    Names of classes (also in snake_case) and Keras's aliases give an instance.
    """
    return serialization_lib.resolve(identifier, _TABLE, "metric")


def serialize(metric: Any) -> Any:
    """A metric function or ``Metric`` as JSON-able data (Keras's schema)."""
    return serialization_lib.serialize_keras_object(metric)


def deserialize(config: Any, custom_objects: dict | None = None) -> Any:
    """Rebuilds a metric from :func:`serialize` output or a name."""
    return serialization_lib.deserialize_keras_object(config, _TABLE, custom_objects, "metric")
