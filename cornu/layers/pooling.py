"""Pooling layers: max and average pooling (windowed, global and adaptive), 1-D to 3-D.

"same" padding follows Keras: the output has ``ceil(n / stride)`` positions, the extra
padding goes after, padded positions never win a max and are left out of an average.
"""

from __future__ import annotations

from typing import Any

from cornu import config, ops
from cornu.layers.conv import (channel_axis, check_rank, describe, normalize_padding,
                               normalize_tuple, spatial_output_shape)
from cornu.layers.input_spec import InputSpec
from cornu.layers.layer import Layer


class BasePooling(Layer):
    """A window of ``pool_size`` sliding by ``strides`` (default: ``pool_size``)."""

    rank = 2
    _op = staticmethod(ops.max_pool)

    def __init__(self, pool_size: Any, strides: Any = None, padding: str = "valid",
                 data_format: str | None = None, name: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        owner = describe(self)
        self.pool_size = normalize_tuple(pool_size, self.rank, "pool_size", owner)
        self.strides = self.pool_size if strides is None else normalize_tuple(
            strides, self.rank, "strides", owner)
        self.padding = normalize_padding(padding, owner)
        self.data_format = config.standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)
        self.built = True

    def call(self, inputs: Any) -> Any:
        try:
            return type(self)._op(inputs, self.pool_size, self.strides, self.padding,
                                  self.data_format)
        except RuntimeError:
            self.compute_output_shape(ops.shape(inputs))  # explains windows that do not fit
            raise

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        input_shape = tuple(input_shape)
        check_rank(self, input_shape, self.rank)
        return spatial_output_shape(self, input_shape, self.pool_size, self.strides,
                                    self.padding, (1,) * self.rank,
                                    input_shape[channel_axis(self.data_format)])

    def get_config(self) -> dict:
        return {**super().get_config(), "pool_size": self.pool_size, "padding": self.padding,
                "strides": self.strides, "data_format": self.data_format}


