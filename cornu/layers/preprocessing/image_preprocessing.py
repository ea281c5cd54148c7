"""Deterministic image preprocessing layers: ``Resizing``, ``CenterCrop``."""

from __future__ import annotations

from typing import Any

from cornu import backend, config, ops
from cornu.layers.layer import Layer


def image_axes(data_format: str) -> tuple:
    """(height axis, width axis), counted from the end, for a rank-3 or rank-4 image."""
    return (-2, -1) if data_format == "channels_first" else (-3, -2)


def _saturate_cast(x: Any, dtype: str) -> Any:
    if backend.is_int_dtype(dtype):
        return ops.saturate_cast(ops.round(x), dtype)
    return ops.cast(x, dtype)


def _check_rank(layer: Layer, input_shape: tuple) -> None:
    if len(input_shape) not in (3, 4):
        raise ValueError(f"{type(layer).__name__} '{layer.name}' expects images of rank 3 "
                         f"(one image) or 4 (a batch). Received: input_shape={input_shape}")


def _with_size(input_shape: tuple, data_format: str, height: int, width: int) -> tuple:
    shape = list(input_shape)
    h_axis, w_axis = image_axes(data_format)
    shape[h_axis], shape[w_axis] = height, width
    return tuple(shape)


class Resizing(Layer):
    """Resizes images to ``(height, width)``.

    Args:
        height, width: the output size.
        interpolation: ``"bilinear"`` (default), ``"nearest"`` or ``"bicubic"``.
        crop_to_aspect_ratio: first take the largest centred crop with the target aspect
            ratio, so the image is not distorted.
        pad_to_aspect_ratio: instead pad evenly with ``fill_value`` to the target ratio.
        antialias: low-pass filter when downsampling (bilinear and bicubic).

    Example:
        >>> cornu.layers.Resizing(64, 64)(np.zeros((2, 128, 96, 3))).shape
        (2, 64, 64, 3)
    """

    def __init__(self, height: int, width: int, interpolation: str = "bilinear",
                 crop_to_aspect_ratio: bool = False, pad_to_aspect_ratio: bool = False,
                 fill_mode: str = "constant", fill_value: float = 0.0, antialias: bool = False,
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if interpolation not in ("bilinear", "nearest", "bicubic"):
            raise ValueError(f"Resizing '{self.name}': `interpolation` must be 'bilinear', "
                             f"'nearest' or 'bicubic'. Received: {interpolation!r}")
        if crop_to_aspect_ratio and pad_to_aspect_ratio:
            raise ValueError(f"Resizing '{self.name}': only one of `crop_to_aspect_ratio` and "
                             "`pad_to_aspect_ratio` can be True.")
        self.height, self.width = int(height), int(width)
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = crop_to_aspect_ratio
        self.pad_to_aspect_ratio = pad_to_aspect_ratio
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.antialias = bool(antialias)
        self.data_format = config.standardize_data_format(data_format)
        self.built = True

    def call(self, inputs: Any) -> Any:
        out = ops.image.resize(inputs, (self.height, self.width),
                               interpolation=self.interpolation, antialias=self.antialias,
                               crop_to_aspect_ratio=self.crop_to_aspect_ratio,
                               pad_to_aspect_ratio=self.pad_to_aspect_ratio,
                               fill_mode=self.fill_mode, fill_value=self.fill_value,
                               data_format=self.data_format)
        if ops.dtype(out) != ops.dtype(inputs):
            out = _saturate_cast(out, ops.dtype(inputs))
        return out

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        _check_rank(self, input_shape)
        return _with_size(input_shape, self.data_format, self.height, self.width)

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format, "height": self.height,
                "width": self.width, "interpolation": self.interpolation,
                "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
                "pad_to_aspect_ratio": self.pad_to_aspect_ratio, "fill_mode": self.fill_mode,
                "fill_value": self.fill_value, "antialias": self.antialias}


def center_crop_or_resize(images: Any, height: int, width: int, data_format: str) -> Any:
    """The centred ``height x width`` crop; smaller images are first resized (aspect kept)."""
    h_axis, w_axis = image_axes(data_format)
    shape = ops.shape(images)
    in_h, in_w = shape[h_axis], shape[w_axis]
    if in_h < height or in_w < width:
        return ops.image.resize(images, (height, width), crop_to_aspect_ratio=True,
                                data_format=data_format)
    top, left = (in_h - height) // 2, (in_w - width) // 2
    index = [slice(None)] * len(shape)
    index[h_axis] = slice(top, top + height)
    index[w_axis] = slice(left, left + width)
    return images[tuple(index)]


class CenterCrop(Layer):
    """Crops the centre ``height x width`` of images.

    Images smaller than the target are first resized (keeping their aspect ratio by
    cropping the longer side), as Keras does.
    """

    def __init__(self, height: int, width: int, data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.height, self.width = int(height), int(width)
        self.data_format = config.standardize_data_format(data_format)
        self.built = True

    def call(self, inputs: Any) -> Any:
        inputs = ops.cast(inputs, self.compute_dtype)
        return center_crop_or_resize(inputs, self.height, self.width, self.data_format)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        _check_rank(self, input_shape)
        return _with_size(input_shape, self.data_format, self.height, self.width)

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format, "height": self.height,
                "width": self.width}
