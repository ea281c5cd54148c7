"""``Optimizer.stateless_apply`` equals ``apply`` for every optimizer and leaves the
optimizer's and the model's variables untouched; the step count lives on the device."""

from __future__ import annotations

import numpy as np
import pytest

import cornu
from cornu import ops, optimizers

F = "float32"

FACTORIES = {
    "Adadelta": lambda: optimizers.Adadelta(learning_rate=0.5),
    "Adafactor": lambda: optimizers.Adafactor(learning_rate=0.1),
    "Adagrad": lambda: optimizers.Adagrad(learning_rate=0.1),
    "Adam": lambda: optimizers.Adam(learning_rate=0.1),
    "Adam_amsgrad_ema": lambda: optimizers.Adam(0.1, amsgrad=True, use_ema=True,
                                                ema_overwrite_frequency=2),
    "AdamW": lambda: optimizers.AdamW(learning_rate=0.1, weight_decay=0.1),
    "Adamax": lambda: optimizers.Adamax(learning_rate=0.1),
    "Ftrl": lambda: optimizers.Ftrl(learning_rate=0.1, l1_regularization_strength=0.01),
    "Lamb": lambda: optimizers.Lamb(learning_rate=0.1),
    "Lion": lambda: optimizers.Lion(learning_rate=0.1),
    "LossScaleOptimizer": lambda: optimizers.LossScaleOptimizer(optimizers.SGD(0.1)),
    "Muon": lambda: optimizers.Muon(learning_rate=0.1),
    "Nadam": lambda: optimizers.Nadam(learning_rate=0.1),
    "RMSprop": lambda: optimizers.RMSprop(learning_rate=0.1, momentum=0.5, centered=True),
    "SGD": lambda: optimizers.SGD(learning_rate=0.1, momentum=0.9, nesterov=True),
    "SGD_accumulate_clip": lambda: optimizers.SGD(0.1, gradient_accumulation_steps=2,
                                                  global_clipnorm=1.0),
    "SGD_schedule": lambda: optimizers.SGD(optimizers.schedules.ExponentialDecay(
        0.1, decay_steps=1, decay_rate=0.5)),
    "ScheduleFreeAdamW": lambda: optimizers.ScheduleFreeAdamW(learning_rate=0.1),
}


def _setup(name):
    rng = np.random.default_rng(0)
    init = [rng.standard_normal((4, 3)).astype(F), rng.standard_normal(3).astype(F)]
    variables = [cornu.Variable(w) for w in init]
    optimizer = FACTORIES[name]()
    optimizer.build(variables)
    grads = [[rng.standard_normal(w.shape).astype(F) for w in init] for _ in range(4)]
    return optimizer, variables, grads


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_stateless_apply_equals_apply(name):
    optimizer, variables, grads = _setup(name)
    opt_values = [v.numpy() for v in optimizer.variables]
    values = [v.numpy() for v in variables]
    for step_grads in grads:  # four stateless steps, threading the state through
        before = [v.numpy().copy() for v in optimizer.variables + variables]
        values, opt_values = optimizer.stateless_apply(opt_values, step_grads, values)
        for a, v in zip(before, optimizer.variables + variables):
            np.testing.assert_array_equal(a, v.numpy())
    for step_grads in grads:  # the same four steps, stateful
        optimizer.apply([ops.convert_to_tensor(g) for g in step_grads])
    for got, v in zip(values, variables):
        np.testing.assert_allclose(ops.convert_to_numpy(got), v.numpy(), rtol=1e-5, atol=1e-6)
    for got, v in zip(opt_values, optimizer.variables):
        np.testing.assert_allclose(ops.convert_to_numpy(got), v.numpy(), rtol=1e-5, atol=1e-6)


def test_the_step_count_is_a_variable_not_a_host_counter():
    optimizer, variables, grads = _setup("Adam")
    optimizer.apply([ops.convert_to_tensor(g) for g in grads[0]])
    optimizer.iterations.assign(10)  # as a loaded checkpoint would
    m = [v.numpy().copy() for v in optimizer.variables]
    w = [v.numpy().copy() for v in variables]
    optimizer.apply([ops.convert_to_tensor(g) for g in grads[1]])
    # Adam's bias correction at t = 11, computed by hand from the saved moments.
    b1, b2, lr, eps = 0.9, 0.999, 0.1, 1e-7
    for i, g in enumerate(grads[1]):
        mom = m[2 + 2 * i] + (g - m[2 + 2 * i]) * (1 - b1)
        vel = m[3 + 2 * i] * b2 + g * g * (1 - b2)
        alpha = lr * np.sqrt(1 - b2 ** 11) / (1 - b1 ** 11)
        np.testing.assert_allclose(variables[i].numpy(), w[i] - alpha * mom /
                                   (np.sqrt(vel) + eps), rtol=1e-5, atol=1e-6)


def test_wrong_state_raises_and_changes_nothing():
    optimizer, variables, grads = _setup("Adam")
    before = [v.numpy().copy() for v in optimizer.variables]
    with pytest.raises(ValueError, match="optimizer_variables.*must have 6 values"):
        optimizer.stateless_apply([], grads[0], [v.numpy() for v in variables])
    with pytest.raises(ValueError, match="shape \\(3,\\); expected \\(4, 3\\)"):
        optimizer.stateless_apply([v.numpy() for v in optimizer.variables], grads[0],
                                  [np.ones(3, F), np.ones(3, F)])
    for a, v in zip(before, optimizer.variables):
        np.testing.assert_array_equal(a, v.numpy())
    with pytest.raises(ValueError, match="must be built"):
        optimizers.SGD().stateless_apply([], [], [])
