"""Functional and Sequential models as configs, in Keras 3's format (and tf.keras's, to read).

A functional config lists every layer with its calls (``inbound_nodes``); a call names
its input tensors by ``keras_history = [layer name, node index, tensor index]``:

    {"name": "model", "trainable": true,
     "layers": [{"class_name": "InputLayer", ..., "name": "x", "inbound_nodes": []},
                {"class_name": "Dense", ..., "name": "dense", "inbound_nodes": [
                    {"args": [{"class_name": "__keras_tensor__",
                               "config": {"shape": [null, 4], "dtype": "float32",
                                          "keras_history": ["x", 0, 0]}}],
                     "kwargs": {}}]}],
     "input_layers": ["x", 0, 0], "output_layers": ["dense", 0, 0]}

tf.keras 2 wrote each call as a list of ``[layer, node, tensor, kwargs]``; both load.
Ops called on symbolic tensors (``x != 0``) are saved as Keras's op classes
(``NotEqual``) and found again among cornu's own ops, never by importing a module.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from cornu.core import tree
from cornu.core.keras_tensor import KerasTensor
from cornu.core.naming import to_snake_case
from cornu.saving.serialization_lib import deserialize_keras_object, serialize_keras_object

_OPS_MODULES = {"numpy": "keras.src.ops.numpy", "nn": "keras.src.ops.nn",
                "math": "keras.src.ops.math", "core": "keras.src.ops.core"}
_OPS_TABLE: dict | None = None


def _camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def _ops_table() -> dict:
    """Keras op class names (``NotEqual``) -> cornu op functions."""
    global _OPS_TABLE
    if _OPS_TABLE is None:
        from cornu.ops import core, math, nn, numpy

        _OPS_TABLE = {}
        for module in (core, math, nn, numpy):
            for name, fn in vars(module).items():
                if callable(fn) and not name.startswith("_") and \
                        getattr(fn, "__module__", "").startswith("cornu"):
                    _OPS_TABLE.setdefault(_camel(name), fn)
    return _OPS_TABLE


def _is_layer(obj: Any) -> bool:
    from cornu.layers.layer import Layer

    return isinstance(obj, Layer)


# --- saving ----------------------------------------------------------------------------------
def _operation_names(operations: list) -> dict:
    """Unique names for the graph's operations (ops called on tensors get ``add``, ``add_1``)."""
    used = {op.name for op in operations if _is_layer(op)}
    names = {}
    for op in operations:
        if _is_layer(op):
            names[id(op)] = op.name
            continue
        base, name, i = to_snake_case(op.name), to_snake_case(op.name), 0
        while name in used:
            i += 1
            name = f"{base}_{i}"
        used.add(name)
        names[id(op)] = name
    return names


def _serialize_op(op: Any, name: str) -> dict:
    module = getattr(op.fn, "__module__", "") or ""
    family = module.rsplit(".", 1)[-1]
    class_name = op.class_name
    return {"module": _OPS_MODULES.get(family, "keras.src.ops.numpy"), "class_name": class_name,
            "config": {"name": name}, "registered_name": class_name}


def get_functional_config(model: Any) -> dict:
    """The Keras 3 config of a functional model (layers, their calls, inputs, outputs)."""
    graph = model._graph
    node_ids = {id(node) for node in graph.nodes}
    names = _operation_names(graph.operations)
    reindex: dict = {}
    for op in graph.operations:
        kept = 0
        for i, node in enumerate(op._inbound_nodes):
            if id(node) in node_ids:
                reindex[(id(op), i)] = kept
                kept += 1

    def history(tensor: KerasTensor) -> list:
        op, node_index, tensor_index = tensor._keras_history
        return [names[id(op)], reindex[(id(op), node_index)], tensor_index]

    def arg(value: Any) -> Any:
        if isinstance(value, KerasTensor):
            return {"class_name": "__keras_tensor__",
                    "config": {"shape": list(value.shape), "dtype": value.dtype,
                               "keras_history": history(value)}}
        if isinstance(value, (list, tuple)):
            return [arg(v) for v in value]
        if isinstance(value, dict):
            return {k: arg(v) for k, v in value.items()}
        return serialize_keras_object(value)

    layers = []
    for op in graph.operations:
        entry = serialize_keras_object(op) if _is_layer(op) else _serialize_op(op, names[id(op)])
        entry["name"] = names[id(op)]
        entry["inbound_nodes"] = [
            {"args": arg(list(node.call_args)), "kwargs": arg(node.call_kwargs)}
            for node in op._inbound_nodes if id(node) in node_ids and not node.is_input]
        layers.append(entry)
    return {"name": model.name, "trainable": model.trainable, "layers": layers,
            "input_layers": tree.map_structure(history, graph.inputs_struct),
            "output_layers": tree.map_structure(history, graph.outputs_struct)}


