"""``EinsumDense``: a dense layer whose contraction is any einsum equation."""

from __future__ import annotations

import math
import re
from typing import Any, NamedTuple

from cornu import activations, constraints, initializers, ops, regularizers
from cornu.layers.core import _maybe_serialize
from cornu.layers.input_spec import InputSpec
from cornu.layers.layer import Layer

_FORMS = (
    # (pattern, ellipsis position); "..." is replaced by "0" before matching.
    (re.compile(r"([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)$"), None),
    (re.compile(r"0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)$"), "left"),
    (re.compile(r"([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0$"), "right"),
)


class MatmulPlan(NamedTuple):
    """An equation that is a plain matmul: trailing input axes contract with leading kernel
    axes, and the output is the free input axes followed by the remaining kernel axes."""

    contracted: int  # how many trailing input axes the kernel contracts
    size_in: int  # their product
    out_dims: tuple  # the kernel's output axes
    flat_bias: bool  # the bias has exactly the shape out_dims


def matmul_plan(equation: str, shapes: EinsumShapes) -> MatmulPlan | None:
    """How to run ``equation`` as one ``ops.dense`` (addmm), or None if it is not a matmul.

    ``"abc,cde->abde"`` and ``"abcd,cde->abe"`` (MultiHeadAttention's projections) qualify;
    they then skip einsum's permutes and batched matmul, and fuse the bias.
    """
    in_spec, w_spec, out_spec, side = parse_einsum(equation)
    if side == "right":
        return None
    n = next((i for i in range(len(w_spec), 0, -1) if in_spec.endswith(w_spec[:i])), 0)
    free, out = in_spec[:len(in_spec) - n], w_spec[n:]
    if n == 0 or not out or out_spec != free + out or len(set(in_spec + w_spec)) != len(
            free) + len(w_spec):
        return None
    out_dims = shapes.kernel[n:]
    return MatmulPlan(n, math.prod(shapes.kernel[:n]), out_dims, shapes.bias == out_dims)


class EinsumShapes(NamedTuple):
    """What an equation, an input shape and a partial output shape imply."""

    kernel: tuple
    bias: tuple | None
    output: tuple
    input_axes: tuple  # kernel axes contracted with the input (fan-in)
    output_axes: tuple  # kernel axes that reach the output (fan-out)


def parse_einsum(equation: str, bias_axes: str | None = None,
                 layer: str = "EinsumDense") -> tuple[str, str, str, str | None]:
    """Splits ``equation`` into (input, kernel, output) letters and the ellipsis side.

    Checks that every output letter comes from the input or the kernel, every kernel letter
    from the input or the output, and every bias letter from the output.
    """
    if isinstance(equation, str):
        for pattern, side in _FORMS:
            match = pattern.match(equation.replace("...", "0"))
            if match:
                break
        else:
            match = None
    if not isinstance(equation, str) or match is None:
        raise ValueError(
            f"{layer}: invalid einsum equation {equation!r}. Equations must have the form "
            "'ab,bc->ac', '...ab,bc->...ac' or 'ab...,bc->ac...' (letters only, one ellipsis "
            "at the start or end of the input and output).")
    in_spec, w_spec, out_spec = match.groups()
    for c in out_spec:
        if c not in in_spec and c not in w_spec:
            raise ValueError(f"{layer}: output dimension {c!r} of {equation!r} appears in "
                             "neither the input nor the kernel.")
    for c in w_spec:
        if c not in in_spec and c not in out_spec:
            raise ValueError(f"{layer}: kernel dimension {c!r} of {equation!r} appears in "
                             "neither the input nor the output; the kernel must be fully "
                             "specified.")
    for c in bias_axes or "":
        if c not in out_spec:
            raise ValueError(f"{layer}: bias dimension {c!r} is not part of the output spec "
                             f"{out_spec!r} of {equation!r}. Received: bias_axes={bias_axes!r}")
    return in_spec, w_spec, out_spec, side


