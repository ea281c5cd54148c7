"""The legacy tf.keras HDF5 format: ``model.save("model.h5")`` and HDF5 weights files.

A full model file holds, at its root, the attributes ``model_config`` (JSON) and, when
compiled, ``training_config``; the groups ``model_weights`` and ``optimizer_weights``.
``model_weights`` (or the root of a weights-only file) lists ``layer_names``; each layer's
group lists its ``weight_names``, whose datasets hold the layer's weights (all of them,
sublayers included): the trainable ones first, then the others. Weights are matched layer
by layer in order, or by layer name (``by_name=True``).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from cornu.saving import h5_weights, safety, state_tree
from cornu.saving.serialization_lib import serialize_keras_object

KERAS_VERSION = "3.15.1"  # the Keras release whose file formats cornu writes
_ATTR_LIMIT = 64000  # HDF5 object headers hold at most 64 KiB of attributes


# --- attributes ------------------------------------------------------------------------------
def _decode(value: Any) -> str:
    return value.decode("utf8") if isinstance(value, bytes) else str(value)


def save_attribute(group: Any, name: str, values: list) -> None:
    """Writes a list of strings, split into ``name0``, ``name1``... when it is too large."""
    data = np.array([v.encode("utf8") for v in values]) if values else np.array([], dtype="S1")
    chunks = max(1, int(np.ceil(data.nbytes / _ATTR_LIMIT)))
    if chunks == 1:
        group.attrs[name] = data
        return
    for i, chunk in enumerate(np.array_split(data, chunks)):
        group.attrs[f"{name}{i}"] = chunk


def load_attribute(group: Any, name: str) -> list:
    """Reads a list of strings written by :func:`save_attribute` (or by tf.keras)."""
    if name in group.attrs:
        values = group.attrs[name]
        return [_decode(v) for v in np.atleast_1d(values)]
    out, i = [], 0
    while f"{name}{i}" in group.attrs:
        out.extend(_decode(v) for v in np.atleast_1d(group.attrs[f"{name}{i}"]))
        i += 1
    return out


def _json_attribute(group: Any, name: str) -> Any:
    if name not in group.attrs:
        return None
    value = group.attrs[name]
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.item()
    return safety.loads_json(value if isinstance(value, (bytes, str)) else str(value), name)


# --- saving ----------------------------------------------------------------------------------
def _legacy_class_name(name: str) -> str:
    """Keras 3's legacy writer uses the class's own name, not its export name
    (``GroupedQueryAttention`` for ``keras.layers.GroupQueryAttention``)."""
    from cornu.saving.serialization_lib import BUILTIN_OBJECTS

    cls = BUILTIN_OBJECTS.get(name)
    if cls is not None and vars(cls).get("_keras_class_name") == name:
        return cls.__name__
    return name


def _legacy_entries(config: Any) -> Any:
    """Keras 3's legacy writer names registered classes ``package>Name`` in layer entries
    and drops ``module``/``registered_name``/``build_config`` there."""
    if not isinstance(config, dict) or "class_name" not in config:
        return config
    out = {"class_name": _legacy_class_name(config.get("registered_name")
                                            or config["class_name"]),
           "config": dict(config.get("config") or {})}
    for key in ("name", "inbound_nodes"):
        if key in config:
            out[key] = config[key]
    if str(config.get("module", "")).startswith("keras.src.ops"):
        out["module"] = config["module"]  # an op called on tensors, not a layer of that name
    layers = out["config"].get("layers")
    if isinstance(layers, list):
        out["config"]["layers"] = [_legacy_entries(layer) for layer in layers]
    return out


# Keras 3's legacy loader resolves only full loss and metric names.
_FULL_NAMES = {"mse": "mean_squared_error", "mae": "mean_absolute_error",
               "mape": "mean_absolute_percentage_error",
               "msle": "mean_squared_logarithmic_error"}


def _full_names(spec: Any) -> Any:
    if isinstance(spec, str):
        return _FULL_NAMES.get(spec, spec)
    if isinstance(spec, list):
        return [_full_names(s) for s in spec]
    if isinstance(spec, dict) and "class_name" not in spec:
        return {k: _full_names(v) for k, v in spec.items()}
    return spec


def _legacy_weights(layer: Any) -> list:
    """The legacy format's order: all trainable weights first, then the others."""
    return list(layer.trainable_weights) + list(layer.non_trainable_weights)


