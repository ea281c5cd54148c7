"""``clone_model``: the same architecture with new layers (and new weights)."""

from __future__ import annotations

from typing import Any, Callable

from cornu.core import tree
from cornu.core.keras_tensor import KerasTensor


def _clone_layer(layer: Any) -> Any:
    return layer.__class__.from_config(layer.get_config())


def clone_model(model: Any, input_tensors: Any = None, clone_function: Callable | None = None,
                call_function: Callable | None = None, recursive: bool = False,
                **kwargs: Any) -> Any:
    """A copy of a functional or Sequential ``model`` made of new layers.

    Args:
        model: the model to copy.
        input_tensors: symbolic inputs for the copy (default: new ``Input``s like the model's).
        clone_function: ``layer -> new layer``; default ``cls.from_config(layer.get_config())``
            (new weights).
        call_function: ``(layer, *args, **kwargs) -> outputs``, to change how layers are called.
        recursive: also clone nested models layer by layer with ``clone_function``.

    Example:
        >>> copy = cornu.models.clone_model(model)
        >>> copy.set_weights(model.get_weights())
    """
    from cornu.layers.input_layer import Input, InputLayer
    from cornu.models.model import Model
    from cornu.models.sequential import Sequential

    if kwargs:
        raise ValueError(f"Unrecognized arguments for clone_model: {sorted(kwargs)}")
    clone = clone_function or _clone_layer

    def clone_layer(layer: Any) -> Any:
        if recursive and isinstance(layer, Model) and (
                isinstance(layer, Sequential) or layer._graph is not None):
            return clone_model(layer, clone_function=clone_function,
                               call_function=call_function, recursive=True)
        return clone(layer)

    if isinstance(model, Sequential):
        layers = [clone_layer(layer) for layer in model.layers]
        if input_tensors is not None:
            layers = [input_tensors] + layers
        elif model._input_layer is not None:
            source = model._input_layer
            layers = [InputLayer(batch_shape=source.batch_shape, dtype=source.dtype,
                                 name=source.name)] + layers
        return Sequential(layers, name=model.name, trainable=model.trainable)
    if model._graph is None:
        if clone_function is not None or input_tensors is not None:
            raise ValueError(f"clone_model of subclassed model '{model.name}': "
                             "clone_function and input_tensors apply only to functional and "
                             "Sequential models.")
        return model.__class__.from_config(model.get_config())

    graph = model._graph
    if input_tensors is None:
        new_inputs = [Input(batch_shape=t.shape, dtype=t.dtype,
                            name=t._keras_history.operation.name) for t in graph.inputs]
    else:
        new_inputs = tree.flatten(input_tensors)
        if len(new_inputs) != len(graph.inputs):
            raise ValueError(f"clone_model: the model has {len(graph.inputs)} inputs, "
                             f"input_tensors holds {len(new_inputs)}.")
    mapping = {id(old): new for old, new in zip(graph.inputs, new_inputs)}
    clones: dict = {}
    for node in graph.nodes:
        if all(id(t) in mapping for t in node.outputs):
            continue
        operation = node.operation
        if id(operation) not in clones:
            clones[id(operation)] = clone_layer(operation) if hasattr(operation, "get_config") \
                else _symbolic(operation)
        new_operation = clones[id(operation)]

        def swap(x: Any) -> Any:
            return mapping[id(x)] if isinstance(x, KerasTensor) else x

        args = tree.map_structure(swap, list(node.call_args))
        call_kwargs = tree.map_structure(swap, node.call_kwargs)
        if call_function is not None and hasattr(operation, "get_config"):
            outputs = call_function(new_operation, *args, **call_kwargs)
        else:
            outputs = new_operation(*args, **call_kwargs)
        for old, new in zip(node.outputs, tree.flatten(outputs)):
            mapping[id(old)] = new
    inputs = tree.pack_sequence_as(graph.inputs_struct, new_inputs)
    outputs = tree.map_structure(lambda t: mapping[id(t)], graph.outputs_struct)
    return Model(inputs, outputs, name=model.name, trainable=model.trainable)


def _symbolic(operation: Any) -> Callable:
    from cornu.core.operation import symbolic_op

    return symbolic_op(operation.fn)
