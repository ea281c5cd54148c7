"""Image operations on torch: resizing and affine warps, with Keras's names and numbers.

Images are rank 3 (one image) or rank 4 (a batch), channels last unless
``data_format="channels_first"``.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from cornu import config
from cornu.backend.torch.core import convert_to_tensor

# Keras's interpolation names -> torch's modes. "nearest" is torch's "nearest-exact" (pixel
# centres), which is what Keras computes on every backend.
_RESIZE_MODES = {"bilinear": "bilinear", "nearest": "nearest-exact", "bicubic": "bicubic"}
_AFFINE_ORDERS = {"nearest": 0, "bilinear": 1}
_FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")
_INT_DTYPES = (torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64)


def _data_format(data_format: str | None) -> str:
    return config.standardize_data_format(data_format)


def _to_nchw(images: Any, data_format: str | None, op: str) -> tuple:
    """Returns (float NCHW batch, was_unbatched, original dtype)."""
    images = convert_to_tensor(images)
    if images.ndim not in (3, 4):
        raise ValueError(f"{op}: expected images of rank 3 (one image) or 4 (a batch). "
                         f"Received: images.shape={tuple(images.shape)}")
    unbatched = images.ndim == 3
    if unbatched:
        images = images.unsqueeze(0)
    dtype = images.dtype
    if dtype not in (torch.float32, torch.float64):
        images = images.to(torch.float32)
    if _data_format(data_format) == "channels_last":
        images = images.permute(0, 3, 1, 2)
    return images, unbatched, dtype


def _from_nchw(images: torch.Tensor, unbatched: bool, dtype: torch.dtype,
               data_format: str | None) -> torch.Tensor:
    if _data_format(data_format) == "channels_last":
        images = images.permute(0, 2, 3, 1)
    if unbatched:
        images = images.squeeze(0)
    if images.dtype != dtype:
        if dtype in _INT_DTYPES:
            images = torch.round(images)
        images = images.to(dtype)
    return images


def _aspect_crop(images: torch.Tensor, size: tuple) -> torch.Tensor:
    """The largest centred crop of ``images`` (NCHW) with the aspect ratio of ``size``."""
    height, width = images.shape[-2:]
    target_h, target_w = size
    crop_h = max(min(height, int(float(width * target_h) / target_w)), 1)
    crop_w = max(min(width, int(float(height * target_w) / target_h)), 1)
    top, left = int((height - crop_h) / 2), int((width - crop_w) / 2)
    return images[:, :, top:top + crop_h, left:left + crop_w]


def _aspect_pad(images: torch.Tensor, size: tuple, fill_value: float) -> torch.Tensor:
    """Pads ``images`` (NCHW) evenly on both sides up to the aspect ratio of ``size``."""
    height, width = images.shape[-2:]
    target_h, target_w = size
    pad_h = max(height, int(float(width * target_h) / target_w))
    pad_w = max(width, int(float(height * target_w) / target_h))
    top, left = int((pad_h - height) / 2), int((pad_w - width) / 2)
    if top or left:
        images = F.pad(images, (left, left, top, top), mode="constant", value=float(fill_value))
    return images


def resize(images: Any, size: tuple, interpolation: str = "bilinear", antialias: bool = False,
           crop_to_aspect_ratio: bool = False, pad_to_aspect_ratio: bool = False,
           fill_mode: str = "constant", fill_value: float = 0.0,
           data_format: str | None = None) -> torch.Tensor:
    """Resizes images to ``size = (height, width)``; see ``cornu.ops.image.resize``."""
    if interpolation not in _RESIZE_MODES:
        raise ValueError(f"Invalid value for argument `interpolation`: expected one of "
                         f"{tuple(_RESIZE_MODES)}. Received: interpolation={interpolation}")
    if fill_mode != "constant":
        raise ValueError("Invalid value for argument `fill_mode`: only 'constant' is "
                         f"supported. Received: fill_mode={fill_mode}")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("Only one of `pad_to_aspect_ratio` and `crop_to_aspect_ratio` can be "
                         "True.")
    if len(size) != 2:
        raise ValueError(f"Argument `size` must be a tuple of two elements (height, width). "
                         f"Received: size={size}")
    size = (int(size[0]), int(size[1]))
    x, unbatched, dtype = _to_nchw(images, data_format, "resize")
    if crop_to_aspect_ratio:
        x = _aspect_crop(x, size)
    elif pad_to_aspect_ratio:
        x = _aspect_pad(x, size, fill_value)
    smooth = interpolation in ("bilinear", "bicubic")
    out = F.interpolate(x, size=size, mode=_RESIZE_MODES[interpolation],
                        align_corners=False if smooth else None,
                        antialias=bool(antialias) and smooth)
    if interpolation == "bicubic" and dtype == torch.uint8:
        out = out.clamp(0, 255)  # bicubic overshoots; keep uint8 images in range
    return _from_nchw(out, unbatched, dtype, data_format)


# --- affine transforms ----------------------------------------------------------------------
def _fix_index(index: torch.Tensor, size: int, fill_mode: str) -> torch.Tensor:
    """Maps out-of-range integer coordinates back into ``[0, size)`` for each fill mode."""
    if fill_mode == "nearest" or fill_mode == "constant":
        return index.clamp(0, size - 1)
    if fill_mode == "wrap":
        return torch.remainder(index, size)
    if fill_mode == "mirror":  # reflect about the edge pixel centres: d c b | a b c d | c b a
        if size == 1:
            return torch.zeros_like(index)
        period = 2 * size - 2
        index = torch.remainder(index, period)
        return torch.where(index >= size, period - index, index)
    # "reflect": reflect about the edge (half-pixel): d c b a | a b c d | d c b a
    period = 2 * size
    index = torch.remainder(index, period)
    return torch.where(index >= size, period - 1 - index, index)


def map_coordinates(inputs: Any, coordinates: Any, order: int, fill_mode: str = "constant",
                    fill_value: float = 0.0) -> torch.Tensor:
    """Samples ``inputs`` at fractional ``coordinates`` (one array per input axis).

    ``order`` 0 takes the nearest value, 1 interpolates linearly. Outside the input,
    ``fill_mode`` decides: "constant" (``fill_value``), "nearest", "wrap", "mirror",
    "reflect" (as ``scipy.ndimage.map_coordinates``).
    """
    if fill_mode not in _FILL_MODES:
        raise ValueError(f"Invalid value for argument `fill_mode`: expected one of "
                         f"{_FILL_MODES}. Received: fill_mode={fill_mode}")
    if order not in (0, 1):
        raise ValueError(f"Invalid value for argument `order`: expected 0 or 1. "
                         f"Received: order={order}")
    inputs = convert_to_tensor(inputs)
    coordinates = [convert_to_tensor(c) for c in coordinates]
    if len(coordinates) != inputs.ndim:
        raise ValueError(f"map_coordinates: expected {inputs.ndim} coordinate arrays (one per "
                         f"input axis). Received: {len(coordinates)}")
    dtype = inputs.dtype if inputs.is_floating_point() else torch.float32
    values = inputs.to(dtype)
    # Per axis, the integer corners and their weights; integer coordinates are exact.
    corners = []
    for coord in coordinates:
        if not coord.is_floating_point():
            corners.append([(coord.to(torch.int64), None)])
        elif order == 0:
            corners.append([(torch.round(coord).to(torch.int64), None)])
        else:
            coord = coord.to(dtype)
            low = torch.floor(coord)
            frac = coord - low
            low = low.to(torch.int64)
            corners.append([(low, 1 - frac), (low + 1, frac)])
    fill = torch.as_tensor(fill_value, dtype=dtype, device=values.device)
    out = None
    for combo in _product(corners):
        index, weight, inside = [], None, None
        for axis, (idx, w) in enumerate(combo):
            size = values.shape[axis]
            if fill_mode == "constant":
                ok = (idx >= 0) & (idx < size)
                inside = ok if inside is None else inside & ok
            index.append(_fix_index(idx, size, fill_mode))
            if w is not None:
                weight = w if weight is None else weight * w
        sample = values[tuple(index)]
        if inside is not None:
            # Corners outside the image contribute fill_value, blended by their weight.
            sample = torch.where(inside, sample, fill)
        term = sample if weight is None else sample * weight
        out = term if out is None else out + term
    if not inputs.is_floating_point():
        out = torch.round(out).to(inputs.dtype)
    return out


def _product(lists: list) -> list:
    combos = [[]]
    for options in lists:
        combos = [c + [o] for c in combos for o in options]
    return combos


def affine_transform(images: Any, transform: Any, interpolation: str = "bilinear",
                     fill_mode: str = "constant", fill_value: float = 0.0,
                     data_format: str | None = None) -> torch.Tensor:
    """Warps images with projective transforms ``[a0, a1, a2, b0, b1, b2, c0, c1]``.

    Each output pixel ``(x, y)`` takes the input value at
    ``((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k)`` with ``k = c0 x + c1 y + 1``;
    ``transform`` has shape ``(8,)`` or ``(batch, 8)``.
    """
    if interpolation not in _AFFINE_ORDERS:
        raise ValueError(f"Invalid value for argument `interpolation`: expected one of "
                         f"{tuple(_AFFINE_ORDERS)}. Received: interpolation={interpolation}")
    if fill_mode not in _FILL_MODES:
        raise ValueError(f"Invalid value for argument `fill_mode`: expected one of "
                         f"{_FILL_MODES}. Received: fill_mode={fill_mode}")
    x, unbatched, dtype = _to_nchw(images, data_format, "affine_transform")
    transform = convert_to_tensor(transform).to(device=x.device, dtype=x.dtype)
    if transform.ndim == 1:
        transform = transform.unsqueeze(0)
    if transform.ndim != 2 or transform.shape[-1] != 8:
        raise ValueError(f"affine_transform: `transform` must have shape (8,) or (batch, 8). "
                         f"Received: transform.shape={tuple(transform.shape)}")
    batch, channels, height, width = x.shape
    if transform.shape[0] == 1 and batch > 1:
        transform = transform.expand(batch, 8)
    ys, xs = torch.meshgrid(torch.arange(height, dtype=x.dtype, device=x.device),
                            torch.arange(width, dtype=x.dtype, device=x.device), indexing="ij")
    a0, a1, a2, b0, b1, b2, c0, c1 = (transform[:, i, None, None] for i in range(8))
    k = c0 * xs + c1 * ys + 1
    src_x = (a0 * xs + a1 * ys + a2) / k  # (batch, height, width)
    src_y = (b0 * xs + b1 * ys + b2) / k
    # Sample every (image, channel) plane at the same source points with one gather.
    n_idx = torch.arange(batch, device=x.device).view(batch, 1, 1, 1)
    c_idx = torch.arange(channels, device=x.device).view(1, channels, 1, 1)
    shape = (batch, channels, height, width)
    coords = [n_idx.expand(shape), c_idx.expand(shape),
              src_y.unsqueeze(1).expand(shape), src_x.unsqueeze(1).expand(shape)]
    out = map_coordinates(x, coords, _AFFINE_ORDERS[interpolation], fill_mode, fill_value)
    return _from_nchw(out, unbatched, dtype, data_format)
