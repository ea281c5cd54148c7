"""``InputSpec``: what a layer accepts (rank, sizes of some axes), checked on each call."""

from __future__ import annotations

from typing import Any

from cornu.core import tree


class InputSpec:
    """Describes the rank and axis sizes a layer accepts.

    Example:
        >>> InputSpec(min_ndim=2, axes={-1: 64})
    """

    def __init__(self, dtype: Any = None, shape: tuple | None = None, ndim: int | None = None,
                 max_ndim: int | None = None, min_ndim: int | None = None,
                 axes: dict | None = None, allow_last_axis_squeeze: bool = False,
                 name: str | None = None, optional: bool = False) -> None:
        self.dtype = dtype
        self.shape = None if shape is None else tuple(shape)
        self.ndim = len(self.shape) if self.shape is not None else ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.axes = {int(k): v for k, v in (axes or {}).items()}
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        self.name = name
        self.optional = optional

    def get_config(self) -> dict:
        return {"dtype": self.dtype, "shape": self.shape, "ndim": self.ndim,
                "max_ndim": self.max_ndim, "min_ndim": self.min_ndim, "axes": self.axes}

    def __repr__(self) -> str:
        parts = [f"{k}={v}" for k, v in self.get_config().items() if v]
        return f"InputSpec({', '.join(parts)})"


def assert_input_compatibility(input_spec: Any, inputs: Any, layer_name: str) -> None:
    """Raises a ValueError naming the layer when ``inputs`` do not meet ``input_spec``."""
    if not input_spec:
        return
    specs = tree.flatten(input_spec)
    flat = tree.flatten(inputs)
    if len(specs) != len(flat) and len(specs) > 1:
        raise ValueError(f"Layer '{layer_name}' expects {len(specs)} input(s), but it received "
                         f"{len(flat)} input tensors.")
    for index, (spec, x) in enumerate(zip(specs, flat)):
        if spec is None or not hasattr(x, "shape"):
            continue
        shape = tuple(x.shape)
        ndim = len(shape)
        where = f"Input {index} of layer '{layer_name}' is incompatible with the layer"
        if spec.ndim is not None and ndim != spec.ndim:
            raise ValueError(f"{where}: expected ndim={spec.ndim}, found ndim={ndim}. "
                             f"Full shape received: {shape}")
        if spec.max_ndim is not None and ndim > spec.max_ndim:
            raise ValueError(f"{where}: expected max_ndim={spec.max_ndim}, found ndim={ndim}. "
                             f"Full shape received: {shape}")
        if spec.min_ndim is not None and ndim < spec.min_ndim:
            raise ValueError(f"{where}: expected min_ndim={spec.min_ndim}, found ndim={ndim}. "
                             f"Full shape received: {shape}")
        for axis, value in spec.axes.items():
            if value is None or -ndim > axis or axis >= ndim:
                continue
            if shape[axis] not in (value, None):
                raise ValueError(
                    f"{where}: expected axis {axis} of input shape to have value {value}, "
                    f"but received input with shape {shape}")
        if spec.shape is not None:
            for axis, (expected, actual) in enumerate(zip(spec.shape, shape)):
                if expected is not None and actual is not None and expected != actual:
                    raise ValueError(f"{where}: expected shape={spec.shape}, found "
                                     f"shape={shape}")
