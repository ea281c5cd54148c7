"""Adam: adaptive moment estimation."""

from __future__ import annotations

from typing import Any

from cornu import ops
from cornu.ops import foreach
from cornu.optimizers.optimizer import Optimizer


class Adam(Optimizer):
    """Adam, with Keras's formulation (epsilon added after the bias-corrected step size):

    ``m += (g - m)(1 - beta_1)``, ``v += (g^2 - v)(1 - beta_2)``,
    ``w -= lr * sqrt(1 - beta_2^t) / (1 - beta_1^t) * m / (sqrt(v) + epsilon)``.
    """

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, amsgrad: bool = False, name: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_1, self.beta_2, self.epsilon, self.amsgrad = beta_1, beta_2, epsilon, amsgrad

    def build(self, variables: list) -> None:
        if self.built:
            return
        super().build(variables)
        self._momentums, self._velocities = self.add_optimizer_variables(
            variables, ["momentum", "velocity"])
        if self.amsgrad:
            self._velocity_hats = self.add_optimizer_variables(variables, "velocity_hat")

    def _step_size(self, learning_rate: Any) -> Any:
        # The bias correction from the device step count: a few scalar ops, no sync.
        t = ops.cast(self.iterations + 1, "float32")
        return learning_rate * ops.sqrt(1.0 - ops.power(self.beta_2, t)) / (
            1.0 - ops.power(self.beta_1, t))

    def update(self, grads: list, variables: list, learning_rate: Any) -> None:
        m = self.slots("_momentums", variables)
        v = self.slots("_velocities", variables)
        alpha = self._step_size(learning_rate)
        foreach.lerp_(m, grads, 1.0 - self.beta_1)
        foreach.mul_(v, self.beta_2)
        foreach.addcmul_(v, grads, grads, 1.0 - self.beta_2)
        if self.amsgrad:
            v_hat = self.slots("_velocity_hats", variables)
            foreach.maximum_(v_hat, v)
            v = v_hat
        # w -= alpha * m / (sqrt(v) + eps), as m / ((sqrt(v) + eps) / alpha): seven passes
        # over the tensors and one temporary list, with alpha kept on the device.
        denominator = foreach.sqrt(v)
        foreach.add_(denominator, self.epsilon)
        foreach.div_(denominator, alpha)
        foreach.addcdiv_(variables, m, denominator, -1.0)

    def get_config(self) -> dict:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}
