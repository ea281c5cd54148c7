"""Normalization layers: ``BatchNormalization``, ``LayerNormalization``,
``GroupNormalization``, ``UnitNormalization``, ``RMSNormalization``."""

from __future__ import annotations

from typing import Any

from cornu import config, constraints, initializers, ops, regularizers
from cornu.layers.conv import describe, serialize
from cornu.layers.input_spec import InputSpec
from cornu.layers.layer import Layer


def _normalize_axes(layer: Layer, axis: Any, ndim: int) -> list:
    """``axis`` (int or list) as sorted non-negative axes of an ``ndim`` input, checked."""
    axes = [axis] if isinstance(axis, int) else list(axis)
    for a in axes:
        if isinstance(a, bool) or not isinstance(a, int) or not -ndim <= a < ndim:
            raise ValueError(f"{describe(layer)}: axis {a!r} is out of bounds for inputs of rank "
                             f"{ndim}. Received: axis={axis!r}")
    return sorted(a % ndim for a in axes)


def _check_axes_in_shape(layer: Layer, axis: Any, input_shape: tuple) -> tuple:
    _normalize_axes(layer, axis, len(input_shape))
    return tuple(input_shape)


class BatchNormalization(Layer):
    """Normalizes with batch statistics in training and moving averages at inference.

    In training each step updates ``moving = moving * momentum + batch_stat * (1 - momentum)``
    (the batch variance is the biased one, as Keras's). A layer with ``trainable=False``
    always runs in inference mode, as in Keras 3. Weights: gamma, beta, moving_mean,
    moving_variance.

    Example:
        >>> bn = BatchNormalization()
        >>> y = bn(np.random.rand(8, 4), training=True)  # updates the moving statistics
    """

    def __init__(self, axis: int = -1, momentum: float = 0.99, epsilon: float = 1e-3,
                 center: bool = True, scale: bool = True, beta_initializer: Any = "zeros",
                 gamma_initializer: Any = "ones", moving_mean_initializer: Any = "zeros",
                 moving_variance_initializer: Any = "ones", beta_regularizer: Any = None,
                 gamma_regularizer: Any = None, beta_constraint: Any = None,
                 gamma_constraint: Any = None, renorm: bool = False,
                 renorm_clipping: dict | None = None, renorm_momentum: float = 0.99,
                 synchronized: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, int):
            raise ValueError(f"{describe(self)}: `axis` must be an integer. "
                             f"Received: axis={axis!r}")
        if renorm:
            raise NotImplementedError(f"{describe(self)}: `renorm=True` is not supported yet.")
        self.axis = axis
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        # One device per process here: synchronized statistics equal the local ones.
        self.synchronized = bool(synchronized)
        self.renorm, self.renorm_clipping, self.renorm_momentum = False, renorm_clipping, \
            renorm_momentum
        self.supports_masking = True

    def build(self, input_shape: tuple) -> None:
        axis = _normalize_axes(self, self.axis, len(input_shape))[0]
        size = input_shape[axis]
        if size is None:
            raise ValueError(f"{describe(self)}: axis {self.axis} of the inputs must have a "
                             f"known size. Received input shape {tuple(input_shape)}.")
        shape = (size,)
        self.gamma = self.add_weight(
            name="gamma", shape=shape, initializer=self.gamma_initializer,
            regularizer=self.gamma_regularizer, constraint=self.gamma_constraint,
        ) if self.scale else None
        self.beta = self.add_weight(
            name="beta", shape=shape, initializer=self.beta_initializer,
            regularizer=self.beta_regularizer, constraint=self.beta_constraint,
        ) if self.center else None
        self.moving_mean = self.add_weight(name="moving_mean", shape=shape, trainable=False,
                                           initializer=self.moving_mean_initializer)
        self.moving_variance = self.add_weight(name="moving_variance", shape=shape,
                                               trainable=False,
                                               initializer=self.moving_variance_initializer)
        self._axis = axis
        self._reduction_axes = [a for a in range(len(input_shape)) if a != axis]
        self.input_spec = InputSpec(ndim=len(input_shape), axes={self.axis: size})
        self.built = True

    def call(self, inputs: Any, training: bool | None = None, mask: Any = None) -> Any:
        ndim = len(ops.shape(inputs))
        if mask is not None and len(ops.shape(mask)) != ndim - 1:
            raise ValueError(f"{describe(self)}: the mask must have one dimension less than the "
                             f"inputs. Received: mask.shape={tuple(ops.shape(mask))}, "
                             f"inputs.shape={tuple(ops.shape(inputs))}")
        if not (training and self.trainable):
            outputs = ops.batch_normalization(inputs, self.moving_mean, self.moving_variance,
                                              self._axis, self.beta, self.gamma, self.epsilon)
            return ops.cast(outputs, self.compute_dtype)
        if mask is None:
            outputs, mean, variance = ops.batch_normalization_with_moments(
                inputs, self._axis, self.gamma, self.beta, self.epsilon)
        else:
            mean, variance = self._masked_moments(inputs, mask)
            outputs = ops.batch_normalization(inputs, mean, variance, self._axis, self.beta,
                                              self.gamma, self.epsilon)
            mean, variance = ops.stop_gradient(mean), ops.stop_gradient(variance)
        momentum = self.momentum
        self.moving_mean.assign(self.moving_mean * momentum + mean * (1.0 - momentum))
        self.moving_variance.assign(self.moving_variance * momentum
                                    + variance * (1.0 - momentum))
        return ops.cast(outputs, self.compute_dtype)

    def _masked_moments(self, inputs: Any, mask: Any) -> tuple:
        """Mean and biased variance over the positions where ``mask`` is True."""
        if ops.dtype(inputs) in ("float16", "bfloat16"):
            inputs = ops.cast(inputs, "float32")
        keep = ops.broadcast_to(ops.expand_dims(ops.cast(mask, "bool"), -1), ops.shape(inputs))
        weights = ops.cast(keep, ops.dtype(inputs))
        axes = self._reduction_axes
        count = ops.sum(weights, axis=axes, keepdims=True) + config.epsilon()
        mean = ops.sum(ops.where(keep, inputs, 0.0), axis=axes, keepdims=True) / count
        squares = ops.square(ops.where(keep, inputs - mean, 0.0))
        variance = ops.sum(squares, axis=axes, keepdims=True) / count
        return ops.reshape(mean, (-1,)), ops.reshape(variance, (-1,))

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return _check_axes_in_shape(self, self.axis, input_shape)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
            "moving_variance_initializer":
                initializers.serialize(self.moving_variance_initializer),
            "beta_regularizer": serialize(self.beta_regularizer),
            "gamma_regularizer": serialize(self.gamma_regularizer),
            "beta_constraint": serialize(self.beta_constraint),
            "gamma_constraint": serialize(self.gamma_constraint),
            "synchronized": self.synchronized,
            "renorm": self.renorm,
            "renorm_clipping": self.renorm_clipping,
            "renorm_momentum": self.renorm_momentum,
        }


