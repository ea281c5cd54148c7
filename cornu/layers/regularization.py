"""Regularization layers: ``Dropout``, ``SpatialDropout1D/2D/3D``, ``GaussianNoise``,
``GaussianDropout``, ``AlphaDropout``, ``ActivityRegularization``.

All but ``ActivityRegularization`` act only in training and return their inputs unchanged
at inference."""

from __future__ import annotations

import math
from typing import Any

from cornu import config, ops, random, regularizers
from cornu.layers.conv import describe
from cornu.layers.input_spec import InputSpec
from cornu.layers.layer import Layer


class Dropout(Layer):
    """Sets a fraction ``rate`` of inputs to zero during training, scaling the rest by
    ``1 / (1 - rate)``; does nothing at inference.

    Example:
        >>> Dropout(0.5)(x, training=True)
    """

    def __init__(self, rate: float, noise_shape: Any = None, seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
            raise ValueError(f"Invalid value received for argument `rate` of Dropout "
                             f"'{self.name}': expected a float between 0 and 1. "
                             f"Received: rate={rate!r}")
        self.rate = float(rate)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = seed
        self.seed_generator = random.SeedGenerator(seed)
        self.supports_masking = True
        self.built = True

    def call(self, inputs: Any, training: bool | None = False) -> Any:
        if training and self.rate > 0:
            return random.dropout(inputs, self.rate, noise_shape=self.noise_shape,
                                  seed=self.seed_generator)
        return inputs

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "noise_shape": self.noise_shape}


def _check_rate(layer: Layer, value: Any, name: str = "rate") -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ValueError(f"{describe(layer)}: `{name}` must be a float between 0 and 1. "
                         f"Received: {name}={value!r}")
    return float(value)


class BaseSpatialDropout(Dropout):
    """Drops whole channels: one draw per (sample, channel), shared by all positions."""

    rank = 1

    def __init__(self, rate: float, seed: int | None = None, name: str | None = None,
                 dtype: Any = None) -> None:
        super().__init__(rate, seed=seed, name=name, dtype=dtype)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _noise_shape(self, shape: tuple) -> tuple:
        data_format = getattr(self, "data_format", "channels_last")
        if data_format == "channels_last":
            return (shape[0],) + (1,) * self.rank + (shape[-1],)
        return (shape[0], shape[1]) + (1,) * self.rank

    def call(self, inputs: Any, training: bool | None = False) -> Any:
        if training and self.rate > 0:
            shape = ops.shape(inputs)
            if len(shape) != self.rank + 2:
                raise ValueError(f"{describe(self)} expects inputs of rank {self.rank + 2}. "
                                 f"Received input shape {tuple(shape)}.")
            return random.dropout(inputs, self.rate, noise_shape=self._noise_shape(shape),
                                  seed=self.seed_generator)
        return inputs

    def get_config(self) -> dict:
        # Keras's spatial dropout layers take only these arguments.
        return {"rate": self.rate, "seed": self.seed, "name": self.name,
                "dtype": super().get_config()["dtype"]}


class SpatialDropout1D(BaseSpatialDropout):
    """Dropout of whole feature maps of ``(batch, steps, channels)`` inputs.

    Example:
        >>> SpatialDropout1D(0.5)(np.ones((2, 4, 3)), training=True)  # zeroes whole channels
    """

    rank = 1


class SpatialDropout2D(BaseSpatialDropout):
    """Dropout of whole feature maps of images."""

    rank = 2

    def __init__(self, rate: float, data_format: str | None = None, seed: int | None = None,
                 name: str | None = None, dtype: Any = None) -> None:
        super().__init__(rate, seed=seed, name=name, dtype=dtype)
        self.data_format = config.standardize_data_format(data_format)

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format}


class SpatialDropout3D(SpatialDropout2D):
    """Dropout of whole feature maps of volumes."""

    rank = 3


class GaussianNoise(Layer):
    """Adds zero-mean Gaussian noise of standard deviation ``stddev`` in training.

    Example:
        >>> GaussianNoise(0.1)(np.zeros((2, 3)), training=True)
    """

    def __init__(self, stddev: float, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.stddev = _check_rate(self, stddev, "stddev")
        self.seed = seed
        self.seed_generator = random.SeedGenerator(seed)
        self.supports_masking = True
        self.built = True

    def call(self, inputs: Any, training: bool | None = False) -> Any:
        if training and self.stddev > 0:
            noise = random.normal(ops.shape(inputs), stddev=self.stddev,
                                  dtype=self.compute_dtype, seed=self.seed_generator)
            return inputs + noise
        return inputs

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}


class GaussianDropout(Layer):
    """Multiplies inputs by Gaussian noise of mean 1 and variance ``rate / (1 - rate)``."""

    def __init__(self, rate: float, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rate = _check_rate(self, rate)
        self.seed = seed
        self.seed_generator = random.SeedGenerator(seed)
        self.supports_masking = True
        self.built = True

    def call(self, inputs: Any, training: bool | None = False) -> Any:
        if training and self.rate > 0:
            stddev = math.sqrt(self.rate / (1.0 - self.rate))
            noise = random.normal(ops.shape(inputs), mean=1.0, stddev=stddev,
                                  dtype=self.compute_dtype, seed=self.seed_generator)
            return inputs * noise
        return inputs

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


class AlphaDropout(Layer):
    """Dropout for SELU networks: keeps the inputs' mean and variance.

    Dropped values are set to SELU's negative saturation value, then an affine map
    restores the mean and variance, as in Keras.
    """

    _ALPHA = 1.6732632423543772848170429916717
    _SCALE = 1.0507009873554804934193349852946

    def __init__(self, rate: float, noise_shape: Any = None, seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rate = _check_rate(self, rate)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = seed
        self.seed_generator = random.SeedGenerator(seed)
        self.supports_masking = True
        self.built = True

    def call(self, inputs: Any, training: bool | None = False) -> Any:
        if not (training and self.rate > 0):
            return inputs
        shape = ops.shape(inputs)
        noise_shape = shape if self.noise_shape is None else tuple(
            shape[i] if d is None else d for i, d in enumerate(self.noise_shape))
        saturation = -self._ALPHA * self._SCALE
        draws = random.uniform(noise_shape, dtype=self.compute_dtype, seed=self.seed_generator)
        keep = ops.cast(ops.greater_equal(draws, self.rate), ops.dtype(inputs))
        a = ((1 - self.rate) * (1 + self.rate * saturation ** 2)) ** -0.5
        b = -a * saturation * self.rate
        return a * (inputs * keep + saturation * (1 - keep)) + b

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "noise_shape": self.noise_shape}


class ActivityRegularization(Layer):
    """Returns its inputs and adds ``l1 * sum(|x|) + l2 * sum(x ** 2)`` (per sample of the
    batch) to the model's losses.

    Example:
        >>> layer = ActivityRegularization(l1=0.01)
        >>> _ = layer(np.ones((2, 3)))
        >>> layer.losses  # [0.03]
    """

    def __init__(self, l1: float = 0.0, l2: float = 0.0, **kwargs: Any) -> None:
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.l1, self.l2 = l1, l2
        self.supports_masking = True
        self.built = True

    def call(self, inputs: Any) -> Any:
        return inputs

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config.pop("activity_regularizer", None)
        return {**config, "l1": self.l1, "l2": self.l2}
