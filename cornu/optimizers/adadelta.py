"""Adadelta: step sizes from running averages of squared gradients and squared updates."""

from __future__ import annotations

from typing import Any

from cornu.ops import foreach
from cornu.optimizers.optimizer import Optimizer


class Adadelta(Optimizer):
    """``E[g^2] = rho E[g^2] + (1 - rho) g^2``;
    ``delta = -sqrt(E[dx^2] + eps) / sqrt(E[g^2] + eps) * g``;
    ``E[dx^2] = rho E[dx^2] + (1 - rho) delta^2``; ``w += lr * delta`` (Zeiler, 2012).
    """

    def __init__(self, learning_rate: Any = 0.001, rho: float = 0.95, epsilon: float = 1e-7,
                 name: str | None = None, **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.rho, self.epsilon = rho, epsilon

    def build(self, variables: list) -> None:
        if self.built:
            return
        super().build(variables)
        self._accumulated_grads, self._accumulated_delta_vars = self.add_optimizer_variables(
            variables, ["accumulated_grad", "accumulated_delta_var"])

    def update(self, grads: list, variables: list, learning_rate: Any) -> None:
        acc_grads = self.slots("_accumulated_grads", variables)
        acc_deltas = self.slots("_accumulated_delta_vars", variables)
        foreach.mul_(acc_grads, self.rho)
        foreach.addcmul_(acc_grads, grads, grads, 1.0 - self.rho)
        rms_delta = foreach.sqrt(foreach.add(acc_deltas, self.epsilon))
        rms_grad = foreach.sqrt(foreach.add(acc_grads, self.epsilon))
        delta = foreach.neg(foreach.div(foreach.mul(rms_delta, grads), rms_grad))
        foreach.mul_(acc_deltas, self.rho)
        foreach.addcmul_(acc_deltas, delta, delta, 1.0 - self.rho)
        foreach.add_(variables, foreach.mul(delta, learning_rate))

    def get_config(self) -> dict:
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}
