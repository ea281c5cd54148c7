"""Stochastic gradient descent, with momentum and Nesterov momentum."""

from __future__ import annotations

from typing import Any

from cornu.ops import foreach
from cornu.optimizers.optimizer import Optimizer


class SGD(Optimizer):
    """``w -= lr * g``; with momentum ``m = momentum * m - lr * g; w += m`` (Nesterov:
    ``w += momentum * m - lr * g``).

    Example:
        >>> SGD(learning_rate=0.1, momentum=0.9, nesterov=True)
    """

    def __init__(self, learning_rate: Any = 0.01, momentum: float = 0.0,
                 nesterov: bool = False, name: str | None = None, **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        if not isinstance(momentum, (int, float)) or not 0 <= momentum <= 1:
            raise ValueError(f"`momentum` must be a float between [0, 1]. Received: "
                             f"momentum={momentum!r}")
        self.momentum = float(momentum)
        self.nesterov = nesterov

    def build(self, variables: list) -> None:
        if self.built:
            return
        super().build(variables)
        if self.momentum:
            self.momentums = self.add_optimizer_variables(variables, "momentum")

    def update(self, grads: list, variables: list, learning_rate: Any) -> None:
        scaled = foreach.mul(grads, learning_rate)
        if not self.momentum:
            foreach.sub_(variables, scaled)
            return
        m = self.slots("momentums", variables)
        foreach.mul_(m, self.momentum)
        foreach.sub_(m, scaled)
        if self.nesterov:
            foreach.add_(variables, foreach.sub(foreach.mul(m, self.momentum), scaled))
        else:
            foreach.add_(variables, m)

    def get_config(self) -> dict:
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
