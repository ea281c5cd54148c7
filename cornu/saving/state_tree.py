"""The tree of objects that hold state in a model, with Keras 3's paths.

Keras 3 stores each object's *own* variables under a path made of attribute names:
``layers/dense/vars`` for a layer of a functional or Sequential model (the layer's class
name in snake case, numbered ``dense_1``, ``dense_2`` ... within a list), ``cell/vars``
for an RNN's cell, ``forward_layer/vars`` for a Bidirectional's forward RNN, and
``optimizer/vars`` for the optimizer. The variables of one object are numbered ``0``,
``1``, ... in the order of its ``save_own_variables`` (trainable, then non-trainable, in
creation order). This module walks a model the same way, so any layer cornu has, or a
user writes, is saved and loaded at the path Keras uses.

Loading checks every count and shape before assigning anything: a mismatch raises an
error that names the layer, the weight and both shapes, and leaves the model unchanged.
"""

from __future__ import annotations

import re
import warnings
from typing import Any, Callable

import numpy as np

from cornu.core.naming import to_snake_case

# Attributes of cornu's own classes that hold layers but are not children in Keras's tree.
_SKIP = {"_layers", "_input_layer", "_graph", "_compile_loss", "_compile_metrics",
         "_loss_tracker"}
_TORCH_KEYS: set | None = None


def _natural_key(name: str) -> list:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def _torch_keys() -> set:
    global _TORCH_KEYS
    if _TORCH_KEYS is None:
        from cornu import backend

        _TORCH_KEYS = set(vars(backend.Module()))
    return _TORCH_KEYS


def is_layer(obj: Any) -> bool:
    from cornu.layers.layer import Layer

    return isinstance(obj, Layer)


def is_optimizer(obj: Any) -> bool:
    from cornu.optimizers.optimizer import Optimizer

    return isinstance(obj, Optimizer)


def is_saveable(obj: Any) -> bool:
    return is_layer(obj) or is_optimizer(obj)


def public_class_name(obj: Any) -> str:
    from cornu.saving.serialization_lib import _public_class_name

    return _public_class_name(obj)


def has_layer_list(obj: Any) -> bool:
    """Functional and Sequential models list their layers under ``layers`` first."""
    from cornu.models.sequential import Sequential

    return isinstance(obj, Sequential) or getattr(obj, "_graph", None) is not None


def _children(obj: Any) -> list:
    items = []
    if is_layer(obj) and has_layer_list(obj):
        items.append(("layers", obj.layers))
    attrs: dict = {}
    aliases: set = set()
    skip = _SKIP | _torch_keys()
    for key, value in vars(obj).items():
        if key in skip or key.startswith("__"):
            continue
        if isinstance(value, (list, tuple, dict)):
            values = list(value.values()) if isinstance(value, dict) else list(value)
            if any(is_saveable(v) for v in values):
                attrs[key] = value
                # cornu also registers list elements as torch submodules "<name>_<i>".
                aliases.update((f"{key}_{i}", id(v)) for i, v in enumerate(values))
        elif is_saveable(value):
            attrs[key] = value
    for key, module in getattr(obj, "_modules", {}).items():
        if key not in skip and (key, id(module)) not in aliases and is_saveable(module):
            attrs.setdefault(key, module)
    for key in sorted(attrs, key=_natural_key):
        items.append((key, attrs[key]))
    return items


def walk(root: Any) -> list:
    """``[(path, object), ...]`` for ``root`` and every object below it, each once."""
    out: list = []
    visited: set = set()

    def join(path: str, name: str) -> str:
        return f"{path}/{name}" if path else name

    def visit(obj: Any, path: str) -> None:
        if id(obj) in visited:
            return
        visited.add(id(obj))
        out.append((path, obj))
        for attr, child in _children(obj):
            if is_saveable(child):
                visit(child, join(path, attr))
            elif isinstance(child, (list, tuple, dict)):
                visit_container(child, join(path, attr))

    def visit_container(container: Any, path: str) -> None:
        used: dict = {}
        values = container.values() if isinstance(container, dict) else container
        for item in values:
            if not is_saveable(item):
                continue
            name = to_snake_case(public_class_name(item))
            if name in used:
                used[name] += 1
                name = f"{name}_{used[name]}"
            else:
                used[name] = 0
            visit(item, join(path, name))

    visit(root, "")
    return out


# --- own variables ---------------------------------------------------------------------------
def own_variables(obj: Any) -> list:
    """The variables ``obj`` stores itself, in Keras's store order."""
    if is_optimizer(obj):
        return list(obj.variables)
    return list(obj._own_variables())


def _overrides(obj: Any, method: str) -> bool:
    if not is_layer(obj):
        return False
    from cornu.layers.layer import Layer

    return getattr(type(obj), method, None) is not getattr(Layer, method, None)


