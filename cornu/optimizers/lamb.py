"""LAMB: Adam with a layer-wise trust ratio, for large-batch training."""

from __future__ import annotations

from typing import Any

from cornu import ops
from cornu.ops import foreach
from cornu.optimizers.optimizer import Optimizer


class Lamb(Optimizer):
    """The bias-corrected Adam direction ``r = m_hat / (sqrt(v_hat) + epsilon)`` scaled per
    variable by the trust ratio ``||w|| / ||r||`` (1 when either norm is 0):
    ``w -= lr * ratio * r`` (You et al., 2019).
    """

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, name: str | None = None, **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def build(self, variables: list) -> None:
        if self.built:
            return
        super().build(variables)
        self._momentums, self._velocities = self.add_optimizer_variables(
            variables, ["momentum", "velocity"])

    def update(self, grads: list, variables: list, learning_rate: Any) -> None:
        m = self.slots("_momentums", variables)
        v = self.slots("_velocities", variables)
        t = ops.cast(self.iterations + 1, "float32")
        foreach.lerp_(m, grads, 1.0 - self.beta_1)
        foreach.lerp_(v, foreach.square(grads), 1.0 - self.beta_2)
        m_hat = foreach.div(m, 1.0 - ops.power(self.beta_1, t))
        v_hat = foreach.div(v, 1.0 - ops.power(self.beta_2, t))
        direction = foreach.div(m_hat, foreach.add(foreach.sqrt(v_hat), self.epsilon))
        ratios = [ops.where(ops.logical_and(w_norm > 0, r_norm > 0), w_norm / r_norm, 1.0)
                  for w_norm, r_norm in zip(foreach.norm(variables), foreach.norm(direction))]
        foreach.sub_(variables, foreach.mul(foreach.mul(direction, ratios), learning_rate))

    def get_config(self) -> dict:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}
