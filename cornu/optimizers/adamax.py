"""Adamax: Adam with the infinity norm in place of the second moment."""

from __future__ import annotations

from typing import Any

from cornu import ops
from cornu.ops import foreach
from cornu.optimizers.optimizer import Optimizer


class Adamax(Optimizer):
    """``m = beta_1 m + (1 - beta_1) g``; ``u = max(beta_2 u, |g|)``;
    ``w -= lr * m / ((1 - beta_1^t) (u + epsilon))`` (Kingma & Ba, 2015, section 7).
    """

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, name: str | None = None, **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def build(self, variables: list) -> None:
        if self.built:
            return
        super().build(variables)
        self._m, self._u = self.add_optimizer_variables(variables, ["momentum", "norm"])

    def update(self, grads: list, variables: list, learning_rate: Any) -> None:
        m = self.slots("_m", variables)
        u = self.slots("_u", variables)
        t = ops.cast(self.iterations + 1, "float32")
        correction = 1.0 - ops.power(self.beta_1, t)
        foreach.lerp_(m, grads, 1.0 - self.beta_1)
        foreach.mul_(u, self.beta_2)
        foreach.maximum_(u, foreach.abs(grads))
        denominator = foreach.mul(foreach.add(u, self.epsilon), correction)
        foreach.sub_(variables, foreach.div(foreach.mul(m, learning_rate), denominator))

    def get_config(self) -> dict:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}