def _layers_of(model: Any) -> list:
    return list(model.layers)


def write_weights_group(model: Any, group: Any) -> None:
    """Writes every layer's weights in the legacy layout into ``group``."""
    from cornu import backend

    layers = _layers_of(model)
    save_attribute(group, "layer_names", [layer.name for layer in layers])
    group.attrs["backend"] = backend.backend()
    group.attrs["keras_version"] = KERAS_VERSION
    entries = [(layer.name, _legacy_weights(layer)) for layer in layers]
    entries.append(("top_level_model_weights", list(model._own_variables())))
    for name, weights in entries:
        layer_group = group.create_group(name)
        names = _unique([getattr(w, "path", None) or w.name for w in weights])
        save_attribute(layer_group, "weight_names", names)
        for weight_name, weight in zip(names, weights):
            layer_group.create_dataset(weight_name, data=backend.convert_to_numpy(weight))


def _unique(names: list) -> list:
    seen: dict = {}
    out = []
    for name in names:
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 0
        out.append(name)
    return out


def save_model(model: Any, filepath: str, include_optimizer: bool = True) -> None:
    """Writes ``model`` in the legacy HDF5 format (atomically)."""
    import h5py

    from cornu import backend
    from cornu.saving.atomic import atomic_path

    serialized = serialize_keras_object(model)
    config = _legacy_entries(serialized)
    if not state_tree.has_layer_list(model) and "build_config" in serialized:
        # A subclassed model is rebuilt from its build config (tf.keras could not save one).
        config["build_config"] = serialized["build_config"]
    with atomic_path(filepath) as tmp, h5py.File(tmp, "w") as handle:
        handle.attrs["backend"] = backend.backend()
        handle.attrs["keras_version"] = KERAS_VERSION
        handle.attrs["model_config"] = json.dumps(config)
        write_weights_group(model, handle.create_group("model_weights"))
        compile_config = model.get_compile_config() if include_optimizer else None
        if compile_config:
            training = {k: _full_names(v) for k, v in compile_config.items()
                        if k != "optimizer"}
            optimizer = compile_config["optimizer"]
            training["optimizer_config"] = {"class_name": optimizer["class_name"],
                                            "config": optimizer["config"]}
            handle.attrs["training_config"] = json.dumps(training)
            if model.optimizer.built:
                group = handle.create_group("optimizer_weights")
                variables = model.optimizer.variables
                names = _unique([f"{model.optimizer.name}/{v.name}" for v in variables])
                save_attribute(group, "weight_names", names)
                for name, variable in zip(names, variables):
                    group.create_dataset(name, data=backend.convert_to_numpy(variable))


# --- loading ---------------------------------------------------------------------------------
def _read_arrays(group: Any, names: list, where: str) -> list:
    import h5py

    arrays = []
    for name in names:
        if name not in group:
            raise safety.UnsafeFileError(f"{where}: weight {name!r} is listed but missing.")
        dataset = group[name]
        if not isinstance(dataset, h5py.Dataset):
            raise safety.UnsafeFileError(f"{where}: {name!r} is not a dataset.")
        arrays.append(np.asarray(dataset[()]))
    return arrays


