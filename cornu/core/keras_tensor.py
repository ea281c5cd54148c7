"""Symbolic tensors: a shape and a dtype, used to build functional models.

``cornu.Input(shape=(10,))`` returns a ``KerasTensor``; calling layers (or ``cornu.ops``
functions) on it records a graph instead of computing numbers.
"""

from __future__ import annotations

from typing import Any

from cornu import backend
from cornu.core.naming import unique_name


class KerasTensor:
    """A symbolic tensor: shape (``None`` for unknown sizes), dtype and graph history."""

    def __init__(self, shape: Any, dtype: Any = "float32", sparse: bool = False,
                 name: str | None = None) -> None:
        self._shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = backend.standardize_dtype(dtype)
        self.sparse = bool(sparse)
        self.name = name or unique_name("keras_tensor")
        self._keras_history = None
        self._keras_mask = None

    @property
    def shape(self) -> tuple:
        return self._shape

    @property
    def ndim(self) -> int:
        return len(self._shape)

    def reshape(self, newshape):
        from cornu import ops

        return ops.reshape(self, newshape)

    def __repr__(self) -> str:
        return (f"<KerasTensor shape={self.shape}, dtype={self.dtype}, sparse={self.sparse}, "
                f"name={self.name}>")

    def __bool__(self):
        raise TypeError(
            "A symbolic KerasTensor has no truth value: it holds a shape, not numbers. "
            "Use cornu.ops (e.g. ops.where, ops.cond) inside a layer's call() instead of Python "
            "`if`/`and`/`or` on functional-API tensors."
        )

    def __array__(self, *args, **kwargs):
        raise TypeError(
            f"{self!r} is symbolic (functional API) and cannot become a NumPy array. Call layers "
            "or cornu.ops functions on it, or wrap the computation in a layer (e.g. Lambda)."
        )

    def __len__(self) -> int:
        if not self._shape or self._shape[0] is None:
            raise TypeError(f"len() of a KerasTensor with unknown first dimension: {self!r}")
        return self._shape[0]

    def __iter__(self):
        raise TypeError(f"A symbolic KerasTensor is not iterable: {self!r}")

    __hash__ = object.__hash__

    # Operators build graph nodes through cornu.ops, as Keras does.
    def _op(self, name, *args):
        from cornu.ops import numpy as np_ops

        return getattr(np_ops, name)(*args)

    def __add__(self, other):
        return self._op("add", self, other)

    def __radd__(self, other):
        return self._op("add", other, self)

    def __sub__(self, other):
        return self._op("subtract", self, other)

    def __rsub__(self, other):
        return self._op("subtract", other, self)

    def __mul__(self, other):
        return self._op("multiply", self, other)

    def __rmul__(self, other):
        return self._op("multiply", other, self)

    def __truediv__(self, other):
        return self._op("divide", self, other)

    def __rtruediv__(self, other):
        return self._op("divide", other, self)

    def __matmul__(self, other):
        return self._op("matmul", self, other)

    def __rmatmul__(self, other):
        return self._op("matmul", other, self)

    def __pow__(self, other):
        return self._op("power", self, other)

    def __neg__(self):
        return self._op("negative", self)

    def __abs__(self):
        return self._op("abs", self)

    def __lt__(self, other):
        return self._op("less", self, other)

    def __le__(self, other):
        return self._op("less_equal", self, other)

    def __gt__(self, other):
        return self._op("greater", self, other)

    def __ge__(self, other):
        return self._op("greater_equal", self, other)

    def __getitem__(self, key):
        from cornu.ops import core as core_ops

        return core_ops.get_item(self, key)


def is_keras_tensor(x: Any) -> bool:
    """True for symbolic tensors of the functional API."""
    return isinstance(x, KerasTensor)


def any_symbolic(args: tuple, kwargs: dict | None = None) -> bool:
    """True when a KerasTensor appears among ``args``/``kwargs`` (one level of lists deep)."""
    for a in args:
        if isinstance(a, KerasTensor):
            return True
        if isinstance(a, (list, tuple)):
            for e in a:
                if isinstance(e, KerasTensor):
                    return True
    if kwargs:
        return any_symbolic(tuple(kwargs.values()))
    return False
