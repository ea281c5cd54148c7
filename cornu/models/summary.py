"""``model.summary()``: Keras's table of layers, output shapes and parameter counts."""

from __future__ import annotations

import math
from typing import Any, Callable



def _format_size(n_bytes: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n_bytes < 1024 or unit == "GB":
            return f"{n_bytes:.2f} {unit}"
        n_bytes /= 1024
    return f"{n_bytes:.2f} GB"


def _count(weights: list) -> tuple[int, int]:
    """(number of parameters, number of bytes)."""
    seen, count, size = set(), 0, 0
    for w in weights:
        if id(w) in seen:
            continue
        seen.add(id(w))
        n = math.prod(int(d) for d in w.shape)
        count += n
        size += n * w.element_size()
    return count, size


def _output_shape(layer: Any) -> str:
    if not getattr(layer, "_inbound_nodes", None):
        return "?"
    shapes = [t.shape for t in layer._inbound_nodes[-1].outputs if hasattr(t, "shape")]
    if not shapes:
        return "?"
    return str(shapes[0]) if len(shapes) == 1 else str(shapes)


def _connections(layer: Any, graph_nodes: set) -> str:
    parts = []
    for node in layer._inbound_nodes:
        if id(node) not in graph_nodes:
            continue
        for t in node.input_tensors:
            op, node_index, tensor_index = t._keras_history
            parts.append(f"{op.name}[{node_index}][{tensor_index}]")
    return ", ".join(parts) if parts else "-"


def _box_row(cells: list, widths: list, left: str, mid: str, right: str,
             aligns: list) -> str:
    out = []
    for cell, width, align in zip(cells, widths, aligns):
        text = cell[:width]
        out.append(" " + (text.rjust(width) if align == "right" else text.ljust(width)) + " ")
    return left + mid.join(out) + right


def print_summary(model: Any, line_length: int | None = None, positions: Any = None,
                  print_fn: Callable | None = None, expand_nested: bool = False,
                  show_trainable: bool = False, layer_range: Any = None) -> None:
    """Prints (or passes line by line to ``print_fn``) the summary table of ``model``."""
    if not model.built:
        raise ValueError(
            f"Model '{model.name}' has not yet been built, so it has no weights or shapes to "
            "summarize. Build it first: give the first layer an Input (e.g. "
            "Sequential([cornu.Input((784,)), ...])), call `model.build(input_shape)`, or call "
            "the model on a batch of data.")
    print_fn = print_fn or print
    from cornu.models.sequential import Sequential

    layers = model.layers
    if model._graph is not None and not isinstance(model, Sequential):
        layers = list(model._graph.operations)  # ops called on symbolic tensors included
    sequential = isinstance(model, Sequential) or model._graph is None or all(
        len(layer._inbound_nodes) <= 1 and
        len(layer._inbound_nodes[0].input_tensors if layer._inbound_nodes else []) <= 1
        for layer in layers)
    if layer_range is not None:
        names = [layer.name for layer in layers]
        start, stop = names.index(layer_range[0]), names.index(layer_range[1])
        layers = layers[start:stop + 1]
    headers = ["Layer (type)", "Output Shape", "Param #"]
    widths = [31, 22, 13]
    aligns = ["left", "left", "right"]
    graph_nodes = set()
    if not sequential:
        headers.append("Connected to")
        widths = [26, 20, 11, 22]
        aligns.append("left")
        graph_nodes = {id(n) for n in model._graph.nodes}
    if show_trainable:
        headers.append("Trainable")
        widths.append(9)
        aligns.append("left")
    if line_length:
        scale = line_length / (sum(widths) + 3 * len(widths) + 1)
        widths = [max(8, int(w * scale)) for w in widths]
    lines = [f'Model: "{model.name}"']
    lines.append("┏" + "┳".join("━" * (w + 2) for w in widths) + "┓")
    lines.append(_box_row(headers, widths, "┃", "┃", "┃", ["left"] * (len(widths) - 1) + [
        aligns[-1] if not show_trainable else "left"]))
    lines.append("┡" + "╇".join("━" * (w + 2) for w in widths) + "┩")
    for i, layer in enumerate(layers):
        n_params = _count(getattr(layer, "weights", []))[0]
        kind = getattr(layer, "class_name", type(layer).__name__)
        row = [f"{layer.name} ({kind})", _output_shape(layer), f"{n_params:,}"]
        if not sequential:
            row.append(_connections(layer, graph_nodes))
        if show_trainable:
            row.append("Y" if getattr(layer, "trainable", False) else "N")
        lines.append(_box_row(row, widths, "│", "│", "│", aligns))
        if i < len(layers) - 1:
            lines.append("├" + "┼".join("─" * (w + 2) for w in widths) + "┤")
    lines.append("└" + "┴".join("─" * (w + 2) for w in widths) + "┘")
    total, total_size = _count(model.weights)
    trainable, trainable_size = _count(model.trainable_weights)
    ids = {id(w) for w in model.trainable_weights}
    non_trainable, nt_size = _count([w for w in model.weights if id(w) not in ids])
    lines.append(f" Total params: {total:,} ({_format_size(total_size)})")
    lines.append(f" Trainable params: {trainable:,} ({_format_size(trainable_size)})")
    lines.append(f" Non-trainable params: {non_trainable:,} ({_format_size(nt_size)})")
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None and getattr(optimizer, "built", False):
        opt_count, opt_size = _count(optimizer.variables)
        lines.append(f" Optimizer params: {opt_count:,} ({_format_size(opt_size)})")
    for line in lines:
        print_fn(line)
