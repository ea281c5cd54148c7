"""Objects <-> JSON-able dicts in Keras 3's schema.

``{"module": ..., "class_name": ..., "config": {...}, "registered_name": ...}``, plus
``build_config`` for built layers. Classes are found only through the registry (see
``object_registration``); the ``module`` field is written for Keras and never imported.

Loading runs in *safe mode* unless the caller passes ``safe_mode=False``: nothing in a
file can switch it off, and Python bytecode is never run, whatever the mode.
"""

from __future__ import annotations

import inspect
import threading
import types
from typing import Any

import numpy as np

from cornu.saving.object_registration import (
    _GLOBAL_CUSTOM_NAMES,
    get_registered_object,
    unknown_name_error,
)

# Every built-in class registers itself here, keyed by class name (and Keras aliases).
BUILTIN_OBJECTS: dict[str, Any] = {}

# Where Keras 3 exports each cornu package's public classes (written as "module").
_PUBLIC_MODULES = {"models": "keras", "dtype_policies": "keras", "core": "keras"}


def register_builtin(*objects: Any, aliases: dict | None = None) -> None:
    """Makes cornu's own classes and functions findable by name when loading."""
    for obj in objects:
        BUILTIN_OBJECTS[obj.__name__] = obj
    for alias, obj in (aliases or {}).items():
        BUILTIN_OBJECTS[alias] = obj


# --- safe mode -------------------------------------------------------------------------------
class _SafeMode(threading.local):
    def __init__(self) -> None:
        self.value: bool | None = None


_SAFE_MODE = _SafeMode()


class SafeModeScope:
    """Sets safe mode for the loads inside a ``with`` block; ``None`` counts as safe."""

    def __init__(self, safe_mode: bool | None = True) -> None:
        self.safe_mode = safe_mode

    def __enter__(self) -> "SafeModeScope":
        self._previous = _SAFE_MODE.value
        _SAFE_MODE.value = self.safe_mode
        return self

    def __exit__(self, *exc: Any) -> None:
        _SAFE_MODE.value = self._previous


def in_safe_mode() -> bool:
    """True unless the current load was started with ``safe_mode=False``."""
    return _SAFE_MODE.value is not False


# --- serialization ---------------------------------------------------------------------------
def _module_of(obj: Any) -> str:
    """The public Keras module of a cornu class (``keras.layers``), else its own module."""
    module = getattr(obj, "__module__", "cornu") or "cornu"
    if module == "cornu" or module.startswith("cornu."):
        parts = module.split(".")
        if len(parts) < 2:
            return "keras"
        return _PUBLIC_MODULES.get(parts[1], f"keras.{parts[1]}")
    return module


def _public_class_name(obj: Any) -> str:
    cls = type(obj)
    # A plain functional Model is Keras's `Functional` class.
    if cls.__name__ == "Model" and cls.__module__ == "cornu.models.model" and \
            getattr(obj, "_graph", None) is not None:
        return "Functional"
    return cls.__name__


def _exported_class_name(obj: Any) -> str:
    """The name Keras writes in configs: a class's own ``_keras_class_name`` when its
    ``keras.layers`` export differs from the class (``GroupQueryAttention``)."""
    return type(obj).__dict__.get("_keras_class_name") or _public_class_name(obj)


def serialize_keras_object(obj: Any) -> Any:
    """Serializes a cornu object (layer, loss, initializer, ...) or plain value to JSON-able data.

    Example:
        >>> serialize_keras_object(cornu.layers.Dense(2))["class_name"]
        'Dense'
    """
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, (list, tuple)):
        return [serialize_keras_object(x) for x in obj]
    if isinstance(obj, dict):
        return {k: serialize_keras_object(v) for k, v in obj.items()}
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, types.FunctionType):
        registered = _GLOBAL_CUSTOM_NAMES.get(obj)
        return {"module": _module_of(obj), "class_name": "function",
                "config": registered or obj.__name__, "registered_name": registered or obj.__name__}
    if hasattr(obj, "get_config"):
        cls = type(obj)
        class_name = _exported_class_name(obj)
        registered = _GLOBAL_CUSTOM_NAMES.get(cls)
        if registered is None and class_name == "Functional":
            registered = "Functional"
        out = {"module": _module_of(cls) if class_name != "Functional"
               else "keras.src.models.functional", "class_name": class_name,
               "config": serialize_keras_object(obj.get_config()),
               "registered_name": registered}
        build_config = obj.get_build_config() if hasattr(obj, "get_build_config") and \
            getattr(obj, "built", False) else None
        if build_config is not None:
            out["build_config"] = serialize_keras_object(build_config)
        return out
    raise TypeError(f"Cannot serialize {obj!r} of type {type(obj).__name__}: it has no "
                    "get_config() method.")


# --- deserialization -------------------------------------------------------------------------
# Config keys that other Keras versions write and that change nothing at these values:
# dropped when the class does not take them (None: whatever the value).
_NEUTRAL_KEYS = {"ragged": (False, None), "quantization_config": (None,), "time_major": (False,),
                 "input_axes": (None,), "output_axes": (None,), "query_shape": None,
                 "key_shape": None, "value_shape": None}


def _accepted_arguments(cls: type) -> set:
    """Names the constructor takes, following ``**kwargs`` up the base classes."""
    names: set = set()
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        try:
            params = inspect.signature(init).parameters.values()
        except (TypeError, ValueError):
            break
        names.update(p.name for p in params if p.kind is not p.VAR_KEYWORD)
        if not any(p.kind is p.VAR_KEYWORD for p in params):
            break
    return names


def _drop_legacy_keys(cls: type, config: dict) -> dict:
    drop = [k for k, neutral in _NEUTRAL_KEYS.items() if k in config and
            (neutral is None or config[k] in neutral)]
    if not drop:
        return config
    accepted = _accepted_arguments(cls)
    return {k: v for k, v in config.items() if k not in drop or k in accepted}