def analyze_einsum(equation: str, bias_axes: str | None, input_shape: tuple,
                   output_shape: tuple, layer: str = "EinsumDense") -> EinsumShapes:
    """Kernel, bias and full output shapes of ``EinsumDense(equation, output_shape)``.

    ``output_shape`` leaves out the batch axis and the axes an ellipsis stands for; its
    ``None`` entries are taken from the input where the output shares the input's axis.
    """
    in_spec, w_spec, out_spec, side = parse_einsum(equation, bias_axes, layer)
    input_shape = tuple(input_shape)
    elided = len(input_shape) - len(in_spec)
    if elided < 0 or (side is None and elided):
        expected = len(in_spec) if side is None else f">= {len(in_spec)}"
        raise ValueError(f"{layer}: equation {equation!r} expects inputs of rank {expected}. "
                         f"Received: input_shape={input_shape}")
    partial = list(output_shape)
    # With a leading ellipsis the batch axis is inside it; otherwise it is the first letter.
    expected = len(out_spec) if side == "left" else len(out_spec) - 1
    if len(partial) != expected:
        raise ValueError(
            f"{layer}: `output_shape` needs {expected} entries for {equation!r} (one per output "
            "axis, leaving out the batch axis and the ellipsis). Received: "
            f"output_shape={tuple(output_shape)}")
    if side == "left":
        out_full = list(input_shape[:elided]) + partial
        in_pos = {c: elided + i for i, c in enumerate(in_spec)}
        out_pos = {c: elided + i for i, c in enumerate(out_spec)}
    else:
        out_full = [input_shape[0]] + partial + list(input_shape[len(in_spec):])
        in_pos = {c: i for i, c in enumerate(in_spec)}
        out_pos = {c: i for i, c in enumerate(out_spec)}
    for c, i in out_pos.items():
        if c in in_pos:
            size = input_shape[in_pos[c]]
            if out_full[i] is None:
                out_full[i] = size
            elif size is not None and out_full[i] != size:
                raise ValueError(
                    f"{layer}: input shape and output shape do not match at shared dimension "
                    f"{c!r} of {equation!r}: the input has {size}, output_shape asks for "
                    f"{out_full[i]}. Received: input_shape={input_shape}")
    kernel, input_axes, output_axes = [], [], []
    for axis, c in enumerate(w_spec):
        if c in out_pos:
            size = out_full[out_pos[c]]
            output_axes.append(axis)
        else:
            size = input_shape[in_pos[c]]
            input_axes.append(axis)
        if size is None:
            raise ValueError(f"{layer}: the size of kernel dimension {c!r} of {equation!r} "
                             f"must be known. Received: input_shape={input_shape}, "
                             f"output_shape={tuple(output_shape)}")
        kernel.append(size)
    bias = None
    if bias_axes:
        first = min(out_spec.index(c) for c in bias_axes)
        bias = [out_full[out_pos[c]] if c in bias_axes else 1 for c in out_spec[first:]]
        if side == "right":
            bias += [1] * elided
        bias = tuple(bias)
    return EinsumShapes(tuple(kernel), bias, tuple(out_full), tuple(input_axes),
                        tuple(output_axes))


def _fan_aware(initializer: Any, shapes: EinsumShapes) -> Any:
    """Draws a fan-scaled kernel with fans from the contracted/output axes, as Keras does.

    A VarianceScaling initializer would otherwise read a 3-D kernel as a convolution.
    Drawing the ``(fan_in, fan_out)`` matrix and reshaping gives the same distribution.
    """
    if not isinstance(initializer, initializers.VarianceScaling):
        return initializer
    fan_in = math.prod(shapes.kernel[a] for a in shapes.input_axes)
    fan_out = math.prod(shapes.kernel[a] for a in shapes.output_axes)

    def draw(shape: tuple, dtype: Any = None) -> Any:
        return ops.reshape(initializer((fan_in, fan_out), dtype=dtype), shape)

    return draw


