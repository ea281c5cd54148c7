"""Weight initializers with Keras's names, arguments and distributions."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from cornu import ops, random
from cornu.saving import serialization_lib


class Initializer:
    """Base class: ``initializer(shape, dtype)`` returns a new tensor."""

    def __call__(self, shape: tuple, dtype: Any = None) -> Any:
        raise NotImplementedError

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict) -> "Initializer":
        return cls(**config)

    def clone(self) -> "Initializer":
        return type(self).from_config(self.get_config())


class Zeros(Initializer):
    """All zeros."""

    def __call__(self, shape, dtype=None):
        return ops.zeros(shape, dtype=dtype)


class Ones(Initializer):
    """All ones."""

    def __call__(self, shape, dtype=None):
        return ops.ones(shape, dtype=dtype)


class Constant(Initializer):
    """Every element equal to ``value``."""

    def __init__(self, value: float = 0.0) -> None:
        self.value = value

    def __call__(self, shape, dtype=None):
        return ops.full(shape, self.value, dtype=dtype)

    def get_config(self):
        return {"value": self.value}


class _Seeded(Initializer):
    """An initializer with a ``seed``: an integer gives the same values on every call."""

    def __init__(self, seed: Any = None) -> None:
        if seed is not None and not isinstance(seed, (int, random.SeedGenerator)):
            raise ValueError(f"`seed` must be an integer, a SeedGenerator or None. "
                             f"Received: seed={seed!r}")
        self.seed = seed

    def get_config(self):
        return {"seed": self.seed if isinstance(self.seed, (int, type(None))) else None}


class RandomNormal(_Seeded):
    """Normal draws with ``mean`` and ``stddev``."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: Any = None) -> None:
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype=None):
        return random.normal(shape, self.mean, self.stddev, dtype=dtype, seed=self.seed)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


class RandomUniform(_Seeded):
    """Uniform draws in ``[minval, maxval)``."""

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: Any = None) -> None:
        super().__init__(seed)
        self.minval, self.maxval = minval, maxval

    def __call__(self, shape, dtype=None):
        return random.uniform(shape, self.minval, self.maxval, dtype=dtype, seed=self.seed)

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, **super().get_config()}


class TruncatedNormal(_Seeded):
    """Normal draws cut off beyond two standard deviations."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: Any = None) -> None:
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype=None):
        return random.truncated_normal(shape, self.mean, self.stddev, dtype=dtype,
                                       seed=self.seed)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


def compute_fans(shape: tuple, input_axes: Any = None,
                 output_axes: Any = None) -> tuple[float, float]:
    """(fan_in, fan_out) of a weight shape; conv kernels count their receptive field.

    ``input_axes``/``output_axes`` name the axes that count as inputs and outputs
    (for weights such as multi-head projections); both must be given to take effect.
    """
    shape = tuple(shape)
    if input_axes is not None and output_axes is not None:
        return (float(np.prod([shape[a] for a in input_axes])),
                float(np.prod([shape[a] for a in output_axes])))
    if len(shape) == 0:
        return 1.0, 1.0
    if len(shape) == 1:
        return float(shape[0]), float(shape[0])
    if len(shape) == 2:
        return float(shape[0]), float(shape[1])
    receptive = float(np.prod(shape[:-2]))
    return shape[-2] * receptive, shape[-1] * receptive


class VarianceScaling(_Seeded):
    """Draws scaled to the weight's fan-in/fan-out (``scale / n`` variance)."""

    def __init__(self, scale: float = 1.0, mode: str = "fan_in",
                 distribution: str = "truncated_normal", seed: Any = None,
                 input_axes: Any = None, output_axes: Any = None) -> None:
        super().__init__(seed)
        self.input_axes, self.output_axes = input_axes, output_axes
        if scale <= 0.0:
            raise ValueError(f"Argument `scale` must be positive. Received: scale={scale}")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError("Argument `mode` should be one of fan_in, fan_out, fan_avg. "
                             f"Received: mode={mode!r}")
        distribution = distribution.lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        if distribution not in ("truncated_normal", "untruncated_normal", "uniform"):
            raise ValueError("Argument `distribution` should be one of truncated_normal, "
                             f"untruncated_normal, uniform. Received: {distribution!r}")
        self.scale, self.mode, self.distribution = scale, mode, distribution

    def __call__(self, shape, dtype=None):
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        variance = self.scale / max(1.0, n)
        if self.distribution == "truncated_normal":
            # 0.8796... is the stddev of a standard normal truncated to [-2, 2].
            stddev = math.sqrt(variance) / 0.87962566103423978
            return random.truncated_normal(shape, 0.0, stddev, dtype=dtype, seed=self.seed)
        if self.distribution == "untruncated_normal":
            return random.normal(shape, 0.0, math.sqrt(variance), dtype=dtype, seed=self.seed)
        limit = math.sqrt(3.0 * variance)
        return random.uniform(shape, -limit, limit, dtype=dtype, seed=self.seed)

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                **super().get_config(), "input_axes": self.input_axes,
                "output_axes": self.output_axes}


