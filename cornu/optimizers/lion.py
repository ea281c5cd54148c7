"""Lion: the sign of an interpolated momentum (Chen et al., 2023)."""

from __future__ import annotations

from typing import Any

from cornu.ops import foreach
from cornu.optimizers.optimizer import Optimizer


class Lion(Optimizer):
    """``w -= lr * sign(beta_1 m + (1 - beta_1) g)``; ``m = beta_2 m + (1 - beta_2) g``.

    Lion's updates are larger than Adam's (every element moves by ``lr``): use a learning
    rate 3-10x smaller.
    """

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.99,
                 name: str | None = None, **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        if beta_1 <= 0 or beta_1 > 1:
            raise ValueError("Argument `beta_1` of Lion must be in the [0, 1] range. "
                             "Otherwise, the optimizer degenerates to SignSGD. Received: "
                             f"beta_1={beta_1}.")
        self.beta_1, self.beta_2 = beta_1, beta_2

    def build(self, variables: list) -> None:
        if self.built:
            return
        super().build(variables)
        self._momentums = self.add_optimizer_variables(variables, "momentum")

    def update(self, grads: list, variables: list, learning_rate: Any) -> None:
        m = self.slots("_momentums", variables)
        direction = foreach.lerp(m, grads, 1.0 - self.beta_1)
        foreach.sign_(direction)
        foreach.sub_(variables, foreach.mul(direction, learning_rate))
        foreach.lerp_(m, grads, 1.0 - self.beta_2)

    def get_config(self) -> dict:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2}
