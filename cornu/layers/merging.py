"""Merge layers: ``Add``, ``Subtract``, ``Multiply``, ``Average``, ``Maximum``, ``Minimum``,
``Concatenate``, ``Dot``, and their functional forms (``add([a, b])``, ...).

Elementwise merges broadcast as Keras does: inputs of lower rank get size-1 axes inserted
after the batch axis, then sizes must match or be 1.
"""

from __future__ import annotations

from typing import Any

from cornu import ops
from cornu.layers.conv import describe
from cornu.layers.layer import Layer


def _is_shape_list(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and len(value) > 0 and all(
        isinstance(s, (list, tuple)) for s in value)


class Merge(Layer):
    """Base class of the elementwise merge layers; subclasses define ``_merge``."""

    min_inputs = 1
    max_inputs: int | None = None

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True

    def _check_shapes(self, shapes: Any) -> tuple:
        """Checks a list of input shapes and returns the broadcast output shape."""
        if not _is_shape_list(shapes):
            raise ValueError(f"{describe(self)} should be called on a list of inputs. "
                             f"Received: input_shape={shapes}")
        count = len(shapes)
        if count < self.min_inputs or (self.max_inputs is not None and count > self.max_inputs):
            expected = f"exactly {self.max_inputs}" if self.max_inputs == self.min_inputs \
                else f"at least {self.min_inputs}"
            raise ValueError(f"{describe(self)} should be called on {expected} inputs. "
                             f"Received {count} inputs with shapes {list(map(tuple, shapes))}")
        batch = {s[0] for s in shapes if len(s)} - {None}
        if len(batch) > 1:
            raise ValueError(f"{describe(self)}: cannot merge tensors with different batch "
                             f"sizes. Received shapes {list(map(tuple, shapes))}")
        rank = max(len(s) for s in shapes)
        out = [None] * rank
        padded = [tuple(s[:1]) + (1,) * (rank - len(s)) + tuple(s[1:]) for s in shapes]
        for axis in range(1, rank):
            sizes = {s[axis] for s in padded} - {1}
            known = sizes - {None}
            if len(known) > 1:
                raise ValueError(f"{describe(self)}: inputs have incompatible shapes. Received "
                                 f"shapes {list(map(tuple, shapes))}")
            out[axis] = None if None in sizes else (known.pop() if known else 1)
        out[0] = batch.pop() if batch else None
        return tuple(out)

    def build(self, input_shape: Any) -> None:
        self._check_shapes(input_shape)
        self.built = True

    def call(self, inputs: Any, mask: Any = None) -> Any:
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f"{describe(self)} should be called on a list of inputs. "
                             f"Received: inputs of shape {tuple(ops.shape(inputs))}")
        shapes = [ops.shape(x) for x in inputs]
        rank = max(len(s) for s in shapes)
        if any(len(s) != rank for s in shapes):
            inputs = [x if len(s) == rank else
                      ops.reshape(x, tuple(s[:1]) + (1,) * (rank - len(s)) + tuple(s[1:]))
                      for x, s in zip(inputs, shapes)]
        masks = list(mask) if isinstance(mask, (list, tuple)) else [None] * len(inputs)
        try:
            if self._uses_masks and any(m is not None for m in masks):
                return self._merge_masked(list(inputs), masks)
            return self._merge(list(inputs))
        except RuntimeError:
            self._check_shapes(shapes)  # explains incompatible shapes
            raise

    _uses_masks = False

    def _merge(self, inputs: list) -> Any:
        raise NotImplementedError

    def _merge_masked(self, inputs: list, masks: list) -> Any:
        """Maximum and Minimum, as Keras: a masked value never wins over an unmasked one."""
        output, output_mask = None, None
        for x, m in zip(inputs, masks):
            m = None if m is None else ops.broadcast_to(ops.expand_dims(m, -1), ops.shape(x))
            if output is None:
                output, output_mask = x, m
                continue
            if m is not None:
                x = ops.where(m, x, output)
            if output_mask is not None:
                output = ops.where(output_mask, output, x)
            output_mask = ops.logical_or(output_mask, m) \
                if m is not None and output_mask is not None else None
            output = self._merge([output, x])
        return output

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return self._check_shapes(input_shape)

    def compute_mask(self, inputs: Any, previous_mask: Any = None) -> Any:
        if previous_mask is None:
            return None
        masks = list(previous_mask) if isinstance(previous_mask, (list, tuple)) \
            else [previous_mask]
        if any(m is None for m in masks):
            return None
        out = masks[0]
        for m in masks[1:]:
            out = ops.logical_or(out, m)
        return out


