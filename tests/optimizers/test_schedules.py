"""Learning-rate schedules: values against NumPy, configs, custom schedules."""

import math

import numpy as np
import pytest

import cornu
from cornu.optimizers import schedules

STEPS = [0, 1, 2, 3, 5, 8, 10, 15, 20, 33, 50, 100]


def _values(schedule, steps=STEPS):
    return np.array([float(cornu.ops.convert_to_numpy(schedule(s))) for s in steps])


def _cosine(step, decay_steps, alpha, start):
    step = min(step, decay_steps)
    return start * ((1 - alpha) * 0.5 * (1 + math.cos(math.pi * step / decay_steps)) + alpha)


def _restarts(step, first, t_mul, m_mul, alpha, lr):
    period, start, peak = first, 0.0, 1.0
    while step >= start + period:
        start += period
        period *= t_mul
        peak *= m_mul
    fraction = (step - start) / period
    return lr * ((1 - alpha) * 0.5 * peak * (1 + math.cos(math.pi * fraction)) + alpha)


CASES = [
    (schedules.ExponentialDecay(0.1, 10, 0.5), lambda s: 0.1 * 0.5 ** (s / 10)),
    (schedules.ExponentialDecay(0.1, 10, 0.5, staircase=True), lambda s: 0.1 * 0.5 ** (s // 10)),
    (schedules.PiecewiseConstantDecay([5, 20], [1.0, 0.5, 0.1]),
     lambda s: 1.0 if s <= 5 else 0.5 if s <= 20 else 0.1),
    (schedules.PolynomialDecay(0.1, 20, end_learning_rate=0.01, power=2.0),
     lambda s: (0.1 - 0.01) * (1 - min(s, 20) / 20) ** 2 + 0.01),
    (schedules.PolynomialDecay(0.1, 20, cycle=True),
     lambda s: (0.1 - 1e-4) * (1 - s / (20 * max(1, math.ceil(s / 20)))) + 1e-4),
    (schedules.InverseTimeDecay(0.1, 5, 0.5), lambda s: 0.1 / (1 + 0.5 * s / 5)),
    (schedules.InverseTimeDecay(0.1, 5, 0.5, staircase=True), lambda s: 0.1 / (1 + 0.5 * (s // 5))),
    (schedules.CosineDecay(0.1, 20, alpha=0.1), lambda s: _cosine(s, 20, 0.1, 0.1)),
    (schedules.CosineDecay(0.0, 20, warmup_target=0.2, warmup_steps=5),
     lambda s: 0.2 * s / 5 if s < 5 else _cosine(min(s, 25) - 5, 20, 0.0, 0.2)),
    (schedules.CosineDecayRestarts(0.1, 5), lambda s: _restarts(s, 5, 2.0, 1.0, 0.0, 0.1)),
    (schedules.CosineDecayRestarts(0.1, 5, t_mul=1.0, m_mul=0.8, alpha=0.05),
     lambda s: _restarts(s, 5, 1.0, 0.8, 0.05, 0.1)),
]


def test_schedules_match_numpy():
    for schedule, reference in CASES:
        np.testing.assert_allclose(_values(schedule), [reference(s) for s in STEPS], rtol=1e-5,
                                   atol=1e-7, err_msg=str(schedule.get_config()))


def test_schedules_accept_the_device_step_counter():
    step = cornu.Variable(7, dtype="int64", trainable=False)
    schedule = schedules.CosineDecay(0.1, 20, warmup_target=0.2, warmup_steps=5)
    np.testing.assert_allclose(float(schedule(step)), _values(schedule, [7])[0], rtol=1e-6)


def test_config_round_trip():
    for schedule, _ in CASES:
        cls = type(schedule)
        config = schedule.get_config()
        assert cls.from_config(config).get_config() == config
        restored = schedules.deserialize(schedules.serialize(schedule))
        assert type(restored) is cls and restored.get_config() == config


def test_custom_schedule_in_an_optimizer():
    class Halving(schedules.LearningRateSchedule):
        def __call__(self, step):
            return 0.4 * 0.5 ** cornu.ops.cast(step, "float32")

        def get_config(self):
            return {}

    v = cornu.Variable(np.zeros(2, "float32"))
    opt = cornu.optimizers.SGD(learning_rate=Halving())
    for _ in range(3):
        opt.apply([cornu.ops.convert_to_tensor(np.ones(2, "float32"))], [v])
    np.testing.assert_allclose(v.numpy(), -(0.4 + 0.2 + 0.1) * np.ones(2), rtol=1e-6)
    with pytest.raises(NotImplementedError, match="must override `get_config"):
        schedules.LearningRateSchedule().get_config()


def test_bad_arguments():
    with pytest.raises(ValueError, match="decay_steps"):
        schedules.ExponentialDecay(0.1, 0, 0.5)
    with pytest.raises(ValueError, match="1 less than the length of values"):
        schedules.PiecewiseConstantDecay([1, 2], [0.1, 0.2])