class _AffineNormalization(Layer):
    """Shared arguments of ``LayerNormalization`` and ``GroupNormalization``."""

    def __init__(self, epsilon: float, center: bool, scale: bool, beta_initializer: Any,
                 gamma_initializer: Any, beta_regularizer: Any, gamma_regularizer: Any,
                 beta_constraint: Any, gamma_constraint: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True

    def _add_affine(self, shape: tuple, with_gamma: bool, with_beta: bool) -> None:
        self.gamma = self.add_weight(
            name="gamma", shape=shape, initializer=self.gamma_initializer,
            regularizer=self.gamma_regularizer, constraint=self.gamma_constraint,
        ) if with_gamma else None
        self.beta = self.add_weight(
            name="beta", shape=shape, initializer=self.beta_initializer,
            regularizer=self.beta_regularizer, constraint=self.beta_constraint,
        ) if with_beta else None

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "beta_regularizer": serialize(self.beta_regularizer),
            "gamma_regularizer": serialize(self.gamma_regularizer),
            "beta_constraint": serialize(self.beta_constraint),
            "gamma_constraint": serialize(self.gamma_constraint),
        }


class LayerNormalization(_AffineNormalization):
    """Normalizes each sample over ``axis`` (an int or a list of axes), then scales and shifts.

    gamma and beta have the sizes of the normalized axes.

    Example:
        >>> LayerNormalization(axis=[1, 2])(np.random.rand(2, 3, 4)).shape
        (2, 3, 4)
    """

    def __init__(self, axis: Any = -1, epsilon: float = 1e-3, center: bool = True,
                 scale: bool = True, beta_initializer: Any = "zeros",
                 gamma_initializer: Any = "ones", beta_regularizer: Any = None,
                 gamma_regularizer: Any = None, beta_constraint: Any = None,
                 gamma_constraint: Any = None, rms_scaling: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(epsilon, center, scale, beta_initializer, gamma_initializer,
                         beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint,
                         **kwargs)
        self.axis = list(axis) if isinstance(axis, (list, tuple)) else axis
        self.rms_scaling = bool(rms_scaling)

    def build(self, input_shape: tuple) -> None:
        axes = _normalize_axes(self, self.axis, len(input_shape))
        if isinstance(self.axis, list):
            self.axis = sorted(self.axis)
        else:
            self.axis = [self.axis]
        shape = tuple(input_shape[a] for a in axes)
        self._add_affine(shape, self.scale or self.rms_scaling,
                         self.center and not self.rms_scaling)
        self.built = True

    def call(self, inputs: Any) -> Any:
        outputs = ops.layer_normalization(inputs, self.gamma, self.beta, self.axis,
                                          self.epsilon, rms_scaling=self.rms_scaling)
        return ops.cast(outputs, self.compute_dtype)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return _check_axes_in_shape(self, self.axis, input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis, "rms_scaling": self.rms_scaling}


class GroupNormalization(_AffineNormalization):
    """Normalizes each sample over groups of channels (and all other non-batch axes).

    ``groups=1`` is layer normalization over all axes; ``groups=channels`` is instance
    normalization.

    Example:
        >>> GroupNormalization(groups=2)(np.random.rand(2, 5, 4)).shape
        (2, 5, 4)
    """

    def __init__(self, groups: int = 32, axis: int = -1, epsilon: float = 1e-3,
                 center: bool = True, scale: bool = True, beta_initializer: Any = "zeros",
                 gamma_initializer: Any = "ones", beta_regularizer: Any = None,
                 gamma_regularizer: Any = None, beta_constraint: Any = None,
                 gamma_constraint: Any = None, **kwargs: Any) -> None:
        super().__init__(epsilon, center, scale, beta_initializer, gamma_initializer,
                         beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint,
                         **kwargs)
        if isinstance(groups, bool) or not isinstance(groups, int) or groups <= 0:
            raise ValueError(f"{describe(self)}: `groups` must be a positive integer. "
                             f"Received: groups={groups!r}")
        self.groups = groups
        self.axis = axis

    def build(self, input_shape: tuple) -> None:
        axis = _normalize_axes(self, self.axis, len(input_shape))[0]
        channels = input_shape[axis]
        if channels is None:
            raise ValueError(f"{describe(self)}: axis {self.axis} of the inputs must have a "
                             f"known size. Received input shape {tuple(input_shape)}.")
        if channels < self.groups or channels % self.groups:
            raise ValueError(
                f"{describe(self)}: the number of channels ({channels}, axis {self.axis} of "
                f"input shape {tuple(input_shape)}) must be a multiple of `groups` and at least "
                f"`groups`. Received: groups={self.groups}")
        self._axis = axis
        self._add_affine((channels,), self.scale, self.center)
        self.input_spec = InputSpec(ndim=len(input_shape), axes={self.axis: channels})
        self.built = True

    def call(self, inputs: Any) -> Any:
        shape = ops.shape(inputs)
        ndim, axis = len(shape), self._axis
        # (batch, ..., groups, channels // groups, ...): statistics over all but batch and group.
        grouped_shape = list(shape[:axis]) + [self.groups, shape[axis] // self.groups] \
            + list(shape[axis + 1:])
        x = ops.reshape(inputs, grouped_shape)
        if ops.dtype(x) in ("float16", "bfloat16"):
            x = ops.cast(x, "float32")
        axes = [a for a in range(1, ndim + 1) if a != axis]
        mean, variance = ops.moments(x, axes=axes, keepdims=True)
        inv = ops.rsqrt(variance + self.epsilon)
        param_shape = [1] * (ndim + 1)
        param_shape[axis], param_shape[axis + 1] = self.groups, shape[axis] // self.groups
        if self.gamma is not None:
            inv = inv * ops.reshape(self.gamma, param_shape)
        shift = -mean * inv
        if self.beta is not None:
            shift = shift + ops.reshape(self.beta, param_shape)
        return ops.cast(ops.reshape(x * inv + shift, shape), self.compute_dtype)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return _check_axes_in_shape(self, self.axis, input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "groups": self.groups, "axis": self.axis}


class UnitNormalization(Layer):
    """Scales each sample to unit L2 norm over ``axis``: ``x / max(||x||, 1e-12)``.

    Example:
        >>> UnitNormalization()(np.array([[3.0, 4.0]]))  # [[0.6, 0.8]]
    """

    def __init__(self, axis: Any = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            self.axis = list(axis)
        elif isinstance(axis, int) and not isinstance(axis, bool):
            self.axis = axis
        else:
            raise TypeError(f"{describe(self)}: `axis` must be an int or a list of ints. "
                            f"Received: axis={axis!r}")
        self.supports_masking = True
        self.built = True

    def call(self, inputs: Any) -> Any:
        return ops.normalize(inputs, axis=self.axis, order=2, epsilon=1e-12)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return _check_axes_in_shape(self, self.axis, input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}


class RMSNormalization(Layer):
    """Root-mean-square normalization: ``x * rsqrt(mean(x ** 2) + epsilon) * scale``.

    Example:
        >>> RMSNormalization()(np.random.rand(2, 8)).shape
        (2, 8)
    """

    def __init__(self, axis: Any = -1, epsilon: float = 1e-6, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = list(axis) if isinstance(axis, (list, tuple)) else axis
        self.epsilon = float(epsilon)
        self.supports_masking = True

    def build(self, input_shape: tuple) -> None:
        axes = _normalize_axes(self, self.axis, len(input_shape))
        self.axis = sorted(self.axis) if isinstance(self.axis, list) else [self.axis]
        self.scale = self.add_weight(name="scale", shape=tuple(input_shape[a] for a in axes),
                                     initializer="ones")
        self.built = True

    def call(self, inputs: Any) -> Any:
        return ops.rms_normalization(inputs, scale=self.scale, axis=self.axis,
                                     epsilon=self.epsilon)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return _check_axes_in_shape(self, self.axis, input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon}
