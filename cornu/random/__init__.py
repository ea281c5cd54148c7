"""Random draws (``cornu.random.normal`` ...) and ``SeedGenerator``, as ``keras.random``.

``seed`` may be ``None`` (the global generator, seeded by
``cornu.utils.set_random_seed``), an integer (the same numbers on every call), or a
:class:`SeedGenerator` (a stream that advances on each call, from its state variable).
"""

from __future__ import annotations

import random as _py_random
from typing import Any

from cornu import backend

_b = backend.random


class SeedGenerator:
    """A seeded source of randomness whose state is a variable, as in Keras 3.

    The state ``[seed, counter]`` is an int32 variable (``seed_generator_state``); each
    :meth:`next` returns a key and advances the counter through ``assign``, so a layer's
    random draws are a pure function of its state: reproducible, traceable by compilers, and
    stateless inside a ``StatelessScope`` (the state is one of the layer's
    ``non_trainable_variables``).

    Example:
        >>> gen = SeedGenerator(42)
        >>> a = cornu.random.normal((2,), seed=gen)
        >>> b = cornu.random.normal((2,), seed=gen)  # differs from a, reproducibly
    """

    def __init__(self, seed: int | None = None, name: str | None = None, **kwargs: Any) -> None:
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise ValueError("Argument `seed` must be an integer or None. "
                             f"Received: seed={seed!r}")
        self.initial_seed = seed
        self.name = name or "seed_generator"
        start = _py_random.randint(1, 2**30) if seed is None else int(seed)
        self.state = backend.Variable([start, 0], dtype="int32", trainable=False,
                                      name="seed_generator_state")
        self.state._cornu_path = f"{self.name}/seed_generator_state"

    def next(self, ordered: bool = True) -> Any:
        """The key for the next draw; advances the counter."""
        key = self.state.value + _increment()
        self.state.assign(key)
        return key

    def get_config(self) -> dict:
        return {"seed": self.initial_seed}

    @classmethod
    def from_config(cls, config: dict) -> "SeedGenerator":
        return cls(**config)


_INCREMENTS: dict = {}


def _increment() -> Any:
    """``[0, 1]`` on the current device, made once per device (no copy per draw)."""
    device = str(backend.get_device())
    found = _INCREMENTS.get(device)
    if found is None:
        found = _INCREMENTS[device] = backend.convert_to_tensor([0, 1], dtype="int32")
    return found


def draw_seed(seed: Any) -> Any:
    """What the backend's random functions take: ``None``, an int, or a key tensor."""
    if isinstance(seed, SeedGenerator):
        return seed.next()
    return seed


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    return _b.normal(shape, mean=mean, stddev=stddev, dtype=dtype, seed=draw_seed(seed))


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    return _b.uniform(shape, minval=minval, maxval=maxval, dtype=dtype, seed=draw_seed(seed))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    return _b.truncated_normal(shape, mean=mean, stddev=stddev, dtype=dtype, seed=draw_seed(seed))


def randint(shape, minval, maxval, dtype="int32", seed=None):
    return _b.randint(shape, minval, maxval, dtype=dtype, seed=draw_seed(seed))


def dropout(inputs, rate, noise_shape=None, seed=None):
    return _b.dropout(inputs, rate, noise_shape=noise_shape, seed=draw_seed(seed))


def shuffle(x, axis=0, seed=None):
    return _b.shuffle(x, axis=axis, seed=draw_seed(seed))


def categorical(logits, num_samples, dtype="int32", seed=None):
    return _b.categorical(logits, num_samples, dtype=dtype, seed=draw_seed(seed))


def gamma(shape, alpha, dtype=None, seed=None):
    return _b.gamma(shape, alpha, dtype=dtype, seed=draw_seed(seed))


def binomial(shape, counts, probabilities, dtype=None, seed=None):
    return _b.binomial(shape, counts, probabilities, dtype=dtype, seed=draw_seed(seed))


def beta(shape, alpha, beta, dtype=None, seed=None):
    return _b.beta(shape, alpha, beta, dtype=dtype, seed=draw_seed(seed))
