"""Calling layers and ops on symbolic tensors: shape inference and graph recording."""

from __future__ import annotations

import functools
from typing import Any, Callable

from cornu import backend
from cornu.core import tree
from cornu.core.keras_tensor import KerasTensor, any_symbolic
from cornu.core.naming import unique_name
from cornu.core.node import Node

# Two different stand-ins for unknown sizes tell which output sizes depend on them.
_UNKNOWN_SIZES = (83, 89)


def trace_output_spec(fn: Callable, args: tuple, kwargs: dict) -> Any:
    """Runs ``fn`` on shape-only tensors and returns KerasTensors for its outputs."""
    has_unknown = any(
        None in t.shape for t in tree.flatten((args, kwargs)) if isinstance(t, KerasTensor)
    )
    runs = []
    for size in _UNKNOWN_SIZES if has_unknown else _UNKNOWN_SIZES[:1]:
        def placeholder(x, size=size):
            if isinstance(x, KerasTensor):
                shape = [size if d is None else d for d in x.shape]
                return backend.symbolic.placeholder(shape, x.dtype)
            return x

        with backend.symbolic.symbolic_scope():
            runs.append(fn(*tree.map_structure(placeholder, args),
                           **tree.map_structure(placeholder, kwargs)))
    flat_runs = [tree.flatten(r) for r in runs]

    def to_spec(values):
        first = values[0]
        if not backend.is_tensor(first):
            return first
        shape = [d if all(v.shape[i] == d for v in values) else None
                 for i, d in enumerate(first.shape)]
        return KerasTensor(shape, dtype=backend.standardize_dtype(first.dtype))

    return tree.pack_sequence_as(runs[0], [to_spec(v) for v in zip(*flat_runs)])


class SymbolicOp:
    """A ``cornu.ops`` function called on symbolic tensors: a node in a functional graph."""

    def __init__(self, fn: Callable) -> None:
        self.fn = fn
        self.name = unique_name(fn.__name__.strip("_"))
        self._inbound_nodes: list = []
        self._outbound_nodes: list = []

    @property
    def class_name(self) -> str:
        """Keras's class name for this op, e.g. ``"Add"``, ``"LogSoftmax"``."""
        return "".join(part.capitalize() for part in self.fn.__name__.strip("_").split("_"))

    def __call__(self, *args, **kwargs):
        return self.fn(*args, **kwargs)

    def compute_output_spec(self, *args, **kwargs):
        return trace_output_spec(self.fn, args, kwargs)

    def __repr__(self) -> str:
        return f"<SymbolicOp {self.name}>"


def symbolic_op(fn: Callable) -> Callable:
    """Makes an ops function record a graph node when given KerasTensors."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if any_symbolic(args, kwargs):
            op = SymbolicOp(fn)
            outputs = trace_output_spec(fn, args, kwargs)
            Node(op, args, kwargs, outputs)
            return outputs
        return fn(*args, **kwargs)

    return wrapper
