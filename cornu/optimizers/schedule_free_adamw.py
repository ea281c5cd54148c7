"""Schedule-free AdamW: no learning-rate schedule needed (Defazio et al., 2024)."""

from __future__ import annotations

from typing import Any

from cornu import ops
from cornu.ops import foreach
from cornu.optimizers.optimizer import Optimizer


class ScheduleFreeAdamW(Optimizer):
    """AdamW without a schedule: the weights ``y`` interpolate between a fast iterate ``z``
    (kept in the ``momentum`` slot, stepped with Adam-normalized gradients) and a running
    average ``x`` of it, ``y = (1 - beta_1) z + beta_1 x``, with ``x`` a uniform average
    (weight ``1 / t``).

    Args:
        warmup_steps: linearly ramp the learning rate up over this many steps.

    Example:
        >>> ScheduleFreeAdamW(learning_rate=0.0025, warmup_steps=100)
    """

    def __init__(self, learning_rate: Any = 0.0025, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-8, warmup_steps: int = 0, name: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.warmup_steps = warmup_steps

    def build(self, variables: list) -> None:
        if self.built:
            return
        super().build(variables)
        self._momentums, self._velocities = self.add_optimizer_variables(
            variables, ["momentum", "velocity"])
        foreach.copy_(self._momentums, variables)

    def update(self, grads: list, variables: list, learning_rate: Any) -> None:
        z = self.slots("_momentums", variables)
        v = self.slots("_velocities", variables)
        step = ops.cast(self.iterations + 1, "float32")
        lr = learning_rate
        if self.warmup_steps > 0:
            lr = lr * ops.minimum(step / float(self.warmup_steps), 1.0)
        b1 = self.beta_1
        # Recover x from y and the previous z before z moves: x = (y - (1 - b1) z) / b1.
        x = foreach.div(foreach.sub(variables, foreach.mul(z, 1.0 - b1)), b1)
        foreach.lerp_(v, foreach.square(grads), 1.0 - self.beta_2)
        correction = 1.0 - ops.power(self.beta_2, step)
        denominator = foreach.add(foreach.sqrt(foreach.div(v, correction)), self.epsilon)
        foreach.sub_(z, foreach.div(foreach.mul(grads, lr), denominator))
        weight = 1.0 / step
        x = foreach.add(foreach.mul(x, 1.0 - weight), foreach.mul(z, weight))
        foreach.copy_(variables, foreach.add(foreach.mul(z, 1.0 - b1), foreach.mul(x, b1)))

    def get_config(self) -> dict:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "warmup_steps": self.warmup_steps}
