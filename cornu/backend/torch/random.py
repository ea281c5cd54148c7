"""Random number generation on torch.

``seed=None`` draws from torch's global generator (seeded by
``cornu.utils.set_random_seed``); an integer seed gives the same numbers on every call;
a generator made by :func:`make_generator` advances on each use.
"""

from __future__ import annotations

import random as _py_random

import numpy as np
import torch

from cornu import config
from cornu.backend.torch.core import convert_to_tensor, get_device, to_torch_dtype


def set_seed(seed: int) -> None:
    _py_random.seed(seed)
    np.random.seed(seed % (2**32))
    torch.manual_seed(seed)


def make_generator(seed: int | None) -> torch.Generator:
    """A stateful CPU generator; draws are made on the CPU so they do not depend on the device."""
    generator = torch.Generator()
    generator.manual_seed(_py_random.randint(0, 2**31 - 1) if seed is None else int(seed))
    return generator


def _generator(seed) -> torch.Generator | None:
    if seed is None:
        return None
    if isinstance(seed, torch.Generator):
        return seed
    if hasattr(seed, "generator"):
        return seed.generator
    return make_generator(int(seed))


def _shape(shape):
    return (shape,) if isinstance(shape, int) else tuple(int(s) for s in shape)


def _draw(fn, shape, dtype, seed, **kwargs):
    generator = _generator(seed)
    dtype = to_torch_dtype(dtype or config.floatx())
    if generator is None:
        return fn(_shape(shape), dtype=dtype, device=get_device(), **kwargs)
    return fn(_shape(shape), dtype=dtype, generator=generator, **kwargs).to(get_device())


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    return _draw(torch.randn, shape, dtype, seed) * stddev + mean


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    return _draw(torch.rand, shape, dtype, seed) * (maxval - minval) + minval


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal draws, redrawn until they fall within two standard deviations."""
    generator = _generator(seed)
    dtype = to_torch_dtype(dtype or config.floatx())
    shape = _shape(shape)
    out = torch.empty(shape, dtype=dtype)
    torch.nn.init.trunc_normal_(out, 0.0, 1.0, -2.0, 2.0, generator=generator)
    return (out * stddev + mean).to(get_device())


def randint(shape, minval, maxval, dtype="int32", seed=None):
    generator = _generator(seed)
    kwargs = {} if generator is None else {"generator": generator}
    out = torch.randint(int(minval), int(maxval), _shape(shape), dtype=to_torch_dtype(dtype),
                        device="cpu" if generator is not None else get_device(), **kwargs)
    return out.to(get_device())


def dropout(inputs, rate, noise_shape=None, seed=None):
    from cornu.backend.torch.nn import dropout as _dropout

    return _dropout(inputs, rate, noise_shape, generator=_generator(seed))


def shuffle(x, axis=0, seed=None):
    x = convert_to_tensor(x)
    generator = _generator(seed)
    perm = torch.randperm(x.shape[axis], generator=generator).to(x.device)
    return torch.index_select(x, axis, perm)


def categorical(logits, num_samples, dtype="int32", seed=None):
    logits = convert_to_tensor(logits)
    probs = torch.softmax(logits.float(), dim=-1)
    out = torch.multinomial(probs.cpu(), num_samples, replacement=True,
                            generator=_generator(seed))
    return out.to(device=logits.device, dtype=to_torch_dtype(dtype))


def gamma(shape, alpha, dtype=None, seed=None):
    dtype = to_torch_dtype(dtype or config.floatx())
    alpha = torch.broadcast_to(torch.as_tensor(alpha, dtype=dtype), _shape(shape))
    return torch._standard_gamma(alpha, generator=_generator(seed)).to(get_device())


def binomial(shape, counts, probabilities, dtype=None, seed=None):
    dtype = to_torch_dtype(dtype or config.floatx())
    counts = torch.broadcast_to(torch.as_tensor(counts, dtype=dtype), _shape(shape))
    probs = torch.broadcast_to(torch.as_tensor(probabilities, dtype=dtype), _shape(shape))
    return torch.binomial(counts, probs, generator=_generator(seed)).to(get_device())


def beta(shape, alpha, beta, dtype=None, seed=None):
    generator = _generator(seed)
    if generator is None and seed is None:
        generator = make_generator(None)
    a = gamma(shape, alpha, dtype, generator)
    b = gamma(shape, beta, dtype, generator)
    return a / (a + b)


def get_global_state() -> list:
    """The global generators' states (CPU, then each CUDA device) as uint8 arrays."""
    states = [torch.get_rng_state().numpy().copy()]
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        states += [s.numpy().copy() for s in torch.cuda.get_rng_state_all()]
    return states


def set_global_state(states: list) -> None:
    """Restores what :func:`get_global_state` returned."""
    torch.set_rng_state(torch.from_numpy(np.asarray(states[0], dtype=np.uint8)))
    if len(states) > 1 and torch.cuda.is_available():
        torch.cuda.set_rng_state_all([torch.from_numpy(np.asarray(s, dtype=np.uint8))
                                      for s in states[1:]])


def get_generator_state(generator: torch.Generator) -> np.ndarray:
    return generator.get_state().numpy().copy()


def set_generator_state(generator: torch.Generator, state: np.ndarray) -> None:
    generator.set_state(torch.from_numpy(np.asarray(state, dtype=np.uint8)))
