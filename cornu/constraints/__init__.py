"""Weight constraints: projections applied after each optimizer update."""

from __future__ import annotations

from typing import Any

from cornu import backend, ops
from cornu.core.naming import to_snake_case
from cornu.saving import serialization_lib


class Constraint:
    """Base class: ``constraint(weight)`` returns the projected weight."""

    def __call__(self, w: Any) -> Any:
        return w

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict) -> "Constraint":
        return cls(**config)


def _norms(w, axis):
    return ops.sqrt(ops.sum(ops.square(w), axis=axis, keepdims=True))


class MaxNorm(Constraint):
    """Rescales weights whose norm along ``axis`` exceeds ``max_value``."""

    def __init__(self, max_value: float = 2, axis: Any = 0) -> None:
        self.max_value, self.axis = max_value, axis

    def __call__(self, w):
        w = ops.convert_to_tensor(w)
        norms = _norms(w, self.axis)
        desired = ops.clip(norms, 0, self.max_value)
        return w * (desired / (backend.epsilon() + norms))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class MinMaxNorm(Constraint):
    """Keeps the norm along ``axis`` between ``min_value`` and ``max_value`` (at ``rate``)."""

    def __init__(self, min_value: float = 0.0, max_value: float = 1.0, rate: float = 1.0,
                 axis: Any = 0) -> None:
        self.min_value, self.max_value, self.rate, self.axis = min_value, max_value, rate, axis

    def __call__(self, w):
        w = ops.convert_to_tensor(w)
        norms = _norms(w, self.axis)
        desired = self.rate * ops.clip(norms, self.min_value, self.max_value) + \
            (1 - self.rate) * norms
        return w * (desired / (backend.epsilon() + norms))

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}


class NonNeg(Constraint):
    """Sets negative weights to zero."""

    def __call__(self, w):
        return ops.maximum(ops.convert_to_tensor(w), 0.0)


class UnitNorm(Constraint):
    """Rescales weights to unit norm along ``axis``."""

    def __init__(self, axis: Any = 0) -> None:
        self.axis = axis

    def __call__(self, w):
        w = ops.convert_to_tensor(w)
        return w / (backend.epsilon() + _norms(w, self.axis))

    def get_config(self):
        return {"axis": self.axis}


_CLASSES = (Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm)
# Keras 3's lower-case names are the classes themselves.
max_norm = MaxNorm
min_max_norm = MinMaxNorm
non_neg = NonNeg
unit_norm = UnitNorm
_TABLE = {**{c.__name__: c for c in _CLASSES}, **{to_snake_case(c.__name__): c for c in _CLASSES}}
serialization_lib.register_builtin(*_CLASSES)


def get(identifier: Any) -> Any:
    """A constraint from a name (``"non_neg"``), a config dict, or an object."""
    return serialization_lib.resolve(identifier, _TABLE, "constraint")


def serialize(constraint: Constraint) -> dict:
    return serialization_lib.serialize_keras_object(constraint)


def deserialize(config: Any, custom_objects: dict | None = None) -> Constraint:
    return serialization_lib.deserialize_keras_object(config, _TABLE, custom_objects,
                                                      "constraint")