class MaxPooling1D(BasePooling):
    """Max over windows of ``pool_size`` steps of ``(batch, steps, channels)`` inputs."""

    rank = 1

    def __init__(self, pool_size: Any = 2, strides: Any = None, padding: str = "valid",
                 data_format: str | None = None, name: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(pool_size, strides, padding, data_format, name, **kwargs)


class MaxPooling2D(BasePooling):
    """Max over ``pool_size`` windows of images.

    Example:
        >>> MaxPooling2D()(np.zeros((1, 32, 32, 3))).shape
        (1, 16, 16, 3)
    """

    rank = 2

    def __init__(self, pool_size: Any = (2, 2), strides: Any = None, padding: str = "valid",
                 data_format: str | None = None, name: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(pool_size, strides, padding, data_format, name, **kwargs)


class MaxPooling3D(BasePooling):
    """Max over ``pool_size`` windows of volumes."""

    rank = 3

    def __init__(self, pool_size: Any = (2, 2, 2), strides: Any = None,
                 padding: str = "valid", data_format: str | None = None,
                 name: str | None = None, **kwargs: Any) -> None:
        super().__init__(pool_size, strides, padding, data_format, name, **kwargs)


class AveragePooling1D(BasePooling):
    """Mean over windows of ``pool_size`` steps."""

    rank = 1
    _op = staticmethod(ops.average_pool)


class AveragePooling2D(BasePooling):
    """Mean over ``pool_size`` windows of images.

    Example:
        >>> AveragePooling2D(2)(np.zeros((1, 4, 4, 3))).shape
        (1, 2, 2, 3)
    """

    rank = 2
    _op = staticmethod(ops.average_pool)


class AveragePooling3D(BasePooling):
    """Mean over ``pool_size`` windows of volumes."""

    rank = 3
    _op = staticmethod(ops.average_pool)


class BaseGlobalPooling(Layer):
    """Reduces every spatial axis; ``keepdims=True`` keeps them with size 1."""

    rank = 2
    _average = False

    def __init__(self, data_format: str | None = None, keepdims: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data_format = config.standardize_data_format(data_format)
        self.keepdims = bool(keepdims)
        self.input_spec = InputSpec(ndim=self.rank + 2)
        self.built = True

    def _axes(self) -> tuple:
        start = 1 if self.data_format == "channels_last" else 2
        return tuple(range(start, start + self.rank))

    def call(self, inputs: Any) -> Any:
        if self._average:
            return ops.mean(inputs, axis=self._axes(), keepdims=self.keepdims)
        return ops.max(inputs, axis=self._axes(), keepdims=self.keepdims)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        input_shape = tuple(input_shape)
        check_rank(self, input_shape, self.rank)
        axes = self._axes()
        if self.keepdims:
            return tuple(1 if i in axes else d for i, d in enumerate(input_shape))
        return tuple(d for i, d in enumerate(input_shape) if i not in axes)

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format,
                "keepdims": self.keepdims}


class GlobalMaxPooling1D(BaseGlobalPooling):
    """Max over the steps axis: ``(batch, steps, channels) -> (batch, channels)``."""

    rank = 1


class GlobalMaxPooling2D(BaseGlobalPooling):
    """Max over height and width: ``(batch, h, w, channels) -> (batch, channels)``."""

    rank = 2


class GlobalMaxPooling3D(BaseGlobalPooling):
    """Max over the three spatial axes."""

    rank = 3


class GlobalAveragePooling1D(BaseGlobalPooling):
    """Mean over the steps axis; masked steps (``mask`` False) are left out of the mean.

    Example:
        >>> GlobalAveragePooling1D()(np.ones((2, 5, 3))).shape
        (2, 3)
    """

    rank = 1
    _average = True

    def __init__(self, data_format: str | None = None, keepdims: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(data_format=data_format, keepdims=keepdims, **kwargs)
        self.supports_masking = True

    def call(self, inputs: Any, mask: Any = None) -> Any:
        if mask is None:
            return super().call(inputs)
        steps = 1 if self.data_format == "channels_last" else 2
        keep = ops.expand_dims(ops.cast(mask, "bool"),
                               2 if self.data_format == "channels_last" else 1)
        total = ops.sum(ops.where(keep, inputs, 0.0), axis=steps, keepdims=self.keepdims)
        count = ops.sum(ops.cast(keep, ops.dtype(inputs)), axis=steps, keepdims=self.keepdims)
        return total / count

    def compute_mask(self, inputs: Any, previous_mask: Any = None) -> Any:
        return None


class GlobalAveragePooling2D(BaseGlobalPooling):
    """Mean over height and width: ``(batch, h, w, channels) -> (batch, channels)``."""

    rank = 2
    _average = True


class GlobalAveragePooling3D(BaseGlobalPooling):
    """Mean over the three spatial axes."""

    rank = 3
    _average = True


class BaseAdaptivePooling(Layer):
    """Pools to a fixed ``output_size`` whatever the input size (PyTorch's bins)."""

    rank = 2
    _op = staticmethod(ops.adaptive_average_pool)

    def __init__(self, output_size: Any, data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.output_size = normalize_tuple(output_size, self.rank, "output_size",
                                           describe(self))
        self.data_format = config.standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)
        self.built = True

    def call(self, inputs: Any) -> Any:
        return type(self)._op(inputs, self.output_size, self.data_format)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        input_shape = tuple(input_shape)
        check_rank(self, input_shape, self.rank)
        channels = input_shape[channel_axis(self.data_format)]
        if self.data_format == "channels_last":
            return (input_shape[0],) + self.output_size + (channels,)
        return (input_shape[0], channels) + self.output_size

    def get_config(self) -> dict:
        return {**super().get_config(), "output_size": self.output_size,
                "data_format": self.data_format}


class AdaptiveAveragePooling1D(BaseAdaptivePooling):
    """Average pooling of the steps axis to ``output_size`` positions."""

    rank = 1


class AdaptiveAveragePooling2D(BaseAdaptivePooling):
    """Average pooling of images to ``output_size`` (an int or ``(h, w)``).

    Example:
        >>> AdaptiveAveragePooling2D((2, 3))(np.zeros((1, 7, 9, 4))).shape
        (1, 2, 3, 4)
    """

    rank = 2


class AdaptiveAveragePooling3D(BaseAdaptivePooling):
    """Average pooling of volumes to ``output_size``."""

    rank = 3


class AdaptiveMaxPooling1D(BaseAdaptivePooling):
    """Max pooling of the steps axis to ``output_size`` positions."""

    rank = 1
    _op = staticmethod(ops.adaptive_max_pool)


class AdaptiveMaxPooling2D(BaseAdaptivePooling):
    """Max pooling of images to ``output_size``."""

    rank = 2
    _op = staticmethod(ops.adaptive_max_pool)


class AdaptiveMaxPooling3D(BaseAdaptivePooling):
    """Max pooling of volumes to ``output_size``."""

    rank = 3
    _op = staticmethod(ops.adaptive_max_pool)
