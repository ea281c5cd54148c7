"""Tensors, dtypes, devices and the Variable storage for the torch backend."""

from __future__ import annotations

import contextlib
import os
from typing import Any

import numpy as np
import torch
from torch.utils._python_dispatch import _disable_current_modes

from cornu import config
from cornu.backend.common.stateless_scope import in_stateless_scope
from cornu.backend.torch import stateless

Tensor = torch.Tensor
no_grad = torch.no_grad

DTYPES = {
    "float16": torch.float16,
    "bfloat16": torch.bfloat16,
    "float32": torch.float32,
    "float64": torch.float64,
    "uint8": torch.uint8,
    "uint16": torch.uint16,
    "uint32": torch.uint32,
    "uint64": torch.uint64,
    "int8": torch.int8,
    "int16": torch.int16,
    "int32": torch.int32,
    "int64": torch.int64,
    "bool": torch.bool,
    "complex64": torch.complex64,
    "complex128": torch.complex128,
}
_NAMES = {v: k for k, v in DTYPES.items()}
_ALIASES = {"float": "float32", "double": "float64", "half": "float16", "int": "int64"}


def standardize_dtype(dtype: Any) -> str:
    """Returns the canonical string name of ``dtype`` (``"float32"``, ``"int64"``, ...)."""
    if dtype is None:
        return config.floatx()
    if isinstance(dtype, str):
        name = _ALIASES.get(dtype, dtype)
        if name in DTYPES:
            return name
    elif isinstance(dtype, torch.dtype):
        if dtype in _NAMES:
            return _NAMES[dtype]
    elif dtype is float:
        return config.floatx()
    elif dtype is int:
        return "int64"
    elif dtype is bool:
        return "bool"
    else:
        name = getattr(dtype, "name", None)
        if name is None:
            try:
                name = np.dtype(dtype).name
            except TypeError:
                name = None
        if name in DTYPES:
            return name
    raise ValueError(f"Invalid dtype: expected one of {sorted(DTYPES)}. Received: dtype={dtype!r}")


def to_torch_dtype(dtype: Any) -> torch.dtype:
    """Maps any accepted dtype spelling to a ``torch.dtype``."""
    if isinstance(dtype, torch.dtype):
        return dtype
    return DTYPES[standardize_dtype(dtype)]


def _default_device() -> torch.device:
    name = os.environ.get("CORNU_DEVICE")
    if name:
        return torch.device(name)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


_DEVICE = _default_device()


def get_device() -> torch.device:
    """Returns the device new tensors and variables are placed on."""
    return _DEVICE


@contextlib.contextmanager
def device_scope(device_name: str):
    """Places tensors and variables created inside the block on ``device_name``.

    Example: ``with cornu.device("cpu"): model = make_model()``.
    """
    global _DEVICE
    previous = _DEVICE
    _DEVICE = torch.device(str(device_name).lower().replace("gpu", "cuda"))
    try:
        yield
    finally:
        _DEVICE = previous


def autocast(dtype: str):
    """Runs the block with weights cast to ``dtype`` where ops take them (mixed precision)."""
    return torch.autocast(device_type=_DEVICE.type, dtype=DTYPES[dtype])


def is_tensor(x: Any) -> bool:
    return isinstance(x, torch.Tensor)


def _python_dtype(x: Any) -> str | None:
    """The dtype Keras gives Python scalars and (nested) lists of them."""
    while isinstance(x, (list, tuple)) and x:
        x = x[0]
    if isinstance(x, bool):
        return "bool"
    if isinstance(x, int):
        return "int32"
    if isinstance(x, float):
        return config.floatx()
    return None


