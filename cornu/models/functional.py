"""The graph of a functional model: which layer calls to run, in which order, on what.

``Graph(inputs, outputs)`` walks the symbolic tensors' history back from ``outputs`` to
``inputs`` once, at model construction, and stores a flat execution plan, so a call
costs one loop over the plan.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from cornu import ops
from cornu.core import tree
from cornu.core.keras_tensor import KerasTensor


def _build_map(inputs: list, outputs: list) -> tuple[list, dict]:
    """Nodes reachable from ``outputs`` (stopping at ``inputs``), parents before children."""
    finished, in_progress = set(), set()
    ordered_nodes: list = []
    op_indices: dict = {}
    input_ids = {id(t) for t in inputs}

    def visit(tensor):
        history = tensor._keras_history
        if history is None:
            raise ValueError(f"Output tensor {tensor!r} was not produced by a cornu layer or "
                             "op; functional models need every tensor to come from Input().")
        operation, node_index, _ = history
        node = operation._inbound_nodes[node_index]
        if id(node) in finished:
            return
        if id(node) in in_progress:
            raise ValueError(f"The functional graph has a cycle at {operation!r}.")
        if operation not in op_indices:
            op_indices[operation] = len(op_indices)
        in_progress.add(id(node))
        if not node.is_input and id(tensor) not in input_ids:
            for t in node.input_tensors:
                visit(t)
        in_progress.discard(id(node))
        finished.add(id(node))
        ordered_nodes.append(node)

    for t in outputs:
        visit(t)
    return ordered_nodes, op_indices


def order_graph(inputs: list, outputs: list) -> tuple[list, list]:
    """Returns (nodes in execution order, operations ordered as Keras orders layers)."""
    nodes, op_indices = _build_map(inputs, outputs)
    node_depth: dict = {}
    op_depth: dict = {}
    for node in reversed(nodes):
        depth = max(node_depth.setdefault(id(node), 0), op_depth.get(node.operation, 0))
        op_depth[node.operation] = depth
        node_depth[id(node)] = depth
        for parent in node.parent_nodes:
            node_depth[id(parent)] = max(depth + 1, node_depth.get(id(parent), 0))
    for t in inputs:
        operation = t._keras_history.operation
        if operation not in op_depth:
            op_depth[operation] = 0
            op_indices[operation] = -1
    by_depth: dict = defaultdict(list)
    for operation, depth in op_depth.items():
        by_depth[depth].append(operation)
    operations = []
    for depth in sorted(by_depth, reverse=True):
        operations.extend(sorted(by_depth[depth], key=lambda op: op_indices[op]))
    ordered = sorted(nodes, key=lambda n: -node_depth[id(n)])
    return ordered, operations


class Graph:
    """An executable functional graph from symbolic ``inputs`` to ``outputs``."""

    def __init__(self, inputs: Any, outputs: Any) -> None:
        self.inputs_struct = inputs
        self.outputs_struct = outputs
        self.inputs = tree.flatten(inputs)
        self.outputs = tree.flatten(outputs)
        for t in self.inputs + self.outputs:
            if not isinstance(t, KerasTensor):
                raise ValueError(f"Model inputs and outputs must be symbolic tensors from "
                                 f"cornu.Input() and layer calls. Received: {t!r}")
        self.nodes, self.operations = order_graph(self.inputs, self.outputs)
        self._input_ids = [id(t) for t in self.inputs]
        # Nodes that produce the model's inputs are fed from outside, never run.
        self._plan = [self._plan_node(node) for node in self.nodes
                      if not all(id(t) in self._input_ids for t in node.outputs)]
        self._output_ids = [id(t) for t in self.outputs]
        self._release = self._release_plan()

    def _release_plan(self) -> list:
        """For each step, the intermediate values no later step reads: run() drops them at
        once, so a deep model holds only its live activations (the allocator then reuses
        warm memory instead of growing, which made long chains of layers slower)."""
        last_use: dict = {}
        for step, node in enumerate(n for n in self.nodes
                                    if not all(id(t) in self._input_ids for t in n.outputs)):
            for t in node.input_tensors:
                last_use[id(t)] = step
        keep = set(self._output_ids)
        release: list = [[] for _ in self._plan]
        for key, step in last_use.items():
            if key not in keep:
                release[step].append(key)
        return release

    @staticmethod
    def _plan_node(node):
        args, kwargs = node.call_args, node.call_kwargs
        out_ids = [id(t) for t in node.outputs]
        if len(args) == 1 and isinstance(args[0], KerasTensor) and not kwargs:
            return node.operation, id(args[0]), None, None, out_ids
        return node.operation, None, args, kwargs, out_ids

    def run(self, inputs: Any, spec_only: bool = False) -> Any:
        """Computes the outputs for ``inputs`` (same structure as the model's inputs).

        With ``spec_only``, inputs are symbolic and each operation only infers its output
        spec, recording no graph nodes (used when a model is nested in another graph).
        """
        values = {key: ops.cast(x, t.dtype) if ops.dtype(x) != t.dtype
                  else x for key, x, t in zip(self._input_ids, self.flatten_inputs(inputs),
                                              self.inputs)}
        for (operation, single, args, kwargs, out_ids), release in zip(self._plan,
                                                                         self._release):
            fn = operation.compute_output_spec if spec_only else operation
            if single is not None:
                result = fn(values[single])
            else:
                def fill(x):
                    return values[id(x)] if isinstance(x, KerasTensor) else x

                result = fn(*tree.map_structure(fill, args), **tree.map_structure(fill, kwargs))
            if len(out_ids) == 1:
                values[out_ids[0]] = result
            else:
                for key, value in zip(out_ids, tree.flatten(result)):
                    values[key] = value
            for key in release:
                del values[key]
        return tree.pack_sequence_as(self.outputs_struct,
                                     [values[key] for key in self._output_ids])

    def flatten_inputs(self, inputs: Any) -> list:
        """Matches user inputs (single, list, or dict by input name) to the graph's inputs."""
        if isinstance(inputs, dict):
            names = [t.name for t in self.inputs]
            if isinstance(self.inputs_struct, dict):
                keys = sorted(self.inputs_struct)
                missing = [k for k in keys if k not in inputs]
                if not missing:
                    return [inputs[k] for k in keys]
            if all(n in inputs for n in names):
                return [inputs[n] for n in names]
            raise ValueError(f"Missing data for model inputs {[n for n in names if n not in inputs]}"
                             f"; received keys {sorted(inputs)}. Expected keys: {names}")
        flat = tree.flatten(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        if len(flat) != len(self.inputs):
            raise ValueError(f"The model expects {len(self.inputs)} input(s) "
                             f"{[t.name for t in self.inputs]}, but it received {len(flat)} "
                             "input tensors.")
        return flat