class Add(Merge):
    """Sums a list of inputs: ``Add()([a, b])``.

    Example:
        >>> Add()([np.ones((2, 3)), np.ones((2, 3))])  # all 2.0
    """

    def _merge(self, inputs: list) -> Any:
        out = inputs[0]
        for x in inputs[1:]:
            out = ops.add(out, x)
        return out


class Subtract(Merge):
    """``a - b`` for exactly two inputs ``[a, b]``."""

    min_inputs = max_inputs = 2

    def _merge(self, inputs: list) -> Any:
        return ops.subtract(inputs[0], inputs[1])


class Multiply(Merge):
    """Elementwise product of a list of inputs; masked values count as 1 (Keras's rule)."""

    _uses_masks = True

    def _merge(self, inputs: list) -> Any:
        out = inputs[0]
        for x in inputs[1:]:
            out = ops.multiply(out, x)
        return out

    def _merge_masked(self, inputs: list, masks: list) -> Any:
        keep = [None if m is None else ops.broadcast_to(ops.expand_dims(m, -1), ops.shape(x))
                for x, m in zip(inputs, masks)]
        out = self._merge([x if k is None else ops.where(k, x, ops.ones_like(x))
                           for x, k in zip(inputs, keep)])
        if all(k is not None for k in keep):
            union = keep[0]
            for k in keep[1:]:
                union = ops.logical_or(union, k)
            out = ops.where(union, out, ops.zeros_like(out))
        return out


class Average(Merge):
    """Elementwise mean of a list of inputs."""

    def _merge(self, inputs: list) -> Any:
        out = inputs[0]
        for x in inputs[1:]:
            out = ops.add(out, x)
        return out / len(inputs)


class Maximum(Merge):
    """Elementwise maximum of a list of inputs (masked values never win)."""

    _uses_masks = True

    def _merge(self, inputs: list) -> Any:
        out = inputs[0]
        for x in inputs[1:]:
            out = ops.maximum(out, x)
        return out


class Minimum(Merge):
    """Elementwise minimum of a list of inputs (masked values never win)."""

    _uses_masks = True

    def _merge(self, inputs: list) -> Any:
        out = inputs[0]
        for x in inputs[1:]:
            out = ops.minimum(out, x)
        return out


class Concatenate(Merge):
    """Concatenates a list of inputs along ``axis``; other sizes must match.

    Example:
        >>> Concatenate()([np.ones((2, 3)), np.ones((2, 4))]).shape
        (2, 7)
    """

    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = axis

    def _check_shapes(self, shapes: Any) -> tuple:
        if not _is_shape_list(shapes):
            raise ValueError(f"{describe(self)} should be called on a list of inputs. "
                             f"Received: input_shape={shapes}")
        ranks = {len(s) for s in shapes}
        rank = ranks.pop()
        if ranks or not -rank <= self.axis < rank:
            raise ValueError(f"{describe(self)}: all inputs must have the same rank and axis "
                             f"{self.axis} must exist. Received shapes "
                             f"{list(map(tuple, shapes))}")
        axis = self.axis % rank
        out = list(shapes[0])
        for shape in shapes[1:]:
            for i, (a, b) in enumerate(zip(out, shape)):
                if i == axis:
                    out[i] = None if a is None or b is None else a + b
                elif a is None or b is None:
                    out[i] = a if b is None else b
                elif a != b:
                    raise ValueError(
                        f"{describe(self)} requires inputs with matching shapes except for the "
                        f"concatenation axis {self.axis}. Received shapes "
                        f"{list(map(tuple, shapes))}")
        return tuple(out)

    def call(self, inputs: Any) -> Any:
        try:
            return ops.concatenate(list(inputs), axis=self.axis)
        except RuntimeError:
            self._check_shapes([ops.shape(x) for x in inputs])
            raise

    def compute_mask(self, inputs: Any, previous_mask: Any = None) -> Any:
        if previous_mask is None or not isinstance(previous_mask, (list, tuple)) or all(
                m is None for m in previous_mask):
            return None
        masks = []
        for x, m in zip(inputs, previous_mask):
            shape = ops.shape(x)
            if m is None:
                m = ops.ones(shape, dtype="bool")
            elif len(ops.shape(m)) < len(shape):
                m = ops.broadcast_to(ops.expand_dims(m, -1), shape)
            masks.append(m)
        return ops.any(ops.concatenate(masks, axis=self.axis), axis=-1)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}


