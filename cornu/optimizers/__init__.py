"""``cornu.optimizers``: optimizers, learning-rate schedules and lookup by name."""

from __future__ import annotations

from typing import Any

from cornu.optimizers import schedules
from cornu.optimizers.adadelta import Adadelta
from cornu.optimizers.adafactor import Adafactor
from cornu.optimizers.adagrad import Adagrad
from cornu.optimizers.adam import Adam
from cornu.optimizers.adamax import Adamax
from cornu.optimizers.adamw import AdamW
from cornu.optimizers.ftrl import Ftrl
from cornu.optimizers.lamb import Lamb
from cornu.optimizers.lion import Lion
from cornu.optimizers.loss_scale_optimizer import LossScaleOptimizer
from cornu.optimizers.muon import Muon
from cornu.optimizers.nadam import Nadam
from cornu.optimizers.optimizer import Optimizer
from cornu.optimizers.rmsprop import RMSprop
from cornu.optimizers.schedule_free_adamw import ScheduleFreeAdamW
from cornu.optimizers.sgd import SGD
from cornu.saving import serialization_lib

_CLASSES = (Optimizer, Adam, SGD, RMSprop, Adadelta, AdamW, Adagrad, Adamax, Adafactor, Muon,
            Nadam, Ftrl, Lion, Lamb, LossScaleOptimizer, ScheduleFreeAdamW)
# As in Keras 3, built-in optimizers are found by their lower-cased class name
# ("adam", "rmsprop", "adamw", ...), whatever the case of the name asked for.
_TABLE = {c.__name__.lower(): c for c in _CLASSES}
serialization_lib.register_builtin(*_CLASSES)


def _lower_builtin(config: Any) -> Any:
    if isinstance(config, dict) and str(config.get("class_name", "")).lower() in _TABLE:
        config = {**config, "class_name": config["class_name"].lower()}
    return config


def get(identifier: Any) -> Optimizer:
    """An optimizer from a name (``"adam"``, ``"Adam"``), a config dict, or an instance.

    Example:
        >>> cornu.optimizers.get("rmsprop").learning_rate  # 0.001
    """
    if isinstance(identifier, str):
        identifier = identifier.lower() if identifier.lower() in _TABLE else identifier
    optimizer = serialization_lib.resolve(_lower_builtin(identifier), _TABLE, "optimizer")
    if not isinstance(optimizer, Optimizer):
        raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}")
    return optimizer


def serialize(optimizer: Optimizer) -> dict:
    """An optimizer as JSON-able data (Keras's schema)."""
    return serialization_lib.serialize_keras_object(optimizer)


def deserialize(config: Any, custom_objects: dict | None = None) -> Optimizer:
    """Rebuilds an optimizer from :func:`serialize` output (class names in any case)."""
    return serialization_lib.deserialize_keras_object(_lower_builtin(config), _TABLE,
                                                      custom_objects, "optimizer")
