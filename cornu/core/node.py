"""Graph nodes: one call of an operation (usually a layer) on symbolic tensors."""

from __future__ import annotations

from typing import Any, NamedTuple

from cornu.core import tree
from cornu.core.keras_tensor import KerasTensor


class KerasHistory(NamedTuple):
    operation: Any
    node_index: int
    tensor_index: int


class Node:
    """Records ``outputs = operation(*args, **kwargs)`` for a functional graph."""

    def __init__(self, operation, call_args: tuple = (), call_kwargs: dict | None = None,
                 outputs: Any = None) -> None:
        self.operation = operation
        self.call_args = tuple(call_args)
        self.call_kwargs = dict(call_kwargs or {})
        self.outputs = tree.flatten(outputs) if outputs is not None else []
        self.input_tensors = [
            t for t in tree.flatten((self.call_args, self.call_kwargs)) if isinstance(t, KerasTensor)
        ]
        self.parent_nodes = []
        for t in self.input_tensors:
            if t._keras_history is not None:
                op, node_index, _ = t._keras_history
                self.parent_nodes.append(op._inbound_nodes[node_index])
        operation._inbound_nodes.append(self)
        node_index = len(operation._inbound_nodes) - 1
        for i, t in enumerate(self.outputs):
            if isinstance(t, KerasTensor):
                t._keras_history = KerasHistory(operation, node_index, i)
        for t in self.input_tensors:
            if t._keras_history is not None:
                t._keras_history.operation._outbound_nodes.append(self)

    @property
    def is_input(self) -> bool:
        return not self.input_tensors