def save_own_variables(obj: Any, store: dict) -> None:
    """Fills ``store`` with ``obj``'s own variables, through its own hook if it has one."""
    if _overrides(obj, "save_own_variables"):
        obj.save_own_variables(store)
    else:
        write_own_variables(obj, store)


def write_own_variables(obj: Any, store: dict) -> None:
    """The default hook: ``obj``'s own variables as ``"0"``, ``"1"``, ..."""
    from cornu import backend

    for i, variable in enumerate(own_variables(obj)):
        store[str(i)] = backend.convert_to_numpy(variable)


def load_own_variables(obj: Any, store: Any) -> None:
    """The default hook: assigns ``obj``'s own variables from ``store`` after checking
    every count and shape."""
    variables = own_variables(obj)
    arrays = [np.asarray(store[str(i)]) for i in range(len(store))]
    problems = check_arrays(obj, variables, arrays, "")
    if problems:
        raise ValueError(problems[0])
    for variable, array in zip(variables, arrays):
        variable.assign(array)


def collect_state(root: Any) -> list:
    """``[(path, object name, {"0": array, ...}), ...]`` for every object in ``root``."""
    out = []
    for path, obj in walk(root):
        store: dict = {}
        save_own_variables(obj, store)
        out.append((path, getattr(obj, "name", None), store))
    return out


# --- loading ---------------------------------------------------------------------------------
def _kind(obj: Any) -> str:
    return "Optimizer" if is_optimizer(obj) else "Layer"


def check_arrays(obj: Any, variables: list, arrays: list, where: str) -> list:
    """Error messages for a count or shape mismatch between variables and file arrays."""
    name = getattr(obj, "name", type(obj).__name__)
    if len(arrays) != len(variables):
        names = [getattr(v, "name", "?") for v in variables]
        hint = " Build the model (call it on data) before loading weights." \
            if not variables and not getattr(obj, "built", True) else ""
        return [f"{_kind(obj)} '{name}' expects {len(variables)} weight(s) {names} but the file "
                f"holds {len(arrays)} at {where or '<root>'}.{hint}"]
    problems = []
    for variable, array in zip(variables, arrays):
        if tuple(variable.shape) != tuple(array.shape):
            problems.append(
                f"{_kind(obj)} '{name}': weight '{variable.name}' has shape "
                f"{tuple(variable.shape)} in the model but {tuple(array.shape)} in the file "
                f"(at {where or '<root>'}).")
    return problems


def assign_all(pairs: list, hooks: list | None = None) -> None:
    """Assigns ``[(variable, array), ...]`` then runs ``hooks``; restores every variable on
    failure, so the model is never left half loaded."""
    from cornu import backend

    saved = [(v, backend.convert_to_numpy(v).copy()) for v, _ in pairs]
    try:
        for variable, array in pairs:
            variable.assign(array)
        for hook in hooks or []:
            hook()
    except BaseException:
        for variable, value in saved:
            variable.assign(value)
        raise


def load_state(root: Any, read: Callable[[str], Any], skip_mismatch: bool = False,
               optimizer_fixup: Callable | None = None, source: str = "file") -> None:
    """Loads every object of ``root`` from ``read(path)``.

    ``read(path)`` returns the arrays stored at ``path`` (a list), or ``None`` when the
    file has nothing there. Mismatches raise (naming layer, weight and shapes) unless
    ``skip_mismatch``, which skips the mismatched objects with a warning. An optimizer
    whose variables do not match is skipped with a warning, as in Keras.
    """
    pairs: list = []
    hooks: list = []
    problems: list = []
    for path, obj in walk(root):
        where = f"{path}/vars" if path else "vars"
        arrays = read(path)
        if _overrides(obj, "load_own_variables"):
            if arrays is not None:
                store = {str(i): a for i, a in enumerate(arrays)}
                hooks.append(lambda obj=obj, store=store: obj.load_own_variables(store))
            continue
        variables = own_variables(obj)
        if is_optimizer(obj):
            if arrays is None or not arrays:
                continue
            if optimizer_fixup is not None:
                arrays = optimizer_fixup(obj, arrays)
            found = check_arrays(obj, variables, arrays, where)
            if found:
                warnings.warn(f"Skipping the optimizer state in {source}: {found[0]}",
                              stacklevel=3)
                continue
            pairs.extend(zip(variables, arrays))
            continue
        arrays = arrays or []
        found = check_arrays(obj, variables, arrays, where)
        if found:
            if skip_mismatch:
                warnings.warn(f"Skipping weights of {found[0]}", stacklevel=3)
                continue
            problems.extend(found)
            continue
        pairs.extend(zip(variables, arrays))
    if problems:
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise ValueError(f"Cannot load weights from {source}: " + " ".join(problems[:5]) + more +
                         " Nothing was loaded: the model is unchanged. Pass "
                         "skip_mismatch=True to skip mismatched layers.")
    assign_all(pairs, hooks)