def _batch_dot(x: Any, y: Any, axes: tuple) -> Any:
    """Per-sample contraction of axis ``axes[0]`` of ``x`` with axis ``axes[1]`` of ``y``."""
    shape_x, shape_y = ops.shape(x), ops.shape(y)
    rest_x = [d for i, d in enumerate(shape_x) if i not in (0, axes[0])]
    rest_y = [d for i, d in enumerate(shape_y) if i not in (0, axes[1])]
    x = ops.reshape(ops.moveaxis(x, axes[0], -1), (shape_x[0], -1, shape_x[axes[0]]))
    y = ops.reshape(ops.moveaxis(y, axes[1], 1), (shape_y[0], shape_y[axes[1]], -1))
    out = ops.matmul(x, y)
    shape = (shape_x[0],) + tuple(rest_x) + tuple(rest_y)
    return ops.reshape(out, shape if len(shape) > 1 else shape + (1,))


class Dot(Merge):
    """Per-sample dot product of two inputs along ``axes`` (an int or a pair of ints).

    With ``normalize=True`` both inputs are L2-normalized along those axes first, so the
    result is the cosine similarity.

    Example:
        >>> Dot(axes=1)([np.ones((2, 3)), np.ones((2, 3))]).shape
        (2, 1)
    """

    min_inputs = max_inputs = 2

    def __init__(self, axes: Any, normalize: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(axes, int):
            if not isinstance(axes, (list, tuple)):
                raise TypeError(f"{describe(self)}: `axes` must be an int or a list of two "
                                f"ints. Received: axes={axes!r}")
            if len(axes) != 2 or not all(isinstance(a, int) for a in axes):
                raise ValueError(f"{describe(self)}: `axes` must hold exactly two integers. "
                                 f"Received: axes={axes!r}")
        self.axes = axes
        self.normalize = bool(normalize)

    def _resolved_axes(self, shapes: Any) -> tuple:
        axes = (self.axes, self.axes) if isinstance(self.axes, int) else tuple(self.axes)
        return tuple(a % len(s) if a < 0 else a for a, s in zip(axes, shapes))

    def _check_shapes(self, shapes: Any) -> tuple:
        if not _is_shape_list(shapes) or len(shapes) != 2:
            raise ValueError(f"{describe(self)} should be called on a list of 2 inputs. "
                             f"Received: input_shape={shapes}")
        a, b = self._resolved_axes(shapes)
        s1, s2 = list(shapes[0]), list(shapes[1])
        if not (0 < a < len(s1) and 0 < b < len(s2)):
            raise ValueError(f"{describe(self)}: axes {self.axes} are out of range for input "
                             f"shapes {tuple(s1)} and {tuple(s2)}.")
        if s1[a] is not None and s2[b] is not None and s1[a] != s2[b]:
            raise ValueError(f"{describe(self)}: incompatible input shapes: axis {a} of the "
                             f"first input has size {s1[a]}, axis {b} of the second has size "
                             f"{s2[b]}. Full input shapes: {tuple(s1)}, {tuple(s2)}")
        s1.pop(a)
        s2.pop(b)
        out = s1 + s2[1:]
        return tuple(out if len(out) > 1 else out + [1])

    def call(self, inputs: Any) -> Any:
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
            raise ValueError(f"{describe(self)} should be called on a list of exactly 2 "
                             "inputs.")
        shapes = [ops.shape(x) for x in inputs]
        self._check_shapes(shapes)
        axes = self._resolved_axes(shapes)
        x, y = inputs
        if self.normalize:
            x = ops.l2_normalize(x, axis=axes[0])
            y = ops.l2_normalize(y, axis=axes[1])
        return _batch_dot(x, y, axes)

    def compute_mask(self, inputs: Any, previous_mask: Any = None) -> Any:
        return None

    def get_config(self) -> dict:
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}


def add(inputs: list, **kwargs: Any) -> Any:
    """Functional form of :class:`Add`: ``add([a, b])``."""
    return Add(**kwargs)(inputs)


def subtract(inputs: list, **kwargs: Any) -> Any:
    """Functional form of :class:`Subtract`: ``subtract([a, b])``."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs: list, **kwargs: Any) -> Any:
    """Functional form of :class:`Multiply`."""
    return Multiply(**kwargs)(inputs)


def average(inputs: list, **kwargs: Any) -> Any:
    """Functional form of :class:`Average`."""
    return Average(**kwargs)(inputs)


def maximum(inputs: list, **kwargs: Any) -> Any:
    """Functional form of :class:`Maximum`."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs: list, **kwargs: Any) -> Any:
    """Functional form of :class:`Minimum`."""
    return Minimum(**kwargs)(inputs)


def concatenate(inputs: list, axis: int = -1, **kwargs: Any) -> Any:
    """Functional form of :class:`Concatenate`: ``concatenate([a, b], axis=-1)``."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs: list, axes: Any = -1, **kwargs: Any) -> Any:
    """Functional form of :class:`Dot`: ``dot([a, b], axes=1)``."""
    return Dot(axes=axes, **kwargs)(inputs)