# --- loading ---------------------------------------------------------------------------------
def _is_history(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 3 and isinstance(value[0], str) and \
        all(isinstance(v, int) and not isinstance(v, bool) for v in value[1:])


def _legacy_node(node: list) -> dict:
    """A tf.keras call ``[[layer, node, tensor, kwargs], ...]`` as Keras 3's args/kwargs."""
    refs, kwargs = [], {}
    for entry in node:
        if not isinstance(entry, list) or len(entry) < 3:
            raise ValueError(f"Malformed inbound node entry in a tf.keras config: {entry!r}")
        refs.append({"class_name": "__keras_tensor__",
                     "config": {"keras_history": list(entry[:3]), "legacy": True}})
        if len(entry) > 3 and isinstance(entry[3], dict):
            kwargs.update(entry[3])
    return {"args": [refs[0]] if len(refs) == 1 else [refs], "kwargs": kwargs}


def _is_op_entry(config: dict, custom_objects: dict | None) -> bool:
    """An op called on tensors: Keras 3 names its ops module; its legacy ``.h5`` writer drops
    the module, so there a class that is no layer but one of cornu's ops is an op too."""
    module = config.get("module")
    if isinstance(module, str):
        return module.startswith("keras.src.ops")
    name = config.get("class_name")
    if not isinstance(name, str) or name not in _ops_table():
        return False
    from cornu.saving.object_registration import get_registered_object
    from cornu.saving.serialization_lib import BUILTIN_OBJECTS

    return get_registered_object(name, custom_objects, BUILTIN_OBJECTS) is None


def _deserialize_operation(config: dict, custom_objects: dict | None) -> Any:
    if _is_op_entry(config, custom_objects):
        fn = _ops_table().get(config.get("class_name"))
        if fn is None:
            raise ValueError(f"Unknown op {config.get('class_name')!r} in the model config: "
                             "cornu has no such operation.")
        options = {k: v for k, v in (config.get("config") or {}).items() if k != "name"}
        return _OpCall(fn, options, (config.get("config") or {}).get("name"))
    layer = deserialize_keras_object(config, custom_objects=custom_objects, kind="layer")
    if not _is_layer(layer):
        raise ValueError(f"The model config lists {config.get('class_name')!r}, which is not a "
                         "layer.")
    return layer


class _OpCall:
    """An op from a config: called with the node's arguments plus the op's own options."""

    def __init__(self, fn: Any, options: dict, name: str | None = None) -> None:
        self.fn = fn
        self.options = options
        self.name = name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        out = self.fn(*args, **{**self.options, **kwargs})
        history = getattr(tree.flatten(out)[0], "_keras_history", None)
        if self.name and history is not None:
            history.operation.name = self.name  # keep the op's saved name
        return out


def functional_from_config(cls: type, config: dict, custom_objects: dict | None = None) -> Any:
    """Rebuilds a functional model from :func:`get_functional_config` output (or tf.keras's)."""
    layer_configs = config.get("layers")
    if not isinstance(layer_configs, list):
        raise ValueError("A functional model config needs a 'layers' list.")
    created: dict = {}
    outputs: dict = {}
    legacy: dict = {}
    queues: dict = {}
    order = []
    for layer_config in layer_configs:
        if not isinstance(layer_config, dict):
            raise ValueError(f"Malformed layer entry in the model config: {layer_config!r}")
        inner = layer_config.get("config") if isinstance(layer_config.get("config"), dict) else {}
        name = layer_config.get("name") or inner.get("name")
        if not isinstance(name, str) or name in created:
            raise ValueError(f"Every layer in a functional config needs a unique name; "
                             f"received {name!r}.")
        layer = _deserialize_operation(layer_config, custom_objects)
        created[name] = layer
        order.append(name)
        is_input = type(layer).__name__ == "InputLayer"
        outputs[name] = [layer._input_tensor] if is_input else []
        # tf.keras counted a nested model's own input node; Keras 3 does not.
        legacy[name] = 1 if _is_layer(layer) and getattr(layer, "_graph", None) is not None \
            else 0
        nodes = layer_config.get("inbound_nodes") or []
        if not isinstance(nodes, list):
            raise ValueError(f"Layer {name!r}: 'inbound_nodes' must be a list.")
        queues[name] = deque(_legacy_node(n) if isinstance(n, list) else n for n in nodes)

    def ref(value: dict) -> tuple:
        history = value.get("config", {}).get("keras_history")
        if not _is_history(history):
            raise ValueError(f"Malformed keras_history in the model config: {history!r}")
        name, node_index, tensor_index = history
        if name not in created:
            raise ValueError(f"The model config refers to an unknown layer {name!r}.")
        if value["config"].get("legacy"):
            node_index -= legacy[name]
        return name, node_index, tensor_index

    def refs(value: Any) -> list:
        if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
            return [ref(value)]
        if isinstance(value, (list, tuple)):
            return [r for v in value for r in refs(v)]
        if isinstance(value, dict):
            return [r for v in value.values() for r in refs(v)]
        return []

    def ready(node: dict) -> bool:
        return all(0 <= i < len(outputs[n]) for n, i, _ in refs([node.get("args"),
                                                                node.get("kwargs")]))

    def resolve(value: Any) -> Any:
        if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
            name, node_index, tensor_index = ref(value)
            flat = tree.flatten(outputs[name][node_index])
            if not 0 <= tensor_index < len(flat):
                raise ValueError(f"The model config refers to output {tensor_index} of layer "
                                 f"{name!r}, which has {len(flat)} output(s).")
            return flat[tensor_index]
        if isinstance(value, list):
            return [resolve(v) for v in value]
        if isinstance(value, dict):
            if "class_name" in value:
                return deserialize_keras_object(value, custom_objects=custom_objects)
            return {k: resolve(v) for k, v in value.items()}
        return value

    while any(queues.values()):
        progressed = False
        for name in order:
            queue = queues[name]
            while queue and ready(queue[0]):
                node = queue.popleft()
                args = resolve(node.get("args") or [])
                kwargs = resolve(node.get("kwargs") or {})
                if not isinstance(args, list) or not isinstance(kwargs, dict):
                    raise ValueError(f"Malformed call of layer {name!r} in the model config.")
                outputs[name].append(created[name](*args, **kwargs))
                progressed = True
        if not progressed:
            stuck = sorted(n for n, q in queues.items() if q)
            raise ValueError(f"Cannot rebuild the functional graph: the inputs of layers "
                             f"{stuck} are never computed (the config is inconsistent).")

    def tensor(history: Any) -> Any:
        if not _is_history(history):
            raise ValueError(f"Malformed model input/output reference: {history!r}")
        return resolve({"class_name": "__keras_tensor__", "config": {"keras_history": history}})

    def structure(spec: Any) -> Any:
        if _is_history(spec):
            return tensor(spec)
        if isinstance(spec, dict):
            return {k: structure(v) for k, v in spec.items()}
        if isinstance(spec, list):
            return [structure(v) for v in spec]
        raise ValueError(f"Malformed model input/output reference: {spec!r}")

    inputs = structure(config.get("input_layers"))
    model_outputs = structure(config.get("output_layers"))
    # tf.keras wrote single inputs/outputs as one-element lists.
    if isinstance(inputs, list) and len(inputs) == 1:
        inputs = inputs[0]
    if isinstance(model_outputs, list) and len(model_outputs) == 1:
        model_outputs = model_outputs[0]
    kwargs = {"name": config.get("name"), "trainable": config.get("trainable", True)}
    return cls(inputs=inputs, outputs=model_outputs, **{k: v for k, v in kwargs.items()
                                                        if v is not None})


# --- Sequential ------------------------------------------------------------------------------
def get_sequential_config(model: Any) -> dict:
    """Keras 3's Sequential config: the InputLayer (if any), then every layer."""
    from cornu import dtype_policies

    layers = []
    if model._input_layer is not None:
        layers.append(serialize_keras_object(model._input_layer))
    layers.extend(serialize_keras_object(layer) for layer in model.layers)
    config = {"name": model.name, "trainable": model.trainable,
              "dtype": dtype_policies.serialize(model.dtype_policy), "layers": layers}
    if model._build_shapes is not None:
        config["build_input_shape"] = model._build_shapes.get("input_shape")
    return config


def sequential_from_config(cls: type, config: dict, custom_objects: dict | None = None) -> Any:
    """Rebuilds a Sequential model from its config (Keras 3's or tf.keras's)."""
    layer_configs = config.get("layers")
    if not isinstance(layer_configs, list):
        raise ValueError("A Sequential config needs a 'layers' list.")
    kwargs = {k: config[k] for k in ("name", "trainable", "dtype") if config.get(k) is not None}
    model = cls(**kwargs)
    for layer_config in layer_configs:
        layer = deserialize_keras_object(layer_config, custom_objects=custom_objects,
                                         kind="layer")
        model.add(layer, rebuild=False)
    model._maybe_rebuild()
    shape = config.get("build_input_shape")
    if not model.built and shape is not None and model.layers:
        model.build(tuple(shape))
    return model



# --- subclassed models -----------------------------------------------------------------------
def subclass_from_config(cls: type, config: dict) -> Any:
    """``cls(**config)``; when ``cls.__init__`` takes fewer arguments (a subclassed model
    whose ``get_config`` was not overridden), only the ones it accepts, then the name."""
    import inspect

    try:
        return cls(**config)
    except TypeError as error:
        params = inspect.signature(cls.__init__).parameters
        if any(p.kind is p.VAR_KEYWORD for p in params.values()):
            raise TypeError(f"{cls.__name__}.from_config could not rebuild the model from "
                            f"{config}: {error}. Override get_config() to return the "
                            "arguments of __init__.") from error
        model = cls(**{k: v for k, v in config.items() if k in params})
        if isinstance(config.get("name"), str):
            model.name = config["name"]
        return model