def convert_to_tensor(x: Any, dtype: Any = None, sparse: bool | None = None) -> torch.Tensor:
    """Converts arrays, scalars, lists and tensors to a tensor on the current device."""
    if sparse:
        raise ValueError("Sparse tensors are not supported by the torch backend. Received: sparse=True")
    torch_dtype = None if dtype is None else to_torch_dtype(dtype)
    if isinstance(x, torch.Tensor):
        if torch_dtype is not None and x.dtype != torch_dtype:
            x = x.to(torch_dtype)
        if x.device != _DEVICE and x.device.type != "meta":
            x = x.to(_DEVICE)
        return x
    if isinstance(x, np.ndarray):
        if x.dtype == np.uint16 or x.dtype == np.uint32:
            x = x.astype(np.int64)
        elif not (x.flags.writeable and x.flags.c_contiguous):
            x = np.array(x, order="C")
        t = torch.from_numpy(x)
        return t.to(device=_DEVICE, dtype=torch_dtype or t.dtype)
    if isinstance(x, np.generic):
        return convert_to_tensor(np.asarray(x), dtype)
    if torch_dtype is None:
        guess = _python_dtype(x)
        torch_dtype = DTYPES[guess] if guess else None
    if hasattr(x, "__array__") and not isinstance(x, (list, tuple)):
        return convert_to_tensor(np.asarray(x), dtype)
    return torch.as_tensor(x, dtype=torch_dtype, device=_DEVICE)


def as_tensor(x: Any) -> torch.Tensor:
    """Tensors pass through untouched (the hot path of every op); anything else is converted."""
    return x if isinstance(x, torch.Tensor) else convert_to_tensor(x)


def convert_to_numpy(x: Any) -> np.ndarray:
    """Returns ``x`` as a NumPy array (copying it to the host when needed)."""
    if isinstance(x, torch.Tensor):
        mutable = isinstance(x, Variable)
        x = x.detach()
        if x.dtype == torch.bfloat16:
            x = x.float()
        array = x.cpu().numpy()
        # A variable changes in place; its array must not change with it.
        return array.copy() if mutable and x.device.type == "cpu" else array
    if isinstance(x, (list, tuple)):
        return np.array([convert_to_numpy(e) for e in x])
    return np.asarray(x)


def shape(x: Any) -> tuple:
    return tuple(x.shape)


def dtype(x: Any) -> str:
    return standardize_dtype(x.dtype)


def cast(x: Any, dtype: Any) -> torch.Tensor:
    x = convert_to_tensor(x)
    torch_dtype = to_torch_dtype(dtype)
    return x if x.dtype == torch_dtype else x.to(torch_dtype)


def cast_floating(x: torch.Tensor, dtype: str) -> torch.Tensor:
    """Casts a floating tensor to ``dtype`` (a name); other tensors pass unchanged."""
    target = DTYPES[dtype]
    if x.dtype is not target and x.is_floating_point():
        return x.to(target)
    return x


def stop_gradient(x: Any) -> torch.Tensor:
    return convert_to_tensor(x).detach()


def size(x: Any) -> int:
    return convert_to_tensor(x).numel()


def is_float_dtype(dtype: Any) -> bool:
    return standardize_dtype(dtype).startswith(("float", "bfloat"))


def is_int_dtype(dtype: Any) -> bool:
    return standardize_dtype(dtype).startswith(("int", "uint"))


