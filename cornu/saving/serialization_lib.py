"""Objects <-> JSON-able dicts in Keras 3's schema.

``{"module": ..., "class_name": ..., "config": {...}, "registered_name": ...}``. Classes
are found only through the registry (see ``object_registration``); the ``module`` field
is informative and never imported.
"""

from __future__ import annotations

import inspect
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


def register_builtin(*objects: Any, aliases: dict | None = None) -> None:
    """Makes cornu's own classes and functions findable by name when loading."""
    for obj in objects:
        BUILTIN_OBJECTS[obj.__name__] = obj
    for alias, obj in (aliases or {}).items():
        BUILTIN_OBJECTS[alias] = obj


def _module_of(obj: Any) -> str:
    module = getattr(obj, "__module__", "cornu") or "cornu"
    return "keras" + module[len("cornu"):] if module.startswith("cornu") else module


def serialize_keras_object(obj: Any) -> Any:
    """Serializes a cornu object (layer, loss, initializer, ...) or plain value to JSON-able data."""
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
        registered = _GLOBAL_CUSTOM_NAMES.get(cls)
        return {"module": _module_of(cls), "class_name": cls.__name__,
                "config": serialize_keras_object(obj.get_config()),
                "registered_name": registered}
    raise TypeError(f"Cannot serialize {obj!r} of type {type(obj).__name__}: it has no "
                    "get_config() method.")


def deserialize_keras_object(config: Any, module_objects: dict | None = None,
                             custom_objects: dict | None = None, kind: str = "object") -> Any:
    """Rebuilds an object from :func:`serialize_keras_object` output (or a plain name)."""
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
                         f"key or a name. Received: {config!r}")
    class_name = config["class_name"]
    inner = config.get("config", {})
    if class_name == "function":
        name = config.get("registered_name") or inner
        obj = get_registered_object(name, custom_objects, table)
        if obj is None:
            raise unknown_name_error(f"{kind} function", name, table)
        return obj
    name = config.get("registered_name") or class_name
    cls = get_registered_object(name, custom_objects, table)
    if cls is None and name != class_name:
        cls = get_registered_object(class_name, custom_objects, table)
    if cls is None:
        raise unknown_name_error(kind, name, table)
    if not inspect.isclass(cls):
        return cls
    return cls.from_config(inner) if hasattr(cls, "from_config") else cls(**inner)


def resolve(identifier: Any, table: dict, kind: str, instantiate: bool = True) -> Any:
    """The ``get(identifier)`` of activations, initializers, losses...: names, configs or objects."""
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
