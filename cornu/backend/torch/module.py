"""The torch side of ``Layer``: every cornu layer is a ``torch.nn.Module``.

Trainable variables are registered as parameters and non-trainable ones (moving
statistics, states) as buffers, so ``model.parameters()`` yields exactly the trainable
weights while ``state_dict()``, ``.to(device)`` and DDP see every variable.
"""

from __future__ import annotations

import torch

from cornu.backend.torch.core import Variable
from cornu.backend.torch.stateless import record_owner


class Module(torch.nn.Module):
    """Base class of ``cornu.layers.Layer`` on the torch backend."""

    def _register_variable(self, key: str, variable: Variable) -> None:
        """Stores ``variable`` under ``key``, moving it if it was registered under another key."""
        for store in (self._parameters, self._buffers):
            for old_key, value in list(store.items()):
                if value is variable and old_key != key:
                    del store[old_key]
        self.__dict__.pop(key, None)
        if variable.trainable:
            self._buffers.pop(key, None)
            self._parameters[key] = variable
        else:
            self._parameters.pop(key, None)
            self._buffers[key] = variable
        record_owner(variable, self, key)

    def __setstate__(self, state: dict) -> None:
        # Copies (copy.deepcopy, pickle) rebuild the stores without _register_variable.
        super().__setstate__(state)
        for store in (self._parameters, self._buffers):
            for key, value in store.items():
                if isinstance(value, Variable):
                    record_owner(value, self, key)

    def _has_key(self, key: str) -> bool:
        return key in self._parameters or key in self._buffers or key in self._modules

    def __setattr__(self, name: str, value) -> None:
        if isinstance(value, Variable):
            self._register_variable(name, value)
        else:
            super().__setattr__(name, value)

    def _apply(self, fn, recurse=True):
        # torch replaces buffers with new tensors on .to()/.cuda()/.double(); keep each
        # Variable object (layers and optimizers hold references to it) and move its data.
        kept = {k: v for k, v in self._buffers.items() if isinstance(v, Variable)}
        result = super()._apply(fn, recurse)
        for key, variable in kept.items():
            new = self._buffers[key]
            if new is not variable:
                variable.data = new
                self._buffers[key] = variable
        return result
