"""Random image augmentation layers, active when called with ``training=True``.

As in Keras, ``training`` defaults to True when a layer is called directly, and ``fit``
calls it with True while ``predict``/``evaluate`` call it with False (the identity).
Each layer draws from its own ``SeedGenerator``, so a seeded layer is reproducible.
"""

from __future__ import annotations

import math
from typing import Any

from cornu import config, ops, random
from cornu.layers.layer import Layer
from cornu.layers.preprocessing.image_preprocessing import (
    _check_rank,
    _with_size,
    center_crop_or_resize,
    image_axes,
)

_FILL_MODES = ("reflect", "wrap", "constant", "nearest")
_INTERPOLATIONS = ("nearest", "bilinear")


def _factor_range(layer: Layer, factor: Any, bounds: tuple, what: str = "factor") -> tuple:
    """``(lower, upper)`` of a factor given as a number or a pair, within ``bounds``.

    A number ``f`` means ``(max(-|f|, bounds[0]), |f|)``, as Keras interprets it.
    """
    message = (f"{type(layer).__name__} '{layer.name}': `{what}` should be a number or a pair "
               f"of numbers in [{bounds[0]}, {bounds[1]}]. Received: {what}={factor}")
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2 or factor[0] > bounds[1] or factor[1] < bounds[0]:
            raise ValueError(message)
        lower, upper = sorted(factor)
    elif isinstance(factor, (int, float)):
        if factor < bounds[0] or factor > bounds[1]:
            raise ValueError(message)
        factor = abs(factor)
        lower, upper = max(-factor, bounds[0]), factor
    else:
        raise ValueError(message)
    return lower, upper


class _RandomImageLayer(Layer):
    """Shared by the augmentation layers: seed, data format, rank checks, identity at inference."""

    def __init__(self, seed: int | None = None, data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.seed = seed
        self.generator = random.SeedGenerator(seed)
        self.data_format = config.standardize_data_format(data_format)
        self.supports_masking = False
        self.built = True

    def _batch_shape(self, images: Any) -> tuple:
        """(batch size, height, width) of a rank-3 or rank-4 input."""
        shape = ops.shape(images)
        _check_rank(self, shape)
        h_axis, w_axis = image_axes(self.data_format)
        return (shape[0] if len(shape) == 4 else 1), shape[h_axis], shape[w_axis]

    def _uniform(self, shape: tuple, low: float, high: float) -> Any:
        return random.uniform(shape, minval=low, maxval=high, dtype=self.compute_dtype,
                              seed=self.generator)

    def call(self, inputs: Any, training: bool = True) -> Any:
        inputs = ops.cast(inputs, self.compute_dtype)
        if not training:
            return inputs
        return self.augment(inputs)

    def augment(self, images: Any) -> Any:
        raise NotImplementedError

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format, "seed": self.seed}


def _per_image(values: Any, rank: int) -> Any:
    """Reshapes per-image values ``(batch,)`` to broadcast over images of ``rank``."""
    return ops.reshape(values, (-1,) + (1,) * (rank - 1)) if rank == 4 else \
        ops.reshape(values, (1,) * rank)


