"""``cornu.optimizers``: optimizers and lookup by name (``"adam"``, ``"sgd"``, ...)."""

from __future__ import annotations

from typing import Any

from cornu.optimizers.adam import Adam
from cornu.optimizers.optimizer import Optimizer
from cornu.optimizers.rmsprop import RMSprop
from cornu.optimizers.sgd import SGD
from cornu.saving import serialization_lib

_CLASSES = (Optimizer, SGD, Adam, RMSprop)
_TABLE = {**{c.__name__: c for c in _CLASSES}, "sgd": SGD, "adam": Adam, "rmsprop": RMSprop}
serialization_lib.register_builtin(*_CLASSES)


def get(identifier: Any) -> Optimizer:
    """An optimizer from a name (``"adam"``), a config dict, or an instance."""
    optimizer = serialization_lib.resolve(identifier, _TABLE, "optimizer")
    if not isinstance(optimizer, Optimizer):
        raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}")
    return optimizer


def serialize(optimizer: Optimizer) -> dict:
    return serialization_lib.serialize_keras_object(optimizer)


def deserialize(config: Any, custom_objects: dict | None = None) -> Optimizer:
    return serialization_lib.deserialize_keras_object(config, _TABLE, custom_objects,
                                                      "optimizer")
