"""Random number generation on torch.

``seed`` is one of:

* ``None``: torch's global generator (seeded by ``cornu.utils.set_random_seed``);
* an integer: the same numbers on every call;
* a key, an integer tensor ``[seed, counter]`` (what ``SeedGenerator.next()`` returns):
  the numbers are a pure function of the key, computed on the key's device by a
  counter-based hash, so a seeded layer draws the same numbers eagerly, compiled, and in a
  ``StatelessScope``, with no host read and no generator object to trace;
* a ``torch.Generator``, which advances on each use.
"""

from __future__ import annotations

import math
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


_MASK32 = 0xFFFFFFFF


def _mix32(x: torch.Tensor) -> torch.Tensor:
    """A 32-bit integer finalizer on int64 lanes; multipliers stay below 2**31 so the
    products fit in int64 and every backend computes the same bits."""
    x = x ^ (x >> 16)
    x = (x * 0x7FEB352D) & _MASK32
    x = x ^ (x >> 15)
    x = (x * 0x6A68B395) & _MASK32
    return x ^ (x >> 16)


def is_key(seed) -> bool:
    return isinstance(seed, torch.Tensor) and not seed.is_floating_point() and seed.numel() == 2


def random_bits(count: int, key: torch.Tensor, stream: int = 0) -> torch.Tensor:
    """``count`` pseudo-random 32-bit integers (int64 lanes) from ``key = [seed, counter]``."""
    key = key.to(torch.int64)
    k0 = _mix32((key[0] & _MASK32) ^ 0x3C6EF372)
    k1 = _mix32((key[1] * 2 + stream + 0x2545F491) & _MASK32)
    index = torch.arange(count, dtype=torch.int64, device=key.device)
    x = _mix32((index + k0) & _MASK32)
    return _mix32(x ^ k1)


def _key_uniform(shape, dtype, key, stream=0) -> torch.Tensor:
    shape = _shape(shape)
    count = math.prod(shape)
    bits = random_bits(count, key, stream) >> 8  # 24 bits: exact in float32
    return (bits.to(dtype) * (1.0 / (1 << 24))).reshape(shape).to(get_device())


def _key_normal(shape, dtype, key) -> torch.Tensor:
    # Box-Muller on two independent streams; 1 - u keeps the log finite.
    u1 = 1.0 - _key_uniform(shape, torch.float32, key, stream=0)
    u2 = _key_uniform(shape, torch.float32, key, stream=1)
    z = torch.sqrt(-2.0 * torch.log(u1)) * torch.cos(2.0 * np.pi * u2)
    return z.to(dtype)


def _generator(seed) -> torch.Generator | None:
    if seed is None:
        return None
    if isinstance(seed, torch.Generator):
        return seed
    if is_key(seed):
        # Distributions without a counter-based form: a generator seeded from the key
        # (one host read).
        k = [int(v) for v in seed.tolist()]
        return make_generator((k[0] * 1_000_003 + k[1]) % (2**63))
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
    if is_key(seed):
        return _key_normal(shape, to_torch_dtype(dtype or config.floatx()), seed) * stddev + mean
    return _draw(torch.randn, shape, dtype, seed) * stddev + mean


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    if is_key(seed):
        draws = _key_uniform(shape, to_torch_dtype(dtype or config.floatx()), seed)
        return draws * (maxval - minval) + minval
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
    if is_key(seed):
        shape = _shape(shape)
        count = math.prod(shape)
        bits = random_bits(count, seed) % (int(maxval) - int(minval)) + int(minval)
        return bits.reshape(shape).to(device=get_device(), dtype=to_torch_dtype(dtype))
    generator = _generator(seed)
    kwargs = {} if generator is None else {"generator": generator}
    out = torch.randint(int(minval), int(maxval), _shape(shape), dtype=to_torch_dtype(dtype),
                        device="cpu" if generator is not None else get_device(), **kwargs)
    return out.to(get_device())


def dropout(inputs, rate, noise_shape=None, seed=None):
    from cornu.backend.torch.nn import dropout as _dropout

    if is_key(seed):
        x = convert_to_tensor(inputs)
        shape = tuple(x.shape) if noise_shape is None else tuple(
            s if s is not None else x.shape[i] for i, s in enumerate(noise_shape))
        keep = _key_uniform(shape, x.dtype, seed) >= rate
        return x * keep.to(x.dtype) / (1.0 - float(rate))
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
