"""RMSprop: divide the gradient by a running root-mean-square of recent gradients."""

from __future__ import annotations

from typing import Any

from cornu.ops import foreach
from cornu.optimizers.optimizer import Optimizer


class RMSprop(Optimizer):
    """``v = rho v + (1 - rho) g^2``; ``w -= lr g / sqrt(v + epsilon)`` (centered: subtract
    the squared running mean gradient from ``v``; with momentum: accumulate the increments).
    """

    def __init__(self, learning_rate: Any = 0.001, rho: float = 0.9, momentum: float = 0.0,
                 epsilon: float = 1e-7, centered: bool = False, name: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.rho, self.momentum, self.epsilon, self.centered = rho, momentum, epsilon, centered

    def build(self, variables: list) -> None:
        if self.built:
            return
        super().build(variables)
        self._velocities = self.add_optimizer_variables(variables, "velocity")
        if self.momentum > 0:
            self._momentums = self.add_optimizer_variables(variables, "momentum")
        if self.centered:
            self._average_gradients = self.add_optimizer_variables(variables, "average_gradient")

    def update(self, grads: list, variables: list, learning_rate: Any) -> None:
        v = self.slots("_velocities", variables)
        foreach.mul_(v, self.rho)
        foreach.addcmul_(v, grads, grads, 1.0 - self.rho)
        if self.centered:
            mean_grad = self.slots("_average_gradients", variables)
            foreach.mul_(mean_grad, self.rho)
            foreach.add_(mean_grad, grads, alpha=1.0 - self.rho)
            denominator = foreach.sub(v, foreach.square(mean_grad))
            foreach.add_(denominator, self.epsilon)
        else:
            denominator = foreach.add(v, self.epsilon)
        increment = foreach.div(foreach.mul(grads, learning_rate), foreach.sqrt(denominator))
        if self.momentum > 0:
            momentum = self.slots("_momentums", variables)
            foreach.mul_(momentum, self.momentum)
            foreach.add_(momentum, increment)
            foreach.sub_(variables, momentum)
        else:
            foreach.sub_(variables, increment)

    def get_config(self) -> dict:
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}