class RandomFlip(_RandomImageLayer):
    """Flips each image horizontally and/or vertically with probability 0.5.

    Args:
        mode: ``"horizontal"``, ``"vertical"`` or ``"horizontal_and_vertical"`` (default).
        seed: the seed of the layer's random draws.
    """

    def __init__(self, mode: str = "horizontal_and_vertical", seed: int | None = None,
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        if mode not in ("horizontal", "vertical", "horizontal_and_vertical"):
            raise ValueError(f"RandomFlip '{self.name}': `mode` must be 'horizontal', "
                             f"'vertical' or 'horizontal_and_vertical'. Received: mode={mode}")
        self.mode = mode

    def augment(self, images: Any) -> Any:
        batch, _, _ = self._batch_shape(images)
        rank = len(ops.shape(images))
        h_axis, w_axis = image_axes(self.data_format)
        for axis, wanted in ((w_axis, "horizontal"), (h_axis, "vertical")):
            if wanted in self.mode:
                flip = _per_image(self._uniform((batch,), 0.0, 1.0) < 0.5, rank)
                images = ops.where(flip, ops.flip(images, axis=axis), images)
        return images

    def get_config(self) -> dict:
        return {**super().get_config(), "mode": self.mode}


class _AffineLayer(_RandomImageLayer):
    """Augmentations that warp images with a per-image affine transform."""

    def __init__(self, fill_mode: str = "reflect", interpolation: str = "bilinear",
                 seed: int | None = None, fill_value: float = 0.0,
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        if fill_mode not in _FILL_MODES:
            raise ValueError(f"{type(self).__name__} '{self.name}': unknown `fill_mode` "
                             f"{fill_mode!r}; expected one of {_FILL_MODES}.")
        if interpolation not in _INTERPOLATIONS:
            raise ValueError(f"{type(self).__name__} '{self.name}': unknown `interpolation` "
                             f"{interpolation!r}; expected one of {_INTERPOLATIONS}.")
        self.fill_mode = fill_mode
        self.interpolation = interpolation
        self.fill_value = fill_value

    def _warp(self, images: Any, transform: Any) -> Any:
        return ops.image.affine_transform(images, transform, interpolation=self.interpolation,
                                          fill_mode=self.fill_mode, fill_value=self.fill_value,
                                          data_format=self.data_format)

    def get_config(self) -> dict:
        return {**super().get_config(), "fill_mode": self.fill_mode,
                "interpolation": self.interpolation, "fill_value": self.fill_value}


def _stack_transform(entries: list) -> Any:
    return ops.stack(entries, axis=1)


class RandomRotation(_AffineLayer):
    """Rotates each image by a random angle, ``factor`` times a full turn.

    Args:
        factor: a float ``f`` (angles in ``[-f, f] * 2pi``) or a pair ``(lower, upper)``.
            Positive angles rotate counter-clockwise.
        fill_mode: how to fill the corners: ``"reflect"`` (default), ``"wrap"``,
            ``"constant"`` (with ``fill_value``) or ``"nearest"``.
        interpolation: ``"bilinear"`` (default) or ``"nearest"``.
    """

    def __init__(self, factor: Any, fill_mode: str = "reflect", interpolation: str = "bilinear",
                 seed: int | None = None, fill_value: float = 0.0,
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.factor = factor
        self._range = _factor_range(self, factor, (-1, 1))

    def augment(self, images: Any) -> Any:
        batch, height, width = self._batch_shape(images)
        angle = self._uniform((batch,), self._range[0] * 2 * math.pi,
                              self._range[1] * 2 * math.pi)
        cos, sin = ops.cos(angle), ops.sin(angle)
        h, w = float(height - 1), float(width - 1)
        # Output pixel -> input pixel: rotate about the image centre.
        x_offset = (w - (cos * w - sin * h)) / 2.0
        y_offset = (h - (sin * w + cos * h)) / 2.0
        zeros = ops.zeros_like(angle)
        transform = _stack_transform([cos, -sin, x_offset, sin, cos, y_offset, zeros, zeros])
        return self._warp(images, transform)

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self._range}


class RandomZoom(_AffineLayer):
    """Zooms each image by a random amount: positive factors zoom out, negative zoom in.

    Args:
        height_factor: a float ``f`` (``[-f, f]``) or a pair; the vertical zoom is
            ``1 + factor``.
        width_factor: the same for the width; ``None`` zooms both axes alike.
    """

    def __init__(self, height_factor: Any, width_factor: Any = None,
                 fill_mode: str = "reflect", interpolation: str = "bilinear",
                 seed: int | None = None, fill_value: float = 0.0,
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self._h_range = _factor_range(self, height_factor, (-1, float("inf")), "height_factor")
        self._w_range = None if width_factor is None else \
            _factor_range(self, width_factor, (-1, float("inf")), "width_factor")

    def augment(self, images: Any) -> Any:
        batch, height, width = self._batch_shape(images)
        zoom_y = 1.0 + self._uniform((batch,), *self._h_range)
        zoom_x = zoom_y if self._w_range is None else 1.0 + self._uniform((batch,), *self._w_range)
        x_offset = (float(width - 1) / 2.0) * (1.0 - zoom_x)
        y_offset = (float(height - 1) / 2.0) * (1.0 - zoom_y)
        zeros = ops.zeros_like(zoom_x)
        transform = _stack_transform([zoom_x, zeros, x_offset, zeros, zoom_y, y_offset,
                                      zeros, zeros])
        return self._warp(images, transform)

    def get_config(self) -> dict:
        return {**super().get_config(), "height_factor": self.height_factor,
                "width_factor": self.width_factor}


class RandomTranslation(_AffineLayer):
    """Shifts each image by a random fraction of its height and width.

    Args:
        height_factor: a float ``f`` (shifts in ``[-f, f] * height``) or a pair; positive
            values shift down.
        width_factor: the same for the width; positive values shift right.
    """

    def __init__(self, height_factor: Any, width_factor: Any, fill_mode: str = "reflect",
                 interpolation: str = "bilinear", seed: int | None = None,
                 fill_value: float = 0.0, data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self._h_range = _factor_range(self, height_factor, (-1, 1), "height_factor")
        self._w_range = _factor_range(self, width_factor, (-1, 1), "width_factor")

    def augment(self, images: Any) -> Any:
        batch, height, width = self._batch_shape(images)
        dy = self._uniform((batch,), *self._h_range) * float(height)
        dx = self._uniform((batch,), *self._w_range) * float(width)
        ones, zeros = ops.ones_like(dx), ops.zeros_like(dx)
        transform = _stack_transform([ones, zeros, -dx, zeros, ones, -dy, zeros, zeros])
        return self._warp(images, transform)

    def get_config(self) -> dict:
        return {**super().get_config(), "height_factor": self.height_factor,
                "width_factor": self.width_factor}


class RandomCrop(_RandomImageLayer):
    """Crops a random ``height x width`` window in training; the centre crop at inference.

    Images not larger than the target in both dimensions are centre-cropped to the target
    aspect ratio and resized instead.
    """

    def __init__(self, height: int, width: int, seed: int | None = None,
                 data_format: str | None = None, name: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(seed=seed, data_format=data_format, name=name, **kwargs)
        self.height, self.width = int(height), int(width)

    def call(self, inputs: Any, training: bool = True) -> Any:
        inputs = ops.cast(inputs, self.compute_dtype)
        _, in_h, in_w = self._batch_shape(inputs)
        if not (training and in_h > self.height and in_w > self.width):
            return self._fit_to_size(inputs, in_h, in_w)
        top = int(ops.convert_to_numpy(self._uniform((), 0.0, float(in_h - self.height + 1))))
        left = int(ops.convert_to_numpy(self._uniform((), 0.0, float(in_w - self.width + 1))))
        h_axis, w_axis = image_axes(self.data_format)
        index = [slice(None)] * len(ops.shape(inputs))
        index[h_axis] = slice(top, top + self.height)
        index[w_axis] = slice(left, left + self.width)
        return inputs[tuple(index)]

    def _fit_to_size(self, images: Any, in_h: int, in_w: int) -> Any:
        if in_h == self.height and in_w == self.width:
            return images
        if in_h >= self.height and in_w >= self.width:
            return center_crop_or_resize(images, self.height, self.width, self.data_format)
        out = ops.image.resize(images, (self.height, self.width), crop_to_aspect_ratio=True,
                               data_format=self.data_format)
        return ops.cast(out, self.compute_dtype)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        _check_rank(self, input_shape)
        return _with_size(input_shape, self.data_format, self.height, self.width)

    def get_config(self) -> dict:
        return {**super().get_config(), "height": self.height, "width": self.width}


class _ValueRangeLayer(_RandomImageLayer):
    def __init__(self, value_range: Any, seed: int | None, **kwargs: Any) -> None:
        super().__init__(seed=seed, **kwargs)
        if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
            raise ValueError(f"{type(self).__name__} '{self.name}': `value_range` must be a "
                             f"pair of numbers. Received: value_range={value_range}")
        self.value_range = tuple(sorted(value_range))

    def get_config(self) -> dict:
        return {**super().get_config(), "value_range": self.value_range}


class RandomContrast(_ValueRangeLayer):
    """Scales each image's contrast: ``(x - mean) * c + mean``, clipped to ``value_range``.

    ``c`` is drawn per image in ``[1 - lower, 1 + upper]``; the mean is per image and
    channel. A number ``f`` gives ``(lower, upper) = (0, f)``, as in Keras 3.
    """

    def __init__(self, factor: Any, value_range: Any = (0, 255), seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(value_range, seed, **kwargs)
        self.factor = _factor_range(self, factor, (0, 1))

    def augment(self, images: Any) -> Any:
        batch, _, _ = self._batch_shape(images)
        rank = len(ops.shape(images))
        factor = _per_image(self._uniform((batch,), 1.0 - self.factor[0],
                                          1.0 + self.factor[1]), rank)
        h_axis, w_axis = image_axes(self.data_format)
        mean = ops.mean(images, axis=(h_axis, w_axis), keepdims=True)
        out = (images - mean) * factor + mean
        return ops.clip(out, self.value_range[0], self.value_range[1])

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor}


class RandomBrightness(_ValueRangeLayer):
    """Adds a random brightness offset to each image, clipped to ``value_range``.

    The offset is ``u * (value_range[1] - value_range[0])`` with ``u`` drawn per image in
    ``[lower, upper]``; a number ``f`` gives ``[-f, f]``.
    """

    def __init__(self, factor: Any, value_range: Any = (0, 255), seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(value_range, seed, **kwargs)
        self.factor = _factor_range(self, factor, (-1, 1))

    def augment(self, images: Any) -> Any:
        batch, _, _ = self._batch_shape(images)
        rank = len(ops.shape(images))
        delta = self._uniform((batch,), *self.factor)
        delta = _per_image(delta * (self.value_range[1] - self.value_range[0]), rank)
        return ops.clip(images + delta, self.value_range[0], self.value_range[1])

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor}
