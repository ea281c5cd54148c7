"""Reshaping layers: ``Flatten``, ``Reshape``, ``Permute``, ``RepeatVector``, and the
spatial ``ZeroPadding``, ``Cropping`` and ``UpSampling`` layers (1-D to 3-D)."""

from __future__ import annotations

import math
from typing import Any

from cornu import config, ops
from cornu.layers.conv import describe, normalize_tuple
from cornu.layers.input_spec import InputSpec
from cornu.layers.layer import Layer


class Flatten(Layer):
    """Flattens all axes but the batch axis: ``(N, 4, 5) -> (N, 20)``.

    With ``data_format="channels_first"`` the channel axis is moved last first, so the
    order of features matches a channels_last model.
    """

    def __init__(self, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data_format = config.standardize_data_format(data_format)
        self.built = True

    def call(self, inputs: Any) -> Any:
        ndim = len(ops.shape(inputs))
        if self.data_format == "channels_first" and ndim > 2:
            inputs = ops.moveaxis(inputs, 1, -1)
        return ops.reshape(inputs, (ops.shape(inputs)[0], -1))

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        rest = input_shape[1:]
        size = None if any(d is None for d in rest) else int(math.prod(rest))
        return (input_shape[0], size)

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format}


class Reshape(Layer):
    """Reshapes the non-batch axes to ``target_shape`` (one entry may be -1)."""

    def __init__(self, target_shape: tuple, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        target_shape = tuple(target_shape)
        if sum(1 for d in target_shape if d == -1) > 1 or any(
                not isinstance(d, int) or (d < 0 and d != -1) for d in target_shape):
            raise ValueError(f"Reshape '{self.name}': `target_shape` must hold positive "
                             f"integers and at most one -1. Received: {target_shape}")
        self.target_shape = target_shape
        self.built = True

    def _resolved(self, input_shape: tuple) -> tuple:
        known = input_shape[1:]
        if any(d is None for d in known):
            return tuple(None if d == -1 else d for d in self.target_shape)
        total = math.prod(known)
        fixed = math.prod(d for d in self.target_shape if d != -1)
        if -1 in self.target_shape:
            if fixed == 0 or total % fixed:
                raise ValueError(f"Reshape '{self.name}': cannot reshape input of shape "
                                 f"{tuple(input_shape)} to target_shape {self.target_shape}.")
            return tuple(total // fixed if d == -1 else d for d in self.target_shape)
        if fixed != total:
            raise ValueError(f"Reshape '{self.name}': total size of the new array must be "
                             f"unchanged: input_shape={tuple(input_shape)}, "
                             f"target_shape={self.target_shape}")
        return self.target_shape

    def call(self, inputs: Any) -> Any:
        shape = ops.shape(inputs)
        return ops.reshape(inputs, (shape[0],) + self._resolved(shape))

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return (input_shape[0],) + self._resolved(tuple(input_shape))

    def get_config(self) -> dict:
        return {**super().get_config(), "target_shape": self.target_shape}


def _pairs(value: Any, rank: int, name: str, owner: str) -> tuple:
    """``value`` as ``rank`` (before, after) pairs of non-negative ints.

    Accepts an int (the same on every side), ``rank`` ints (symmetric per axis) or ``rank``
    pairs, as Keras's padding and cropping layers do.
    """
    if isinstance(value, (tuple, list)) and len(value) == rank and any(
            isinstance(v, (tuple, list)) for v in value):
        return tuple(normalize_tuple(v, 2, f"{name}[{i}]", owner, allow_zero=True)
                     for i, v in enumerate(value))
    try:
        sizes = normalize_tuple(value, rank, name, owner, allow_zero=True)
    except ValueError:
        raise ValueError(
            f"{owner}: `{name}` must be an int, a tuple of {rank} ints (symmetric per axis) or "
            f"a tuple of {rank} tuples of 2 ints (before, after). Received: {name}={value!r}"
        ) from None
    return tuple((v, v) for v in sizes)


def _spatial_axes(rank: int, data_format: str) -> list:
    return list(range(1, rank + 1)) if data_format == "channels_last" else \
        list(range(2, rank + 2))


class _Spatial(Layer):
    """A layer that acts on the ``rank`` spatial axes of ``data_format`` inputs."""

    rank = 1

    def __init__(self, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data_format = config.standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)
        self.built = True

    def _axes(self) -> list:
        return _spatial_axes(self.rank, self.data_format)

    def _check_rank(self, shape: tuple) -> None:
        if len(shape) != self.rank + 2:
            raise ValueError(f"{describe(self)} expects inputs of rank {self.rank + 2}. "
                             f"Received input shape {tuple(shape)}.")


class _ZeroPadding(_Spatial):
    def __init__(self, padding: Any, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(data_format, **kwargs)
        self.padding = _pairs(padding, self.rank, "padding", describe(self))

    def call(self, inputs: Any) -> Any:
        self._check_rank(ops.shape(inputs))
        pads = [[0, 0] for _ in range(self.rank + 2)]
        for axis, pair in zip(self._axes(), self.padding):
            pads[axis] = list(pair)
        return ops.pad(inputs, pads)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        self._check_rank(input_shape)
        out = list(input_shape)
        for axis, (lo, hi) in zip(self._axes(), self.padding):
            out[axis] = None if out[axis] is None else out[axis] + lo + hi
        return tuple(out)

    def get_config(self) -> dict:
        return {**super().get_config(), "padding": self.padding, "data_format": self.data_format}


class ZeroPadding1D(_ZeroPadding):
    """Pads the steps axis with zeros: ``padding`` is an int or ``(before, after)``.

    Example:
        >>> ZeroPadding1D(2)(np.ones((1, 3, 4))).shape
        (1, 7, 4)
    """

    rank = 1

    def __init__(self, padding: Any = 1, data_format: str | None = None,
                 **kwargs: Any) -> None:
        if isinstance(padding, (tuple, list)) and len(padding) == 2 and \
                not any(isinstance(p, (tuple, list)) for p in padding):
            padding = (tuple(padding),)
        super().__init__(padding, data_format, **kwargs)

    def get_config(self) -> dict:
        return {**super().get_config(), "padding": self.padding[0]}


class ZeroPadding2D(_ZeroPadding):
    """Pads rows and columns with zeros.

    ``padding``: an int, ``(rows, cols)`` or ``((top, bottom), (left, right))``.
    """

    rank = 2

    def __init__(self, padding: Any = (1, 1), data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(padding, data_format, **kwargs)


class ZeroPadding3D(_ZeroPadding):
    """Pads the three spatial axes of volumes with zeros."""

    rank = 3

    def __init__(self, padding: Any = ((1, 1), (1, 1), (1, 1)), data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(padding, data_format, **kwargs)


class _Cropping(_Spatial):
    def __init__(self, cropping: Any, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(data_format, **kwargs)
        self.cropping = _pairs(cropping, self.rank, "cropping", describe(self))

    def call(self, inputs: Any) -> Any:
        shape = ops.shape(inputs)
        start = [0] * len(shape)
        for axis, (lo, _) in zip(self._axes(), self.cropping):
            start[axis] = lo
        return ops.slice(inputs, start, self.compute_output_shape(shape))

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        self._check_rank(input_shape)
        out = list(input_shape)
        for axis, (lo, hi) in zip(self._axes(), self.cropping):
            if out[axis] is None:
                continue
            if lo + hi >= out[axis]:
                raise ValueError(
                    f"{describe(self)}: the cropping {self.cropping} must leave at least one "
                    f"position on each spatial axis. Received input shape {tuple(input_shape)}.")
            out[axis] -= lo + hi
        return tuple(out)

    def get_config(self) -> dict:
        return {**super().get_config(), "cropping": self.cropping,
                "data_format": self.data_format}


class Cropping1D(_Cropping):
    """Crops the steps axis: ``cropping`` is an int or ``(start, end)``.

    Example:
        >>> Cropping1D((1, 2))(np.ones((1, 6, 4))).shape
        (1, 3, 4)
    """

    rank = 1

    def __init__(self, cropping: Any = (1, 1), **kwargs: Any) -> None:
        if isinstance(cropping, (tuple, list)) and len(cropping) == 2:
            cropping = (tuple(cropping),)
        super().__init__(cropping, "channels_last", **kwargs)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["data_format"]
        return {**config, "cropping": self.cropping[0]}


class Cropping2D(_Cropping):
    """Crops rows and columns: an int, ``(rows, cols)`` or ``((top, bottom), (left, right))``."""

    rank = 2

    def __init__(self, cropping: Any = ((0, 0), (0, 0)), data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(cropping, data_format, **kwargs)


class Cropping3D(_Cropping):
    """Crops the three spatial axes of volumes."""

    rank = 3

    def __init__(self, cropping: Any = ((1, 1), (1, 1), (1, 1)), data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(cropping, data_format, **kwargs)


class _UpSampling(_Spatial):
    def __init__(self, size: Any, data_format: str | None = None,
                 interpolation: str = "nearest", **kwargs: Any) -> None:
        super().__init__(data_format, **kwargs)
        self.size = normalize_tuple(size, self.rank, "size", describe(self))
        allowed = ("nearest", "bilinear", "bicubic") if self.rank == 2 else ("nearest",)
        if interpolation not in allowed:
            raise ValueError(f"{describe(self)}: `interpolation` must be one of {allowed}. "
                             f"Received: interpolation={interpolation!r}")
        self.interpolation = interpolation

    def call(self, inputs: Any) -> Any:
        self._check_rank(ops.shape(inputs))
        if self.interpolation != "nearest":
            shape = ops.shape(inputs)
            rows, cols = self._axes()
            size = (shape[rows] * self.size[0], shape[cols] * self.size[1])
            return ops.image.resize(inputs, size, interpolation=self.interpolation,
                                    data_format=self.data_format)
        for axis, factor in zip(self._axes(), self.size):
            if factor != 1:
                inputs = ops.repeat(inputs, factor, axis=axis)
        return inputs

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        self._check_rank(input_shape)
        out = list(input_shape)
        for axis, factor in zip(self._axes(), self.size):
            out[axis] = None if out[axis] is None else out[axis] * factor
        return tuple(out)


class UpSampling1D(_UpSampling):
    """Repeats each step ``size`` times.

    Example:
        >>> UpSampling1D(3)(np.ones((1, 2, 4))).shape
        (1, 6, 4)
    """

    rank = 1

    def __init__(self, size: int = 2, **kwargs: Any) -> None:
        super().__init__(size, "channels_last", **kwargs)

    def get_config(self) -> dict:
        return {**super().get_config(), "size": self.size[0]}


class UpSampling2D(_UpSampling):
    """Enlarges images by ``size`` (rows, cols) with ``"nearest"``, ``"bilinear"`` or
    ``"bicubic"`` interpolation (half-pixel centers, as Keras).

    Example:
        >>> UpSampling2D((2, 3), interpolation="bilinear")(np.ones((1, 4, 4, 3))).shape
        (1, 8, 12, 3)
    """

    rank = 2

    def __init__(self, size: Any = (2, 2), data_format: str | None = None,
                 interpolation: str = "nearest", **kwargs: Any) -> None:
        super().__init__(size, data_format, interpolation, **kwargs)

    def get_config(self) -> dict:
        return {**super().get_config(), "size": self.size, "data_format": self.data_format,
                "interpolation": self.interpolation}


class UpSampling3D(_UpSampling):
    """Repeats each position of volumes ``size`` times along the three spatial axes."""

    rank = 3

    def __init__(self, size: Any = (2, 2, 2), data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(size, data_format, **kwargs)

    def get_config(self) -> dict:
        return {**super().get_config(), "size": self.size, "data_format": self.data_format}


class Permute(Layer):
    """Permutes the non-batch axes: ``dims`` is a permutation of ``1..rank - 1``.

    Example:
        >>> Permute((2, 1))(np.ones((1, 3, 4))).shape
        (1, 4, 3)
    """

    def __init__(self, dims: tuple, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(f"{describe(self)}: `dims` must be a permutation of the non-batch "
                             f"axes 1..{len(self.dims)}. Received: dims={dims!r}")
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)
        self.built = True

    def call(self, inputs: Any) -> Any:
        return ops.transpose(inputs, (0,) + self.dims)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        if len(input_shape) != len(self.dims) + 1:
            raise ValueError(f"{describe(self)} with dims={self.dims} expects inputs of rank "
                             f"{len(self.dims) + 1}. Received input shape {tuple(input_shape)}.")
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def get_config(self) -> dict:
        return {**super().get_config(), "dims": self.dims}


class RepeatVector(Layer):
    """Repeats a ``(batch, features)`` input ``n`` times: ``(batch, n, features)``.

    Example:
        >>> RepeatVector(3)(np.ones((2, 4))).shape
        (2, 3, 4)
    """

    def __init__(self, n: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ValueError(f"{describe(self)}: `n` must be a non-negative integer. "
                             f"Received: n={n!r}")
        self.n = n
        self.input_spec = InputSpec(ndim=2)
        self.built = True

    def call(self, inputs: Any) -> Any:
        shape = ops.shape(inputs)
        return ops.broadcast_to(ops.expand_dims(inputs, 1), (shape[0], self.n, shape[1]))

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        if len(input_shape) != 2:
            raise ValueError(f"{describe(self)} expects inputs of rank 2 (batch, features). "
                             f"Received input shape {tuple(input_shape)}.")
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self) -> dict:
        return {**super().get_config(), "n": self.n}
