"""Loading and saving images with Pillow: ``load_img``, ``img_to_array``, ``array_to_img``,
``save_img``, as in ``keras.utils``.

Pillow is optional (``pip install cornu[image]``); these functions say so when it is missing.
"""

from __future__ import annotations

import io
import os
from typing import Any

import numpy as np

from cornu import config

_PIL_INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "hamming", "box", "lanczos")


def _pil() -> Any:
    try:
        from PIL import Image
    except ImportError as error:
        raise ImportError("Loading and saving images needs Pillow. Install it with "
                          "`pip install pillow` (or `pip install cornu[image]`).") from error
    return Image


def load_img(path: Any, color_mode: str = "rgb", target_size: tuple | None = None,
             interpolation: str = "nearest", keep_aspect_ratio: bool = False) -> Any:
    """Loads an image file into a PIL image.

    Args:
        path: a file path or a binary file-like object.
        color_mode: ``"grayscale"``, ``"rgb"`` or ``"rgba"``.
        target_size: ``(height, width)`` to resize to, or ``None``.
        interpolation: Pillow's resampling: "nearest", "bilinear", "bicubic", "hamming",
            "box" or "lanczos".
        keep_aspect_ratio: crop the centre to the target aspect ratio before resizing.

    Example:
        >>> image = load_img("cat.jpg", target_size=(224, 224))
        >>> array = img_to_array(image)  # (224, 224, 3) float32
    """
    Image = _pil()
    if isinstance(path, io.BytesIO) or hasattr(path, "read"):
        img = Image.open(path)
    elif isinstance(path, (str, os.PathLike)):
        with open(path, "rb") as f:
            img = Image.open(io.BytesIO(f.read()))
    else:
        raise TypeError(f"`path` must be a file path or a file-like object. Received: "
                        f"{type(path).__name__}")
    modes = {"grayscale": "L", "rgb": "RGB", "rgba": "RGBA"}
    if color_mode not in modes:
        raise ValueError(f'`color_mode` must be "grayscale", "rgb" or "rgba". Received: '
                         f"color_mode={color_mode!r}")
    if color_mode == "grayscale" and img.mode not in ("L", "I;16", "I"):
        img = img.convert("L")
    elif img.mode != modes[color_mode] and color_mode != "grayscale":
        img = img.convert(modes[color_mode])
    if target_size is not None:
        height, width = target_size
        if (img.size[0], img.size[1]) != (width, height):
            if interpolation not in _PIL_INTERPOLATIONS:
                raise ValueError(f"Invalid `interpolation` {interpolation!r}; expected one of "
                                 f"{_PIL_INTERPOLATIONS}.")
            resample = getattr(Image.Resampling, interpolation.upper())
            if keep_aspect_ratio:
                w, h = img.size
                crop_w = min(w, int(h * width / height))
                crop_h = min(h, int(w * height / width))
                left, top = (w - crop_w) // 2, (h - crop_h) // 2
                img = img.crop((left, top, left + crop_w, top + crop_h))
            img = img.resize((width, height), resample)
    return img


def img_to_array(img: Any, data_format: str | None = None, dtype: str | None = None) -> np.ndarray:
    """A PIL image as a NumPy array: ``(height, width, channels)`` (channels first if asked)."""
    data_format = config.standardize_data_format(data_format)
    array = np.asarray(img, dtype=dtype or config.floatx())
    if array.ndim == 2:
        array = array[:, :, None]
    elif array.ndim != 3:
        raise ValueError(f"Unsupported image shape: {array.shape}")
    return array.transpose(2, 0, 1) if data_format == "channels_first" else array


def array_to_img(x: Any, data_format: str | None = None, scale: bool = True,
                 dtype: str | None = None) -> Any:
    """A 3D array as a PIL image; with ``scale``, values are stretched to ``[0, 255]``."""
    Image = _pil()
    data_format = config.standardize_data_format(data_format)
    x = np.asarray(x, dtype=dtype or config.floatx())
    if x.ndim != 3:
        raise ValueError(f"Expected an image array of rank 3 (single image). Received: "
                         f"x.shape={x.shape}")
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        peak = np.max(x)
        if peak != 0:
            x = x / peak
        x = x * 255
    channels = x.shape[2]
    if channels == 4:
        return Image.fromarray(x.astype("uint8"), "RGBA")
    if channels == 3:
        return Image.fromarray(x.astype("uint8"), "RGB")
    if channels == 1:
        if np.max(x) > 255:  # 16- or 32-bit grayscale
            return Image.fromarray(x[:, :, 0].astype("int32"), "I")
        return Image.fromarray(x[:, :, 0].astype("uint8"), "L")
    raise ValueError(f"Unsupported channel number: {channels}")


def save_img(path: Any, x: Any, data_format: str | None = None, file_format: str | None = None,
             scale: bool = True, **kwargs: Any) -> None:
    """Saves a 3D array as an image file (format from ``file_format`` or the extension)."""
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and (file_format == "jpg" or file_format == "jpeg" or str(path)
                               .lower().endswith((".jpg", ".jpeg"))):
        img = img.convert("RGB")  # JPEG has no alpha channel
    if file_format == "jpg":
        file_format = "jpeg"
    img.save(path, format=file_format, **kwargs)
