"""Learning-rate schedules: functions of the optimizer's step, evaluated on the device.

A schedule is called with the step (a device integer or a Python int) and returns the
learning rate as a tensor; branches are ``where`` selections, so evaluating a schedule
inside a training step never reads the step back to the host.
"""

from __future__ import annotations

import math
from typing import Any

from cornu import backend, ops


def _check_steps(name: str, value: Any) -> None:
    if value <= 0:
        raise ValueError(f"Argument `{name}` must be > 0. Received: {name}={value}")


def _float(value: Any) -> Any:
    return ops.cast(value, backend.floatx())


class LearningRateSchedule:
    """Base class: subclasses implement ``__call__(step)`` and ``get_config()``.

    Example:
        >>> class Halving(LearningRateSchedule):
        ...     def __call__(self, step):
        ...         return 0.1 * 0.5 ** cornu.ops.floor(cornu.ops.cast(step, "float32") / 10)
        ...     def get_config(self):
        ...         return {}
    """

    def __call__(self, step: Any) -> Any:
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' must "
                                  "override `__call__(self, step)`.")

    def get_config(self) -> dict:
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' must "
                                  "override `get_config()` in order to be serializable.")

    @classmethod
    def from_config(cls, config: dict) -> "LearningRateSchedule":
        return cls(**config)


class ExponentialDecay(LearningRateSchedule):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)`` (the exponent floored
    with ``staircase``).

    Example:
        >>> ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)(20)  # 0.025
    """

    def __init__(self, initial_learning_rate: float, decay_steps: int, decay_rate: float,
                 staircase: bool = False, name: str = "ExponentialDecay") -> None:
        _check_steps("decay_steps", decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def __call__(self, step: Any) -> Any:
        p = _float(step) / float(self.decay_steps)
        if self.staircase:
            p = ops.floor(p)
        return self.initial_learning_rate * ops.power(_float(self.decay_rate), p)

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[0]`` for ``step <= boundaries[0]``, ``values[i]`` for
    ``boundaries[i-1] < step <= boundaries[i]``, ``values[-1]`` after the last boundary.

    Example:
        >>> PiecewiseConstantDecay([100, 200], [1.0, 0.5, 0.1])(150)  # 0.5
    """

    def __init__(self, boundaries: list, values: list, name: str = "PiecewiseConstant") -> None:
        if len(boundaries) != len(values) - 1:
            raise ValueError("The length of boundaries should be 1 less than the length of "
                             f"values. Received: boundaries={boundaries} of length "
                             f"{len(boundaries)}, and values={values} of length {len(values)}.")
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step: Any) -> Any:
        step = ops.convert_to_tensor(step)
        boundaries = ops.convert_to_tensor(self.boundaries, dtype=ops.dtype(step))
        values = ops.convert_to_tensor(self.values)
        # The number of boundaries strictly below the step indexes the value.
        index = ops.sum(ops.cast(ops.greater(step, boundaries), "int64"))
        return ops.take(values, index)

    def get_config(self) -> dict:
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """Decays from ``initial_learning_rate`` to ``end_learning_rate`` over ``decay_steps``
    as ``(1 - step / decay_steps) ** power``; with ``cycle`` the decay restarts, over a
    longer span each time."""

    def __init__(self, initial_learning_rate: float, decay_steps: int,
                 end_learning_rate: float = 0.0001, power: float = 1.0, cycle: bool = False,
                 name: str = "PolynomialDecay") -> None:
        _check_steps("decay_steps", decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name

    def __call__(self, step: Any) -> Any:
        step = _float(step)
        decay_steps = _float(self.decay_steps)
        if self.cycle:
            multiplier = ops.where(ops.equal(step, 0.0), 1.0,
                                   ops.ceil(step / float(self.decay_steps)))
            decay_steps = decay_steps * multiplier
        else:
            step = ops.minimum(step, decay_steps)
        p = step / decay_steps
        return (self.initial_learning_rate - self.end_learning_rate) * \
            ops.power(1.0 - p, _float(self.power)) + self.end_learning_rate

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "end_learning_rate": self.end_learning_rate,
                "power": self.power, "cycle": self.cycle, "name": self.name}