def _legacy_values(cls: type, config: dict) -> dict:
    """tf.keras wrote BatchNormalization's ``axis`` resolved, as a one-element list."""
    axis = config.get("axis")
    if cls.__name__ == "BatchNormalization" and isinstance(axis, list) and len(axis) == 1:
        return {**config, "axis": axis[0]}
    return config


def _instantiate(cls: type, config: dict, custom_objects: dict | None) -> Any:
    config = _legacy_values(cls, _drop_legacy_keys(cls, config))
    if hasattr(cls, "from_config"):
        params = inspect.signature(cls.from_config).parameters
        if "custom_objects" in params:
            return cls.from_config(config, custom_objects=custom_objects)
        return cls.from_config(config)
    return cls(**config)


def deserialize_keras_object(config: Any, module_objects: dict | None = None,
                             custom_objects: dict | None = None, kind: str = "object") -> Any:
    """Rebuilds an object from :func:`serialize_keras_object` output (or a plain name).

    A ``build_config`` in the dict builds the rebuilt layer (creating its weights).
    """
    table = dict(BUILTIN_OBJECTS)
    table.update(module_objects or {})
    if config is None:
        return None
    if isinstance(config, str):
        obj = get_registered_object(config, custom_objects, table)
        if obj is None:
            raise unknown_name_error(kind, config, table)
        return obj
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Could not deserialize {kind}: expected a dict with a 'class_name' "
                         f"key or a name. Received: {str(config)[:200]}")
    class_name = config["class_name"]
    inner = config.get("config", {})
    if class_name in ("function", "__lambda__"):
        return deserialize_function(config, custom_objects, table, kind)
    if not isinstance(class_name, str):
        raise ValueError(f"Could not deserialize {kind}: 'class_name' must be a string. "
                         f"Received: {class_name!r}")
    name = config.get("registered_name") or class_name
    if not isinstance(name, str):
        name = class_name
    cls = get_registered_object(name, custom_objects, table)
    if cls is None and name != class_name:
        cls = get_registered_object(class_name, custom_objects, table)
    if cls is None and ">" in name:
        # Legacy files name registered classes "package>Name"; custom_objects use "Name".
        cls = get_registered_object(name.split(">")[-1], custom_objects)
    if cls is None:
        raise unknown_name_error(kind, name, table)
    if not inspect.isclass(cls):
        return cls
    if inner is None:
        inner = {}
    if not isinstance(inner, dict):
        raise ValueError(f"Could not deserialize {kind} {class_name!r}: its 'config' must be a "
                         f"dict. Received: {str(inner)[:200]}")
    obj = _instantiate(cls, inner, custom_objects)
    build_config = config.get("build_config")
    if build_config and hasattr(obj, "build_from_config") and not getattr(obj, "built", False):
        obj.build_from_config(build_config)
    return obj


def deserialize_function(config: Any, custom_objects: dict | None = None,
                         module_objects: dict | None = None, kind: str = "function",
                         owner: str | None = None) -> Any:
    """Finds a serialized function by its registered name; never runs code from the config.

    A Python lambda saved as bytecode (Keras's ``__lambda__``) is refused: cornu never
    unmarshals code. The caller opts in by passing the function itself in
    ``custom_objects`` under the name of the layer that uses it (``owner``).
    """
    table = dict(BUILTIN_OBJECTS)
    table.update(module_objects or {})
    if callable(config):
        return config
    if isinstance(config, str):
        name = config
    elif isinstance(config, dict) and config.get("class_name") == "__lambda__":
        found = get_registered_object(owner, custom_objects) if owner else None
        if found is not None and callable(found):
            return found
        where = f" of layer {owner!r}" if owner else ""
        raise ValueError(
            f"The {kind}{where} was saved as Python bytecode (a lambda). cornu never runs "
            "code from a file, in safe mode or not. To load it, pass the function yourself: "
            f"load_model(..., custom_objects={{{(owner or '<layer name>')!r}: your_function}}), "
            "or define it as a named function registered with "
            "@cornu.saving.register_keras_serializable() and save the model again.")
    elif isinstance(config, dict) and config.get("class_name") == "function":
        registered = config.get("registered_name")
        name = registered if isinstance(registered, str) and registered not in (
            "function", "") else config.get("config")
        if not isinstance(name, str):
            raise ValueError(f"Could not deserialize {kind}: malformed function config "
                             f"{str(config)[:200]}")
    else:
        raise ValueError(f"Could not deserialize {kind}: expected a function name or config. "
                         f"Received: {str(config)[:200]}")
    obj = get_registered_object(name, custom_objects, table)
    if obj is None and isinstance(config, dict) and isinstance(config.get("config"), str):
        obj = get_registered_object(config["config"], custom_objects, table)
    if obj is None or not callable(obj):
        raise unknown_name_error(kind, name, table)
    return obj


def resolve(identifier: Any, table: dict, kind: str, instantiate: bool = True) -> Any:
    """The ``get(identifier)`` of activations, initializers, losses...: names, configs, objects."""
    if identifier is None:
        return None
    if isinstance(identifier, str):
        obj = get_registered_object(identifier, None, table)
        if obj is None:
            raise unknown_name_error(kind, identifier, table)
        return obj() if instantiate and inspect.isclass(obj) else obj
    if isinstance(identifier, dict):
        return deserialize_keras_object(identifier, module_objects=table, kind=kind)
    if inspect.isclass(identifier) and instantiate:
        return identifier()
    if callable(identifier) or hasattr(identifier, "get_config"):
        return identifier
    raise ValueError(f"Could not interpret {kind} identifier: {identifier!r}")
