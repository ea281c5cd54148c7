"""Weight regularizers: penalties added to the loss, with Keras's names and formulas."""

from __future__ import annotations

from typing import Any

from cornu import ops
from cornu.saving import serialization_lib


def _check_factor(name: str, value: Any) -> float:
    value = float(value)
    if value < 0 or value != value:
        raise ValueError(f"Argument `{name}` must be a non-negative number. Received: "
                         f"{name}={value}")
    return value


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
        self.l1 = _check_factor("l1", l1)

    def __call__(self, x):
        return self.l1 * ops.sum(ops.abs(x))

    def get_config(self):
        return {"l1": self.l1}


class L2(Regularizer):
    """``l2 * sum(square(x))``."""

    def __init__(self, l2: float = 0.01) -> None:
        self.l2 = _check_factor("l2", l2)

    def __call__(self, x):
        return self.l2 * ops.sum(ops.square(x))

    def get_config(self):
        return {"l2": self.l2}


class L1L2(Regularizer):
    """``l1 * sum(abs(x)) + l2 * sum(square(x))``."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0) -> None:
        self.l1 = _check_factor("l1", l1)
        self.l2 = _check_factor("l2", l2)

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
            raise ValueError(f"Argument `mode` must be 'rows' or 'columns'. Received: {mode!r}")
        self.mode = mode

    def __call__(self, x):
        if len(ops.shape(x)) != 2:
            raise ValueError(f"OrthogonalRegularizer needs a 2-D weight. Received shape "
                             f"{ops.shape(x)}")
        if self.mode == "columns":
            x = ops.transpose(x)
        x = ops.l2_normalize(x, axis=1)
        product = ops.matmul(x, ops.transpose(x))
        size = ops.shape(product)[0]
        off_diagonal = product * (1.0 - ops.eye(size, dtype=product.dtype))
        return self.factor * ops.sum(ops.abs(off_diagonal)) / (size * (size - 1))

    def get_config(self):
        return {"factor": self.factor, "mode": self.mode}


_CLASSES = (Regularizer, L1, L2, L1L2, OrthogonalRegularizer)
_TABLE = {**{c.__name__: c for c in _CLASSES}, "l1": L1, "l2": L2, "l1_l2": L1L2,
          "orthogonal_regularizer": OrthogonalRegularizer}
serialization_lib.register_builtin(*_CLASSES)


def l1_l2(l1: float = 0.01, l2: float = 0.01) -> L1L2:
    return L1L2(l1=l1, l2=l2)


def get(identifier: Any) -> Any:
    """A regularizer from a name (``"l2"``), a config dict, or an object; ``None`` stays ``None``."""
    return serialization_lib.resolve(identifier, _TABLE, "regularizer")


def serialize(regularizer: Regularizer) -> dict:
    return serialization_lib.serialize_keras_object(regularizer)


def deserialize(config: Any, custom_objects: dict | None = None) -> Regularizer:
    return serialization_lib.deserialize_keras_object(config, _TABLE, custom_objects,
                                                      "regularizer")
