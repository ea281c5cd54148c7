"""Where classes and functions are found by name: cornu's registry and the user's.

Loading a file resolves names only here (and in ``custom_objects``), never by importing
a module named in the file.
"""

from __future__ import annotations

import difflib
import threading
from typing import Any, Callable

_GLOBAL_CUSTOM_OBJECTS: dict[str, Any] = {}
_GLOBAL_CUSTOM_NAMES: dict[Any, str] = {}


class _Scope(threading.local):
    def __init__(self) -> None:
        self.stack: list[dict] = []


_SCOPE = _Scope()


class CustomObjectScope:
    """Makes custom classes and functions findable by name inside a ``with`` block.

    Example:
        >>> with custom_object_scope({"MyLayer": MyLayer}):
        ...     model = cornu.models.load_model("model.keras")
    """

    def __init__(self, custom_objects: dict | None) -> None:
        self.custom_objects = dict(custom_objects or {})

    def __enter__(self) -> "CustomObjectScope":
        _SCOPE.stack.append(self.custom_objects)
        return self

    def __exit__(self, *exc: Any) -> None:
        _SCOPE.stack.pop()


custom_object_scope = CustomObjectScope


def get_custom_objects() -> dict:
    """The global dict of registered custom objects (name -> object)."""
    return _GLOBAL_CUSTOM_OBJECTS


def register_keras_serializable(package: str = "Custom", name: str | None = None) -> Callable:
    """Decorator that registers a class or function under ``"package>name"``.

    Example:
        >>> @register_keras_serializable(package="my_pkg")
        ... class MyLayer(cornu.layers.Layer): ...
    """

    def decorator(obj: Any) -> Any:
        registered = f"{package}>{name or obj.__name__}"
        if isinstance(obj, type) and not hasattr(obj, "get_config"):
            raise ValueError(f"Cannot register {obj.__name__}: a registered class needs a "
                             "get_config() method.")
        _GLOBAL_CUSTOM_OBJECTS[registered] = obj
        _GLOBAL_CUSTOM_NAMES[obj] = registered
        return obj

    return decorator


def get_registered_name(obj: Any) -> str:
    """``"package>name"`` for registered objects, else the object's own name."""
    if obj in _GLOBAL_CUSTOM_NAMES:
        return _GLOBAL_CUSTOM_NAMES[obj]
    return getattr(obj, "__name__", type(obj).__name__)


def get_registered_object(name: str, custom_objects: dict | None = None,
                          module_objects: dict | None = None) -> Any:
    """Finds ``name`` in the active scopes, ``custom_objects``, the global registry, then
    ``module_objects``; returns ``None`` when it is nowhere."""
    for scope in reversed(_SCOPE.stack):
        if name in scope:
            return scope[name]
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    if name in _GLOBAL_CUSTOM_OBJECTS:
        return _GLOBAL_CUSTOM_OBJECTS[name]
    if module_objects and name in module_objects:
        return module_objects[name]
    return None


def unknown_name_error(kind: str, name: str, known: Any) -> ValueError:
    """A ValueError for an unknown identifier: the closest known names and how to register."""
    known = sorted(k for k in set(known) if isinstance(k, str))
    text = str(name)
    close = difflib.get_close_matches(text, known, n=3, cutoff=0.5)
    if not close:  # e.g. "mse_loss" -> "mse"
        close = [k for k in known if len(k) > 2 and (text.startswith(k) or text.endswith(k))][:3]
    hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    listing = f" Known {kind} names: {', '.join(known)}." if len(known) <= 40 else ""
    short = str(name).split(">")[-1]
    return ValueError(
        f"Unknown {kind} {name!r}.{hint}{listing} If {short!r} is your own class or function, "
        "register it before loading: decorate it with "
        "@cornu.saving.register_keras_serializable(package=\"my_package\"), or pass "
        f"custom_objects={{{short!r}: {short}}} (or use cornu.saving.custom_object_scope). "
        "cornu never imports a module named in a file.")
