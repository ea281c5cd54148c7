"""How the torch backend makes variables read as their ``StatelessScope`` values.

Two ways, chosen per variable:

* **swap**: the variable's data is replaced by a private copy of its scope value for the
  duration of the block (and put back after). Every reader sees it: layer attributes,
  lists of slots in optimizers, metrics, closures, in-place multi-tensor updates. This is
  how non-trainable state, optimizer and metric variables and plain (not differentiated)
  trainable values are bound.
* **rebind**: a value that must stay itself for autograd (it requires grad, or it is a
  ``torch.func`` transform's tensor, e.g. inside ``vmap(grad(...))``) is put in place of
  the variable in the ``_parameters``/``_buffers`` slots of the modules that own it, as
  ``torch.func.functional_call`` does, so ``self.kernel`` reads it and gradients reach it.
"""

from __future__ import annotations

import weakref
from typing import Any

import torch

from cornu.backend.common.stateless_scope import get_stateless_scope


class _Binding:
    def __init__(self) -> None:
        self.swapped: dict[int, tuple[Any, torch.Tensor]] = {}
        self.rebound: dict[int, tuple[Any, torch.Tensor]] = {}
        self.slots: list[tuple[dict, str, Any]] = []


def record_owner(variable: Any, module: Any, key: str) -> None:
    """Remembers that ``module`` holds ``variable`` under ``key`` (for rebinding)."""
    variable._cornu_slots.append((weakref.ref(module), key))


def _needs_identity(value: torch.Tensor) -> bool:
    return torch._C._functorch.is_functorch_wrapped_tensor(value) or value.requires_grad


def _swap(binding: _Binding, variable: Any, value: torch.Tensor) -> None:
    original = variable.data
    variable.data = value.detach().to(device=original.device, dtype=original.dtype,
                                      copy=True)
    binding.swapped[id(variable)] = (variable, original)


def _point_slots(binding: _Binding, variable: Any, value: torch.Tensor) -> None:
    for module_ref, key in variable._cornu_slots:
        module = module_ref()
        if module is None:
            continue
        for store in (module._parameters, module._buffers):
            if store.get(key) is variable:
                store[key] = value
                binding.slots.append((store, key, variable))


def bind(scope: Any) -> None:
    binding = _Binding()
    scope.backend_state = binding
    try:
        for variable, value in scope.mapped():
            if value is variable:
                continue
            if _needs_identity(value):
                binding.rebound[id(variable)] = (variable, value)
                _point_slots(binding, variable, value)
            else:
                _swap(binding, variable, value)
    except BaseException:
        unbind(scope)
        raise


def unbind(scope: Any) -> dict:
    """Restores every variable and slot; returns ``{id(variable): value left by the block}``."""
    binding = scope.backend_state
    final = {}
    for store, key, variable in reversed(binding.slots):
        store[key] = variable
    for key, (_, value) in binding.rebound.items():
        final[key] = value
    for key, (variable, original) in binding.swapped.items():
        final[key] = variable.data
        variable.data = original
    binding.slots.clear()
    binding.rebound.clear()
    binding.swapped.clear()
    return final


def current_value(scope: Any, variable: Any) -> torch.Tensor | None:
    binding = scope.backend_state
    if binding is None:
        return None
    key = id(variable)
    if key in binding.rebound:
        return binding.rebound[key][1]
    if key in binding.swapped:
        return variable.data
    return None


def read(variable: Any) -> torch.Tensor:
    """What ``variable.value`` is in the active scope."""
    scope = get_stateless_scope()
    if scope is not None and scope.backend_state is not None:
        entry = scope.backend_state.rebound.get(id(variable))
        if entry is not None:
            return entry[1]
    return variable


def prepare_assign(variable: Any, value: torch.Tensor) -> bool:
    """Called by ``Variable.assign`` inside a scope. Returns True when the assignment was
    recorded in the scope (a rebound variable); otherwise the variable's data is the scope's
    private copy (swapped now if it was not) and the caller writes into it in place."""
    scope = get_stateless_scope()
    binding = scope.backend_state
    key = id(variable)
    scope.add_update((variable, value))
    if key in binding.rebound:
        binding.rebound[key] = (variable, value)
        for store, slot_key, owner in binding.slots:
            if owner is variable:
                store[slot_key] = value
        return True
    if key not in binding.swapped:
        _swap(binding, variable, variable.data)
    return False