def _saved_layers(group: Any) -> list:
    """``[(layer name, [arrays])]`` in file order."""
    import h5py

    out = []
    for name in load_attribute(group, "layer_names"):
        if name not in group or not isinstance(group[name], h5py.Group):
            raise safety.UnsafeFileError(f"The weights file lists layer {name!r} but has no "
                                         "group for it.")
        layer_group = group[name]
        out.append((name, _read_arrays(layer_group, load_attribute(layer_group, "weight_names"),
                                       f"layer {name!r}")))
    return out


def load_weights_group(model: Any, group: Any, skip_mismatch: bool = False,
                       by_name: bool = False, source: str = "weights file") -> None:
    """Loads legacy-layout weights into ``model``; checks everything before assigning."""
    saved = _saved_layers(group)
    top = dict(saved).pop("top_level_model_weights", [])
    saved = [(name, arrays) for name, arrays in saved if name != "top_level_model_weights"]
    layers = [layer for layer in _layers_of(model) if layer.weights]
    pairs, problems = [], []
    if by_name:
        index = {name: arrays for name, arrays in saved}
        matched = [(layer, index[layer.name]) for layer in layers if layer.name in index]
    else:
        saved = [(name, arrays) for name, arrays in saved if arrays]
        if len(saved) != len(layers):
            raise ValueError(
                f"Cannot load weights from {source}: the model has {len(layers)} layers with "
                f"weights {[layer.name for layer in layers]}, the file has {len(saved)} "
                f"{[name for name, _ in saved]}. Nothing was loaded. Pass by_name=True to "
                "match layers by name.")
        matched = [(layer, arrays) for layer, (_, arrays) in zip(layers, saved)]
    if top:
        matched.append((model, top))
    for layer, arrays in matched:
        variables = list(model._own_variables()) if layer is model else _legacy_weights(layer)
        found = state_tree.check_arrays(layer, variables, arrays, f"layer group {layer.name!r}")
        if found and skip_mismatch:
            import warnings

            warnings.warn(f"Skipping weights of {found[0]}", stacklevel=2)
            continue
        problems.extend(found)
        pairs.extend(zip(variables, arrays))
    if problems:
        raise ValueError(f"Cannot load weights from {source}: " + " ".join(problems[:5]) +
                         " Nothing was loaded: the model is unchanged.")
    state_tree.assign_all(pairs)


def load_optimizer_group(model: Any, group: Any, source: str) -> None:
    """Restores the optimizer state saved by Keras 3 (flat) or tf.keras (nested names)."""
    from cornu.saving.compile_config import build_optimizer_if_needed

    arrays = _read_arrays(group, load_attribute(group, "weight_names"), "optimizer_weights")
    build_optimizer_if_needed(model, arrays)
    optimizer = model.optimizer
    arrays = h5_weights.learning_rate_fixup(optimizer, arrays)
    found = state_tree.check_arrays(optimizer, optimizer.variables, arrays, "optimizer_weights")
    if found:
        import warnings

        warnings.warn(f"Skipping the optimizer state in {source}: {found[0]}", stacklevel=2)
        return
    state_tree.assign_all(list(zip(optimizer.variables, arrays)))


def load_model(filepath: Any, custom_objects: dict | None = None, compile: bool = True) -> Any:
    """Loads a legacy HDF5 model file (tf.keras 2 or Keras 3's ``.h5``)."""
    from cornu.saving.serialization_lib import deserialize_keras_object

    source = str(filepath)
    with h5_weights.open_h5(filepath, source) as handle:
        config = _json_attribute(handle, "model_config")
        if config is None:
            raise ValueError(f"No model config found in {source}: it holds weights only. Build "
                             "the model, then call model.load_weights().")
        model = deserialize_keras_object(config, custom_objects=custom_objects, kind="layer")
        if "model_weights" in handle:
            load_weights_group(model, handle["model_weights"], source=source)
        training = _json_attribute(handle, "training_config") if compile else None
        if training:
            model.compile_from_config(training)
            if "optimizer_weights" in handle:
                load_optimizer_group(model, handle["optimizer_weights"], source)
    return model