class Variable(torch.nn.Parameter):
    """A model weight: a ``torch.nn.Parameter`` with Keras's ``Variable`` API.

    Trainable variables are leaf tensors with ``requires_grad=True``, so a cornu model's
    weights work with ``torch.optim`` and hand-written PyTorch loops unchanged.

    Example:
        >>> v = Variable(np.zeros((2, 3)), name="kernel")
        >>> v.assign(np.ones((2, 3))).numpy().sum()
        6.0
    """

    def __new__(
        cls,
        initializer: Any,
        shape: tuple | None = None,
        dtype: Any = None,
        trainable: bool = True,
        name: str | None = None,
        **_: Any,
    ) -> "Variable":
        # A layer built while shapes are being inferred on meta tensors still needs real
        # weights: create them outside any active dispatch mode.
        with _disable_current_modes():
            return cls._create(initializer, shape, dtype, trainable, name)

    @classmethod
    def _create(cls, initializer, shape, dtype, trainable, name) -> "Variable":
        if callable(initializer) and not isinstance(initializer, (torch.Tensor, np.ndarray)):
            if shape is None:
                raise ValueError(
                    "A Variable built from an initializer needs a `shape`. "
                    f"Received: initializer={initializer!r}, shape=None"
                )
            value = initializer(tuple(shape), dtype=standardize_dtype(dtype))
        else:
            value = initializer
        torch_dtype = None if dtype is None else to_torch_dtype(dtype)
        if isinstance(value, torch.Tensor):
            data = value.detach().to(device=_DEVICE, dtype=torch_dtype or value.dtype)
            if data.data_ptr() == value.data_ptr():
                data = data.clone()
        else:
            if torch_dtype is None and not isinstance(value, np.ndarray):
                torch_dtype = to_torch_dtype(_python_dtype(value) or config.floatx())
            data = convert_to_tensor(np.array(value), dtype=torch_dtype).clone()
        if shape is not None and tuple(data.shape) != tuple(shape):
            raise ValueError(
                f"Variable {name!r}: the initial value has shape {tuple(data.shape)}, "
                f"expected shape {tuple(shape)}."
            )
        requires_grad = bool(trainable) and data.is_floating_point()
        self = torch.Tensor._make_subclass(cls, data, requires_grad)
        self._cornu_name = name or "variable"
        self._cornu_path = self._cornu_name
        self._cornu_trainable = bool(trainable)
        self.regularizer = None
        self.constraint = None
        self._cornu_slots = []  # (module, key) pairs that hold it, for StatelessScope
        return self

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # noqa: D401 - all set in __new__
        pass

    @property
    def name(self) -> str:
        return self._cornu_name

    @property
    def path(self) -> str:
        """The variable's path, ``"<layer name>/<variable name>"`` once a layer owns it."""
        return self._cornu_path

    @property
    def trainable(self) -> bool:
        return self._cornu_trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._cornu_trainable = bool(value)
        self.requires_grad_(bool(value) and self.is_floating_point())

    @property
    def value(self) -> torch.Tensor:
        """The current value: the variable itself, or its value in the active
        ``StatelessScope``."""
        if in_stateless_scope():
            return stateless.read(self)
        return self

    def numpy(self) -> np.ndarray:
        return convert_to_numpy(self.value)

    def assign(self, value: Any) -> "Variable":
        value = convert_to_tensor(value, dtype=self.dtype)
        if tuple(value.shape) != tuple(self.shape):
            raise ValueError(
                f"Variable {self.path!r} has shape {tuple(self.shape)}; cannot assign a value of "
                f"shape {tuple(value.shape)}."
            )
        if in_stateless_scope() and stateless.prepare_assign(self, value):
            return self
        with torch.no_grad():
            self.copy_(value)
        return self

    def assign_add(self, value: Any) -> "Variable":
        if not isinstance(value, (int, float)):
            value = convert_to_tensor(value, dtype=self.dtype)
        if in_stateless_scope():
            return self.assign(self.value + value)
        with torch.no_grad():
            self.add_(value)
        return self

    def assign_sub(self, value: Any) -> "Variable":
        if not isinstance(value, (int, float)):
            value = convert_to_tensor(value, dtype=self.dtype)
        if in_stateless_scope():
            return self.assign(self.value - value)
        with torch.no_grad():
            self.sub_(value)
        return self

    def __deepcopy__(self, memo: dict) -> "Variable":
        copy = Variable(self.detach().clone(), dtype=self.dtype, trainable=self.trainable,
                        name=self.name)
        copy._cornu_path = self._cornu_path
        copy.regularizer = self.regularizer
        copy.constraint = self.constraint
        memo[id(self)] = copy
        return copy

    def __repr__(self) -> str:
        return (f"<Variable path={self.path}, shape={tuple(self.shape)}, "
                f"dtype={standardize_dtype(self.dtype)}, value={self.detach().cpu().numpy()}>")
