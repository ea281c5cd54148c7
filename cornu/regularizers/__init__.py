"""Weight regularizers: penalties added to the loss, with Keras's names and formulas."""

from __future__ import annotations

from typing import Any

from cornu import ops
from cornu.core.naming import to_snake_case
from cornu.saving import serialization_lib


def _check_factor(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or \
            value in (float("inf"), float("-inf")) or value < 0:
        raise ValueError(f"Invalid value for argument {name}: expected a non-negative float. "
                         f"Received: {name}={value!r}")
    return float(value)


class Regularizer:
    """Base class: ``regularizer(weight)`` returns a scalar penalty."""

    def __call__(self, x: Any) -> Any:
        return 0.0

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict) -> "Regularizer":
        return cls(**config)


class L1(Regularizer):
    """``l1 * sum(abs(x))``."""

    def __init__(self, l1: float = 0.01) -> None:
        self.l1 = _check_factor("l1", 0.01 if l1 is None else l1)

    def __call__(self, x):
        return self.l1 * ops.sum(ops.abs(x))

    def get_config(self):
        return {"l1": self.l1}


class L2(Regularizer):
    """``l2 * sum(square(x))``."""

    def __init__(self, l2: float = 0.01) -> None:
        self.l2 = _check_factor("l2", 0.01 if l2 is None else l2)

    def __call__(self, x):
        return self.l2 * ops.sum(ops.square(x))

    def get_config(self):
        return {"l2": self.l2}


class L1L2(Regularizer):
    """``l1 * sum(abs(x)) + l2 * sum(square(x))``."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0) -> None:
        self.l1 = _check_factor("l1", 0.0 if l1 is None else l1)
        self.l2 = _check_factor("l2", 0.0 if l2 is None else l2)

    def __call__(self, x):
        out = 0.0
        if self.l1:
            out = out + self.l1 * ops.sum(ops.abs(x))
        if self.l2:
            out = out + self.l2 * ops.sum(ops.square(x))
        return out

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """Pushes the rows (or columns) of a 2-D weight towards orthonormality."""

    def __init__(self, factor: float = 0.01, mode: str = "rows") -> None:
        self.factor = _check_factor("factor", factor)
        if mode not in ("rows", "columns"):
            raise ValueError("Invalid value for argument `mode` of OrthogonalRegularizer: "
                             f"expected 'rows' or 'columns'. Received: mode={mode!r}")
        self.mode = mode

    def __call__(self, x):
        if len(ops.shape(x)) != 2:
            raise ValueError(f"OrthogonalRegularizer needs a 2-D weight. Received shape "
                             f"{ops.shape(x)}")
        if self.mode == "columns":
            x = ops.transpose(x)
        x = ops.normalize(x, axis=1)
        product = ops.matmul(x, ops.transpose(x))
        size = ops.shape(product)[0]
        off_diagonal = product * (1.0 - ops.eye(size, dtype=product.dtype))
        return self.factor * ops.sum(ops.abs(off_diagonal)) / (size * (size - 1))

    def get_config(self):
        return {"factor": self.factor, "mode": self.mode}


_CLASSES = (Regularizer, L1, L2, L1L2, OrthogonalRegularizer)
# Keras 3's lower-case names are the classes themselves (``l1_l2(l1=0.01)`` is an L1L2).
l1 = L1
l2 = L2
l1_l2 = L1L2
orthogonal_regularizer = OrthogonalRegularizer
_TABLE = {**{c.__name__: c for c in _CLASSES}, **{to_snake_case(c.__name__): c for c in _CLASSES},
          "l1_l2": L1L2}
serialization_lib.register_builtin(*_CLASSES)


def get(identifier: Any) -> Any:
    """A regularizer from a name (``"l2"``), a config dict, or an object; ``None`` stays ``None``."""
    return serialization_lib.resolve(identifier, _TABLE, "regularizer")


def serialize(regularizer: Regularizer) -> dict:
    return serialization_lib.serialize_keras_object(regularizer)


def deserialize(config: Any, custom_objects: dict | None = None) -> Regularizer:
    return serialization_lib.deserialize_keras_object(config, _TABLE, custom_objects,
                                                      "regularizer")
