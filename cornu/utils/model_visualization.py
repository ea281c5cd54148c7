"""``plot_model`` and ``model_to_dot``: a diagram of a model's layer graph (pydot/graphviz).

pydot builds the graph (``pip install pydot``); rendering to PNG/SVG/PDF also needs the
graphviz ``dot`` program. ``.dot`` output needs only pydot.
"""

from __future__ import annotations

import os
from typing import Any


def _pydot() -> Any:
    try:
        import pydot
    except ImportError as error:
        raise ImportError("plot_model/model_to_dot need pydot: install it with `pip install "
                          "pydot` (or `pip install cornu[visualization]`), and graphviz "
                          "(https://graphviz.org/download/) to render images.") from error
    return pydot


def _shape_text(tensors: Any) -> str:
    shapes = [tuple(t.shape) for t in tensors if hasattr(t, "shape")]
    if not shapes:
        return "?"
    return ", ".join(str(s) for s in shapes) if len(shapes) > 1 else str(shapes[0])


def _label(layer: Any, node: Any, show_shapes: bool, show_dtype: bool,
           show_layer_names: bool, show_layer_activations: bool,
           show_trainable: bool) -> str:
    cls = type(layer).__name__
    lines = [f"{layer.name} ({cls})" if show_layer_names else cls]
    activation = getattr(layer, "activation", None)
    if show_layer_activations and activation is not None:
        lines.append(f"Activation: {getattr(activation, '__name__', str(activation))}")
    if show_shapes and node is not None:
        if node.input_tensors:
            lines.append(f"Input shape: {_shape_text(node.input_tensors)}")
        lines.append(f"Output shape: {_shape_text(node.outputs)}")
    if show_dtype and node is not None:
        dtypes = sorted({str(getattr(t, "dtype", "?")) for t in node.outputs})
        lines.append(f"Output dtype: {', '.join(dtypes)}")
    if show_trainable:
        lines.append(f"Trainable: {'Y' if getattr(layer, 'trainable', False) else 'N'}")
    return "\n".join(lines)


def model_to_dot(model: Any, show_shapes: bool = False, show_dtype: bool = False,
                 show_layer_names: bool = True, rankdir: str = "TB",
                 expand_nested: bool = False, dpi: int = 200, subgraph: bool = False,
                 show_layer_activations: bool = False, show_trainable: bool = False,
                 **kwargs: Any) -> Any:
    """A ``pydot.Dot`` graph of the model's layers (one box per layer call).

    Args:
        model: a functional, Sequential or built subclassed model.
        show_shapes, show_dtype: add the input/output shapes and dtypes to each box.
        show_layer_names: show ``name (Class)`` instead of the class alone.
        rankdir: graphviz's direction: ``"TB"`` (top to bottom) or ``"LR"``.
        dpi: the resolution of rendered images.
        show_layer_activations, show_trainable: add those facts to each box.
    """
    if expand_nested:
        raise ValueError("model_to_dot: `expand_nested=True` is not supported by cornu yet; "
                         "nested models are drawn as one box. Pass expand_nested=False.")
    if kwargs:
        raise TypeError(f"model_to_dot: unrecognized arguments {sorted(kwargs)}.")
    pydot = _pydot()
    dot = pydot.Cluster(style="dashed", graph_name=model.name) if subgraph else pydot.Dot()
    dot.set("rankdir", rankdir)
    dot.set("concentrate", True)
    dot.set("dpi", dpi)
    dot.set_node_defaults(shape="record")
    options = (show_shapes, show_dtype, show_layer_names, show_layer_activations,
               show_trainable)
    graph = getattr(model, "_graph", None)
    if graph is not None:
        for node in graph.nodes:
            dot.add_node(pydot.Node(str(id(node.operation)),
                                    label=_label(node.operation, node, *options)))
        for node in graph.nodes:
            for parent in node.parent_nodes:
                dot.add_edge(pydot.Edge(str(id(parent.operation)), str(id(node.operation))))
        return dot
    layers = list(getattr(model, "layers", []))
    if not layers:
        raise ValueError(f"model_to_dot: model '{model.name}' has no layers to draw; build it "
                         "first (call it on data or give it an Input).")
    previous = None
    chained = type(model).__name__ == "Sequential"
    for layer in layers:
        node = layer._inbound_nodes[-1] if getattr(layer, "_inbound_nodes", None) else None
        dot.add_node(pydot.Node(str(id(layer)), label=_label(layer, node, *options)))
        if chained and previous is not None:
            dot.add_edge(pydot.Edge(str(id(previous)), str(id(layer))))
        previous = layer
    return dot


def plot_model(model: Any, to_file: str = "model.png", show_shapes: bool = False,
               show_dtype: bool = False, show_layer_names: bool = True, rankdir: str = "TB",
               expand_nested: bool = False, dpi: int = 200,
               show_layer_activations: bool = False, show_trainable: bool = False,
               **kwargs: Any) -> Any:
    """Draws the model's layer graph to ``to_file`` (``.png``, ``.svg``, ``.pdf`` or ``.dot``).

    Needs pydot, and graphviz's ``dot`` program for every format but ``.dot``.

    Returns:
        In a notebook, an ``IPython.display.Image`` of a PNG; otherwise ``None``.

    Example:
        >>> cornu.utils.plot_model(model, "model.png", show_shapes=True)
    """
    dot = model_to_dot(model, show_shapes=show_shapes, show_dtype=show_dtype,
                       show_layer_names=show_layer_names, rankdir=rankdir,
                       expand_nested=expand_nested, dpi=dpi,
                       show_layer_activations=show_layer_activations,
                       show_trainable=show_trainable, **kwargs)
    extension = os.path.splitext(str(to_file))[1].lower().lstrip(".") or "png"
    if extension == "dot":
        dot.write_raw(str(to_file))
        return None
    try:
        dot.write(str(to_file), format=extension)
    except FileNotFoundError as error:  # pydot raises this when `dot` is missing
        raise ImportError("plot_model needs the graphviz `dot` program to render "
                          f"'{extension}' files; install graphviz "
                          "(https://graphviz.org/download/), or save to a '.dot' file, "
                          "which needs only pydot.") from error
    if extension == "png":
        try:
            from IPython import display

            if "ipykernel" in __import__("sys").modules:
                return display.Image(filename=str(to_file))
        except ImportError:
            pass
    return None
