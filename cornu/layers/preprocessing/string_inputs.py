"""Host-side handling of the string (and token) inputs of the lookup and text layers.

Strings are not tensors on the torch backend, so these layers receive them as NumPy arrays
or (nested) lists, look them up on the host, and return integer or float tensors.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cornu import backend


def to_host_array(x: Any) -> np.ndarray:
    """A NumPy array of ``x``: strings become Python ``str`` (bytes decoded as UTF-8)."""
    if backend.is_tensor(x):
        return np.asarray(backend.convert_to_numpy(x))
    array = np.asarray(x, dtype=object if _has_strings(x) else None)
    if array.dtype.kind in ("U", "S", "O"):
        flat = [v.decode("utf-8") if isinstance(v, bytes) else v for v in array.reshape(-1)]
        out = np.empty(len(flat), dtype=object)
        out[:] = flat
        return out.reshape(array.shape)
    return array


def _has_strings(x: Any) -> bool:
    if isinstance(x, (str, bytes)):
        return True
    if isinstance(x, np.ndarray):
        return x.dtype.kind in ("U", "S", "O")
    if isinstance(x, (list, tuple)):
        return any(_has_strings(v) for v in x[:1])
    return False


def is_string_array(array: np.ndarray) -> bool:
    return array.dtype == object and all(isinstance(v, str) for v in array.reshape(-1)[:1])


class HostInputsMixin:
    """Keeps a layer's inputs on the host: ``Layer.forward`` must not turn strings into tensors.

    Place it before ``Layer`` in the bases.
    """

    def _convert_inputs(self, inputs: Any) -> Any:
        return inputs