class _Preset(VarianceScaling):
    """A named VarianceScaling setting: only its ``seed`` is configurable."""

    preset: tuple = ()

    def __init__(self, seed: Any = None, input_axes: Any = None,
                 output_axes: Any = None) -> None:
        super().__init__(*self.preset, seed=seed, input_axes=input_axes,
                         output_axes=output_axes)

    def get_config(self):
        seed = self.seed if isinstance(self.seed, (int, type(None))) else None
        return {"seed": seed, "input_axes": self.input_axes, "output_axes": self.output_axes}


class GlorotUniform(_Preset):
    """Uniform in +-sqrt(6 / (fan_in + fan_out)); the default kernel initializer."""

    preset = (1.0, "fan_avg", "uniform")


class GlorotNormal(_Preset):
    """Truncated normal with stddev sqrt(2 / (fan_in + fan_out))."""

    preset = (1.0, "fan_avg", "truncated_normal")


class HeUniform(_Preset):
    """Uniform in +-sqrt(6 / fan_in)."""

    preset = (2.0, "fan_in", "uniform")


class HeNormal(_Preset):
    """Truncated normal with stddev sqrt(2 / fan_in)."""

    preset = (2.0, "fan_in", "truncated_normal")


class LecunUniform(_Preset):
    """Uniform in +-sqrt(3 / fan_in)."""

    preset = (1.0, "fan_in", "uniform")


class LecunNormal(_Preset):
    """Truncated normal with stddev sqrt(1 / fan_in)."""

    preset = (1.0, "fan_in", "truncated_normal")


class Orthogonal(_Seeded):
    """An orthogonal matrix (from the QR decomposition of a normal draw) times ``gain``."""

    def __init__(self, gain: float = 1.0, seed: Any = None) -> None:
        super().__init__(seed)
        self.gain = gain

    def __call__(self, shape, dtype=None):
        if len(shape) < 2:
            raise ValueError(f"Orthogonal initializer needs a shape of rank >= 2. "
                             f"Received: shape={tuple(shape)}")
        rows = int(np.prod(shape[:-1]))
        cols = int(shape[-1])
        flat = (max(rows, cols), min(rows, cols))
        a = ops.convert_to_numpy(random.normal(flat, dtype="float32", seed=self.seed))
        q, r = np.linalg.qr(a.astype("float64"))
        q = q * np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return ops.convert_to_tensor(self.gain * q.reshape(shape), dtype=dtype or "float32")

    def get_config(self):
        return {"gain": self.gain, **super().get_config()}


class Identity(Initializer):
    """The identity matrix times ``gain`` (2-D shapes only)."""

    def __init__(self, gain: float = 1.0) -> None:
        self.gain = gain

    def __call__(self, shape, dtype=None):
        if len(shape) != 2:
            raise ValueError(f"Identity initializer needs a 2-D shape. Received: "
                             f"shape={tuple(shape)}")
        return self.gain * ops.eye(shape[0], shape[1], dtype=dtype)

    def get_config(self):
        return {"gain": self.gain}


IdentityInitializer = Identity

_CLASSES = (Zeros, Ones, Constant, RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling,
            GlorotUniform, GlorotNormal, HeUniform, HeNormal, LecunUniform, LecunNormal,
            Orthogonal, Identity)
_NAMES = {
    "zeros": Zeros, "ones": Ones, "constant": Constant, "random_normal": RandomNormal,
    "random_uniform": RandomUniform, "truncated_normal": TruncatedNormal,
    "variance_scaling": VarianceScaling, "glorot_uniform": GlorotUniform,
    "glorot_normal": GlorotNormal, "he_uniform": HeUniform, "he_normal": HeNormal,
    "lecun_uniform": LecunUniform, "lecun_normal": LecunNormal, "orthogonal": Orthogonal,
    "identity": Identity, "IdentityInitializer": Identity,
    # Keras's short aliases ("uniform" is Embedding's default initializer).
    "uniform": RandomUniform, "normal": RandomNormal, "one": Ones, "zero": Zeros,
    "OrthogonalInitializer": Orthogonal,
}
_TABLE = {**{c.__name__: c for c in _CLASSES}, **_NAMES}
serialization_lib.register_builtin(*_CLASSES)


def get(identifier: Any) -> Any:
    """An initializer from a name (``"glorot_uniform"``), a config dict, or an object."""
    return serialization_lib.resolve(identifier, _TABLE, "initializer")


def serialize(initializer: Initializer) -> dict:
    return serialization_lib.serialize_keras_object(initializer)


def deserialize(config: Any, custom_objects: dict | None = None) -> Initializer:
    return serialization_lib.deserialize_keras_object(config, _TABLE, custom_objects,
                                                      "initializer")
