"""Nadam: Adam with Nesterov momentum."""

from __future__ import annotations

from typing import Any

from cornu import backend, ops
from cornu.ops import foreach
from cornu.optimizers.optimizer import Optimizer


class Nadam(Optimizer):
    """Adam with Nesterov momentum and the momentum schedule
    ``u_t = beta_1 (1 - 0.5 * 0.96^t)`` (Dozat, 2016).
    """

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, name: str | None = None, **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def build(self, variables: list) -> None:
        if self.built:
            return
        dtype = backend.dtype(variables[0]) if variables else backend.floatx()
        super().build(variables)
        self._momentums, self._velocities = self.add_optimizer_variables(
            variables, ["momentum", "velocity"])
        # The running product of the momentum schedule.
        self._u_product = self.add_variable((), initializer="ones", dtype=dtype,
                                            name="u_product")

    def update(self, grads: list, variables: list, learning_rate: Any) -> None:
        m = self.slots("_momentums", variables)
        v = self.slots("_velocities", variables)
        dtype = backend.dtype(self._u_product)
        t = ops.cast(self.iterations + 1, dtype)
        u_t = self.beta_1 * (1.0 - 0.5 * ops.power(0.96, t))
        u_next = self.beta_1 * (1.0 - 0.5 * ops.power(0.96, t + 1.0))
        u_product = self._u_product * u_t
        self._u_product.assign(u_product)
        u_product_next = u_product * u_next
        beta_2_power = ops.power(self.beta_2, t)
        foreach.lerp_(m, grads, 1.0 - self.beta_1)
        foreach.mul_(v, self.beta_2)
        foreach.addcmul_(v, grads, grads, 1.0 - self.beta_2)
        m_hat = foreach.add(foreach.mul(m, u_next / (1.0 - u_product_next)),
                            foreach.mul(grads, (1.0 - u_t) / (1.0 - u_product)))
        denominator = foreach.add(foreach.sqrt(foreach.div(v, 1.0 - beta_2_power)),
                                  self.epsilon)
        foreach.sub_(variables, foreach.div(foreach.mul(m_hat, learning_rate), denominator))

    def get_config(self) -> dict:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}