class InverseTimeDecay(LearningRateSchedule):
    """``initial_learning_rate / (1 + decay_rate * step / decay_steps)`` (the ratio
    floored with ``staircase``)."""

    def __init__(self, initial_learning_rate: float, decay_steps: int, decay_rate: float,
                 staircase: bool = False, name: str = "InverseTimeDecay") -> None:
        _check_steps("decay_steps", decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def __call__(self, step: Any) -> Any:
        p = _float(step) / float(self.decay_steps)
        if self.staircase:
            p = ops.floor(p)
        return self.initial_learning_rate / (1.0 + _float(self.decay_rate) * p)

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class CosineDecay(LearningRateSchedule):
    """Cosine decay from ``initial_learning_rate`` to ``alpha * initial_learning_rate``
    over ``decay_steps`` (Loshchilov & Hutter, 2017), after an optional linear warmup of
    ``warmup_steps`` up to ``warmup_target`` (the decay then starts from ``warmup_target``).

    Example:
        >>> CosineDecay(0.0, decay_steps=1000, warmup_target=0.1, warmup_steps=100)
    """

    def __init__(self, initial_learning_rate: float, decay_steps: int, alpha: float = 0.0,
                 name: str = "CosineDecay", warmup_target: float | None = None,
                 warmup_steps: int = 0) -> None:
        _check_steps("decay_steps", decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_steps = warmup_steps
        self.warmup_target = warmup_target

    def _decay(self, step: Any, decay_from: Any) -> Any:
        fraction = step / float(self.decay_steps)
        cosine = 0.5 * (1.0 + ops.cos(math.pi * fraction))
        return decay_from * ((1.0 - self.alpha) * cosine + self.alpha)

    def __call__(self, step: Any) -> Any:
        step = _float(step)
        if self.warmup_target is None:
            return self._decay(ops.minimum(step, float(self.decay_steps)),
                               _float(self.initial_learning_rate))
        warmup_steps = float(self.warmup_steps)
        step = ops.minimum(step, float(self.decay_steps) + warmup_steps)
        delta = self.warmup_target - self.initial_learning_rate
        # Guard the division: the warmup branch is only selected when warmup_steps > 0.
        warmup = delta * step / max(warmup_steps, 1e-30) + self.initial_learning_rate
        decay = self._decay(step - warmup_steps, _float(self.warmup_target))
        return ops.where(step < warmup_steps, warmup, decay)

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha, "name": self.name,
                "warmup_target": self.warmup_target, "warmup_steps": self.warmup_steps}


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR, Loshchilov & Hutter, 2017): the first period
    lasts ``first_decay_steps``, each next one ``t_mul`` times longer and starting from
    ``m_mul`` times the previous peak."""

    def __init__(self, initial_learning_rate: float, first_decay_steps: int,
                 t_mul: float = 2.0, m_mul: float = 1.0, alpha: float = 0.0,
                 name: str = "SGDRDecay") -> None:
        _check_steps("first_decay_steps", first_decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self._t_mul = t_mul
        self._m_mul = m_mul
        self.alpha = alpha
        self.name = name

    def __call__(self, step: Any) -> Any:
        fraction = _float(step) / float(self.first_decay_steps)
        t_mul = _float(self._t_mul)
        if self._t_mul == 1.0:
            restart = ops.floor(fraction)
            fraction = fraction - restart
        else:
            restart = ops.floor(ops.log(1.0 - fraction * (1.0 - t_mul)) / ops.log(t_mul))
            done = (1.0 - ops.power(t_mul, restart)) / (1.0 - t_mul)
            fraction = (fraction - done) / ops.power(t_mul, restart)
        peak = ops.power(_float(self._m_mul), restart)
        cosine = 0.5 * peak * (1.0 + ops.cos(math.pi * fraction))
        return self.initial_learning_rate * ((1.0 - self.alpha) * cosine + self.alpha)

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "first_decay_steps": self.first_decay_steps, "t_mul": self._t_mul,
                "m_mul": self._m_mul, "alpha": self.alpha, "name": self.name}
