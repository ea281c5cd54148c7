"""``cornu.optimizers.schedules``: learning-rate schedules and lookup by name."""

from __future__ import annotations

from typing import Any

from cornu.optimizers.schedules.learning_rate_schedule import (
    CosineDecay,
    CosineDecayRestarts,
    ExponentialDecay,
    InverseTimeDecay,
    LearningRateSchedule,
    PiecewiseConstantDecay,
    PolynomialDecay,
)
from cornu.saving import serialization_lib

_CLASSES = (LearningRateSchedule, ExponentialDecay, PiecewiseConstantDecay, PolynomialDecay,
            InverseTimeDecay, CosineDecay, CosineDecayRestarts)
_TABLE = {c.__name__: c for c in _CLASSES}
serialization_lib.register_builtin(*_CLASSES)


def serialize(learning_rate_schedule: LearningRateSchedule) -> dict:
    """A schedule as JSON-able data (Keras's schema)."""
    return serialization_lib.serialize_keras_object(learning_rate_schedule)


def deserialize(config: Any, custom_objects: dict | None = None) -> LearningRateSchedule:
    """Rebuilds a schedule from :func:`serialize` output."""
    return serialization_lib.deserialize_keras_object(config, _TABLE, custom_objects,
                                                      "learning rate schedule")
