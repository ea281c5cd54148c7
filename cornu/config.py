"""Global settings: backend, default float type, epsilon, image data format.

The backend is read once, at import, from ``CORNU_BACKEND`` or ``~/.cornu/cornu.json``
(``{"backend": "torch", "floatx": "float32", "epsilon": 1e-07,
"image_data_format": "channels_last"}``); the other settings can change at run time.
"""

from __future__ import annotations

import json
import os

_AVAILABLE_BACKENDS = ("torch",)
_PLANNED_BACKENDS = ("jax", "numpy", "tensorflow")
_FLOAT_TYPES = ("float16", "bfloat16", "float32", "float64")
_DATA_FORMATS = ("channels_last", "channels_first")


def _config_dir() -> str:
    return os.environ.get("CORNU_HOME") or os.path.join(os.path.expanduser("~"), ".cornu")


def _read_config_file() -> dict:
    path = os.path.join(_config_dir(), "cornu.json")
    try:
        with open(path) as f:
            data = json.load(f)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


_file = _read_config_file()
_BACKEND = os.environ.get("CORNU_BACKEND", _file.get("backend", "torch"))
_FLOATX = _file.get("floatx", "float32")
_EPSILON = float(_file.get("epsilon", 1e-7))
_IMAGE_DATA_FORMAT = _file.get("image_data_format", "channels_last")

if _BACKEND not in _AVAILABLE_BACKENDS:
    planned = " It is planned but not available yet." if _BACKEND in _PLANNED_BACKENDS else ""
    raise ValueError(
        f"Unknown cornu backend {_BACKEND!r} (from CORNU_BACKEND or {_config_dir()}/cornu.json)."
        f"{planned} Available backends: {', '.join(_AVAILABLE_BACKENDS)}. "
        "Unset CORNU_BACKEND or set it to 'torch'."
    )


def backend() -> str:
    """Returns the name of the active backend, e.g. ``"torch"``."""
    return _BACKEND


def floatx() -> str:
    """Returns the default float type as a string, e.g. ``"float32"``."""
    return _FLOATX


def set_floatx(value: str) -> None:
    """Sets the default float type. Example: ``cornu.config.set_floatx("float64")``."""
    global _FLOATX
    value = str(value)
    if value not in _FLOAT_TYPES:
        raise ValueError(f"Unknown floatx type: expected one of {_FLOAT_TYPES}. Received: {value!r}")
    _FLOATX = value


def epsilon() -> float:
    """Returns the fuzz factor used in numeric expressions (default ``1e-7``)."""
    return _EPSILON


def set_epsilon(value: float) -> None:
    """Sets the fuzz factor used in numeric expressions."""
    global _EPSILON
    _EPSILON = float(value)


def image_data_format() -> str:
    """Returns ``"channels_last"`` or ``"channels_first"``."""
    return _IMAGE_DATA_FORMAT


def set_image_data_format(data_format: str) -> None:
    """Sets the default image data format for convolution and pooling layers."""
    global _IMAGE_DATA_FORMAT
    value = str(data_format).lower()
    if value not in _DATA_FORMATS:
        raise ValueError(
            f"The `data_format` argument must be one of {_DATA_FORMATS}. Received: {data_format!r}"
        )
    _IMAGE_DATA_FORMAT = value


def standardize_data_format(data_format: str | None) -> str:
    """Returns ``data_format`` checked, or the global default when it is ``None``."""
    if data_format is None:
        return _IMAGE_DATA_FORMAT
    value = str(data_format).lower()
    if value not in _DATA_FORMATS:
        raise ValueError(
            f"The `data_format` argument must be one of {_DATA_FORMATS}. Received: {data_format!r}"
        )
    return value


_FLASH_ATTENTION: bool | None = None


def enable_flash_attention() -> None:
    """Lets attention layers use the flash kernel where it applies (the default)."""
    global _FLASH_ATTENTION
    _FLASH_ATTENTION = None


def disable_flash_attention() -> None:
    """Stops attention layers from asking for the flash kernel (torch may still pick it)."""
    global _FLASH_ATTENTION
    _FLASH_ATTENTION = False


def is_flash_attention_enabled() -> bool | None:
    """``None`` (automatic, the default) or ``False`` after ``disable_flash_attention()``."""
    return _FLASH_ATTENTION