class EinsumDense(Layer):
    """A dense layer computing ``activation(einsum(equation, inputs, kernel) + bias)``.

    Args:
        equation: ``"ab,bc->ac"``, ``"...ab,bc->...ac"`` or ``"ab...,bc->ac..."`` style.
        output_shape: the output's shape without the batch axis and the ellipsis axes
            (an int for one axis); ``None`` entries are read from the input.
        activation: activation applied to the output.
        bias_axes: output letters that get a bias, e.g. ``"c"``; ``None`` for no bias.
        kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
        kernel_constraint, bias_constraint: as for ``Dense``.

    Example:
        >>> layer = EinsumDense("abc,cd->abd", output_shape=(None, 64), bias_axes="d")
        >>> layer(np.zeros((2, 32, 128))).shape
        (2, 32, 64)
    """

    def __init__(self, equation: str, output_shape: Any, activation: Any = None,
                 bias_axes: str | None = None, kernel_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", kernel_regularizer: Any = None,
                 bias_regularizer: Any = None, kernel_constraint: Any = None,
                 bias_constraint: Any = None, lora_rank: int | None = None,
                 lora_alpha: float | None = None, quantization_config: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if lora_rank:
            raise NotImplementedError("EinsumDense(lora_rank=...) is not supported yet.")
        if quantization_config is not None:
            raise NotImplementedError("EinsumDense(quantization_config=...) is not supported "
                                      "yet.")
        self.equation = equation
        self.partial_output_shape = (output_shape,) if isinstance(output_shape, int) \
            else tuple(output_shape)
        self.bias_axes = bias_axes
        self.activation = activations.get(activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.supports_masking = True
        parse_einsum(equation, bias_axes, self._where())  # a bad equation fails here

    def _where(self) -> str:
        return f"EinsumDense '{self.name}'"

    def build(self, input_shape: tuple) -> None:
        shapes = analyze_einsum(self.equation, self.bias_axes, tuple(input_shape),
                                self.partial_output_shape, self._where())
        self.kernel = self.add_weight(
            shape=shapes.kernel, initializer=_fan_aware(self.kernel_initializer, shapes),
            name="kernel", regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint)
        self.bias = self.add_weight(
            shape=shapes.bias, initializer=self.bias_initializer, name="bias",
            regularizer=self.bias_regularizer, constraint=self.bias_constraint,
        ) if shapes.bias is not None else None
        self.input_spec = InputSpec(ndim=len(input_shape))
        self._plan = matmul_plan(self.equation, shapes)
        self.built = True

    def call(self, inputs: Any) -> Any:
        plan = self._plan
        if plan is None:
            x = ops.einsum(self.equation, inputs, self.kernel)
            if self.bias is not None:
                x = x + self.bias
        else:
            shape = ops.shape(inputs)
            free = tuple(shape[:len(shape) - plan.contracted])
            if plan.contracted != 1:
                inputs = ops.reshape(inputs, free + (plan.size_in,))
            kernel = self.kernel if len(plan.out_dims) == 1 and plan.contracted == 1 else \
                ops.reshape(self.kernel, (plan.size_in, -1))
            bias = None
            if self.bias is not None and plan.flat_bias:
                bias = self.bias if len(plan.out_dims) == 1 else ops.reshape(self.bias, (-1,))
            x = ops.dense(inputs, kernel, bias)
            if len(plan.out_dims) != 1:
                x = ops.reshape(x, free + plan.out_dims)
            if self.bias is not None and not plan.flat_bias:
                x = x + self.bias
        return self.activation(x) if self.activation is not activations.linear else x

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return analyze_einsum(self.equation, self.bias_axes, tuple(input_shape),
                              self.partial_output_shape, self._where()).output

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "output_shape": self.partial_output_shape,
            "equation": self.equation,
            "activation": activations.serialize(self.activation),
            "bias_axes": self.bias_axes,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": _maybe_serialize(self.kernel_regularizer),
            "bias_regularizer": _maybe_serialize(self.bias_regularizer),
            "activity_regularizer": _maybe_serialize(self.activity_regularizer),
            "kernel_constraint": _maybe_serialize(self.kernel_constraint),
            "bias_constraint": _maybe_serialize(self.bias_constraint),
            "quantization_config": None,
        }

