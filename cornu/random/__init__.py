"""Random draws (``cornu.random.normal`` ...) and ``SeedGenerator``, as ``keras.random``.

``seed`` may be ``None`` (the global generator, seeded by
``cornu.utils.set_random_seed``), an integer (the same numbers on every call), or a
:class:`SeedGenerator` (a stream that advances on each call).
"""

from __future__ import annotations

from typing import Any

from cornu import backend

_b = backend.random


class SeedGenerator:
    """A seeded, stateful source of randomness for layers and initializers.

    Example:
        >>> gen = SeedGenerator(42)
        >>> a = cornu.random.normal((2,), seed=gen)
        >>> b = cornu.random.normal((2,), seed=gen)  # differs from a, reproducibly
    """

    def __init__(self, seed: int | None = None, name: str | None = None, **kwargs: Any) -> None:
        self.initial_seed = seed
        self.name = name or "seed_generator"
        self.generator = _b.make_generator(seed)

    def get_config(self) -> dict:
        return {"seed": self.initial_seed}


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    return _b.normal(shape, mean=mean, stddev=stddev, dtype=dtype, seed=seed)


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    return _b.uniform(shape, minval=minval, maxval=maxval, dtype=dtype, seed=seed)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    return _b.truncated_normal(shape, mean=mean, stddev=stddev, dtype=dtype, seed=seed)


def randint(shape, minval, maxval, dtype="int32", seed=None):
    return _b.randint(shape, minval, maxval, dtype=dtype, seed=seed)


def dropout(inputs, rate, noise_shape=None, seed=None):
    return _b.dropout(inputs, rate, noise_shape=noise_shape, seed=seed)


def shuffle(x, axis=0, seed=None):
    return _b.shuffle(x, axis=axis, seed=seed)


def categorical(logits, num_samples, dtype="int32", seed=None):
    return _b.categorical(logits, num_samples, dtype=dtype, seed=seed)


def gamma(shape, alpha, dtype=None, seed=None):
    return _b.gamma(shape, alpha, dtype=dtype, seed=seed)


def binomial(shape, counts, probabilities, dtype=None, seed=None):
    return _b.binomial(shape, counts, probabilities, dtype=dtype, seed=seed)


def beta(shape, alpha, beta, dtype=None, seed=None):
    return _b.beta(shape, alpha, beta, dtype=dtype, seed=seed)
